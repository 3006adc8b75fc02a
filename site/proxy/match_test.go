package proxy

import (
	"bufio"
	"bytes"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// build runs directives through conf's builder, as the site will.
func build(t testing.TB, lines ...[]string) (*conf.ProxyServer, *conf.ProxyBuilder) {
	t.Helper()
	var b conf.ProxyBuilder
	for _, l := range lines {
		loc := ""
		if strings.HasPrefix(l[0], "@") { // "@/loc" prefix: inside <Location /loc>
			loc, l = l[0][1:], l[1:]
		}
		var err error
		switch l[0] {
		case "<Proxy":
			err = b.OpenProxy(l[1:])
		case "</Proxy>":
			b.CloseProxy()
		default:
			err = b.Directive(loc, l[0], l[1:])
		}
		if err != nil {
			t.Fatalf("%q: %v", l, err)
		}
	}
	srv, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return srv, &b
}

func TestAliasMatch(t *testing.T) {
	tests := []struct {
		uri, fake string
		want      int
	}{
		{"/app/x", "/app/", 5},
		{"/app", "/app/", 0},
		{"/appx", "/app", 0},
		{"/app", "/app", 4},
		{"/app/x", "/app", 4},
		{"/app//x", "/app/", 6},
		{"//app/x", "/app/", 6},
		{"/", "/", 1},
		{"/x", "/", 1},
		{"/", "/examples", 0},
		{"/ap", "/app", 0},
		{"/App/x", "/app/", 0}, // case-sensitive
	}
	for _, tt := range tests {
		if got := aliasMatch(tt.uri, tt.fake); got != tt.want {
			t.Errorf("aliasMatch(%q, %q) = %d, want %d", tt.uri, tt.fake, got, tt.want)
		}
	}
}

func TestMatch(t *testing.T) {
	srv, b := build(t,
		[]string{"ProxyPass", "/app/static", "!"},
		[]string{"ProxyPass", "/app/", "http://127.0.0.1:18081/b/"},
		[]string{"ProxyPass", "/app/late", "!"}, // after the line it would carve out: no effect
		[]string{"ProxyPass", "/noslash", "http://127.0.0.1:18081/b"},
		[]string{"ProxyPass", "/nopath/", "http://127.0.0.1:18081"},
		[]string{"ProxyPassMatch", `^/m/(.*)\.png$`, "http://127.0.0.1:18081/b/png/$1"},
		[]string{"ProxyPassMatch", `\.gif$`, "http://127.0.0.1:18081/g"},
		[]string{"ProxyPass", "/q/", "http://127.0.0.1:18081/", "noquery"},
		[]string{"ProxyPass", "/lb/", "balancer://pool/y/"},
		[]string{"<Proxy", "balancer://pool"},
		[]string{"BalancerMember", "http://127.0.0.1:9001/x"},
		[]string{"</Proxy>"},
		[]string{"@/loc/", "ProxyPass", "http://127.0.0.1:18081/b/loc/"},
	)
	px, err := New(srv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	loc := b.Dir("/loc/")
	tests := []struct {
		uri, query string
		dir        *conf.ProxyDir
		want       string // backend path; "" not proxied
	}{
		// Observed on Apache 2.4.71 with the same lines (see apache_test.go).
		{uri: "/app/x y", query: "a=b", want: "/b/x%20y?a=b"},
		{uri: "/app/static/x", want: ""},
		{uri: "/app/late", want: "/b/late"},
		{uri: "/appx", want: ""},
		{uri: "/app", want: ""},
		{uri: "/noslash/q", want: "/b/q"},
		{uri: "/noslashx", want: ""},
		{uri: "/m/a/b.png", want: "/b/png/a/b"},
		{uri: "/x/y.gif", want: "/g/x/y.gif"},
		{uri: "/app/@evil.com", want: "/b/@evil.com"},
		{uri: "/app/a;b=c:d@e", want: "/b/a;b=c:d@e"},
		{uri: "/app/%A~\"<>", want: "/b/%25A~%22%3C%3E"},
		{uri: "/app//evil.com/x", want: "/b/evil.com/x"},
		{uri: "/q/x", query: "a=1", want: "/x"},
		{uri: "/lb/z", want: "/y/z"},
		{uri: "/loc/z", dir: loc, want: "/b/loc/z"},
		{uri: "/loc/z", want: ""}, // the Location's ProxyPass only applies inside it
		// gohttpd: the host part can never come from the request.
		{uri: "/nopath/x", want: "/x"},
		{uri: "/nopath//evil.com", want: "/evil.com"},
		{uri: "/app/a\r\nHost: evil", want: "/b/a%0D%0AHost:%20evil"},
		{uri: "x", want: ""},
	}
	for _, tt := range tests {
		tgt, ok := px.Match(tt.uri, []byte(tt.query), tt.dir)
		got := ""
		if ok {
			got = tgt.Path
		}
		if got != tt.want {
			t.Errorf("Match(%q, %q) = %q, want %q", tt.uri, tt.query, got, tt.want)
		}
	}
}

func TestCanonPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/a b", "/a%20b"},
		{"/a%2Fb", "/a%252Fb"},
		{"//evil.com/x", "/evil.com/x"},
		{"evil.com", "/evil.com"},
		{"/é", "/%C3%A9"},
		{"/a?b#c", "/a%3Fb%23c"},
		{"/~$-_.+!*'(),;:@&=", "/~$-_.+!*'(),;:@&="},
		{"/\x00\x7f", "/%00%7F"},
	}
	for _, tt := range tests {
		if got := canonPath(tt.in); got != tt.want {
			t.Errorf("canonPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPregsub(t *testing.T) {
	srv, _ := build(t, []string{"ProxyPassMatch", `^/(a)(b)?/(.*)$`, `http://h/$3/$2/$1/\$1/$9`})
	px, _ := New(srv, Options{})
	tgt, ok := px.Match("/a/x", nil, nil)
	if !ok || tgt.Path != "/x//a/$1/" {
		t.Fatalf("got %q %v", tgt.Path, ok)
	}
}

// FuzzMatch: whatever the request path and query, the backend request
// target is origin-form (one leading '/', no CR, LF, space, '#') and the
// backend stays the configured one.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"/app/x", "/app//evil.com", "/app/@evil.com:80/", "/app/%2F..%2F", "/app/\r\nX: y", "/app/http://evil.com/", "/m/x.png"} {
		f.Add(s, "a=b")
	}
	srv, _ := build(f,
		[]string{"ProxyPass", "/app/", "http://127.0.0.1:18081/b/"},
		[]string{"ProxyPass", "/nopath", "http://127.0.0.1:18081"},
		[]string{"ProxyPassMatch", `^/m/(.*)$`, "http://127.0.0.1:18081/$1"},
	)
	px, err := New(srv, Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, uri, query string) {
		tgt, ok := px.Match(uri, []byte(query), nil)
		if !ok {
			return
		}
		p := tgt.Path
		if i := strings.IndexByte(p, '?'); i >= 0 {
			p = p[:i]
		}
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\r\n #\x00") {
			t.Fatalf("Match(%q) = %q", uri, tgt.Path)
		}
		w := px.worker(tgt.Pass.Worker)
		if w.addr != "127.0.0.1:18081" || w.scheme != "http" {
			t.Fatalf("Match(%q): backend %s://%s", uri, w.scheme, w.addr)
		}
		// What goes on the wire: the request line keeps the path as
		// built and Host stays the backend's. (Serve refuses a query with
		// control characters or spaces with 403 before this.)
		if badQuery([]byte(query)) {
			return
		}
		var ctx fasthttp.RequestCtx
		ctx.Request.Header.SetHost("front")
		req := fasthttp.AcquireRequest()
		defer fasthttp.ReleaseRequest(req)
		px.buildRequest(&ctx, req, &Request{ClientIP: "127.0.0.1"}, w, tgt.Path)
		req.URI().DisablePathNormalizing = true // as HostClient.Do sets it
		var buf bytes.Buffer
		bw := bufio.NewWriter(&buf)
		if err := req.Write(bw); err != nil {
			t.Fatal(err)
		}
		_ = bw.Flush()
		head := buf.String()
		line, rest, _ := strings.Cut(head, "\r\n")
		if line != "GET "+tgt.Path+" HTTP/1.1" || !strings.HasPrefix(rest, "Host: 127.0.0.1:18081\r\n") {
			t.Fatalf("Match(%q): wire\n%s", uri, head)
		}
	})
}

