package h2bridge

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/net/http2"
)

// testServer is a minimal engine: it accepts on a loopback listener and
// dispatches each connection as an engine should (ALPN for TLS, preface
// sniffing and h2c Upgrade for cleartext, fasthttp for HTTP/1.1).
type testServer struct {
	ln     net.Listener
	b      *Bridge
	tlsCfg *tls.Config
	h1     *fasthttp.Server
	wg     sync.WaitGroup
}

func startServer(t testing.TB, opts Options, h fasthttp.RequestHandler, useTLS bool) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{ln: ln, b: New(opts, h), h1: &fasthttp.Server{Handler: h}}
	if useTLS {
		s.tlsCfg = &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}, NextProtos: []string{"h2", "http/1.1"}}
	}
	s.wg.Add(1)
	go s.acceptLoop()
	t.Cleanup(func() {
		ln.Close()
		s.b.Close()
		s.wg.Wait()
	})
	return s
}

func (s *testServer) addr() string { return s.ln.Addr().String() }

func (s *testServer) acceptLoop() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serve(c)
		}()
	}
}

func (s *testServer) serve(c net.Conn) {
	if s.tlsCfg != nil {
		tc := tls.Server(c, s.tlsCfg)
		if err := tc.Handshake(); err != nil {
			c.Close()
			return
		}
		if tc.ConnectionState().NegotiatedProtocol == http2.NextProtoTLS {
			_ = s.b.ServeConn(tc)
			return
		}
		_ = s.h1.ServeConn(tc)
		return
	}
	rc, h2, err := Sniff(c)
	if err != nil {
		c.Close()
		return
	}
	if h2 {
		_ = s.b.ServeConn(rc)
		return
	}
	// HTTP/1.1: read the first request to look for an h2c Upgrade (the real
	// engines do this inside their HTTP/1.1 loop).
	br := bufio.NewReader(rc)
	var req fasthttp.Request
	if err := req.Read(br); err != nil {
		c.Close()
		return
	}
	if IsH2CUpgrade(&req) {
		_ = s.b.ServeUpgrade(rc, &req, br)
		return
	}
	var ctx fasthttp.RequestCtx
	ctx.Init(&req, c.RemoteAddr(), nil)
	s.h1.Handler(&ctx)
	bw := bufio.NewWriter(c)
	_ = ctx.Response.Write(bw)
	_ = bw.Flush()
	c.Close()
}

func selfSigned(t testing.TB) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

var bigBody = bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB

// testHandler is the site stand-in.
func testHandler(file string) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		switch string(ctx.Path()) {
		case "/status":
			ctx.SetStatusCode(201)
			ctx.Response.Header.Set("X-Test", "yes")
			ctx.Response.Header.Set("Connection", "close")
			ctx.Response.Header.Set("Keep-Alive", "timeout=5")
			ctx.Response.Header.Set("Upgrade", "h2c")
			ctx.SetContentType("text/plain")
			ctx.SetBodyString("created\n")
		case "/big":
			ctx.SetBody(bigBody)
		case "/stream":
			ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
				for i := range 10 {
					fmt.Fprintf(w, "chunk %d\n", i)
					_ = w.Flush()
				}
			})
		case "/file":
			ctx.SendFile(file)
		case "/echo":
			if cl := ctx.Request.Header.ContentLength(); cl != len(ctx.PostBody()) {
				ctx.Error(fmt.Sprintf("content-length %d, body %d", cl, len(ctx.PostBody())), 500)
				return
			}
			fmt.Fprintf(ctx, "%s %d %s", ctx.Method(), len(ctx.PostBody()), ctx.PostBody())
		case "/addr":
			fmt.Fprintf(ctx, "remote=%s local=%s tls=%v proto=%s host=%s ua=%s",
				ctx.RemoteAddr(), ctx.LocalAddr(), ctx.IsTLS(), ctx.Request.Header.Protocol(),
				ctx.Host(), ctx.UserAgent())
		case "/alpn":
			if st := ctx.TLSConnectionState(); st != nil {
				ctx.SetBodyString("alpn=" + st.NegotiatedProtocol)
			} else {
				ctx.SetBodyString("no tls")
			}
		case "/hijack":
			ctx.Hijack(func(net.Conn) {})
		case "/slow":
			time.Sleep(300 * time.Millisecond)
			ctx.SetBodyString("slow done")
		case "/nothing":
			ctx.SetStatusCode(204)
		default:
			ctx.SetStatusCode(404)
			ctx.SetBodyString("not found")
		}
	}
}

