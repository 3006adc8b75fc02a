// Package tlstest is the engines' TLS test suite: a self-signed ECDSA
// P-256 configuration generated per test binary, and Run, which serves a
// TLS listener with an engine's child in the test process and checks
// keep-alive, pipelining, a 10 MB response, plain HTTP on the TLS port
// (Apache's 400), stalled handshakes, random ClientHellos (no leak),
// session resumption, ctx.IsTLS, curl and openssl s_client. Loopback only.
package tlstest

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/mpm"
)

// BigSize is the size of /big's body.
const BigSize = 10 << 20

// MediumSize is the size of /medium's body, the start of Big.
const MediumSize = 192 << 10

// Big is /big's body: BigSize deterministic bytes.
var Big = sync.OnceValue(func() []byte {
	b := make([]byte, BigSize)
	x := uint64(0x9e3779b97f4a7c15)
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
	return b
})

// ServerConfig returns a *tls.Config with a fresh self-signed ECDSA P-256
// certificate for 127.0.0.1 and localhost (one per test binary).
var ServerConfig = sync.OnceValue(func() *tls.Config {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
})

// ClientConfig trusts any server certificate and caches sessions.
func ClientConfig() *tls.Config {
	return &tls.Config{InsecureSkipVerify: true, ClientSessionCache: tls.NewLRUClientSessionCache(8)}
}

// Handler answers "/" with "hello", "/big" with Big, "/medium" with
// its first MediumSize bytes, "/tls" with
// "tls=<IsTLS> <version> <cipher>".
func Handler(ctx *fasthttp.RequestCtx) {
	switch string(ctx.Path()) {
	case "/big":
		ctx.SetBody(Big())
	case "/medium":
		ctx.SetBody(Big()[:MediumSize])
	case "/tls":
		st := ctx.TLSConnectionState()
		if st == nil {
			fmt.Fprintf(ctx, "tls=%v", ctx.IsTLS())
			return
		}
		fmt.Fprintf(ctx, "tls=%v %s %s", ctx.IsTLS(), tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
	default:
		ctx.SetBodyString("hello")
	}
}

// Env is a child serving a TLS listener in the test process.
type Env struct {
	Addr  string
	Child mpm.ChildServer
	Deps  mpm.ChildDeps
}

// Options configure Start.
type Options struct {
	// New builds the engine's child from deps.
	New func(deps mpm.ChildDeps) (mpm.ChildServer, error)
	// Threads is the engine's worker count (the board's width).
	Threads int
	// HandshakeTimeout is ChildDeps.HandshakeTimeout.
	HandshakeTimeout time.Duration
	// Log is the child's logger (default: discard, or stderr with
	// GOHTTPD_TLSTEST_LOG set).
	Log *slog.Logger
	// Serial: the child serves one connection at a time (prefork), so a
	// stalled handshake delays the other clients.
	Serial bool
	// H2 is ChildDeps.H2 (RunH2 sets it).
	H2 *mpm.H2Config
}

// Start serves a TLS listener on 127.0.0.1 with o.New's child; t.Cleanup
// stops it at once and waits for Serve to return.
func Start(t testing.TB, o Options) *Env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	threads := max(o.Threads, 1)
	board, err := mpm.NewScoreboard(1, threads)
	if err != nil {
		t.Fatal(err)
	}
	var draining atomic.Bool
	deps := mpm.ChildDeps{
		Listeners:        []net.Listener{ln},
		Server:           &fasthttp.Server{Handler: Handler, Name: "gohttpd", ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: 10 * time.Second},
		Board:            board,
		Generation:       1,
		Draining:         &draining,
		VHost:            "test:443",
		Log:              cmp.Or(o.Log, testLog()),
		TLS:              []*tls.Config{ServerConfig()},
		HandshakeTimeout: o.HandshakeTimeout,
		H2:               o.H2,
	}
	child, err := o.New(deps)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- child.Serve(func() { close(ready) }) }()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("Serve: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("child not ready")
	}
	t.Cleanup(func() {
		child.Stop(mpm.StopImmediate)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return after StopImmediate")
		}
		board.Close()
	})
	return &Env{Addr: ln.Addr().String(), Child: child, Deps: deps}
}

