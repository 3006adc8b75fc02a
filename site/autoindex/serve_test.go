package autoindex

import (
	"bytes"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/valyala/fasthttp"
)

// serve runs handler on a loopback listener and returns a client for it.
func serve(t *testing.T, handler fasthttp.RequestHandler) (*fasthttp.Client, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fasthttp.Server{Handler: handler}
	done := make(chan struct{})
	go func() { _ = s.Serve(ln); close(done) }()
	t.Cleanup(func() {
		_ = s.Shutdown()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("server did not stop")
		}
	})
	return &fasthttp.Client{ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}, "http://" + ln.Addr().String()
}

// debianConfig is Debian's autoindex.conf as the server-level section.
func debianConfig(t testing.TB) *conf.AutoindexConfig {
	b, err := os.ReadFile("testdata/apache/autoindex.conf")
	if err != nil {
		t.Fatal(err)
	}
	return buildSection(t, "", strings.Split(string(b), "\n"))
}

// TestServe serves listings through fasthttp on loopback: the golden
// tree (whole body in the response buffer), HEAD, a large directory
// (streamed, chunked) and an unreadable directory (403).
func TestServe(t *testing.T) {
	top := t.TempDir()
	writeTree(t, filepath.Join(top, "deb"))
	big := filepath.Join(top, "big")
	if err := os.Mkdir(big, 0o755); err != nil {
		t.Fatal(err)
	}
	const n = 1000
	for i := range n {
		if err := os.WriteFile(filepath.Join(big, fmt.Sprintf("f%05d.txt", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// HEADER.html of a streamed listing is read after the handler closed its root.
	if err := os.WriteFile(filepath.Join(big, "HEADER.html"), []byte("<p>big header</p>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := debianConfig(t)
	handler := func(ctx *fasthttp.RequestCtx) {
		uri := string(ctx.Path())
		dir := filepath.Join(top, filepath.FromSlash(uri)) + "/"
		root, err := os.OpenRoot(dir)
		if err != nil {
			ctx.SetStatusCode(fasthttp.StatusForbidden)
			return
		}
		defer root.Close() // the listing is read before Serve returns
		req := &Request{URI: uri, Filename: dir, Query: string(ctx.URI().QueryString()), FS: root.FS(), Types: testTypes, Location: time.UTC}
		if _, status, err := Serve(ctx, cfg, req); err != nil {
			ctx.SetStatusCode(status)
		}
	}
	c, base := serve(t, handler)

	want, err := os.ReadFile("testdata/golden/deb.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{"GET", "HEAD"} {
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		req.SetRequestURI(base + "/deb/")
		req.Header.SetMethod(method)
		if method == "HEAD" {
			resp.SkipBody = true
		}
		if err := c.Do(req, resp); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode() != 200 || string(resp.Header.ContentType()) != "text/html;charset=UTF-8" {
			t.Errorf("%s: %d %q", method, resp.StatusCode(), resp.Header.ContentType())
		}
		if method == "GET" && !bytes.Equal(resp.Body(), want) {
			t.Errorf("GET body differs from Apache's:\n%s", lineDiff(want, resp.Body()))
		}
		if method == "HEAD" && len(resp.Body()) != 0 {
			t.Errorf("HEAD has a body")
		}
	}

	status, body, err := c.Get(nil, base+"/big/?C=N;O=D")
	if err != nil || status != 200 {
		t.Fatalf("big: %d %v", status, err)
	}
	if !bytes.Contains(body, []byte(" <body>\n<p>big header</p>\n  <table>")) {
		t.Errorf("big: no header in %.300q", body)
	}
	if got := bytes.Count(body, []byte("<tr><td")); got != n+2 {
		t.Errorf("big: %d rows, want %d", got, n+1)
	}
	if i, j := bytes.Index(body, []byte(fmt.Sprintf("f%05d.txt", n-1))), bytes.Index(body, []byte("f00000.txt")); i < 0 || j < i {
		t.Errorf("big: not in descending order")
	}
	if !bytes.HasSuffix(body, []byte("</table>\n</body></html>\n")) {
		t.Errorf("big: truncated body")
	}

	status, _, err = c.Get(nil, base+"/nonexistent/")
	if err != nil || status != 403 {
		t.Errorf("missing directory: %d %v", status, err)
	}
}

// TestMaxEntries: the cap bounds the entries held and says so.
func TestMaxEntries(t *testing.T) {
	dir := t.TempDir()
	for i := range 50 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%02d", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	var buf bytes.Buffer
	l, err := Write(&buf, debianConfig(t), &Request{URI: "/x/", Filename: dir + "/", FS: root.FS(), MaxEntries: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !l.Truncated || l.Entries != 10 || bytes.Count(buf.Bytes(), []byte("<tr><td")) != 10 {
		t.Errorf("cap 10: %+v, %d rows", l, bytes.Count(buf.Bytes(), []byte("<tr><td")))
	}
}

// TestSymlinks: links are followed (the target's type, size and mtime),
// dangling ones and links leaving the root are skipped.
func TestSymlinks(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Mkdir(filepath.Join(dir, "real"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "file.txt"), make([]byte, 2000), 0o644))
	must(os.Symlink("real", filepath.Join(dir, "linkdir")))
	must(os.Symlink("file.txt", filepath.Join(dir, "linkfile")))
	must(os.Symlink("nowhere", filepath.Join(dir, "dangling")))
	must(os.Symlink("/etc/passwd", filepath.Join(dir, "escape")))
	root, err := os.OpenRoot(dir)
	must(err)
	defer root.Close()
	var buf bytes.Buffer
	_, err = Write(&buf, debianConfig(t), &Request{URI: "/", Filename: dir + "/", Query: "F=0", FS: root.FS()})
	must(err)
	got := buf.String()
	for _, s := range []string{`href="linkdir/"`, `href="linkfile"`, `href="real/"`} {
		if !strings.Contains(got, s) {
			t.Errorf("missing %s in\n%s", s, got)
		}
	}
	for _, s := range []string{"dangling", "escape", "Parent Directory"} {
		if strings.Contains(got, s) {
			t.Errorf("unexpected %s in\n%s", s, got)
		}
	}
}

func TestStrfsize(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{-1, "  - "}, {0, "  0 "}, {972, "972 "}, {973, "1.0K"}, {1023, "1.0K"}, {1024, "1.0K"},
		{1536, "1.5K"}, {9 * 1024, "9.0K"}, {10 * 1024, " 10K"}, {10239, " 10K"}, {99999, " 98K"},
		{1 << 20, "1.0M"}, {1536 * 1024, "1.5M"}, {2 << 30, "2.0G"}, {123456789, "118M"}, {1 << 62, "4.0E"},
	} {
		if got := string(appendSize(nil, tc.n)); got != tc.want {
			t.Errorf("%d: %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestNatcmp(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		fold bool
		want int
	}{
		{"file9.txt", "file10.txt", false, -1},
		{"x1.01", "x1.1", false, -1}, // fractional: left aligned
		{"a  b", "ab", false, 0},     // spaces skipped
		{"\xc3\xa4", "a", false, -1}, // signed char: UTF-8 before ASCII
		{"B", "a", true, 1},
		{"B", "a", false, -1},
		{"abc", "abc", false, 0},
		{"a", "ab", false, -1},
	} {
		if got := natcmp(tc.a, tc.b, tc.fold); got != tc.want {
			t.Errorf("natcmp(%q, %q, %v) = %d, want %d", tc.a, tc.b, tc.fold, got, tc.want)
		}
	}
}

func TestFnmatch(t *testing.T) {
	for _, tc := range []struct {
		p, s  string
		flags int
		want  bool
	}{
		{"*.txt", "a.txt", fnmNoEscape | fnmPeriod, true},
		{"*", ".hidden", fnmNoEscape | fnmPeriod, false},
		{".*", ".hidden", fnmNoEscape | fnmPeriod, true},
		{"[a-f]*", "core", fnmNoEscape, true},
		{"[!a-z]*", "File2.txt", fnmNoEscape, true},
		{"[!a-z]*", "file2.txt", fnmNoEscape, false},
		{"[", "[", fnmNoEscape, true},
		{"a\\*", "a*", 0, true},
		{"a\\*", "a\\b", fnmNoEscape, true},
		{"*/a/b*", "/x/a/b/c", 0, true},
		{"?", "", 0, false},
		{"[]a]", "]", 0, true},
	} {
		if got := fnmatch(tc.p, tc.s, tc.flags); got != tc.want {
			t.Errorf("fnmatch(%q, %q, %d) = %v", tc.p, tc.s, tc.flags, got)
		}
	}
}

func TestEscapes(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a:b", "./a:b"}, {"x/a:b", "x/a:b"}, {"a b&<\"#%?", "a%20b&%3c%22%23%25%3f"}, {"ü", "%c3%bc"}, {"$-_.+!*'(),:;@&=/~", "./$-_.+!*'(),:;@&=/~"},
	} {
		if got := string(appendOSPath(nil, tc.in, false)); got != tc.want {
			t.Errorf("os path %q: %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := string(appendHTML(nil, `<a href="x">&'`)); got != `&lt;a href=&quot;x&quot;&gt;&amp;'` {
		t.Errorf("html: %s", got)
	}
}

func FuzzQuery(f *testing.F) {
	f.Add("C=M;O=D;F=2;V=1;P=*.txt")
	f.Add("P=%zz;C=N")
	f.Add("P=[!a-]*&F=0")
	cfg := &conf.AutoindexConfig{}
	*cfg = *conf.NewAutoindexConfig()
	dir := f.TempDir()
	for _, n := range []string{"a.txt", ".b", "c d", "[x]", "Z9", "z10"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { root.Close() })
	f.Fuzz(func(t *testing.T, q string) {
		var buf bytes.Buffer
		if _, err := Write(&buf, cfg, &Request{URI: "/d/", Filename: dir + "/", Query: q, FS: root.FS()}); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasSuffix(buf.Bytes(), []byte("</body></html>\n")) {
			t.Fatalf("incomplete listing for %q", q)
		}
	})
}

func FuzzMatchers(f *testing.F) {
	f.Add("*.t?t", "a.txt", "file10", "file9")
	f.Add("[!]a-]*\\", "]x", "a 01", "a1")
	f.Fuzz(func(t *testing.T, p, s, a, b string) {
		literal := !strings.ContainsAny(p, "*?[")
		if m := fnmatch(p, s, fnmNoEscape|fnmPeriod); literal && m != (p == s) {
			t.Fatalf("fnmatch(%q, %q) = %v", p, s, m)
		}
		if m := fnmatch(p, s, 0); literal && !strings.Contains(p, "\\") && m != (p == s) {
			t.Fatalf("fnmatch(%q, %q, 0) = %v", p, s, m)
		}
		if m := strcmpMatch(s, p, false) == 0; literal && m != (p == s) {
			t.Fatalf("strcmpMatch(%q, %q) = %v", s, p, m)
		}
		if !fnmatch("*", s, 0) {
			t.Fatalf("* does not match %q", s)
		}
		if x, y := natcmp(a, b, false), natcmp(b, a, false); x != -y {
			t.Fatalf("natcmp not antisymmetric: %q %q: %d %d", a, b, x, y)
		}
		terminateDescription(conf.NewAutoindexConfig(), s, 0, 5)
	})
}

// TestInclude: a HeaderName with a '/' goes to Request.Include; a text
// header is escaped in <pre> after the preamble, with no <h1>.
func TestInclude(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "h.txt"), []byte("a<b & c>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	b := conf.NewAutoindexBuilder("")
	if err := b.Directive("HeaderName", []string{"/inc/h.txt"}); err != nil {
		t.Fatal(err)
	}
	var asked string
	req := &Request{URI: "/d/", Filename: dir + "/", FS: root.FS(), Include: func(uri string) (fs.File, string, bool) {
		asked = uri
		f, err := root.Open("h.txt")
		return f, "text/plain; charset=utf-8", err == nil
	}}
	var buf bytes.Buffer
	if _, err := Write(&buf, b.Finish(), req); err != nil {
		t.Fatal(err)
	}
	want := "  <title>Index of /d</title>\n </head>\n <body>\n<pre>\na&lt;b &amp; c&gt;\n</pre>\n<ul><li><a href=\"/\"> Parent Directory</a></li>\n<li><a href=\"h.txt\"> h.txt</a></li>\n</ul>\n</body></html>\n"
	if asked != "/inc/h.txt" || !strings.HasSuffix(buf.String(), want) {
		t.Errorf("asked %q, got\n%s", asked, buf.String())
	}
}
