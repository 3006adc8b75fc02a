package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// proxyBackend is a Go HTTP server on loopback that the proxy tests put
// behind gohttpd.
type proxyBackend struct {
	addr string
	srv  *http.Server
	// gates of the streaming checks: the backend got the first part of an
	// upload / the client got the first part of a download.
	upFirst, downFirst chan struct{}
}

const streamSize = 64 << 20

// streamByte is the deterministic content of streamed bodies.
func streamChunk(i int) []byte {
	b := bytes.Repeat([]byte{byte('a' + i%26)}, 1<<20)
	return b
}

func startProxyBackend(t *testing.T) *proxyBackend {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &proxyBackend{addr: ln.Addr().String(), upFirst: make(chan struct{}), downFirst: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("/b/redir", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "http://"+b.addr+"/b/other?x=1")
		w.WriteHeader(http.StatusFound)
	})
	mux.HandleFunc("/b/cookie", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "s=1; Domain=backend.example; Path=/b/")
	})
	mux.HandleFunc("/b/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	mux.HandleFunc("/b/upload", func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		if _, err := io.CopyN(h, r.Body, 1<<20); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		close(b.upFirst) // the first MiB arrived before the client sent the rest
		n, err := io.Copy(h, r.Body)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprintf(w, "%d %s", n+1<<20, hex.EncodeToString(h.Sum(nil)))
	})
	mux.HandleFunc("/b/download", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		for i := 0; i < streamSize>>20; i++ {
			if _, err := w.Write(streamChunk(i)); err != nil {
				return
			}
			if i == 0 {
				w.(http.Flusher).Flush()
				select { // the rest only once the client read the first MiB
				case <-b.downFirst:
				case <-time.After(20 * time.Second):
					return
				}
			}
		}
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		var keys []string
		for k := range r.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(w, "%s %s host=%s\n", r.Method, r.RequestURI, r.Host)
		for _, k := range keys {
			fmt.Fprintf(w, "%s: %s\n", k, strings.Join(r.Header[k], ", "))
		}
	})
	b.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go b.srv.Serve(ln) //nolint:errcheck // ends with Close below
	t.Cleanup(func() { b.srv.Close() })
	return b
}

// deadAddr is a loopback address nobody listens on.
func deadAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := ln.Addr().String()
	ln.Close()
	return a
}

// TestReverseProxyThroughBinary: ProxyPass (server level, "!" exclusion,
// a <Location>'s one-argument form), ProxyPassReverse, ProxyPreserveHost,
// ProxyAddHeaders and ProxyTimeout, on every engine, against a Go
// backend. The answers are Apache 2.4.71's with mod_proxy_http on the
// same configuration (compared on this machine): X-Forwarded-For appends
// the peer, X-Forwarded-Host is the client's Host, the redirect's
// Location is mapped back, a refused connection is 503 (AH00957 +
// AH01114), a backend slower than ProxyTimeout is "502 Proxy Error"
// (AH01102 + AH00898, "Error reading from remote server").
func TestReverseProxyThroughBinary(t *testing.T) {
	for _, mpmName := range []string{"event", "prefork", "worker"} {
		t.Run(mpmName, func(t *testing.T) { testReverseProxy(t, mpmName) })
	}
}

