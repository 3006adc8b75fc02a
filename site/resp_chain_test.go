package site

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// TestRespVHostsAndHTAccess: each virtual host has its own Header,
// mod_mime and compression settings (merged onto the main server's), and
// .htaccess files add theirs under AllowOverride FileInfo Indexes; a
// changed .htaccess takes effect on the next request.
func TestRespVHostsAndHTAccess(t *testing.T) {
	base := t.TempDir()
	big := "<p>compressible compressible compressible compressible compressible</p>\n"
	writeFiles(t, base, map[string]string{
		"main/index.html": big, "a/index.html": big, "a/x.foo": "foo\n",
		"a/ht/page.html": big, "a/ht/.htaccess": "Header set X-Ht yes\nAddType text/x-bar .foo\nExpiresActive On\nExpiresDefault A60\n",
		"a/ht/x.foo": "foo\n",
	})
	text := "Listen 127.0.0.1:8080\nServerName main.example\nDocumentRoot " + base + "/main\n" +
		"Header always set X-Main 1\nAddOutputFilterByType DEFLATE text/html\n" +
		"<VirtualHost 127.0.0.1:8080>\nServerName b.example\nDocumentRoot " + base + "/main\n</VirtualHost>\n" +
		"<VirtualHost 127.0.0.1:8080>\nServerName a.example\nDocumentRoot " + base + "/a\n" +
		"Header set X-A 1\nAddType text/x-foo .foo\nRemoveOutputFilter html\nSetOutputFilter BROTLI_COMPRESS\n" +
		"<Directory " + base + "/a/ht>\nAllowOverride FileInfo Indexes\n</Directory>\n</VirtualHost>\n"
	file := filepath.Join(t.TempDir(), "httpd.conf")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := conf.Load(conf.Options{File: file})
	if err != nil {
		t.Fatal(err)
	}
	s := newTestSite(t, cfg, Options{})
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	do := func(host, path, ae string) *fasthttp.ResponseHeader {
		var ctx fasthttp.RequestCtx
		ctx.Init2(addrConn{local: local, remote: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5000}}, nil, false)
		ctx.Request.SetRequestURI(path)
		ctx.Request.Header.SetHost(host)
		if ae != "" {
			ctx.Request.Header.Set("Accept-Encoding", ae)
		}
		s.Handler()(&ctx)
		h := &fasthttp.ResponseHeader{}
		ctx.Response.Header.CopyTo(h)
		ctx.Response.Reset()
		return h
	}
	for _, c := range []struct {
		host, path, ae string
		want           map[string]string
	}{
		{"b.example", "/", "gzip, br", map[string]string{"X-Main": "1", "X-A": "", "Content-Encoding": "gzip"}},
		{"a.example", "/", "gzip, br", map[string]string{"X-Main": "1", "X-A": "1", "Content-Encoding": "br"}},
		{"a.example", "/x.foo", "", map[string]string{"Content-Type": "text/x-foo", "X-Ht": ""}},
		{"a.example", "/ht/x.foo", "", map[string]string{"Content-Type": "text/x-bar", "X-Ht": "yes", "Cache-Control": "max-age=60"}},
		{"a.example", "/ht/page.html", "br", map[string]string{"X-Ht": "yes", "X-A": "1", "Content-Encoding": "br"}},
	} {
		h := do(c.host, c.path, c.ae)
		for k, v := range c.want {
			if got := string(h.Peek(k)); got != v {
				t.Errorf("%s %s: %s = %q, want %q", c.host, c.path, k, got, v)
			}
		}
	}
	// A rewritten .htaccess is read again.
	ht := filepath.Join(base, "a/ht/.htaccess")
	if err := os.WriteFile(ht, []byte("Header set X-Ht changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(ht, later, later); err != nil {
		t.Fatal(err)
	}
	if h := do("a.example", "/ht/x.foo", ""); string(h.Peek("X-Ht")) != "changed" || string(h.ContentType()) != "text/x-foo" {
		t.Errorf("after the rewrite: X-Ht %q, Content-Type %q", h.Peek("X-Ht"), h.ContentType())
	}
}

