package compress

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/valyala/fasthttp"
)

// writeSite writes the document tree testdata/apache/run.sh gives Apache
// (same names, same bytes).
func writeSite(t testing.TB, dir string) {
	t.Helper()
	var css strings.Builder
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&css, ".c%d { color: #%06x; margin: %dpx; }\n", i, i*997%0xffffff, i%40)
	}
	var html strings.Builder
	html.WriteString("<!doctype html><html><head><title>t</title></head><body>\n")
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&html, "<p class=\"c%d\">paragraph %d of the compressible page</p>\n", i, i)
	}
	html.WriteString("</body></html>\n")
	var js strings.Builder
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&js, "function f%d(a){return a+%d;}\n", i, i)
	}
	png := bytes.Repeat(func() []byte {
		b := make([]byte, 256)
		for i := range b {
			b[i] = byte(i)
		}
		return b
	}(), 20)
	files := map[string][]byte{
		"style.css":        []byte(css.String()[:102400]),
		"index.html":       []byte(html.String()),
		"notransform.html": []byte(html.String()),
		"app.js":           []byte(js.String()),
		"tiny.html":        []byte("<p>tiny</p>\n"),
		"edge68.html":      bytes.Repeat([]byte("x"), 68),
		"edge69.html":      bytes.Repeat([]byte("x"), 69),
		"data.txt":         bytes.Repeat([]byte("plain text line\n"), 200),
		"ext/notes.txt":    bytes.Repeat([]byte("plain text line\n"), 200),
		"set/notes.txt":    bytes.Repeat([]byte("plain text line\n"), 200),
		"sub/index.html":   []byte(html.String()),
		"sub/data.txt":     bytes.Repeat([]byte("plain text line\n"), 200),
		"img.png":          png,
	}
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
}

// policies builds the configuration of testdata/apache/httpd.conf's first
// virtual host (DEFLATE before BROTLI_COMPRESS; SetOutputFilter in /set,
// AddOutputFilter .txt in /ext), or the second (brotliFirst).
func policies(t testing.TB, brotliFirst bool) func(dir string) *Policy {
	t.Helper()
	build := func(lines ...string) *conf.CompressDir {
		var b conf.CompressBuilder
		for _, l := range lines {
			f := strings.Fields(l)
			if err := b.Directive(f[0], f[1:]); err != nil {
				t.Fatal(err)
			}
		}
		d, _ := b.Finish()
		return d
	}
	deflate := "AddOutputFilterByType DEFLATE text/html text/css application/javascript"
	brotli := "AddOutputFilterByType BROTLI_COMPRESS text/html text/css application/javascript"
	var top *conf.CompressDir
	if brotliFirst {
		top = build(brotli, deflate)
	} else {
		top = build(deflate, brotli)
	}
	set := NewPolicy(conf.MergeCompressDir(top, build("SetOutputFilter DEFLATE")), nil)
	ext := NewPolicy(conf.MergeCompressDir(top, build("AddOutputFilter DEFLATE .txt")), nil)
	sub := NewPolicy(conf.MergeCompressDir(top, build("AddOutputFilterByType DEFLATE text/plain")), nil)
	root := NewPolicy(top, nil)
	return func(dir string) *Policy {
		switch {
		case brotliFirst:
			return root
		case dir == "set":
			return set
		case dir == "ext":
			return ext
		case dir == "sub":
			return sub
		}
		return root
	}
}

// fileServer is what the site's static path does with this package (the
// integration package doc describes): a reduced site.serveStatic with
// Apache's ETag, If-None-Match / If-Modified-Since, a single Range, and
// the compression steps in their place.
type fileServer struct {
	root     *os.Root
	policy   func(dir string) *Policy
	static   *Static
	sidecars bool
}

var types = map[string]string{
	".html": "text/html", ".css": "text/css", ".js": "text/javascript", // Debian's /etc/mime.types
	".txt": "text/plain", ".png": "image/png",
}

