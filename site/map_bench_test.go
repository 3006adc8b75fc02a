package site

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// cmsRules are a typical CMS rule set: the www canonical host redirect
// in server context and the WordPress front controller in the document
// root's <Directory> (its .htaccess rules, without reading a file).
const cmsRules = "ServerName www.bench\n<Directory />\n  Require all denied\n</Directory>\n" +
	"<Directory @B@/htdocs>\n  Require all granted\n  RewriteEngine On\n  RewriteBase /\n" +
	"  RewriteRule ^index\\.php$ - [L]\n  RewriteCond %{REQUEST_FILENAME} !-f\n" +
	"  RewriteCond %{REQUEST_FILENAME} !-d\n  RewriteRule . /index.php [L]\n</Directory>\n" +
	"RewriteEngine On\nRewriteCond %{HTTP_HOST} !^www\\. [NC]\nRewriteRule ^(.*)$ http://www.%{HTTP_HOST}$1 [R=301,L]\n"

// BenchmarkStaticCMSRules: the 1 KiB case through the CMS rule set (the
// file exists: the front controller's conditions stat it and let it be).
// Compare with BenchmarkStaticNoSections.
func BenchmarkStaticCMSRules(b *testing.B) { benchSectionsHost(b, cmsRules, "www.bench") }

// BenchmarkStaticAliasDebian: the 1 KiB case with Debian's mod_alias,
// mod_autoindex and security settings (Alias /icons/, Options Indexes,
// ServerSignature On), for a file under DocumentRoot.
func BenchmarkStaticAliasDebian(b *testing.B) {
	benchSections(b, "<Directory />\n  Require all denied\n</Directory>\n"+
		"<Directory @B@/htdocs>\n  Options Indexes FollowSymLinks\n  Require all granted\n</Directory>\n"+
		"Alias /icons/ \"@B@/icons/\"\nIndexOptions FancyIndexing VersionSort HTMLTable NameWidth=* DescriptionWidth=* Charset=UTF-8\n"+
		"ServerTokens OS\nServerSignature On\n")
}

