package conf

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// rewriteErrors are Apache 2.4.71's `apache2 -t` answers for one line in
// the server configuration (the loop in
// site/rewrite/testdata/apache/errors.sh), with gohttpd's deliberate
// refusals marked.
var rewriteErrors = []struct {
	name, line, want string
}{
	{"unknown flag", `RewriteRule ^/x /y [XYZ]`, "RewriteRule: unknown flag 'XYZ'"},
	{"unknown flag after others", `RewriteRule ^/x /y [L,R=301,XYZ]`, "RewriteRule: unknown flag 'XYZ'"},
	{"delimiters", `RewriteRule ^/x /y L]`, "RewriteRule: bad flag delimiters"},
	{"one argument", `RewriteRule ^/x`, "RewriteRule: bad argument line '^/x'"},
	{"no argument", `RewriteRule`, "RewriteRule: bad argument line ''"},
	{"bad regex", `RewriteRule ^(/x /y`, "RewriteRule: cannot compile regular expression '^(/x'"},
	{"R=999", `RewriteRule ^/x /y [R=999]`, "RewriteRule: invalid HTTP response code '999' for flag 'R'"},
	{"R=418", `RewriteRule ^/x /y [R=418]`, "RewriteRule: invalid HTTP response code '418' for flag 'R'"},
	{"R=500", `RewriteRule ^/x /y [R=500]`, ""},
	{"R=foo", `RewriteRule ^/x /y [R=foo]`, ""},
	{"BNE", `RewriteRule ^/x /y [BNE]`, "RewriteRule: flag 'BNE' wants a list of characters (i.e. [BNE=...])"},
	{"DX", `RewriteRule ^/x /y [DX]`, ""},
	{"empty flag first", `RewriteRule ^/x /y [,L]`, "RewriteRule: unknown flag ''"},
	{"no flags", `RewriteRule ^/x /y []`, "RewriteRule: unknown flag ''"},
	{"space in flags", `RewriteRule ^/x /y [L, ]`, "RewriteRule: bad flag delimiters"},
	{"cond flag", `RewriteCond %{HTTP_HOST} ^x [XX]`, "RewriteCond: unknown flag 'XX'"},
	{"cond one argument", `RewriteCond %{HTTP_HOST}`, "RewriteCond: bad argument line '%{HTTP_HOST}'"},
	{"cond regex", `RewriteCond %{HTTP_HOST} ^(x`, "RewriteCond: cannot compile regular expression '^(x'"},
	{"cond -gt with space", `RewriteCond %{HTTP_HOST} -gt 5`, "RewriteCond: bad flag delimiters"},
	{"engine", `RewriteEngine maybe`, "RewriteEngine must be On or Off"},
	{"engine empty", `RewriteEngine`, "RewriteEngine must be On or Off"},
	{"base at server level", `RewriteBase /x`, "RewriteBase: only valid in per-directory config files"},
	{"options", `RewriteOptions Bogus`, "RewriteOptions: unknown option 'Bogus'"},
	{"options empty", `RewriteOptions`, "RewriteOptions requires at least one argument, List of option strings to set"},
	{"options MaxRedirects", `RewriteOptions MaxRedirects=3`, ""},
	{"quoted pattern", `RewriteRule "^/a b" /y`, ""},
	{"escaped space", `RewriteRule ^/a\ b /y`, ""},
	// gohttpd refuses what it cannot do (Apache accepts these).
	{"P refused", `RewriteRule ^/x http://backend/ [P]`, "RewriteRule: flag 'P' (proxy) is not supported by gohttpd: use ProxyPass or ProxyPassMatch"},
	{"expr refused", `RewriteCond expr "1 = 1"`, `RewriteCond: cannot compile expression "1 = 1": ap_expr conditions are not supported by gohttpd`},
	{"-U refused", `RewriteCond /x -U`, "RewriteCond: -U (a URL subrequest) is not supported by gohttpd"},
	{"map refused", `RewriteMap m txt:/etc/m.txt`, "RewriteMap: rewrite maps are not supported by gohttpd (use RewriteRule and RewriteCond without ${map:key})"},
	{"H refused", `RewriteRule \.php$ - [H=application/x-httpd-php]`, `RewriteRule: flag 'H=application/x-httpd-php': gohttpd has no handler "application/x-httpd-php" (server-status, metrics or none)`},
	{"H server-status", `RewriteRule ^/st$ - [H=server-status]`, ""},
}

func TestRewriteErrors(t *testing.T) {
	for _, tc := range rewriteErrors {
		t.Run(tc.name, func(t *testing.T) {
			name, raw, _ := strings.Cut(tc.line, " ")
			if name == tc.line {
				raw = ""
			}
			var b RewriteBuilder
			err := b.Directive(name, raw, "t.conf:1")
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("%s:\n got %q\nwant %q", tc.line, got, tc.want)
			}
		})
	}
}

