package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// headers20 is a typical CMS's response-header block: 16 Header lines
// (security headers, cache policy) and 4 Expires lines.
const headers20 = `Header always set X-Content-Type-Options "nosniff"
Header always set X-Frame-Options "SAMEORIGIN"
Header always set Referrer-Policy "strict-origin-when-cross-origin"
Header always set Strict-Transport-Security "max-age=31536000; includeSubDomains"
Header set X-XSS-Protection "1; mode=block"
Header set Permissions-Policy "geolocation=(), microphone=()"
Header set Content-Security-Policy "default-src 'self'"
Header set Cross-Origin-Opener-Policy "same-origin"
Header set Cross-Origin-Resource-Policy "same-origin"
Header set X-Powered-By "gohttpd"
Header unset X-Debug
Header append Cache-Control "public"
Header set X-UA-Compatible "IE=edge"
Header set X-DNS-Prefetch-Control "off"
Header setifempty X-Robots-Tag "index"
Header merge Vary "Origin"
ExpiresActive On
ExpiresDefault "access plus 1 hour"
ExpiresByType text/html "access plus 0 seconds"
ExpiresByType text/css "access plus 1 year"
`

// debianResp is Debian's mods-enabled mime.conf (its AddType, AddCharset
// and AddLanguage lines abridged), setenvif.conf and deflate.conf.
const debianResp = `TypesConfig /etc/mime.types
AddType application/x-compress .Z
AddType application/x-gzip .gz .tgz
AddType application/x-bzip2 .bz2
AddLanguage en .en
AddLanguage de .de
AddCharset UTF-8 .utf8
BrowserMatch "Mozilla/2" nokeepalive
BrowserMatch "MSIE 4\.0b2;" nokeepalive downgrade-1.0 force-response-1.0
BrowserMatch "RealPlayer 4\.0" force-response-1.0
BrowserMatch "Java/1\.0" force-response-1.0
BrowserMatch "JDK/1\.0" force-response-1.0
BrowserMatch "Microsoft Data Access Internet Publishing Provider" redirect-carefully
BrowserMatch "MS FrontPage" redirect-carefully
BrowserMatch "^WebDrive" redirect-carefully
AddOutputFilterByType DEFLATE text/html text/plain text/xml text/css text/javascript
AddOutputFilterByType DEFLATE application/x-javascript application/javascript application/ecmascript
`

// benchResp serves /small.html (1 KiB) under the configuration text
// with the request headers hdr (name, value pairs), as benchSections.
func benchResp(b *testing.B, text string, hdr ...string) {
	base := b.TempDir()
	writeFiles(b, base, map[string]string{"htdocs/small.html": strings.Repeat("x", 1024)})
	ageFiles(b, filepath.Join(base, "htdocs"), time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC))
	text = "Listen 127.0.0.1:0\nDocumentRoot " + base + "/htdocs\n" + text
	file := filepath.Join(base, "httpd.conf")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	cfg, err := conf.Load(conf.Options{File: file})
	if err != nil {
		b.Fatal(err)
	}
	s := newTestSite(b, cfg, Options{})
	h := s.Handler()
	var r fasthttp.Request
	r.SetRequestURI("/small.html")
	r.Header.SetHost("bench")
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	var ctx fasthttp.RequestCtx
	ctx.Init(&r, nil, nil)
	h(&ctx)
	if ctx.Response.StatusCode() != 200 {
		b.Fatalf("GET /small.html = %d", ctx.Response.StatusCode())
	}
	b.ReportAllocs()
	for b.Loop() {
		ctx.Response.Reset()
		h(&ctx)
	}
	ctx.Response.Reset()
}

// BenchmarkStaticPlain is benchResp's request without any of the
// response-shaping directives (the baseline of the two below).
func BenchmarkStaticPlain(b *testing.B) { benchResp(b, "") }

// BenchmarkStaticHeaders20: the same with 16 Header and 4 Expires lines
// (issue target: within 10% of BenchmarkStaticPlain's rate).
func BenchmarkStaticHeaders20(b *testing.B) { benchResp(b, headers20) }

// BenchmarkStaticDebianResp: Debian's mime, setenvif and deflate
// configuration, a client that does not ask for compression.
func BenchmarkStaticDebianResp(b *testing.B) { benchResp(b, debianResp) }

// BenchmarkStaticDebianGzip: the same, gzip accepted: the compressed
// copy comes from the cache (one stat and one open per request).
func BenchmarkStaticDebianGzip(b *testing.B) {
	benchResp(b, debianResp, "Accept-Encoding", "gzip, deflate, br")
}
