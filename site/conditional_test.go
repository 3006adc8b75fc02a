package site

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConditional(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"page.html": "<p>hello</p>", "fresh.txt": "new"})
	mtime := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(root, "page.html"), mtime, mtime); err != nil {
		t.Fatal(err)
	}
	// A modification time ahead of the clock keeps fresh.txt "just
	// modified" however slowly the test runs.
	soon := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(root, "fresh.txt"), soon, soon); err != nil {
		t.Fatal(err)
	}
	_, addr := startSite(t, testConfig(root), Options{})

	etag := fmt.Sprintf(`"%x-%x"`, len("<p>hello</p>"), mtime.UnixMicro())
	lm := "Fri, 01 Mar 2024 12:00:00 GMT"
	before := "Thu, 29 Feb 2024 12:00:00 GMT"
	after := "Sat, 02 Mar 2024 12:00:00 GMT"
	future := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC1123)
	future = strings.Replace(future, "UTC", "GMT", 1)

	first := get(t, addr, req("GET", "/page.html"))
	if got := string(first.Header.Peek("ETag")); got != etag {
		t.Fatalf("GET /page.html: ETag = %q, want %q", got, etag)
	}
	if got := string(first.Header.Peek("Last-Modified")); got != lm {
		t.Fatalf("GET /page.html: Last-Modified = %q, want %q", got, lm)
	}

	tests := []struct {
		name   string
		method string
		header []string
		status int
	}{
		{"no condition", "GET", nil, 200},
		{"If-None-Match same", "GET", []string{"If-None-Match: " + etag}, 304},
		{"If-None-Match weak form", "GET", []string{"If-None-Match: W/" + etag}, 304},
		{"If-None-Match list", "GET", []string{`If-None-Match: "x", ` + etag}, 304},
		{"If-None-Match two lines", "GET", []string{`If-None-Match: "x"`, "If-None-Match: " + etag}, 304},
		{"If-None-Match star", "GET", []string{"If-None-Match: *"}, 304},
		{"If-None-Match other", "GET", []string{`If-None-Match: "other"`}, 200},
		{"If-None-Match malformed", "GET", []string{"If-None-Match: " + etag + " junk"}, 200},
		{"If-None-Match HEAD", "HEAD", []string{"If-None-Match: " + etag}, 304},
		{"If-Modified-Since equal", "GET", []string{"If-Modified-Since: " + lm}, 304},
		{"If-Modified-Since later", "GET", []string{"If-Modified-Since: " + after}, 304},
		{"If-Modified-Since earlier", "GET", []string{"If-Modified-Since: " + before}, 200},
		{"If-Modified-Since in the future", "GET", []string{"If-Modified-Since: " + future}, 200},
		{"If-Modified-Since invalid", "GET", []string{"If-Modified-Since: yesterday"}, 200},
		{"If-None-Match wins over If-Modified-Since (miss)", "GET",
			[]string{`If-None-Match: "other"`, "If-Modified-Since: " + lm}, 200},
		{"If-None-Match wins over If-Modified-Since (hit)", "GET",
			[]string{"If-None-Match: " + etag, "If-Modified-Since: " + before}, 304},
		{"If-Match same", "GET", []string{"If-Match: " + etag}, 200},
		{"If-Match star", "GET", []string{"If-Match: *"}, 200},
		{"If-Match other", "GET", []string{`If-Match: "other"`}, 412},
		{"If-Match weak never matches", "GET", []string{"If-Match: W/" + etag}, 412},
		{"If-Unmodified-Since earlier", "GET", []string{"If-Unmodified-Since: " + before}, 412},
		{"If-Unmodified-Since equal", "GET", []string{"If-Unmodified-Since: " + lm}, 200},
		{"If-Match wins over If-Unmodified-Since", "GET",
			[]string{"If-Match: " + etag, "If-Unmodified-Since: " + before}, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := get(t, addr, req(tc.method, "/page.html", tc.header...))
			if got := resp.StatusCode(); got != tc.status {
				t.Fatalf("%s /page.html %q: status = %d, want %d", tc.method, tc.header, got, tc.status)
			}
			switch tc.status {
			case 304:
				if got := string(resp.Header.Peek("ETag")); got != etag {
					t.Errorf("304 ETag = %q, want %q", got, etag)
				}
				if len(resp.Body()) != 0 || resp.Header.Peek("Content-Type") != nil {
					t.Errorf("304 has body %q / Content-Type %q, want neither", resp.Body(), resp.Header.Peek("Content-Type"))
				}
			case 200:
				if tc.method == "GET" && string(resp.Body()) != "<p>hello</p>" {
					t.Errorf("200 body = %q, want the file", resp.Body())
				}
			case 412:
				if !strings.Contains(string(resp.Body()), "evaluated to false") {
					t.Errorf("412 body = %q, want Apache's text", resp.Body())
				}
			}
		})
	}

	t.Run("fresh file has a weak ETag", func(t *testing.T) {
		resp := get(t, addr, req("GET", "/fresh.txt"))
		weak := string(resp.Header.Peek("ETag"))
		if !strings.HasPrefix(weak, `W/"`) {
			t.Fatalf("ETag of a file modified just now = %q, want a weak tag", weak)
		}
		if got := get(t, addr, req("GET", "/fresh.txt", "If-None-Match: "+weak)).StatusCode(); got != 304 {
			t.Errorf("If-None-Match with the weak tag: status = %d, want 304", got)
		}
		if got := get(t, addr, req("GET", "/fresh.txt", "If-Match: "+weak)).StatusCode(); got != 412 {
			t.Errorf("If-Match with the weak tag: status = %d, want 412 (strong comparison)", got)
		}
	})
}

