package compress

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"sync"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/klauspost/compress/gzip"
	brrr "github.com/molecule-man/go-brrr"
	"github.com/valyala/bytebufferpool"
	"github.com/valyala/fasthttp"
)

// Encoders holds pools of gzip and brotli encoders (per level and window)
// and of the stream wrappers. Make one per process (or per Site) and
// share it; it is safe for concurrent use. Steady-state compression
// through it allocates nothing: encoders are Reset, not rebuilt.
type Encoders struct {
	gz      [10]sync.Pool      // by DeflateCompressionLevel (1-9)
	br      [12 * 15]sync.Pool // by BrotliCompressionQuality (0-11) × BrotliCompressionWindow (10-24)
	writers sync.Pool          // of *Writer
	streams sync.Pool          // of *Stream
	bufs    sync.Pool          // of *[copyBufSize]byte
	bws     sync.Pool          // of *bufio.Writer (copyBufSize)
}

// copyBufSize is the read size from a streamed source (fasthttp's own
// copy buffer is 4 KiB; 32 KiB gives the encoders whole blocks).
const copyBufSize = 32 << 10

// NewEncoders returns empty pools.
func NewEncoders() *Encoders { return &Encoders{} }

// Params are the encoder settings taken from CompressServer. Apache's
// DeflateBufferSize, DeflateMemLevel, DeflateWindowSize and
// BrotliCompressionMaxInputBlock are accepted and range-checked by conf
// but do not change the output: klauspost/compress always uses zlib's
// 32 KiB window and its own buffers, go-brrr picks its block size.
type Params struct {
	GzipLevel     int // 1-9
	BrotliQuality int // 0-11
	BrotliWindow  int // 10-24
}

// ParamsOf returns the encoder settings of a server configuration (nil:
// Apache's defaults).
func ParamsOf(srv *conf.CompressServer) Params {
	if srv == nil {
		d := conf.DefaultCompressServer()
		srv = &d
	}
	return Params{GzipLevel: srv.DeflateLevel, BrotliQuality: srv.BrotliQuality, BrotliWindow: srv.BrotliWindow}
}

func (p Params) normalized() Params {
	if p.GzipLevel < 1 || p.GzipLevel > 9 {
		p.GzipLevel = 6
	}
	if p.BrotliQuality < 0 || p.BrotliQuality > 11 {
		p.BrotliQuality = 5
	}
	if p.BrotliWindow < 10 || p.BrotliWindow > 24 {
		p.BrotliWindow = 18
	}
	return p
}

// A Writer compresses what is written to it into another writer. Get
// one from Encoders.NewWriter and Close it: Close finishes the stream
// and returns the Writer and its encoder to the pools (the Writer must
// not be used afterwards).
type Writer struct {
	e    *Encoders
	enc  Encoding
	pool *sync.Pool
	gz   *gzip.Writer
	br   *brrr.Writer
}

// NewWriter returns a pooled Writer compressing with enc (Gzip or
// Brotli) into dst.
func (e *Encoders) NewWriter(dst io.Writer, enc Encoding, p Params) (*Writer, error) {
	p = p.normalized()
	w, _ := e.writers.Get().(*Writer)
	if w == nil {
		w = &Writer{e: e}
	}
	w.enc = enc
	switch enc {
	case Gzip:
		w.pool = &e.gz[p.GzipLevel]
		if gz, ok := w.pool.Get().(*gzip.Writer); ok {
			gz.Reset(dst)
			w.gz = gz
		} else {
			gz, err := gzip.NewWriterLevel(dst, p.GzipLevel)
			if err != nil {
				e.writers.Put(w)
				return nil, err
			}
			w.gz = gz
		}
	case Brotli:
		w.pool = &e.br[p.BrotliQuality*15+p.BrotliWindow-10]
		if br, ok := w.pool.Get().(*brrr.Writer); ok {
			br.Reset(dst)
			w.br = br
		} else {
			br, err := brrr.NewWriterOptions(dst, p.BrotliQuality, brrr.WriterOptions{LGWin: p.BrotliWindow})
			if err != nil {
				e.writers.Put(w)
				return nil, err
			}
			w.br = br
		}
	default:
		e.writers.Put(w)
		return nil, errors.New("compress: no encoder for " + enc.String())
	}
	return w, nil
}

// Write compresses p.
func (w *Writer) Write(p []byte) (int, error) {
	if w.gz != nil {
		return w.gz.Write(p)
	}
	return w.br.Write(p)
}

// Flush writes what is pending as a complete block (a sync flush), for
// streams that must make progress (server-sent events through a proxy).
func (w *Writer) Flush() error {
	if w.gz != nil {
		return w.gz.Flush()
	}
	return w.br.Flush()
}

