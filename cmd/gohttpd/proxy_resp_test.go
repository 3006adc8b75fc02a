package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// TestResponsePhasesProxyAndRedirects: mod_headers and mod_expires on
// proxied responses and on redirects made before the handler, through
// the binary. The expected headers are Apache 2.4's on the same
// configuration (compared on this machine with a Go backend): a proxied
// 2xx/3xx gets "Header always" and "Header set" lines and Expires (merged
// into the backend's Cache-Control, never replacing its Expires); a
// proxied 4xx/5xx the Header lines without Expires; RequestHeader reaches
// the backend; a rewrite [R] or Redirect (server or <Directory>) gets
// only the "always" lines (with its <Location>'s) and Expires; a proxy
// error (503) only the "always" lines; a local ErrorDocument's page the
// lines of its own request, once, and no Expires.
func TestResponsePhasesProxyAndRedirects(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Backend-Saw", r.Header.Get("X-Req-Added"))
		w.Header().Set("Content-Type", "text/html")
		switch r.URL.Path {
		case "/css":
			w.Header().Set("Content-Type", "text/css")
		case "/404":
			w.WriteHeader(404)
		case "/redir":
			w.Header().Set("Location", "http://example.org/x")
			w.WriteHeader(302)
		case "/cc":
			w.Header().Set("Cache-Control", "public")
			w.Header().Set("X-Own", "backend")
		case "/exp":
			w.Header().Set("Expires", "Thu, 01 Jan 2037 00:00:00 GMT")
		}
		fmt.Fprint(w, "<p>backend</p>\n")
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Close below
	t.Cleanup(func() { srv.Close() })
	be := ln.Addr().String()

	s := mpmtest.Start(t, mpmtest.Options{MPM: "event", Directives: []string{
		"ServerName www.bench",
		"ProxyPass /app/ http://" + be + "/",
		"ProxyPass /down/ http://" + deadAddr(t) + "/",
		"RequestHeader set X-Req-Added fromfront",
		"Header set X-On-Success yes",
		"Header always set X-Always yes",
		"Header append Cache-Control private",
		"Header always set X-Own front",
		"ExpiresActive On",
		"ExpiresByType text/html \"access plus 1 hour\"",
		"ExpiresByType text/css \"modification plus 1 hour\"",
		"ExpiresDefault \"access plus 2 minutes\"",
		"RewriteEngine On",
		"RewriteRule ^/old$ /new [R=301,L]",
		"RewriteRule ^/gone$ - [G]",
		"<Directory />",
		"  RewriteEngine On",
		"  RewriteRule /pd$ /s.html [R=302,L]",
		"  RewriteRule /pdgone$ - [G]",
		"  Header always set X-Dir-Always yes",
		"</Directory>",
		"<Location /app/css>",
		"  Header set X-Loc css",
		"  ExpiresByType text/css \"access plus 3 hours\"",
		"</Location>",
		"<Location /locredir>",
		"  Header always set X-Loc-Always yes",
		"</Location>",
		"Redirect /locredir http://example.org/z",
		"ErrorDocument 410 /s.html",
		"ErrorDocument 403 /s.html",
		"<Location /denied>",
		"  Require all denied",
		"</Location>",
	}, Files: map[string][]byte{"s.html": []byte("<p>static</p>\n")}})

	const absent = "<absent>"
	tests := []struct {
		path   string
		status int
		want   map[string]string // header: value ("<absent>")
	}{
		{"/app/html", 200, map[string]string{"X-Always": "yes", "X-Own": "front", "X-On-Success": "yes",
			"X-Backend-Saw": "fromfront", "Cache-Control": "max-age=3600, private", "Expires": "*"}},
		{"/app/css", 200, map[string]string{"X-Loc": "css", "Cache-Control": "max-age=10800, private", "Expires": "*"}},
		{"/app/404", 404, map[string]string{"X-Always": "yes", "X-On-Success": "yes", "Cache-Control": "private", "Expires": absent}},
		{"/app/redir", 302, map[string]string{"X-Always": "yes", "X-On-Success": "yes", "Cache-Control": "max-age=3600, private", "Expires": "*"}},
		{"/app/cc", 200, map[string]string{"Cache-Control": "public, max-age=3600, private", "X-Own": "front, backend"}},
		{"/app/exp", 200, map[string]string{"Expires": "Thu, 01 Jan 2037 00:00:00 GMT", "Cache-Control": "private"}},
		{"/down/x", 503, map[string]string{"X-Always": "yes", "X-On-Success": absent, "Expires": absent}},
		{"/old", 301, map[string]string{"X-Always": "yes", "X-On-Success": absent, "Cache-Control": "max-age=3600", "Expires": "*"}},
		{"/pd", 302, map[string]string{"X-Always": "yes", "X-Dir-Always": "yes", "X-On-Success": absent, "Cache-Control": "max-age=3600"}},
		{"/locredir", 302, map[string]string{"X-Always": "yes", "X-Loc-Always": "yes", "X-On-Success": absent, "Cache-Control": "max-age=3600"}},
		// An ErrorDocument page: its request's phases, once, no Expires
		// (the request has the error's status).
		{"/gone", 410, map[string]string{"X-Always": "yes", "X-On-Success": "yes", "Cache-Control": "private", "Expires": absent}},
		{"/pdgone", 410, map[string]string{"X-Always": "yes", "X-Dir-Always": "yes", "X-On-Success": "yes", "Cache-Control": "private", "Expires": absent}},
		{"/denied", 403, map[string]string{"X-Always": "yes", "X-Dir-Always": "yes", "X-On-Success": "yes", "Cache-Control": "private", "Expires": absent}},
		{"/s.html", 200, map[string]string{"X-Always": "yes", "X-On-Success": "yes", "X-Dir-Always": "yes", "Cache-Control": "max-age=3600, private"}},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("GET", s.URL(tt.path), nil)
		req.Host = "www.bench"
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", tt.path, err)
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck // only the headers matter
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("GET %s: %d, want %d", tt.path, resp.StatusCode, tt.status)
		}
		for k, want := range tt.want {
			vals := resp.Header.Values(k)
			got := strings.Join(vals, ", ")
			switch {
			case want == absent && len(vals) > 0:
				t.Errorf("GET %s: %s: %q, want none", tt.path, k, got)
			case want == "*" && len(vals) == 0:
				t.Errorf("GET %s: no %s", tt.path, k)
			case want != absent && want != "*" && got != want:
				t.Errorf("GET %s: %s: %q, want %q", tt.path, k, got, want)
			}
		}
	}
}

