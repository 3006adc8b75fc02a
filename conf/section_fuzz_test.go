package conf

import (
	"strings"
	"testing"
)

// FuzzSectionArgs: section arguments (paths, wildcards, regexes) and the
// Options/AllowOverride words never panic, and what is accepted is
// consistent (a regex compiles, a directory is absolute and ends in /).
func FuzzSectionArgs(f *testing.F) {
	for _, s := range []string{"/var/www", "~ ^/x$", `"(?<n>a)(?=b)"`, "/a/*/c", "[", "~", "/", ".ht*", `(?i)\.PHP$`, "a b"} {
		f.Add("<Directory", s, "FollowSymLinks -Indexes")
		f.Add("<FilesMatch", s, "+SymLinksIfOwnerMatch")
		f.Add("<Location", s, "None")
	}
	f.Fuzz(func(t *testing.T, tag, arg, opts string) {
		switch strings.ToLower(tag) {
		case "<directory", "<directorymatch", "<files", "<filesmatch", "<location", "<locationmatch":
		default:
			tag = "<Directory"
		}
		s, err := newSection(tag, tokenize(arg), "/root")
		if err == nil {
			switch {
			case s.Regex:
				if _, err := CompileSectionRegex(s.Match); err != nil {
					t.Fatalf("accepted regex %q does not compile: %v", s.Match, err)
				}
			case s.Kind == SectionDirectory:
				if !strings.HasPrefix(s.Match, "/") || !strings.HasSuffix(s.Match, "/") {
					t.Fatalf("directory %q from %q", s.Match, arg)
				}
			}
		}
		b := newDirBuilder("/root")
		_ = b.directive("options", tokenize(opts))
		_ = b.directive("allowoverride", tokenize(opts))
		d, _ := b.finish()
		if d != nil && d.Options.Add&d.Options.Remove != 0 {
			t.Fatalf("Options %q: add %#x and remove %#x overlap", opts, d.Options.Add, d.Options.Remove)
		}
	})
}

// FuzzHTAccess: any .htaccess content is parsed without panicking, with
// any overrides.
func FuzzHTAccess(f *testing.F) {
	f.Add("Require all denied\n", uint16(OverrideAll))
	f.Add("<Files x>\nRequire ip 10.1\n</Files>\n<Limit POST>\nDeny from all\n</Limit>\n", uint16(OverrideAuthCfg|OverrideLimit))
	f.Add("<RequireAll>\nRequire not ip 1.2.3.4\nRequire all granted\n</RequireAll>\n", uint16(OverrideAuthCfg))
	f.Add("Options -FollowSymLinks\nAuthUserFile x\n<IfModule x>\n</IfModule>\n", uint16(OverrideOptions))
	f.Add("<Directory /x>\n", uint16(0))
	// The URL-mapping modules (wire_map.go).
	f.Add("RewriteEngine On\nRewriteBase /\nRewriteCond %{REQUEST_FILENAME} !-f\nRewriteRule . /index.php [L]\n", uint16(OverrideFileInfo))
	f.Add("Redirect 301 /a http://x/\nErrorDocument 404 \"x y\"\nDirectoryIndex a b\nIndexOptions +FancyIndexing\n", uint16(OverrideAll))
	f.Add("<Files x>\nRewriteRule a b\nServerSignature On\n</Files>\nFallbackResource /i\n", uint16(OverrideAll))
	f.Fuzz(func(t *testing.T, text string, mask uint16) {
		o := Override{Mask: OverrideBits(mask), Set: true, Opts: OptAll, OptsSet: mask&1 == 0}
		d, err := ParseHTAccess("/srv/.htaccess", []byte(text), o, "/root")
		if err == nil && d == nil {
			t.Fatal("nil config without error")
		}
	})
}

// FuzzTranslatePCRE: the PCRE translation never panics, and leaves
// patterns without (?P, brackets or backslashes unchanged.
func FuzzTranslatePCRE(f *testing.F) {
	for _, s := range []string{`(?P<a>x)(?P=a)`, `[[:alpha:]_]`, `[^]]`, `\[[:x:]`, `[[:`, `(?P`, `[a\]b]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		out, err := translatePCRE(expr)
		if err == nil && !strings.Contains(expr, "(?P") && !strings.ContainsAny(expr, "[\\") && out != expr {
			t.Fatalf("%q changed to %q", expr, out)
		}
		_, _ = CompileSectionRegex(expr)
	})
}
