package alias

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gohttpd/gohttpd/conf"
)

func build(t testing.TB, lines ...string) *conf.AliasServer {
	t.Helper()
	b := conf.AliasBuilder{ServerRoot: "/srv"}
	for _, l := range lines {
		f := strings.Fields(l)
		if err := b.Directive(nil, conf.AliasInServer, "", f[0], f[1:]); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	return b.Server()
}

func section(t testing.TB, ctx conf.AliasContext, path string, lines ...string) *conf.AliasDir {
	t.Helper()
	var b conf.AliasBuilder
	d := &conf.AliasDir{}
	for _, l := range lines {
		f := strings.Fields(l)
		if err := b.Directive(d, ctx, path, f[0], f[1:]); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	return d
}

var construct = func(p string) string { return "http://h.example" + p }

func TestTranslate(t *testing.T) {
	srv := build(t,
		"Alias /icons/ /usr/share/apache2/icons/",
		"Alias /rel data/",
		"AliasMatch ^/m/([a-z]+)/(.*)$ /files/$2/$1",
		"AliasMatch ^/r/(.*)$ rel/$1",
		"Redirect /old http://new.example/",
		"Redirect 301 /abs /target",
		"RedirectMatch 307 ^/x/(.*)\\.html$ http://e.example/$1.htm",
		"RedirectMatch ^/esc/(.*)$ http://e.example/\\$1/$1",
		"RedirectMatch ^/creds/(.*)$ http://u:pw@e.example:8080/$1#f",
		"RedirectMatch ^/v6/(.*)$ http://[::1]:80/$1",
		"RedirectMatch ^/nonurl/(.*)$ nonurl$1",
		"Redirect 404 /hidden",
	)
	tests := []struct {
		uri, args string
		loc       *conf.AliasDir
		want      Result
	}{
		{uri: "/icons/a b.png", want: Result{Filename: "/usr/share/apache2/icons/a b.png"}},
		{uri: "/icons", want: Result{}},
		// Apache keeps both slashes ("Alias /rel data/").
		{uri: "/rel/x", want: Result{Filename: "/srv/data//x"}},
		{uri: "/m/abc/d/e", want: Result{Filename: "/files/d/e/abc"}},
		{uri: "/r/q", want: Result{Filename: "/srv/rel/q"}},
		// The remainder keeps its slash: Apache's classic "//" (the manual's
		// advice: match trailing slashes).
		{uri: "/old/a b", args: "q=1", want: Result{Status: 302, Location: "http://new.example//a%20b?q=1"}},
		{uri: "/abs/z", want: Result{Status: 301, Location: "http://h.example/target/z",
			Log: []LogLine{{-4, "AH00673: incomplete redirection target of '/target/z' for URI '/abs/z' modified to 'http://h.example/target/z'"}}}},
		{uri: "/x/page.html", want: Result{Status: 307, Location: "http://e.example/page.htm"}},
		{uri: "/esc/w", want: Result{Status: 302, Location: "http://e.example/$1/w"}},
		{uri: "/creds/a b", want: Result{Status: 302, Location: "http://u:XXXXXXXX@e.example:8080/a%20b#f"}},
		// ap_escape_uri escapes the brackets of an IPv6 literal, as Apache.
		{uri: "/v6/a", want: Result{Status: 302, Location: "http://%5b::1%5d/a"}},
		{uri: "/nonurl/1", want: Result{Status: 500,
			Log: []LogLine{{8, "AH00674: cannot redirect '/nonurl/1' to 'nonurl1'; target is not a valid absoluteURI or abs_path"}}}},
		{uri: "/hidden/x", want: Result{Status: 404}},
		{uri: "relative", want: Result{}},
		// A <Location> one-argument Redirect wins over everything.
		{uri: "/icons/a", loc: section(t, conf.AliasInLocation, "/icons", "Redirect seeother http://s.example/a<b"),
			want: Result{Status: 303, Location: "http://s.example/a%3cb"}},
		// and its one-argument Alias over the Alias lines.
		{uri: "/icons/a", loc: section(t, conf.AliasInLocation, "/icons", "Alias /var/one"),
			want: Result{Filename: "/var/one"}},
	}
	for _, tt := range tests {
		got := Translate(&Request{URI: tt.uri, Args: tt.args, ConstructURL: construct}, srv, tt.loc)
		if !equalResult(got, tt.want) {
			t.Errorf("Translate(%q): %+v, want %+v", tt.uri, got, tt.want)
		}
	}
}

func equalResult(a, b Result) bool {
	if a.Status != b.Status || a.Location != b.Location || a.Filename != b.Filename || len(a.Log) != len(b.Log) {
		return false
	}
	for i := range a.Log {
		if a.Log[i] != b.Log[i] {
			return false
		}
	}
	return true
}

func TestFixupAndFlags(t *testing.T) {
	dir := section(t, conf.AliasInDirectory, "/var/www/d",
		"Redirect /d/a http://e.example/a", "RedirectMatch 410 ^/d/g")
	inner := section(t, conf.AliasInDirectory, "/var/www/d/in", "Redirect /d/in/b /local", "RedirectRelative On")
	merged := conf.MergeAliasDir(dir, inner)
	tests := []struct {
		uri  string
		dir  *conf.AliasDir
		want Result
	}{
		{"/d/a/x", dir, Result{Status: 302, Location: "http://e.example/a/x"}},
		{"/d/gone", dir, Result{Status: 410}},
		{"/d/other", dir, Result{}},
		// RedirectRelative On: the URL-path is sent as it is.
		{"/d/in/b/c", merged, Result{Status: 302, Location: "/local/c"}},
		{"/x", nil, Result{}},
	}
	for _, tt := range tests {
		got := Fixup(&Request{URI: tt.uri, ConstructURL: construct}, tt.dir)
		if !equalResult(got, tt.want) {
			t.Errorf("Fixup(%q): %+v, want %+v", tt.uri, got, tt.want)
		}
	}
	// AliasPreservePath On maps the rest of the path after the Location.
	loc := section(t, conf.AliasInLocation, "/app", "Alias /srv/app", "AliasPreservePath On")
	if got := Translate(&Request{URI: "/app/x/y"}, nil, loc); got.Filename != "/srv/app/x/y" {
		t.Errorf("AliasPreservePath: %+v", got)
	}
	loc = section(t, conf.AliasInLocation, "/app", "Alias /srv/app")
	if got := Translate(&Request{URI: "/app/x/y"}, nil, loc); got.Filename != "/srv/app" {
		t.Errorf("one-argument Alias: %+v", got)
	}
}

func TestPregsub(t *testing.T) {
	src := "/a/bc"
	m := []int{0, 5, 1, 2, 3, 5, -1, -1}
	for tmpl, want := range map[string]string{
		"$0|$1|$2|$3|$9": "/a/bc|a|bc||",
		`\$1\\x\`:        `$1\x\`,
		"plain":          "plain",
		"$":              "$",
		"$x":             "$x",
	} {
		if got, ok := pregsub(tmpl, src, m); !ok || got != want {
			t.Errorf("pregsub(%q) = %q %v, want %q", tmpl, got, ok, want)
		}
	}
	if _, ok := pregsub(strings.Repeat("$0", maxSubst/5+1), src, m); ok {
		t.Error("an oversized substitution succeeded")
	}
	// A failed substitution is a 500 with AH00672.
	srv := build(t, "RedirectMatch ^/(.*)$ http://x/"+strings.Repeat("$1", 2000))
	got := Translate(&Request{URI: "/" + strings.Repeat("a", 100)}, srv, nil)
	if got.Status != 500 || len(got.Log) != 1 || !strings.HasPrefix(got.Log[0].Text, "AH00672: ") {
		t.Errorf("oversized RedirectMatch: %+v", got.Status)
	}
}

func TestEscapePath(t *testing.T) {
	for in, want := range map[string]string{
		"/a b":               "/a%20b",
		"/ü":                 "/%c3%bc",
		"/$-_.+!*'(),:;@&=~": "/$-_.+!*'(),:;@&=~",
		"/%?#\"<>":           "/%25%3f%23%22%3c%3e",
		"plain":              "plain",
	} {
		if got := EscapePath(in); got != want {
			t.Errorf("EscapePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzEscapeTarget(f *testing.F) {
	for _, s := range []string{"http://u:p@h:80/a b?q#f", "/x", "mailto:a b", "http://[::1]:8080/", "//h/p", "::", "a?b#c?d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := escapeTarget(s)
		path, _, _ := strings.Cut(out, "?")
		path, _, _ = strings.Cut(path, "#")
		for i := 0; i < len(path); i++ {
			if c := path[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' {
				t.Fatalf("escapeTarget(%q) = %q: unescaped %q", s, out, c)
			}
		}
		if !strings.Contains(s, "#") && !strings.Contains(s, "?") && !strings.Contains(s, "@") && !strings.Contains(s, "//") {
			// Without authority, query or fragment it is ap_escape_uri.
			if out != EscapePath(s) {
				t.Fatalf("escapeTarget(%q) = %q, EscapePath %q", s, out, EscapePath(s))
			}
		}
		_ = utf8.ValidString(out)
	})
}

func BenchmarkTranslateMiss(b *testing.B) {
	srv := build(b,
		"Alias /icons/ /usr/share/apache2/icons/",
		"Alias /static /srv/static",
		"AliasMatch ^/img/(.*)\\.png$ /srv/img/$1.png",
		"Redirect permanent /old http://new.example/",
		"RedirectMatch ^/legacy/(.*)$ http://new.example/$1",
	)
	req := &Request{URI: "/index.html", ConstructURL: construct}
	b.ReportAllocs()
	for b.Loop() {
		if r := Translate(req, srv, nil); r.Matched() {
			b.Fatal("matched")
		}
	}
}

func BenchmarkTranslateRedirect(b *testing.B) {
	srv := build(b, "Redirect permanent /old http://new.example/")
	req := &Request{URI: "/old/page.html", Args: "a=1"}
	b.ReportAllocs()
	for b.Loop() {
		if r := Translate(req, srv, nil); r.Status != 301 {
			b.Fatal(r)
		}
	}
}

func BenchmarkDirFixupFile(b *testing.B) {
	req := &DirRequest{URI: "/a.html"}
	b.ReportAllocs()
	for b.Loop() {
		if d := DirFixup(req, nil); d.Action != DirDecline {
			b.Fatal(d)
		}
	}
}

// Observed with Apache 2.4.71 (curl -H 'Host: ...' http://127.0.0.1:18480/multi,
// ServerName front.example without port; and the v.example virtual host).
func TestURLOptions(t *testing.T) {
	tests := []struct {
		o    URLOptions
		want string
	}{
		{URLOptions{Host: "foo.example", ServerName: "front.example"}, "http://foo.example/multi/"},
		{URLOptions{Host: "Foo.Example:80", ServerName: "front.example"}, "http://foo.example/multi/"},
		{URLOptions{Host: "127.0.0.1:18480", ServerName: "front.example"}, "http://127.0.0.1:18480/multi/"},
		{URLOptions{Host: "[::1]:18480", ServerName: "front.example"}, "http://[::1]:18480/multi/"},
		{URLOptions{ServerName: "v.example"}, "http://v.example/multi/"},
		{URLOptions{Host: "x.example:8443", HTTPS: true, ServerName: "s", UseCanonicalName: true}, "https://s:8443/multi/"},
		{URLOptions{Host: "x.example:8443", HTTPS: true, ServerName: "s", ServerPort: 443, UseCanonicalName: true}, "https://s/multi/"},
		{URLOptions{Host: "x.example", ServerName: "s", ServerPort: 8080}, "http://x.example:8080/multi/"},
	}
	for _, tt := range tests {
		if got := tt.o.URL("/multi/"); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.o, got, tt.want)
		}
	}
}

// No path makes a Location a header cannot carry, or panics.
func FuzzTranslate(f *testing.F) {
	srv := build(f,
		"Redirect /r http://e.example/x",
		"RedirectMatch ^/q/(.*)$ http://e.example/?q=$1#$1",
		"RedirectMatch ^/m/(.*)$ $1",
		"AliasMatch ^/a/(.*)$ /srv/$1",
		"Alias /i/ /icons/",
	)
	for _, s := range []string{"/r/a b", "/q/\r\nX: y", "/m/http://evil", "/a/../x", "/i/", "//r//x", "/q/\x7f"} {
		f.Add(s, "a=1")
	}
	f.Fuzz(func(t *testing.T, uri, args string) {
		if !strings.HasPrefix(uri, "/") || !validFieldValue(args) {
			return // fasthttp hands over a path starting with '/' and a raw query
		}
		res := Translate(&Request{URI: uri, Args: args, ConstructURL: construct}, srv, nil)
		if !validFieldValue(res.Location) {
			t.Fatalf("%q: Location %q", uri, res.Location)
		}
		if res.Status >= 300 && res.Status < 400 && res.Location == "" {
			t.Fatalf("%q: redirect without Location", uri)
		}
		if res.Filename != "" && !strings.HasPrefix(res.Filename, "/srv/") && !strings.HasPrefix(res.Filename, "/icons/") {
			t.Fatalf("%q: file %q", uri, res.Filename)
		}
	})
}