func testReverseProxy(t *testing.T, mpmName string) {
	be := startProxyBackend(t)
	dead := deadAddr(t)
	s := mpmtest.Start(t, mpmtest.Options{MPM: mpmName, Directives: []string{
		"ServerName www.example.org",
		"ProxyRequests Off",
		"ProxyTimeout 1",
		"LimitRequestBody 100000",
		"ProxyPass /app/static !",
		"ProxyPass /app/ http://" + be.addr + "/b/",
		"ProxyPassReverse /app/ http://" + be.addr + "/b/",
		"ProxyPassReverseCookieDomain backend.example www.example.org",
		"ProxyPassReverseCookiePath /b/ /app/",
		"ProxyPass /down/ http://" + dead + "/",
		"<Location /loc/>",
		"    ProxyPass http://" + be.addr + "/b/",
		"    ProxyPreserveHost On",
		"    ProxyAddHeaders Off",
		"</Location>",
		"<Location /private/>",
		"    ProxyPass http://" + be.addr + "/b/",
		"    Require ip 10.0.0.0/8",
		"</Location>",
	}})
	mkfiles(t, filepath.Join(s.Dir, "htdocs"), map[string]string{"app/static/logo.txt": "local file\n"})

	get := func(path string, hdr map[string]string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", s.URL(path), nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}

	_, body := get("/app/x?q=1", map[string]string{"X-Forwarded-For": "1.2.3.4", "Connection": "keep-alive, X-Foo", "X-Foo": "bar"})
	for _, want := range []string{
		"GET /b/x?q=1 host=" + be.addr + "\n",
		"X-Forwarded-For: 1.2.3.4, 127.0.0.1\n",
		"X-Forwarded-Host: " + s.Addr + "\n",
		"X-Forwarded-Server: www.example.org\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/app/x: backend saw\n%s\nwant a line %q", body, want)
		}
	}
	if strings.Contains(body, "X-Foo") {
		t.Errorf("/app/x: a header the Connection header lists reached the backend:\n%s", body)
	}

	_, body = get("/loc/z", nil)
	if !strings.Contains(body, "GET /b/z host="+s.Addr+"\n") || strings.Contains(body, "X-Forwarded") {
		t.Errorf("/loc/z (ProxyPreserveHost On, ProxyAddHeaders Off): backend saw\n%s", body)
	}

	resp, _ := get("/app/redir", nil)
	if loc := resp.Header.Get("Location"); resp.StatusCode != 302 || loc != "http://"+s.Addr+"/app/other?x=1" {
		t.Errorf("/app/redir: %d Location %q, want 302 http://%s/app/other?x=1", resp.StatusCode, loc, s.Addr)
	}

	resp, _ = get("/app/cookie", nil)
	if c := resp.Header.Get("Set-Cookie"); c != "s=1; Domain=www.example.org; Path=/app/" {
		t.Errorf("/app/cookie: Set-Cookie %q, want s=1; Domain=www.example.org; Path=/app/", c)
	}

	resp, body = get("/app/static/logo.txt", nil)
	if resp.StatusCode != 200 || body != "local file\n" {
		t.Errorf("/app/static/logo.txt (ProxyPass !): %d %q", resp.StatusCode, body)
	}

	// LimitRequestBody: a static file's 413 stays (the server streams
	// bodies now); a proxied body is not limited, as Apache 2.4.71 does
	// (the 64 MiB upload below).
	if resp, err := http.Post(s.URL("/app/static/logo.txt"), "application/octet-stream", bytes.NewReader(make([]byte, 200000))); err != nil || resp.StatusCode != 413 {
		t.Errorf("POST of 200000 bytes to a static file under LimitRequestBody 100000: %v %v, want 413", resp, err)
	} else {
		resp.Body.Close()
	}
	// The same body chunked (no Content-Length): 413 as Apache.
	if resp, err := http.Post(s.URL("/app/static/logo.txt"), "application/octet-stream", io.MultiReader(bytes.NewReader(make([]byte, 200000)))); err != nil || resp.StatusCode != 413 {
		t.Errorf("chunked POST of 200000 bytes to a static file under LimitRequestBody 100000: %v %v, want 413", resp, err)
	} else {
		resp.Body.Close()
	}

	resp, _ = get("/private/x", nil)
	if resp.StatusCode != 403 {
		t.Errorf("/private/x (Require ip 10.0.0.0/8 in the Location): %d, want 403", resp.StatusCode)
	}

	resp, body = get("/down/y", nil)
	if resp.StatusCode != 503 || !strings.Contains(body, "<title>503 Service Unavailable</title>") {
		t.Errorf("/down/y: %d\n%s", resp.StatusCode, body)
	}

	start := time.Now()
	resp, body = get("/app/slow", nil)
	if resp.StatusCode != 502 || resp.Status != "502 Proxy Error" ||
		!strings.Contains(body, "<p>Reason: <strong>Error reading from remote server</strong></p>") {
		t.Errorf("/app/slow: %q\n%s", resp.Status, body)
	}
	if d := time.Since(start); d < 900*time.Millisecond || d > 5*time.Second {
		t.Errorf("/app/slow answered after %v, want ProxyTimeout 1s", d)
	}

	mpmtest.WaitFor(t, 5*time.Second, "the proxy's error log lines", func() bool {
		l := s.ErrorLog()
		return strings.Contains(l, "[proxy:error]") && strings.Contains(l, "(111)Connection refused: AH00957: http: attempt to connect to "+dead) &&
			strings.Contains(l, "AH01114: HTTP: failed to make connection to backend: 127.0.0.1") &&
			strings.Contains(l, "(70007)The timeout specified has expired: AH01102: error reading status line from remote server") &&
			strings.Contains(l, "AH00898: Error reading from remote server returned by /app/slow")
	})

	testProxyStreaming(t, s, be)
}

