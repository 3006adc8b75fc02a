package site

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseRanges(t *testing.T) {
	tests := []struct {
		header string
		size   int64
		res    rangeResult
		want   []byteRange
	}{
		{"bytes=0-9", 100, rangePartial, []byteRange{{0, 9}}},
		{"BYTES=0-9", 100, rangePartial, []byteRange{{0, 9}}},
		{"bytes=90-", 100, rangePartial, []byteRange{{90, 99}}},
		{"bytes=-10", 100, rangePartial, []byteRange{{90, 99}}},
		{"bytes=-1000", 100, rangePartial, []byteRange{{0, 99}}},
		{"bytes=0-1000", 100, rangePartial, []byteRange{{0, 99}}},
		{"bytes=99-99", 100, rangePartial, []byteRange{{99, 99}}},
		{"bytes=0-1,5-6", 100, rangePartial, []byteRange{{0, 1}, {5, 6}}},
		{"bytes= 0-1 ,\t5-6 ", 100, rangePartial, []byteRange{{0, 1}, {5, 6}}},
		{"bytes=0-1,,5-6,", 100, rangePartial, []byteRange{{0, 1}, {5, 6}}},
		{"bytes=0-1,2-3", 100, rangePartial, []byteRange{{0, 3}}},
		{"bytes=5-9,0-4", 100, rangePartial, []byteRange{{0, 9}}},
		{"bytes=0-49,40-99", 100, rangePartial, []byteRange{{0, 99}}},
		{"bytes=50-59,0-9", 100, rangePartial, []byteRange{{50, 59}, {0, 9}}},
		{"bytes=0-1,200-300", 100, rangePartial, []byteRange{{0, 1}}},
		{"bytes=0-60,80-90,10-70", 100, rangeIgnore, nil},
		{"bytes=100-", 100, rangeUnsatisfiable, nil},
		{"bytes=100-200,300-", 100, rangeUnsatisfiable, nil},
		{"bytes=-0", 100, rangeUnsatisfiable, nil},
		{"bytes=0-", 0, rangeUnsatisfiable, nil},
		{"bytes=-5", 0, rangeUnsatisfiable, nil},
		{"bytes=5-2", 100, rangeIgnore, nil},
		{"bytes=0-1,5-2", 100, rangeIgnore, nil},
		{"bytes=a-b", 100, rangeIgnore, nil},
		{"bytes=1", 100, rangeIgnore, nil},
		{"bytes=+1-2", 100, rangeIgnore, nil},
		{"bytes=", 100, rangeIgnore, nil},
		{"bytes=,", 100, rangeIgnore, nil},
		{"items=0-1", 100, rangeIgnore, nil},
		{"bytes 0-1", 100, rangeIgnore, nil},
		{"", 100, rangeIgnore, nil},
		{"bytes=0-99999999999999999999", 100, rangeIgnore, nil},
		{"bytes=" + strings.Repeat("1-1,", maxRanges) + "1-1", 100, rangeIgnore, nil},
		{"bytes=" + strings.Repeat("1-1,", maxRanges-1) + "1-1", 100, rangePartial, []byteRange{{1, 1}}},
	}
	for _, tc := range tests {
		got, res := parseRanges(nil, []byte(tc.header), tc.size)
		if res != tc.res || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("parseRanges(%.60q, %d) = %v, %d, want %v, %d", tc.header, tc.size, got, res, tc.want, tc.res)
		}
	}
}

func FuzzParseRanges(f *testing.F) {
	for _, seed := range []string{"bytes=0-9", "bytes=-5", "bytes=1-,3-4,-2", "bytes=0-1,1-2", "bytes= 5-, 0-0", "x=1-2", "bytes=9-1"} {
		f.Add(seed, int64(10))
	}
	f.Fuzz(func(t *testing.T, header string, size int64) {
		if size < 0 {
			size = -size
		}
		if size < 0 {
			return
		}
		ranges, res := parseRanges(nil, []byte(header), size)
		if res != rangePartial {
			if len(ranges) != 0 {
				t.Fatalf("parseRanges(%q, %d) = %v with result %d, want no ranges", header, size, ranges, res)
			}
			return
		}
		if len(ranges) == 0 {
			t.Fatalf("parseRanges(%q, %d) = partial with no ranges", header, size)
		}
		var sum int64
		for i, r := range ranges {
			if r.first < 0 || r.first > r.last || r.last >= size {
				t.Fatalf("parseRanges(%q, %d): range %v out of [0, %d)", header, size, r, size)
			}
			if i > 0 && overlapsOrTouches(ranges[i-1], r) {
				t.Fatalf("parseRanges(%q, %d): ranges %v and %v were not merged", header, size, ranges[i-1], r)
			}
			sum += r.length()
		}
		if sum > size {
			t.Fatalf("parseRanges(%q, %d): ranges add up to %d > size", header, size, sum)
		}
	})
}

