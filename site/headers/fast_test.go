package headers

import (
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/setenvif"
)

// TestFastPathSameAsGeneral: every configuration gives the same
// response headers (names, values, order) with the fast path and with
// the general path alone, for responses with and without the names.
func TestFastPathSameAsGeneral(t *testing.T) {
	configs := [][]string{
		{"Header set X-A 1", "Header set X-B 2", "Header set X-C 3"},
		{"Header set X-A 1", "Header append X-B 2", "Header set X-C 3", "Header unset X-D"},
		{"Header always set X-A 1", "Header always set X-B 2"},
		{"Header always set X-A 1", "Header set X-B 2", "Header always set X-C 3", "Header set X-D 4"},
		{"Header always set X-A 1", "Header set X-A 2"},
		{"Header set X-A 1", "Header set X-A 2", "Header set x-b 3"},
		{"Header set X-A 1 env=E", "Header set X-B 2 env=!E", "Header always set X-C 3 env=E", "Header always set X-D 4 env=!E"},
		{"Header set X-A 1", "Header echo ^X-R", "Header set X-R 2"},
		{"Header always set X-A 1", "Header always append X-B 2"},
		{"Header set Content-Type text/plain", "Header set Server s", "Header set Date d", "Header set X-A 1"},
		{"Header set X-A \"%{E}e\"", "Header set X-B 2"},
		{"Header always set x-lower 1", "Header set X-MiXeD 2"},
		{"Header edit X-A ^(.*)$ [$1]", "Header set X-B 2"},
	}
	pres := [][][2]string{
		nil,
		{{"X-A", "old"}},
		{{"X-B", "old"}, {"X-B", "old2"}, {"X-C", "c"}},
		{{"X-D", "d"}, {"X-Other", "o"}},
		{{"X-Lower", "l"}, {"X-Mixed", "m"}},
		{{"X-A", "a"}, {"X-B", "b"}, {"X-C", "c"}, {"X-D", "d"}},
	}
	envs := []*setenvif.Env{{}, {}}
	envs[1].Set("E", "1")
	var req fasthttp.RequestHeader
	req.Set("X-Req", "r")
	withFast := 0
	for _, lines := range configs {
		var b conf.HeadersBuilder
		for _, l := range lines {
			w := strings.Fields(l)
			for i := range w {
				w[i] = strings.Trim(w[i], `"`)
			}
			if err := b.Directive(w[0], w[1:]); err != nil {
				t.Fatalf("%s: %v", l, err)
			}
		}
		fast, err := Compile(b.Finish())
		if err != nil {
			t.Fatal(err)
		}
		if len(fast.fast.keys) > 0 {
			withFast++
		}
		general := *fast
		general.fast = fastPlan{}
		for _, pre := range pres {
			for _, env := range envs {
				for _, success := range []bool{true, false} {
					for _, trailer := range []bool{false, true} {
						run := func(h *Headers) string {
							var resp fasthttp.ResponseHeader
							resp.SetContentType("text/html")
							for _, kv := range pre {
								resp.Add(kv[0], kv[1])
							}
							if trailer {
								_ = resp.AddTrailer("X-B")
							}
							h.Response(&resp, success, &Vars{Env: env, Request: &req})
							return resp.String()
						}
						if got, want := run(fast), run(&general); got != want {
							t.Errorf("%q pre %v env %v success %v trailer %v:\nfast:\n%s\ngeneral:\n%s", lines, pre, env.Len(), success, trailer, got, want)
						}
					}
				}
			}
		}
	}
	if withFast < 9 {
		t.Errorf("%d configurations took the fast path, want 9 or more", withFast)
	}
}