// TestListingDoesNotStall: while a directory of 100,000 entries is being
// listed, other requests on other connections are answered (the listing
// holds one goroutine; it is streamed, not held whole). It creates
// 100,000 files and takes about a minute on a loaded 2-core machine, so
// it runs only with GOHTTPD_LISTING_100K=1.
func TestListingDoesNotStall(t *testing.T) {
	if os.Getenv("GOHTTPD_LISTING_100K") == "" {
		t.Skip("set GOHTTPD_LISTING_100K=1 to list 100,000 entries")
	}
	base := t.TempDir()
	big := filepath.Join(base, "htdocs", "big")
	writeFiles(t, base, map[string]string{"htdocs/small.html": "small\n", "htdocs/big/": ""})
	for i := range 100000 {
		f, err := os.Create(filepath.Join(big, "entry-"+strconv.Itoa(i)+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	file := filepath.Join(t.TempDir(), "httpd.conf")
	text := "Listen 127.0.0.1:0\nDocumentRoot " + base + "/htdocs\n<Directory " + base + "/htdocs>\nOptions Indexes\n</Directory>\n" +
		"IndexOptions FancyIndexing HTMLTable\n"
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := loadConf(t, file)
	_, addr := startSite(t, cfg, Options{})
	done := make(chan error, 1)
	go func() {
		c, err := net.DialTimeout("tcp", addr, ioTimeout)
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(60 * time.Second))
		fmt.Fprintf(c, "GET /big/ HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
		buf := make([]byte, 1<<16)
		n := 0
		for {
			k, err := c.Read(buf)
			n += k
			if err != nil {
				break
			}
		}
		if n < 100000*100 {
			done <- fmt.Errorf("listing of 100,000 entries: %d bytes", n)
			return
		}
		done <- nil
	}()
	// Small requests while the listing is read, sorted and written.
	var slowest time.Duration
	count := 0
	deadline := time.Now().Add(60 * time.Second)
	kc := dial(t, addr)
	for listing := true; listing && time.Now().Before(deadline); count++ {
		start := time.Now()
		if count%50 == 49 { // MaxKeepAliveRequests is 100
			kc.c.Close()
			kc = dial(t, addr)
		}
		resp := kc.do(req("GET", "/small.html"))
		if resp.StatusCode() != 200 {
			t.Fatalf("GET /small.html = %d during the listing", resp.StatusCode())
		}
		slowest = max(slowest, time.Since(start))
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			listing = false
		default:
		}
	}
	if slowest > 2*time.Second {
		t.Errorf("slowest small request during the listing took %v", slowest)
	}
	t.Logf("%d small requests during the listing of 100,000 entries; slowest %v", count, slowest)
}

// loadConf loads an httpd.conf for a test.
func loadConf(t testing.TB, file string) *conf.Config {
	t.Helper()
	cfg, err := conf.Load(conf.Options{File: file})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestHTAccessRewriteOnly: rewrite rules in an .htaccess file work when
// nothing else in the configuration uses the mapping modules (the
// <Directory> with AllowOverride is enough).
func TestHTAccessRewriteOnly(t *testing.T) {
	base := t.TempDir()
	writeFiles(t, base, map[string]string{
		"htdocs/index.php": "front\n", "htdocs/real.txt": "real\n",
		"htdocs/.htaccess": "RewriteEngine On\nRewriteRule ^h$ - [H=server-status,L]\nRewriteRule ^real\\.txt$ - [E=nokeepalive:1]\nRewriteCond %{REQUEST_FILENAME} !-f\nRewriteRule . /index.php [L]\n",
	})
	file := filepath.Join(t.TempDir(), "httpd.conf")
	text := "Listen 127.0.0.1:0\nDocumentRoot " + base + "/htdocs\n<Directory " + base + "/htdocs>\nAllowOverride FileInfo\n</Directory>\n"
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	handlers := map[string]fasthttp.RequestHandler{"server-status": func(ctx *fasthttp.RequestCtx) { ctx.SetBodyString("status page") }}
	_, addr := startSite(t, loadConf(t, file), Options{Handlers: handlers})
	for target, want := range map[string]string{"/real.txt": "real\n", "/some/post": "front\n", "/h": "status page"} {
		resp := get(t, addr, req("GET", target))
		if resp.StatusCode() != 200 || string(resp.Body()) != want {
			t.Errorf("GET %s = %d %q, want 200 %q", target, resp.StatusCode(), resp.Body(), want)
		}
		// E=nokeepalive closes the connection, as Apache.
		if close := resp.ConnectionClose(); close != (target == "/real.txt") {
			t.Errorf("GET %s: Connection: close = %v", target, close)
		}
	}
}

// cmsHeaders are the 20 response lines of the CMS measurement
// (/tmp/m14/cms.conf): 10 Header set, ExpiresActive, ExpiresDefault and
// 9 ExpiresByType, in server context.
const cmsHeaders = `Header set X-Bench-0 "value 0"
Header set X-Bench-1 "value 1"
Header set X-Bench-2 "value 2"
Header set X-Bench-3 "value 3"
Header set X-Bench-4 "value 4"
Header set X-Bench-5 "value 5"
Header set X-Bench-6 "value 6"
Header set X-Bench-7 "value 7"
Header set X-Bench-8 "value 8"
Header set X-Bench-9 "value 9"
ExpiresActive On
ExpiresDefault "access plus 1 hour"
ExpiresByType text/html "access plus 1 days"
ExpiresByType text/css "access plus 2 days"
ExpiresByType application/javascript "access plus 3 days"
ExpiresByType image/png "access plus 4 days"
ExpiresByType image/jpeg "access plus 5 days"
ExpiresByType image/gif "access plus 6 days"
ExpiresByType image/svg+xml "access plus 7 days"
ExpiresByType font/woff2 "access plus 8 days"
ExpiresByType application/json "access plus 9 days"
`

// BenchmarkStaticCMSFull: the "typical CMS rule set" (front
// controller, canonical host, 20 Header/Expires lines), the
// configuration of the binary measurement. Compare with
// BenchmarkStaticNoSections (target: within 10%).
func BenchmarkStaticCMSFull(b *testing.B) {
	benchSectionsHost(b, cmsRules+cmsHeaders, "www.bench")
}

// BenchmarkStaticCMSHeaders: only the 20 Header/Expires lines.
func BenchmarkStaticCMSHeaders(b *testing.B) { benchSectionsHost(b, cmsHeaders, "www.bench") }

// benchFresh is benchSectionsHost with each iteration a request of its
// own (a new start time): what a resolution checked during one request
// saves another (the .htaccess checks, depsValid) is not counted.
func benchFresh(b *testing.B, text, host string) {
	base := b.TempDir()
	writeFiles(b, base, map[string]string{"htdocs/small.html": strings.Repeat("x", 1024)})
	ageFiles(b, filepath.Join(base, "htdocs"), time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC))
	text = "Listen 127.0.0.1:0\nDocumentRoot " + base + "/htdocs\n" + strings.ReplaceAll(text, "@B@", base)
	file := filepath.Join(b.TempDir(), "httpd.conf")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	s := newTestSite(b, loadConf(b, file), Options{})
	h := s.Handler()
	var r fasthttp.Request
	r.SetRequestURI("/small.html")
	r.Header.SetHost(host)
	var ctx fasthttp.RequestCtx
	ctx.Init(&r, nil, nil)
	h(&ctx)
	if ctx.Response.StatusCode() != 200 || ctx.Response.Header.ContentLength() != 1024 {
		b.Fatalf("GET /small.html = %d, %d bytes", ctx.Response.StatusCode(), ctx.Response.Header.ContentLength())
	}
	b.ReportAllocs()
	for b.Loop() {
		ctx.Response.Reset()
		ctx.Init2(nil, nil, false) // a new request time
		h(&ctx)
	}
	ctx.Response.Reset()
}

// BenchmarkStaticCMSFullFresh is BenchmarkStaticCMSFull with each
// iteration a request of its own.
func BenchmarkStaticCMSFullFresh(b *testing.B) {
	benchFresh(b, cmsRules+cmsHeaders, "www.bench")
}

// BenchmarkCMSFrontController: a pretty URL no file answers
// (/blog/hello-world) through the CMS rule set: the conditions' -f and -d
// are answered by the directory walk's cached finding (no stat), and the
// request is served again as /index.php (an internal redirect).
func BenchmarkCMSFrontController(b *testing.B) {
	base := b.TempDir()
	writeFiles(b, base, map[string]string{"htdocs/small.html": "x", "htdocs/index.php": "front controller\n"})
	text := "Listen 127.0.0.1:0\nDocumentRoot " + base + "/htdocs\n" + strings.ReplaceAll(cmsRules+cmsHeaders, "@B@", base)
	file := filepath.Join(b.TempDir(), "httpd.conf")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	s := newTestSite(b, loadConf(b, file), Options{})
	h := s.Handler()
	var r fasthttp.Request
	var ctx fasthttp.RequestCtx
	ctx.Init(&r, nil, nil)
	run := func() {
		ctx.Request.SetRequestURI("/blog/hello-world")
		ctx.Request.Header.SetHost("www.bench")
		ctx.Init2(nil, nil, false)
		h(&ctx)
	}
	run()
	if ctx.Response.StatusCode() != 200 || string(ctx.Response.Body()) != "front controller\n" {
		b.Fatalf("GET /blog/hello-world = %d %q", ctx.Response.StatusCode(), ctx.Response.Body())
	}
	b.ReportAllocs()
	for b.Loop() {
		ctx.Response.Reset()
		run()
	}
	ctx.Response.Reset()
}
