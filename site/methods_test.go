package site

import (
	"strings"
	"testing"
)

func TestMethods(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"index.html": "<h1>home</h1>", "a.txt": "alpha"})
	_, addr := startSite(t, testConfig(root), Options{})

	tests := []struct {
		name     string
		raw      string
		status   int
		allow    string
		body     string
		contains string
		close    bool
	}{
		{name: "OPTIONS file", raw: req("OPTIONS", "/a.txt"), status: 200, allow: allowStatic},
		// Apache 2.4.71's "OPTIONS *" has no Allow.
		{name: "OPTIONS star", raw: "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", status: 200},
		{name: "OPTIONS star HTTP/1.0", raw: "OPTIONS * HTTP/1.0\r\n\r\n", status: 200, close: true},
		{name: "CONNECT", raw: "CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n", status: 405, allow: allowStatic},
		{name: "Expect other than 100-continue", raw: req("GET", "/a.txt", "Expect: x-y"), status: 417,
			contains: "The client sent<pre>\n    Expect: x-y\n</pre>"},
		// Apache's default handler serves a file to POST; a missing one is 404.
		{name: "POST", raw: "POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", status: 200, body: "alpha"},
		{name: "POST missing", raw: "POST /none HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", status: 404},
		{name: "PUT missing", raw: req("PUT", "/none", "Content-Length: 0"), status: 405, allow: allowStatic},
		{name: "PUT", raw: req("PUT", "/a.txt", "Content-Length: 0"), status: 405, allow: allowStatic},
		{name: "DELETE", raw: req("DELETE", "/a.txt"), status: 405, allow: allowStatic},
		{name: "TRACE", raw: req("TRACE", "/"), status: 405, allow: allowStatic},
		{name: "unknown method", raw: req("BREW", "/a.txt"), status: 501, close: true, allow: allowStatic,
			contains: "<p>BREW not supported for current URL.<br />\n</p>"},
		{name: "lower-case get is unknown", raw: req("get", "/a.txt"), status: 501, close: true, allow: allowStatic},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, addr)
			resp := c.do(tc.raw)
			if got := resp.StatusCode(); got != tc.status {
				t.Fatalf("%.30q: status = %d, want %d", tc.raw, got, tc.status)
			}
			if got := string(resp.Header.Peek("Allow")); got != tc.allow {
				t.Errorf("%.30q: Allow = %q, want %q", tc.raw, got, tc.allow)
			}
			if tc.status == 200 && string(resp.Body()) != tc.body {
				t.Errorf("%.30q: body %q, want %q", tc.raw, resp.Body(), tc.body)
			}
			if tc.status == 200 && tc.body == "" && resp.Header.ContentLength() != 0 {
				t.Errorf("%.30q: body %q, Content-Length %d; want empty", tc.raw, resp.Body(), resp.Header.ContentLength())
			}
			if tc.contains != "" && !strings.Contains(string(resp.Body()), tc.contains) {
				t.Errorf("%.30q: body = %q, want it to contain %q", tc.raw, resp.Body(), tc.contains)
			}
			checkClosed(t, c, tc.close)
		})
	}
}

func TestHead(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"index.html": "<h1>home</h1>", "big.bin": strings.Repeat("x", 50000)})
	_, addr := startSite(t, testConfig(root), Options{})
	for _, target := range []string{"/", "/index.html", "/big.bin", "/missing", "/empty-dir-redirect"} {
		t.Run(target, func(t *testing.T) {
			c := dial(t, addr)
			getResp := c.do(req("GET", target))
			head := c.do(req("HEAD", target))
			if head.StatusCode() != getResp.StatusCode() {
				t.Errorf("HEAD %s: status = %d, GET gave %d", target, head.StatusCode(), getResp.StatusCode())
			}
			if got, want := head.Header.ContentLength(), len(getResp.Body()); got != want {
				t.Errorf("HEAD %s: Content-Length = %d, want %d (the GET body)", target, got, want)
			}
			for _, h := range []string{"Content-Type", "ETag", "Last-Modified", "Accept-Ranges"} {
				if got, want := string(head.Header.Peek(h)), string(getResp.Header.Peek(h)); got != want {
					t.Errorf("HEAD %s: %s = %q, GET gave %q", target, h, got, want)
				}
			}
			// Had the HEAD response carried a body, this request would
			// read it as its status line.
			if resp := c.do(req("GET", "/index.html")); resp.StatusCode() != 200 {
				t.Errorf("GET after HEAD %s: status = %d, want 200", target, resp.StatusCode())
			}
		})
	}
}
