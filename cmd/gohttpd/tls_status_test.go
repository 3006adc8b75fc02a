package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// TestHTTPSStatusColumns: on every engine, a status page fetched over
// TLS shows its own request's SSL protocol and cipher in the worker
// table (mod_ssl's names).
func TestHTTPSStatusColumns(t *testing.T) {
	for _, mpmName := range []string{"event", "worker", "prefork"} {
		t.Run(mpmName, func(t *testing.T) {
			s, addr := startHTTPS(t, mpmName, "ExtendedStatus On",
				"<Location /server-status>", "SetHandler server-status", "</Location>")
			if code, _, err := s.Get("/hello.txt"); err != nil || code != 200 {
				t.Fatalf("plain request: %d %v", code, err)
			}
			status, body, _, _ := tlsGet(t, addr, "a.test", "a.test", "/server-status", nil)
			if status != "200 OK" {
				t.Fatalf("/server-status over TLS: %s", status)
			}
			for _, want := range []string{
				"<th>SSL Protocol</th><th>SSL Cipher</th>",
				"GET /server-status HTTP/1.1</td><td>TLSv1.3</td><td nowrap>TLS_AES_128_GCM_SHA256</td>",
			} {
				if !strings.Contains(body, want) {
					t.Errorf("status page lacks %q\n%s", want, body)
				}
			}
		})
	}
}

// TestHTTPSPlainHTTPLogged: plain HTTP on a TLS port is logged as Apache
// 2.4.71 logs it, on every engine: the access log line of the request
// mod_ssl fakes ("GET / HTTP/1.0" 400 <body bytes>, SSL_PROTOCOL "-") in
// the log of the server the address selects, and at LogLevel info
// "[ssl:info] ... [client ...] AH01996: SSL handshake failed: HTTP spoken
// on HTTPS port; trying to send HTML error page".
func TestHTTPSPlainHTTPLogged(t *testing.T) {
	for _, mpmName := range []string{"event", "worker", "prefork"} {
		t.Run(mpmName, func(t *testing.T) {
			s, addr := startHTTPS(t, mpmName, "LogLevel info",
				`LogFormat "%h %V \"%r\" %>s %b %{SSL_PROTOCOL}x" plain`, "CustomLog logs/plain_log plain")
			code, body := rawGet(t, addr, "GET /foo HTTP/1.1\r\nHost: b.test\r\n")
			if code != 400 {
				t.Fatalf("plain HTTP on the TLS port: %d", code)
			}
			want := fmt.Sprintf(`127.0.0.1 a.test "GET / HTTP/1.0" 400 %d -`, len(body))
			mpmtest.WaitFor(t, 10*time.Second, "the access log line", func() bool {
				return slices.Contains(s.ReadLog("plain_log"), want)
			})
			mpmtest.WaitFor(t, 10*time.Second, "AH01996", func() bool {
				return strings.Contains(s.ErrorLog(), "[ssl:info]") && strings.Contains(s.ErrorLog(),
					"AH01996: SSL handshake failed: HTTP spoken on HTTPS port; trying to send HTML error page")
			})
			for _, l := range strings.Split(s.ErrorLog(), "\n") {
				if strings.Contains(l, "AH01996") {
					t.Log(l)
				}
			}
		})
	}
}
