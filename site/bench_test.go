package site

import (
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// BenchmarkStaticSmall serves a 1 KiB file through the whole handler chain
// with a fake RequestCtx (no sockets): path checks, routing, fasthttp.FS
// (from its in-memory cache), types, validators and the keep-alive
// decision. The body stream is closed unread.
func BenchmarkStaticSmall(b *testing.B) {
	root := b.TempDir()
	writeFiles(b, root, map[string]string{"small.html": strings.Repeat("x", 1024)})
	ageFiles(b, root, time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC))
	s := newTestSite(b, testConfig(root), Options{})
	h := s.Handler()

	var r fasthttp.Request
	r.SetRequestURI("/small.html")
	r.Header.SetHost("bench")
	var ctx fasthttp.RequestCtx
	ctx.Init(&r, nil, nil)
	h(&ctx) // warm fasthttp.FS's cache
	if ctx.Response.StatusCode() != 200 || ctx.Response.Header.ContentLength() != 1024 {
		b.Fatalf("GET /small.html = %d, %d bytes", ctx.Response.StatusCode(), ctx.Response.Header.ContentLength())
	}
	b.ReportAllocs()
	for b.Loop() {
		ctx.Response.Reset() // closes the body stream, returning FS's reader
		h(&ctx)
	}
	ctx.Response.Reset()
}
