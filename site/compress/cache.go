package compress

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultCacheDir is the cache directory used when CompressCacheDir is
// not set: a directory of its own under the server's runtime directory
// (DefaultRuntimeDir, by default ServerRoot's logs/), never the
// DocumentRoot.
func DefaultCacheDir(runtimeDir string) string {
	return filepath.Join(runtimeDir, "gohttpd-compress")
}

// CacheOptions configure a Cache.
type CacheOptions struct {
	// Dir is the cache directory, created (0700) when missing. Every
	// process serving the site (the children) may share it.
	Dir string
	// MaxBytes bounds the bytes of compressed copies kept (default
	// conf.DefaultCacheMaxBytes). Each process enforces it over the whole
	// directory when it adds an entry that crosses it.
	MaxBytes int64
	// MaxFileSize: files larger than this are not cached (Open answers
	// ErrTooLarge; compress them on the fly with a Stream, or send them
	// as they are). Default MaxBytes/8.
	MaxFileSize int64
}

// ErrTooLarge is Cache.Open's answer for a file above MaxFileSize.
var ErrTooLarge = errors.New("compress: file too large for the cache")

// errChanged: the file changed while it was being compressed.
var errChanged = errors.New("compress: file changed while it was compressed")

// A Cache keeps compressed copies of static files on disk, one file per
// (file path, size, modification time, coding, level), so that each
// version of a file is compressed once and then sent with sendfile. A
// changed file has a new key: its old copies are never served again
// (those this process made are removed at once; others age out). Entries
// are written to a temporary file in the directory and renamed into
// place, so readers never see a partial copy and several processes may
// create the same entry at once (the last rename wins; both copies are
// the same bytes). It is safe for concurrent use.
type Cache struct {
	dir     string
	max     int64
	maxFile int64
	enc     *Encoders

	mu       sync.Mutex
	used     map[string]int64  // entry name → last use (UnixNano), this process's view
	byPath   map[string]string // path + coding + level → current entry name
	inflight map[string]*flight
	names    map[nameKey]string // memo of entryName: no hashing per request
	total    int64              // bytes added since the last scan, plus the scan's total
	evicting bool
	now      func() time.Time
}

type flight struct {
	done chan struct{}
	err  error
}

// NewCache opens (creating it if needed) a cache directory.
func NewCache(o CacheOptions, enc *Encoders) (*Cache, error) {
	if o.Dir == "" || !filepath.IsAbs(o.Dir) {
		return nil, fmt.Errorf("compress: cache directory %q is not an absolute path", o.Dir)
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 256 << 20
	}
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = o.MaxBytes / 8
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("compress: cache directory: %w", err)
	}
	if enc == nil {
		enc = NewEncoders()
	}
	c := &Cache{
		dir: o.Dir, max: o.MaxBytes, maxFile: o.MaxFileSize, enc: enc,
		used: map[string]int64{}, byPath: map[string]string{}, inflight: map[string]*flight{},
		names: map[nameKey]string{},
		now:   time.Now,
	}
	c.evict()
	return c, nil
}

// nameKey identifies a version of a file and its coding.
type nameKey struct {
	path  string
	size  int64
	mtime int64
	enc   Encoding
	p     Params
}

// name returns the memoized entryName (the memo is dropped when it grows
// past 64k versions).
func (c *Cache) name(k nameKey, mtime time.Time) string {
	c.mu.Lock()
	n, ok := c.names[k]
	c.mu.Unlock()
	if ok {
		return n
	}
	n = entryName(k.path, k.size, mtime, k.enc, k.p)
	c.mu.Lock()
	if len(c.names) >= 1<<16 {
		clear(c.names)
	}
	c.names[k] = n
	c.mu.Unlock()
	return n
}

// entryName is the cache file name of a version of a file.
func entryName(path string, size int64, mtime time.Time, e Encoding, p Params) string {
	h := sha256.New()
	var b [128]byte
	k := append(b[:0], path...)
	k = append(k, 0)
	k = strconv.AppendInt(k, size, 10)
	k = append(k, 0)
	k = strconv.AppendInt(k, mtime.UnixNano(), 10)
	k = append(k, 0, byte(e), byte(p.GzipLevel), byte(p.BrotliQuality), byte(p.BrotliWindow))
	h.Write(k)
	var sum [sha256.Size]byte
	name := hex.EncodeToString(h.Sum(sum[:0])[:20])
	if e == Brotli {
		return name + ".br"
	}
	return name + ".gz"
}

// Open returns the e-coded copy of the file name under root (whose
// current metadata is fi), compressing it first when no current copy
// exists. The caller owns the returned file (sendfile it, then close it).
func (c *Cache) Open(root *os.Root, name string, fi fs.FileInfo, e Encoding, p Params) (*os.File, int64, error) {
	if e != Gzip && e != Brotli {
		return nil, 0, errors.New("compress: no cache for " + e.String())
	}
	if fi.Size() > c.maxFile {
		return nil, 0, ErrTooLarge
	}
	p = p.normalized()
	full := filepath.Join(root.Name(), name)
	ent := c.name(nameKey{full, fi.Size(), fi.ModTime().UnixNano(), e, p}, fi.ModTime())
	path := filepath.Join(c.dir, ent)
	for range 3 {
		if f, size, err := c.openEntry(ent, path); err == nil {
			return f, size, nil
		}
		if err := c.create(root, name, full, fi, e, p, ent, path); err != nil {
			return nil, 0, err
		}
	}
	return nil, 0, fmt.Errorf("compress: cache entry for %s keeps disappearing", full)
}

