package conf

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseRewriteRule: any argument line parses or fails with a
// "RewriteRule: " error, never panics; a parsed rule survives JSON and
// its pattern compiles.
func FuzzParseRewriteRule(f *testing.F) {
	for _, s := range []string{
		`. /index.php [L]`, `^index\.php$ - [L]`, `"(^|/)\." - [F]`, `^(.*)$ http://%1/$1 [R=301,L,NE]`,
		`^/x /y? [QSA,QSD,QSL]`, `^/a\ b '/c d' [E=a:b,CO=;n;v;d;10;/;1;1;Lax,B=&,BNE=/,S=2,N=3]`,
		`^/x /y [XYZ]`, `^/x /y L]`, `^/x`, `^(x /y`, `^/x /y [R=999]`, `^/x /y [,L]`, `^/x /y []`,
		`^/(?!a)(?<n>b)\k<n> - [NC,END]`, `x y [R=seeother,T=text/html,H=server-status,DPI,UNC]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r, err := ParseRewriteRule(raw)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "RewriteRule: ") {
				t.Fatalf("%q: error without the directive: %v", raw, err)
			}
			return
		}
		if _, err := CompileRewriteRegex(r.Pattern, r.Has(RuleNoCase)); err != nil {
			t.Fatalf("%q: accepted pattern does not compile: %v", raw, err)
		}
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back RewriteRule
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(r, &back) {
			t.Fatalf("%q: JSON round trip: %+v != %+v", raw, r, &back)
		}
	})
}

// FuzzParseRewriteCond: as FuzzParseRewriteRule for RewriteCond.
func FuzzParseRewriteCond(f *testing.F) {
	for _, s := range []string{
		`%{REQUEST_FILENAME} !-f`, `%{HTTP_HOST} ^www\.(.+)$ [NC,OR]`, `%{HTTPS} =on [NV]`, `%1 -gt5`,
		`%{X} <=abc [NC]`, `%{X} -x [NC]`, `expr "1 = 1"`, `%{X} -U`, `"a b" 'c d' [OR]`, `%{X}`, `%{X} ^(x`,
		`%{X} =""`, `%{X} !-ne10`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := ParseRewriteCond(raw)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "RewriteCond: ") {
				t.Fatalf("%q: error without the directive: %v", raw, err)
			}
			return
		}
		if c.Kind == CondRegex {
			if _, err := CompileRewriteRegex(c.Pattern, c.NoCase); err != nil {
				t.Fatalf("%q: accepted pattern does not compile: %v", raw, err)
			}
		}
		data, _ := json.Marshal(c)
		var back RewriteCond
		if err := json.Unmarshal(data, &back); err != nil || back != *c {
			t.Fatalf("%q: JSON round trip: %+v != %+v (%v)", raw, *c, back, err)
		}
	})
}

// FuzzRewriteRegex: Go's regexp (when chosen) and regexp2 agree on
// whether a pattern matches, for the patterns both accept.
func FuzzRewriteRegex(f *testing.F) {
	for _, s := range [][2]string{{`^/a$`, "/a\n"}, {`(^|/)\.`, "/x/.git"}, {`^(.*)/index\.php/(.*)$`, "a/index.php/b"}, {`[$^]x$`, "$x"}, {`\Qa$b\E$`, "a$b"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, in string) {
		re, err := CompileRewriteRegex(pattern, false)
		if err != nil || !re.UsesGoRegexp() || !isASCII(pattern+in) {
			return
		}
		// \s differs: PCRE2 and regexp2 take \v, Go does not.
		if strings.Contains(pattern, `\s`) || strings.Contains(pattern, `\S`) || strings.Contains(pattern, `[[:`) {
			return
		}
		re2, err := CompileRewriteRegex("(?:"+pattern+")", false) // forces regexp2
		if err != nil || re2.UsesGoRegexp() {
			return
		}
		if a, b := re.Match(in), re2.Match(in); a != b {
			t.Fatalf("%q on %q: Go regexp %v, regexp2 %v", pattern, in, a, b)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
