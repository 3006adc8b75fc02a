package mpm

import (
	"net"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/internal/h1"
)

// Conn is an accepted connection bound to the scoreboard slot of the
// worker that owns it. The connection-per-worker engines (prefork,
// worker) hand it to fasthttp.Server.ServeConn, and Track's hooks find
// the slot through it. Embedding *net.TCPConn keeps ReadFrom, so file
// bodies still go out with sendfile.
//
// With a Validator, what fasthttp reads goes through it: a request that
// breaks HttpProtocolOptions never reaches fasthttp whole, and the site
// finds the violation and the raw request line through RequestLine and
// ProtocolError.
type Conn struct {
	*net.TCPConn
	Worker    *Worker
	Validator *h1.Validator
	pp        *ppState // the PROXY header's client (proxyproto.go), nil without
	fileHead  bool     // the next write is the head of a file response (filehead.go)

	// IO, if set, makes the socket's reads and writes of the request and
	// response bytes (not TLS handshakes, PROXY headers or file bodies):
	// prefork's system calls that leave the Go runtime's monitor asleep
	// (mpm/prefork/rawio_linux.go). nil: the TCPConn's.
	IO ReadWriter
}

var _ ProtocolConn = (*Conn)(nil)

// Read reads from the socket through the Validator, if any.
func (c *Conn) Read(p []byte) (int, error) {
	if c.Validator == nil {
		return c.source().Read(p)
	}
	return c.Validator.Read(c.source(), p)
}

// Write writes p to the socket; an HTTP/0.9 client gets the response
// without its head (h1.Validator.Strip09).
func (c *Conn) Write(p []byte) (int, error) {
	if c.Validator != nil && c.Validator.HTTP09() {
		if _, err := c.sockWrite(c.Validator.Strip09(p)); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if c.fileHead {
		return c.writeHead(p) // filehead.go
	}
	return c.sockWrite(p)
}

// HTTP09 reports whether the connection carries an HTTP/0.9 request.
func (c *Conn) HTTP09() bool { return c.Validator != nil && c.Validator.HTTP09() }

// RequestLine returns the raw request line of the request being read, or
// nil.
func (c *Conn) RequestLine() []byte {
	if c.Validator == nil {
		return nil
	}
	return c.Validator.RequestLine()
}

// ProtocolError returns the violation that ended the connection's input,
// an *h1.Error, or nil.
func (c *Conn) ProtocolError() error {
	if c.Validator == nil {
		return nil
	}
	return c.Validator.Err()
}

// Track makes srv keep the scoreboard of the worker that owns each
// connection: 'R' from the first byte of a request, 'W' while the handler
// runs (with the client, vhost and request line), 'K' while waiting for
// the next request on a kept-alive connection. The engine itself sets
// '_' when the worker waits for a new connection. Connections that are
// not a *Conn are served untracked.
func Track(srv *fasthttp.Server, vhost string) {
	h := srv.Handler
	srv.ConnState = func(c net.Conn, s fasthttp.ConnState) {
		tc, ok := c.(slotConn)
		if !ok {
			return
		}
		switch s {
		case fasthttp.StateActive:
			tc.slot().SetState(StateBusyRead)
		case fasthttp.StateIdle:
			tc.slot().SetState(StateBusyKeepAlive)
		case fasthttp.StateClosed:
			tc.slot().SetState(StateClosing)
		}
	}
	srv.Handler = func(ctx *fasthttp.RequestCtx) {
		tc, ok := ctx.Conn().(slotConn)
		if !ok {
			h(ctx)
			return
		}
		w := tc.slot()
		w.BeginRequest(time.Now(), clientIP(ctx), vhost, requestLine(ctx))
		w.SetTLS(connTLS(tc))
		w.SetState(StateBusyWrite)
		h(ctx)
		detachHijacked(ctx)
		markFileHead(ctx) // filehead.go
		w.EndRequest(time.Now(), responseBytes(ctx))
	}
}

// slotConn is a connection bound to a scoreboard slot: *Conn, *TLSConn.
type slotConn interface{ slot() *Worker }

// clientIP is the peer's address without the port.
func clientIP(ctx *fasthttp.RequestCtx) string {
	if a, ok := ctx.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	return ctx.RemoteAddr().String()
}

// requestLine rebuilds the request line for the scoreboard.
func requestLine(ctx *fasthttp.RequestCtx) string {
	return string(ctx.Method()) + " " + string(ctx.RequestURI()) + " " + string(ctx.Request.Header.Protocol())
}

// responseBytes is the size of the body about to be sent (0 for HEAD).
func responseBytes(ctx *fasthttp.RequestCtx) int64 {
	if ctx.IsHead() {
		return 0
	}
	if n := ctx.Response.Header.ContentLength(); n >= 0 {
		return int64(n)
	}
	if ctx.Response.IsBodyStream() { // Body() would read the stream whole (a proxied response)
		return 0
	}
	return int64(len(ctx.Response.Body()))
}

// WorkerConn is a connection that knows the scoreboard slot of the
// worker serving it (*Conn does; an engine's own connection type may).
type WorkerConn interface {
	ScoreboardWorker() *Worker
}

// ScoreboardWorker is the worker slot that owns the connection.
func (c *Conn) ScoreboardWorker() *Worker { return c.Worker }

// SetRequestVHost puts the server the handler selected for the request in
// ctx into its worker's vhost column ("server_hostname:port", Apache's
// per-request scoreboard vhost); the engine wrote the main server's at
// the start of the request. Requests on other connections are ignored.
func SetRequestVHost(ctx *fasthttp.RequestCtx, vhost string) {
	if hc := h2ConnOf(ctx); hc != nil { // an HTTP/2 stream (h2.go)
		hc.setVHost(vhost)
		return
	}
	if wc, ok := ctx.Conn().(WorkerConn); ok {
		if w := wc.ScoreboardWorker(); w != nil {
			w.SetVHost(vhost)
		}
	}
}

// VHost is the scoreboard's vhost column: "name:port".
func VHost(serverName string, port int) string {
	return serverName + ":" + strconv.Itoa(port)
}
