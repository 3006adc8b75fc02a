package h2bridge

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"

	"github.com/valyala/fasthttp"
)

// connState is the http.Handler of one connection: it turns each stream's
// http.Request into the fasthttp.RequestCtx the site chain expects.
type connState struct {
	b       *Bridge
	sc      net.Conn // ctx.Conn() of every stream
	streams atomic.Int64
	serial  chan struct{} // OneStreamAtATime: a token per running handler
}

var discardLogger = log.New(io.Discard, "", 0)

func newConnState(b *Bridge, c net.Conn) *connState {
	cs := &connState{b: b, sc: newStreamConn(c)}
	if b.opts.OneStreamAtATime {
		cs.serial = make(chan struct{}, 1)
	}
	return cs
}

const protoHTTP2 = "HTTP/2.0"

func (cs *connState) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b := cs.b
	if max := b.opts.MaxStreamsPerConn; max > 0 && cs.streams.Add(1) >= int64(max) {
		// x/net takes "Connection: close" on a response as "GOAWAY once
		// idle" and removes the header from the wire. (Disabling the base
		// server's keep-alives does nothing outside net/http's bundled
		// copy: x/net cannot see http.Server.doKeepAlives.)
		w.Header()["Connection"] = []string{"close"}
	}
	if cs.serial != nil {
		select {
		case cs.serial <- struct{}{}:
		case <-r.Context().Done():
			return // the client reset the stream while it waited
		}
		defer func() { <-cs.serial }()
	}
	ctx := b.ctxPool.Get().(*fasthttp.RequestCtx)
	var lg fasthttp.Logger = discardLogger
	if b.opts.Logger != nil {
		lg = b.opts.Logger
	}
	ctx.Init2(cs.sc, lg, false)
	if b.opts.StreamStart != nil {
		b.opts.StreamStart(ctx)
	}
	if status := b.fillRequest(&ctx.Request, r); status == statusReset {
		b.streamDone(ctx)
		b.release(ctx)
		// x/net answers RST_STREAM (INTERNAL_ERROR; Apache sends
		// ENHANCE_YOUR_CALM, which a handler cannot choose).
		panic(http.ErrAbortHandler)
	} else if status != 0 {
		errorResponse(&ctx.Response, status)
	} else {
		b.handler(ctx)
		if ctx.Hijacked() {
			// No HTTP/2 connection can be handed to a hijack handler.
			ctx.Response.Reset()
			errorResponse(&ctx.Response, fasthttp.StatusInternalServerError)
		}
	}
	b.writeResponse(w, r, &ctx.Response)
	b.streamDone(ctx)
	b.release(ctx)
}

// streamDone calls Options.StreamDone, if any.
func (b *Bridge) streamDone(ctx *fasthttp.RequestCtx) {
	if b.opts.StreamDone != nil {
		b.opts.StreamDone(ctx)
	}
}

// release resets what fasthttp's own server loop resets between requests
// (the parts reachable through the public API) and pools ctx.
func (b *Bridge) release(ctx *fasthttp.RequestCtx) {
	ctx.Request.Reset()
	ctx.Response.Reset()
	ctx.ResetUserValues()
	ctx.Hijack(nil)
	ctx.HijackSetNoResponse(false)
	b.ctxPool.Put(ctx)
}

// statusReset asks ServeHTTP to reset the stream instead of answering.
const statusReset = -1

