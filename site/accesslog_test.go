package site

import (
	"strings"
	"testing"

	"github.com/gohttpd/gohttpd/site/accesslog"
)

// The access log package implements what a Site needs.
var _ AccessLogger = (*accesslog.Logger)(nil)

// TestAccessLogLines runs the real access log: one line per request, with
// the final status, the body size and the keep-alive decision (%X) made by
// the handler chain.
func TestAccessLogLines(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"index.html": "home!"})
	var out logBuffer
	al, err := accesslog.New(&out, `%>s %b %X %k "%r"`, accesslog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(root)
	cfg.HTTP.MaxKeepAliveRequests = 2
	_, addr := startSite(t, cfg, Options{Access: al})
	c := dial(t, addr)
	for range 3 {
		c.do(req("GET", "/"))
	}
	want := []string{
		`200 5 + 0 "GET / HTTP/1.1"`,
		`200 5 + 1 "GET / HTTP/1.1"`,
		`200 5 - 2 "GET / HTTP/1.1"`,
	}
	waitFor(t, "three access log lines", func() bool { return strings.Count(out.String(), "\n") >= 3 })
	if got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("access log =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
