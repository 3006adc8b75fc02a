package mpm

// The PROXY protocol (mod_remoteip's RemoteIPProxyProtocol) on the
// connection-per-worker engines (prefork, worker): the header is read
// right after accept, before TLS and HTTP, with a deadline; the client
// it names becomes the connection's RemoteAddr (ctx.RemoteAddr, Require
// ip, %a, the status page) while PeerAddr keeps the TCP peer (%{c}a).

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/internal/proxyproto"
)

// ppState is what the PROXY header of a connection said.
type ppState struct {
	client *net.TCPAddr
	rest   []byte // request bytes read past a v1 line, served first
	conn   *net.TCPConn
}

// Read serves the bytes read past the header, then the socket's.
func (p *ppState) Read(b []byte) (int, error) {
	if len(p.rest) > 0 {
		n := copy(b, p.rest)
		p.rest = p.rest[n:]
		return n, nil
	}
	return p.conn.Read(b)
}

// source is what Conn reads the request from.
func (c *Conn) source() io.Reader {
	if c.pp != nil && len(c.pp.rest) > 0 {
		return c.pp
	}
	if c.IO != nil {
		return c.IO
	}
	return c.TCPConn
}

// ReadProxyHeader reads the PROXY header of a connection just accepted
// when deps.ProxyProtocol expects one from its peer. false means the
// connection must be closed (the refusal is logged as Apache does).
func ReadProxyHeader(deps *ChildDeps, c *Conn) bool {
	o := deps.ProxyProtocol
	if o == nil {
		return true
	}
	h, rest, expected, err := proxyproto.ReadHeader(c.TCPConn, *o)
	if err != nil {
		LogProxyError(deps.Log, err, c.TCPConn.RemoteAddr().String())
		return false
	}
	if expected {
		peer := c.TCPConn.RemoteAddr().(*net.TCPAddr).AddrPort()
		c.pp = &ppState{client: net.TCPAddrFromAddrPort(h.Client(netip.AddrPortFrom(peer.Addr().Unmap(), peer.Port()))), rest: rest, conn: c.TCPConn}
	}
	return true
}

// LogProxyError logs a refused PROXY header as mod_remoteip does: an
// *proxyproto.Error with an AH code at level error with the client; no
// header at all, or an I/O error (EOF, the deadline), at debug.
func LogProxyError(log *slog.Logger, err error, client string) {
	if log == nil {
		return
	}
	var pe *proxyproto.Error
	if errors.As(err, &pe) && pe.Code != "" {
		log.Error(pe.Error(), "module", "remoteip", "client", client)
		return
	}
	log.Debug(err.Error(), "module", "remoteip", "client", client)
}

// RemoteAddr is the client: the PROXY header's when there was one.
func (c *Conn) RemoteAddr() net.Addr {
	if c.pp != nil {
		return c.pp.client
	}
	return c.TCPConn.RemoteAddr()
}

// PeerAddr is the TCP peer (%{c}a).
func (c *Conn) PeerAddr() net.Addr { return c.TCPConn.RemoteAddr() }

// ProxyProtocol reports that the connection started with a PROXY header
// (site/remoteip then ignores RemoteIPHeader, as Apache does).
func (c *Conn) ProxyProtocol() bool { return c.pp != nil }

// Raw is the socket for a TLS handshake: the TCP connection, with the
// bytes read past a v1 PROXY line served first.
func (c *Conn) Raw() net.Conn {
	if c.pp != nil && len(c.pp.rest) > 0 {
		return ppRaw{c.TCPConn, c.pp}
	}
	return c.TCPConn
}

// H2Raw is Raw for a connection that may go to HTTP/2: besides the bytes
// read past a v1 PROXY line, its RemoteAddr is the client the PROXY
// header named (the bridge takes each stream's client from it).
func (c *Conn) H2Raw() net.Conn {
	if c.pp != nil {
		return ppClient{ppRaw{c.TCPConn, c.pp}}
	}
	return c.TCPConn
}

type ppClient struct{ ppRaw }

func (r ppClient) RemoteAddr() net.Addr { return r.pp.client }

type ppRaw struct {
	*net.TCPConn
	pp *ppState
}

func (r ppRaw) Read(b []byte) (int, error) { return r.pp.Read(b) }

// RemoteAddr is the client: the PROXY header's when there was one.
func (c *TLSConn) RemoteAddr() net.Addr { return c.Plain.RemoteAddr() }

// PeerAddr is the TCP peer (%{c}a).
func (c *TLSConn) PeerAddr() net.Addr { return c.Plain.PeerAddr() }

// ProxyProtocol reports that the connection started with a PROXY header.
func (c *TLSConn) ProxyProtocol() bool { return c.Plain.ProxyProtocol() }

// SetClient replaces the client column of the request in progress, once
// mod_remoteip's RemoteIPHeader named another client than the peer
// (truncated as in BeginRequest). It does not allocate.
func (w *Worker) SetClient(client string) {
	seq := w.lock()
	storeString(w.client[:], client)
	w.unlock(seq)
}

// SetRequestClient puts the client the site found for the request in ctx
// (RemoteIPHeader) into its worker's client column; the engine wrote the
// peer's at the start of the request. Requests on other connections are
// ignored.
func SetRequestClient(ctx *fasthttp.RequestCtx, client string) {
	if wc, ok := ctx.Conn().(WorkerConn); ok {
		if w := wc.ScoreboardWorker(); w != nil {
			w.SetClient(client)
		}
	}
}
