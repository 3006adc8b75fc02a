package compress

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"sync"

	"github.com/valyala/fasthttp"
)

// Static serves the coded representations of static files: a
// precompressed sidecar when PrecompressedSidecars allows it and it is
// current, else the Cache's copy. It is safe for concurrent use.
type Static struct {
	cache  *Cache
	bodies sync.Pool // of *Body
}

// NewStatic returns a Static over a cache (nil: sidecars only).
func NewStatic(cache *Cache) *Static { return &Static{cache: cache} }

// File is the static file whose coded representation is wanted.
type File struct {
	// Root is the DocumentRoot (or the Alias target) the file is in, and
	// Name its name relative to Root (the mapped file name).
	Root *os.Root
	Name string
	// Info is the file's current metadata (size and modification time:
	// the validators of the identity representation).
	Info fs.FileInfo
	// Sidecars is Policy.Sidecars(): look for Name+".gz" / Name+".br"
	// first.
	Sidecars bool
}

// Open returns a body with the e-coded representation of f. A sidecar
// (x.css.br for Brotli, x.css.gz for Gzip) is used when allowed, a
// regular file, and not older than f (nginx's gzip_static also serves
// stale ones; gohttpd does not). Otherwise the cache's copy is used,
// made on the first request. On error (ErrTooLarge, I/O) send the
// identity representation or compress on the fly.
func (s *Static) Open(f *File, e Encoding, p Params) (*Body, error) {
	if f.Sidecars {
		if b := s.sidecar(f, e); b != nil {
			return b, nil
		}
	}
	if s.cache == nil {
		return nil, errors.New("compress: no cache")
	}
	file, size, err := s.cache.Open(f.Root, f.Name, f.Info, e, p)
	if err != nil {
		return nil, err
	}
	return s.body(file, size, false), nil
}

func (s *Static) sidecar(f *File, e Encoding) *Body {
	var suffix string
	switch e {
	case Gzip:
		suffix = ".gz"
	case Brotli:
		suffix = ".br"
	default:
		return nil
	}
	sc, err := f.Root.Open(f.Name + suffix)
	if err != nil {
		return nil
	}
	st, err := sc.Stat()
	if err != nil || !st.Mode().IsRegular() || st.ModTime().Before(f.Info.ModTime()) {
		_ = sc.Close()
		return nil
	}
	return s.body(sc, st.Size(), true)
}

func (s *Static) body(f *os.File, size int64, sidecar bool) *Body {
	b, _ := s.bodies.Get().(*Body)
	if b == nil {
		b = &Body{s: s}
	}
	b.f, b.size, b.sidecar = f, size, sidecar
	b.lr = io.LimitedReader{R: f, N: size}
	return b
}

// A Body is an open coded representation, to be given to fasthttp as
// the response's body stream (Attach). fasthttp sends it with sendfile
// (it hands the file inside an io.LimitedReader to the connection's
// ReadFrom), so serving it costs no user-space copy; fasthttp closes it,
// which closes the file and recycles the Body.
type Body struct {
	s       *Static
	f       *os.File
	size    int64
	sidecar bool
	lr      io.LimitedReader
}

var _ fasthttp.BodyWriterTo = (*Body)(nil)

// Size is the coded representation's length (its Content-Length).
func (b *Body) Size() int64 { return b.size }

// Sidecar reports whether the body is a precompressed sidecar file.
func (b *Body) Sidecar() bool { return b.sidecar }

// File is the open file (for a multipart/byteranges body: ReadAt).
func (b *Body) File() *os.File { return b.f }

// Read reads the (remaining, ranged) body.
func (b *Body) Read(p []byte) (int, error) { return b.lr.Read(p) }

// SupportsBodyWriteTo lets fasthttp call WriteTo.
func (b *Body) SupportsBodyWriteTo() bool { return true }

// WriteTo gives fasthttp's writer the file in an io.LimitedReader, which
// its ReadFrom turns into sendfile on a TCP connection.
func (b *Body) WriteTo(w io.Writer) (int64, error) {
	if rf, ok := w.(io.ReaderFrom); ok {
		return rf.ReadFrom(&b.lr)
	}
	return io.Copy(w, &b.lr)
}

// UpdateByteRange narrows the body to bytes [start, end] of the coded
// representation (site.serveRange's single-range hook, the interface
// fasthttp.FS's readers have): Apache's byterange filter runs after the
// compressors, so a Range applies to the compressed bytes (Apache 2.4.71:
// "Range: bytes=0-99" with gzip gives 206, "Content-Range: bytes
// 0-99/2186").
func (b *Body) UpdateByteRange(start, end int) error {
	if start < 0 || end < start || int64(end) >= b.size {
		return errors.New("compress: byte range out of bounds")
	}
	if _, err := b.f.Seek(int64(start), io.SeekStart); err != nil {
		return err
	}
	b.lr = io.LimitedReader{R: b.f, N: int64(end - start + 1)}
	return nil
}

// Close closes the file and recycles the Body.
func (b *Body) Close() error {
	err := b.f.Close()
	s := b.s
	*b = Body{s: s}
	s.bodies.Put(b)
	return err
}

// Attach makes b the response's body with the headers of decision d:
// Vary, Content-Encoding, the altered ETag (see SetHeaders) and
// Content-Length = b.Size(). Call it on the 200 response the static
// handler made for the identity file (its ETag already set), after the
// preconditions (a 304 needs no body) and before the Range is applied.
func (b *Body) Attach(resp *fasthttp.Response, d Decision) {
	SetHeaders(&resp.Header, d)
	resp.SetBodyStream(b, int(b.size))
}
