package setenvif

import (
	"testing"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/valyala/fasthttp"
)

func compile(t testing.TB, lines ...[]string) *Rules {
	t.Helper()
	b := conf.SetEnvIfBuilder{InSection: true}
	for _, l := range lines {
		if err := b.Directive(l[0], l[1:]); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Compile(b.Finish())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEnv(t *testing.T) {
	var e Env
	if _, ok := e.Lookup("x"); ok || e.Len() != 0 {
		t.Fatal("zero Env")
	}
	e.Set("A", "1")
	e.Set("a", "2")
	e.SetDefault("A", "3")
	e.SetDefault("B", "4")
	if v, _ := e.Lookup("a"); v != "2" || e.Len() != 2 {
		t.Errorf("got %q, len %d", v, e.Len())
	}
	e.Unset("A")
	if _, ok := e.Lookup("A"); ok || e.Len() != 1 {
		t.Error("unset")
	}
	e.Reset()
	if e.Len() != 0 {
		t.Error("reset")
	}
	var nilEnv *Env
	if _, ok := nilEnv.Lookup("x"); ok {
		t.Error("nil Env")
	}
}

// The /env/ section of site/headers/testdata/apache/httpd.conf, whose
// answers site/headers' Apache test compares end to end; here the
// variables themselves.
func TestApply(t *testing.T) {
	rules := compile(t,
		[]string{"SetEnvIf", "User-Agent", "^Mozilla", "moz"},
		[]string{"BrowserMatch", "MSIE ([0-9]+)", "ie=$1"},
		[]string{"BrowserMatchNoCase", "curl", "iscurl"},
		[]string{"SetEnvIf", "Request_URI", `\.html$`, "html"},
		[]string{"SetEnvIf", "Remote_Addr", `^127\.`, "local"},
		[]string{"SetEnvIf", "Request_Method", "GET", "get"},
		[]string{"SetEnvIf", "Request_Protocol", `HTTP/1\.1`, "h11"},
		[]string{"SetEnvIf", "^X-Tr.*", "yes", "xtr"},
		[]string{"SetEnvIf", "moz", "1", "moz2=again"},
		[]string{"SetEnvIf", "X-Drop", "yes", "!moz"},
		[]string{"SetEnvIf", "Server_Addr", "^10\\.", "ten"},
		[]string{"SetEnvIf", "Remote_Host", "example", "named=$0"}, // a literal: no $0 expansion
		[]string{"SetEnvIf", "Origin", "^https?://(www\\.)?example\\.com$", "CORS=$0"},
		[]string{"SetEnvIf", "User-Agent", "x", "lit=$1"},
	)
	tests := []struct {
		hdr  map[string]string
		uri  string
		want map[string]string
	}{
		{map[string]string{"User-Agent": "Mozilla/5.0"}, "/env/index.html",
			map[string]string{"moz": "1", "html": "1", "local": "1", "get": "1", "h11": "1", "moz2": "again", "named": "$0"}},
		{map[string]string{"User-Agent": "Mozilla/4.0 (compatible; MSIE 8.0)", "X-Trace": "yes"}, "/env/",
			map[string]string{"moz": "1", "ie": "8", "local": "1", "get": "1", "h11": "1", "xtr": "1", "moz2": "again", "named": "$0"}},
		{map[string]string{"User-Agent": "CURL/8 x", "X-Drop": "yes", "Origin": "https://www.example.com"}, "/env/",
			map[string]string{"iscurl": "1", "local": "1", "get": "1", "h11": "1", "named": "$0",
				"CORS": "https://www.example.com", "lit": "$1"}},
	}
	for i, tt := range tests {
		var h fasthttp.RequestHeader
		for k, v := range tt.hdr {
			h.Set(k, v)
		}
		var env Env
		rules.Apply(&Request{Header: &h, RemoteAddr: "127.0.0.1", ServerAddr: "127.0.0.1", RemoteHost: "host.example",
			URI: tt.uri, Method: "GET", Protocol: "HTTP/1.1"}, &env)
		got := map[string]string{}
		for k, v := range env.All() {
			got[k] = v
		}
		if len(got) != len(tt.want) {
			t.Errorf("%d: got %v, want %v", i, got, tt.want)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%d: %s=%q, want %q (all: %v)", i, k, got[k], v, got)
			}
		}
	}
}

func TestPregsub(t *testing.T) {
	src := "MSIE 8.0"
	m := []int{0, 8, 5, 6, -1, -1}
	for tmpl, want := range map[string]string{
		"$1": "8", "v$0v": "vMSIE 8.0v", "$2": "", "$9": "", `\$1`: "$1", `a\\b`: `a\b`, "$": "$", "$x": "$x", `x\`: `x\`,
	} {
		if got := Pregsub(tmpl, src, m); got != want {
			t.Errorf("%q: got %q, want %q", tmpl, got, want)
		}
	}
}

func TestApplyEnv(t *testing.T) {
	var b conf.EnvBuilder
	_ = b.Directive("SetEnv", []string{"fromsetenv", "v"})
	_ = b.Directive("SetEnv", []string{"moz", "setenv"})
	var env Env
	env.Set("moz", "1")
	ApplyEnv(b.Finish(), &env)
	if v, _ := env.Lookup("fromsetenv"); v != "v" {
		t.Error("SetEnv")
	}
	if v, _ := env.Lookup("moz"); v != "1" {
		t.Errorf("a SetEnvIf value is found first: %q", v)
	}
}

func BenchmarkApplyNoRules(b *testing.B) {
	var rules *Rules
	var env Env
	req := &Request{URI: "/"}
	b.ReportAllocs()
	for b.Loop() {
		rules.Apply(req, &env)
		ApplyEnv(nil, &env)
	}
}

func BenchmarkApplyBrowserMatch(b *testing.B) {
	rules := compile(b, []string{"BrowserMatch", "MSIE ([0-9]+)", "ie=$1"}, []string{"SetEnvIf", "User-Agent", "^Mozilla", "moz"})
	var h fasthttp.RequestHeader
	h.SetUserAgent("Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
	req := &Request{Header: &h, URI: "/"}
	var env Env
	b.ReportAllocs()
	for b.Loop() {
		env.Reset()
		rules.Apply(req, &env)
	}
}