func TestRewriteWarnings(t *testing.T) {
	var b RewriteBuilder
	for _, l := range [][2]string{
		{"RewriteCond", `%{REQUEST_FILENAME} -f [NC]`},
		{"RewriteRule", `^ - [L]`},
		{"RewriteOptions", `MaxRedirects=3`},
	} {
		if err := b.Directive(l[0], l[1], "/x/t.conf:7"); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"AH00665: RewriteCond: NoCase option for non-regex pattern '-f' is not supported and will be ignored. (/x/t.conf:7)",
		"AH00664: RewriteOptions: MaxRedirects option has been removed in favor of the global LimitInternalRecursion directive and will be ignored.",
	}
	if !reflect.DeepEqual(b.Warnings, want) {
		t.Errorf("warnings %q, want %q", b.Warnings, want)
	}
}

func TestParseRewriteCond(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want RewriteCond
	}{
		{`%{REQUEST_FILENAME} !-f`, RewriteCond{Input: "%{REQUEST_FILENAME}", Text: "!-f", Kind: CondFile, Not: true}},
		{`%{REQUEST_FILENAME} -d`, RewriteCond{Input: "%{REQUEST_FILENAME}", Text: "-d", Kind: CondDir}},
		{`%{X} -s`, RewriteCond{Input: "%{X}", Text: "-s", Kind: CondSize}},
		{`%{X} -L`, RewriteCond{Input: "%{X}", Text: "-L", Kind: CondLink}},
		{`%{X} -F`, RewriteCond{Input: "%{X}", Text: "-F", Kind: CondLookupFile}},
		{`%{X} -x`, RewriteCond{Input: "%{X}", Text: "-x", Kind: CondExec}},
		{`%{HTTP_HOST} ^www\.(.+)$ [NC,OR]`, RewriteCond{Input: "%{HTTP_HOST}", Pattern: `^www\.(.+)$`, Text: `^www\.(.+)$`, NoCase: true, OrNext: true}},
		{`%{HTTPS} =on [NV]`, RewriteCond{Input: "%{HTTPS}", Pattern: "on", Text: "=on", Kind: CondStrEQ, NoVary: true}},
		{`%{QUERY_STRING} =""`, RewriteCond{Input: "%{QUERY_STRING}", Text: `=""`, Kind: CondStrEQ}},
		{`%{X} <=abc`, RewriteCond{Input: "%{X}", Pattern: "abc", Text: "<=abc", Kind: CondStrLE}},
		{`%{X} >b [NC]`, RewriteCond{Input: "%{X}", Pattern: "b", Text: ">b", Kind: CondStrGT, NoCase: true}},
		{`%1 -ge10`, RewriteCond{Input: "%1", Pattern: "10", Text: "-ge10", Kind: CondIntGE}},
		{`%1 -ne10`, RewriteCond{Input: "%1", Pattern: "10", Text: "-ne10", Kind: CondIntEQ, Not: true}},
		{`%1 !-ne10`, RewriteCond{Input: "%1", Pattern: "10", Text: "!-ne10", Kind: CondIntEQ}},
		{`%1 -lt`, RewriteCond{Input: "%1", Pattern: "-lt", Text: "-lt"}},
		{`"%{HTTP:X Y}" 'a b'`, RewriteCond{Input: "%{HTTP:X Y}", Pattern: "a b", Text: "a b"}},
	} {
		got, err := ParseRewriteCond(tc.raw)
		if err != nil {
			t.Errorf("%s: %v", tc.raw, err)
			continue
		}
		if *got != tc.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.raw, *got, tc.want)
		}
	}
}

