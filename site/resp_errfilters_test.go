package site

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// TestRespErrorFilters: redirects and error answers get "Header always"
// and (below 400) Expires from their configuration, as Apache's
// insert_error_filter hooks give them; a local ErrorDocument's answer
// gets its own request's headers once, no Expires, and REDIRECT_STATUS.
// The expectations are Apache 2.4.71's answers (cmd/gohttpd's
// TestDifferential, group mixed).
func TestRespErrorFilters(t *testing.T) {
	base := t.TempDir()
	writeFiles(t, base, map[string]string{
		"files/one.txt": "one\n", "errors/404.html": "<p>nothing</p>\n",
		"ht/.htaccess": "Redirect 302 /ht/old /files/one.txt\nRewriteEngine On\nRewriteRule ^forbid$ - [F]\n",
		"sect/s.txt":   "s\n",
	})
	text := "Listen 127.0.0.1:8080\nServerName main.example\nDocumentRoot " + base + "\n" +
		"Header always set X-Always a\nHeader set X-Success s\nExpiresActive On\nExpiresDefault A3600\n" +
		"Header set X-RS \"%{REDIRECT_STATUS}e\" env=REDIRECT_STATUS\n" +
		"ErrorDocument 404 /errors/404.html\nRedirectMatch 301 ^/rm/(.*)$ /files/$1\n" +
		"RewriteEngine On\nRewriteRule ^/rw-gone$ - [G]\n" +
		"<Directory " + base + ">\nAllowOverride All\n</Directory>\n" +
		"<Directory " + base + "/sect>\nRedirect 301 /sect/old /files/one.txt\nHeader always set X-Sect yes\nExpiresDefault A60\n</Directory>\n"
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
	for _, c := range []struct {
		path   string
		status int
		want   map[string]string
	}{
		{"/files/one.txt", 200, map[string]string{"X-Always": "a", "X-Success": "s", "Cache-Control": "max-age=3600"}},
		{"/rm/one.txt", 301, map[string]string{"X-Always": "a", "X-Success": "", "Cache-Control": "max-age=3600"}},
		{"/rw-gone", 410, map[string]string{"X-Always": "a", "X-Success": "", "Cache-Control": ""}},
		{"/ht/old", 302, map[string]string{"X-Always": "a", "Cache-Control": "max-age=3600"}},
		{"/ht/forbid", 403, map[string]string{"X-Always": "a", "Cache-Control": ""}},
		{"/sect/old", 301, map[string]string{"X-Always": "a", "X-Sect": "yes", "Cache-Control": "max-age=60"}},
		{"/files", 301, map[string]string{"X-Always": "a", "Cache-Control": "max-age=3600"}},
		{"/missing", 404, map[string]string{"X-Always": "a", "X-Success": "s", "X-RS": "404", "Cache-Control": ""}},
	} {
		var ctx fasthttp.RequestCtx
		ctx.Init2(addrConn{local: local, remote: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5000}}, nil, false)
		ctx.Request.SetRequestURI(c.path)
		ctx.Request.Header.SetHost("main.example")
		s.Handler()(&ctx)
		h := &ctx.Response.Header
		if h.StatusCode() != c.status {
			t.Errorf("%s: status %d, want %d", c.path, h.StatusCode(), c.status)
		}
		for k, v := range c.want {
			got := h.PeekAll(k)
			switch {
			case v == "" && len(got) != 0, v != "" && (len(got) != 1 || string(got[0]) != v):
				t.Errorf("%s: %s = %q, want %q once", c.path, k, got, v)
			}
		}
		if c.want["Cache-Control"] == "" && len(h.Peek("Expires")) != 0 {
			t.Errorf("%s: Expires %q on an error", c.path, h.Peek("Expires"))
		}
		ctx.Response.Reset()
	}
}
