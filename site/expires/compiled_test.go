package expires

import (
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// TestCompiledSameAsApply: Expires.Apply gives what Apply gives, for
// requests in the same second and in later seconds (its cached values),
// for every type, status and existing header.
func TestCompiledSameAsApply(t *testing.T) {
	cfg := build(t, []string{"ExpiresActive", "On"},
		[]string{"ExpiresByType", "text/css", "access plus 1 month"},
		[]string{"ExpiresByType", "text/html", "access plus 1 days"},
		[]string{"ExpiresByType", "application/json", "A0"},
		[]string{"ExpiresByType", "image/*", "A3600"},
		[]string{"ExpiresByType", "image/gif", "modification plus 1 hour"},
		[]string{"ExpiresDefault", "access plus 9 seconds"})
	x := New(cfg)
	if x == nil || !x.UsesModTime() {
		t.Fatal("New: want an active configuration using the modification time")
	}
	if New(build(t, []string{"ExpiresActive", "Off"}, []string{"ExpiresDefault", "A1"})) != nil {
		t.Error("New of an inactive configuration: want nil")
	}
	types := []string{"text/css", "text/html; charset=utf-8", "TEXT/HTML", "application/json", "image/png", "image/gif", "", "x/y", "text/css"}
	base := time.Date(2026, 12, 2, 2, 6, 14, 0, time.UTC)
	times := []time.Duration{0, 100 * time.Millisecond, 999 * time.Millisecond, time.Second, 1500 * time.Millisecond, time.Hour}
	for _, d := range times {
		for _, ct := range types {
			for _, status := range []int{200, 304, 404} {
				for _, pre := range [][2]string{{}, {"Cache-Control", "public"}, {"Expires", "0"}} {
					run := func(apply func(*fasthttp.ResponseHeader, *Response) bool) (string, bool) {
						var h fasthttp.ResponseHeader
						h.SetContentType("text/plain")
						if pre[0] != "" {
							h.Set(pre[0], pre[1])
						}
						ok := apply(&h, &Response{Status: status, ContentType: ct, ModTime: mtime, Now: base.Add(d)})
						return h.String(), ok
					}
					got, gok := run(x.Apply)
					want, wok := run(func(h *fasthttp.ResponseHeader, r *Response) bool { return Apply(cfg, h, r) })
					if got != want || gok != wok {
						t.Errorf("+%v %q %d %v:\ncompiled %v\n%s\nApply %v\n%s", d, ct, status, pre, gok, got, wok, want)
					}
				}
			}
		}
	}
	var nilX *Expires
	if nilX.Apply(&fasthttp.ResponseHeader{}, &Response{Status: 200}) {
		t.Error("nil Expires applied")
	}
}
