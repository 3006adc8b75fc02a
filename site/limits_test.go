package site

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
)

// requestLine returns "GET /<padding> HTTP/1.1" of exactly n bytes.
func requestLine(n int) string {
	const fixed = len("GET / HTTP/1.1")
	return "GET /" + strings.Repeat("a", n-fixed) + " HTTP/1.1"
}

// field returns "X-Pad: <padding>" of exactly n bytes.
func field(n int) string {
	return "X-Pad: " + strings.Repeat("b", n-len("X-Pad: "))
}

func manyFields(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "X-F%d: v\r\n", i)
	}
	return b.String()
}

func TestLimits(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"index.html": "home"})
	tests := []struct {
		name     string
		edit     func(*conf.Config)
		raw      string
		status   int
		contains string
		close    bool
	}{
		// A path component over NAME_MAX is Apache's 403 (AH00036).
		{name: "request line at the limit", raw: requestLine(8190) + "\r\nHost: x\r\n\r\n", status: 403},
		{name: "request line over the limit", raw: requestLine(8191) + "\r\nHost: x\r\n\r\n", status: 414, close: true,
			contains: "<p>The requested URL's length exceeds the capacity\nlimit for this server.<br />\n</p>"},
		{name: "request line far over the buffer", raw: requestLine(100000) + "\r\nHost: x\r\n\r\n", status: 414, close: true},
		{name: "smaller LimitRequestLine", edit: func(c *conf.Config) { c.HTTP.LimitRequestLine = 100 },
			raw: requestLine(101) + "\r\nHost: x\r\n\r\n", status: 414, close: true},
		{name: "field at the limit", raw: "GET / HTTP/1.1\r\nHost: x\r\n" + field(8190) + "\r\n\r\n", status: 200},
		{name: "field over the limit", raw: "GET / HTTP/1.1\r\nHost: x\r\n" + field(8191) + "\r\n\r\n", status: 400, close: true,
			contains: "<p>Your browser sent a request that this server could not understand.<br />\nSize of a request header field exceeds server limit.</p>"},
		{name: "field far over the buffer", raw: "GET / HTTP/1.1\r\nHost: x\r\n" + field(100000) + "\r\n\r\n", status: 400, close: true,
			contains: "Size of a request header field exceeds server limit."},
		{name: "fields at the limit", raw: "GET / HTTP/1.1\r\nHost: x\r\n" + manyFields(99) + "\r\n", status: 200},
		{name: "fields over the limit", raw: "GET / HTTP/1.1\r\nHost: x\r\n" + manyFields(100) + "\r\n", status: 400, close: true,
			contains: "The number of request header fields exceeds this server's limit."},
		{name: "smaller LimitRequestFields", edit: func(c *conf.Config) { c.HTTP.LimitRequestFields = 2 },
			raw: "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n", status: 400, close: true},
		{name: "body under the limit", edit: func(c *conf.Config) { c.HTTP.LimitRequestBody = 1000 },
			raw: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + strings.Repeat("c", 1000), status: 200},
		{name: "Content-Length over the limit, body never sent", edit: func(c *conf.Config) { c.HTTP.LimitRequestBody = 1000 },
			raw: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n", status: 413, close: true,
			contains: "The requested resource does not allow request data with POST requests, or the amount of data provided in\nthe request exceeds the capacity limit.\n"},
		{name: "chunked over the limit", edit: func(c *conf.Config) { c.HTTP.LimitRequestBody = 1000 },
			raw: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" + strings.Repeat("d", 600) +
				"\r\n258\r\n" + strings.Repeat("d", 600) + "\r\n0\r\n\r\n", status: 413, close: true},
		{name: "chunked under the limit", edit: func(c *conf.Config) { c.HTTP.LimitRequestBody = 1000 },
			raw: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" + strings.Repeat("d", 600) +
				"\r\n0\r\n\r\n", status: 200},
		{name: "LimitRequestBody 0 is unlimited", edit: func(c *conf.Config) { c.HTTP.LimitRequestBody = 0 },
			raw: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4194305\r\n\r\n" + strings.Repeat("e", 4194305), status: 200},
		{name: "garbage", raw: "HELLO\r\n\r\n", status: 400, close: true,
			contains: "<p>Your browser sent a request that this server could not understand.<br />\n</p>"},
		{name: "HTTP/1.1 without Host", raw: "GET / HTTP/1.1\r\n\r\n", status: 400, close: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(root)
			if tc.edit != nil {
				tc.edit(cfg)
			}
			_, addr := startSite(t, cfg, Options{})
			c := dial(t, addr)
			// Large requests are written while the server may already be
			// answering and closing; the writer's error does not matter.
			var wg sync.WaitGroup
			wg.Go(func() { _, _ = io.WriteString(c.c, tc.raw) })
			resp := c.read(false)
			wg.Wait()
			if got := resp.StatusCode(); got != tc.status {
				t.Fatalf("status = %d, want %d (body %.200q)", got, tc.status, resp.Body())
			}
			if tc.contains != "" && !strings.Contains(string(resp.Body()), tc.contains) {
				t.Errorf("body = %q, want it to contain %q", resp.Body(), tc.contains)
			}
			if got := string(resp.Header.Peek("Server")); got != "gohttpd" {
				t.Errorf("Server = %q, want gohttpd", got)
			}
			if got := resp.ConnectionClose(); got != tc.close {
				t.Errorf("Connection: close = %v, want %v", got, tc.close)
			}
			if tc.close && !c.closed() {
				t.Error("connection still open after Connection: close")
			}
			// The server keeps serving other clients.
			if got := get(t, addr, req("GET", "/")).StatusCode(); got != 200 {
				t.Errorf("GET / on a new connection after it: status = %d, want 200", got)
			}
		})
	}
}

