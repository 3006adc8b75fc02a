package autoindex

import (
	"bufio"
	"net"

	"fmt"
	"github.com/valyala/fasthttp"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

var (
	hugeOnce sync.Once
	hugeDir  string
)

// hugeTree is a directory of 100,000 empty files (made once per run).
func hugeTree(b *testing.B) string {
	hugeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "aiidx-huge")
		if err != nil {
			b.Fatal(err)
		}
		for i := range 100_000 {
			f, err := os.Create(filepath.Join(dir, fmt.Sprintf("file-%06d-%x.txt", i, i*7919)))
			if err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
		hugeDir = dir
	})
	return hugeDir
}

// BenchmarkList100k lists 100,000 entries with Debian's configuration
// (HTMLTable, VersionSort) to io.Discard, and reports the heap held by the
// entries while the listing is written (held-MB) and the body size.
func BenchmarkList100k(b *testing.B) {
	dir := hugeTree(b)
	cfg := debianConfig(b)
	root, err := os.OpenRoot(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer root.Close()
	for _, q := range []string{"", "C=M;O=D"} {
		b.Run("q="+q, func(b *testing.B) {
			b.ReportAllocs()
			var held, body float64
			var readT, writeT time.Duration
			for b.Loop() {
				req := &Request{URI: "/huge/", Filename: dir + "/", Query: q, FS: root.FS(), Types: testTypes, Location: time.UTC}
				l, err := newLister(cfg, req)
				if err != nil {
					b.Fatal(err)
				}
				var m0, m1 runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&m0)
				t0 := time.Now()
				l.read()
				readT += time.Since(t0)
				runtime.GC()
				runtime.ReadMemStats(&m1)
				held = float64(m1.HeapAlloc-m0.HeapAlloc) / (1 << 20)
				cw := &countWriter{}
				bw := newBufWriter(cw)
				t0 = time.Now()
				l.write(bw)
				bw.Flush()
				writeT += time.Since(t0)
				body = float64(cw.n) / (1 << 20)
				runtime.KeepAlive(l)
			}
			b.ReportMetric(held, "held-MB")
			b.ReportMetric(body, "body-MB")
			b.ReportMetric(float64(readT.Milliseconds())/float64(b.N), "read-ms/op")
			b.ReportMetric(float64(writeT.Milliseconds())/float64(b.N), "write-ms/op")
		})
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

func newBufWriter(w io.Writer) *bufio.Writer { return bufio.NewWriterSize(w, 4096) }

// BenchmarkStall100k serves a 100,000-entry listing through fasthttp on
// loopback while another client sends small requests to the same server,
// and reports the slowest small request (max-ms) seen during the listing.
func BenchmarkStall100k(b *testing.B) {
	dir := hugeTree(b)
	cfg := debianConfig(b)
	handler := func(ctx *fasthttp.RequestCtx) {
		if string(ctx.Path()) == "/small" {
			ctx.SetBodyString("ok")
			return
		}
		root, err := os.OpenRoot(dir)
		if err != nil {
			ctx.SetStatusCode(500)
			return
		}
		defer root.Close()
		req := &Request{URI: "/huge/", Filename: dir + "/", FS: root.FS(), Types: testTypes, Location: time.UTC}
		if _, status, err := Serve(ctx, cfg, req); err != nil {
			ctx.SetStatusCode(status)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	s := &fasthttp.Server{Handler: handler}
	go s.Serve(ln)
	defer s.Shutdown()
	base := "http://" + ln.Addr().String()
	c := &fasthttp.Client{ReadTimeout: time.Minute}
	var worst time.Duration
	for b.Loop() {
		done := make(chan error, 1)
		go func() {
			status, body, err := c.Get(nil, base+"/huge/")
			if err == nil && (status != 200 || len(body) < 20<<20) {
				err = fmt.Errorf("huge: %d, %d bytes", status, len(body))
			}
			done <- err
		}()
		for i := 0; ; i++ {
			select {
			case err := <-done:
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(i), "small-reqs")
				goto next
			default:
			}
			t0 := time.Now()
			if status, _, err := c.Get(nil, base+"/small"); err != nil || status != 200 {
				b.Fatal(status, err)
			}
			worst = max(worst, time.Since(t0))
			if i > 1_000_000 {
				b.Fatal("listing never finished")
			}
		}
	next:
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "max-ms")
}

// TestMain removes the benchmarks' 100,000-file directory.
func TestMain(m *testing.M) {
	code := m.Run()
	if hugeDir != "" {
		os.RemoveAll(hugeDir)
	}
	os.Exit(code)
}

// BenchmarkSmallListing is the common case: the 30-entry test tree with
// Debian's configuration, written to io.Discard.
func BenchmarkSmallListing(b *testing.B) {
	dir := b.TempDir()
	writeTree(b, dir)
	cfg := debianConfig(b)
	root, err := os.OpenRoot(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer root.Close()
	b.ReportAllocs()
	for b.Loop() {
		req := &Request{URI: "/deb/", Filename: dir + "/", FS: root.FS(), Types: testTypes, Location: time.UTC}
		if _, err := Write(io.Discard, cfg, req); err != nil {
			b.Fatal(err)
		}
	}
}
