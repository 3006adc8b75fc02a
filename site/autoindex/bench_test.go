package autoindex

import (
	"bufio"
	"fmt"
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
	b.Cleanup(func() {}) // removed by the OS's tmp cleaning; see TestMain-free design
	return hugeDir
}

// BenchmarkList100k lists 100,000 entries with Debian's configuration
// (HTMLTable, VersionSort) to io.Discard, and reports the heap held by the
// entries while the listing is written (held-MB) and the body size.
func BenchmarkList100k(b *testing.B) {
	dir := hugeTree(b)
	b.Cleanup(func() { os.RemoveAll(dir) })
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
			for b.Loop() {
				req := &Request{URI: "/huge/", Filename: dir + "/", Query: q, FS: root.FS(), Types: testTypes, Location: time.UTC}
				l, err := newLister(cfg, req)
				if err != nil {
					b.Fatal(err)
				}
				var m0, m1 runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&m0)
				l.read()
				runtime.GC()
				runtime.ReadMemStats(&m1)
				held = float64(m1.HeapAlloc-m0.HeapAlloc) / (1 << 20)
				cw := &countWriter{}
				bw := newBufWriter(cw)
				l.write(bw)
				bw.Flush()
				body = float64(cw.n) / (1 << 20)
				runtime.KeepAlive(l)
			}
			b.ReportMetric(held, "held-MB")
			b.ReportMetric(body, "body-MB")
		})
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

func newBufWriter(w io.Writer) *bufio.Writer { return bufio.NewWriterSize(w, 4096) }
