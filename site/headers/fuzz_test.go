package headers_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/headers"
	"github.com/valyala/fasthttp"
)

// FuzzEdit applies Header edit and edit* with arbitrary patterns,
// replacements and header values: no panic, and edit* of a pattern that
// does not match leaves the value alone.
func FuzzEdit(f *testing.F) {
	f.Add("fo(o)", "[$1]", "foo bar foo")
	f.Add("x*", "-", "abc")
	f.Add("^(.*)$", `$1; HttpOnly\$9`, "a=1")
	f.Add("(a)(b)?", "$2$1$0%D", "aaab")
	f.Fuzz(func(t *testing.T, pat, repl, value string) {
		if strings.ContainsAny(value, "\r\n\x00") || strings.TrimSpace(value) != value || value == "" {
			return // not a header value fasthttp would keep as is
		}
		for _, action := range []string{"edit", "edit*"} {
			var b conf.HeadersBuilder
			if b.Directive("Header", []string{action, "X-F", pat, repl}) != nil {
				return
			}
			h, err := headers.Compile(b.Finish())
			if err != nil {
				t.Fatal(err)
			}
			var resp fasthttp.ResponseHeader
			resp.Set("X-F", value)
			h.Response(&resp, true, &headers.Vars{})
			re := regexp.MustCompile(pat)
			if !re.MatchString(value) && string(resp.Peek("X-F")) != value {
				t.Fatalf("%s %q on %q: changed to %q without a match", action, pat, value, resp.Peek("X-F"))
			}
		}
	})
}
