package mpm

import (
	"crypto/tls"
	"io"
	"time"

	"github.com/gohttpd/gohttpd/internal/h2bridge"
)

// H2Direct over TLS (mod_http2's "direct mode" on https: connections).
//
// Apache (h2_c1.c, h2_c1_allows_direct): on a fresh connection still on
// http/1.1 after the handshake (ALPN chose no h2), when H2Direct is on for
// the connection's base server (its first <VirtualHost> of the address)
// and its Protocols allow "h2", mod_http2 peeks the first 24 bytes; if
// they are the client preface the connection becomes HTTP/2, else it goes
// on as HTTP/1.1. Over TLS H2Direct is off unless set (H2Listener.DirectTLS).
// The preface detection is the h2c one (h2bridge.Sniff, IsPreface).

// serveDirectTLS serves t, a handshaken TLS connection that did not
// negotiate h2 on a listener with DirectTLS: as HTTP/2 when its first
// bytes are the client preface, else as HTTP/1.1 with those bytes
// replayed.
func (h *H2Server) serveDirectTLS(deps ChildDeps, tc *Conn, t *tls.Conn) {
	d := deps.Server.ReadTimeout
	if d <= 0 {
		d = 60 * time.Second
	}
	t.SetReadDeadline(time.Now().Add(d))
	rc, isH2, err := h2bridge.Sniff(t)
	t.SetReadDeadline(time.Time{})
	switch {
	case isH2:
		h.ServeH2(rc, tc.Worker)
		return
	case err != nil && rc == t:
		tc.Close() // nothing read
		return
	}
	cs := t.ConnectionState()
	deps.Server.ServeConn(&tlsReplayed{TLSConn: &TLSConn{Conn: t, Plain: tc, Version: cs.Version, Cipher: cs.CipherSuite}, r: rc})
}

// tlsReplayed is a TLSConn whose first plaintext bytes were read to look
// for the client preface: reads come from r (those bytes, then the TLS
// connection), through the Validator.
type tlsReplayed struct {
	*TLSConn
	r io.Reader
}

func (c *tlsReplayed) Read(p []byte) (int, error) {
	if c.Plain.Validator == nil {
		return c.r.Read(p)
	}
	return c.Plain.Validator.Read(c.r, p)
}
