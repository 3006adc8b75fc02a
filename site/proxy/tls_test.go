package proxy

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// An https:// backend: small bodies (read whole), a large one (streamed)
// and a POST, over pooled TLS connections (the raw reads and writes sit
// under crypto/tls).
func TestHTTPSBackend(t *testing.T) {
	var conns atomic.Int32
	big := strings.Repeat("b", 1<<20)
	be := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			io.WriteString(w, big)
		case "/post":
			b, _ := io.ReadAll(r.Body)
			w.Write(b)
		default:
			io.WriteString(w, "small "+r.URL.Path)
		}
	}))
	be.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	be.StartTLS()
	t.Cleanup(be.Close)
	pool := x509.NewCertPool()
	pool.AddCert(be.Certificate())
	srv, _ := build(t, []string{"ProxyPass", "/", be.URL + "/"})
	f := newFront(t, srv, nil, Options{TLSConfig: &tls.Config{RootCAs: pool}})
	for i := range 5 {
		for _, tc := range []struct{ method, path, body, want string }{
			{"GET", "/a", "", "small /a"},
			{"GET", "/big", "", big},
			{"POST", "/post", strings.Repeat("p", 100000), strings.Repeat("p", 100000)},
		} {
			req, _ := http.NewRequest(tc.method, f.url+tc.path, strings.NewReader(tc.body))
			resp, err := httpClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(b) != tc.want {
				t.Fatalf("round %d %s %s: %d %d bytes\n%s", i, tc.method, tc.path, resp.StatusCode, len(b), f.logText())
			}
		}
	}
	if n := conns.Load(); n > 3 {
		t.Errorf("%d TLS connections to the backend for 15 sequential requests: not pooled", n)
	}
}
