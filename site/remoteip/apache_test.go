package remoteip

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/authz"
)

// The expected values are Apache 2.4.71's access log lines
// ("%{local}p|%a|%{c}a|%>s|%{X-Forwarded-For}i|%{X-Forwarded-By}i|%{remoteip-proxy-ip-list}n|%r")
// for the requests testdata/apache.sh sends to the three virtual hosts of
// testdata/apache.conf (/ip is "Require ip 203.0.113.0/24"; Apache
// answered 404 for the other paths, there being no files).
var apacheVhosts = map[string][]string{
	"18471": {"RemoteIPHeader X-Forwarded-For", "RemoteIPInternalProxy 127.0.0.0/8", "RemoteIPProxiesHeader X-Forwarded-By"},
	"18472": {"RemoteIPHeader X-Forwarded-For", "RemoteIPTrustedProxy 127.0.0.1 192.0.2.0/24", "RemoteIPInternalProxy 198.51.100.0/24", "RemoteIPProxiesHeader X-Forwarded-By"},
	"18473": {"RemoteIPHeader X-Forwarded-For", "RemoteIPProxiesHeader X-Forwarded-By"},
}

var apacheRequests = []struct {
	path string
	xff  []string
}{
	{"/", nil},
	{"/a", []string{"203.0.113.5"}},
	{"/b", []string{"203.0.113.5, 10.0.0.1"}},
	{"/c", []string{"10.0.0.1, 203.0.113.5"}},
	{"/d", []string{"203.0.113.9,  192.0.2.7 ,198.51.100.3"}},
	{"/e", []string{"garbage, 203.0.113.5"}},
	{"/f", []string{"203.0.113.5,"}}, // curl sent "203.0.113.5, " trimmed
	{"/g", []string{"2001:db8::1, ::ffff:203.0.113.5"}},
	{"/h", []string{"203.0.113.5", "198.51.100.3"}},
	{"/ip", []string{"203.0.113.5"}},
	{"/ip", []string{"192.0.2.1"}},
	{"/i", []string{"2001:db8::1"}},
	{"/j", []string{"2a00::1, 198.51.100.3, 192.0.2.7"}},
}

// apacheLog is Apache's access log, verbatim (request line without
// HTTP/1.1, which differs by client).
var apacheLog = strings.TrimSpace(`
18471|127.0.0.1|127.0.0.1|404|-|-|-|GET /
18471|203.0.113.5|127.0.0.1|404|-|-|-|GET /a
18471|10.0.0.1|127.0.0.1|404|203.0.113.5|-|-|GET /b
18471|203.0.113.5|127.0.0.1|404|10.0.0.1|-|-|GET /c
18471|198.51.100.3|127.0.0.1|404|203.0.113.9,  192.0.2.7 |-|-|GET /d
18471|203.0.113.5|127.0.0.1|404|garbage|-|-|GET /e
18471|127.0.0.1|127.0.0.1|404|203.0.113.5,|-|-|GET /f
18471|203.0.113.5|127.0.0.1|404|2001:db8::1|-|-|GET /g
18471|198.51.100.3|127.0.0.1|404|203.0.113.5|-|-|GET /h
18471|203.0.113.5|127.0.0.1|404|-|-|-|GET /ip
18471|192.0.2.1|127.0.0.1|403|-|-|-|GET /ip
18471|2001:db8::1|127.0.0.1|404|-|-|-|GET /i
18471|192.0.2.7|127.0.0.1|404|2a00::1, 198.51.100.3|-|-|GET /j
18472|127.0.0.1|127.0.0.1|404|-|-|-|GET /
18472|203.0.113.5|127.0.0.1|404|-|127.0.0.1|127.0.0.1|GET /a
18472|127.0.0.1|127.0.0.1|404|203.0.113.5, 10.0.0.1|-|-|GET /b
18472|203.0.113.5|127.0.0.1|404|10.0.0.1|127.0.0.1|127.0.0.1|GET /c
18472|203.0.113.9|127.0.0.1|404|-|127.0.0.1, 198.51.100.3, 192.0.2.7|127.0.0.1, 198.51.100.3, 192.0.2.7|GET /d
18472|203.0.113.5|127.0.0.1|404|garbage|127.0.0.1|127.0.0.1|GET /e
18472|127.0.0.1|127.0.0.1|404|203.0.113.5,|-|-|GET /f
18472|203.0.113.5|127.0.0.1|404|2001:db8::1|127.0.0.1|127.0.0.1|GET /g
18472|203.0.113.5|127.0.0.1|404|-|127.0.0.1, 198.51.100.3|127.0.0.1, 198.51.100.3|GET /h
18472|203.0.113.5|127.0.0.1|404|-|127.0.0.1|127.0.0.1|GET /ip
18472|192.0.2.1|127.0.0.1|403|-|127.0.0.1|127.0.0.1|GET /ip
18472|2001:db8::1|127.0.0.1|404|-|127.0.0.1|127.0.0.1|GET /i
18472|2a00::1|127.0.0.1|404|-|127.0.0.1, 192.0.2.7, 198.51.100.3|127.0.0.1, 192.0.2.7, 198.51.100.3|GET /j
18473|127.0.0.1|127.0.0.1|404|-|-|-|GET /
18473|203.0.113.5|127.0.0.1|404|-|127.0.0.1|127.0.0.1|GET /a
18473|127.0.0.1|127.0.0.1|404|203.0.113.5, 10.0.0.1|-|-|GET /b
18473|203.0.113.5|127.0.0.1|404|10.0.0.1|127.0.0.1|127.0.0.1|GET /c
18473|203.0.113.9|127.0.0.1|404|-|127.0.0.1, 198.51.100.3, 192.0.2.7|127.0.0.1, 198.51.100.3, 192.0.2.7|GET /d
18473|203.0.113.5|127.0.0.1|404|garbage|127.0.0.1|127.0.0.1|GET /e
18473|127.0.0.1|127.0.0.1|404|203.0.113.5,|-|-|GET /f
18473|2001:db8::1|127.0.0.1|404|-|127.0.0.1, 203.0.113.5|127.0.0.1, 203.0.113.5|GET /g
18473|203.0.113.5|127.0.0.1|404|-|127.0.0.1, 198.51.100.3|127.0.0.1, 198.51.100.3|GET /h
18473|203.0.113.5|127.0.0.1|404|-|127.0.0.1|127.0.0.1|GET /ip
18473|192.0.2.1|127.0.0.1|403|-|127.0.0.1|127.0.0.1|GET /ip
18473|2001:db8::1|127.0.0.1|404|-|127.0.0.1|127.0.0.1|GET /i
18473|2a00::1|127.0.0.1|404|-|127.0.0.1, 192.0.2.7, 198.51.100.3|127.0.0.1, 192.0.2.7, 198.51.100.3|GET /j`)

