package rewrite

import (
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// apacheRows are Apache 2.4.71's answers to testdata/apache/requests.txt
// with testdata/apache/httpd.conf and its htdocs (server-context rules in
// httpd.conf; WordPress, Drupal, Laravel, loop and chain rules in
// .htaccess files), recorded with
//
//	sh testdata/apache/compare.sh
//
// as "METHOD HOST PATH | status | Location | X-Env-Stage | body". The
// X-Env-Stage column is the STAGE variable at the end of the request
// ((null) when unset).
var apacheRows = `
GET main.test /exists.html | 200 |  | (null) | EXISTS
GET main.test /nope | 404 |  | (null) |
GET secure.test /some/path?a=1 | 301 | https://secure.test/some/path?a=1 | (null) |
GET www.example.org /x/y?q=1 | 301 | http://example.org/x/y?q=1 | (null) |
GET WWW.Example.org / | 301 | http://Example.org/ | (null) |
GET main.test /.hidden | 403 |  | (null) |
GET main.test /wp/.htaccess | 403 |  | (null) |
GET main.test /qsa/abc?orig=1 | 302 | http://main.test/target.html?x=abc&orig=1 | (null) |
GET main.test /qsa/abc | 302 | http://main.test/target.html?x=abc | (null) |
GET main.test /qsd?orig=1 | 302 | http://main.test/target.html | (null) |
GET main.test /qsr?orig=1 | 302 | http://main.test/target.html?new=1 | (null) |
GET main.test /esc/a%20b?c=d%20e | 301 | http://main.test/target.html%23frag0a%20b?c=d%20e | (null) |
GET main.test /ne/a%20b?c=d | 301 | http://main.test/target.html#frag0a b?c=d | (null) |
GET main.test /env | 200 |  | one | ENVPAGE
GET main.test /skip | 200 |  | (null) | TARGET
GET main.test /gone | 410 |  | (null) |
GET main.test /pt | 200 |  | (null) | TARGET
GET main.test /local | 200 |  | (null) | EXISTS
GET main.test /num?n=7 | 200 |  | (null) | TARGET
GET main.test /num?n=3 | 404 |  | (null) |
POST main.test /post | 403 |  | (null) |
GET main.test /post | 404 |  | (null) |
GET main.test /seeother | 303 | http://main.test/exists.html | (null) |
GET main.test /n/aaabxbyb | 404 |  | (null) |
GET main.test /lex | 404 |  | (null) |
GET main.test /r404 | 404 |  | (null) |
GET main.test /wp/ | 404 |  | (null) |
GET main.test /wp/hello-world/ | 200 |  | (null) | WPINDEX
GET main.test /wp/real.txt | 200 |  | (null) | WPFILE
GET main.test /wp/index.php | 200 |  | (null) | WPINDEX
GET main.test /wp/2024/01/post?p=1 | 200 |  | (null) | WPINDEX
GET main.test /drupal/node/1?x=y | 200 |  | (null) | DRUPAL
GET main.test /drupal/index.php | 200 |  | (null) | DRUPAL
GET main.test /drupal/index.php/node/2 | 404 |  | (null) |
GET main.test /drupal/.git/config | 403 |  | (null) |
GET main.test /drupal/favicon.ico | 200 |  | (null) | DRUPAL
GET www.drupal.test /drupal/node/3 | 301 | http://drupal.test/drupal/node/3 | (null) |
GET main.test /laravel/public/users/5 | 200 |  | (null) | LARAVEL
GET main.test /laravel/public/users/ | 301 | http://main.test/laravel/public/users | (null) |
GET main.test /laravel/public/app.css | 200 |  | (null) | LARAVELCSS
GET main.test /laravel/public/ | 404 |  | (null) |
GET main.test /loop/a | 500 |  | (null) |
GET main.test /chain/a | 200 |  | (null) | EXISTS
GET main.test /chain/x.html | 200 |  | (null) | EXISTS
GET main.test /chain/skip | 200 |  | (null) | EXISTS
GET main.test /chain/end | 200 |  | (null) | CHAIN
GET main.test /chain/b | 404 |  | (null) |
GET main.test /sub/old | 301 | http://main.test/sub/page.html | (null) |
GET main.test /sub/qsa?a=1 | 302 | http://main.test/sub/page.html?b=2&a=1 | (null) |
GET main.test /sub/ne/x%20y | 301 | http://main.test/sub/page.html#x y | (null) |
GET main.test /sub/int?a=1 | 200 |  | (null) | SUB
GET main.test /nobase/old | 301 | http://main.test/tmp/rw-ap/htdocs/nobase/page.html | (null) |
GET main.test /nobase/int | 200 |  | (null) | NOBASE
`

// serveSite serves the harness on a loopback listener until the test
// ends.
func serveSite(t *testing.T, s *site) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		a := s.serve(ctx)
		ctx.SetStatusCode(a.status)
		if a.location != "" {
			ctx.Response.Header.Set("Location", a.location)
		}
		for _, c := range a.cookies {
			ctx.Response.Header.Add("Set-Cookie", c)
		}
		if a.vary != "" {
			ctx.Response.Header.Set("Vary", a.vary)
		}
		if a.ctype != "" {
			ctx.Response.Header.Set("Content-Type", a.ctype)
		}
		if v, ok := a.env["STAGE"]; ok {
			ctx.Response.Header.Set("X-Env-Stage", v)
		} else {
			ctx.Response.Header.Set("X-Env-Stage", "(null)")
		}
		ctx.SetBodyString(a.body)
	}, DisablePreParseMultipartForm: true}
	go srv.Serve(ln)                     //nolint:errcheck
	t.Cleanup(func() { srv.Shutdown() }) //nolint:errcheck
	return ln.Addr().String()
}