// Dial opens a TLS connection to e.
func (e *Env) Dial(t testing.TB, cfg *tls.Config) *tls.Conn {
	t.Helper()
	if cfg == nil {
		cfg = ClientConfig()
	}
	d := &net.Dialer{Timeout: 5 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", e.Addr, cfg)
	if err != nil {
		t.Fatalf("tls dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Get sends GET path on c and reads the response body.
func Get(t testing.TB, c net.Conn, br *bufio.Reader, path string) (*http.Response, []byte) {
	t.Helper()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", path); err != nil {
		t.Fatalf("write: %v", err)
	}
	return Read(t, br)
}

// Read reads one response and its body.
func Read(t testing.TB, br *bufio.Reader) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp, b
}

// Run runs the TLS suite against the engine o.New builds.
func Run(t *testing.T, o Options) {
	t.Run("KeepAlive", func(t *testing.T) {
		e := Start(t, o)
		c := e.Dial(t, nil)
		br := bufio.NewReader(c)
		for i := range 5 {
			resp, b := Get(t, c, br, "/tls")
			if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "tls=true TLS 1.3 TLS_") {
				t.Fatalf("request %d: %d %q, want 200 tls=true TLS 1.3 ...", i, resp.StatusCode, b)
			}
		}
	})
	t.Run("Pipelined", func(t *testing.T) {
		e := Start(t, o)
		c := e.Dial(t, nil)
		c.SetDeadline(time.Now().Add(20 * time.Second))
		req := "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
		if _, err := io.WriteString(c, req+"GET /tls HTTP/1.1\r\nHost: localhost\r\n\r\n"+req); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(c)
		for i, want := range []string{"hello", "tls=true", "hello"} {
			resp, b := Read(t, br)
			if resp.StatusCode != 200 || !strings.HasPrefix(string(b), want) {
				t.Fatalf("response %d: %d %q, want %q", i, resp.StatusCode, b, want)
			}
		}
		if resp, b := Get(t, c, br, "/"); string(b) != "hello" {
			t.Fatalf("after the pipeline: %d %q", resp.StatusCode, b)
		}
	})
	t.Run("TwoRecords", func(t *testing.T) {
		// Two requests in two TLS records that reach the server in one
		// TCP segment: after the first, the second is in the tls.Conn's
		// buffer and the socket is empty. A server that parks on an
		// empty socket never answers it.
		e := Start(t, o)
		raw, err := net.DialTimeout("tcp", e.Addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		hc := &holdConn{Conn: raw}
		c := tls.Client(hc, ClientConfig())
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		if err := c.Handshake(); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(c)
		for range 3 {
			hc.hold = true
			for _, p := range []string{"/", "/tls"} {
				if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", p); err != nil {
					t.Fatal(err)
				}
			}
			if err := hc.flush(); err != nil {
				t.Fatal(err)
			}
			for i, want := range []string{"hello", "tls=true"} {
				resp, b := Read(t, br)
				if resp.StatusCode != 200 || !strings.HasPrefix(string(b), want) {
					t.Fatalf("response %d: %d %q, want %q", i, resp.StatusCode, b, want)
				}
			}
		}
	})
	t.Run("Big", func(t *testing.T) {
		e := Start(t, o)
		c := e.Dial(t, nil)
		br := bufio.NewReader(c)
		for range 2 {
			resp, b := Get(t, c, br, "/big")
			if resp.StatusCode != 200 || sha256.Sum256(b) != sha256.Sum256(Big()) {
				t.Fatalf("/big: %d, %d bytes, want %d identical bytes", resp.StatusCode, len(b), BigSize)
			}
		}
	})
	t.Run("PlainHTTP", func(t *testing.T) {
		e := Start(t, o)
		for _, req := range []string{"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", "POST /x HTTP/1.0\r\nContent-Length: 0\r\n\r\n"} {
			c, err := net.DialTimeout("tcp", e.Addr, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			c.SetDeadline(time.Now().Add(10 * time.Second))
			io.WriteString(c, req)
			resp, b := Read(t, bufio.NewReader(c))
			c.Close()
			if resp.StatusCode != 400 || !resp.Close ||
				!strings.Contains(string(b), "Reason: You're speaking plain HTTP to an SSL-enabled server port.<br />\n Instead use the HTTPS scheme to access this URL, please.<br />") {
				t.Fatalf("plain HTTP to the TLS port: %d %v\n%s", resp.StatusCode, resp.Header, b)
			}
		}
	})
	t.Run("StalledHandshake", func(t *testing.T) {
		o := o
		o.HandshakeTimeout = time.Second
		e := Start(t, o)
		silent, err := net.Dial("tcp", e.Addr)
		if err != nil {
			t.Fatal(err)
		}
		defer silent.Close()
		half, err := net.Dial("tcp", e.Addr)
		if err != nil {
			t.Fatal(err)
		}
		defer half.Close()
		// A handshake record announcing 512 bytes, of which 40 come.
		hello := append([]byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03}, make([]byte, 29)...)
		half.Write(hello)
		start := time.Now()
		// Another client is served meanwhile (after the timeout for an
		// engine that serves one connection at a time).
		c := e.Dial(t, nil)
		resp, b := Get(t, c, bufio.NewReader(c), "/")
		if resp.StatusCode != 200 || string(b) != "hello" {
			t.Fatalf("other client: %d %q", resp.StatusCode, b)
		}
		if el := time.Since(start); !o.Serial && el > 900*time.Millisecond {
			t.Errorf("other client served after %s, while handshakes stalled", el)
		}
		for _, s := range []net.Conn{silent, half} {
			s.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, err := io.Copy(io.Discard, s)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("stalled handshake still open after %s", time.Since(start))
			}
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("stalled handshakes closed after %s, want about 1s (2s serial)", el)
		}
	})
	t.Run("RandomClientHello", func(t *testing.T) {
		o := o
		o.HandshakeTimeout = time.Second
		e := Start(t, o)
		// Warm up: the first TLS connection allocates lazily.
		c := e.Dial(t, nil)
		Get(t, c, bufio.NewReader(c), "/")
		c.Close()
		time.Sleep(100 * time.Millisecond)
		g0, f0 := runtime.NumGoroutine(), openFDs()
		rnd := mrand.New(mrand.NewPCG(1, 2))
		for i := range 60 {
			n := 1 + rnd.IntN(700)
			b := make([]byte, n)
			for j := range b {
				b[j] = byte(rnd.UintN(256))
			}
			if i%2 == 0 && n > 5 {
				// A plausible handshake record header with random content.
				b[0], b[1], b[2], b[3], b[4] = 0x16, 0x03, 0x01, byte((n-5)>>8), byte(n-5)
				if i%4 == 0 && n > 6 {
					b[5] = 1 // a ClientHello
				}
			}
			s, err := net.Dial("tcp", e.Addr)
			if err != nil {
				t.Fatal(err)
			}
			s.Write(b)
			if i%3 == 0 {
				s.Close() // hang up at once
				continue
			}
			s.SetReadDeadline(time.Now().Add(10 * time.Second))
			io.Copy(io.Discard, s)
			s.Close()
		}
		c = e.Dial(t, nil)
		if resp, b := Get(t, c, bufio.NewReader(c), "/"); string(b) != "hello" {
			t.Fatalf("after the fuzz: %d %q", resp.StatusCode, b)
		}
		c.Close()
		waitFor(t, 10*time.Second, func() string {
			g, f := runtime.NumGoroutine(), openFDs()
			if g <= g0+1 && f <= f0+1 {
				return ""
			}
			return fmt.Sprintf("goroutines %d (before %d), fds %d (before %d)", g, g0, f, f0)
		})
	})
	t.Run("Resumption", func(t *testing.T) {
		e := Start(t, o)
		cfg := ClientConfig()
		for i := range 2 {
			c := e.Dial(t, cfg)
			br := bufio.NewReader(c)
			// TLS 1.3 tickets arrive after the handshake: read a response.
			if _, b := Get(t, c, br, "/"); string(b) != "hello" {
				t.Fatalf("connection %d: %q", i, b)
			}
			if got := c.ConnectionState().DidResume; got != (i == 1) {
				t.Fatalf("connection %d: DidResume %v", i, got)
			}
			c.Close()
		}
	})
	t.Run("Curl", func(t *testing.T) {
		if _, err := exec.LookPath("curl"); err != nil {
			t.Skip("no curl")
		}
		e := Start(t, o)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "curl", "-ksS", "https://"+e.Addr+"/tls", "https://"+e.Addr+"/").CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), "tls=true TLS 1.3") || !strings.HasSuffix(string(out), "hello") {
			t.Fatalf("curl -k: %v\n%s", err, out)
		}
	})
	t.Run("OpenSSL", func(t *testing.T) {
		if _, err := exec.LookPath("openssl"); err != nil {
			t.Skip("no openssl")
		}
		e := Start(t, o)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "openssl", "s_client", "-connect", e.Addr, "-quiet", "-tls1_2")
		cmd.Stdin = strings.NewReader("GET /tls HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
		out, err := cmd.CombinedOutput()
		if !bytes.Contains(out, []byte("tls=true TLS 1.2 TLS_ECDHE_ECDSA_")) {
			t.Fatalf("openssl s_client -tls1_2: %v\n%s", err, out)
		}
	})
}