// fillRequest copies r into req and applies the LimitRequest* checks; a
// non-zero result is the status to answer instead of running the handler.
// The statuses are Apache 2.4.71 mod_http2's, observed on h2c
// (testdata/apache/run.sh): 431 for a field longer than
// LimitRequestFieldSize or more fields than LimitRequestFields, a stream
// reset for more than twice LimitRequestFields, 414 past LimitRequestLine.
// A body over LimitRequestBody gets 413, as Apache on HTTP/1.1 (mod_http2
// let a 101-byte POST to a static file through with LimitRequestBody 100:
// a deliberate difference, since the limit protects the server).
func (b *Bridge) fillRequest(req *fasthttp.Request, r *http.Request) int {
	o := &b.opts
	if o.MaxRequestLine > 0 && len(r.Method)+1+len(r.RequestURI)+1+len(protoHTTP2) > o.MaxRequestLine {
		return fasthttp.StatusRequestURITooLong
	}
	h := &req.Header
	h.SetMethod(r.Method)
	uri := r.RequestURI
	if uri == "" && r.URL != nil {
		uri = r.URL.RequestURI()
	}
	h.SetRequestURI(uri)
	h.SetProtocol(protoHTTP2)
	h.SetHost(r.Host)
	fields := 0
	for k, vs := range r.Header {
		for _, v := range vs {
			fields++
			if o.MaxRequestFieldSize > 0 && len(k)+2+len(v) > o.MaxRequestFieldSize {
				return fasthttp.StatusRequestHeaderFieldsTooLarge
			}
			h.Add(k, v)
		}
	}
	if o.MaxRequestFields > 0 && fields > o.MaxRequestFields {
		if fields > 2*o.MaxRequestFields {
			return statusReset
		}
		return fasthttp.StatusRequestHeaderFieldsTooLarge
	}
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return 0
	}
	max := o.MaxRequestBodySize
	if max > 0 && r.ContentLength > max {
		return fasthttp.StatusRequestEntityTooLarge
	}
	if o.StreamRequestBody {
		var body io.Reader = r.Body
		if max > 0 {
			body = &limitReader{r: r.Body, n: max}
		}
		req.SetBodyStream(body, int(r.ContentLength))
		return 0
	}
	var body io.Reader = r.Body
	if max > 0 {
		body = io.LimitReader(r.Body, max+1)
	}
	bb := req.BodyWriter()
	n, err := io.Copy(bb, body)
	if err != nil {
		return fasthttp.StatusBadRequest
	}
	if max > 0 && n > max {
		return fasthttp.StatusRequestEntityTooLarge
	}
	// A body sent without content-length (legal in HTTP/2) is now known.
	h.SetContentLength(int(n))
	return 0
}

// errBodyTooLarge is what a streamed body returns past LimitRequestBody.
var errBodyTooLarge = errors.New("h2bridge: request body larger than LimitRequestBody")

type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errBodyTooLarge
	}
	return n, err
}

// errorResponse is a minimal Apache-style error page; the site's error
// documents do not see limits applied before the chain runs.
func errorResponse(resp *fasthttp.Response, status int) {
	resp.SetStatusCode(status)
	resp.Header.SetContentType("text/html; charset=iso-8859-1")
	reason := fasthttp.StatusMessage(status)
	resp.SetBodyString(fmt.Sprintf("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>%d %s</title>\n</head><body>\n<h1>%s</h1>\n</body></html>\n", status, reason, reason))
}

// hopByHop reports whether a response header is connection-specific and so
// forbidden in HTTP/2 (RFC 9113 §8.2.2); x/net would refuse or drop some.
func hopByHop(k []byte) bool {
	switch len(k) {
	case 2:
		return bytes.EqualFold(k, []byte("te"))
	case 7:
		return bytes.EqualFold(k, []byte("upgrade"))
	case 10:
		return bytes.EqualFold(k, []byte("connection")) || bytes.EqualFold(k, []byte("keep-alive"))
	case 16:
		return bytes.EqualFold(k, []byte("proxy-connection"))
	case 17:
		return bytes.EqualFold(k, []byte("transfer-encoding"))
	}
	return false
}

func bodyAllowed(status int) bool {
	return status >= 200 && status != 204 && status != 304
}

func (b *Bridge) writeResponse(w http.ResponseWriter, r *http.Request, resp *fasthttp.Response) {
	status := resp.StatusCode()
	if status < 200 {
		status = fasthttp.StatusOK
	}
	hdr := w.Header()
	for k, v := range resp.Header.All() {
		if hopByHop(k) || bytes.EqualFold(k, []byte("content-length")) {
			continue
		}
		ks := string(k)
		hdr[ks] = append(hdr[ks], string(v))
	}
	if _, ok := hdr["Content-Type"]; !ok {
		// Present but empty: stops x/net from sniffing a type the
		// handler chose not to send.
		hdr["Content-Type"] = nil
	}
	head := r.Method == http.MethodHead
	allowed := bodyAllowed(status) && !resp.SkipBody
	if !resp.IsBodyStream() {
		body := resp.Body()
		cl := len(body)
		if head && cl == 0 && resp.Header.ContentLength() > 0 {
			cl = resp.Header.ContentLength()
		}
		if allowed {
			hdr["Content-Length"] = []string{strconv.Itoa(cl)}
		}
		w.WriteHeader(status)
		if allowed && !head && len(body) > 0 {
			_, _ = w.Write(body)
		}
		return
	}
	defer resp.CloseBodyStream()
	cl := resp.Header.ContentLength()
	if cl >= 0 && allowed {
		hdr["Content-Length"] = []string{strconv.Itoa(cl)}
	}
	w.WriteHeader(status)
	if !allowed || head {
		return
	}
	// A stream (SetBodyStream, SetBodyStreamWriter, SendFile) is copied
	// through one bounded buffer; one of unknown length (a streaming
	// handler) is flushed per read, so its chunks reach the client as
	// they come. A body of known length (a file) is left to x/net's
	// buffering, which sends the last DATA frame with END_STREAM and
	// coalesces the frames of concurrent streams into fewer writes
	// (flushing each 1 KB file cost two writes per stream). sendfile
	// cannot apply to HTTP/2 framing.
	bufp := b.bufPool.Get().(*[]byte)
	defer b.bufPool.Put(bufp)
	var fl http.Flusher
	if cl < 0 {
		fl, _ = w.(http.Flusher)
	}
	src := resp.BodyStream()
	buf := *bufp
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			if fl != nil {
				fl.Flush()
			}
		}
		if err != nil {
			return
		}
	}
}

