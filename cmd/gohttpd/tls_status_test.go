package main

import (
	"strings"
	"testing"
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