// testProxyStreaming sends 64 MiB up and down through the proxy; each
// direction proves it is streamed: the backend sees the first MiB of the
// upload before the client sends the rest, and the client reads the first
// MiB of the download before the backend writes the rest.
func testProxyStreaming(t *testing.T, s *mpmtest.Server, be *proxyBackend) {
	pr, pw := io.Pipe()
	want := sha256.New()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer pw.Close()
		for i := 0; i < streamSize>>20; i++ {
			c := streamChunk(i)
			want.Write(c)
			if _, err := pw.Write(c); err != nil {
				return
			}
			if i == 0 {
				select {
				case <-be.upFirst:
				case <-time.After(20 * time.Second):
					pw.CloseWithError(fmt.Errorf("the backend never got the first MiB: the upload is buffered"))
					return
				}
			}
		}
	}()
	req, _ := http.NewRequest("POST", s.URL("/app/upload"), pr)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wg.Wait()
	if w := fmt.Sprintf("%d %s", streamSize, hex.EncodeToString(want.Sum(nil))); string(got) != w {
		t.Errorf("upload: backend answered %q, want %q", got, w)
	}

	resp, err = http.Get(s.URL("/app/download"))
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	defer resp.Body.Close()
	first := make([]byte, 1<<20)
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatalf("download: first MiB: %v", err)
	}
	close(be.downFirst)
	h := sha256.New()
	h.Write(first)
	n, err := io.Copy(h, resp.Body)
	if err != nil || n+1<<20 != streamSize {
		t.Fatalf("download: %d bytes, %v", n+1<<20, err)
	}
	w := sha256.New()
	for i := 0; i < streamSize>>20; i++ {
		w.Write(streamChunk(i))
	}
	if !bytes.Equal(h.Sum(nil), w.Sum(nil)) {
		t.Error("download: body differs")
	}
}

// noRedirect is a client that returns redirects as they are.
var noRedirect = &http.Client{
	Timeout:       20 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// namedBackend answers every request with its name.
func namedBackend(t *testing.T, name string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, name) //nolint:errcheck
	}), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Close below
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestBalancerThroughBinary: <Proxy balancer://> with BalancerMember
// lines spreads requests over its members (lbmethod byrequests) and
// fails over from a member that refuses connections, disabling it for
// its retry time (AH00959), as mod_proxy_balancer does.
func TestBalancerThroughBinary(t *testing.T) {
	a, b, dead := namedBackend(t, "A"), namedBackend(t, "B"), deadAddr(t)
	s := mpmtest.Start(t, mpmtest.Options{MPM: "event", Directives: []string{
		"<Proxy balancer://pool>",
		"    BalancerMember http://" + a,
		"    BalancerMember http://" + dead,
		"    BalancerMember http://" + b,
		"    ProxySet lbmethod=byrequests",
		"</Proxy>",
		"ProxyPass /pool/ balancer://pool/",
	}})
	seen := map[string]int{}
	for range 12 {
		code, body, err := s.Get("/pool/x")
		if err != nil || code != 200 {
			t.Fatalf("/pool/x: %d %v", code, err)
		}
		seen[string(body)]++
	}
	if seen["A"] == 0 || seen["B"] == 0 || len(seen) != 2 {
		t.Errorf("members served %v, want A and B", seen)
	}
	mpmtest.WaitFor(t, 5*time.Second, "AH00959 for the dead member", func() bool {
		return strings.Contains(s.ErrorLog(), "AH00959")
	})
}

// A <VirtualHost> uses the main server's balancers; its own definition
// of a name the main server defines too keeps the main server's members
// (mod_proxy's merge_balancers; Apache 2.4.71 answers A for both, observed).
func TestBalancerInVHostThroughBinary(t *testing.T) {
	a, b := namedBackend(t, "A"), namedBackend(t, "B")
	s := mpmtest.Start(t, mpmtest.Options{MPM: "event", Directives: []string{
		"<Proxy balancer://pool>",
		"    BalancerMember http://" + a,
		"</Proxy>",
		"<Proxy balancer://both>",
		"    BalancerMember http://" + a,
		"</Proxy>",
		"<VirtualHost *>",
		"    ServerName v.example",
		"    ProxyPass /pool/ balancer://pool/",
		"    <Proxy balancer://both>",
		"        BalancerMember http://" + b,
		"    </Proxy>",
		"    ProxyPass /both/ balancer://both/",
		"    <Proxy balancer://own>",
		"        BalancerMember http://" + b,
		"    </Proxy>",
		"    ProxyPass /own/ balancer://own/",
		"</VirtualHost>",
	}})
	for path, want := range map[string]string{"/pool/x": "A", "/both/x": "A", "/own/x": "B"} {
		code, body := rawGet(t, s.Addr, "GET "+path+" HTTP/1.1\r\nHost: v.example\r\n")
		if code != 200 || body != want {
			t.Errorf("%s: %d %q, want 200 %q", path, code, body, want)
		}
	}
}
