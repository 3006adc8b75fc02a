package rewrite

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkNoRules: a request in a server whose Ruleset is nil, has
// RewriteEngine Off or no rules (the hot path).
func BenchmarkNoRules(b *testing.B) {
	off := ruleset(b, "", "RewriteEngine Off", "RewriteRule .* /y")
	req := &Request{URI: "/x", Filename: "/var/www/x"}
	b.Run("Server", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Server(off, req)
		}
	})
	b.Run("Active", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			if off.Active() {
				n++
			}
		}
		if n != 0 {
			b.Fatal("active")
		}
	})
}

// BenchmarkCompile: compiling the WordPress .htaccess scope.
func BenchmarkCompile(b *testing.B) {
	bl := ruleset(b, "/var/www", wordpress...)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(bl.Config()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWordPress: the WordPress .htaccess rules on a request they
// rewrite (/2024/hello-world/ to /index.php), with real stat calls on a
// temporary directory, then the second round on /index.php.
func BenchmarkWordPress(b *testing.B) {
	root := b.TempDir()
	if err := os.WriteFile(filepath.Join(root, "index.php"), []byte("x"), 0o644); err != nil {
		b.Fatal(err)
	}
	rs := ruleset(b, root, "RewriteEngine On", "RewriteBase /", `RewriteRule ^index\.php$ - [L]`,
		"RewriteCond %{REQUEST_FILENAME} !-f", "RewriteCond %{REQUEST_FILENAME} !-d", "RewriteRule . /index.php [L]")
	req := &Request{Method: "GET", URI: "/2024/hello-world/", DocumentRoot: root,
		Filename: root + "/2024", PathInfo: "/hello-world/"}
	second := &Request{Method: "GET", URI: "/index.php", DocumentRoot: root, Filename: root + "/index.php"}
	b.Run("rewrite", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if res := Dir(rs, req); res.Action != InternalRedirect || res.URI != "/index.php" {
				b.Fatalf("%+v", res)
			}
		}
	})
	b.Run("second-round", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if res := Dir(rs, second); res.Action != None {
				b.Fatalf("%+v", res)
			}
		}
	})
	b.Run("rewrite-fakefs", func(b *testing.B) {
		r := *req
		r.FS = fakeFS{root + "/index.php": "x"}
		b.ReportAllocs()
		for b.Loop() {
			Dir(rs, &r)
		}
	})
}
