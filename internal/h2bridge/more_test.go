package h2bridge

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/net/http2"
)

// TestIdleTimeout: KeepAliveTimeout maps to x/net's IdleTimeout, after
// which an idle connection gets GOAWAY and is closed.
func TestIdleTimeout(t *testing.T) {
	s := startServer(t, Options{IdleTimeout: 200 * time.Millisecond}, testHandler(""), false)
	rc := dialRaw(t, s.addr())
	start := time.Now()
	ga, _, err := rc.drain()
	el := time.Since(start)
	if ga != int(http2.ErrCodeNo) || err == nil {
		t.Fatalf("GOAWAY %d, end %v", ga, err)
	}
	if el < 150*time.Millisecond || el > 5*time.Second {
		t.Errorf("idle connection closed after %v, want ~200ms", el)
	}
}

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		in   string
		h2   bool
		rest string
	}{
		{http2.ClientPreface + "xyz", true, http2.ClientPreface + "xyz"},
		{"GET / HTTP/1.1\r\n\r\n", false, "GET / HTTP/1.1\r\n\r\n"},
		{"PRI * HTTP/1.1\r\n\r\n", false, "PRI * HTTP/1.1\r\n\r\n"},
	} {
		a, b := net.Pipe()
		go func() { io.WriteString(a, tc.in); a.Close() }()
		rc, h2, err := Sniff(b)
		if err != nil || h2 != tc.h2 {
			t.Errorf("%q: h2 %v err %v", tc.in, h2, err)
			continue
		}
		got, _ := io.ReadAll(rc)
		if string(got) != tc.rest {
			t.Errorf("%q: replayed %q", tc.in, got)
		}
	}
}

func FuzzIsH2CUpgrade(f *testing.F) {
	f.Add("Upgrade, HTTP2-Settings", "h2c", "AAMAAABkAAQAAP__")
	f.Add("upgrade,http2-settings,close", "websocket, h2c", "")
	f.Fuzz(func(t *testing.T, conn, up, settings string) {
		var req fasthttp.Request
		req.Header.Set("Connection", conn)
		req.Header.Set("Upgrade", up)
		req.Header.Set("HTTP2-Settings", settings)
		req.SetRequestURI("/x")
		if IsH2CUpgrade(&req) {
			// ServeUpgrade must refuse or accept without panicking;
			// refuse bad settings before writing anything.
			a, b := net.Pipe()
			defer a.Close()
			go io.Copy(io.Discard, a)
			br := New(Options{}, func(*fasthttp.RequestCtx) {})
			done := make(chan error, 1)
			go func() { done <- br.ServeUpgrade(b, &req, nil) }()
			time.AfterFunc(50*time.Millisecond, func() { b.Close() })
			<-done
		}
	})
}

// BenchmarkStream measures the bridge's own per-stream work (request copy,
// handler call, response copy) without sockets: 1 KiB GET response.
func BenchmarkStream(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	br := New(Options{}, func(ctx *fasthttp.RequestCtx) {
		ctx.SetContentType("text/html")
		ctx.SetBody(body)
	})
	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	cs := newConnState(br, c1)
	req := httptest.NewRequest("GET", "http://bench.example/index.html", nil)
	req.Header.Set("User-Agent", "bench")
	req.Header.Set("Accept", "*/*")
	req.Header.Set("Accept-Encoding", "gzip, br")
	b.ReportAllocs()
	for b.Loop() {
		w := &nopWriter{h: make(http.Header, 4)}
		cs.ServeHTTP(w, req)
		if w.status != 200 || w.n != 1024 {
			b.Fatalf("%d %d", w.status, w.n)
		}
	}
}

type nopWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) WriteHeader(s int)           { w.status = s }
func (w *nopWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

func TestStreamRequestBody(t *testing.T) {
	s := startServer(t, Options{StreamRequestBody: true, MaxRequestBodySize: 1000}, func(ctx *fasthttp.RequestCtx) {
		n, err := io.Copy(io.Discard, ctx.RequestBodyStream())
		fmt.Fprintf(ctx, "%d %v", n, err)
	}, false)
	c := h2cClient()
	_, body := get(t, c, "POST", "http://"+s.addr()+"/", bytes.NewReader(make([]byte, 1000)))
	if string(body) != "1000 <nil>" {
		t.Errorf("1000 bytes: %q", body)
	}
	pr, pw := io.Pipe()
	go func() { pw.Write(make([]byte, 1500)); pw.Close() }()
	_, body = get(t, c, "POST", "http://"+s.addr()+"/", pr)
	if !bytes.Contains(body, []byte("LimitRequestBody")) {
		t.Errorf("1500 bytes without content-length: %q", body)
	}
	resp, _ := get(t, c, "POST", "http://"+s.addr()+"/", bytes.NewReader(make([]byte, 1001)))
	if resp.StatusCode != 413 {
		t.Errorf("1001 bytes with content-length: %d", resp.StatusCode)
	}
}
