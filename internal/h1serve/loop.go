package h1serve

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"time"

	"github.com/valyala/fasthttp"
)

// maxUnreadStreamBody is how much of a streamed request body the handler
// left unread the loop discards to reach the next request; past it the
// connection closes (fasthttp's maxUnreadStreamBodySize).
const maxUnreadStreamBody = 256 << 10

// Server is a fasthttp.Server's settings as the loop reads them, resolved
// once. It is immutable and safe for concurrent use.
type Server struct {
	srv        *fasthttp.Server
	logger     fasthttp.Logger
	maxBody    int
	serverName string
}

// Options are what an engine adds to a fasthttp.Server's settings.
type Options struct {
	// Logger is RequestCtx.Logger's; nil means srv.Logger, or fasthttp's
	// default logger.
	Logger fasthttp.Logger
	// DefaultName is the Server header when srv.Name is empty and
	// srv.NoDefaultServerHeader is not set; "" means fasthttp's default.
	DefaultName string
}

// New resolves srv's settings. srv must have a Handler and must not be
// changed afterwards.
func New(srv *fasthttp.Server, opt Options) *Server {
	s := &Server{srv: srv, logger: opt.Logger, maxBody: srv.MaxRequestBodySize}
	if s.logger == nil {
		s.logger = srv.Logger
	}
	if s.logger == nil {
		s.logger = stdLogger{}
	}
	if s.maxBody <= 0 {
		s.maxBody = fasthttp.DefaultMaxRequestBodySize
	}
	s.serverName = srv.Name
	if s.serverName == "" && !srv.NoDefaultServerHeader {
		s.serverName = opt.DefaultName
		if s.serverName == "" {
			s.serverName = "fasthttp"
		}
	}
	return s
}

// Settings returns the fasthttp.Server the loop reads.
func (s *Server) Settings() *fasthttp.Server { return s.srv }

// stdLogger is fasthttp's default logger (log.Printf); see logger.go.
type stdLogger struct{}

// Hooks are the engine's part in serving one request. An engine that needs
// none passes NoHooks.
//
// Threading: every hook runs on the goroutine that called Loop.Serve or
// Loop.WriteError, in the order below.
type Hooks interface {
	// Reading: the request's first byte is here.
	Reading()
	// Begin: the request was read (its head, and its body unless it is
	// streamed); the handler runs next.
	Begin(ctx *fasthttp.RequestCtx)
	// Writing: the handler is about to run.
	Writing()
	// KeepAlive reports whether the engine lets the connection stay open
	// after this response (false: it is stopping, keep-alive is off, the
	// handler closed the connection). Not asked for a hijack.
	KeepAlive() bool
	// Last: the response about to be written is the last one before the
	// loop waits for the client (the engine may finish writing it later).
	// Not called for a hijacked connection.
	Last(ctx *fasthttp.RequestCtx)
	// End: the response was written, or writing it failed (or, for a
	// hijack with HijackSetNoResponse, none is written).
	End(ctx *fasthttp.RequestCtx)
}

// NoHooks is the Hooks of an engine that needs none.
var NoHooks Hooks = noHooks{}

type noHooks struct{}

func (noHooks) Reading()                   {}
func (noHooks) Begin(*fasthttp.RequestCtx) {}
func (noHooks) Writing()                   {}
func (noHooks) KeepAlive() bool            { return true }
func (noHooks) Last(*fasthttp.RequestCtx)  {}
func (noHooks) End(*fasthttp.RequestCtx)   {}

// Result is what the loop did with one request and what the connection
// needs next.
type Result struct {
	// Close: the connection closes after this response (the response
	// said Connection: close, or an unread request body was too long to
	// skip). Err or Hijack set means it as well.
	Close bool
	// More: the connection stays open and the reader already holds bytes
	// of the next request (pipelining).
	More bool
	// Err is the read or write error that ended the connection, after an
	// error response was written if one could be; the connection should
	// be closed without a lingering close unless Answered.
	Err error
	// Answered: a response was written for Err (a request that could not be
	// read), so the connection ends with a lingering close.
	Answered bool
	// Hijack is the handler's HijackHandler: the engine must hand it the
	// connection (with the reader's buffered bytes in front, see
	// Loop.HijackReader), run it on its own goroutine and let go of the
	// connection. The ctx stays the handler's until it returns.
	Hijack fasthttp.HijackHandler
}

// Loop is one goroutine's state for serving requests: the RequestCtx it
// reuses and the buffered reader and writer over the connection. An engine
// points BR and BW at the connection before Serve.
//
// Threading: a Loop is used by one goroutine at a time.
type Loop struct {
	S   *Server
	Ctx *fasthttp.RequestCtx
	BR  *bufio.Reader
	BW  *bufio.Writer
	// WriteTimeout, when positive, is set as the connection's write
	// deadline before each response (fasthttp.Server.WriteTimeout; the
	// event engine bounds each wait by its Timeout instead).
	WriteTimeout time.Duration
	// OnPanic, if set, makes a handler panic an answer: it is called with
	// the panic value, the client gets a 500 and the connection closes.
	// Nil lets the panic through, as fasthttp.Server does.
	OnPanic func(v any)
}

