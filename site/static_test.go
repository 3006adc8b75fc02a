package site

import (
	"strings"
	"testing"
)

var staticFiles = map[string]string{
	"index.html":        "<h1>root index</h1>",
	"sub/index.html":    "<h1>sub index</h1>",
	"empty/":            "",
	"style.css":         "body{}",
	"app.js":            "let x = 1;",
	"data.json":         `{"a":1}`,
	"pic.PNG":           "\x89PNG\r\n",
	"noext":             "<html>no extension</html>",
	"notes.txt":         "plain text",
	"thing.custom":      "custom",
	".hidden":           "dotfile",
	"both/index.htm":    "htm index",
	"both/index.html":   "html index",
	"space dir/a b.txt": "spaced",
}

func TestStatic(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, staticFiles)
	cfg := testConfig(root)
	_, addr := startSite(t, cfg, Options{})

	tests := []struct {
		name     string
		target   string
		status   int
		ctype    string // "-" for no Content-Type header
		body     string // exact body, unless contains is set
		contains string
		location string
	}{
		{name: "root index", target: "/", status: 200, ctype: "text/html", body: "<h1>root index</h1>"},
		{name: "index file", target: "/index.html", status: 200, ctype: "text/html", body: "<h1>root index</h1>"},
		{name: "sub index", target: "/sub/", status: 200, ctype: "text/html", body: "<h1>sub index</h1>"},
		{name: "dir redirect", target: "/sub", status: 301, ctype: errorContentType, location: "http://test/sub/",
			contains: `<p>The document has moved <a href="http://test/sub/">here</a>.</p>`},
		{name: "dir redirect keeps query", target: "/sub?a=1&b=%20", status: 301, location: "http://test/sub/?a=1&b=%20",
			ctype: errorContentType},
		{name: "dir redirect escapes", target: "/space%20dir", status: 301, location: "http://test/space%20dir/",
			ctype: errorContentType},
		{name: "dir without index", target: "/empty/", status: 403, ctype: errorContentType,
			contains: "<title>403 Forbidden</title>\n</head><body>\n<h1>Forbidden</h1>\n<p>You don't have permission to access this resource.</p>\n"},
		{name: "missing", target: "/missing.html", status: 404, ctype: errorContentType,
			body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n"},
		{name: "missing dir", target: "/nodir/", status: 404, ctype: errorContentType},
		{name: "file with slash", target: "/index.html/", status: 404, ctype: errorContentType},
		{name: "css", target: "/style.css", status: 200, ctype: "text/css", body: "body{}"},
		{name: "js", target: "/app.js", status: 200, ctype: "text/javascript", body: "let x = 1;"},
		{name: "json", target: "/data.json", status: 200, ctype: "application/json"},
		{name: "upper-case extension", target: "/pic.PNG", status: 200, ctype: "image/png"},
		{name: "no extension", target: "/noext", status: 200, ctype: "-", body: "<html>no extension</html>"},
		{name: "dotfile", target: "/.hidden", status: 200, ctype: "-", body: "dotfile"},
		{name: "unknown extension", target: "/thing.custom", status: 200, ctype: "-"},
		{name: "built-in type", target: "/notes.txt", status: 200, ctype: "text/plain"},
		{name: "encoded name", target: "/space%20dir/a%20b.txt", status: 200, body: "spaced"},
		{name: "first index wins", target: "/both/", status: 200, body: "html index"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := get(t, addr, req("GET", tc.target))
			if got := resp.StatusCode(); got != tc.status {
				t.Fatalf("GET %s: status = %d, want %d (body %q)", tc.target, got, tc.status, resp.Body())
			}
			if got := string(resp.Header.Peek("Server")); got != "gohttpd" {
				t.Errorf("GET %s: Server = %q, want %q", tc.target, got, "gohttpd")
			}
			if tc.ctype != "" {
				got := string(resp.Header.Peek("Content-Type"))
				want := tc.ctype
				if want == "-" {
					want = ""
				}
				if got != want {
					t.Errorf("GET %s: Content-Type = %q, want %q", tc.target, got, want)
				}
			}
			if tc.body != "" && string(resp.Body()) != tc.body {
				t.Errorf("GET %s: body = %q, want %q", tc.target, resp.Body(), tc.body)
			}
			if tc.contains != "" && !strings.Contains(string(resp.Body()), tc.contains) {
				t.Errorf("GET %s: body = %q, want it to contain %q", tc.target, resp.Body(), tc.contains)
			}
			if got := string(resp.Header.Peek("Location")); got != tc.location {
				t.Errorf("GET %s: Location = %q, want %q", tc.target, got, tc.location)
			}
		})
	}
}

