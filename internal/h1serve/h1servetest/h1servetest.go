// Package h1servetest holds the byte streams, handler and client of the
// differential tests that compare the request loop (internal/h1serve, and
// the event engine that runs it) with fasthttp.Server.ServeConn.
package h1servetest

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/internal/h1"
	"github.com/gohttpd/gohttpd/internal/h1/corpus"
	"github.com/gohttpd/gohttpd/internal/h1serve"
)

// VConn reads a connection through an h1.Validator, as the engines do.
type VConn struct {
	net.Conn
	v *h1.Validator
	// raw: the connection was hijacked; its bytes are no longer HTTP.
	raw bool
}

func (c *VConn) Read(p []byte) (int, error) {
	if c.raw {
		return c.Conn.Read(p)
	}
	return c.v.Read(c.Conn, p)
}

func (c *VConn) Write(p []byte) (int, error) {
	if c.v.HTTP09() {
		if _, err := c.Conn.Write(c.v.Strip09(p)); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// Handler answers deterministically with what it was asked, reads
// streamed bodies in pieces, and hijacks /hijack* (echoing what follows).
func Handler(ctx *fasthttp.RequestCtx) {
	path := string(ctx.Path())
	switch {
	case strings.HasPrefix(path, "/hijack"):
		if vc, ok := ctx.Conn().(*VConn); ok {
			vc.raw = true
		}
		ctx.HijackSetNoResponse(path == "/hijack-raw")
		ctx.SetBodyString("switching\n")
		ctx.Hijack(func(c net.Conn) {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			var buf [512]byte
			for {
				n, err := c.Read(buf[:])
				if n > 0 {
					c.Write(append([]byte("echo:"), buf[:n]...))
				}
				if err != nil {
					return
				}
			}
		})
		return
	case path == "/close":
		ctx.SetConnectionClose()
	case path == "/stream-resp":
		ctx.SetBodyStream(strings.NewReader("streamed response\n"), -1)
		return
	}
	var n int
	sum := sha256.New()
	streamed := ctx.Request.IsBodyStream()
	if r := ctx.RequestBodyStream(); r != nil && streamed {
		limit := int64(-1)
		if v, err := strconv.Atoi(string(ctx.QueryArgs().Peek("read"))); err == nil {
			limit = int64(v)
		}
		buf := make([]byte, 7777) // odd pieces
		for limit != 0 {
			want := len(buf)
			if limit > 0 && int64(want) > limit {
				want = int(limit)
			}
			m, err := r.Read(buf[:want])
			sum.Write(buf[:m])
			n += m
			if limit > 0 {
				limit -= int64(m)
			}
			if err != nil {
				break
			}
		}
	} else {
		b := ctx.PostBody()
		n = len(b)
		sum.Write(b)
	}
	fmt.Fprintf(ctx, "%s %s %s body=%d sha=%x te=%q streamed=%v\n", ctx.Method(), ctx.RequestURI(),
		ctx.Request.Header.Protocol(), n, sum.Sum(nil)[:6], ctx.Request.Header.Peek("Transfer-Encoding"), streamed)
}

// ErrorHandler answers Validator verdicts with their status, as the site does.
func ErrorHandler(ctx *fasthttp.RequestCtx, err error) {
	var pe *h1.Error
	if errors.As(err, &pe) {
		ctx.Error(pe.Reason, pe.Status)
		return
	}
	h1serve.DefaultErrorHandler(ctx, err)
}

// NewServer returns the server settings both sides share.
func NewServer(stream bool) *fasthttp.Server {
	return &fasthttp.Server{
		Handler:            Handler,
		ErrorHandler:       ErrorHandler,
		Name:               "gohttpd-test",
		ReadBufferSize:     4096,
		MaxRequestBodySize: 64 << 10,
		StreamRequestBody:  stream,
		ReadTimeout:        5 * time.Second,
		IdleTimeout:        5 * time.Second,
		WriteTimeout:       5 * time.Second,
		MaxRequestsPerConn: 50,
		Logger:             QuietLogger{},
	}
}

type QuietLogger struct{}

func (QuietLogger) Printf(string, ...any) {}

// ServeWith listens on loopback and serves each connection with serve,
// through a Validator; it returns the address.
func ServeWith(t *testing.T, serve func(net.Conn) error) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				serve(&VConn{Conn: c, v: h1.New(h1.Options{})})
			}()
		}
	}()
	return ln.Addr().String()
}