// openFDs counts this process's open descriptors.
func openFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	return len(ents)
}

// waitFor polls cond (which returns "" when satisfied, else what is
// still wrong) until d passes.
func waitFor(t testing.TB, d time.Duration, cond func() string) {
	t.Helper()
	end := time.Now().Add(d)
	for {
		msg := cond()
		if msg == "" {
			return
		}
		if time.Now().After(end) {
			t.Fatal(msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// testLog discards the child's log unless GOHTTPD_TLSTEST_LOG is set.
func testLog() *slog.Logger {
	if os.Getenv("GOHTTPD_TLSTEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// holdConn holds what is written while hold is set, until flush.
type holdConn struct {
	net.Conn
	hold bool
	buf  []byte
}

func (h *holdConn) Write(p []byte) (int, error) {
	if h.hold {
		h.buf = append(h.buf, p...)
		return len(p), nil
	}
	return h.Conn.Write(p)
}

func (h *holdConn) flush() error {
	h.hold = false
	_, err := h.Conn.Write(h.buf)
	h.buf = h.buf[:0]
	return err
}

// ClientHello returns the first flight of a Go TLS client (a whole
// ClientHello record), for fuzz seeds.
func ClientHello() []byte {
	a, b := net.Pipe()
	defer a.Close()
	go func() {
		c := tls.Client(a, ClientConfig())
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Handshake()
	}()
	b.SetDeadline(time.Now().Add(5 * time.Second))
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(b, hdr); err != nil {
		return nil
	}
	body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
	if _, err := io.ReadFull(b, body); err != nil {
		return nil
	}
	b.Close()
	return append(hdr, body...)
}
