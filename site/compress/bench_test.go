package compress

import (
	stdgzip "compress/gzip"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// The decision on the hot path: a directory without compression (nil
// Policy), a type no filter lists, and a compressed response.
func BenchmarkDecide(b *testing.B) {
	p := policyOf(b, nil, "AddOutputFilterByType DEFLATE;BROTLI_COMPRESS text/html text/css application/javascript")
	req := Request{AcceptEncoding: []byte("gzip, deflate, br, zstd")}
	for _, bc := range []struct {
		name string
		p    *Policy
		ct   string
	}{{"none", nil, "text/html"}, {"unlisted", p, "image/png"}, {"gzip", p, "text/css"}} {
		resp := Response{Status: 200, ContentType: []byte(bc.ct), Length: 100 << 10}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = bc.p.Decide(&req, &resp)
			}
		})
	}
}

// BenchmarkServe: the 100 KB stylesheet over loopback from a
// fasthttp.Server running fileServer (the integration the package doc
// describes), compressed copies from the on-disk cache sent with
// sendfile. Client and server share the process (and the two CPUs):
// the wrk runs in testdata/bench/run.sh pin them apart and compare with
// nginx.
func BenchmarkServe(b *testing.B) {
	fsrv, _ := newFileServer(b, false)
	addr := startServer(b, fsrv.serve)
	for _, ae := range []string{"", "gzip", "br"} {
		name := ae
		if name == "" {
			name = "identity"
		}
		b.Run(name, func(b *testing.B) {
			c := &fasthttp.HostClient{Addr: addr, MaxConns: 64}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
				defer fasthttp.ReleaseRequest(req)
				defer fasthttp.ReleaseResponse(resp)
				req.SetRequestURI("http://" + addr + "/style.css")
				if ae != "" {
					req.Header.Set("Accept-Encoding", ae)
				}
				for pb.Next() {
					if err := c.DoTimeout(req, resp, 10*time.Second); err != nil || resp.StatusCode() != 200 {
						b.Errorf("%v %d", err, resp.StatusCode())
						return
					}
					if string(resp.Header.Peek("Content-Encoding")) != ae {
						b.Errorf("Content-Encoding %q", resp.Header.Peek("Content-Encoding"))
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// TestServeForWrk serves the benchmark site for an external load
// generator (testdata/bench/run.sh): only when COMPRESS_WRK_ADDR is set,
// for COMPRESS_WRK_SECONDS (default 30) at most.
func TestServeForWrk(t *testing.T) {
	addr := os.Getenv("COMPRESS_WRK_ADDR")
	if addr == "" {
		t.Skip("COMPRESS_WRK_ADDR not set")
	}
	secs, _ := strconv.Atoi(os.Getenv("COMPRESS_WRK_SECONDS"))
	if secs <= 0 {
		secs = 30
	}
	fsrv, docs := newFileServer(t, false)
	fsrv.sidecars = os.Getenv("COMPRESS_WRK_SIDECARS") == "1"
	if dir := os.Getenv("COMPRESS_WRK_DOCS"); dir != "" {
		// the same files (and sidecars) for nginx
		writeSite(t, dir)
		writeSidecars(t, dir)
	}
	if fsrv.sidecars {
		writeSidecars(t, docs)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: fsrv.serve, NoDefaultServerHeader: true}
	go func() { _ = srv.Serve(ln) }()
	time.Sleep(time.Duration(secs) * time.Second) // bounded life; the script waits for the port, then loads it
	_ = srv.Shutdown()
}

func writeSidecars(t testing.TB, dir string) {
	for _, n := range []string{"style.css", "index.html"} {
		src, _ := os.ReadFile(filepath.Join(dir, n))
		for _, e := range []Encoding{Gzip, Brotli} {
			f, err := os.Create(filepath.Join(dir, n+map[Encoding]string{Gzip: ".gz", Brotli: ".br"}[e]))
			if err != nil {
				t.Fatal(err)
			}
			w, _ := NewEncoders().NewWriter(f, e, Params{})
			_, _ = w.Write(src)
			_ = w.Close()
			_ = f.Close()
		}
		// sidecars must not be older than the file
		now := time.Now()
		_ = os.Chtimes(filepath.Join(dir, n+".gz"), now, now)
		_ = os.Chtimes(filepath.Join(dir, n+".br"), now, now)
	}
}

// BenchmarkGzipLibraries: why klauspost/compress: the same level on the
// 100 KB stylesheet with the standard library's compress/gzip.
func BenchmarkGzipLibraries(b *testing.B) {
	dir := b.TempDir()
	writeSite(b, dir)
	src, err := os.ReadFile(filepath.Join(dir, "style.css"))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("klauspost", func(b *testing.B) {
		enc := NewEncoders()
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			w, _ := enc.NewWriter(io.Discard, Gzip, Params{GzipLevel: 6})
			_, _ = w.Write(src)
			_ = w.Close()
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		w, _ := stdgzip.NewWriterLevel(io.Discard, 6)
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			w.Reset(io.Discard)
			_, _ = w.Write(src)
			_ = w.Close()
		}
	})
	b.Run("brotli-q5", func(b *testing.B) {
		enc := NewEncoders()
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			w, _ := enc.NewWriter(io.Discard, Brotli, Params{BrotliQuality: 5, BrotliWindow: 18})
			_, _ = w.Write(src)
			_ = w.Close()
		}
	})
}

// BenchmarkStaticOpen: the server-side cost of a compressed static
// response once its copy is cached: find the entry, open it, attach it
// to a response, close it (what fasthttp does after sendfile).
func BenchmarkStaticOpen(b *testing.B) {
	docs := b.TempDir()
	writeSite(b, docs)
	root := openRoot(b, docs)
	cache, err := NewCache(CacheOptions{Dir: filepath.Join(b.TempDir(), "c")}, nil)
	if err != nil {
		b.Fatal(err)
	}
	s := NewStatic(cache)
	fi, _ := root.Stat("style.css")
	f := &File{Root: root, Name: "style.css", Info: fi}
	d := Decision{Encoding: Gzip, Vary: true}
	var resp fasthttp.Response
	b.ReportAllocs()
	for b.Loop() {
		body, err := s.Open(f, Gzip, Params{})
		if err != nil {
			b.Fatal(err)
		}
		resp.Header.SetCanonical([]byte("ETag"), []byte(`"19000-6619d14b607c6"`))
		body.Attach(&resp, d)
		resp.Reset() // closes the body
	}
}