func TestApacheComparison(t *testing.T) {
	root, err := filepath.Abs("testdata/apache/htdocs")
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSite("testdata/apache/httpd.conf", root, "main.test")
	if err != nil {
		t.Fatal(err)
	}
	addr := serveSite(t, s)
	c := &fasthttp.Client{DisablePathNormalizing: true}
	for _, row := range strings.Split(strings.TrimSpace(apacheRows), "\n") {
		cols := strings.Split(row, "|")
		for i := range cols {
			cols[i] = strings.TrimSpace(cols[i])
		}
		f := strings.Fields(cols[0])
		method, host, target := f[0], f[1], f[2]
		t.Run(method+" "+host+target, func(t *testing.T) {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.Header.SetMethod(method)
			req.SetRequestURI("http://" + addr + target)
			req.Header.SetHost(host)
			req.Header.Set("X-V", "abc")
			req.UseHostHeader = true
			if err := c.DoTimeout(req, resp, 5*time.Second); err != nil {
				t.Fatal(err)
			}
			got := []string{
				strconv.Itoa(resp.StatusCode()), string(resp.Header.Peek("Location")),
				string(resp.Header.Peek("X-Env-Stage")), strings.TrimSpace(string(resp.Body())),
			}
			want := cols[1:5]
			// Apache's DocumentRoot was /tmp/rw-ap/htdocs (a relative
			// per-directory redirect without RewriteBase shows it).
			want[1] = strings.ReplaceAll(want[1], "/tmp/rw-ap/htdocs", root)
			if resp.StatusCode() != 200 {
				got[3] = "" // Apache's error page
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("%s %s %s: got %q, Apache %q", method, host, target, got, want)
					break
				}
			}
		})
	}
	if len(s.log) == 0 || !strings.Contains(s.log[0], "AH00124: Request exceeded the limit of 10 internal redirects") {
		t.Errorf("loop not logged: %q", s.log)
	}
}

// apacheHeaderRows are Apache's answers to testdata/apache/requests2.txt
// (sent with "User-Agent: x Mobile"), as "METHOD HOST PATH | status |
// Location | Set-Cookie | Content-Type (of a 200) | Vary | body".
var apacheHeaderRows = `
GET main.test /b/a%20b&c | 302 | http://main.test/target.html?q=a+b%2526c |  |  |  |
GET main.test /bnp/a%20b&c | 302 | http://main.test/target.html?q=a%2520b%2526c |  |  |  |
GET main.test /nob/a%20b&c | 302 | http://main.test/target.html?q=a%20b&c |  |  |  |
GET main.test /nobl/a%20b | 403 |  |  |  |  |
GET main.test /q3f/a%3fb | 403 |  |  |  |  |
GET main.test /co | 200 |  | seen=yes; path=/; domain=.main.test; secure; HttpOnly; SameSite=Lax | text/html |  | EXISTS
GET main.test /type | 200 |  |  | text/plain |  | EXISTS
GET main.test /vary | 200 |  |  | text/html | User-Agent | EXISTS
GET main.test /self | 302 | http://main.test/exists.html |  |  |  |
GET main.test /fs | 200 |  |  | text/html |  | EXISTS
GET main.test /exists.html | 200 |  |  | text/html |  | EXISTS
`

func TestApacheHeaders(t *testing.T) {
	root, err := filepath.Abs("testdata/apache/htdocs")
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSite("testdata/apache/httpd.conf", root, "main.test")
	if err != nil {
		t.Fatal(err)
	}
	// "/fs" names Apache's document root: point it at ours.
	for _, r := range s.server.rules {
		if r.Pattern == "^/fs$" {
			r.RewriteRule = &conf.RewriteRule{Pattern: r.Pattern, Subst: root + "/exists.html", Status: 302, MaxRounds: 32000}
		}
	}
	addr := serveSite(t, s)
	c := &fasthttp.Client{DisablePathNormalizing: true}
	for _, row := range strings.Split(strings.TrimSpace(apacheHeaderRows), "\n") {
		cols := strings.Split(row, "|")
		for i := range cols {
			cols[i] = strings.TrimSpace(cols[i])
		}
		f := strings.Fields(cols[0])
		t.Run(f[2], func(t *testing.T) {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.Header.SetMethod(f[0])
			req.SetRequestURI("http://" + addr + f[2])
			req.Header.SetHost(f[1])
			req.Header.Set("User-Agent", "x Mobile")
			req.UseHostHeader = true
			if err := c.DoTimeout(req, resp, 5*time.Second); err != nil {
				t.Fatal(err)
			}
			ctype := ""
			if resp.StatusCode() == 200 {
				ctype = string(resp.Header.ContentType())
			}
			body := ""
			if resp.StatusCode() == 200 {
				body = strings.TrimSpace(string(resp.Body()))
			}
			got := []string{strconv.Itoa(resp.StatusCode()), string(resp.Header.Peek("Location")),
				string(resp.Header.Peek("Set-Cookie")), ctype, string(resp.Header.Peek("Vary")), body}
			if strings.Join(got, "|") != strings.Join(cols[1:], "|") {
				t.Errorf("got %q\nApache %q", got, cols[1:])
			}
		})
	}
}
