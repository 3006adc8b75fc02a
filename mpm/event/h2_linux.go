package event

import (
	"net"

	"golang.org/x/sys/unix"

	"github.com/gohttpd/gohttpd/internal/h2bridge"
)

// HTTP/2 in the event engine (mpm/h2.go has the shared part).
//
// The HTTP/2 bridge keeps a goroutine reading each connection for its
// whole life, so an HTTP/2 connection cannot be parked in epoll: the
// worker that finds one (ALPN "h2" after the handshake, or the h2c client
// preface on a new cleartext connection) hands it to a goroutine the
// H2Server owns, over a duplicate of the descriptor that the runtime's
// poller serves, and lets go of it as a hijacked connection (out of the
// epoll set, the engine's descriptor closed without lingering). The
// worker and its scoreboard slot are free at once; the connection counts
// in the process slot's HTTP/2 counters and each stream runs the site
// handler on one of the bridge's stream workers. "Upgrade: h2c" goes
// through the handler wrapper of mpm.NewH2 and the engine's hijack
// support.

// h2Direct looks at a new cleartext connection for the h2c client
// preface without reading it (MSG_PEEK), when its listener allows prior
// knowledge. handled reports that the connection went to HTTP/2, or must
// wait for the rest of the preface (out says which).
func (w *worker) h2Direct(c *conn) (out outcome, handled bool) {
	e, sh := w.e, &w.sh
	if !e.h2.ListenerOf(sh.LocalAddr()).Direct {
		return 0, false
	}
	var b [h2bridge.PrefaceLen]byte
	n, _, err := unix.Recvfrom(sh.fd, b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
	if err != nil || n == 0 || !h2bridge.IsPreface(b[:n]) {
		return 0, false // the HTTP/1.1 path reads (or parks) it
	}
	if n < len(b) {
		// Part of the preface: wait for the rest (it raises an edge).
		sh.drained = true
		return outParkNew, true
	}
	nc, err := dupConn(int(c.fd))
	if err != nil {
		e.log.Error("event: cannot hand an h2c connection over", "err", err)
		return outClose, true
	}
	w.leaveEpoll(c)
	e.h2.ServeH2Owned(nc)
	return outClose, true
}

// h2TLS hands a TLS connection that negotiated "h2" to the H2Server: the
// tls.Conn goes on over a duplicate of the descriptor (rawConn.nc).
func (w *worker) h2TLS(c *conn) outcome { return w.h2TLSPeeked(c, nil) }

// h2TLSPeeked is h2TLS for a connection whose first plaintext bytes,
// peeked, were read already (H2Direct, h2direct_linux.go): the H2Server
// reads them first.
func (w *worker) h2TLSPeeked(c *conn, peeked []byte) outcome {
	e := w.e
	nc, err := dupConn(int(c.fd))
	if err != nil {
		e.log.Error("event: cannot hand an h2 connection over", "err", err)
		return outClose
	}
	w.leaveEpoll(c)
	t := c.tls
	t.raw.detach(nc)
	// The engine closes only its descriptor now: no close_notify, no
	// other use of the tls.Conn, which the H2Server owns.
	c.tls = nil
	e.h2.ServeH2Owned(h2bridge.ReplayConn(t.tc, peeked))
	return outClose
}

// negotiatedH2 reports whether c's TLS handshake chose HTTP/2.
func (w *worker) negotiatedH2(c *conn) bool {
	return w.e.h2 != nil && c.tls.tc.ConnectionState().NegotiatedProtocol == h2bridge.NextProtoTLS
}

// leaveEpoll takes c out of the epoll set before its descriptor is closed
// (the duplicate lives on).
func (w *worker) leaveEpoll(c *conn) {
	e := w.e
	if c.flags&flagRegistered != 0 {
		if err := e.p.del(int(c.fd)); err != nil {
			e.log.Warn("event: h2 connection stays in the epoll set", "err", err)
		}
		c.flags &^= flagRegistered
	}
}

// detach makes r read and write nc, a blocking duplicate of the socket,
// from now on: the tls.Conn over r leaves the engine.
func (r *rawConn) detach(nc net.Conn) {
	r.nc = nc
	r.sh = nil
	r.c = nil
}
