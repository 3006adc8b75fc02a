package status

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
)

// TestSSLColumns: with SSLEngine on somewhere, the worker table, the
// Server Details list and ?json carry each worker's SSL protocol and
// cipher (mod_ssl's names; "-" for a plain request); without TLS the
// table is Apache's.
func TestSSLColumns(t *testing.T) {
	tests := []struct {
		name     string
		tls      bool
		query    string
		want     []string
		wantNone []string
	}{
		{"table", true, "", []string{
			"<th>Request</th><th>SSL Protocol</th><th>SSL Cipher</th></tr>",
			"<td>TLSv1.3</td><td nowrap>TLS_AES_128_GCM_SHA256</td></tr>",
			"<td>TLSv1.2</td><td nowrap>ECDHE-ECDSA-AES128-GCM-SHA256</td></tr>",
			"<td>-</td><td nowrap>-</td></tr>",
			"<tr><th>SSL Cipher</th><td>Cipher suite of the connection (SSL_CIPHER)</td></tr>",
		}, nil},
		{"notable", true, "?notable", []string{"<i>[TLSv1.3 TLS_AES_128_GCM_SHA256]</i>"}, nil},
		{"plain", false, "", nil, []string{"SSL Protocol", "TLSv1.3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			board, cfg := eventFixture(t)
			board.Worker(0, 1).SetTLS(tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256)
			board.Worker(0, 2).SetTLS(tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
			w := board.Worker(0, 3)
			w.BeginRequest(now.Add(-time.Second), "192.0.2.8", "www.example.com:80", "GET / HTTP/1.1")
			if tt.tls {
				cfg.Servers = []conf.Server{{Site: conf.SiteConfig{SSL: &conf.SSLServer{Engine: conf.SSLEngineOn}}}}
			}
			url := serve(t, newTestStatus(board, cfg).Handler())
			body := fetch(t, http.MethodGet, url+"/server-status"+tt.query).body
			for _, want := range tt.want {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q\n%s", want, body)
				}
			}
			for _, no := range tt.wantNone {
				if strings.Contains(body, no) {
					t.Errorf("page has %q\n%s", no, body)
				}
			}
		})
	}
}

func TestSSLJSON(t *testing.T) {
	board, cfg := eventFixture(t)
	board.Worker(0, 1).SetTLS(tls.VersionTLS13, tls.TLS_CHACHA20_POLY1305_SHA256)
	url := serve(t, newTestStatus(board, cfg).Handler())
	var v struct {
		Workers []struct {
			Slot, Thread int
			SSLProtocol  string `json:"sslProtocol"`
			SSLCipher    string `json:"sslCipher"`
		} `json:"workers"`
	}
	if err := json.Unmarshal([]byte(fetch(t, http.MethodGet, url+"/server-status?json").body), &v); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, w := range v.Workers {
		switch {
		case w.Slot == 0 && w.Thread == 1:
			found = true
			if w.SSLProtocol != "TLSv1.3" || w.SSLCipher != "TLS_CHACHA20_POLY1305_SHA256" {
				t.Errorf("worker 0/1 ssl = %q %q", w.SSLProtocol, w.SSLCipher)
			}
		case w.SSLProtocol != "" || w.SSLCipher != "":
			t.Errorf("plain worker %d/%d ssl = %q %q", w.Slot, w.Thread, w.SSLProtocol, w.SSLCipher)
		}
	}
	if !found {
		t.Errorf("no worker 0/1 in %+v", v.Workers)
	}
}