func TestParseRewriteRule(t *testing.T) {
	for _, tc := range []struct {
		raw   string
		subst string
		flags RewriteRuleFlags
		check func(*RewriteRule) bool
	}{
		{`. /index.php [L]`, "/index.php", RuleLast, nil},
		{`^index\.php$ - [L]`, "-", RuleLast | RuleNoSub, nil},
		{`!^/x /y`, "/y", RuleNotMatch, nil},
		{`^/x /y? [R=301,NE]`, "/y", RuleRedirect | RuleNoEscape | RuleQSNone, func(r *RewriteRule) bool { return r.Status == 301 }},
		{`^/x /y? [QSA]`, "/y?", RuleQSAppend | RuleQSLast, nil},
		{`^/x /y [QSD]`, "/y", RuleQSDiscard | RuleQSNone, nil},
		{`^/x /y?a=1 [QSD]`, "/y?a=1", RuleQSDiscard, nil},
		{`^/x - [F]`, "-", RuleNoSub | RuleStatus, func(r *RewriteRule) bool { return r.Status == 403 }},
		{`^/x - [G]`, "-", RuleNoSub | RuleStatus, func(r *RewriteRule) bool { return r.Status == 410 }},
		{`^/x - [R=404]`, "-", RuleNoSub | RuleStatus | RuleRedirect, func(r *RewriteRule) bool { return r.Status == 404 }},
		{`^/x /y [R]`, "/y", RuleRedirect, func(r *RewriteRule) bool { return r.Status == 302 }},
		{`^/x /y [redirect=permanent,nocase]`, "/y", RuleRedirect | RuleNoCase, func(r *RewriteRule) bool { return r.Status == 301 }},
		{`^/x /y [S=2,E=a:b,E=!c,CO=n:v:d,T=text/plain]`, "/y", 0, func(r *RewriteRule) bool {
			return r.Skip == 2 && reflect.DeepEqual(r.Env, []string{"a:b", "!c"}) && reflect.DeepEqual(r.Cookies, []string{"n:v:d"}) && r.Type == "text/plain"
		}},
		{`^/x /y [N=10]`, "/y", RuleNext, func(r *RewriteRule) bool { return r.MaxRounds == 10 }},
		{`^/x /y [N]`, "/y", RuleNext, func(r *RewriteRule) bool { return r.MaxRounds == 32000 }},
		{`^/x /y [B=&?,BNP,BNE=/]`, "/y", RuleEscapeBackref | RuleEscapeNoPlus, func(r *RewriteRule) bool { return r.Escapes == "&?" && r.NoEscapes == "/" }},
		{`^/x /y [BCTLS]`, "/y", RuleEscapeBackref | RuleEscapeCtls, nil},
		{`^/x /y [PT,DPI,END,C,NS,QSL,UNC,UnsafeAllow3F,UnsafePrefixStat]`, "/y",
			RulePassThrough | RuleDiscardPath | RuleEnd | RuleChain | RuleNoSubreq | RuleQSLast | RuleUNC | RuleUnsafeAllow3F | RuleUnsafePrefix, nil},
	} {
		r, err := ParseRewriteRule(tc.raw)
		if err != nil {
			t.Errorf("%s: %v", tc.raw, err)
			continue
		}
		if r.Subst != tc.subst || r.Flags != tc.flags || (tc.check != nil && !tc.check(r)) {
			t.Errorf("%s: got %+v (flags %b, want %b)", tc.raw, r, r.Flags, tc.flags)
		}
	}
}