// stream is one raw byte stream, sent in pieces (with a pause between
// them) so partial requests are read partially.
type Stream struct {
	Name   string
	Pieces []string
}

// exchange sends s to addr, half-closes, and returns everything the server
// sent until it closed.
func Exchange(t *testing.T, addr string, s Stream) []byte {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	var out bytes.Buffer
	done := make(chan struct{})
	go func() {
		io.Copy(&out, c)
		close(done)
	}()
	for i, p := range s.Pieces {
		if i > 0 {
			time.Sleep(30 * time.Millisecond)
		}
		if _, err := io.WriteString(c, p); err != nil {
			break // the server closed early: what it said is compared
		}
	}
	c.(*net.TCPConn).CloseWrite()
	<-done
	return out.Bytes()
}

// MustSee keeps the comparison honest where both sides could fail alike.
var MustSee = map[string]string{
	"hijack":             "switching\necho:first",
	"hijack-split":       "switching\necho:first\necho:second\n",
	"hijack-no-response": "echo:hello\n",
	"pipelined":          "GET /2?q=1 HTTP/1.1 body=0",
	"expect-100":         "body=5",
	"chunked":            "body=11",
	"http10-keepalive":   "GET /b HTTP/1.0",
}

var DateRE = regexp.MustCompile(`(?m)^Date: [^\r]*\r$`)

func Normalise(b []byte) string {
	return string(DateRE.ReplaceAll(b, []byte("Date: X\r")))
}

