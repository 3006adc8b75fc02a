package errordoc

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
)

var update = flag.Bool("update", false, "rewrite testdata/pages.golden")

func docs(t *testing.T, lines ...string) conf.ErrorDocs {
	t.Helper()
	var b conf.ErrorDocBuilder
	for _, l := range lines {
		code, msg, _ := strings.Cut(l, " ")
		if _, err := b.Directive([]string{code, msg}); err != nil {
			t.Fatal(err)
		}
	}
	return b.Docs()
}

func TestDecide(t *testing.T) {
	d := docs(t, "404 /errors/404.html?x=1", "403 http://example.com/", "500 Custom text", "410 default")
	tests := []struct {
		status int
		want   Decision
	}{
		{404, Decision{Action: Internal, Status: 404, URI: "/errors/404.html?x=1"}},
		{403, Decision{Action: External, Status: 302, Location: "http://example.com/"}},
		{500, Decision{Action: Text, Status: 500, Body: "Custom text"}},
		{418, Decision{Action: Text, Status: 418, Body: "Custom text"}}, // filed under 500, as Apache
		{410, Decision{Action: Canned, Status: 410}},
		{401, Decision{Action: Canned, Status: 401}},
	}
	for _, tt := range tests {
		if got := Decide(d, tt.status); got != tt.want {
			t.Errorf("Decide(%d) = %+v, want %+v", tt.status, got, tt.want)
		}
	}
	if got := Decide(nil, 404); got != (Decision{Action: Canned, Status: 404}) {
		t.Errorf("no ErrorDocument: %+v", got)
	}
}

func TestEnv(t *testing.T) {
	got := Env(&Original{Status: 404, Method: "POST", URI: "/a b", Args: "q=1", User: "bob", Notes: "n",
		Env: func(yield func(k, v string) bool) { _ = yield("HTTPS", "on") && yield("FOO", "bar") }})
	want := [][2]string{{"REDIRECT_HTTPS", "on"}, {"REDIRECT_FOO", "bar"}, {"REDIRECT_REQUEST_METHOD", "POST"},
		{"REDIRECT_ERROR_NOTES", "n"}, {"REDIRECT_STATUS", "404"}, {"REDIRECT_URL", "/a b"},
		{"REDIRECT_QUERY_STRING", "q=1"}, {"REDIRECT_REMOTE_USER", "bob"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Env = %q, want %q", got, want)
	}
}

// Pages observed from Apache 2.4.71 (site/alias/testdata/apache/observed):
// these exact bytes, with the HTML 4.01 doctype.
func TestPageApache(t *testing.T) {
	p := Page{Doctype: DoctypeHTML401}
	tests := []struct {
		info PageInfo
		want string
	}{
		{PageInfo{Status: 303, Location: "http://example.com/303?z=1"}, "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>303 See Other</title>\n</head><body>\n<h1>See Other</h1>\n<p>The answer to your request is located <a href=\"http://example.com/303?z=1\">here</a>.</p>\n</body></html>\n"},
		{PageInfo{Status: 410}, "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>410 Gone</title>\n</head><body>\n<h1>Gone</h1>\n<p>The requested resource is no longer available on this server and there is no forwarding address.\nPlease remove all references to this resource.</p>\n</body></html>\n"},
		{PageInfo{Status: 404, Recursive: 404}, "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n<p>Additionally, a 404 Not Found\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>\n</body></html>\n"},
		{PageInfo{Status: 302, Location: "http://example.com/x/a'b(c)$d~e"}, "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>302 Found</title>\n</head><body>\n<h1>Found</h1>\n<p>The document has moved <a href=\"http://example.com/x/a'b(c)$d~e\">here</a>.</p>\n</body></html>\n"},
	}
	for _, tt := range tests {
		if got := string(p.Render(&tt.info)); got != tt.want {
			t.Errorf("page %d:\n%s\nwant\n%s", tt.info.Status, got, tt.want)
		}
	}
	if got := p.Render(&PageInfo{Status: 304}); len(got) != 0 {
		t.Errorf("304 has a body: %q", got)
	}
}

// The page for every status Apache knows (and one it does not), HTML 2.0
// as site/errpage.go; go test -update rewrites the golden file.
func TestPagesGolden(t *testing.T) {
	p := Page{Doctype: DoctypeHTML20, ServerAdmin: "web<master>@example.com"}
	var b []byte
	for s := 100; s < 600; s++ {
		if conf.StatusIndexCode(s) != s && s != 418 {
			continue
		}
		b = append(b, "=== "+strconv.Itoa(s)+"\n"...)
		b = p.Append(b, &PageInfo{Status: s, Method: "P<O>ST", Location: "http://x/\"a\"&b", Notes: "NOTES", Expect: "1<2"})
	}
	path := filepath.Join("testdata", "pages.golden")
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(want) {
		t.Errorf("pages differ from %s (go test -update after checking the diff)", path)
	}
}

func BenchmarkDecideCanned(b *testing.B) {
	d := conf.ErrorDocs{404: {Kind: conf.ErrorDocLocal, Value: "/e.html"}}
	b.ReportAllocs()
	for b.Loop() {
		if Decide(d, 403).Action != Canned {
			b.Fatal()
		}
	}
}

func BenchmarkPage404(b *testing.B) {
	p := Page{Doctype: DoctypeHTML20}
	buf := make([]byte, 0, 1024)
	info := &PageInfo{Status: 404}
	b.ReportAllocs()
	for b.Loop() {
		buf = p.Append(buf[:0], info)
	}
}