func buildRewrite(t *testing.T, dir string, lines ...string) *RewriteConfig {
	t.Helper()
	b := RewriteBuilder{Dir: dir}
	for _, l := range lines {
		name, raw, _ := strings.Cut(l, " ")
		if err := b.Directive(name, raw, ""); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	c, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func patterns(c *RewriteConfig) []string {
	var p []string
	for _, r := range c.Rules {
		p = append(p, r.Pattern)
	}
	return p
}

// TestMergeRewrite: config_server_merge and config_perdir_merge. Apache
// 2.4.71 with site/rewrite/testdata/apache/vhosts.conf: a virtual host
// without RewriteEngine runs its own rules (the main server's On is
// inherited: /v 200), not the main server's (/main 404) unless
// "RewriteOptions Inherit" (/main 200); a virtual host without
// mod_rewrite directives runs none (404, 404).
func TestMergeRewrite(t *testing.T) {
	main := buildRewrite(t, "", "RewriteEngine On", "RewriteRule ^/main - [L]")
	vhost := buildRewrite(t, "", "RewriteRule ^/vhost - [L]")
	v := MergeRewriteServer(main, vhost)
	if !v.Enabled() || !reflect.DeepEqual(patterns(v), []string{"^/vhost"}) {
		t.Errorf("vhost without Inherit: %+v", v)
	}
	inh := buildRewrite(t, "", "RewriteOptions Inherit", "RewriteRule ^/vhost - [L]")
	if got := patterns(MergeRewriteServer(main, inh)); !reflect.DeepEqual(got, []string{"^/vhost", "^/main"}) {
		t.Errorf("Inherit: %q", got)
	}
	before := buildRewrite(t, "", "RewriteOptions InheritBefore", "RewriteRule ^/vhost - [L]")
	if got := patterns(MergeRewriteServer(main, before)); !reflect.DeepEqual(got, []string{"^/main", "^/vhost"}) {
		t.Errorf("InheritBefore: %q", got)
	}
	down := buildRewrite(t, "", "RewriteEngine On", "RewriteOptions InheritDown", "RewriteRule ^/main - [L]")
	if got := patterns(MergeRewriteServer(down, vhost)); !reflect.DeepEqual(got, []string{"^/vhost", "^/main"}) {
		t.Errorf("InheritDown: %q", got)
	}
	ignore := buildRewrite(t, "", "RewriteOptions IgnoreInherit", "RewriteRule ^/vhost - [L]")
	if got := patterns(MergeRewriteServer(down, ignore)); !reflect.DeepEqual(got, []string{"^/vhost"}) {
		t.Errorf("IgnoreInherit: %q", got)
	}

	// Per directory: the server's rules never become per-dir rules; the
	// engine state is inherited; RewriteBase only with MergeBase; Dir is
	// the child's.
	parent := buildRewrite(t, "/www", "RewriteBase /", "RewriteRule ^a - [L]")
	d := MergeRewriteDir(MergeRewriteDir(main, parent), nil)
	if !d.Enabled() || d.Dir != "/www/" || d.Base != "/" || !reflect.DeepEqual(patterns(d), []string{"^a"}) {
		t.Errorf("per-dir: %+v", d)
	}
	child := buildRewrite(t, "/www/blog", "RewriteRule ^b - [L]")
	c := MergeRewriteDir(d, child)
	if c.Dir != "/www/blog/" || c.BaseSet || !reflect.DeepEqual(patterns(c), []string{"^b"}) {
		t.Errorf("child: %+v", c)
	}
	childInh := buildRewrite(t, "/www/blog", "RewriteOptions Inherit MergeBase", "RewriteRule ^b - [L]")
	c = MergeRewriteDir(d, childInh)
	if c.Base != "/" || !reflect.DeepEqual(patterns(c), []string{"^b", "^a"}) {
		t.Errorf("child Inherit MergeBase: %+v", c)
	}
	off := buildRewrite(t, "/www/static", "RewriteEngine Off")
	if MergeRewriteDir(d, off).Enabled() {
		t.Error("RewriteEngine Off in a child section")
	}
	var none RewriteBuilder
	if c, _ := none.Finish(); c != nil {
		t.Error("a scope without directives is not nil")
	}
}

func TestRewriteJSONRoundTrip(t *testing.T) {
	c := buildRewrite(t, "/var/www", "RewriteEngine On", "RewriteBase /wp/", "RewriteOptions Inherit",
		`RewriteCond %{HTTP_HOST} ^www\.(.+)$ [NC,OR]`, `RewriteCond %{REQUEST_FILENAME} !-f`,
		`RewriteRule ^(.*)$ http://%1/$1 [R=301,L,E=a:b,CO=n:v:d,B=&,BNE=/,T=text/plain,S=1,N=4]`)
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back RewriteConfig
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, &back) {
		t.Errorf("round trip:\n%+v\n%+v", c, &back)
	}
}

func TestRewriteRegex(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		nocase  bool
		in      string
		match   bool
		goRE    bool
	}{
		{`^/admin$`, false, "/admin\n", true, true}, // PCRE's $ before a final newline
		{`^/admin$`, false, "/admin\nx", false, true},
		{`[$]`, false, "a$", true, true},
		{`\$`, false, "a$", true, true},
		{`^/(?!well-known)`, false, "/x", true, false},
		{`^/(?!well-known)`, false, "/well-known", false, false},
		{`(a)\1`, false, "aa", true, false},
		{`^/ABC`, true, "/abc", true, true},
		{`(?i)^/ABC`, false, "/abc", true, false},
		{`^/x{,2}$`, false, "/x{,2}", true, false},
	} {
		re, err := CompileRewriteRegex(tc.pattern, tc.nocase)
		if err != nil {
			t.Errorf("%s: %v", tc.pattern, err)
			continue
		}
		if got := re.Match(tc.in); got != tc.match {
			t.Errorf("%s on %q: %v, want %v", tc.pattern, tc.in, got, tc.match)
		}
		if re.UsesGoRegexp() != tc.goRE {
			t.Errorf("%s: Go regexp %v, want %v", tc.pattern, re.UsesGoRegexp(), tc.goRE)
		}
	}
	re, _ := CompileRewriteRegex(`^/é/(\w+)(?=x)`, false)
	m, ok := re.Submatch("/é/abcx", nil)
	if !ok || "/é/abcx"[m[2]:m[3]] != "abc" {
		t.Errorf("regexp2 byte offsets: %v %v", m, ok)
	}
}

func TestRewriteJSONLatin1(t *testing.T) {
	c := buildRewrite(t, "/var/www/caf\xe9", "RewriteEngine On", "RewriteRule ^/caf\xe9$ /cafe [R=301]")
	data, err := json.Marshal([]*RewriteConfig{c})
	if err != nil {
		t.Fatal(err)
	}
	var back []*RewriteConfig
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, back[0]) || back[0].Rules[0].Pattern != "^/caf\xe9$" {
		t.Errorf("Latin-1 bytes lost: %q", back[0].Rules[0].Pattern)
	}
}
