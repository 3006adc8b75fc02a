package proxy

import (
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
)

// Observations of Apache 2.4.71 (Debian build, mpm_event, mod_proxy,
// mod_proxy_http, mod_proxy_balancer, mod_proxy_wstunnel) run on loopback
// with /tmp/proxy-ap/httpd.conf:
//
//	Listen 127.0.0.1:18080
//	ServerName front.example
//	ProxyTimeout 2
//	ProxyPass /app/static !
//	ProxyPass /app/ http://127.0.0.1:18081/b/
//	ProxyPassReverse /app/ http://127.0.0.1:18081/b/
//	ProxyPassReverseCookieDomain backend.internal front.example
//	ProxyPassReverseCookiePath /b/ /app/
//	ProxyPass /down/ http://127.0.0.1:18089/          (nothing listens)
//	ProxyPass /noslash http://127.0.0.1:18081/b
//	ProxyPassMatch ^/m/(.*)\.png$ http://127.0.0.1:18081/b/png/$1
//	<Location /loc/> ProxyPass http://127.0.0.1:18081/b/loc/ </Location>
//	<Proxy balancer://pool> BalancerMember http://127.0.0.1:18089 retry=1
//	                        BalancerMember http://127.0.0.1:18081/b </Proxy>
//	ProxyPass /lb/ balancer://pool/
//	ProxyPass /ws/ ws://127.0.0.1:18082/echo/
//	ProxyPass /up/ http://127.0.0.1:18082/echo/ upgrade=websocket
//
// started with `apache2 -f /tmp/proxy-ap/httpd.conf -D FOREGROUND`; the
// backend on 18081 (a small Python socket server) answers /b/slow after
// 5 s, /b/garbage with "this is not http\r\n\r\n", /b/close by closing,
// /b/redir with a 302 carrying Location, Content-Location, two Set-Cookie
// and hop-by-hop headers, and anything else with the request line and
// headers it got. Requests were made with `curl -s -i --path-as-is URL`.
// The rows below are what Apache answered and what its backend saw; the
// test runs the same configuration through gohttpd's proxy. Differences
// are marked "gohttpd:".
var apacheObserved = []struct {
	target      string
	status      int    // Apache's answer
	backendLine string // request line the backend saw ("" none)
	gohttpd     int    // gohttpd's status when it differs on purpose
}{
	{"/app/x%20y?a=b", 200, "GET /b/x%20y?a=b HTTP/1.1", 0},
	{"/app/static/x", 404, "", 0},
	{"/appx", 404, "", 0},
	{"/app", 404, "", 0},
	{"/noslash/q", 200, "GET /b/q HTTP/1.1", 0},
	{"/noslashx", 404, "", 0},
	{"/m/a/b.png", 200, "GET /b/png/a/b HTTP/1.1", 0},
	{"/loc/z", 200, "GET /b/loc/z HTTP/1.1", 0},
	{"/app//evil.com/x", 200, "GET /b/evil.com/x HTTP/1.1", 0},
	{"/app/@evil.com", 200, "GET /b/@evil.com HTTP/1.1", 0},
	{"/app/a;b=c:d@e", 200, "GET /b/a;b=c:d@e HTTP/1.1", 0},
	{"/app/%25%41%7e%22<>", 200, "GET /b/%25A~%22%3C%3E HTTP/1.1", 0},
	{"/app/x/../../etc", 404, "", 0},
	{"/app/q?x=%0d%0a", 200, "GET /b/q?x=%0d%0a HTTP/1.1", 0},
	// Apache: 404 for %2F in the path (AllowEncodedSlashes Off, core,
	// before mod_proxy). gohttpd: fasthttp decodes it to '/'; the site
	// applies (or not) the core rule, the proxy forwards a '/'.
	{"/app/a%2Fb", 404, "GET /b/a/b HTTP/1.1", 200},
	// Down backend: 503, "AH00957: http: attempt to connect to
	// 127.0.0.1:18089 (127.0.0.1:18089) failed" and "AH01114: HTTP: failed
	// to make connection to backend: 127.0.0.1", on every request (no
	// AH00959: a direct worker is never disabled).
	{"/down/x", 503, "", 0},
	// Slow backend, ProxyTimeout 2: "502 Proxy Error" after 2 s with
	// "(70007)The timeout specified has expired: AH01102: error reading
	// status line from remote server 127.0.0.1:18081" and "AH00898: Error
	// reading from remote server returned by /app/slow".
	{"/app/slow", 502, "", 0},
	// Backend closes without answering: 502, "(20014)Internal error
	// (specific information not available): AH01102: ..." and AH00898.
	{"/app/close", 502, "", 0},
	// Garbage: Apache takes it for an HTTP/0.9 answer, "200 OK" with the
	// bytes as a chunked body. gohttpd: 502.
	{"/app/garbage", 200, "", 502},
}

// apacheBackend mimics the Python backend of the comparison.
func apacheBackend(t *testing.T) string {
	return rawBackend(t, func(c net.Conn, head string) {
		line, _, _ := strings.Cut(head, "\r\n")
		f := strings.Fields(line)
		path := f[1]
		switch {
		case strings.HasPrefix(path, "/b/slow"):
			time.Sleep(3 * time.Second)
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate")
		case strings.HasPrefix(path, "/b/garbage"):
			_, _ = io.WriteString(c, "this is not http\r\n\r\n")
		case strings.HasPrefix(path, "/b/close"):
		default:
			body := line
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
		}
	})
}

func TestApacheComparison(t *testing.T) {
	be := apacheBackend(t)
	dead := deadAddr(t)
	srv, b := build(t,
		[]string{"ProxyTimeout", "1"},
		[]string{"ProxyPass", "/app/static", "!"},
		[]string{"ProxyPass", "/app/", "http://" + be + "/b/"},
		[]string{"ProxyPass", "/down/", "http://" + dead + "/"},
		[]string{"ProxyPass", "/noslash", "http://" + be + "/b"},
		[]string{"ProxyPassMatch", `^/m/(.*)\.png$`, "http://" + be + "/b/png/$1"},
		[]string{"@/loc/", "ProxyPass", "http://" + be + "/b/loc/"},
	)
	loc := b.Dir("/loc/")
	f := newFront(t, srv, func(p string) *conf.ProxyDir {
		if strings.HasPrefix(p, "/loc/") {
			return loc
		}
		return nil
	}, Options{})
	for _, o := range apacheObserved {
		head, body := rawGet(t, f.addr, "GET "+o.target+" HTTP/1.1\r\nHost: 127.0.0.1:18080\r\nConnection: close\r\n\r\n")
		want := o.status
		if o.gohttpd != 0 {
			want = o.gohttpd
		}
		if got := statusOf(head); got != want {
			t.Errorf("%s: status %d, want %d (Apache: %d)\n%s", o.target, got, want, o.status, head)
			continue
		}
		if o.backendLine != "" && want == 200 && body != o.backendLine {
			t.Errorf("%s: backend saw %q, Apache's saw %q", o.target, body, o.backendLine)
		}
	}
}

func statusOf(head string) int {
	f := strings.Fields(head)
	if len(f) < 2 {
		return 0
	}
	n := 0
	for _, c := range f[1] {
		n = n*10 + int(c-'0')
	}
	return n
}
