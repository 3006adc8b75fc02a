package mimetype

import (
	"os"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
)

func build(t testing.TB, lines ...[]string) *conf.MimeConfig {
	t.Helper()
	var b conf.MimeBuilder
	for _, l := range lines {
		if err := b.Directive(l[0], l[1:]); err != nil {
			t.Fatal(err)
		}
	}
	return b.Finish()
}

// A few lines of Debian's /etc/mime.types.
var types = Types{
	"html": "text/html", "htm": "text/html", "css": "text/css", "txt": "text/plain",
	"gz": "application/gzip", "tar": "application/x-tar", "svgz": "image/svg+xml", "svg": "image/svg+xml",
	"png": "image/png", "json": "application/json",
}

// The rows marked Apache are its answers under /types/, /force/ and
// /rm/ in site/headers/testdata/apache (answers.txt).
func TestLookup(t *testing.T) {
	typesDir := build(t, []string{"AddType", "application/x-foo", ".foo"}, []string{"AddEncoding", "x-gzip", ".gz"},
		[]string{"AddCharset", "UTF-8", ".utf8"})
	tests := []struct {
		cfg     *conf.MimeConfig
		name    string
		ct, enc string
	}{
		{typesDir, "/d/file.tar.gz", "application/gzip", "x-gzip"}, // Apache
		{typesDir, "/d/a.foo", "application/x-foo", ""},            // Apache
		{typesDir, "/d/a.FOO", "application/x-foo", ""},            // Apache
		{typesDir, "/d/index.html.en", "text/html", ""},            // Apache
		{typesDir, "/d/noext", "", ""},                             // Apache
		{typesDir, "/d/a.gz.html", "text/html", "x-gzip"},          // Apache
		{typesDir, "/d/.hidden.css", "text/css", ""},               // Apache
		{typesDir, "/d/a.svgz", "image/svg+xml", ""},               // Apache
		{typesDir, "/d/a.php.txt", "text/plain", ""},               // Apache
		{typesDir, "/d/a.html.utf8", "text/html; charset=utf-8", ""},
		{typesDir, "/d/a.utf8.html", "text/html; charset=utf-8", ""},
		{typesDir, "/d/a.gz.gz", "application/gzip", "x-gzip, x-gzip"},
		{typesDir, "/d/bad..html", "text/html", ""},
		{typesDir, "/d/html", "", ""},
		{typesDir, "/d/.html", "", ""},
		{typesDir, "/d.x/file", "", ""},
		{nil, "/d/a.json", "application/json", ""},
		{build(t, []string{"ForceType", "text/plain"}), "/d/a.html", "text/plain", ""}, // Apache
		{build(t, []string{"ForceType", "None"}), "/d/a.html", "text/html", ""},
		{build(t, []string{"RemoveType", ".html"}), "/d/a.html", "", ""},        // Apache
		{build(t, []string{"RemoveType", ".html"}), "/d/a.css", "text/css", ""}, // Apache
		{build(t, []string{"AddType", "text/html;charset=UTF-8", "x"}, []string{"AddCharset", "koi8-r", "r"}), "/d/a.x.r",
			"text/html; charset=koi8-r", ""},
		{build(t, []string{"AddType", "text/html;  Level=1 ;charset=a", "x"}), "/d/a.x", "text/html; level=1; charset=a", ""},
	}
	for _, tt := range tests {
		r := Lookup(tt.cfg, types, tt.name)
		if r.ContentType != tt.ct || r.Encoding != tt.enc {
			t.Errorf("%s: got %q %q, want %q %q", tt.name, r.ContentType, r.Encoding, tt.ct, tt.enc)
		}
	}
}

// Apache's /cs/ answers (AddDefaultCharset On).
func TestDefaultCharset(t *testing.T) {
	on := build(t, []string{"AddDefaultCharset", "On"})
	utf := build(t, []string{"AddDefaultCharset", "utf-8"})
	off := conf.MergeMime(on, build(t, []string{"AddDefaultCharset", "Off"}))
	tests := []struct {
		cfg      *conf.MimeConfig
		in, want string
	}{
		{on, "text/html", "text/html; charset=iso-8859-1"},   // Apache
		{on, "text/plain", "text/plain; charset=iso-8859-1"}, // Apache
		{on, "text/css", "text/css"},                         // Apache
		{on, "text/html; charset=utf-8", "text/html; charset=utf-8"},
		{on, "TEXT/HTML", "TEXT/HTML; charset=iso-8859-1"},
		{on, "", ""},
		{utf, "text/plain", "text/plain; charset=utf-8"},
		{off, "text/plain", "text/plain"},
		{nil, "text/plain", "text/plain"},
	}
	for _, tt := range tests {
		if got := DefaultCharset(tt.cfg, tt.in); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TypesConfig /etc/mime.types as Debian has it (media-types package).
func TestSystemMimeTypes(t *testing.T) {
	if _, err := os.Stat("/etc/mime.types"); err != nil {
		t.Skip("no /etc/mime.types")
	}
	m, err := conf.LoadMimeTypes("/", "/etc/mime.types")
	if err != nil {
		t.Fatal(err)
	}
	for ext, want := range map[string]string{"html": "text/html", "css": "text/css", "png": "image/png", "svgz": "image/svg+xml"} {
		if got := Lookup(nil, Types(m), "/x/a."+ext).ContentType; got != want {
			t.Errorf("%s: %q, want %q", ext, got, want)
		}
	}
}

func TestLookupAllocs(t *testing.T) {
	cfg := build(t, []string{"AddType", "application/x-foo", ".foo"})
	n := testing.AllocsPerRun(100, func() {
		Lookup(cfg, types, "/var/www/html/assets/Style.CSS")
		Lookup(cfg, types, "/var/www/html/a.foo")
	})
	if n != 0 {
		t.Errorf("%v allocations", n)
	}
}

func BenchmarkLookup(b *testing.B) {
	cfg := build(b, []string{"AddType", "application/x-foo", ".foo"})
	b.ReportAllocs()
	for b.Loop() {
		Lookup(cfg, types, "/var/www/html/assets/style.css")
	}
}