func TestConditionalEmbedded(t *testing.T) {
	_, addr := startSite(t, testConfig(""), Options{})
	etag := string(get(t, addr, req("GET", "/")).Header.Peek("ETag"))
	if etag == "" {
		t.Fatal("GET / on the built-in site: no ETag")
	}
	tests := []struct {
		name   string
		header string
		status int
	}{
		{"If-None-Match", "If-None-Match: " + etag, 304},
		{"If-None-Match on the index file too", "If-None-Match: " + etag, 304},
		{"If-Modified-Since is ignored without Last-Modified", "If-Modified-Since: Fri, 01 Mar 2024 12:00:00 GMT", 200},
		{"If-Match", "If-Match: " + etag, 200},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target := "/"
			if i == 1 {
				target = "/index.html"
			}
			if got := get(t, addr, req("GET", target, tc.header)).StatusCode(); got != tc.status {
				t.Errorf("GET %s %q: status = %d, want %d", target, tc.header, got, tc.status)
			}
		})
	}
}

func TestMatchETags(t *testing.T) {
	tests := []struct {
		list       string
		etag       string
		weak, want bool
	}{
		{`"a"`, `"a"`, false, true},
		{`"a"`, `W/"a"`, false, false},
		{`W/"a"`, `"a"`, false, false},
		{`W/"a"`, `"a"`, true, true},
		{`"b", "a"`, `"a"`, false, true},
		{`,, "a" ,`, `"a"`, true, true},
		{`*`, `"a"`, false, true},
		{`*`, ``, true, true},
		{`*, "a"`, `"a"`, true, false},
		{`"a`, `"a"`, true, false},
		{`a`, `"a"`, true, false},
		{`"a" "b"`, `"a"`, true, false},
		{`"a"`, ``, true, false},
		{`"a b"`, `"a b"`, true, false},
		{"\"\x80\"", "\"\x80\"", true, true},
	}
	for _, tc := range tests {
		if got := matchETags([][]byte{[]byte(tc.list)}, []byte(tc.etag), tc.weak); got != tc.want {
			t.Errorf("matchETags(%q, %q, weak=%v) = %v, want %v", tc.list, tc.etag, tc.weak, got, tc.want)
		}
	}
}

func FuzzMatchETags(f *testing.F) {
	f.Add(`"a", W/"b"`, `"b"`, true)
	f.Add(`*`, `W/"x"`, false)
	f.Add(`W/"`, `"`, true)
	f.Fuzz(func(t *testing.T, list, etag string, weak bool) {
		got := matchETags([][]byte{[]byte(list)}, []byte(etag), weak)
		if got && !weak && strings.HasPrefix(etag, "W/") && list != "*" && strings.TrimSpace(strings.Trim(list, ", \t")) != "*" {
			t.Errorf("matchETags(%q, %q, strong) = true for a weak tag", list, etag)
		}
		if got && etag == "" && strings.Contains(list, `"`) {
			t.Errorf("matchETags(%q, \"\") = true, want only * to match a missing tag", list)
		}
	})
}
