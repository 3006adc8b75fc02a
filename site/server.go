package site

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/internal/h1"
	"github.com/gohttpd/gohttpd/site/accesslog"
	"github.com/gohttpd/gohttpd/site/logescape"
	"github.com/gohttpd/gohttpd/site/vhost"
)

// serverName is the Server header gohttpd sends.
const serverName = "gohttpd"

// NewServer returns a fasthttp.Server for the Site's configuration. The
// engines call ServeConn on it; -X mode calls Serve.
//
//   - Handler is Site.Handler; ErrorHandler answers requests fasthttp could
//     not read with Apache's status codes and pages (Site.handleError).
//   - ReadTimeout is the RequestReadTimeout header stage's timeout, or
//     Timeout where that stage is off; it runs from the connection's
//     opening for the first request and from the first byte for later
//     ones. The body gets the body stage (see headerReceived).
//     WriteTimeout is Timeout.
//   - IdleTimeout is KeepAliveTimeout; DisableKeepalive is set when
//     conf's KeepAliveOn is false (KeepAlive Off or KeepAliveTimeout 0),
//     the decision the event engine's parking follows too (its
//     KeepAliveTimeout is conf's ParkTimeout). MaxRequestsPerConn stays 0:
//     MaxKeepAliveRequests is applied by the handler, as Apache does.
//   - ReadBufferSize holds LimitRequestLine plus LimitRequestFieldSize plus
//     4 KiB (see limits.readBufferSize); MaxRequestBodySize is
//     LimitRequestBody (unlimited when 0).
//   - Concurrency is MaxRequestWorkers (fasthttp's default when 0).
//   - Multipart forms are not pre-parsed: no handler here reads them.
//   - SecureErrorLogMessage must stay false: handleError reads the start of
//     an oversized header from fasthttp's error message.
func (s *Site) NewServer() *fasthttp.Server {
	h := &s.cfg.HTTP
	readTimeout := h.Timeout
	if st := h.RequestReadTimeout.Header; st.Timeout > 0 {
		readTimeout = st.Timeout
	}
	srv := &fasthttp.Server{
		Handler:                      s.Handler(),
		ErrorHandler:                 s.handleError,
		HeaderReceived:               s.headerReceived,
		Name:                         s.serverBanner(),
		ReadTimeout:                  readTimeout,
		WriteTimeout:                 h.Timeout,
		IdleTimeout:                  h.KeepAliveTimeout,
		DisableKeepalive:             !h.KeepAliveOn(),
		ReadBufferSize:               s.lim.readBufferSize(),
		MaxRequestBodySize:           s.lim.maxBody(),
		Concurrency:                  s.cfg.Engine.MaxRequestWorkers,
		DisablePreParseMultipartForm: true,
		Logger:                       fasthttpLogger{s.log},
	}
	if s.lim.body > 0 {
		srv.ExpectHandler = s.expect
	}
	if s.usesProxy() {
		srv.StreamRequestBody = true // uploads go to the backend as they arrive
	}
	return srv
}

// headerReceived sets the read deadline for a request body from the
// RequestReadTimeout body stage: its timeout, plus the time the body takes
// at MinRate (mod_reqtimeout extends the deadline by that much as data
// arrives), capped at its maximum. With the stage off, Timeout applies.
// A chunked body of unknown size gets the larger of the stage's timeout and
// Timeout. Requests without a body keep their deadline.
func (s *Site) headerReceived(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	cl := h.ContentLength()
	if cl == 0 || cl == -2 {
		return fasthttp.RequestConfig{}
	}
	return fasthttp.RequestConfig{ReadTimeout: s.bodyTimeout(int64(cl))}
}

