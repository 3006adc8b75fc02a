package rewrite

import (
	"testing"

	"github.com/gohttpd/gohttpd/conf"
)

// TestLiteralSameAsRegexp: a pattern compileLiteral takes matches what
// its compiled regular expression matches, on ASCII inputs.
func TestLiteralSameAsRegexp(t *testing.T) {
	patterns := []string{`^index\.php$`, `^www\.`, `.`, `\.php$`, `wp-admin`, `^$`, `^`, `$`, `^/favicon\.ico$`,
		`^a\/b`, `^-$`, `x$`, `^\.well-known/`}
	notLiteral := []string{`^(.*)$`, `\d`, `^a.b$`, `a|b`, `^a$b`, `[a]`, `a*`, `a+`, `a?`, `a{2}`, `\Qa\E`, `é`, `\`}
	inputs := []string{"", "\n", "index.php", "INDEX.PHP", "index.php\n", "index.php\n\n", "xindex.php", "index.phpx",
		"www.example.org", "WWW.example.org", "example.org", "www", "a.php", "a.php\n", "/wp-admin/x", "/WP-ADMIN",
		"/favicon.ico", "a/b", "-", "x", "x\n", "xx\nx", "/.well-known/acme", "\n\n"}
	for _, p := range notLiteral {
		if compileLiteral(p, false) != nil {
			t.Errorf("%q: taken as a literal", p)
		}
	}
	for _, p := range patterns {
		for _, nc := range []bool{false, true} {
			l := compileLiteral(p, nc)
			if l == nil {
				t.Errorf("%q: not taken as a literal", p)
				continue
			}
			re, err := conf.CompileRewriteRegex(p, nc)
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range inputs {
				if got, want := l.match(in), re.Match(in); got != want {
					t.Errorf("%q nc=%v on %q: %v, regexp %v", p, nc, in, got, want)
				}
			}
		}
	}
}

// FuzzLiteral compares literal patterns with the regexp on any input
// without non-ASCII bytes.
func FuzzLiteral(f *testing.F) {
	f.Add(`^www\.`, "www.example.org", true)
	f.Add(`\.php$`, "a.php\n", false)
	f.Fuzz(func(t *testing.T, p, in string, nc bool) {
		l := compileLiteral(p, nc)
		if l == nil {
			return
		}
		for i := 0; i < len(in); i++ {
			if in[i] >= 0x80 {
				return
			}
		}
		re, err := conf.CompileRewriteRegex(p, nc)
		if err != nil {
			return
		}
		if got, want := l.match(in), re.Match(in); got != want {
			t.Errorf("%q nc=%v on %q: %v, regexp %v", p, nc, in, got, want)
		}
	})
}