// TestProxiedCompression: AddOutputFilterByType DEFLATE compresses a
// proxied text/html body (sized: coded at once, with Content-Length;
// unsized: coded while streamed, chunked), and leaves alone what Apache
// 2.4 leaves alone (compared on this machine): a client that does not
// accept gzip (Vary still added), q=0, no-gzip from SetEnvIfNoCase, a
// body of 68 bytes or less, an already encoded body, the backend's own
// 206, a HEAD, and a type not listed.
func TestProxiedCompression(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("<p>hello compressible world</p>\n", 3200)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		switch r.URL.Path {
		case "/sized":
			w.Header().Set("Content-Length", fmt.Sprint(len(big)))
			io.WriteString(w, big) //nolint:errcheck // test backend
		case "/streamed":
			for i := 0; i < 100; i++ {
				io.WriteString(w, big[:1024]) //nolint:errcheck // test backend
				w.(http.Flusher).Flush()
			}
		case "/tiny":
			io.WriteString(w, strings.Repeat("x", 68)) //nolint:errcheck // test backend
		case "/coded":
			w.Header().Set("Content-Encoding", "br")
			io.WriteString(w, big) //nolint:errcheck // test backend
		case "/partial":
			w.Header().Set("Content-Range", fmt.Sprintf("bytes 0-999/%d", len(big)))
			w.WriteHeader(206)
			io.WriteString(w, big[:1000]) //nolint:errcheck // test backend
		case "/plain":
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, big) //nolint:errcheck // test backend
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Close below
	t.Cleanup(func() { srv.Close() })

	s := mpmtest.Start(t, mpmtest.Options{MPM: "event", Directives: []string{
		"ProxyPass /app/ http://" + ln.Addr().String() + "/",
		"AddOutputFilterByType DEFLATE text/html",
		"SetEnvIfNoCase User-Agent nogz no-gzip",
	}})
	tests := []struct {
		path, method, accept, agent string
		status                      int
		coded, vary, length         bool // gzip, Vary: Accept-Encoding, a Content-Length
		want                        string
	}{
		{"/app/sized", "GET", "gzip", "", 200, true, true, true, big},
		{"/app/streamed", "GET", "gzip, br", "", 200, true, true, false, strings.Repeat(big[:1024], 100)},
		{"/app/sized", "GET", "", "", 200, false, true, true, big},
		{"/app/sized", "GET", "gzip;q=0", "", 200, false, true, true, big},
		{"/app/sized", "GET", "gzip", "nogz/1", 200, false, false, true, big},
		{"/app/tiny", "GET", "gzip", "", 200, false, false, true, strings.Repeat("x", 68)},
		{"/app/coded", "GET", "gzip", "", 200, false, false, false, big},
		{"/app/partial", "GET", "gzip", "", 206, false, false, true, big[:1000]},
		{"/app/plain", "GET", "gzip", "", 200, false, false, false, big},
		{"/app/sized", "HEAD", "gzip", "", 200, false, false, true, ""},
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	for _, tt := range tests {
		name := fmt.Sprintf("%s %s accept=%q agent=%q", tt.method, tt.path, tt.accept, tt.agent)
		req, _ := http.NewRequest(tt.method, s.URL(tt.path), nil)
		if tt.accept != "" {
			req.Header.Set("Accept-Encoding", tt.accept)
		}
		if tt.agent != "" {
			req.Header.Set("User-Agent", tt.agent)
		}
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%s: reading the body: %v", name, err)
		}
		body := string(raw)
		coded := resp.Header.Get("Content-Encoding") == "gzip"
		if coded {
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("%s: gunzip: %v", name, err)
			}
			body = string(plain)
			if len(raw) >= len(body)/4 {
				t.Errorf("%s: %d coded bytes for %d", name, len(raw), len(body))
			}
		}
		vary := strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding")
		length := resp.ContentLength >= 0
		if resp.StatusCode != tt.status || coded != tt.coded || vary != tt.vary || length != tt.length || body != tt.want {
			t.Errorf("%s: %d gzip=%v vary=%v length=%v (%d) body %d bytes equal=%v; want %d gzip=%v vary=%v length=%v",
				name, resp.StatusCode, coded, vary, length, resp.ContentLength, len(body), body == tt.want, tt.status, tt.coded, tt.vary, tt.length)
		}
	}
}