// Close finishes the compressed stream (it does not close the
// destination) and recycles the Writer.
func (w *Writer) Close() error {
	var err error
	if w.gz != nil {
		err = w.gz.Close()
		w.gz.Reset(io.Discard) // drop the reference to the destination
		w.pool.Put(w.gz)
	} else if w.br != nil {
		err = w.br.Close()
		w.br.Reset(io.Discard)
		w.pool.Put(w.br)
	}
	e := w.e
	*w = Writer{e: e}
	e.writers.Put(w)
	return err
}

// A Stream is a response body stream that compresses its source while
// fasthttp writes it: fasthttp calls WriteTo (it implements
// fasthttp.BodyWriterTo) with the connection's writer, so the compressed
// bytes go straight out in chunks with no pipe and no goroutine. Read
// works too (for code that reads body streams, such as an HTTP/2
// bridge). Close closes the source (a proxied backend's stream) and
// recycles the Stream.
type Stream struct {
	e      *Encoders
	src    io.Reader
	enc    Encoding
	params Params
	// Read's state: compressed bytes not yet returned.
	out   bytes.Buffer
	w     *Writer
	done  bool
	flush bool
	cw    countingWriter
}

var _ fasthttp.BodyWriterTo = (*Stream)(nil)

// NewStream returns a pooled Stream compressing src with enc. With
// flushEachRead, every read from src that returns data is followed by a
// sync flush, so a slow source (a backend sending events) reaches the
// client at once, at some cost in ratio; Apache's filters flush when the
// proxy passes a FLUSH bucket, that is when the backend pauses.
func (e *Encoders) NewStream(src io.Reader, enc Encoding, p Params, flushEachRead bool) *Stream {
	s, _ := e.streams.Get().(*Stream)
	if s == nil {
		s = &Stream{e: e}
	}
	s.src, s.enc, s.params, s.flush = src, enc, p, flushEachRead
	return s
}

// SupportsBodyWriteTo tells fasthttp to use WriteTo for chunked bodies.
func (s *Stream) SupportsBodyWriteTo() bool { return true }

