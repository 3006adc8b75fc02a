package compress

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func openRoot(t testing.TB, dir string) *os.Root {
	t.Helper()
	r, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func readCoded(t testing.TB, f *os.File, e Encoding) []byte {
	t.Helper()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	return decode(t, e.Token(), b)
}

func cacheEntries(t testing.TB, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		out = append(out, de.Name())
	}
	return out
}

func TestCacheInvalidatedByMtime(t *testing.T) {
	docs, cdir := t.TempDir(), filepath.Join(t.TempDir(), "c")
	root := openRoot(t, docs)
	c, err := NewCache(CacheOptions{Dir: cdir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(docs, "a.css")
	v1 := bytes.Repeat([]byte("body { color: red }\n"), 500)
	if err := os.WriteFile(p, v1, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, e := range []Encoding{Gzip, Brotli} {
		fi, _ := root.Stat("a.css")
		f, size, err := c.Open(root, "a.css", fi, e, Params{})
		if err != nil {
			t.Fatal(err)
		}
		if size <= 0 || size >= int64(len(v1)) {
			t.Errorf("%v: size %d", e, size)
		}
		if got := readCoded(t, f, e); !bytes.Equal(got, v1) {
			t.Fatalf("%v: cached copy differs", e)
		}
	}
	if n := len(cacheEntries(t, cdir)); n != 2 {
		t.Fatalf("%d entries, want 2", n)
	}
	// Same size, new mtime: a new entry replaces the old one.
	v2 := bytes.Repeat([]byte("body { color: blu }\n"), 500)
	if err := os.WriteFile(p, v2, 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
	fi, _ := root.Stat("a.css")
	f, _, err := c.Open(root, "a.css", fi, Gzip, Params{})
	if err != nil {
		t.Fatal(err)
	}
	if got := readCoded(t, f, Gzip); !bytes.Equal(got, v2) {
		t.Fatal("stale copy served after the file changed")
	}
	if n := len(cacheEntries(t, cdir)); n != 2 {
		t.Errorf("%d entries after the change, want 2 (old gzip removed): %v", n, cacheEntries(t, cdir))
	}
	// The source must not be written into.
	for _, n := range cacheEntries(t, docs) {
		if n != "a.css" {
			t.Errorf("cache wrote %s into the document root", n)
		}
	}
	// Another level is another entry.
	f, _, err = c.Open(root, "a.css", fi, Gzip, Params{GzipLevel: 1})
	if err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	if n := len(cacheEntries(t, cdir)); n != 3 {
		t.Errorf("%d entries, want 3", n)
	}
}

// TestCacheProcesses: several caches (as several children) on one
// directory, many goroutines each, compress the same files at once: every
// reader gets a complete copy and one entry per file remains.
func TestCacheProcesses(t *testing.T) {
	docs, cdir := t.TempDir(), filepath.Join(t.TempDir(), "c")
	root := openRoot(t, docs)
	want := map[string][]byte{}
	for i := range 4 {
		name := fmt.Sprintf("f%d.js", i)
		b := []byte(strings.Repeat(fmt.Sprintf("var x%d = %d;\n", i, i), 3000+i))
		want[name] = b
		if err := os.WriteFile(filepath.Join(docs, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var caches []*Cache
	for range 3 {
		c, err := NewCache(CacheOptions{Dir: cdir}, nil)
		if err != nil {
			t.Fatal(err)
		}
		caches = append(caches, c)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for _, c := range caches {
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for name, b := range want {
					e := Gzip
					if g%2 == 1 {
						e = Brotli
					}
					fi, _ := root.Stat(name)
					f, _, err := c.Open(root, name, fi, e, Params{})
					if err != nil {
						errs <- err
						return
					}
					raw, _ := io.ReadAll(f)
					_ = f.Close()
					got := decode(t, e.Token(), raw)
					if !bytes.Equal(got, b) {
						errs <- fmt.Errorf("%s %v: bad copy", name, e)
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(cacheEntries(t, cdir)); n != 8 {
		t.Errorf("%d entries, want 8 (no temporary files left): %v", n, cacheEntries(t, cdir))
	}
}

func TestCacheBound(t *testing.T) {
	docs, cdir := t.TempDir(), filepath.Join(t.TempDir(), "c")
	root := openRoot(t, docs)
	c, err := NewCache(CacheOptions{Dir: cdir, MaxBytes: 4000, MaxFileSize: 1 << 20}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Incompressible-ish files so each entry is about 1 KB.
	for i := range 20 {
		name := fmt.Sprintf("r%d.txt", i)
		b := make([]byte, 1000)
		x := uint32(i*7919 + 1)
		for j := range b {
			x = x*1664525 + 1013904223
			b[j] = byte(x >> 24)
		}
		if err := os.WriteFile(filepath.Join(docs, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		fi, _ := root.Stat(name)
		f, _, err := c.Open(root, name, fi, Gzip, Params{})
		if err != nil {
			t.Fatal(err)
		}
		_ = f.Close()
	}
	var total int64
	for _, n := range cacheEntries(t, cdir) {
		st, _ := os.Stat(filepath.Join(cdir, n))
		total += st.Size()
	}
	if total > 4000 {
		t.Errorf("cache holds %d bytes, bound 4000", total)
	}
	if total == 0 {
		t.Error("cache emptied")
	}
	// Too large.
	big := make([]byte, 2<<20)
	if err := os.WriteFile(filepath.Join(docs, "big.txt"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	fi, _ := root.Stat("big.txt")
	if _, _, err := c.Open(root, "big.txt", fi, Gzip, Params{}); err != ErrTooLarge {
		t.Errorf("big file: %v, want ErrTooLarge", err)
	}
}

func TestCacheStaleTempRemoved(t *testing.T) {
	cdir := t.TempDir()
	tmp := filepath.Join(cdir, ".tmp-123")
	if err := os.WriteFile(tmp, []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	_ = os.Chtimes(tmp, old, old)
	if _, err := NewCache(CacheOptions{Dir: cdir}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("crashed writer's temporary file kept: %v", err)
	}
	if _, err := NewCache(CacheOptions{Dir: "relative"}, nil); err == nil {
		t.Error("relative directory accepted")
	}
}

func TestSidecars(t *testing.T) {
	docs := t.TempDir()
	root := openRoot(t, docs)
	orig := bytes.Repeat([]byte("a { b: c }\n"), 300)
	write := func(name string, b []byte, mtime time.Time) {
		p := filepath.Join(docs, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().Truncate(time.Second)
	write("x.css", orig, now)
	write("x.css.gz", []byte("FRESH-GZ"), now.Add(time.Second))
	write("x.css.br", []byte("STALE-BR"), now.Add(-time.Second))
	cache, err := NewCache(CacheOptions{Dir: filepath.Join(t.TempDir(), "c")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := NewStatic(cache)
	fi, _ := root.Stat("x.css")
	read := func(b *Body) []byte {
		out, _ := io.ReadAll(b)
		_ = b.Close()
		return out
	}
	b, err := s.Open(&File{Root: root, Name: "x.css", Info: fi, Sidecars: true}, Gzip, Params{})
	if err != nil || !b.Sidecar() || string(read(b)) != "FRESH-GZ" {
		t.Errorf("fresh .gz sidecar not served (err %v)", err)
	}
	b, err = s.Open(&File{Root: root, Name: "x.css", Info: fi, Sidecars: true}, Brotli, Params{})
	if err != nil || b.Sidecar() {
		t.Fatalf("stale .br sidecar served (err %v)", err)
	}
	if got := decode(t, "br", read(b)); !bytes.Equal(got, orig) {
		t.Error("cache copy instead of stale sidecar is wrong")
	}
	b, err = s.Open(&File{Root: root, Name: "x.css", Info: fi}, Gzip, Params{})
	if err != nil || b.Sidecar() {
		t.Errorf("sidecar served with PrecompressedSidecars Off (err %v)", err)
	} else {
		_ = b.Close()
	}
}

// readerFromSpy records what fasthttp's writer would be handed.
type readerFromSpy struct {
	got io.Reader
	buf bytes.Buffer
}

func (s *readerFromSpy) Write(p []byte) (int, error) { return s.buf.Write(p) }
func (s *readerFromSpy) ReadFrom(r io.Reader) (int64, error) {
	s.got = r
	return s.buf.ReadFrom(r)
}

// TestBodySendfileAndRange: a Body gives the writer's ReadFrom an
// io.LimitedReader over the *os.File (fasthttp's sendfile path), and a
// single range narrows it to the coded bytes.
func TestBodySendfileAndRange(t *testing.T) {
	docs := t.TempDir()
	root := openRoot(t, docs)
	content := bytes.Repeat([]byte("0123456789"), 1000)
	if err := os.WriteFile(filepath.Join(docs, "d.txt"), content, 0o644); err != nil {
		t.Fatal(err)
	}
	cache, err := NewCache(CacheOptions{Dir: filepath.Join(t.TempDir(), "c")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := NewStatic(cache)
	fi, _ := root.Stat("d.txt")
	b, err := s.Open(&File{Root: root, Name: "d.txt", Info: fi}, Gzip, Params{})
	if err != nil {
		t.Fatal(err)
	}
	full := make([]byte, b.Size())
	if _, err := b.File().ReadAt(full, 0); err != nil {
		t.Fatal(err)
	}
	if err := b.UpdateByteRange(5, 14); err != nil {
		t.Fatal(err)
	}
	var spy readerFromSpy
	if _, err := b.WriteTo(&spy); err != nil {
		t.Fatal(err)
	}
	lr, ok := spy.got.(*io.LimitedReader)
	if !ok {
		t.Fatalf("ReadFrom got %T, want *io.LimitedReader", spy.got)
	}
	if _, ok := lr.R.(*os.File); !ok {
		t.Errorf("LimitedReader over %T, want *os.File", lr.R)
	}
	if !bytes.Equal(spy.buf.Bytes(), full[5:15]) {
		t.Errorf("range bytes %x, want %x", spy.buf.Bytes(), full[5:15])
	}
	if err := b.UpdateByteRange(0, int(b.Size())); err == nil {
		t.Error("range past the end accepted")
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
}