func TestRanges(t *testing.T) {
	root := t.TempDir()
	small := strings.Repeat("0123456789", 10) // 100 bytes, kept in memory by fasthttp.FS
	var big bytes.Buffer                      // > 8 KiB: streamed (sendfile) by fasthttp.FS
	for i := 0; big.Len() < 20000; i++ {
		fmt.Fprintf(&big, "%08d\n", i)
	}
	writeFiles(t, root, map[string]string{"small.txt": small, "big.txt": big.String(), "fresh.txt": small})
	mtime := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, name := range []string{"small.txt", "big.txt"} {
		if err := os.Chtimes(filepath.Join(root, name), mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	soon := time.Now().Add(time.Hour) // keeps fresh.txt's ETag weak
	if err := os.Chtimes(filepath.Join(root, "fresh.txt"), soon, soon); err != nil {
		t.Fatal(err)
	}
	_, addr := startSite(t, testConfig(root), Options{})
	smallETag := fmt.Sprintf(`"%x-%x"`, 100, mtime.UnixMicro())
	lm := "Fri, 01 Mar 2024 12:00:00 GMT"
	freshETag := string(get(t, addr, req("GET", "/fresh.txt")).Header.Peek("ETag"))

	type part struct {
		contentRange string
		body         string
	}
	tests := []struct {
		name         string
		method       string
		target       string
		header       []string
		status       int
		contentRange string
		body         string // expected body for 200/206 single
		parts        []part // expected parts for multipart
	}{
		{name: "single", target: "/small.txt", header: []string{"Range: bytes=0-9"},
			status: 206, contentRange: "bytes 0-9/100", body: small[0:10]},
		{name: "suffix", target: "/small.txt", header: []string{"Range: bytes=-7"},
			status: 206, contentRange: "bytes 93-99/100", body: small[93:]},
		{name: "open end", target: "/small.txt", header: []string{"Range: bytes=95-"},
			status: 206, contentRange: "bytes 95-99/100", body: small[95:]},
		{name: "clamped end", target: "/small.txt", header: []string{"Range: bytes=98-1000"},
			status: 206, contentRange: "bytes 98-99/100", body: small[98:]},
		{name: "big file single", target: "/big.txt", header: []string{"Range: bytes=10000-10017"},
			status: 206, contentRange: "bytes 10000-10017/" + fmt.Sprint(big.Len()), body: big.String()[10000:10018]},
		{name: "adjacent merged", target: "/small.txt", header: []string{"Range: bytes=0-1,2-3"},
			status: 206, contentRange: "bytes 0-3/100", body: small[0:4]},
		{name: "multi", target: "/small.txt", header: []string{"Range: bytes=0-1,5-6,-2"},
			status: 206, parts: []part{{"bytes 0-1/100", small[0:2]}, {"bytes 5-6/100", small[5:7]}, {"bytes 98-99/100", small[98:]}}},
		{name: "multi big file", target: "/big.txt", header: []string{"Range: bytes=0-8,19000-19008"},
			status: 206, parts: []part{
				{"bytes 0-8/" + fmt.Sprint(big.Len()), big.String()[0:9]},
				{"bytes 19000-19008/" + fmt.Sprint(big.Len()), big.String()[19000:19009]}}},
		{name: "unsatisfiable", target: "/small.txt", header: []string{"Range: bytes=100-"},
			status: 416}, // Apache 2.4.71 sends no Content-Range with its 416 page
		{name: "invalid ignored", target: "/small.txt", header: []string{"Range: bytes=9-1"}, status: 200, body: small},
		{name: "other unit ignored", target: "/small.txt", header: []string{"Range: lines=1-2"}, status: 200, body: small},
		{name: "sum over size ignored", target: "/small.txt", header: []string{"Range: bytes=0-60,80-90,10-70"}, status: 200, body: small},
		// Apache 2.4.71 applies Range to HEAD as to GET.
		{name: "HEAD gets the range's headers", method: "HEAD", target: "/small.txt", header: []string{"Range: bytes=0-9"},
			status: 206, contentRange: "bytes 0-9/100"},
		{name: "If-Range ETag match", target: "/small.txt", header: []string{"Range: bytes=0-9", "If-Range: " + smallETag},
			status: 206, contentRange: "bytes 0-9/100", body: small[:10]},
		{name: "If-Range ETag mismatch", target: "/small.txt", header: []string{"Range: bytes=0-9", `If-Range: "nope"`},
			status: 200, body: small},
		{name: "If-Range weak ETag", target: "/fresh.txt", header: []string{"Range: bytes=0-9", "If-Range: " + freshETag},
			status: 200, body: small},
		{name: "If-Range date match", target: "/small.txt", header: []string{"Range: bytes=0-9", "If-Range: " + lm},
			status: 206, contentRange: "bytes 0-9/100", body: small[:10]},
		{name: "If-Range date mismatch", target: "/small.txt",
			header: []string{"Range: bytes=0-9", "If-Range: Thu, 29 Feb 2024 12:00:00 GMT"}, status: 200, body: small},
		{name: "304 before Range", target: "/small.txt", header: []string{"Range: bytes=0-9", "If-None-Match: " + smallETag},
			status: 304},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = "GET"
			}
			resp := get(t, addr, req(method, tc.target, tc.header...))
			if got := resp.StatusCode(); got != tc.status {
				t.Fatalf("%s %s %q: status = %d, want %d", method, tc.target, tc.header, got, tc.status)
			}
			if got := string(resp.Header.Peek("Content-Range")); got != tc.contentRange {
				t.Errorf("Content-Range = %q, want %q", got, tc.contentRange)
			}
			if tc.status == 200 || tc.status == 206 {
				if got := string(resp.Header.Peek("Accept-Ranges")); got != "bytes" {
					t.Errorf("Accept-Ranges = %q, want bytes", got)
				}
			}
			if tc.body != "" && string(resp.Body()) != tc.body {
				t.Errorf("body = %.80q, want %.80q", resp.Body(), tc.body)
			}
			if tc.status == 416 && !strings.Contains(string(resp.Body()), "None of the range-specifier values") {
				t.Errorf("416 body = %q, want Apache's text", resp.Body())
			}
			if tc.parts == nil {
				return
			}
			ct := string(resp.Header.Peek("Content-Type"))
			mt, params, err := mime.ParseMediaType(ct)
			if err != nil || mt != "multipart/byteranges" || params["boundary"] == "" {
				t.Fatalf("Content-Type = %q, want multipart/byteranges with a boundary", ct)
			}
			if got, want := resp.Header.ContentLength(), len(resp.Body()); got != want {
				t.Errorf("Content-Length = %d, body has %d bytes", got, want)
			}
			mr := multipart.NewReader(bytes.NewReader(resp.Body()), params["boundary"])
			for i, want := range tc.parts {
				p, err := mr.NextPart()
				if err != nil {
					t.Fatalf("part %d: %v", i, err)
				}
				if got := p.Header.Get("Content-Type"); got != "text/plain" {
					t.Errorf("part %d: Content-Type = %q, want text/plain", i, got)
				}
				if got := p.Header.Get("Content-Range"); got != want.contentRange {
					t.Errorf("part %d: Content-Range = %q, want %q", i, got, want.contentRange)
				}
				b, err := io.ReadAll(p)
				if err != nil || string(b) != want.body {
					t.Errorf("part %d: body = %q, %v, want %q", i, b, err, want.body)
				}
			}
			if p, err := mr.NextPart(); err != io.EOF {
				t.Errorf("after %d parts: NextPart() = %v, %v, want EOF", len(tc.parts), p, err)
			}
		})
	}
}

