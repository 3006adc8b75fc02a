package site

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// BenchmarkStaticSmall serves a 1 KiB file through the whole handler chain
// with a fake RequestCtx (no sockets): path checks, routing, fasthttp.FS
// (from its in-memory cache), types, validators and the keep-alive
// decision. The body stream is closed unread.
func BenchmarkStaticSmall(b *testing.B) {
	root := b.TempDir()
	writeFiles(b, root, map[string]string{"small.html": strings.Repeat("x", 1024)})
	ageFiles(b, root, time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC))
	s := newTestSite(b, testConfig(root), Options{})
	h := s.Handler()

	var r fasthttp.Request
	r.SetRequestURI("/small.html")
	r.Header.SetHost("bench")
	var ctx fasthttp.RequestCtx
	ctx.Init(&r, nil, nil)
	h(&ctx) // warm fasthttp.FS's cache
	if ctx.Response.StatusCode() != 200 || ctx.Response.Header.ContentLength() != 1024 {
		b.Fatalf("GET /small.html = %d, %d bytes", ctx.Response.StatusCode(), ctx.Response.Header.ContentLength())
	}
	b.ReportAllocs()
	for b.Loop() {
		ctx.Response.Reset() // closes the body stream, returning FS's reader
		h(&ctx)
	}
	ctx.Response.Reset()
}

// benchSections serves /small.html (1 KiB) with the configuration text
// (@B@ is the base directory; DocumentRoot is @B@/htdocs) through the
// whole chain, as BenchmarkStaticSmall.
func benchSections(b *testing.B, text string) { benchSectionsHost(b, text, "bench") }

// benchSectionsHost is benchSections with the request's Host header.
func benchSectionsHost(b *testing.B, text, host string) {
	base := b.TempDir()
	writeFiles(b, base, map[string]string{"htdocs/small.html": strings.Repeat("x", 1024)})
	ageFiles(b, filepath.Join(base, "htdocs"), time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC))
	text = "Listen 127.0.0.1:0\nDocumentRoot " + base + "/htdocs\n" + strings.ReplaceAll(text, "@B@", base)
	file := filepath.Join(b.TempDir(), "httpd.conf")
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
		h(&ctx)
	}
	ctx.Response.Reset()
}

// manySections is Debian's pattern (<Directory /> denied, the document
// root granted, .ht* denied) plus 100 <Directory> and 100 <Location>
// sections that do not match the request.
func manySections(override string) string {
	var sb strings.Builder
	sb.WriteString("<Directory />\n  AllowOverride " + override + "\n  Require all denied\n</Directory>\n")
	sb.WriteString("<Directory @B@/htdocs>\n  Require all granted\n</Directory>\n")
	sb.WriteString("<FilesMatch \"^\\.ht\">\n  Require all denied\n</FilesMatch>\n")
	for i := range 100 {
		n := strconv.Itoa(i)
		sb.WriteString("<Directory @B@/htdocs/d" + n + ">\n  Require ip 10." + n + "\n</Directory>\n")
		sb.WriteString("<Location /l" + n + ">\n  Require all denied\n</Location>\n")
	}
	return sb.String()
}

// BenchmarkStaticSections200: the 1 KiB keep-alive case with 200
// sections, AllowOverride None.
func BenchmarkStaticSections200(b *testing.B) { benchSections(b, manySections("None")) }

// BenchmarkStaticNoSections: the same request with an httpd.conf without
// sections (compare with BenchmarkStaticSmall, conf's built-in config).
func BenchmarkStaticNoSections(b *testing.B) { benchSections(b, "") }

// BenchmarkStaticOverrideAll: 200 sections and AllowOverride All without
// any .htaccess file: one failed stat per directory level and request,
// as Apache (each iteration is a new request: benchFresh).
func BenchmarkStaticOverrideAll(b *testing.B) { benchFresh(b, manySections("All"), "bench") }

// BenchmarkStaticSections200NoAuth: 200 sections none of which applies
// to the request (no access control runs), AllowOverride None.
func BenchmarkStaticSections200NoAuth(b *testing.B) {
	var sb strings.Builder
	for i := range 100 {
		n := strconv.Itoa(i)
		sb.WriteString("<Directory @B@/htdocs/d" + n + ">\n  Require ip 10." + n + "\n</Directory>\n")
		sb.WriteString("<Location /l" + n + ">\n  Require all denied\n</Location>\n")
	}
	benchSections(b, sb.String())
}

// BenchmarkStaticVHosts50: the 1 KiB case with 50 name-based virtual
// hosts (the request names the 26th), each with its own DocumentRoot,
// on the 200 sections of BenchmarkStaticSections200, AllowOverride None.
// Compare with BenchmarkStaticSections200.
func BenchmarkStaticVHosts50(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(manySections("None"))
	for i := range 50 {
		n := strconv.Itoa(i)
		sb.WriteString("<VirtualHost *>\n  ServerName v" + n + ".example\n  ServerAlias www.v" + n + ".example\n  DocumentRoot @B@/htdocs\n</VirtualHost>\n")
	}
	benchSectionsHost(b, sb.String(), "v25.example")
}