// WriteTo compresses the whole source into w. The compressed bytes are
// gathered in a 32 KiB buffer before they reach w: fasthttp writes (and
// flushes to the socket) one chunk per Write, and the encoders write in
// small pieces (the gzip header alone is one).
func (s *Stream) WriteTo(w io.Writer) (int64, error) {
	s.cw = countingWriter{w: w}
	bw, _ := s.e.bws.Get().(*bufio.Writer)
	if bw == nil {
		bw = bufio.NewWriterSize(&s.cw, copyBufSize)
	} else {
		bw.Reset(&s.cw)
	}
	defer func() {
		bw.Reset(nil)
		s.e.bws.Put(bw)
	}()
	zw, err := s.e.NewWriter(bw, s.enc, s.params)
	if err != nil {
		return 0, err
	}
	bp := s.e.getBuf()
	defer s.e.bufs.Put(bp)
	buf := bp[:]
	fail := func(err error) (int64, error) {
		_ = zw.Close()
		return s.cw.n, err
	}
	for {
		n, rerr := s.src.Read(buf)
		if n > 0 {
			if _, err := zw.Write(buf[:n]); err != nil {
				return fail(err)
			}
			if s.flush {
				if err := zw.Flush(); err != nil {
					return fail(err)
				}
				if err := bw.Flush(); err != nil {
					return fail(err)
				}
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return fail(rerr)
		}
	}
	if err := zw.Close(); err != nil {
		return s.cw.n, err
	}
	err = bw.Flush()
	return s.cw.n, err
}

// Read returns compressed bytes (the slow path; fasthttp uses WriteTo).
func (s *Stream) Read(p []byte) (int, error) {
	for s.out.Len() == 0 {
		if s.done {
			return 0, io.EOF
		}
		if s.w == nil {
			w, err := s.e.NewWriter(&s.out, s.enc, s.params)
			if err != nil {
				return 0, err
			}
			s.w = w
		}
		bp := s.e.getBuf()
		n, rerr := s.src.Read(bp[:])
		if n > 0 {
			if _, err := s.w.Write(bp[:n]); err != nil {
				s.e.bufs.Put(bp)
				return 0, err
			}
			if s.flush {
				_ = s.w.Flush()
			}
		}
		s.e.bufs.Put(bp)
		if rerr == io.EOF {
			err := s.w.Close()
			s.w, s.done = nil, true
			if err != nil {
				return 0, err
			}
		} else if rerr != nil {
			return 0, rerr
		}
	}
	return s.out.Read(p)
}

// Close closes the source when it is an io.Closer and recycles s.
func (s *Stream) Close() error {
	var err error
	if c, ok := s.src.(io.Closer); ok {
		err = c.Close()
	}
	if s.w != nil {
		_ = s.w.Close()
	}
	e := s.e
	s.out.Reset()
	out := s.out
	*s = Stream{e: e, out: out}
	e.streams.Put(s)
	return err
}

func (e *Encoders) getBuf() *[copyBufSize]byte {
	if b, ok := e.bufs.Get().(*[copyBufSize]byte); ok {
		return b
	}
	return new([copyBufSize]byte)
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

var (
	hdrVary            = []byte(fasthttp.HeaderVary)
	hdrContentEncoding = []byte(fasthttp.HeaderContentEncoding)
	valAcceptEncoding  = []byte("Accept-Encoding")
	// hdrETag is the site's spelling (it stores "ETag" with SetCanonical,
	// as Apache writes it); fasthttp's normalized one is "Etag".
	hdrETag = []byte("ETag")
)

// etagOf returns the response's ETag, and whether it is stored under the
// site's "ETag" spelling rather than fasthttp's "Etag".
func etagOf(h *fasthttp.ResponseHeader) ([]byte, bool) {
	if v := h.PeekCanonical(hdrETag); len(v) > 0 {
		return v, true
	}
	return h.Peek(fasthttp.HeaderETag), false
}

// delETag deletes the ETag under either spelling (Del normalizes its
// key, so the "ETag" spelling needs normalizing off for a moment).
func delETag(h *fasthttp.ResponseHeader) {
	if !h.DisableNormalizing() {
		h.Del("ETag")
		h.EnableNormalizing()
	}
	h.Del(fasthttp.HeaderETag)
}

// ErrBodyStream is Apply's answer for a response whose body is already a
// stream: fasthttp cannot take a stream back out of a response without
// closing it, so the code that sets the stream (the proxy) must wrap it
// first with SetHeaders and NewStream.
var ErrBodyStream = errors.New("compress: response body is a stream: wrap it with NewStream before SetBodyStream")

// SetHeaders carries out a Decision on the response headers: it merges
// Vary, and for a coding sets Content-Encoding, alters the ETag and drops
// Content-Length and Content-MD5. The body is the caller's: for a stream
// (a proxied body),
//
//	compress.SetHeaders(&ctx.Response.Header, d)
//	if d.Encoding != compress.Identity {
//		body = enc.NewStream(body, d.Encoding, params, false)
//		size = -1
//	}
//	ctx.Response.SetBodyStream(body, size)
//
// (the Stream is compressed while fasthttp writes it, chunked, with no
// pipe or goroutine; fasthttp closes it, which closes body).
func SetHeaders(h *fasthttp.ResponseHeader, d Decision) {
	if d.Vary {
		AddVary(h)
	}
	if d.Encoding == Identity {
		return
	}
	h.SetCanonical(hdrContentEncoding, []byte(d.Encoding.Token()))
	if d.AlterETag != conf.ETagNoChange {
		if old, apache := etagOf(h); len(old) > 0 {
			var buf [96]byte
			tag := AppendETag(buf[:0], old, d.Encoding, d.AlterETag)
			if len(tag) == 0 {
				delETag(h)
			} else if apache {
				h.SetCanonical(hdrETag, tag)
			} else {
				h.SetBytesV(fasthttp.HeaderETag, tag)
			}
		}
	}
	h.Del("Content-MD5")
	h.SetContentLength(-1)
}

// Apply carries out a Decision on a response a handler produced in
// memory: SetHeaders, then the body is compressed at once into the
// response's own buffer (which sets Content-Length). A HEAD response
// (SkipBody) keeps no body and no Content-Length. A response whose body
// is a stream gets ErrBodyStream and is left as it was.
func (e *Encoders) Apply(resp *fasthttp.Response, d Decision, p Params) error {
	if d.Encoding != Identity && resp.IsBodyStream() {
		return ErrBodyStream
	}
	SetHeaders(&resp.Header, d)
	if d.Encoding == Identity || resp.SkipBody {
		return nil
	}
	bb := bytebufferpool.Get()
	defer bytebufferpool.Put(bb)
	w, err := e.NewWriter(bb, d.Encoding, p)
	if err != nil {
		return err
	}
	if _, err := w.Write(resp.Body()); err != nil {
		_ = w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	resp.SetBody(bb.B) // copies into the response's buffer
	resp.Header.SetContentLength(len(bb.B))
	return nil
}

// AddVary merges "Accept-Encoding" into the response's Vary header, once
// (apr_table_mergen), without allocating when it is already there.
func AddVary(h *fasthttp.ResponseHeader) {
	v := h.PeekCanonical(hdrVary)
	if len(v) == 0 {
		h.SetCanonical(hdrVary, valAcceptEncoding)
		return
	}
	if hasToken(v, "accept-encoding") || hasToken(v, "*") {
		return
	}
	var buf [128]byte
	h.SetCanonical(hdrVary, append(append(append(buf[:0], v...), ", "...), valAcceptEncoding...))
}