func (s *fileServer) serve(ctx *fasthttp.RequestCtx) {
	name := strings.TrimPrefix(string(ctx.Path()), "/")
	fi, err := s.root.Stat(name)
	if err != nil || !fi.Mode().IsRegular() {
		ctx.Error("Not Found", fasthttp.StatusNotFound) // error pages are never compressed (Apache drops content filters)
		return
	}
	h := &ctx.Response.Header
	ct := types[filepath.Ext(name)]
	h.SetContentType(ct)
	if strings.Contains(name, "notransform") { // Header set Cache-Control no-transform
		h.Set(fasthttp.HeaderCacheControl, "no-transform")
	}
	var tagBuf [64]byte
	etag := append(tagBuf[:0], '"')
	etag = strconv.AppendInt(etag, fi.Size(), 16)
	etag = append(etag, '-')
	etag = strconv.AppendInt(etag, fi.ModTime().UnixMicro(), 16)
	etag = append(etag, '"')
	h.SetCanonical([]byte("ETag"), etag) // as the site does
	h.SetBytesV(fasthttp.HeaderLastModified, fasthttp.AppendHTTPDate(nil, fi.ModTime()))
	h.Set(fasthttp.HeaderAcceptRanges, "bytes")

	dir, _, _ := strings.Cut(name, "/")
	if !strings.Contains(name, "/") {
		dir = ""
	}
	pol := s.policy(dir)
	req := &Request{AcceptEncoding: ctx.Request.Header.Peek(fasthttp.HeaderAcceptEncoding), Name: name}
	switch strings.ToLower(string(ctx.Request.Header.Peek("X-Test-Env"))) { // SetEnvIfNoCase
	case "nogzip":
		req.Env |= NoGzip
	case "nobrotli":
		req.Env |= NoBrotli
	case "gzonly":
		req.Env |= GzipOnlyTextHTML
	}
	d := pol.Decide(req, &Response{
		Status: 200, ContentType: h.ContentType(), CacheControl: h.Peek(fasthttp.HeaderCacheControl), Length: fi.Size(),
	})

	// Preconditions: a tag of any coding of this version matches.
	if inm := ctx.Request.Header.Peek(fasthttp.HeaderIfNoneMatch); len(inm) > 0 {
		var b [64]byte
		if bytes.Equal(AppendTrimmedETag(b[:0], bytes.TrimPrefix(inm, []byte("W/"))), etag) {
			s.notModified(ctx, d, etag)
			return
		}
	} else if ims := ctx.Request.Header.Peek(fasthttp.HeaderIfModifiedSince); len(ims) > 0 {
		if t, err := fasthttp.ParseHTTPDate(ims); err == nil && !fi.ModTime().After(t) {
			s.notModified(ctx, d, etag)
			return
		}
	}

	var size int64
	var ranger interface{ UpdateByteRange(int, int) error }
	if d.Encoding != Identity {
		b, err := s.static.Open(&File{Root: s.root, Name: name, Info: fi, Sidecars: s.sidecars || pol.Sidecars()}, d.Encoding, ParamsOf(pol.Server()))
		if err != nil {
			ctx.Error(err.Error(), 500)
			return
		}
		b.Attach(&ctx.Response, d)
		size, ranger = b.Size(), b
	} else {
		SetHeaders(h, d)
		f, err := s.root.Open(name)
		if err != nil {
			ctx.Error(err.Error(), 500)
			return
		}
		b := s.static.body(f, fi.Size(), false)
		ctx.Response.SetBodyStream(b, int(fi.Size()))
		size, ranger = fi.Size(), b
	}
	if r := ctx.Request.Header.Peek(fasthttp.HeaderRange); len(r) > 0 && ctx.IsGet() {
		var first, last int64
		if n, _ := fmt.Sscanf(string(r), "bytes=%d-%d", &first, &last); n == 2 && !bytes.Contains(r, []byte(",")) && last < size {
			if err := ranger.UpdateByteRange(int(first), int(last)); err == nil {
				h.SetContentLength(int(last - first + 1))
				h.SetContentRange(int(first), int(last), int(size))
				ctx.SetStatusCode(fasthttp.StatusPartialContent)
			}
		}
	}
}

// notModified answers 304 with the validators of the representation the
// request selects, and Vary (RFC 9110 §15.4.5).
func (s *fileServer) notModified(ctx *fasthttp.RequestCtx, d Decision, etag []byte) {
	ctx.Response.Reset()
	ctx.SetStatusCode(fasthttp.StatusNotModified)
	ctx.Response.Header.SetNoDefaultContentType(true)
	var b [80]byte
	if tag := AppendETag(b[:0], etag, d.Encoding, d.AlterETag); len(tag) > 0 {
		ctx.Response.Header.SetBytesV(fasthttp.HeaderETag, tag)
	}
	if d.Vary {
		AddVary(&ctx.Response.Header)
	}
}

// startServer serves h on a loopback listener until the test ends.
func startServer(t testing.TB, h fasthttp.RequestHandler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: h, NoDefaultServerHeader: true, NoDefaultDate: true}
	done := make(chan struct{})
	go func() { _ = srv.Serve(ln); close(done) }()
	t.Cleanup(func() {
		_ = srv.Shutdown()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("server did not stop")
		}
	})
	return ln.Addr().String()
}

func newFileServer(t testing.TB, brotliFirst bool) (*fileServer, string) {
	t.Helper()
	docs := t.TempDir()
	writeSite(t, docs)
	root, err := os.OpenRoot(docs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = root.Close() })
	cache, err := NewCache(CacheOptions{Dir: filepath.Join(t.TempDir(), "cache")}, NewEncoders())
	if err != nil {
		t.Fatal(err)
	}
	return &fileServer{root: root, policy: policies(t, brotliFirst), static: NewStatic(cache)}, docs
}
