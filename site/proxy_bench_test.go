package site

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// BenchmarkProxySmall proxies a keep-alive GET of 1 KiB through the whole
// handler chain with a fake RequestCtx (ProxyPass / to a fasthttp backend
// in this process): the site's own cost per proxied request and its
// allocations (the backend's are in the numbers too; it allocates none).
func BenchmarkProxySmall(b *testing.B) {
	body := []byte(strings.Repeat("x", 1024))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	be := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) { ctx.SetBody(body) }}
	go be.Serve(ln) //nolint:errcheck // owner: the benchmark; ends at Shutdown
	b.Cleanup(func() { _ = be.Shutdown() })

	base := b.TempDir()
	text := "Listen 127.0.0.1:0\nDocumentRoot " + base + "\nProxyPass / http://" + ln.Addr().String() + "/\n"
	file := filepath.Join(base, "httpd.conf")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	cfg, err := conf.Load(conf.Options{File: file})
	if err != nil {
		b.Fatal(err)
	}
	s := newTestSite(b, cfg, Options{})
	h := s.Handler()
	var r fasthttp.Request
	r.SetRequestURI("/small.html")
	r.Header.SetHost("bench")
	r.Header.Set("User-Agent", "wrk")
	var ctx fasthttp.RequestCtx
	ctx.Init(&r, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}, nil)
	h(&ctx)
	if ctx.Response.StatusCode() != 200 || len(ctx.Response.Body()) != 1024 {
		b.Fatalf("GET /small.html = %d, %d bytes", ctx.Response.StatusCode(), len(ctx.Response.Body()))
	}
	b.ReportAllocs()
	for b.Loop() {
		ctx.Response.Reset()
		h(&ctx)
	}
	ctx.Response.Reset()
}
