package proxy

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
)

// echo answers with the request line and headers it got, one per line,
// and sets hop-by-hop response headers that must not reach the client.
func echo(w http.ResponseWriter, r *http.Request) {
	var lines []string
	lines = append(lines, r.Method+" "+r.RequestURI+" "+r.Proto, "Host: "+r.Host)
	for k, vs := range r.Header {
		for _, v := range vs {
			lines = append(lines, k+": "+v)
		}
	}
	sort.Strings(lines[2:])
	h := w.Header()
	h.Set("Connection", "X-Hop")
	h.Set("X-Hop", "1")
	h.Set("Keep-Alive", "timeout=5")
	h.Set("Proxy-Authenticate", "Basic")
	h.Set("Upgrade", "h2c")
	h.Set("X-Kept", "yes")
	body := strings.Join(lines, "\n") + "\n"
	body += strings.Repeat(".", 1024-len(body)%1024) // 1 KB multiple
	_, _ = io.WriteString(w, body)
}

func TestPlainPass(t *testing.T) {
	be := backend(t, echo)
	srv, _ := build(t, []string{"ProxyPass", "/app/", "http://" + be + "/b/"})
	f := newFront(t, srv, nil, Options{})

	head, body := rawGet(t, f.addr, "GET /app/x%20y?a=b HTTP/1.1\r\nHost: front.example:8080\r\n"+
		"Connection: close, X-Drop\r\nX-Drop: 1\r\nTE: trailers\r\nKeep-Alive: 5\r\n"+
		"Proxy-Authorization: Basic x\r\nX-Forwarded-For: 10.0.0.1\r\nTrailer: X\r\nUpgrade: foo\r\n"+
		"Cookie: a=1; b=2\r\nUser-Agent: t\r\n\r\n")
	if !strings.HasPrefix(head, "HTTP/1.1 200 OK") {
		t.Fatalf("head %q", head)
	}
	if len(body) != 1024 {
		t.Errorf("body %d bytes, want 1024", len(body))
	}
	seen := body[:strings.Index(body, "\n.")]
	// What Apache 2.4.71 sends its backend for the same request (see
	// apache_test.go), except Proxy-Authorization (Apache forwards it when
	// it did not authenticate the request; gohttpd always strips it) and
	// Connection (fasthttp's client says nothing: HTTP/1.1 keep-alive).
	want := []string{
		"GET /b/x%20y?a=b HTTP/1.1",
		"Host: " + be,
		"Cookie: a=1; b=2",
		"User-Agent: t",
		"X-Forwarded-For: 10.0.0.1, 127.0.0.1",
		"X-Forwarded-Host: front.example:8080",
		"X-Forwarded-Server: front.example",
	}
	if got := strings.Split(strings.TrimSpace(seen), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("backend saw\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, h := range []string{"X-Hop", "Keep-Alive", "Proxy-Authenticate", "Upgrade", "Transfer-Encoding"} {
		if strings.Contains(strings.ToLower(head), "\n"+strings.ToLower(h)+":") {
			t.Errorf("response has hop-by-hop %s:\n%s", h, head)
		}
	}
	if !strings.Contains(head, "X-Kept: yes") || !strings.Contains(head, "Content-Length: 1024") {
		t.Errorf("response head\n%s", head)
	}
}

func TestPreserveHostAndAddHeadersOff(t *testing.T) {
	be := backend(t, echo)
	srv, _ := build(t,
		[]string{"ProxyPass", "/app/", "http://" + be + "/"},
		[]string{"ProxyPreserveHost", "On"},
		[]string{"ProxyAddHeaders", "Off"},
	)
	f := newFront(t, srv, nil, Options{})
	_, body := rawGet(t, f.addr, "GET /app/ HTTP/1.1\r\nHost: front.example\r\nX-Forwarded-For: 10.0.0.1\r\nConnection: close\r\n\r\n")
	if !strings.Contains(body, "Host: front.example\n") {
		t.Errorf("ProxyPreserveHost On: %s", body)
	}
	if !strings.Contains(body, "X-Forwarded-For: 10.0.0.1\n") || strings.Contains(body, "X-Forwarded-Server") || strings.Contains(body, "X-Forwarded-Host") {
		t.Errorf("ProxyAddHeaders Off: %s", body)
	}
}

func TestInjectionNeverChangesBackend(t *testing.T) {
	be := backend(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s|%s", r.Host, r.RequestURI)
	})
	srv, _ := build(t,
		[]string{"ProxyPass", "/app/", "http://" + be + "/b/"},
		[]string{"ProxyPass", "/raw", "http://" + be},
	)
	f := newFront(t, srv, nil, Options{})
	tests := []struct{ target, want string }{
		{"/app//evil.com/x", "/b/evil.com/x"},
		{"/app/@evil.com", "/b/@evil.com"},
		{"/app/a%2Fb", "/b/a/b"}, // fasthttp decodes %2F (Apache: 404, see doc.go)
		{"/app/..%2F..%2Fetc", ""},
		{"/app/x/../../etc", ""},
		{"/app/%0d%0aHost:%20evil.com", "/b/%0D%0AHost:%20evil.com"},
		{"/raw//evil.com", "/evil.com"},
		{"/raw@evil.com", ""}, // segment boundary: not matched
		{"http://evil.com/app/x", "/b/x"},
		{"/app/http://evil.com/", "/b/http:/evil.com/"},
	}
	for _, tt := range tests {
		head, body := rawGet(t, f.addr, "GET "+tt.target+" HTTP/1.1\r\nHost: front\r\nConnection: close\r\n\r\n")
		if tt.want == "" {
			if !strings.HasPrefix(head, "HTTP/1.1 404") {
				t.Errorf("%s: %q", tt.target, head)
			}
			continue
		}
		if body != be+"|"+tt.want {
			t.Errorf("%s: backend got %q, want %q", tt.target, body, be+"|"+tt.want)
		}
	}
}

