package event

// The PROXY protocol (RemoteIPProxyProtocol) in the event engine. A new
// connection from which deps.ProxyProtocol expects a header gets a
// ppState with a parser (from a pool) at accept. The worker it is
// dispatched to reads what is queued of the header without waiting
// (MSG_PEEK, then consuming exactly the header's bytes, so that TLS and
// HTTP find theirs untouched in the socket); when the header is
// incomplete the connection is parked as new, holding no worker, under
// the new connection's deadline, and one that expires is closed without
// a response, as Apache does. Once read, the record's address is the
// client's (RemoteAddr, Require ip, %a, the status page) and ppState keeps
// the TCP peer (PeerAddr, %{c}a).

import (
	"net"
	"net/netip"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/gohttpd/gohttpd/internal/proxyproto"
	"github.com/gohttpd/gohttpd/mpm"
)

// ppState is a connection's PROXY protocol state.
type ppState struct {
	p    *proxyproto.Parser // nil once the header was read
	peer netip.AddrPort     // the TCP peer, once the header was read
}

var parserPool = sync.Pool{New: func() any { return new(proxyproto.Parser) }}

// expectProxy records that c must start with a PROXY header when the
// options expect one on its local address from its peer.
func (e *engine) expectProxy(c *conn, fd int) {
	o := e.deps.ProxyProtocol
	var local netip.AddrPort
	if sa, err := unix.Getsockname(fd); err == nil {
		switch a := sa.(type) {
		case *unix.SockaddrInet4:
			local = netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
		case *unix.SockaddrInet6:
			local = netip.AddrPortFrom(netip.AddrFrom16(a.Addr).Unmap(), uint16(a.Port))
		}
	}
	if !o.Expect(local, c.remoteAddrPort()) {
		return
	}
	p := parserPool.Get().(*proxyproto.Parser)
	p.Reset()
	c.pp = &ppState{p: p}
}

// proxyPending reports whether c still waits for its PROXY header.
func (c *conn) proxyPending() bool { return c.pp != nil && c.pp.p != nil }

// proxyHeader reads the queued bytes of c's PROXY header. ok is set once
// the header is complete; otherwise out says what to do with c (park it
// as new, or close it: a refused header is logged).
func (w *worker) proxyHeader(c *conn) (out outcome, ok bool) {
	st := c.pp
	fd := int(c.fd)
	var buf [proxyproto.MaxV2]byte
	for {
		n, _, err := unix.Recvfrom(fd, buf[:st.p.Want()], unix.MSG_PEEK)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			w.sh.drained = true
			return outParkNew, false
		case err != nil || n == 0:
			// The peer went away (or failed) before its header: no line.
			return outClose, false
		}
		used, ferr := st.p.Feed(buf[:n])
		for done := 0; done < used; {
			m, rerr := unix.Read(fd, buf[done:used])
			if rerr == unix.EINTR {
				continue
			}
			if rerr != nil || m <= 0 {
				return outClose, false
			}
			done += m
		}
		switch {
		case ferr == proxyproto.ErrNeedMore:
			continue
		case ferr != nil:
			mpm.LogProxyError(w.e.log, ferr, c.remoteAddrPort().String())
			parserPool.Put(st.p)
			st.p = nil
			return outClose, false
		}
		h := st.p.Header()
		parserPool.Put(st.p)
		st.p = nil
		st.peer = c.remoteAddrPort()
		client := h.Client(st.peer)
		a := client.Addr().Unmap()
		c.port = client.Port()
		if a.Is4() {
			c.flags &^= flagV6
			c.ip = [16]byte{}
			b := a.As4()
			copy(c.ip[:4], b[:])
		} else {
			c.flags |= flagV6
			c.ip = a.As16()
		}
		w.sh.raddr = nil
		return 0, true
	}
}

// PeerAddr is the TCP peer (%{c}a): the connection's address unless a
// PROXY header named another client.
func (s *shim) PeerAddr() net.Addr {
	if s.ProxyProtocol() {
		return net.TCPAddrFromAddrPort(s.c.pp.peer)
	}
	return s.RemoteAddr()
}

// ProxyProtocol reports that the connection started with a PROXY header
// (site/remoteip then ignores RemoteIPHeader, as Apache does).
func (s *shim) ProxyProtocol() bool { return s.c.pp != nil && s.c.pp.p == nil }