func Streams() []Stream {
	const get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
	big := strings.Repeat("a", 10<<10)
	ss := []Stream{
		{"get", []string{get}},
		{"pipelined", []string{get + "GET /2?q=1 HTTP/1.1\r\nHost: x\r\n\r\n" + "HEAD /3 HTTP/1.1\r\nHost: x\r\n\r\n"}},
		{"partial", []string{"GET /p HTT", "P/1.1\r\nHo", "st: x\r\n", "\r\n"}},
		{"partial-pipelined", []string{get + "GET /next HTTP/1.1\r\nHo", "st: x\r\n\r\n"}},
		{"malformed", []string{"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"}},
		{"garbage", []string{"\x00\x01\x02 nonsense\r\n\r\n"}},
		{"expect-100", []string{"POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", "hello"}},
		{"expect-100-too-large", []string{"POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n"}},
		{"head", []string{"HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n"}},
		{"post-body", []string{"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world" + get}},
		{"post-body-partial", []string{"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhel", "lo world"}},
		{"chunked", []string{"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n" + get}},
		{"chunked-partial", []string{"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", "lo\r\n0\r\n\r\n"}},
		{"connection-close", []string{"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + get}},
		{"handler-close", []string{"GET /close HTTP/1.1\r\nHost: x\r\n\r\n" + get}},
		{"http10-keepalive", []string{"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"}},
		{"http10", []string{"GET /a HTTP/1.0\r\n\r\n" + get}},
		{"oversized-header", []string{"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("b", 6000) + "\r\n\r\n"}},
		{"limit-request-body", []string{"POST /l HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(len(big)*7) + "\r\n\r\n" + strings.Repeat(big, 7)}},
		{"limit-request-body-chunked", []string{"POST /l HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + strings.Repeat(fmt.Sprintf("%x\r\n%s\r\n", len(big), big), 7) + "0\r\n\r\n"}},
		{"stream-response", []string{"GET /stream-resp HTTP/1.1\r\nHost: x\r\n\r\n" + get}},
		{"hijack", []string{"GET /hijack HTTP/1.1\r\nHost: x\r\n\r\nfirst\n", "second\n"}},
		{"hijack-split", []string{"GET /hijack HTTP/1.1\r\nHost: x\r\n\r\n", "first\n", "second\n"}},
		{"hijack-no-response", []string{"GET /hijack-raw HTTP/1.1\r\nHost: x\r\n\r\n", "hello\n"}},
		{"empty", nil},
	}
	for _, c := range corpus.Cases {
		ss = append(ss, Stream{"corpus/" + c.Name, []string{c.Raw}})
	}
	return ss
}

// StreamBodyLimit is the body limit of the servers StreamBodyCases go to.
const StreamBodyLimit = 16 << 20

// StreamBodyCases are for a StreamRequestBody server with StreamBodyLimit:
// a 10 MB body (by Content-Length, then chunked) read by the handler in
// pieces, each followed by a pipelined request; and bodies the handler
// reads only 1000 bytes of (one the loop skips, one too long to skip).
func StreamBodyCases() []Stream {
	body := bytes.Repeat([]byte("0123456789abcdef"), 10<<20/16)
	const get = "GET /after HTTP/1.1\r\nHost: x\r\n\r\n"
	chunk := fmt.Sprintf("%x\r\n%s\r\n", 1<<20, body[:1<<20])
	return []Stream{
		{"whole", []string{"POST /s HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n", string(body) + get}},
		{"chunked", []string{"POST /s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", strings.Repeat(chunk, 10) + "0\r\n\r\n" + get}},
		{"part-read-small", []string{"POST /s?read=1000 HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + string(body[:100000]) + get}},
		{"part-read-large", []string{"POST /s?read=1000 HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n", string(body) + get}},
	}
}

// A Variant changes the settings both sides of a differential test share,
// to show the loop honours them as fasthttp.Server does.
type Variant struct {
	Name string
	Set  func(*fasthttp.Server)
}

// Variants are the honoured settings the differential tests vary (the
// event engine's default Server name differs from fasthttp's by design, so
// the Name stays set unless NoDefaultServerHeader is).
var Variants = []Variant{
	{"GetOnly", func(s *fasthttp.Server) { s.GetOnly = true }},
	{"DisableHeaderNamesNormalizing", func(s *fasthttp.Server) { s.DisableHeaderNamesNormalizing = true }},
	{"NoDefaultServerHeader", func(s *fasthttp.Server) { s.Name, s.NoDefaultServerHeader = "", true }},
	{"NoDefaultContentType", func(s *fasthttp.Server) { s.NoDefaultContentType = true }},
	{"MaxRequestsPerConn", func(s *fasthttp.Server) { s.MaxRequestsPerConn = 2 }},
	{"DisableKeepalive", func(s *fasthttp.Server) { s.DisableKeepalive = true }},
	{"ReduceMemoryUsage", func(s *fasthttp.Server) { s.ReduceMemoryUsage = true }},
	{"MaxRequestBodySize", func(s *fasthttp.Server) { s.MaxRequestBodySize = 8 }},
	{"ContinueHandler", func(s *fasthttp.Server) {
		s.ContinueHandler = func(h *fasthttp.RequestHeader) bool { return h.ContentLength() < 10 }
	}},
	{"ExpectHandler", func(s *fasthttp.Server) {
		s.ExpectHandler = func(ctx *fasthttp.RequestCtx) int {
			if ctx.Request.Header.ContentLength() > 3 {
				return fasthttp.StatusRequestEntityTooLarge
			}
			return fasthttp.StatusContinue
		}
	}},
	{"HeaderReceived", func(s *fasthttp.Server) {
		s.HeaderReceived = func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
			return fasthttp.RequestConfig{MaxRequestBodySize: 4}
		}
	}},
}

// Plain are the Streams without the corpus.
func Plain() []Stream {
	var ss []Stream
	for _, s := range Streams() {
		if !strings.HasPrefix(s.Name, "corpus/") {
			ss = append(ss, s)
		}
	}
	return ss
}