func h2cClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http2.Transport{
		AllowHTTP: true,
		DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}}
}

func tlsClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http2.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}}
}

func get(t *testing.T, c *http.Client, method, url string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: body: %v", method, url, err)
	}
	return resp, b
}

func tempFile(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "f.bin")
	if err := os.WriteFile(p, bigBody[:300000], 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBasics(t *testing.T) {
	file := tempFile(t)
	for _, mode := range []string{"h2c", "tls"} {
		t.Run(mode, func(t *testing.T) {
			s := startServer(t, Options{}, testHandler(file), mode == "tls")
			c, base := h2cClient(), "http://"+s.addr()
			if mode == "tls" {
				c, base = tlsClient(), "https://"+s.addr()
			}
			resp, body := get(t, c, "GET", base+"/status", nil)
			if resp.StatusCode != 201 || string(body) != "created\n" || resp.Header.Get("X-Test") != "yes" || resp.ProtoMajor != 2 {
				t.Fatalf("status: %d %q %v proto %s", resp.StatusCode, body, resp.Header, resp.Proto)
			}
			for _, h := range []string{"Connection", "Keep-Alive", "Upgrade"} {
				if v := resp.Header.Get(h); v != "" {
					t.Errorf("hop-by-hop %s: %q reached the client", h, v)
				}
			}
			if resp.Header.Get("Content-Length") != "8" || resp.Header.Get("Date") == "" {
				t.Errorf("headers: %v", resp.Header)
			}
			resp, body = get(t, c, "GET", base+"/big", nil)
			if !bytes.Equal(body, bigBody) || resp.ContentLength != int64(len(bigBody)) {
				t.Fatalf("big: %d bytes, cl %d", len(body), resp.ContentLength)
			}
			resp, body = get(t, c, "HEAD", base+"/big", nil)
			if len(body) != 0 || resp.ContentLength != int64(len(bigBody)) {
				t.Fatalf("HEAD: %d bytes, cl %d", len(body), resp.ContentLength)
			}
			_, body = get(t, c, "GET", base+"/stream", nil)
			if !strings.HasPrefix(string(body), "chunk 0\n") || !strings.HasSuffix(string(body), "chunk 9\n") {
				t.Fatalf("stream: %q", body)
			}
			_, body = get(t, c, "GET", base+"/file", nil)
			if !bytes.Equal(body, bigBody[:300000]) {
				t.Fatalf("file: %d bytes", len(body))
			}
			_, body = get(t, c, "POST", base+"/echo", strings.NewReader("hello body"))
			if string(body) != "POST 10 hello body" {
				t.Fatalf("echo: %q", body)
			}
			// A body without content-length (an io.Pipe): the handler
			// sees it whole, with its length.
			pr, pw := io.Pipe()
			go func() { pw.Write([]byte("piped")); pw.Close() }()
			_, body = get(t, c, "PUT", base+"/echo", pr)
			if string(body) != "PUT 5 piped" {
				t.Fatalf("piped: %q", body)
			}
			resp, _ = get(t, c, "GET", base+"/nothing", nil)
			if resp.StatusCode != 204 {
				t.Fatalf("204: %d", resp.StatusCode)
			}
			_, body = get(t, c, "GET", base+"/alpn", nil)
			if want := map[string]string{"h2c": "no tls", "tls": "alpn=h2"}[mode]; string(body) != want {
				t.Errorf("TLS state: %q, want %q", body, want)
			}
			resp, _ = get(t, c, "GET", base+"/hijack", nil)
			if resp.StatusCode != 500 {
				t.Errorf("hijack: %d, want 500", resp.StatusCode)
			}
			_, body = get(t, c, "GET", base+"/addr", nil)
			want := fmt.Sprintf("local=%s tls=%v proto=HTTP/2.0 host=%s", s.addr(), mode == "tls", s.addr())
			if !strings.Contains(string(body), want) || !strings.HasPrefix(string(body), "remote=127.0.0.1:") {
				t.Fatalf("addr: %q, want %q", body, want)
			}
		})
	}
}

func TestConcurrentStreams(t *testing.T) {
	s := startServer(t, Options{}, testHandler(""), false)
	c := h2cClient()
	// 100 MiB on one connection: under -race on a loaded 2-core machine
	// that takes about 10 s with either server (native or x/net), so each
	// request gets longer than h2cClient's 10 s.
	c.Timeout = time.Minute
	// One warm-up request so that all 100 share one connection.
	get(t, c, "GET", "http://"+s.addr()+"/status", nil)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.Get("http://" + s.addr() + "/big?i=" + strconv.Itoa(i))
			if err != nil {
				errs <- err
				return
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || len(b) != len(bigBody) {
				errs <- fmt.Errorf("stream %d: %d bytes, %v", i, len(b), err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := s.b.Active(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

func TestLimits(t *testing.T) {
	s := startServer(t, Options{MaxRequestBodySize: 100}, testHandler(""), false)
	c := h2cClient()
	base := "http://" + s.addr()
	req, _ := http.NewRequest("GET", base+"/status", nil)
	for i := range 150 {
		req.Header.Set(fmt.Sprintf("X-H%d", i), "v")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// Apache 2.4.71 mod_http2 (h2c, LimitRequestFields 100; see
	// testdata/apache/run.sh): 431 up to 200 fields, then RST_STREAM.
	if resp.StatusCode != apacheFieldsStatus {
		t.Errorf("150 fields: %d, want %d", resp.StatusCode, apacheFieldsStatus)
	}
	for i := 150; i < 201; i++ {
		req.Header.Set(fmt.Sprintf("X-H%d", i), "v")
	}
	if resp, err := c.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("201 fields: answered %d, want a stream reset", resp.StatusCode)
	} else if !strings.Contains(err.Error(), "stream error") {
		t.Errorf("201 fields: %v, want a stream reset", err)
	}
	req, _ = http.NewRequest("GET", base+"/status", nil)
	req.Header.Set("X-Long", strings.Repeat("a", 9000))
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != apacheFieldsStatus {
		t.Errorf("9000-byte field: %d, want %d", resp.StatusCode, apacheFieldsStatus)
	}
	resp, _ = get(t, c, "POST", base+"/echo", strings.NewReader(strings.Repeat("x", 101)))
	if resp.StatusCode != 413 {
		t.Errorf("101-byte body: %d, want 413", resp.StatusCode)
	}
	resp, body := get(t, c, "POST", base+"/echo", strings.NewReader(strings.Repeat("x", 100)))
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "POST 100 ") {
		t.Errorf("100-byte body: %d %q", resp.StatusCode, body)
	}
	resp, _ = get(t, c, "GET", base+"/"+strings.Repeat("p", 8200), nil)
	if resp.StatusCode != 414 {
		t.Errorf("long path: %d, want 414", resp.StatusCode)
	}
}

func TestMaxStreamsPerConn(t *testing.T) {
	s := startServer(t, Options{MaxStreamsPerConn: 3}, testHandler(""), false)
	conn, err := net.Dial("tcp", s.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tr := &http2.Transport{AllowHTTP: true}
	cc, err := tr.NewClientConn(conn)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		req, _ := http.NewRequest("GET", "http://"+s.addr()+"/status", nil)
		resp, err := cc.RoundTrip(req)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	// After the third stream the server sends GOAWAY and closes.
	deadline := time.Now().Add(5 * time.Second)
	for cc.CanTakeNewRequest() {
		if time.Now().After(deadline) {
			t.Fatal("connection still takes requests after MaxStreamsPerConn")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestGracefulShutdown(t *testing.T) {
	// started is closed once the server runs the stream: the client's
	// StreamsActive counts it as soon as HEADERS are queued, before the
	// server has seen them, and a GOAWAY sent in between would refuse it.
	started := make(chan struct{})
	var once sync.Once
	s := startServer(t, Options{StreamStart: func(*fasthttp.RequestCtx) { once.Do(func() { close(started) }) }}, testHandler(""), false)
	conn, err := net.Dial("tcp", s.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cc, err := (&http2.Transport{AllowHTTP: true}).NewClientConn(conn)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		body string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest("GET", "http://"+s.addr()+"/slow", nil)
		resp, err := cc.RoundTrip(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- result{string(b), err}
	}()
	// Wait until the stream is open on the server.
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the server did not start the stream within 5s")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := s.b.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	r := <-done
	if r.err != nil || r.body != "slow done" {
		t.Fatalf("in-flight stream: %q %v", r.body, r.err)
	}
	if cc.CanTakeNewRequest() {
		t.Error("client may still open streams after GOAWAY")
	}
	t.Logf("Shutdown returned after %v", time.Since(start))
	if s.b.Active() != 0 {
		t.Errorf("%d connections left", s.b.Active())
	}
	if err := s.b.ServeConn(&net.TCPConn{}); err != ErrShutdown {
		t.Errorf("ServeConn after Shutdown: %v", err)
	}
}

func TestOneStreamAtATime(t *testing.T) {
	var mu sync.Mutex
	cur, peak := 0, 0
	h := func(ctx *fasthttp.RequestCtx) {
		mu.Lock()
		cur++
		peak = max(peak, cur)
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		cur--
		mu.Unlock()
	}
	s := startServer(t, Options{OneStreamAtATime: true}, h, false)
	conn, err := net.Dial("tcp", s.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cc, err := (&http2.Transport{AllowHTTP: true}).NewClientConn(conn)
	if err != nil {
		t.Fatal(err)
	}
	// Let the client see SETTINGS_MAX_CONCURRENT_STREAMS 1 first.
	req, _ := http.NewRequest("GET", "http://"+s.addr()+"/", nil)
	resp, err := cc.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", "http://"+s.addr()+"/", nil)
			resp, err := cc.RoundTrip(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		}()
	}
	wg.Wait()
	if peak != 1 {
		t.Errorf("peak concurrent handlers %d, want 1", peak)
	}
	// Apache's prefork still advertises H2MaxSessionStreams.
	if got := cc.State().MaxConcurrentStreams; got != DefaultMaxConcurrentStreams {
		t.Errorf("advertised %d streams, want %d", got, DefaultMaxConcurrentStreams)
	}
}

func TestUpgradeH2C(t *testing.T) {
	s := startServer(t, Options{}, testHandler(""), false)
	conn, err := net.Dial("tcp", s.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// HTTP2-Settings: an empty SETTINGS payload.
	fmt.Fprintf(conn, "GET /addr HTTP/1.1\r\nHost: up.example\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: \r\nUser-Agent: u1\r\n\r\n")
	br := bufio.NewReader(conn)
	line, _ := br.ReadString('\n')
	if !strings.HasPrefix(line, "HTTP/1.1 101") {
		t.Fatalf("upgrade answer %q", line)
	}
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if l == "\r\n" {
			break
		}
	}
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(conn, http2.ClientPreface)
	fr := http2.NewFramer(conn, br)
	fr.WriteSettings()
	var body []byte
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := f.(*http2.DataFrame); ok && d.StreamID == 1 {
			body = append(body, d.Data()...)
			if d.StreamEnded() {
				break
			}
		}
	}
	if !strings.Contains(string(body), "proto=HTTP/2.0 host=up.example ua=u1") {
		t.Fatalf("stream 1 body %q", body)
	}
}

// TestCurl uses the curl binary (7.88 with nghttp2 on the build machine).
func TestCurl(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	out, _ := exec.Command("curl", "-V").Output()
	if !bytes.Contains(out, []byte("HTTP2")) {
		t.Skip("curl without HTTP2")
	}
	clear := startServer(t, Options{}, testHandler(""), false)
	secure := startServer(t, Options{}, testHandler(""), true)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"prior-knowledge", []string{"--http2-prior-knowledge", "http://" + clear.addr() + "/addr"}},
		{"upgrade", []string{"--http2", "http://" + clear.addr() + "/addr"}},
		// Apache answers an Upgrade request with a body over HTTP/1.1.
		{"upgrade-with-body", []string{"--http2", "-d", "hello", "http://" + clear.addr() + "/echo"}},
		{"tls", []string{"--http2", "-k", "https://" + secure.addr() + "/addr"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-sS", "-m", "10", "-o", "-", "-w", "\n%{http_version} %{http_code}"}, tc.args...)
			out, err := exec.Command("curl", args...).CombinedOutput()
			if err != nil {
				t.Fatalf("curl: %v\n%s", err, out)
			}
			if tc.name == "upgrade-with-body" {
				if string(out) != "POST 5 hello\n1.1 200" {
					t.Fatalf("curl output %q", out)
				}
				return
			}
			if !strings.HasSuffix(string(out), "\n2 200") || !strings.Contains(string(out), "proto=HTTP/2.0") {
				t.Fatalf("curl output %q", out)
			}
		})
	}
}