func (s *Site) bodyTimeout(contentLength int64) time.Duration {
	h := &s.cfg.HTTP
	st := h.RequestReadTimeout.Body
	if st.Timeout <= 0 {
		return h.Timeout
	}
	d := st.Timeout
	switch {
	case contentLength > 0 && st.MinRate > 0:
		d += time.Duration(float64(contentLength) / float64(st.MinRate) * float64(time.Second))
	case contentLength < 0:
		d = max(d, h.Timeout)
	}
	if st.MaxTimeout > 0 && d > st.MaxTimeout {
		d = st.MaxTimeout
	}
	return d
}

// expect refuses "Expect: 100-continue" requests whose Content-Length
// exceeds LimitRequestBody with 413 before the client sends the body, as
// Apache does (it checks the limit before sending 100 Continue). fasthttp
// then answers with an empty 413 and closes the connection; the handler and
// the access log do not see that request.
func (s *Site) expect(ctx *fasthttp.RequestCtx) int {
	if cl := ctx.Request.Header.ContentLength(); cl > 0 && int64(cl) > s.lim.body {
		return fasthttp.StatusRequestEntityTooLarge
	}
	return fasthttp.StatusContinue
}

// handleError is fasthttp's ErrorHandler: it answers a request fasthttp
// could not read with Apache's status and page, and logs it to the access
// log. fasthttp then closes the connection.
//
//   - a read timeout (nothing, or part of a request, within ReadTimeout): 408;
//   - a body over LimitRequestBody (Content-Length, or chunked data as it
//     arrives): 413, without reading a declared body;
//   - a header block larger than the read buffer: fasthttp's own answer
//     would be 431, and all it reports is the first 200 bytes of the
//     buffer. When the request line does not end within them it is taken to
//     be the culprit (414); else a header field is (400 with Apache's
//     field-size note). A request line of 200 bytes to LimitRequestLine
//     followed by an oversized field is thus answered 414 where Apache
//     answers 400.
//   - anything else: 400.
//
// A violation of HttpProtocolOptions found by the engine's h1.Validator
// (through ctx.Conn(), see protocolConn, or wrapped in err) takes
// precedence: it carries its own status (400, 414, 501, 505). The access
// log gets the request line as received (escaped), or "-" when none came,
// not the defaults of the empty request fasthttp leaves in ctx.
func (s *Site) handleError(ctx *fasthttp.RequestCtx, err error) {
	start := time.Now()
	pc, _ := ctx.Conn().(protocolConn)
	var line []byte
	if pc != nil {
		line = pc.RequestLine()
	}
	var status int
	var note, msg string
	if pe := protocolError(pc, err); pe != nil {
		status, msg = pe.Status, "request failed: "+pe.Reason
		switch pe {
		case h1.ErrFieldTooLong:
			note = noteFieldSize
		case h1.ErrTooManyFields:
			note = noteFields
		}
		if status == fasthttp.StatusNotImplemented {
			// Apache's 501 page names the method.
			if m, _, ok := bytes.Cut(line, []byte{' '}); ok {
				ctx.Request.Header.SetMethodBytes(m)
			}
		}
	} else {
		status, note = classifyError(err)
		msg = "request failed: error reading the headers"
		switch status {
		case fasthttp.StatusRequestTimeout:
			msg = "AH01382: Request header read timeout"
		case fasthttp.StatusRequestEntityTooLarge:
			msg = "request body exceeds LimitRequestBody"
		case fasthttp.StatusRequestURITooLong:
			msg = fmt.Sprintf("AH00565: request failed: URI too long (longer than %d)", s.lim.line)
		}
	}
	access := s.access
	if s.table != nil {
		// The connection's default server answers (its error page and
		// signature, as Apache's r->server) and Apache logs the request
		// in its logs.
		var m vhost.Match
		local, _, _ := vhost.FromRequestCtx(ctx)
		s.table.Select(&m, local, nil, false)
		v := s.servers[m.Server]
		accesslog.SetServer(ctx, v)
		access = v.access
	}
	s.sendError(ctx, status, note)
	ctx.SetConnectionClose()
	s.log.Info(msg, client(ctx), slog.String("request", logLine(line)), slog.String("err", err.Error()))
	if access != nil {
		accesslog.SetRawRequest(ctx, line)
		access.Log(ctx, start)
	}
}