func TestBodyless(t *testing.T) {
	for _, tc := range []struct {
		head string
		want bool
	}{
		{"GET / HTTP/1.1\r\nHost: b\r\nUser-Agent: x\r\n\r\n", true},
		{"GET / HTTP/1.1\r\n\r\n", true},
		{"POST / HTTP/1.1\r\nHost: b\r\nContent-Length: 3\r\n\r\nabc", false},
		{"POST / HTTP/1.1\r\nhost: b\r\ncontent-length: 0\r\n\r\n", false},
		{"POST / HTTP/1.1\r\nHost: b\r\nTRANSFER-ENCODING: chunked\r\n\r\n3\r\nabc", false},
		{"GET / HTTP/1.1\r\nHost: b\r\nX-Content-Length: 3\r\n\r\n", true},
		{"GET / HTTP/1.1\r\nHost: b\r\n", false}, // head not complete in this write
		{"", false},
	} {
		if got := bodyless([]byte(tc.head)); got != tc.want {
			t.Errorf("bodyless(%q) = %v, want %v", tc.head, got, tc.want)
		}
	}
}

// FuzzBodyless: bodyless never panics, and never calls a request head
// bodyless when a line of it names Content-Length or Transfer-Encoding.
func FuzzBodyless(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nHost: b\r\n\r\n"))
	f.Add([]byte("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"))
	f.Add([]byte("\r\n\r\n"))
	f.Fuzz(func(t *testing.T, p []byte) {
		if !bodyless(p) {
			return
		}
		end := bytes.Index(p, []byte("\r\n\r\n"))
		for _, line := range bytes.Split(p[:end], []byte("\n"))[1:] {
			l := strings.ToLower(string(line))
			if strings.HasPrefix(l, "content-length:") || strings.HasPrefix(l, "transfer-encoding:") {
				t.Fatalf("bodyless(%q) with %q", p, line)
			}
		}
	})
}
