package headers

import (
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// TestCanonicalKey: Response's precomputed names are what fasthttp's
// own normalization makes of them, except ETag (the site's spelling).
func TestCanonicalKey(t *testing.T) {
	for _, k := range []string{"x-foo", "X-FOO-bar", "content-type", "Cache-Control", "x_y", "a b", "x-", "-x", "ÿ-x", "etag"} {
		var h fasthttp.ResponseHeader
		h.Add(k, "v")
		want := ""
		for name := range h.All() {
			if string(name) != "Content-Type" && string(name) != "Server" || k == "content-type" {
				want = string(name)
			}
		}
		if k == "content-type" {
			want = "Content-Type"
		}
		if k == "etag" {
			want = "ETag" // the site's spelling (SetCanonical), Apache's
		}
		if got := canonicalKey(k); got != want {
			t.Errorf("canonicalKey(%q) = %q, fasthttp: %q", k, got, want)
		}
	}
}

// TestResponseKeepsNormalizing: Response leaves the header's
// normalizing setting as it found it.
func TestResponseKeepsNormalizing(t *testing.T) {
	var b conf.HeadersBuilder
	if err := b.Directive("Header", []string{"set", "x-one", "1"}); err != nil {
		t.Fatal(err)
	}
	h, err := Compile(b.Finish())
	if err != nil {
		t.Fatal(err)
	}
	var on fasthttp.ResponseHeader
	h.Response(&on, true, nil)
	on.Add("x-later", "2")
	if string(on.Peek("X-One")) != "1" || string(on.Peek("X-Later")) != "2" {
		t.Errorf("normalizing: %q", on.String())
	}
	var off fasthttp.ResponseHeader
	off.DisableNormalizing()
	h.Response(&off, true, nil)
	off.Add("x-later", "2")
	if s := off.String(); !strings.Contains(s, "x-one: 1") || !strings.Contains(s, "x-later: 2") {
		t.Errorf("names as written: %q", s)
	}
}
