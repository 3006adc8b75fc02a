package rewrite

import (
	"strings"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
)

// FuzzEngine runs a fuzzed rule (pattern, substitution, flags) and
// condition on a fuzzed URL in server and per-directory context: the
// engine never panics, and its results are well-formed (a redirect has a
// 3xx status and an absolute Location, an internal redirect a URL path,
// a status is 4xx/5xx).
func FuzzEngine(f *testing.F) {
	for _, s := range [][5]string{
		{`^/(.*)$`, `/x/$1`, `[L]`, `%{HTTP_HOST} ^(.*)$`, "/a b"},
		{`.`, `/index.php`, `[L]`, `%{REQUEST_FILENAME} !-f`, "/wp/x"},
		{`^(.*)$`, `http://%1/$1?q=%{QUERY_STRING}`, `[R=301,QSA,NE]`, `%{HTTP_HOST} ^www\.(.+)$ [NC]`, "/p?x"},
		{`(^|/)\.`, `-`, `[F]`, `%{REQUEST_METHOD} =GET`, "/.git"},
		{`^(.*)$`, `$1x`, `[N=4]`, `%{ENV:x} =""`, "/y"},
		{`^/s/(.*)`, `/s?q=$1`, `[B,BNP,QSD,CO=a:b:c]`, `%{HTTP_COOKIE} -gt1`, "/s/a&b"},
		{`^`, `${m:$0|d}`, `[E=a:$0,T=text/x,S=1,C]`, `%{TIME} >1`, "/"},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}
	f.Fuzz(func(t *testing.T, pattern, subst, flags, cond, target string) {
		if strings.ContainsAny(pattern+subst+flags, " \t\n\r\v\f\"'") {
			return
		}
		path, query, _ := strings.Cut(target, "?")
		for _, dir := range []string{"", apRoot + "/wp"} {
			b := conf.RewriteBuilder{Dir: dir}
			if b.Directive("RewriteEngine", "On", "") != nil ||
				b.Directive("RewriteCond", cond, "") != nil ||
				b.Directive("RewriteRule", pattern+" "+subst+" "+flags, "") != nil {
				return
			}
			cfg, _ := b.Finish()
			rs, err := Compile(cfg)
			if err != nil {
				t.Fatal(err)
			}
			req := &Request{Method: "GET", URI: "/" + strings.TrimPrefix(path, "/"), Query: query, ServerName: "h", ServerPort: 80,
				DocumentRoot: apRoot, FS: apFS, Headers: hdrs{"Host": "www.h"}, Env: mapEnv{"x": "1"},
				Filename: apRoot + "/wp" + path, TraceLevel: 8, LimitRequestLine: 1000}
			var res Result
			if dir == "" {
				res = Server(rs, req)
			} else {
				res = Dir(rs, req)
			}
			switch res.Action {
			case Redirect:
				if res.Status < 300 || res.Status > 399 || absoluteURI(res.Location) == 0 {
					t.Fatalf("redirect %d %q", res.Status, res.Location)
				}
			case InternalRedirect, PassThrough:
				if !strings.HasPrefix(res.URI, "/") && res.URI != "" {
					t.Fatalf("%v to %q", res.Action, res.URI)
				}
			case File:
				if !strings.HasPrefix(res.Filename, "/") {
					t.Fatalf("file %q", res.Filename)
				}
			case Status:
				if res.Status < 400 || res.Status > 599 {
					t.Fatalf("status %d", res.Status)
				}
			}
		}
	})
}
