package compress

import (
	"strings"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
)

func policyOf(t testing.TB, srv *conf.CompressServer, lines ...string) *Policy {
	t.Helper()
	var b conf.CompressBuilder
	for _, l := range lines {
		f := strings.Fields(l)
		if err := b.Directive(f[0], f[1:]); err != nil {
			t.Fatal(err)
		}
	}
	d, _ := b.Finish()
	return NewPolicy(d, srv)
}

func TestDecide(t *testing.T) {
	both := policyOf(t, nil,
		"AddOutputFilterByType DEFLATE;BROTLI_COMPRESS text/html application/json")
	brFirst := policyOf(t, nil,
		"AddOutputFilterByType BROTLI_COMPRESS text/html",
		"AddOutputFilterByType DEFLATE text/html")
	ext := policyOf(t, nil, "AddOutputFilter BROTLI_COMPRESS .svg", "AddOutputFilterByType DEFLATE image/svg+xml")
	set := policyOf(t, nil, "SetOutputFilter DEFLATE")
	html := []byte("text/html")
	for _, tc := range []struct {
		name string
		p    *Policy
		req  Request
		resp Response
		enc  Encoding
		vary bool
	}{
		{"nil policy", nil, Request{AcceptEncoding: []byte("gzip")}, Response{Status: 200, ContentType: html, Length: -1}, Identity, false},
		{"gzip", both, Request{AcceptEncoding: []byte("gzip")}, Response{Status: 200, ContentType: html, Length: -1}, Gzip, true},
		{"charset", both, Request{AcceptEncoding: []byte("gzip")}, Response{Status: 200, ContentType: []byte("text/html; charset=utf-8"), Length: -1}, Gzip, true},
		{"type is case-sensitive", both, Request{AcceptEncoding: []byte("gzip")}, Response{Status: 200, ContentType: []byte("Text/HTML"), Length: -1}, Identity, false},
		{"unlisted type: no Vary", both, Request{AcceptEncoding: []byte("gzip")}, Response{Status: 200, ContentType: []byte("image/png"), Length: -1}, Identity, false},
		{"no type", both, Request{AcceptEncoding: []byte("gzip")}, Response{Status: 200, Length: -1}, Identity, false},
		{"no Accept-Encoding: Vary", both, Request{}, Response{Status: 200, ContentType: html, Length: -1}, Identity, true},
		{"br preferred by order", brFirst, Request{AcceptEncoding: []byte("gzip, br")}, Response{Status: 200, ContentType: html, Length: -1}, Brotli, true},
		{"q ignored for preference", both, Request{AcceptEncoding: []byte("gzip;q=0.1, br;q=1")}, Response{Status: 200, ContentType: html, Length: -1}, Gzip, true},
		{"Q=0 upper case", both, Request{AcceptEncoding: []byte("gzip;Q=0")}, Response{Status: 200, ContentType: html, Length: -1}, Identity, true},
		{"q in second parameter", both, Request{AcceptEncoding: []byte("gzip;x=1;q=0")}, Response{Status: 200, ContentType: html, Length: -1}, Identity, true},
		{"first gzip element counts", both, Request{AcceptEncoding: []byte("gzip;q=0, gzip")}, Response{Status: 200, ContentType: html, Length: -1}, Identity, true},
		{"204", both, Request{AcceptEncoding: []byte("gzip")}, Response{Status: 204, ContentType: html, Length: -1}, Identity, false},
		{"304: Vary only", both, Request{AcceptEncoding: []byte("gzip")}, Response{Status: 304, ContentType: html, Length: 0}, Identity, true},
		{"Content-Range", both, Request{AcceptEncoding: []byte("gzip")}, Response{Status: 206, ContentType: html, ContentRange: true, Length: 100}, Identity, false},
		{"already encoded", both, Request{AcceptEncoding: []byte("gzip")}, Response{Status: 200, ContentType: html, ContentEncoding: []byte("gzip"), Length: -1}, Identity, false},
		{"identity encoding", both, Request{AcceptEncoding: []byte("gzip")}, Response{Status: 200, ContentType: html, ContentEncoding: []byte("identity"), Length: -1}, Gzip, true},
		{"no-transform", both, Request{AcceptEncoding: []byte("gzip")}, Response{Status: 200, ContentType: html, CacheControl: []byte("max-age=60, No-Transform"), Length: -1}, Identity, false},
		{"small gzip skipped, br not", both, Request{AcceptEncoding: []byte("gzip, br")}, Response{Status: 200, ContentType: html, Length: 68}, Brotli, true},
		{"69 bytes", both, Request{AcceptEncoding: []byte("gzip")}, Response{Status: 200, ContentType: html, Length: 69}, Gzip, true},
		{"no-gzip", both, Request{AcceptEncoding: []byte("gzip, br"), Env: NoGzip}, Response{Status: 200, ContentType: html, Length: -1}, Brotli, true},
		{"no-gzip no-brotli", both, Request{AcceptEncoding: []byte("gzip, br"), Env: NoGzip | NoBrotli}, Response{Status: 200, ContentType: html, Length: -1}, Identity, false},
		{"gzip-only-text/html", both, Request{AcceptEncoding: []byte("gzip"), Env: GzipOnlyTextHTML}, Response{Status: 200, ContentType: []byte("application/json"), Length: -1}, Identity, true},
		{"force-gzip", both, Request{Env: ForceGzip}, Response{Status: 200, ContentType: html, Length: -1}, Gzip, true},
		{"error status from a handler", both, Request{AcceptEncoding: []byte("gzip")}, Response{Status: 500, ContentType: html, Length: -1}, Gzip, true},
		{"1xx", both, Request{AcceptEncoding: []byte("gzip")}, Response{Status: 101, Length: -1}, Identity, false},
		{"extension first", ext, Request{AcceptEncoding: []byte("gzip, br"), Name: "/img/a.SVG"}, Response{Status: 200, ContentType: []byte("image/svg+xml"), Length: -1}, Brotli, true},
		{"extension needs a file", ext, Request{AcceptEncoding: []byte("br")}, Response{Status: 200, ContentType: []byte("image/svg+xml"), Length: -1}, Identity, true},
		{"SetOutputFilter: any type", set, Request{AcceptEncoding: []byte("gzip")}, Response{Status: 200, ContentType: []byte("image/png"), Length: -1}, Gzip, true},
	} {
		d := tc.p.Decide(&tc.req, &tc.resp)
		if d.Encoding != tc.enc || d.Vary != tc.vary {
			t.Errorf("%s: %v vary=%v, want %v vary=%v", tc.name, d.Encoding, d.Vary, tc.enc, tc.vary)
		}
	}
}