// Serve reads one request from l.BR (whose first byte is buffered or
// arriving), answers it through l.BW and reports what comes next. n is the
// request's number on the connection, 1 for the first. c is the
// connection BR and BW read and write (RequestCtx.Conn, deadlines).
//
// On return the ctx still holds the request and response; the engine
// calls ResetCtx (or keeps the ctx, as the event engine does when the
// rest of a response body is written later, or for a hijack).
func (l *Loop) Serve(c net.Conn, n uint64, h Hooks) Result {
	s, srv, ctx, br, bw := l.S, l.S.srv, l.Ctx, l.BR, l.BW
	h.Reading()
	ctx.Init2(c, s.logger, srv.ReduceMemoryUsage)
	if srv.DisableHeaderNamesNormalizing {
		ctx.Request.Header.DisableNormalizing()
		ctx.Response.Header.DisableNormalizing()
	}
	ctx.Response.Header.SetNoDefaultContentType(srv.NoDefaultContentType)

	// The request's first byte is here: ReadTimeout bounds the rest of its
	// head (fasthttp's semantics: the site sets it to RequestReadTimeout's
	// header stage).
	var dl time.Time
	if srv.ReadTimeout > 0 {
		dl = ctx.Time().Add(srv.ReadTimeout) // Init2 has just read the clock
	}
	c.SetReadDeadline(dl)
	maxBody := s.maxBody
	writeTimeout := l.WriteTimeout
	err := ctx.Request.Header.Read(br)
	if err == nil && srv.HeaderReceived != nil {
		// The body gets its own deadline and limit (mod_reqtimeout's body
		// stage, LimitRequestBody), as under fasthttp.Server.
		rc := srv.HeaderReceived(&ctx.Request.Header)
		if rc.ReadTimeout > 0 {
			c.SetReadDeadline(time.Now().Add(rc.ReadTimeout))
		}
		if rc.MaxRequestBodySize > 0 {
			maxBody = rc.MaxRequestBodySize
		}
		if rc.WriteTimeout > 0 && writeTimeout > 0 {
			writeTimeout = rc.WriteTimeout
		}
	}
	if err == nil && srv.GetOnly && !ctx.IsGet() && !ctx.IsHead() {
		err = fasthttp.ErrGetOnly
	}
	if err == nil && !ctx.Request.MayContinue() {
		err = l.readBody(maxBody)
	}
	if err != nil {
		return l.fail(c, err, h)
	}
	h.Begin(ctx)

	closeConn, handle := false, true
	if ctx.Request.MayContinue() {
		switch {
		case srv.ExpectHandler != nil:
			if st := srv.ExpectHandler(ctx); st != fasthttp.StatusContinue {
				handle, closeConn = false, true
				ctx.SetStatusCode(st)
			}
		case srv.ContinueHandler != nil:
			if !srv.ContinueHandler(&ctx.Request.Header) {
				handle, closeConn = false, true
				ctx.SetStatusCode(fasthttp.StatusExpectationFailed)
			}
		}
		if handle {
			_, err := bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
			if err == nil {
				err = bw.Flush()
			}
			if err == nil {
				err = l.readBody(maxBody)
			}
			if err != nil {
				return l.fail(c, err, h)
			}
		}
	}
	closeConn = closeConn || ctx.Request.Header.ConnectionClose()
	http11 := ctx.Request.Header.IsHTTP11()
	// The handler may read the streamed body, or not; the loop skips what
	// it left.
	stream := ctx.Request.BodyStream()

	h.Writing()
	if handle && l.callHandler(ctx) {
		closeConn = true
	}
	if ctx.IsHead() {
		ctx.Response.SkipBody = true
	}
	hijack, noResponse := takeHijack(ctx)
	if s.serverName != "" && len(ctx.Response.Header.Server()) == 0 {
		ctx.Response.Header.SetServer(s.serverName)
	}
	closeConn = closeConn || ctx.Response.ConnectionClose()
	if hijack == nil {
		// DisableKeepalive, MaxRequestsPerConn and the engine's vetoes end
		// the connection's use for requests, which a hijack does as well:
		// a 101 must not say Connection: close because keep-alive is off.
		closeConn = closeConn || srv.DisableKeepalive || !h.KeepAlive() ||
			(srv.MaxRequestsPerConn > 0 && n >= uint64(srv.MaxRequestsPerConn))
	}
	// What the handler left of a streamed body is skipped before the
	// response, unless the response streams (it may still read it).
	skipped := stream == nil || hijack != nil
	if !skipped && !closeConn && !ctx.Response.IsBodyStream() {
		skipped = true
		closeConn = !discard(stream)
	}
	if closeConn {
		ctx.Response.SetConnectionClose()
	} else if !http11 {
		ctx.Response.Header.Set(fasthttp.HeaderConnection, "keep-alive")
	}
	if writeTimeout > 0 {
		c.SetWriteDeadline(time.Now().Add(writeTimeout))
	}

	if hijack == nil || !noResponse {
		last := closeConn || (skipped && br.Buffered() == 0)
		if last && hijack == nil {
			h.Last(ctx)
		}
		err = ctx.Response.Write(bw)
		if err == nil && (last || hijack != nil || !skipped) {
			err = bw.Flush()
		}
		h.End(ctx)
		if err != nil {
			return Result{Close: true, Err: err}
		}
	}
	if !skipped && !closeConn && !discard(stream) {
		closeConn = true
	}
	if hijack != nil && noResponse {
		h.End(ctx)
	}
	if hijack != nil {
		c.SetDeadline(time.Time{})
		return Result{Close: true, Hijack: hijack}
	}
	return Result{Close: closeConn, More: !closeConn && br.Buffered() > 0}
}