func TestReverseHeaders(t *testing.T) {
	var be string
	be = backend(t, func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Location", "http://"+be+"/b/next?q=1")
		h.Set("Content-Location", "/b/cl")
		h.Set("URI", "http://"+be+"/b/u")
		h.Add("Set-Cookie", "s=1; Path=/b/sub; Domain=backend.internal")
		h.Add("Set-Cookie", "t=2; path=/other")
		w.WriteHeader(http.StatusFound)
	})
	srv, _ := build(t,
		[]string{"ProxyPass", "/app/", "http://" + be + "/b/"},
		[]string{"ProxyPassReverse", "/app/", "http://" + be + "/b/"},
		[]string{"ProxyPassReverse", "/local/", "/b/"},
		[]string{"ProxyPassReverseCookieDomain", "backend.internal", "front.example"},
		[]string{"ProxyPassReverseCookiePath", "/b/", "/app/"},
	)
	f := newFront(t, srv, nil, Options{})
	head, _ := rawGet(t, f.addr, "GET /app/redir HTTP/1.1\r\nHost: 127.0.0.1:18080\r\nConnection: close\r\n\r\n")
	// Apache 2.4.71, same configuration: Location: http://127.0.0.1:18080/app/next?q=1,
	// Set-Cookie: s=1; Path=/app/; Domain=front.example, t=2; path=/other.
	// Content-Location "/b/cl" only changes through the path-only line.
	for _, want := range []string{
		"Location: http://127.0.0.1:18080/app/next?q=1",
		"Content-Location: http://127.0.0.1:18080/local/cl",
		"Uri: http://127.0.0.1:18080/app/u", // net/http writes URI as Uri
		"Set-Cookie: s=1; Path=/app/; Domain=front.example",
		"Set-Cookie: t=2; path=/other",
	} {
		if !strings.Contains(head, "\r\n"+want+"\r\n") {
			t.Errorf("want %q in\n%s", want, head)
		}
	}
}