func TestExpectContinue(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"index.html": "home"})
	cfg := testConfig(root)
	cfg.HTTP.LimitRequestBody = 1000
	_, addr := startSite(t, cfg, Options{})

	t.Run("over the limit: 413 without 100 Continue", func(t *testing.T) {
		c := dial(t, addr)
		c.send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n")
		line, err := c.br.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "HTTP/1.1 413 ") {
			t.Fatalf("first response line = %q, %v, want HTTP/1.1 413", line, err)
		}
	})
	t.Run("under the limit: 100 Continue, then the answer", func(t *testing.T) {
		c := dial(t, addr)
		c.send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
		line, err := c.br.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100 ") {
			t.Fatalf("first response line = %q, %v, want HTTP/1.1 100 Continue", line, err)
		}
		if blank, err := c.br.ReadString('\n'); err != nil || blank != "\r\n" {
			t.Fatalf("after 100 Continue: %q, %v, want an empty line", blank, err)
		}
		c.send("hello")
		if got := c.read(false).StatusCode(); got != 200 { // POST serves the file, as Apache's default handler
			t.Errorf("status = %d, want 200", got)
		}
	})
}

func TestReadBufferSize(t *testing.T) {
	tests := []struct {
		line, field int
		want        int
	}{
		{8190, 8190, 20480},
		{0, 0, 20480},
		{100, 100, 8192},
		{1 << 30, 8190, maxReadBuffer},
	}
	for _, tc := range tests {
		l := limits{line: tc.line, fieldSize: tc.field}
		if got := l.readBufferSize(); got != tc.want {
			t.Errorf("limits{line: %d, fieldSize: %d}.readBufferSize() = %d, want %d", tc.line, tc.field, got, tc.want)
		}
	}
}

func TestValidatePath(t *testing.T) {
	tests := []struct {
		path   string
		status int
	}{
		{"/", 0},
		{"/a/b/c.txt", 0},
		{"/a/../b", 0},
		{"/a/./b/..", 0},
		{"/..", 400},
		{"/../", 400},
		{"/a/../..", 400},
		{"/a/..%2E/x", 0}, // "..." is a name
		{"/a/%2E%2E/..", 400},
		{"/%2e", 0},
		{"/...", 0},
		{"/..a", 0},
		{"/a%2fb", 404},
		{"/a%2Fb", 404},
		{"/a%00", 404},
		{"/a%", 400},
		{"/a%g0", 400},
		{"/%5c..%5c", 0},
		{"a/b", 400},
		{"", 400},
		{"//..", 400},
	}
	for _, tc := range tests {
		if got, _ := validatePath([]byte(tc.path)); got != tc.status {
			t.Errorf("validatePath(%q) = %d, want %d", tc.path, got, tc.status)
		}
	}
}

func FuzzValidatePath(f *testing.F) {
	for _, seed := range []string{"/", "/a/../b", "/%2e%2e/x", "/a%2fb", "/%00", "/..", "x", "/a/./../.."} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, p string) {
		status, why := validatePath([]byte(p))
		if status != 0 && why == "" {
			t.Fatalf("validatePath(%q) = %d with no reason", p, status)
		}
		if status != 0 {
			return
		}
		// An accepted path, decoded, never climbs above the root.
		depth := 0
		for _, seg := range strings.Split(percentDecode(p), "/") {
			switch seg {
			case "", ".":
			case "..":
				depth--
			default:
				depth++
			}
			if depth < 0 {
				t.Fatalf("validatePath(%q) = 0, but it climbs above the root", p)
			}
		}
		if strings.Contains(percentDecode(p), "\x00") {
			t.Fatalf("validatePath(%q) = 0 with a NUL", p)
		}
	})
}

// percentDecode decodes %XX escapes (validated by the caller).
func percentDecode(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) {
			b.WriteByte(unhex(p[i+1])<<4 | unhex(p[i+2]))
			i += 2
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

func TestRequestLineIncomplete(t *testing.T) {
	tests := []struct {
		msg  string
		want bool
	}{
		{`error when reading request headers: small read buffer. Increase ReadBufferSize: buffer size=20480, contents: "GET /aaaa"..."aaaa"`, true},
		{`error when reading request headers: small read buffer. Increase ReadBufferSize: buffer size=20480, contents: "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: bbb"..."bbb"`, false},
		{`error when reading request headers: small read buffer (n=5, reader buffered=4)`, false},
		{`contents: "unterminated`, false},
	}
	for _, tc := range tests {
		if got := requestLineIncomplete(tc.msg); got != tc.want {
			t.Errorf("requestLineIncomplete(%.60q) = %v, want %v", tc.msg, got, tc.want)
		}
	}
}
