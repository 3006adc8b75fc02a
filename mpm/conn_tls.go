package mpm

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strconv"
	"time"
)

// TLSConn is a TLS connection of a connection-per-worker engine (prefork,
// worker): the handshaken *tls.Conn over the accepted socket, with the
// plaintext read through the same Validator as a plain Conn. It is what
// fasthttp.Server.ServeConn gets, so ctx.IsTLS and ctx.TLSConnectionState
// see a connection with Handshake and ConnectionState; Track finds the
// scoreboard slot through Plain.
type TLSConn struct {
	*tls.Conn
	// Plain is the accepted connection beneath (scoreboard slot,
	// Validator); its socket is the one Conn encrypts.
	Plain *Conn
	// Version and Cipher are the handshake's TLS version and cipher
	// suite, for the scoreboard (ServeTLS sets them).
	Version, Cipher uint16
}

var _ ProtocolConn = (*TLSConn)(nil)

// Read reads plaintext through the Validator.
func (c *TLSConn) Read(p []byte) (int, error) {
	if c.Plain.Validator == nil {
		return c.Conn.Read(p)
	}
	return c.Plain.Validator.Read(c.Conn, p)
}

// Write encrypts p; an HTTP/0.9 client gets the response without its
// head.
func (c *TLSConn) Write(p []byte) (int, error) {
	if v := c.Plain.Validator; v != nil && v.HTTP09() {
		if _, err := c.Conn.Write(v.Strip09(p)); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// HTTP09 implements ProtocolConn.
func (c *TLSConn) HTTP09() bool { return c.Plain.HTTP09() }

// RequestLine implements ProtocolConn.
func (c *TLSConn) RequestLine() []byte { return c.Plain.RequestLine() }

// ProtocolError implements ProtocolConn.
func (c *TLSConn) ProtocolError() error { return c.Plain.ProtocolError() }

func (c *Conn) slot() *Worker    { return c.Worker }
func (c *TLSConn) slot() *Worker { return c.Plain.Worker }

// ListenerTLS returns the TLS configuration of the listener that accepted
// conn: the one of cfgs (parallel to lns) whose listener has conn's local
// port and address (or a wildcard address). Nil means plain.
func ListenerTLS(lns []net.Listener, cfgs []*tls.Config, conn net.Conn) *tls.Config {
	if len(cfgs) == 0 {
		return nil
	}
	la, ok := conn.LocalAddr().(*net.TCPAddr)
	if !ok {
		return nil
	}
	var wild *tls.Config
	found := false
	for i, ln := range lns {
		if i >= len(cfgs) {
			break
		}
		a, ok := ln.Addr().(*net.TCPAddr)
		if !ok || a.Port != la.Port {
			continue
		}
		if a.IP.Equal(la.IP) {
			return cfgs[i]
		}
		if (a.IP == nil || a.IP.IsUnspecified()) && !found {
			wild, found = cfgs[i], true
		}
	}
	return wild
}

// Handshake runs the server side of a TLS handshake on tc within d. A
// client that spoke plain HTTP gets Apache's 400 (PlainHTTPResponse) on
// the raw socket; the error is returned either way and the caller closes
// the connection.
func Handshake(tc *tls.Conn, d time.Duration, server string) error {
	return handshake(tc, d, server, nil)
}

// handshake is Handshake that reports a plain-HTTP client to hook.
func handshake(tc *tls.Conn, d time.Duration, server string, hook PlainHTTPFunc) error {
	tc.SetDeadline(time.Now().Add(d))
	err := tc.Handshake()
	if err == nil {
		tc.SetDeadline(time.Time{})
		return nil
	}
	var re tls.RecordHeaderError
	if errors.As(err, &re) && re.Conn != nil && LooksLikeHTTP(re.RecordHeader[:]) {
		re.Conn.SetWriteDeadline(time.Now().Add(d))
		resp := PlainHTTPResponse(server, time.Now())
		_, werr := re.Conn.Write(resp)
		if werr != nil {
			resp = nil
		}
		if hook != nil {
			hook(re.Conn.LocalAddr(), re.Conn.RemoteAddr(), resp)
		}
		if werr == nil {
			lingerClose(re.Conn)
		}
		return ErrPlainHTTP
	}
	return err
}

// ErrPlainHTTP is the handshake error of a client that spoke plain HTTP
// to a TLS port (it was answered with PlainHTTPResponse).
var ErrPlainHTTP = errors.New("tls: plain HTTP spoken on an HTTPS port")

// lingerClose half-closes conn and reads what the client still sends for
// up to two seconds, so the 400 is not lost to a reset.
func lingerClose(c net.Conn) {
	if tc, ok := c.(interface{ CloseWrite() error }); ok {
		tc.CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, io.LimitReader(c, 1<<20))
}

// LooksLikeHTTP reports whether a first TLS record header holds the
// start of a plain HTTP request: a method token (upper-case letters)
// followed by a space, or five upper-case letters.
func LooksLikeHTTP(hdr []byte) bool {
	if len(hdr) < 5 {
		return false
	}
	for i, b := range hdr[:5] {
		switch {
		case b >= 'A' && b <= 'Z':
		case b == ' ' && i >= 3:
			return true
		default:
			return false
		}
	}
	return true
}

// plainHTTPBody is Apache 2.4's answer to plain HTTP on an SSL port (2.4.71
// here, its HTML 4.01 doctype; compared with curl): the
// default 400 page with mod_ssl's error-notes (ssl_engine_kernel.c,
// ssl_hook_ReadReq; the request line is faked by ssl_engine_io.c).
const plainHTTPBody = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n" +
	"<html><head>\n" +
	"<title>400 Bad Request</title>\n" +
	"</head><body>\n" +
	"<h1>Bad Request</h1>\n" +
	"<p>Your browser sent a request that this server could not understand.<br />\n" +
	"Reason: You're speaking plain HTTP to an SSL-enabled server port.<br />\n" +
	" Instead use the HTTPS scheme to access this URL, please.<br />\n" +
	"</p>\n" +
	"</body></html>\n"

// PlainHTTPResponse is the whole response to plain HTTP on a TLS port,
// as Apache sends it (Connection: close).
func PlainHTTPResponse(server string, now time.Time) []byte {
	b := make([]byte, 0, 256+len(plainHTTPBody))
	b = append(b, "HTTP/1.1 400 Bad Request\r\nDate: "...)
	b = now.UTC().AppendFormat(b, http1Date)
	b = append(b, "\r\n"...)
	if server != "" {
		b = append(b, "Server: "...)
		b = append(b, server...)
		b = append(b, "\r\n"...)
	}
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, int64(len(plainHTTPBody)), 10)
	b = append(b, "\r\nConnection: close\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n"...)
	return append(b, plainHTTPBody...)
}

const http1Date = "Mon, 02 Jan 2006 15:04:05 GMT"

// ServeTLS serves tc, accepted on a TLS listener with cfg, for a
// connection-per-worker engine: it handshakes within
// deps.HandshakeDeadline (holding the caller, as Apache's worker holds
// its thread during SSL_accept), then serves the plaintext with
// deps.Server.ServeConn, and closes the connection.
func ServeTLS(deps ChildDeps, tc *Conn, cfg *tls.Config) {
	t := tls.Server(tc.Raw(), cfg) // Raw: with the bytes read past a PROXY v1 line
	name := ""
	if deps.Server != nil {
		name = deps.Server.Name
	}
	if err := handshake(t, deps.HandshakeDeadline(), name, deps.PlainHTTP); err != nil {
		if deps.Log != nil && !errors.Is(err, ErrPlainHTTP) {
			deps.Log.Debug("tls handshake failed", "client", tc.RemoteAddr().String(), "err", err)
		}
		tc.Close()
		return
	}
	cs := t.ConnectionState()
	deps.Server.ServeConn(&TLSConn{Conn: t, Plain: tc, Version: cs.Version, Cipher: cs.CipherSuite})
}