func TestBackendDown(t *testing.T) {
	dead := deadAddr(t)
	srv, _ := build(t, []string{"ProxyPass", "/down/", "http://" + dead + "/", "retry=5"})
	f := newFront(t, srv, nil, Options{})
	_, port, _ := net.SplitHostPort(dead)
	for i := range 2 {
		resp, err := httpClient.Get(f.url + "/down/x")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 503 {
			t.Fatalf("status %d, want 503", resp.StatusCode)
		}
		// Apache 2.4.71 logs these two lines for every request: a direct
		// ProxyPass worker "ignores errors" and is never disabled.
		want := "[proxy:error] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:" + port + " (127.0.0.1:" + port + ") failed\n" +
			"[proxy_http:error] AH01114: HTTP: failed to make connection to backend: 127.0.0.1\n"
		if got := f.logText(); got != want {
			t.Fatalf("request %d: log\n%s\nwant\n%s", i, got, want)
		}
		f.resetLogs()
	}
}

func TestSlowBackend(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	slow := rawBackend(t, func(c net.Conn, _ string) {
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
	})
	_, port, _ := net.SplitHostPort(slow)
	for _, status := range []int{0, 504} {
		srv, _ := build(t, []string{"ProxyPass", "/slow/", "http://" + slow + "/", "timeout=1"})
		f := newFront(t, srv, nil, Options{TimeoutStatus: status})
		start := time.Now()
		resp, err := httpClient.Get(f.url + "/slow/x")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		took := time.Since(start)
		want := status
		if want == 0 {
			want = 502 // Apache 2.4.71: "502 Proxy Error" after ProxyTimeout
		}
		if resp.StatusCode != want || took < time.Second || took > 4*time.Second {
			t.Fatalf("status %d after %v, want %d after 1s", resp.StatusCode, took, want)
		}
		wantLog := "[proxy_http:error] (70007)The timeout specified has expired: AH01102: error reading status line from remote server 127.0.0.1:" + port + "\n" +
			"[proxy:error] AH00898: Error reading from remote server returned by /slow/x\n"
		if got := f.logText(); got != wantLog {
			t.Errorf("log\n%s\nwant\n%s", got, wantLog)
		}
	}
}

func TestBadBackendResponses(t *testing.T) {
	tests := []struct {
		name  string
		reply string
	}{
		{"garbage", "this is not http\r\n\r\n"},
		{"bad status", "HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nhi"},
		{"closed", ""},
		{"bad header", "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"},
	}
	for _, tt := range tests {
		be := rawBackend(t, func(c net.Conn, _ string) { _, _ = io.WriteString(c, tt.reply) })
		srv, _ := build(t, []string{"ProxyPass", "/", "http://" + be + "/"})
		f := newFront(t, srv, nil, Options{})
		head, body := rawGet(t, f.addr, "GET /x HTTP/1.1\r\nHost: front\r\nConnection: close\r\n\r\n")
		if !strings.HasPrefix(head, "HTTP/1.1 502 Proxy Error") || body != "proxy: Error reading from remote server" {
			t.Errorf("%s: %q %q", tt.name, head, body)
		}
		if l := f.logText(); !strings.Contains(l, "AH01102: error reading status line from remote server") ||
			!strings.Contains(l, "AH00898: Error reading from remote server returned by /x") {
			t.Errorf("%s: log %s", tt.name, l)
		}
	}
}

func TestLocationProxyPass(t *testing.T) {
	be := backend(t, echo)
	srv, b := build(t,
		[]string{"@/loc/", "ProxyPass", "http://" + be + "/b/loc/"},
		[]string{"@/loc/", "ProxyPreserveHost", "On"},
	)
	dirs := func(path string) *conf.ProxyDir {
		if strings.HasPrefix(path, "/loc/") {
			return b.Dir("/loc/")
		}
		return nil
	}
	f := newFront(t, srv, dirs, Options{})
	_, body := rawGet(t, f.addr, "GET /loc/z HTTP/1.1\r\nHost: front\r\nConnection: close\r\n\r\n")
	if !strings.HasPrefix(body, "GET /b/loc/z HTTP/1.1\nHost: front\n") {
		t.Fatalf("%q", body)
	}
}

