package site

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/valyala/fasthttp"
)

// accessEntry is what the fake access log keeps of one call: copies, as
// fasthttp forbids keeping ctx data.
type accessEntry struct {
	uri    string
	status int
	close  bool
	start  time.Time
}

type fakeAccess struct {
	mu      sync.Mutex
	entries []accessEntry
}

func (f *fakeAccess) Log(ctx *fasthttp.RequestCtx, start time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.entries = append(f.entries, accessEntry{
		uri:    string(ctx.RequestURI()),
		status: ctx.Response.StatusCode(),
		close:  ctx.Response.ConnectionClose(),
		start:  start,
	})
}

func (f *fakeAccess) take() []accessEntry {
	f.mu.Lock()
	defer f.mu.Unlock()
	e := f.entries
	f.entries = nil
	return e
}

func (f *fakeAccess) len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.entries)
}

func TestPanicRecovery(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"index.html": "home"})
	cfg := testConfig(root)
	cfg.Site.ServerAdmin = "admin@example.com"
	cfg.Site.Locations = []conf.Location{{Path: "/boom", Handler: "boom"}}
	var logs logBuffer
	access := &fakeAccess{}
	_, addr := startSite(t, cfg, Options{
		Logger:   newTestLogger(&logs),
		Access:   access,
		Handlers: map[string]fasthttp.RequestHandler{"boom": func(*fasthttp.RequestCtx) { panic("kaboom") }},
	})
	c := dial(t, addr)
	resp := c.do(req("GET", "/boom", "Connection: keep-alive"))
	if resp.StatusCode() != 500 || !resp.ConnectionClose() {
		t.Errorf("GET /boom = %d (close %v), want 500 with Connection: close", resp.StatusCode(), resp.ConnectionClose())
	}
	for _, want := range []string{"<title>500 Internal Server Error</title>", "administrator at \n admin@example.com to inform"} {
		if !strings.Contains(string(resp.Body()), want) {
			t.Errorf("500 body = %q, want it to contain %q", resp.Body(), want)
		}
	}
	if !c.closed() {
		t.Error("connection still open after the panic")
	}
	if got := get(t, addr, req("GET", "/")).StatusCode(); got != 200 {
		t.Errorf("GET / after the panic: status = %d, want 200", got)
	}
	out := logs.String()
	for _, want := range []string{"level=ERROR", "kaboom", "goroutine", "chain_test.go", "client=127.0.0.1:"} {
		if !strings.Contains(out, want) {
			t.Errorf("error log lacks %q:\n%s", want, out)
		}
	}
	waitFor(t, "two access log entries", func() bool { return access.len() == 2 })
	if e := access.take(); e[0].status != 500 || !e[0].close {
		t.Errorf("access log of the panic = %+v, want status 500 and close", e[0])
	}
}

func TestAccessLog(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"index.html": "home", "sub/index.html": "sub"})
	access := &fakeAccess{}
	cfg := testConfig(root)
	cfg.Site.Locations = []conf.Location{{Path: "/status", Handler: "status"}}
	_, addr := startSite(t, cfg, Options{
		Access:   access,
		Handlers: map[string]fasthttp.RequestHandler{"status": statusHandler},
	})
	tests := []struct {
		name   string
		raw    string
		uri    string
		status int
		close  bool
	}{
		{"file", req("GET", "/"), "/", 200, false},
		{"missing", req("GET", "/nope?x=1"), "/nope?x=1", 404, false},
		{"redirect", req("GET", "/sub"), "/sub", 301, false},
		{"handler", req("GET", "/status?s=503"), "/status?s=503", 503, true},
		{"304", req("GET", "/", "If-None-Match: *"), "/", 304, false},
		{"414 from the handler checks", requestLine(9000) + "\r\nHost: x\r\n\r\n", "", 414, true},
		{"400 from fasthttp", "NOT HTTP\r\n\r\n", "", 400, true},
		{"408 from fasthttp", "GET / HTTP/1.1\r\n", "", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.status == 0 {
				// A short timeout for this one.
				cfg := testConfig(root)
				cfg.HTTP.RequestReadTimeout.Header.Timeout = 100 * time.Millisecond
				acc := &fakeAccess{}
				_, addr := startSite(t, cfg, Options{Access: acc})
				before := time.Now()
				dial(t, addr).do(tc.raw)
				waitFor(t, "one access log entry", func() bool { return acc.len() == 1 })
				if e := acc.take()[0]; e.status != 408 || !e.close || e.start.Before(before) {
					t.Errorf("access log = %+v, want one 408 with close", e)
				}
				return
			}
			before := time.Now()
			resp := dial(t, addr).do(tc.raw)
			if resp.StatusCode() != tc.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode(), tc.status)
			}
			waitFor(t, "one access log entry", func() bool { return access.len() >= 1 })
			e := access.take()
			if len(e) != 1 {
				t.Fatalf("access log has %d entries, want 1: %+v", len(e), e)
			}
			if e[0].status != tc.status || e[0].close != tc.close || (tc.uri != "" && e[0].uri != tc.uri) {
				t.Errorf("access log = %+v, want uri %q status %d close %v", e[0], tc.uri, tc.status, tc.close)
			}
			if e[0].start.Before(before) || e[0].start.After(time.Now()) {
				t.Errorf("access log start = %v, want within the request", e[0].start)
			}
		})
	}
}

