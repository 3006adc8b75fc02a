package proxy

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// fastBackend is a fasthttp backend answering 1 KB.
func fastBackend(b *testing.B) string {
	body := []byte(strings.Repeat("x", 1024))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	s := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) { ctx.SetBody(body) }}
	go s.Serve(ln) //nolint:errcheck
	b.Cleanup(func() { _ = s.Shutdown() })
	return ln.Addr().String()
}

// BenchmarkProxy1KB: keep-alive GETs of a 1 KB body through the proxy
// (client, proxy and backend share the machine's cores), against the
// backend directly for reference. Run with
//
//	go test -run=X -bench=1KB -benchtime=20000x ./site/proxy/
func BenchmarkProxy1KB(b *testing.B) {
	be := fastBackend(b)
	srv, _ := build(b, []string{"ProxyPass", "/", "http://" + be + "/"})
	f := newFront(b, srv, nil, Options{})
	for _, tc := range []struct{ name, addr string }{{"direct", be}, {"proxied", f.addr}} {
		b.Run(tc.name, func(b *testing.B) {
			c := &fasthttp.HostClient{Addr: tc.addr, MaxConns: 64}
			b.SetParallelism(8)
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
				req.SetRequestURI("http://" + tc.addr + "/x")
				for pb.Next() {
					if err := c.Do(req, resp); err != nil || resp.StatusCode() != 200 || len(resp.Body()) != 1024 {
						b.Errorf("%v %d %d", err, resp.StatusCode(), len(resp.Body()))
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
		})
	}
}

// BenchmarkServe1KB is one proxied keep-alive GET of 1 KB in the calling
// goroutine: Match, Serve (request built, HostClient exchange, response
// copied) and the response written out, as the site does it; its
// allocations are the proxy's own per request (the backend runs in the
// same process). Run with
//
//	go test -run=X -bench=Serve1KB -benchmem ./site/proxy/
func BenchmarkServe1KB(b *testing.B) {
	be := fastBackend(b)
	srv, _ := build(b, []string{"ProxyPass", "/", "http://" + be + "/"})
	px, err := New(srv, Options{ServerName: "front.example"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(px.Close)
	var ctx fasthttp.RequestCtx
	ctx.Init(&fasthttp.Request{}, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}, nil)
	raw := []byte("GET /x HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")
	r := &Request{ClientIP: "127.0.0.1", Self: "http://localhost:8080"}
	w := bufio.NewWriter(io.Discard)
	src := bytes.NewReader(raw)
	br := bufio.NewReader(src)
	b.ReportAllocs()
	for b.Loop() {
		ctx.Request.Reset()
		src.Reset(raw)
		br.Reset(src)
		if err := ctx.Request.Read(br); err != nil {
			b.Fatal(err)
		}
		t, ok := px.Match(string(ctx.Path()), ctx.URI().QueryString(), nil)
		if !ok {
			b.Fatal("no match")
		}
		r.Dir = nil
		if res := px.Serve(&ctx, t, r); res.Status != 0 {
			b.Fatal(res.Status)
		}
		if err := ctx.Response.Write(w); err != nil {
			b.Fatal(err)
		}
		ctx.Response.Reset()
	}
}