// A backend that closes every connection after its answer (its keep-alive
// timeout expiring between requests): the pooled connection is replaced,
// even for a streamed upload that fasthttp could not retry, and a request
// without a body is retried on a new one.
func TestStalePooledConnection(t *testing.T) {
	be := rawBackend(t, func(c net.Conn, head string) {
		n := 0
		if i := strings.Index(strings.ToLower(head), "content-length: "); i >= 0 {
			fmt.Sscanf(head[i+16:], "%d", &n)
		}
		body := strings.SplitN(head, "\r\n\r\n", 2)[1]
		rest := make([]byte, n-len(body))
		_, _ = io.ReadFull(c, rest)
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		time.Sleep(20 * time.Millisecond) // then close, no Connection: close
	})
	srv, _ := build(t, []string{"ProxyPass", "/", "http://" + be + "/"})
	f := newFront(t, srv, nil, Options{})
	for i := range 6 {
		time.Sleep(50 * time.Millisecond) // the backend has closed by now
		var resp *http.Response
		var err error
		if i%2 == 0 {
			resp, err = httpClient.Post(f.url+"/x", "text/plain", strings.NewReader(strings.Repeat("u", 100000)))
		} else {
			// no body: no liveness check, the HostClient retries
			resp, err = httpClient.Get(f.url + "/x")
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "ok" {
			t.Fatalf("request %d: %d %q\n%s", i, resp.StatusCode, b, f.logText())
		}
	}
}

// Children get the configuration as JSON: a snapshot that went through
// encoding/json serves the same.
func TestServeFromJSONSnapshot(t *testing.T) {
	be := backend(t, echo)
	srv, b := build(t,
		[]string{"ProxyPass", "/app/static", "!"},
		[]string{"ProxyPass", "/app/", "http://" + be + "/b/", "timeout=5", "max=4"},
		[]string{"ProxyPass", "/lb/", "balancer://pool/", "lbmethod=bybusyness"},
		[]string{"BalancerMember", "balancer://pool", "http://" + be + "/m", "loadfactor=3"},
		[]string{"@/loc/", "ProxyPass", "http://" + be + "/l/"},
		[]string{"ProxyPassReverse", "/app/", "http://" + be + "/b/"},
	)
	data, err := json.Marshal(struct {
		Srv *conf.ProxyServer
		Loc *conf.ProxyDir
	}{srv, b.Dir("/loc/")})
	if err != nil {
		t.Fatal(err)
	}
	var snap struct {
		Srv *conf.ProxyServer
		Loc *conf.ProxyDir
	}
	if err := json.Unmarshal(data, &snap); err != nil {
		t.Fatal(err)
	}
	f := newFront(t, snap.Srv, func(p string) *conf.ProxyDir {
		if strings.HasPrefix(p, "/loc/") {
			return snap.Loc
		}
		return nil
	}, Options{})
	for target, want := range map[string]string{
		"/app/x":        "GET /b/x HTTP/1.1",
		"/lb/y":         "GET /m/y HTTP/1.1",
		"/loc/z":        "GET /l/z HTTP/1.1",
		"/app/static/s": "",
	} {
		head, body := rawGet(t, f.addr, "GET "+target+" HTTP/1.1\r\nHost: f\r\nConnection: close\r\n\r\n")
		if want == "" {
			if !strings.HasPrefix(head, "HTTP/1.1 404") {
				t.Errorf("%s: %q", target, head)
			}
			continue
		}
		if !strings.HasPrefix(body, want+"\n") {
			t.Errorf("%s: %q", target, body)
		}
	}
}