func TestLocations(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"index.html": "home", "server-statusx": "static file"})
	named := func(name string) fasthttp.RequestHandler {
		return func(ctx *fasthttp.RequestCtx) { ctx.SetBodyString(name) }
	}
	cfg := testConfig(root)
	cfg.Site.Locations = []conf.Location{
		{Path: "/server-status", Handler: "server-status"},
		{Path: "/metrics", Handler: "metrics"},
		{Path: "/metrics/special", Handler: "special"},
		{Path: "/dir/", Handler: "dir"},
		{Path: "/metrics/none", Handler: ""},
	}
	_, addr := startSite(t, cfg, Options{Handlers: map[string]fasthttp.RequestHandler{
		"server-status": named("status"),
		"metrics":       named("metrics"),
		"special":       named("special"),
		"dir":           named("dir"),
		"unused":        named("unused"),
	}})
	tests := []struct{ target, body string }{
		{"/server-status", "status"},
		{"/server-status?auto", "status"},
		{"/server-status/", "status"},
		{"/server-status/x/y", "status"},
		{"/server-statusx", "static file"},
		{"/metrics", "metrics"},
		{"/metrics/special", "special"},
		{"/metrics/special/more", "special"},
		{"/metrics/specialist", "metrics"},
		{"/metrics/none", "metrics"},
		{"/dir/", "dir"},
		{"/dir/x", "dir"},
		{"//server-status", "status"},
		{"/a/../server-status", "status"},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			resp := get(t, addr, req("GET", tc.target))
			if string(resp.Body()) != tc.body {
				t.Errorf("GET %s = %d %q, want %q", tc.target, resp.StatusCode(), resp.Body(), tc.body)
			}
		})
	}
}

// TestMissingHandler checks a Location whose SetHandler nobody provides
// (conf's default /server-status without its handler wired): New warns,
// and its requests get 500 while the rest of the site works.
func TestMissingHandler(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"index.html": "home"})
	cfg := testConfig(root)
	cfg.Site.Locations = []conf.Location{{Path: "/server-status", Handler: "server-status"}}
	var logs logBuffer
	_, addr := startSite(t, cfg, Options{Logger: newTestLogger(&logs)})
	if !strings.Contains(logs.String(), `AH00524: handler \"server-status\" not found for <Location /server-status>`) {
		t.Errorf("error log lacks the warning from New:\n%s", logs.String())
	}
	if got := get(t, addr, req("GET", "/server-status")).StatusCode(); got != 500 {
		t.Errorf("GET /server-status = %d, want 500", got)
	}
	if got := get(t, addr, req("GET", "/")).StatusCode(); got != 200 {
		t.Errorf("GET / = %d, want 200", got)
	}
	if !strings.Contains(logs.String(), `AH00524: handler \"server-status\" not found for: /server-status`) {
		t.Errorf("error log lacks the warning for the request:\n%s", logs.String())
	}
}
