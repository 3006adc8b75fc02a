package expires

import (
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/valyala/fasthttp"
)

func build(t testing.TB, lines ...[]string) *conf.ExpiresConfig {
	t.Helper()
	var b conf.ExpiresBuilder
	for _, l := range lines {
		if err := b.Directive(l[0], l[1:]); err != nil {
			t.Fatal(err)
		}
	}
	return b.Finish()
}

var (
	now   = time.Date(2026, 12, 2, 2, 6, 14, 0, time.UTC)
	mtime = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
)

// The expected values of the first four rows are Apache's answers for
// /exp/ in site/headers/testdata/apache (answers.txt).
func TestApply(t *testing.T) {
	cfg := build(t, []string{"ExpiresActive", "On"},
		[]string{"ExpiresByType", "text/css", "access plus 1 month"},
		[]string{"ExpiresByType", "image/*", "A3600"},
		[]string{"ExpiresDefault", "modification plus 2 hours 3 minutes"})
	recent := now.Add(-time.Hour)
	tests := []struct {
		name     string
		status   int
		ctype    string
		mod      time.Time
		cc, exp  string // existing headers
		wantCC   string
		wantExp  string
		modified bool
	}{
		{"css", 200, "text/css", mtime, "", "", "max-age=2592000", "Fri, 01 Jan 2027 02:06:14 GMT", true},
		{"png wildcard", 200, "image/png", mtime, "", "", "max-age=3600", "Wed, 02 Dec 2026 03:06:14 GMT", true},
		{"old file: clamped to now", 200, "text/html", mtime, "", "", "max-age=0", "Wed, 02 Dec 2026 02:06:14 GMT", true},
		{"404", 404, "text/css", mtime, "", "", "", "", false},
		{"recent file", 200, "text/html", recent, "", "", "max-age=3780", "Wed, 02 Dec 2026 03:09:14 GMT", true},
		{"no file, modification code", 200, "text/html", time.Time{}, "", "", "", "", false},
		{"charset parameter ignored", 200, "Text/CSS; charset=utf-8", mtime, "", "", "max-age=2592000", "Fri, 01 Jan 2027 02:06:14 GMT", true},
		{"existing Cache-Control: merged", 200, "text/css", mtime, "public", "", "public, max-age=2592000", "Fri, 01 Jan 2027 02:06:14 GMT", true},
		{"existing Expires: untouched", 200, "text/css", mtime, "", "Thu, 01 Jan 2030 00:00:00 GMT", "", "Thu, 01 Jan 2030 00:00:00 GMT", false},
		{"304 is not an error", 304, "text/css", mtime, "", "", "max-age=2592000", "Fri, 01 Jan 2027 02:06:14 GMT", true},
	}
	for _, tt := range tests {
		var h fasthttp.ResponseHeader
		if tt.cc != "" {
			h.Set("Cache-Control", tt.cc)
		}
		if tt.exp != "" {
			h.Set("Expires", tt.exp)
		}
		got := Apply(cfg, &h, &Response{Status: tt.status, ContentType: tt.ctype, ModTime: tt.mod, Now: now})
		if got != tt.modified || string(h.Peek("Cache-Control")) != tt.wantCC || string(h.Peek("Expires")) != tt.wantExp {
			t.Errorf("%s: %v %q %q; want %v %q %q", tt.name, got, h.Peek("Cache-Control"), h.Peek("Expires"),
				tt.modified, tt.wantCC, tt.wantExp)
		}
	}
}

func TestCode(t *testing.T) {
	base := build(t, []string{"ExpiresActive", "On"}, []string{"ExpiresByType", "image/*", "A60"}, []string{"ExpiresDefault", "A1"})
	if c, ok := Code(base, "image/gif"); !ok || c.Seconds != 60 {
		t.Errorf("wildcard: %v %v", c, ok)
	}
	if c, ok := Code(base, "text/plain"); !ok || c.Seconds != 1 {
		t.Errorf("default: %v %v", c, ok)
	}
	if c, ok := Code(base, ""); !ok || c.Seconds != 1 {
		t.Errorf("no type: %v %v", c, ok)
	}
	// A section with its own ExpiresByType (no wildcard) turns the
	// inherited image/* off: Apache's merge, kept.
	m := conf.MergeExpires(base, build(t, []string{"ExpiresByType", "text/css", "A5"}))
	if c, _ := Code(m, "image/gif"); c.Seconds != 1 {
		t.Errorf("wildcards after merge: %v", c)
	}
	// A section without Expires directives keeps them.
	if c, _ := Code(conf.MergeExpires(base, nil), "image/gif"); c.Seconds != 60 {
		t.Errorf("nil merge: %v", c)
	}
	inactive := build(t, []string{"ExpiresByType", "image/*", "A60"})
	if _, ok := Code(inactive, "image/gif"); ok {
		t.Error("ExpiresActive unset is off")
	}
}

func BenchmarkApplyInactive(b *testing.B) {
	var h fasthttp.ResponseHeader
	r := &Response{Status: 200, ContentType: "text/css", Now: now}
	b.ReportAllocs()
	for b.Loop() {
		Apply(nil, &h, r)
	}
}

func BenchmarkApply(b *testing.B) {
	cfg := build(b, []string{"ExpiresActive", "On"}, []string{"ExpiresByType", "text/css", "access plus 1 month"})
	var h fasthttp.ResponseHeader
	r := &Response{Status: 200, ContentType: "text/css", Now: now}
	b.ReportAllocs()
	for b.Loop() {
		h.Del("Expires")
		h.Del("Cache-Control")
		Apply(cfg, &h, r)
	}
}