// IsH2CUpgrade reports whether req asks to upgrade to h2c (RFC 7540 §3.2):
// "Upgrade: h2c", "Connection: Upgrade, HTTP2-Settings" and one
// HTTP2-Settings header. Apache (H2Upgrade) also refuses the upgrade over
// TLS; the engine checks that.
//
// A request with a body is not upgraded (the engine answers it as
// HTTP/1.1): Apache 2.4.71 answers "curl --http2 -d hello" over HTTP/1.1.
func IsH2CUpgrade(req *fasthttp.Request) bool {
	// fasthttp: -1 is chunked, -2 "no Content-Length" (no body).
	if cl := req.Header.ContentLength(); cl > 0 || cl == -1 || len(req.Body()) > 0 {
		return false
	}
	if !tokenIn(req.Header.Peek("Upgrade"), "h2c") {
		return false
	}
	c := req.Header.Peek("Connection")
	return tokenIn(c, "upgrade") && tokenIn(c, "http2-settings") && len(req.Header.PeekAll("HTTP2-Settings")) == 1
}

func tokenIn(v []byte, tok string) bool {
	for len(v) > 0 {
		i := bytes.IndexByte(v, ',')
		var t []byte
		if i < 0 {
			t, v = v, nil
		} else {
			t, v = v[:i], v[i+1:]
		}
		if bytes.EqualFold(bytes.TrimSpace(t), []byte(tok)) {
			return true
		}
	}
	return false
}

// ErrBadUpgrade is returned by ServeUpgrade for a request that is not a
// valid h2c upgrade; the engine should answer it as HTTP/1.1.
var ErrBadUpgrade = errors.New("h2bridge: not a valid h2c upgrade request")

// ServeUpgrade answers an HTTP/1.1 request carrying "Upgrade: h2c" with 101
// Switching Protocols and serves the connection as HTTP/2, the request
// becoming stream 1. br is the reader the
// HTTP/1.1 loop read req from (nil if none); bytes it buffered are read
// first. It closes c, except when it returns ErrBadUpgrade.
func (b *Bridge) ServeUpgrade(c net.Conn, req *fasthttp.Request, br *bufio.Reader) error {
	if !IsH2CUpgrade(req) {
		return ErrBadUpgrade
	}
	settings, err := base64.RawURLEncoding.DecodeString(string(bytes.TrimRight(req.Header.Peek("HTTP2-Settings"), "=")))
	if err != nil || len(settings)%6 != 0 {
		return ErrBadUpgrade
	}
	hr, err := toHTTPRequest(req)
	if err != nil {
		return ErrBadUpgrade
	}
	if _, err := io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"); err != nil {
		c.Close()
		return err
	}
	var nc net.Conn = c
	if br != nil && br.Buffered() > 0 {
		nc = &bufferedConn{Conn: c, br: br}
	}
	return b.serve(nc, hr, settings)
}

func toHTTPRequest(req *fasthttp.Request) (*http.Request, error) {
	uri := string(req.Header.RequestURI())
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		return nil, err
	}
	body := append([]byte(nil), req.Body()...)
	hr := &http.Request{
		Method:        string(req.Header.Method()),
		URL:           u,
		RequestURI:    uri,
		Proto:         protoHTTP2,
		ProtoMajor:    2,
		Host:          string(req.Header.Host()),
		Header:        make(http.Header),
		ContentLength: int64(len(body)),
		Body:          io.NopCloser(bytes.NewReader(body)),
	}
	for k, v := range req.Header.All() {
		switch {
		case hopByHop(k), bytes.EqualFold(k, []byte("http2-settings")), bytes.EqualFold(k, []byte("host")):
			continue
		}
		hr.Header.Add(string(k), string(v))
	}
	return hr, nil
}