func buildConfig(t testing.TB, lines []string) *Config {
	t.Helper()
	var b conf.RemoteIPBuilder
	for _, l := range lines {
		f := strings.Fields(l)
		if err := b.Directive(f[0], f[1:]); err != nil {
			t.Fatal(err)
		}
	}
	// Through the snapshot's JSON, as a child process receives it.
	return New(jsonRoundTrip(t, b.Finish()))
}

// serve runs h on a loopback fasthttp server; it returns the address.
func serve(t testing.TB, h fasthttp.RequestHandler) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Shutdown() })
	return ln.Addr().String()
}

// TestApacheXFF sends Apache's requests, on one keep-alive connection per
// virtual host (so a stale SetRemoteAddr would show), to a server whose
// handler is the integration the package doc describes, and writes the
// same log line.
func TestApacheXFF(t *testing.T) {
	want := strings.Split(apacheLog, "\n")
	var got []string
	for _, port := range []string{"18471", "18472", "18473"} {
		cfg := buildConfig(t, apacheVhosts[port])
		allowed := netip.MustParsePrefix("203.0.113.0/24")
		lines := make(chan string, len(apacheRequests))
		addr := serve(t, func(ctx *fasthttp.RequestCtx) {
			r := cfg.Apply(ctx)
			var req authz.Request
			authz.FromRequestCtx(ctx, &req) // Require ip sees the client
			status := 404
			if string(ctx.Path()) == "/ip" && !allowed.Contains(req.ClientIP) {
				status = 403
			}
			ctx.SetStatusCode(status)
			dash := func(b []byte) string {
				if len(b) == 0 {
					return "-"
				}
				return string(b)
			}
			lines <- fmt.Sprintf("%s|%s|%s|%d|%s|%s|%s|GET %s", port,
				ctx.RemoteAddr().(*net.TCPAddr).IP, ctx.Conn().RemoteAddr().(*net.TCPAddr).IP, status,
				dash(ctx.Request.Header.Peek("X-Forwarded-For")), dash(ctx.Request.Header.Peek("X-Forwarded-By")),
				dash([]byte(r.ProxyIPs)), ctx.Path())
		})
		c, err := net.Dial("tcp4", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(c)
		for _, rq := range apacheRequests {
			var sb strings.Builder
			fmt.Fprintf(&sb, "GET %s HTTP/1.1\r\nHost: localhost\r\n", rq.path)
			for _, x := range rq.xff {
				fmt.Fprintf(&sb, "X-Forwarded-For: %s\r\n", x)
			}
			sb.WriteString("\r\n")
			if _, err := c.Write([]byte(sb.String())); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got = append(got, <-lines)
		}
		c.Close()
	}
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}
