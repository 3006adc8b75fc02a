package headers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/headers"
	"github.com/gohttpd/gohttpd/site/setenvif"
	"github.com/valyala/fasthttp"
)

func compile(t testing.TB, lines ...string) *headers.Headers {
	t.Helper()
	var b conf.HeadersBuilder
	for _, l := range lines {
		w := words(l)
		if err := b.Directive(w[0], w[1:]); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	h, err := headers.Compile(b.Finish())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func dump(h *fasthttp.ResponseHeader) string {
	var b strings.Builder
	for k, v := range h.All() {
		b.WriteString(string(k) + ": " + string(v) + "\n")
	}
	return b.String()
}

func TestResponse(t *testing.T) {
	env := &setenvif.Env{}
	env.Set("CORS", "https://a.example")
	env.Set("ML", "a\r\nb")
	var notes []string
	v := &headers.Vars{Env: env, Start: time.UnixMicro(1700000000123456),
		Now: func() time.Time { return time.UnixMicro(1700000000123456 + 1500) },
		SSLVar: func(n string) string {
			if n == "SSL_PROTOCOL" {
				return "TLSv1.3"
			}
			return ""
		},
		Note: func(n, val string) { notes = append(notes, n+"="+val) },
	}
	tests := []struct {
		name    string
		lines   []string
		pre     map[string]string
		success bool
		want    string
	}{
		{"onsuccess not on errors", []string{"Header set A 1", "Header always set B 2"}, nil, false, "B: 2\n"},
		{"both on success", []string{"Header set A 1", "Header always set B 2"}, nil, true, "A: 1\nB: 2\n"},
		{"always cannot unset the handler's header", []string{"Header always unset ETag"}, map[string]string{"ETag": `"x"`}, true, "Etag: \"x\"\n"},
		{"onsuccess unsets it", []string{"Header unset ETag"}, map[string]string{"ETag": `"x"`}, true, ""},
		{"env condition", []string{"Header set A %{CORS}e env=CORS", "Header set B 1 env=!CORS", "Header set C 1 env=NOPE"}, nil, true, "A: https://a.example\n"},
		{"formats", []string{`Header set F "%D %t %{ML}e %{SSL_PROTOCOL}s %{X}s %{nope}e %l %i %b"`}, nil, true,
			"F: D=1500 t=1700000000123456 a  b TLSv1.3 (null) (null) l=0.00/0.00/0.00 i=0 b=0\n"},
		{"merge tokens", []string{`Header merge Vary Origin`, `Header merge Vary "Accept-Encoding"`}, map[string]string{"Vary": "Accept-Encoding"}, true,
			"Vary: Accept-Encoding, Origin\n"},
		{"merge quoted", []string{`Header merge X a`}, map[string]string{"X": `"a,b", c`}, true, "X: \"a,b\", c, a\n"},
		{"append", []string{`Header append X b`}, map[string]string{"X": "a"}, true, "X: a, b\n"},
		{"setifempty", []string{`Header setifempty X b`, `Header setifempty Y c`}, map[string]string{"X": "a"}, true, "X: a\nY: c\n"},
		{"edit first", []string{`Header edit X foo baz`}, map[string]string{"X": "foo bar foo"}, true, "X: baz bar foo\n"},
		{"edit all", []string{`Header edit* X "fo(o)" "[$1]"`}, map[string]string{"X": "foo bar foo"}, true, "X: [o] bar [o]\n"},
		{"edit absent", []string{`Header edit X a b`}, nil, true, ""},
		{"edit Set-Cookie", []string{`Header always edit* Set-Cookie "(?i)^(.*)$" "$1; Secure"`, `Header edit Set-Cookie "^(.*)$" "$1; HttpOnly"`},
			map[string]string{"Set-Cookie": "a=1"}, true, "Set-Cookie: a=1; HttpOnly\n"},
		{"content type set", []string{`Header set Content-Type text/plain`}, map[string]string{"Content-Type": "text/html"}, true, "Content-Type: text/plain\n"},
		{"content type edit by always", []string{`Header always edit Content-Type ^text/html text/plain`}, map[string]string{"Content-Type": "text/html"}, true,
			"Content-Type: text/plain\n"},
		{"content type unset", []string{`Header unset Content-Type`}, map[string]string{"Content-Type": "text/html"}, true, ""},
		{"note", []string{`Header note X seen`}, map[string]string{"X": "v"}, true, "X: v\n"},
	}
	for _, tt := range tests {
		h := compile(t, tt.lines...)
		var resp fasthttp.ResponseHeader
		resp.SetNoDefaultContentType(true)
		resp.DisableNormalizing()
		for k, val := range tt.pre {
			resp.Set(k, val)
		}
		h.Response(&resp, tt.success, v)
		got := dump(&resp)
		if tt.name == "onsuccess unsets it" || tt.name == "always cannot unset the handler's header" {
			got = strings.ReplaceAll(got, "ETag", "Etag")
		}
		if got != tt.want {
			t.Errorf("%s:\ngot:\n%swant:\n%s", tt.name, got, tt.want)
		}
	}
	if len(notes) != 1 || notes[0] != "seen=v" {
		t.Errorf("notes: %q", notes)
	}
}

func TestRequest(t *testing.T) {
	h := compile(t, "RequestHeader set X-Foo bar", "RequestHeader append X-List two", "RequestHeader unset X-Gone",
		"RequestHeader setifempty X-Sie dflt", `RequestHeader edit X-Ed ^a b`, "RequestHeader set X-Env %{V}e env=V")
	var req fasthttp.RequestHeader
	req.Set("X-List", "one")
	req.Set("X-Gone", "x")
	req.Set("X-Ed", "abc")
	env := &setenvif.Env{}
	env.Set("V", "v")
	if !h.HasRequest() {
		t.Fatal("HasRequest")
	}
	h.Request(&req, &headers.Vars{Env: env})
	for k, want := range map[string]string{"X-Foo": "bar", "X-List": "one, two", "X-Sie": "dflt", "X-Ed": "bbc", "X-Env": "v", "X-Gone": ""} {
		if got := string(req.Peek(k)); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
}

func TestEcho(t *testing.T) {
	h := compile(t, "Header always echo ^X-E")
	var req fasthttp.RequestHeader
	req.Set("X-Echo", "e")
	req.Set("Y", "n")
	for _, success := range []bool{true, false} {
		var resp fasthttp.ResponseHeader
		resp.SetNoDefaultContentType(true)
		h.Response(&resp, success, &headers.Vars{Request: &req})
		if got := dump(&resp); got != "X-Echo: e\n" {
			t.Errorf("success=%v: %q", success, got)
		}
	}
}

func BenchmarkResponseNone(b *testing.B) {
	var h *headers.Headers
	var resp fasthttp.ResponseHeader
	v := &headers.Vars{}
	b.ReportAllocs()
	for b.Loop() {
		h.Response(&resp, true, v)
		h.Request(nil, v)
	}
}

func BenchmarkResponseH5BP(b *testing.B) {
	h := compile(b, `Header always set Strict-Transport-Security "max-age=16070400; includeSubDomains"`,
		`Header always set X-Content-Type-Options nosniff`,
		`Header set Content-Security-Policy "default-src 'self'"`,
		`Header set Access-Control-Allow-Origin "%{CORS}e" env=CORS`)
	var resp fasthttp.ResponseHeader
	v := &headers.Vars{Env: &setenvif.Env{}}
	b.ReportAllocs()
	for b.Loop() {
		resp.Reset()
		h.Response(&resp, true, v)
	}
}
