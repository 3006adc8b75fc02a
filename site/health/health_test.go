package health

import (
	"bufio"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"
)

// serve runs h on an in-memory listener and returns a client for it.
func serve(t *testing.T, h fasthttp.RequestHandler) *fasthttp.Client {
	t.Helper()
	ln := fasthttputil.NewInmemoryListener()
	s := &fasthttp.Server{Handler: h}
	go s.Serve(ln)
	t.Cleanup(func() { s.Shutdown(); ln.Close() })
	return &fasthttp.Client{Dial: func(string) (net.Conn, error) { return ln.Dial() }}
}

func TestHealth(t *testing.T) {
	var draining atomic.Bool
	c := serve(t, New(draining.Load))
	for _, tc := range []struct {
		method   string
		draining bool
		status   int
		body     string
	}{
		{"GET", false, 200, "OK\n"},
		{"HEAD", false, 200, ""},
		{"GET", true, 503, "draining\n"},
		{"HEAD", true, 503, ""},
		{"GET", false, 200, "OK\n"}, // a graceful stop that never started reverts
	} {
		draining.Store(tc.draining)
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		req.SetRequestURI("http://gohttpd/healthz")
		req.Header.SetMethod(tc.method)
		resp.SkipBody = tc.method == "HEAD"
		if err := c.DoTimeout(req, resp, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode() != tc.status || string(resp.Body()) != tc.body {
			t.Errorf("%s draining=%v: %d %q, want %d %q", tc.method, tc.draining, resp.StatusCode(), resp.Body(), tc.status, tc.body)
		}
		if got := string(resp.Header.Peek("Cache-Control")); got != "no-store" {
			t.Errorf("%s draining=%v: Cache-Control %q, want no-store", tc.method, tc.draining, got)
		}
		if got := string(resp.Header.ContentType()); got != "text/plain; charset=utf-8" {
			t.Errorf("Content-Type %q", got)
		}
		if tc.method == "HEAD" && resp.Header.ContentLength() != len("OK\n") && resp.Header.ContentLength() != len("draining\n") {
			t.Errorf("HEAD Content-Length %d, want the GET body's", resp.Header.ContentLength())
		}
		fasthttp.ReleaseRequest(req)
		fasthttp.ReleaseResponse(resp)
	}
}

func TestHealthMethodNotAllowed(t *testing.T) {
	ln := fasthttputil.NewInmemoryListener()
	s := &fasthttp.Server{Handler: New(nil)}
	go s.Serve(ln)
	defer ln.Close()
	conn, err := ln.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	conn.Write([]byte("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"))
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(status, "HTTP/1.1 405") {
		t.Errorf("POST: %q, want 405", status)
	}
}

// BenchmarkHealth: a probe allocates nothing.
func BenchmarkHealth(b *testing.B) {
	var draining atomic.Bool
	h := New(draining.Load)
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod("GET")
	b.ReportAllocs()
	for b.Loop() {
		ctx.Response.Reset()
		h(&ctx)
	}
}
