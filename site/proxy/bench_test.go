package proxy

import (
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
