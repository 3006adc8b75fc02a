package compress

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	brrr "github.com/molecule-man/go-brrr"
	"github.com/valyala/fasthttp"
)

// apacheCase is one request of testdata/apache/matrix.sh and what Apache
// 2.4.71 (Debian; mod_deflate, mod_brotli, mod_filter, mod_setenvif)
// answered, recorded on 2026-12-02 with
//
//	testdata/apache/run.sh            # starts Apache on 127.0.0.1:18461/18462
//	testdata/apache/matrix.sh 127.0.0.1:18461
//
// etag is which ETag came back: "base" (the identity one, "size-mtime"),
// "gzip"/"br" (the base with -gzip/-br inside the quotes) or "" (none);
// length is "id" (the file's size), "coded" (the compressed size:
// zlib's and klauspost's bytes differ, so only its presence and that it
// is smaller are compared; for tiny bodies brotli grows them), "range"
// (the range's size) or "" (no Content-Length).
type apacheCase struct {
	name, method, path string
	hdrs               []string
	status             int
	ce, vary, etag     string
	length             string
	rangeOf            string // Content-Range "bytes 0-99/" + total kind ("coded", "id")
	diff               string // a deliberate difference: why
}

var deflateFirst = []apacheCase{
	{name: "html-none", method: "GET", path: "/index.html", status: 200, vary: "Accept-Encoding", etag: "base", length: "id"},
	{name: "html-gzip", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip"}, status: 200, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "coded"},
	{name: "html-br", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: br"}, status: 200, ce: "br", vary: "Accept-Encoding", etag: "br", length: "coded"},
	{name: "html-both", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip, br"}, status: 200, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "coded"},
	{name: "html-both-rev", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: br, gzip"}, status: 200, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "coded"},
	{name: "html-deflate", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: deflate"}, status: 200, vary: "Accept-Encoding", etag: "base", length: "id"},
	{name: "html-identity", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: identity"}, status: 200, vary: "Accept-Encoding", etag: "base", length: "id"},
	{name: "html-star", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: *"}, status: 200, vary: "Accept-Encoding", etag: "base", length: "id"},
	{name: "html-gzip-q0", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip;q=0, br"}, status: 200, ce: "br", vary: "Accept-Encoding", etag: "br", length: "coded"},
	{name: "html-br-q0", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip, br;q=0"}, status: 200, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "coded"},
	{name: "html-both-q0", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip;q=0, br;q=0"}, status: 200, vary: "Accept-Encoding", etag: "base", length: "id"},
	{name: "html-gzip-q000", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip;q=0.000"}, status: 200, vary: "Accept-Encoding", etag: "base", length: "id"},
	{name: "html-gzip-q05", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip;q=0.5"}, status: 200, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "coded"},
	{name: "html-gzip-q0space", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip; q=0"}, status: 200, vary: "Accept-Encoding", etag: "base", length: "id"},
	{name: "html-GZIP", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: GZIP"}, status: 200, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "coded"},
	{name: "html-xgzip", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: x-gzip"}, status: 200, vary: "Accept-Encoding", etag: "base", length: "id"},
	{name: "html-star-gzipq0", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: *;q=0, gzip"}, status: 200, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "coded"},
	{name: "css-gzip", method: "GET", path: "/style.css", hdrs: []string{"Accept-Encoding: gzip"}, status: 200, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "coded"},
	// Debian's mime.types says text/javascript for .js: not listed, no Vary.
	{name: "js-br", method: "GET", path: "/app.js", hdrs: []string{"Accept-Encoding: br"}, status: 200, etag: "base", length: "id"},
	{name: "txt-gzip", method: "GET", path: "/data.txt", hdrs: []string{"Accept-Encoding: gzip"}, status: 200, etag: "base", length: "id"},
	{name: "png-gzip", method: "GET", path: "/img.png", hdrs: []string{"Accept-Encoding: gzip"}, status: 200, etag: "base", length: "id"},
	// DEFLATE skips bodies of at most 68 bytes (Vary comes from BROTLI_COMPRESS).
	{name: "tiny-gzip", method: "GET", path: "/tiny.html", hdrs: []string{"Accept-Encoding: gzip"}, status: 200, vary: "Accept-Encoding", etag: "base", length: "id"},
	{name: "tiny-br", method: "GET", path: "/tiny.html", hdrs: []string{"Accept-Encoding: br"}, status: 200, ce: "br", vary: "Accept-Encoding", etag: "br", length: "coded"},
	{name: "edge68-gzip", method: "GET", path: "/edge68.html", hdrs: []string{"Accept-Encoding: gzip"}, status: 200, vary: "Accept-Encoding", etag: "base", length: "id"},
	{name: "edge69-gzip", method: "GET", path: "/edge69.html", hdrs: []string{"Accept-Encoding: gzip"}, status: 200, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "coded"},
	{name: "edge68-br", method: "GET", path: "/edge68.html", hdrs: []string{"Accept-Encoding: br"}, status: 200, ce: "br", vary: "Accept-Encoding", etag: "br", length: "coded"},
	// HEAD: compressed headers, with the compressed length.
	{name: "head-gzip", method: "HEAD", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip"}, status: 200, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "coded"},
	{name: "head-br", method: "HEAD", path: "/index.html", hdrs: []string{"Accept-Encoding: br"}, status: 200, ce: "br", vary: "Accept-Encoding", etag: "br", length: "coded"},
	{name: "head-none", method: "HEAD", path: "/index.html", status: 200, vary: "Accept-Encoding", etag: "base", length: "id"},
	// Ranges apply to the compressed bytes (the byterange filter runs after the compressors).
	{name: "range-gzip", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip", "Range: bytes=0-99"}, status: 206, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "range", rangeOf: "coded"},
	{name: "range-br", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: br", "Range: bytes=0-99"}, status: 206, ce: "br", vary: "Accept-Encoding", etag: "br", length: "range", rangeOf: "coded"},
	{name: "range-none", method: "GET", path: "/index.html", hdrs: []string{"Range: bytes=0-99"}, status: 206, vary: "Accept-Encoding", etag: "base", length: "range", rangeOf: "id"},
	// Conditional requests.
	{name: "inm-plain-gzip", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip", "If-None-Match: $E"}, status: 304, etag: "gzip", vary: "Accept-Encoding",
		diff: "Apache: 304 with the base ETag and no Vary; gohttpd gives the 304 the validators of the representation the request selects and Vary (RFC 9110 §15.4.5)"},
	{name: "inm-gzip-gzip", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip", "If-None-Match: $EG"}, status: 304, etag: "gzip", vary: "Accept-Encoding",
		diff: "Apache: 200 with the whole body (bug 45023: the -gzip tag never matches); gohttpd: 304"},
	{name: "inm-br-br", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: br", "If-None-Match: $EB"}, status: 304, etag: "br", vary: "Accept-Encoding",
		diff: "Apache: 200 with the whole body; gohttpd: 304"},
	{name: "inm-gzip-none", method: "GET", path: "/index.html", hdrs: []string{"If-None-Match: $EG"}, status: 304, etag: "base", vary: "Accept-Encoding",
		diff: "Apache: 200; gohttpd: 304 (the tag names this version of the file)"},
	{name: "inm-plain-none", method: "GET", path: "/index.html", hdrs: []string{"If-None-Match: $E"}, status: 304, etag: "base", vary: "Accept-Encoding",
		diff: "Apache: no Vary on the 304"},
	{name: "ims-gzip", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip", "If-Modified-Since: $LM"}, status: 304, etag: "gzip", vary: "Accept-Encoding",
		diff: "Apache: base ETag, no Vary"},
	// The environment.
	{name: "nogzip-gzip", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip", "X-Test-Env: nogzip"}, status: 200, vary: "Accept-Encoding", etag: "base", length: "id"},
	{name: "nogzip-both", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip, br", "X-Test-Env: nogzip"}, status: 200, ce: "br", vary: "Accept-Encoding", etag: "br", length: "coded"},
	{name: "nobrotli-both", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip, br", "X-Test-Env: nobrotli"}, status: 200, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "coded"},
	{name: "nobrotli-br", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: br", "X-Test-Env: nobrotli"}, status: 200, vary: "Accept-Encoding", etag: "base", length: "id"},
	{name: "gzonly-css", method: "GET", path: "/style.css", hdrs: []string{"Accept-Encoding: gzip", "X-Test-Env: gzonly"}, status: 200, vary: "Accept-Encoding", etag: "base", length: "id"},
	{name: "gzonly-css-br", method: "GET", path: "/style.css", hdrs: []string{"Accept-Encoding: br", "X-Test-Env: gzonly"}, status: 200, ce: "br", vary: "Accept-Encoding", etag: "br", length: "coded"},
	{name: "gzonly-html", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip", "X-Test-Env: gzonly"}, status: 200, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "coded"},
	// SetOutputFilter and AddOutputFilter.
	{name: "set-txt-gzip", method: "GET", path: "/set/notes.txt", hdrs: []string{"Accept-Encoding: gzip"}, status: 200, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "coded"},
	{name: "ext-txt-gzip", method: "GET", path: "/ext/notes.txt", hdrs: []string{"Accept-Encoding: gzip"}, status: 200, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "coded"},
	{name: "ext-txt-br", method: "GET", path: "/ext/notes.txt", hdrs: []string{"Accept-Encoding: br"}, status: 200, vary: "Accept-Encoding", etag: "base", length: "id"},
	// mod_filter's merge: a <Directory> naming DEFLATE again replaces its
	// types; DEFLATE keeps its place before BROTLI_COMPRESS.
	{name: "sub-html-gzip", method: "GET", path: "/sub/index.html", hdrs: []string{"Accept-Encoding: gzip"}, status: 200, vary: "Accept-Encoding", etag: "base", length: "id"},
	{name: "sub-html-both", method: "GET", path: "/sub/index.html", hdrs: []string{"Accept-Encoding: gzip, br"}, status: 200, ce: "br", vary: "Accept-Encoding", etag: "br", length: "coded"},
	{name: "sub-txt-gzip", method: "GET", path: "/sub/data.txt", hdrs: []string{"Accept-Encoding: gzip"}, status: 200, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "coded"},
	{name: "sub-txt-both", method: "GET", path: "/sub/data.txt", hdrs: []string{"Accept-Encoding: gzip, br"}, status: 200, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "coded"},
	// Cache-Control: no-transform (Header set): Apache compresses anyway.
	{name: "notransform-gzip", method: "GET", path: "/notransform.html", hdrs: []string{"Accept-Encoding: gzip"}, status: 200, etag: "base", length: "id",
		diff: "Apache: gzip, -gzip ETag, Vary; gohttpd honours no-transform (RFC 9110 §7.7)"},
	{name: "missing-gzip", method: "GET", path: "/nope.html", hdrs: []string{"Accept-Encoding: gzip"}, status: 404},
}

// brotliFirst: the second virtual host (BROTLI_COMPRESS named first):
// br wins when both are accepted, all else as above.
var brotliFirst = []apacheCase{
	{name: "html-both", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip, br"}, status: 200, ce: "br", vary: "Accept-Encoding", etag: "br", length: "coded"},
	{name: "html-both-rev", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: br, gzip"}, status: 200, ce: "br", vary: "Accept-Encoding", etag: "br", length: "coded"},
	{name: "html-gzip", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip"}, status: 200, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "coded"},
	{name: "html-br-q0", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip, br;q=0"}, status: 200, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "coded"},
	{name: "tiny-gzip", method: "GET", path: "/tiny.html", hdrs: []string{"Accept-Encoding: gzip"}, status: 200, vary: "Accept-Encoding", etag: "base", length: "id"},
	{name: "nogzip-both", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip, br", "X-Test-Env: nogzip"}, status: 200, ce: "br", vary: "Accept-Encoding", etag: "br", length: "coded"},
	{name: "nobrotli-both", method: "GET", path: "/index.html", hdrs: []string{"Accept-Encoding: gzip, br", "X-Test-Env: nobrotli"}, status: 200, ce: "gzip", vary: "Accept-Encoding", etag: "gzip", length: "coded"},
}

func TestApacheDeflateFirst(t *testing.T) { runApache(t, false, deflateFirst) }
func TestApacheBrotliFirst(t *testing.T)  { runApache(t, true, brotliFirst) }

func runApache(t *testing.T, brFirst bool, cases []apacheCase) {
	fsrv, docs := newFileServer(t, brFirst)
	addr := startServer(t, fsrv.serve)
	c := &fasthttp.Client{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fi, err := os.Stat(filepath.Join(docs, strings.TrimPrefix(tc.path, "/")))
			var base, lm string
			if err == nil {
				lm = string(fasthttp.AppendHTTPDate(nil, fi.ModTime()))
				base = `"` + strconv.FormatInt(fi.Size(), 16) + "-" + strconv.FormatInt(fi.ModTime().UnixMicro(), 16) + `"`
			}
			req := fasthttp.AcquireRequest()
			resp := fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.SetRequestURI("http://" + addr + tc.path)
			req.Header.SetMethod(tc.method)
			for _, h := range tc.hdrs {
				k, v, _ := strings.Cut(h, ": ")
				v = strings.NewReplacer("$EG", strings.TrimSuffix(base, `"`)+`-gzip"`, "$EB", strings.TrimSuffix(base, `"`)+`-br"`,
					"$E", base, "$LM", lm).Replace(v)
				req.Header.Set(k, v)
			}
			if tc.method == "HEAD" {
				resp.SkipBody = true
			}
			if err := c.DoTimeout(req, resp, 10*time.Second); err != nil {
				t.Fatal(err)
			}
			h := &resp.Header
			if resp.StatusCode() != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode(), tc.status)
			}
			if got := string(h.Peek("Content-Encoding")); got != tc.ce {
				t.Errorf("Content-Encoding %q, want %q", got, tc.ce)
			}
			if got := string(h.Peek("Vary")); got != tc.vary {
				t.Errorf("Vary %q, want %q", got, tc.vary)
			}
			wantTag := ""
			switch tc.etag {
			case "base":
				wantTag = base
			case "gzip", "br":
				wantTag = strings.TrimSuffix(base, `"`) + "-" + tc.etag + `"`
			}
			if got := string(h.Peek("ETag")); got != wantTag {
				t.Errorf("ETag %q, want %q", got, wantTag)
			}
			cl := h.ContentLength()
			switch tc.length {
			case "id":
				if int64(cl) != fi.Size() {
					t.Errorf("Content-Length %d, want %d", cl, fi.Size())
				}
			case "coded":
				if cl <= 0 || (fi.Size() > 100 && int64(cl) >= fi.Size()) {
					t.Errorf("Content-Length %d for a %d-byte file", cl, fi.Size())
				}
			case "range":
				if cl != 100 {
					t.Errorf("Content-Length %d, want 100", cl)
				}
			}
			if tc.rangeOf != "" {
				cr := string(h.Peek("Content-Range"))
				total, _ := strconv.ParseInt(cr[strings.LastIndexByte(cr, '/')+1:], 10, 64)
				if !strings.HasPrefix(cr, "bytes 0-99/") || (tc.rangeOf == "id") != (total == fi.Size()) {
					t.Errorf("Content-Range %q (file %d bytes, range of %s)", cr, fi.Size(), tc.rangeOf)
				}
			}
			// The body decodes to the file.
			if tc.method == "GET" && tc.status == 200 && fi != nil {
				want, _ := os.ReadFile(filepath.Join(docs, strings.TrimPrefix(tc.path, "/")))
				got := decode(t, tc.ce, resp.Body())
				if !bytes.Equal(got, want) {
					t.Errorf("body: %d bytes decoded, want the file's %d", len(got), len(want))
				}
			}
		})
	}
}

func decode(t testing.TB, ce string, b []byte) []byte {
	t.Helper()
	var r io.Reader
	switch ce {
	case "":
		return b
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case "br":
		r = brrr.NewReader(bytes.NewReader(b))
	default:
		t.Fatalf("coding %q", ce)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(fmt.Errorf("decode %s: %w", ce, err))
	}
	return out
}