// maxLoggedLine caps the request line quoted in the error log (the
// access log has it whole).
const maxLoggedLine = 256

// logLine is the raw request line for the error log: escaped, cut at
// maxLoggedLine bytes, "-" when none came.
func logLine(line []byte) string {
	if len(line) == 0 {
		return "-"
	}
	if len(line) > maxLoggedLine {
		return logescape.String(string(line[:maxLoggedLine])) + "..."
	}
	return logescape.String(string(line))
}

// protocolConn is what the site needs from a connection an engine reads
// through an h1.Validator (mpm.Conn, the event engine's shim): the raw
// request line of the request being read and the violation, if any.
type protocolConn interface {
	RequestLine() []byte
	ProtocolError() error
}

// protocolError returns the HttpProtocolOptions violation behind a read
// error: one wrapped in err (fasthttp wraps header read errors with %w),
// else the connection's, unless err is one classifyError knows (a
// timeout, a body over LimitRequestBody, a header over the buffer: those
// are about the request fasthttp was reading, while the Validator may
// already have refused a later, pipelined one). Body read errors (chunk
// sizes, trailers) do not always wrap what the reader returned.
func protocolError(pc protocolConn, err error) *h1.Error {
	var pe *h1.Error
	if errors.As(err, &pe) {
		return pe
	}
	if pc == nil {
		return nil
	}
	if status, note := classifyError(err); status != fasthttp.StatusBadRequest || note != "" {
		return nil
	}
	if e := pc.ProtocolError(); e != nil && errors.As(e, &pe) {
		return pe
	}
	return nil
}

func classifyError(err error) (status int, note string) {
	var small *fasthttp.ErrSmallBuffer
	var ne net.Error
	switch {
	case errors.As(err, &small):
		if requestLineIncomplete(err.Error()) {
			return fasthttp.StatusRequestURITooLong, ""
		}
		return fasthttp.StatusBadRequest, noteFieldSize
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		return fasthttp.StatusRequestEntityTooLarge, ""
	case errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fasthttp.StatusRequestTimeout, ""
	}
	return fasthttp.StatusBadRequest, ""
}

// requestLineIncomplete looks at the start of the buffer that fasthttp
// quotes in its ErrSmallBuffer message ("..., contents: "<first 200
// bytes>"..."), which is all it says about the header it could not hold,
// and reports whether the request line had not ended there.
func requestLineIncomplete(msg string) bool {
	const marker = "contents: "
	i := strings.Index(msg, marker)
	if i < 0 {
		return false
	}
	quoted, err := strconv.QuotedPrefix(msg[i+len(marker):])
	if err != nil {
		return false
	}
	head, err := strconv.Unquote(quoted)
	if err != nil {
		return false
	}
	return !strings.Contains(head, "\n")
}

// panicked answers 500 for a handler that panicked, closes the connection
// and logs the panic with its stack.
func (s *Site) panicked(ctx *fasthttp.RequestCtx, v any) {
	s.log.Error(fmt.Sprintf("panic serving %q: %v", ctx.RequestURI(), v), client(ctx),
		slog.String("stack", string(debug.Stack())))
	s.sendError(ctx, fasthttp.StatusInternalServerError, "")
	ctx.SetConnectionClose()
}

// fasthttpLogger passes fasthttp's own messages (broken connections, files
// FS could not open, ...) to the error log at debug level.
type fasthttpLogger struct{ l *slog.Logger }

func (f fasthttpLogger) Printf(format string, args ...any) {
	if f.l.Enabled(context.Background(), slog.LevelDebug) {
		f.l.Debug(fmt.Sprintf(format, args...), slog.String("module", "fasthttp"))
	}
}