func TestDecideETagModes(t *testing.T) {
	srv := conf.DefaultCompressServer()
	srv.DeflateAlterETag = conf.ETagRemove
	srv.BrotliAlterETag = conf.ETagNoChange
	p := policyOf(t, &srv, "AddOutputFilterByType DEFLATE;BROTLI_COMPRESS text/html")
	resp := Response{Status: 200, ContentType: []byte("text/html"), Length: -1}
	if d := p.Decide(&Request{AcceptEncoding: []byte("gzip")}, &resp); d.AlterETag != conf.ETagRemove {
		t.Errorf("gzip: %v", d.AlterETag)
	}
	if d := p.Decide(&Request{AcceptEncoding: []byte("br")}, &resp); d.AlterETag != conf.ETagNoChange {
		t.Errorf("br: %v", d.AlterETag)
	}
}

func TestETags(t *testing.T) {
	for _, tc := range []struct {
		in   string
		e    Encoding
		mode conf.AlterETag
		want string
	}{
		{`"5b9c-66"`, Gzip, conf.ETagAddSuffix, `"5b9c-66-gzip"`},
		{`W/"5b9c-66"`, Brotli, conf.ETagAddSuffix, `W/"5b9c-66-br"`},
		{`""`, Gzip, conf.ETagAddSuffix, `""`}, // too short: Apache leaves it
		{`"x"`, Gzip, conf.ETagRemove, ``},
		{`"x"`, Gzip, conf.ETagNoChange, `"x"`},
		{`"x"`, Identity, conf.ETagAddSuffix, `"x"`},
	} {
		if got := string(AppendETag(nil, []byte(tc.in), tc.e, tc.mode)); got != tc.want {
			t.Errorf("AppendETag(%s, %v, %v) = %s, want %s", tc.in, tc.e, tc.mode, got, tc.want)
		}
	}
	for in, want := range map[string]string{
		`"a-gzip"`: `"a"`, `W/"a-br"`: `W/"a"`, `"a"`: `"a"`, `"-gzip"`: `"-gzip"`, `a-gzip`: `a-gzip`, `"a-gzip-br"`: `"a-gzip"`,
	} {
		if got := string(AppendTrimmedETag(nil, []byte(in))); got != want {
			t.Errorf("AppendTrimmedETag(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestDecideAllocs: the decision allocates nothing, applied or not.
func TestDecideAllocs(t *testing.T) {
	p := policyOf(t, nil, "AddOutputFilterByType DEFLATE;BROTLI_COMPRESS text/html", "AddOutputFilter DEFLATE .txt")
	req := Request{AcceptEncoding: []byte("gzip, deflate, br, zstd"), Name: "/a/b.TXT"}
	resp := Response{Status: 200, ContentType: []byte("text/html; charset=utf-8"), Length: 5000}
	if n := testing.AllocsPerRun(100, func() { _ = p.Decide(&req, &resp) }); n != 0 {
		t.Errorf("Decide allocates %v times", n)
	}
	var nilp *Policy
	if n := testing.AllocsPerRun(100, func() { _ = nilp.Decide(&req, &resp) }); n != 0 {
		t.Errorf("nil Decide allocates %v times", n)
	}
}

func FuzzParseAccept(f *testing.F) {
	for _, s := range []string{"gzip", "gzip;q=0, br", "br;q=0.000", "*;q=0, gzip", "gzip;q=0.0001", "GZIP ; Q=0", ",,;;=", "br;q="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		a := parseAccept([]byte(h))
		if a.has(Gzip) && !strings.Contains(strings.ToLower(h), "gzip") {
			t.Fatalf("gzip accepted from %q", h)
		}
		if a.has(Brotli) && !strings.Contains(strings.ToLower(h), "br") {
			t.Fatalf("br accepted from %q", h)
		}
		_ = hasToken([]byte(h), "no-transform")
		_ = encodedAlready([]byte(h))
		_ = AppendTrimmedETag(nil, []byte(h))
	})
}

func TestEnvOf(t *testing.T) {
	env := map[string]string{"no-gzip": "", "gzip-only-text/html": "yes", "force-gzip": "1"}
	got := EnvOf(func(n string) (string, bool) { v, ok := env[n]; return v, ok })
	if got != NoGzip|ForceGzip {
		t.Errorf("EnvOf = %b", got)
	}
	env = map[string]string{"no-brotli": "1", "gzip-only-text/html": "1"}
	if got := EnvOf(func(n string) (string, bool) { v, ok := env[n]; return v, ok }); got != NoBrotli|GzipOnlyTextHTML {
		t.Errorf("EnvOf = %b", got)
	}
}