func TestDirectoryIndexOrder(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"both/index.htm":      "htm index",
		"both/index.html":     "html index",
		"one/index.html":      "only html",
		"dirindex/index.htm/": "",
		"dirindex/index.html": "file after dir",
	})
	cfg := testConfig(root)
	cfg.Site.DirectoryIndex = []string{"index.htm", "index.html"}
	_, addr := startSite(t, cfg, Options{})
	tests := []struct{ target, body string }{
		{"/both/", "htm index"},
		{"/one/", "only html"},
		{"/dirindex/", "file after dir"},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			resp := get(t, addr, req("GET", tc.target))
			if resp.StatusCode() != 200 || string(resp.Body()) != tc.body {
				t.Errorf("GET %s = %d %q, want 200 %q", tc.target, resp.StatusCode(), resp.Body(), tc.body)
			}
		})
	}
}

func TestDirectoryIndexDisabled(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"index.html": "x"})
	cfg := testConfig(root)
	cfg.Site.DirectoryIndex = nil
	_, addr := startSite(t, cfg, Options{})
	if got := get(t, addr, req("GET", "/")).StatusCode(); got != 403 {
		t.Errorf("GET / with DirectoryIndex disabled: status = %d, want 403", got)
	}
}

func TestDefaultSite(t *testing.T) {
	_, addr := startSite(t, testConfig(""), Options{})
	tests := []struct {
		target   string
		status   int
		ctype    string
		contains []string
	}{
		{"/", 200, "text/html", []string{"It works!", "gohttpd", `href="/server-status"`, "prefork", "worker", "event"}},
		{"/index.html", 200, "text/html", []string{"It works!"}},
		{"/favicon.svg", 200, "image/svg+xml", []string{"<svg"}},
		{"/missing", 404, errorContentType, []string{"The requested URL was not found on this server."}},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			resp := get(t, addr, req("GET", tc.target))
			if got := resp.StatusCode(); got != tc.status {
				t.Fatalf("GET %s: status = %d, want %d", tc.target, got, tc.status)
			}
			if got := string(resp.Header.Peek("Content-Type")); got != tc.ctype {
				t.Errorf("GET %s: Content-Type = %q, want %q", tc.target, got, tc.ctype)
			}
			for _, c := range tc.contains {
				if !strings.Contains(string(resp.Body()), c) {
					t.Errorf("GET %s: body lacks %q", tc.target, c)
				}
			}
			if tc.status != 200 {
				return
			}
			if lm := resp.Header.Peek("Last-Modified"); lm != nil {
				t.Errorf("GET %s: Last-Modified = %q, want none (embedded files have no mtime)", tc.target, lm)
			}
			etag := string(resp.Header.Peek("ETag"))
			if len(etag) != 18 || etag[0] != '"' || etag[17] != '"' {
				t.Errorf("GET %s: ETag = %q, want a strong 16-hex-digit content hash", tc.target, etag)
			}
		})
	}
}

func TestTypeTable(t *testing.T) {
	tt := newTypeTable()
	tests := []struct{ name, want string }{
		{"/a/b.css", "text/css"},
		{"/a.JPEG", "image/jpeg"},
		{"/x.foo", ""},
		{"/index.HTML", "text/html"},
		{"/a.b/c", ""},
		{"/.bashrc", ""},
		{"/archive.tar.gz", "application/gzip"},
		{"/noext", ""},
		{"/weird.averyveryverylongextension", ""},
		{"/trailing.", ""},
	}
	for _, tc := range tests {
		if got := tt.lookup([]byte(tc.name)); got != tc.want {
			t.Errorf("lookup(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestNewErrors(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"file": "x"})
	tests := []struct {
		name string
		root string
	}{
		{name: "relative root", root: "relative/dir"},
		{name: "missing root", root: root + "/nope"},
		{name: "root is a file", root: root + "/file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(testConfig(tc.root), Options{})
			if err == nil {
				s.Close()
				t.Fatalf("New(%s) = nil error, want an error", tc.name)
			}
		})
	}
}