// readBody reads the request body whole, or starts streaming it.
func (l *Loop) readBody(maxBody int) error {
	srv := l.S.srv
	if srv.StreamRequestBody {
		return l.Ctx.Request.ContinueReadBodyStream(l.BR, maxBody, !srv.DisablePreParseMultipartForm)
	}
	return l.Ctx.Request.ContinueReadBody(l.BR, maxBody, !srv.DisablePreParseMultipartForm)
}

// discard reads what is left of a streamed body, up to
// maxUnreadStreamBody, and reports whether it reached its end.
func discard(r io.Reader) bool {
	_, err := io.CopyN(io.Discard, r, maxUnreadStreamBody+1)
	return err == io.EOF
}

// fail answers a request that could not be read.
func (l *Loop) fail(c net.Conn, err error, h Hooks) Result {
	if werr := l.WriteError(err, h); werr != nil {
		return Result{Close: true, Err: werr}
	}
	return Result{Close: true, Err: err, Answered: true}
}

// WriteError answers a request that could not be read (err is why: a
// timeout, a too large head or body, a malformed request) through the
// server's ErrorHandler, with Connection: close, and flushes. It returns
// the write's error.
func (l *Loop) WriteError(err error, h Hooks) error {
	s, ctx := l.S, l.Ctx
	h.Writing()
	eh := s.srv.ErrorHandler
	if eh == nil {
		eh = DefaultErrorHandler
	}
	eh(ctx, err)
	if s.serverName != "" && len(ctx.Response.Header.Server()) == 0 {
		ctx.Response.Header.SetServer(s.serverName)
	}
	ctx.SetConnectionClose()
	err = ctx.Response.Write(l.BW)
	if err == nil {
		err = l.BW.Flush()
	}
	h.End(ctx)
	return err
}

// callHandler runs the handler; with OnPanic, a panic is reported and
// answered with 500, and the connection then closes.
func (l *Loop) callHandler(ctx *fasthttp.RequestCtx) (panicked bool) {
	if l.OnPanic != nil {
		defer func() {
			if r := recover(); r != nil {
				panicked = true
				l.OnPanic(r)
				ctx.Response.Reset()
				ctx.Error(fasthttp.StatusMessage(fasthttp.StatusInternalServerError), fasthttp.StatusInternalServerError)
			}
		}()
	}
	l.S.srv.Handler(ctx)
	return false
}

// ResetCtx readies the Loop's RequestCtx for the next request.
func (l *Loop) ResetCtx() {
	ResetCtx(l.Ctx)
}

// ResetCtx clears ctx's request, response and user values.
func ResetCtx(ctx *fasthttp.RequestCtx) {
	ctx.Request.Reset()
	ctx.Response.Reset()
	ctx.ResetUserValues()
}

// HijackReader returns what a hijacked connection's handler reads: the
// bytes l.BR already holds, then r (the connection). The bytes are copied,
// so BR may be reused at once.
//
// Bytes the client sent right behind the hijacking request reach BR
// through the engine's h1.Validator; those it refused as HTTP are not in
// BR and are lost, as under fasthttp.Server with the same Validator.
// Clients of upgrades and CONNECT tunnels wait for the response first.
func (l *Loop) HijackReader(r io.Reader) io.Reader {
	n := l.BR.Buffered()
	if n == 0 {
		return r
	}
	b, _ := l.BR.Peek(n)
	return io.MultiReader(&onceReader{b: append([]byte(nil), b...)}, r)
}

// onceReader reads b once.
type onceReader struct{ b []byte }

func (r *onceReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

// ErrNothingRead is the error a new connection that sent nothing in time
// is answered with: a timeout, as fasthttp.Server reports it for a first
// request.
var ErrNothingRead error = &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}

// DefaultErrorHandler is fasthttp's, finding timeouts and small buffers
// through wrapping.
func DefaultErrorHandler(ctx *fasthttp.RequestCtx, err error) {
	var small *fasthttp.ErrSmallBuffer
	var ne net.Error
	switch {
	case errors.As(err, &small):
		ctx.Error("Too big request header", fasthttp.StatusRequestHeaderFieldsTooLarge)
	case errors.As(err, &ne) && ne.Timeout():
		ctx.Error("Request timeout", fasthttp.StatusRequestTimeout)
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		ctx.Error("Request Entity Too Large", fasthttp.StatusRequestEntityTooLarge)
	default:
		ctx.Error("Error when parsing request", fasthttp.StatusBadRequest)
	}
}