func TestRangesEmbedded(t *testing.T) {
	_, addr := startSite(t, testConfig(""), Options{})
	full := get(t, addr, req("GET", "/index.html")).Body()
	etag := string(get(t, addr, req("GET", "/index.html")).Header.Peek("ETag"))

	resp := get(t, addr, req("GET", "/", "Range: bytes=0-14", "If-Range: "+etag))
	if resp.StatusCode() != 206 || string(resp.Body()) != string(full[:15]) {
		t.Errorf("GET / Range 0-14 = %d %q, want 206 %q", resp.StatusCode(), resp.Body(), full[:15])
	}
	resp = get(t, addr, req("GET", "/", "Range: bytes=0-1,-2"))
	ct := string(resp.Header.Peek("Content-Type"))
	if resp.StatusCode() != 206 || !strings.HasPrefix(ct, "multipart/byteranges; boundary=") {
		t.Fatalf("GET / two ranges = %d %q, want 206 multipart/byteranges", resp.StatusCode(), ct)
	}
	for _, want := range []string{"Content-type: text/html\r\nContent-range: bytes 0-1/", string(full[:2]), string(full[len(full)-2:])} {
		if !strings.Contains(string(resp.Body()), want) {
			t.Errorf("multipart body lacks %q", want)
		}
	}
}

// TestMultipartChangedFile checks that when the file changed on disk but
// fasthttp.FS still serves its cached copy, the ranges are not cut from the
// new contents: the whole (cached) representation is sent instead.
func TestMultipartChangedFile(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"f.txt": "aaaaaaaaaa"})
	ageFiles(t, root, time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC))
	_, addr := startSite(t, testConfig(root), Options{})
	if got := get(t, addr, req("GET", "/f.txt")).Body(); string(got) != "aaaaaaaaaa" {
		t.Fatalf("GET /f.txt = %q", got)
	}
	writeFiles(t, root, map[string]string{"f.txt": "bbbbbbbbbbbb"})
	resp := get(t, addr, req("GET", "/f.txt", "Range: bytes=0-0,5-5"))
	if resp.StatusCode() != 200 || string(resp.Body()) != "aaaaaaaaaa" {
		t.Errorf("GET /f.txt two ranges after a change = %d %q, want 200 with the cached contents", resp.StatusCode(), resp.Body())
	}
}