func (c *Cache) openEntry(ent, path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		c.mu.Lock()
		delete(c.used, ent)
		c.mu.Unlock()
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		_ = f.Close()
		return nil, 0, errors.New("compress: bad cache entry")
	}
	c.mu.Lock()
	if _, ok := c.used[ent]; !ok {
		c.total += st.Size()
	}
	c.used[ent] = c.now().UnixNano()
	c.mu.Unlock()
	return f, st.Size(), nil
}

// create makes the entry once per process at a time (concurrent requests
// for it wait for the first).
func (c *Cache) create(root *os.Root, name, full string, fi fs.FileInfo, e Encoding, p Params, ent, path string) error {
	c.mu.Lock()
	if fl, ok := c.inflight[ent]; ok {
		c.mu.Unlock()
		<-fl.done
		return fl.err
	}
	fl := &flight{done: make(chan struct{})}
	c.inflight[ent] = fl
	c.mu.Unlock()

	size, err := c.write(root, name, fi, e, p, path)

	c.mu.Lock()
	delete(c.inflight, ent)
	if err == nil {
		key := fmt.Sprintf("%s\x00%s\x00%d.%d.%d", full, e.Token(), p.GzipLevel, p.BrotliQuality, p.BrotliWindow)
		if old, ok := c.byPath[key]; ok && old != ent {
			// the previous version of this file: never served again
			_ = os.Remove(filepath.Join(c.dir, old))
			delete(c.used, old)
		}
		c.byPath[key] = ent
		c.used[ent] = c.now().UnixNano()
		c.total += size
	}
	over := c.total > c.max
	c.mu.Unlock()
	fl.err = err
	close(fl.done)
	if over {
		c.evict()
	}
	return err
}

func (c *Cache) write(root *os.Root, name string, fi fs.FileInfo, e Encoding, p Params, path string) (int64, error) {
	src, err := root.Open(name)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(c.dir, ".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("compress: cache: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	w, err := c.enc.NewWriter(tmp, e, p)
	if err != nil {
		return 0, err
	}
	bp := c.enc.getBuf()
	_, err = io.CopyBuffer(struct{ io.Writer }{w}, struct{ io.Reader }{src}, bp[:])
	c.enc.bufs.Put(bp)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("compress: cache: %w", err)
	}
	// The copy is of the version fi describes only if the file did not
	// change meanwhile.
	if st, err := src.Stat(); err != nil || st.Size() != fi.Size() || !st.ModTime().Equal(fi.ModTime()) {
		return 0, errChanged
	}
	st, err := tmp.Stat()
	if err != nil {
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, fmt.Errorf("compress: cache: %w", err)
	}
	ok = true
	return st.Size(), nil
}

// evict scans the directory (every process's entries), removes
// temporary files left by crashed writers, and removes the least recently
// used entries (this process's last use, else the file's modification
// time) until the total is under 90% of the bound. The scan runs outside
// the lock (requests keep being served), one at a time per process.
func (c *Cache) evict() {
	c.mu.Lock()
	if c.evicting {
		c.mu.Unlock()
		return
	}
	c.evicting = true
	used := maps.Clone(c.used)
	c.mu.Unlock()

	des, err := os.ReadDir(c.dir)
	type item struct {
		name string
		size int64
		used int64
	}
	items := make([]item, 0, len(des))
	var total int64
	now := c.now()
	for _, de := range des {
		info, err := de.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		n := de.Name()
		if strings.HasPrefix(n, ".tmp-") {
			if now.Sub(info.ModTime()) > time.Minute {
				_ = os.Remove(filepath.Join(c.dir, n))
			}
			continue
		}
		if !strings.HasSuffix(n, ".gz") && !strings.HasSuffix(n, ".br") {
			continue
		}
		u, ok := used[n]
		if !ok {
			u = info.ModTime().UnixNano()
		}
		items = append(items, item{n, info.Size(), u})
		total += info.Size()
	}
	var removed []string
	if total > c.max {
		slices.SortFunc(items, func(a, b item) int { return cmp.Compare(a.used, b.used) })
		for _, it := range items {
			if total <= c.max/10*9 {
				break
			}
			if err := os.Remove(filepath.Join(c.dir, it.name)); err == nil || errors.Is(err, fs.ErrNotExist) {
				total -= it.size
				removed = append(removed, it.name)
			}
		}
	}

	c.mu.Lock()
	for _, n := range removed {
		delete(c.used, n)
	}
	if err == nil {
		c.total = total
	}
	c.evicting = false
	c.mu.Unlock()
}

// Size returns the bytes of compressed copies in the directory as this
// process last counted them.
func (c *Cache) Size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}