// TestRespAccessLogEnv: %{VAR}e prints the request's environment (SetEnv,
// SetEnvIf, BrowserMatch), "-" for a variable that is not set.
func TestRespAccessLogEnv(t *testing.T) {
	base := t.TempDir()
	writeFiles(t, base, map[string]string{"htdocs/a.txt": "a\n"})
	cfg := loadSections(t, base, "SetEnv MYVAR v1\nBrowserMatch \"Mozilla/2\" nokeepalive\n"+
		"<Directory @B@/htdocs>\nSetEnvIf Request_URI \"\\.txt$\" is_text=yes\n</Directory>\n")
	bl := newBufLog(t, "%{MYVAR}e %{nokeepalive}e %{is_text}e %{unset}e", "test")
	_, addr := startSite(t, cfg, Options{Access: bl})
	if resp := get(t, addr, req("GET", "/a.txt", "User-Agent: Mozilla/2.0")); resp.StatusCode() != 200 || !resp.ConnectionClose() {
		t.Fatalf("GET /a.txt = %d, close %v", resp.StatusCode(), resp.ConnectionClose())
	}
	waitFor(t, "the access log line", func() bool { return bl.lines() != "" })
	if got, want := bl.lines(), "v1 1 yes -\n"; got != want {
		t.Errorf("access log %q, want %q", got, want)
	}
}

// TestRespAlwaysOnEarlyErrors: an error the site answers before the
// request reaches its sections (a %2F in the path, a bad %-escape)
// carries the server's "Header always" lines, not the onsuccess ones
// (Apache 2.4.71: X-Always on its 404 for /a%2Fb and 400 for /%zz).
func TestRespAlwaysOnEarlyErrors(t *testing.T) {
	base := t.TempDir()
	writeFiles(t, base, map[string]string{"htdocs/a.txt": "a\n"})
	cfg := loadSections(t, base, "Header always set X-Frame-Options DENY\nHeader set X-Ok 1\n")
	_, addr := startSite(t, cfg, Options{})
	for _, p := range []string{"/a%2Fb", "/%zz"} {
		resp := get(t, addr, req("GET", p))
		if resp.StatusCode() < 400 || string(resp.Header.Peek("X-Frame-Options")) != "DENY" || resp.Header.Peek("X-Ok") != nil {
			t.Errorf("GET %s = %d, X-Frame-Options %q, X-Ok %q", p, resp.StatusCode(), resp.Header.Peek("X-Frame-Options"), resp.Header.Peek("X-Ok"))
		}
	}
}

// TestRespSidecars: with PrecompressedSidecars On, x.css.br and
// x.css.gz are served as they are when not older than x.css; a stale
// one is replaced by the cache's copy.
func TestRespSidecars(t *testing.T) {
	base := t.TempDir()
	css := strings.Repeat("body { margin: 0; }\n", 50)
	writeFiles(t, base, map[string]string{"htdocs/x.css": css, "htdocs/x.css.br": "BROTLI SIDECAR", "htdocs/x.css.gz": "GZIP SIDECAR"})
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(base, "htdocs/x.css"), old, old); err != nil {
		t.Fatal(err)
	}
	stale := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(filepath.Join(base, "htdocs/x.css.gz"), stale, stale); err != nil {
		t.Fatal(err)
	}
	cfg := loadSections(t, base, "PrecompressedSidecars On\nAddOutputFilterByType BROTLI_COMPRESS text/css\nAddOutputFilterByType DEFLATE text/css\n")
	_, addr := startSite(t, cfg, Options{})
	resp := get(t, addr, req("GET", "/x.css", "Accept-Encoding: br"))
	if string(resp.Header.Peek("Content-Encoding")) != "br" || string(resp.Body()) != "BROTLI SIDECAR" {
		t.Errorf("br: %q %q", resp.Header.Peek("Content-Encoding"), resp.Body())
	}
	resp = get(t, addr, req("GET", "/x.css", "Accept-Encoding: gzip"))
	if string(resp.Header.Peek("Content-Encoding")) != "gzip" || string(resp.Body()) == "GZIP SIDECAR" {
		t.Errorf("stale gzip sidecar: %q, body %.20q", resp.Header.Peek("Content-Encoding"), resp.Body())
	}
}
