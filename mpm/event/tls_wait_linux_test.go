package event

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/internal/h1serve/tlstest"
	"github.com/gohttpd/gohttpd/mpm"
)

// startTLSChild runs a child with the tlstest handler on a TLS listener.
func startTLSChild(t *testing.T, cfg Config) (*Child, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg = complete(cfg)
	board, err := mpm.NewScoreboard(1, cfg.ThreadsPerChild)
	if err != nil {
		t.Fatal(err)
	}
	child, err := New(cfg, mpm.ChildDeps{Listeners: []net.Listener{ln}, Server: &fasthttp.Server{Handler: tlstest.Handler},
		Board: board, Log: testLogger(), TLS: []*tls.Config{tlstest.ServerConfig()}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	ready := make(chan struct{})
	go func() { done <- child.Serve(func() { close(ready) }) }()
	<-ready
	var once sync.Once
	stop := func() {
		once.Do(func() {
			child.Stop(mpm.StopImmediate)
			select {
			case err := <-done:
				if err != nil {
					t.Error(err)
				}
			case <-time.After(5 * time.Second):
				t.Error("Serve did not return within 5 s of an immediate stop")
			}
			board.Close()
		})
	}
	t.Cleanup(stop)
	return child, ln.Addr().String()
}

// gateConn holds the client's writes after the first (the ClientHello)
// until open is closed: the server's worker then waits in the handshake
// for the client's Finished.
type gateConn struct {
	net.Conn
	writes int
	open   chan struct{}
}

func (g *gateConn) Write(p []byte) (int, error) {
	g.writes++
	if g.writes > 1 {
		<-g.open
	}
	return g.Conn.Write(p)
}

// hsWaiters is how many workers wait in a handshake through the loop.
func hsWaiters(e *engine) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.hsWaiting)
}

// TestTLSHandshakeWaitsThroughLoop: a worker whose handshake waits for
// the client's next flight waits on the loop (e.hsWaiting), not in
// poll(2), and goes on when the bytes come; in both epoll modes.
func TestTLSHandshakeWaitsThroughLoop(t *testing.T) {
	for _, oneshot := range []bool{false, true} {
		t.Run(map[bool]string{false: "edge", true: "oneshot"}[oneshot], func(t *testing.T) {
			child, addr := startTLSChild(t, Config{ThreadsPerChild: 2, OneShot: oneshot, KeepAliveTimeout: 5 * time.Second, Timeout: 10 * time.Second})
			for i := range 3 {
				raw, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				g := &gateConn{Conn: raw, open: make(chan struct{})}
				c := tls.Client(g, tlstest.ClientConfig())
				c.SetDeadline(time.Now().Add(10 * time.Second))
				hs := make(chan error, 1)
				go func() { hs <- c.Handshake() }()
				waitFor(t, 5*time.Second, "a worker waiting in the handshake", func() bool { return hsWaiters(child.e) == 1 })
				close(g.open)
				if err := <-hs; err != nil {
					t.Fatalf("connection %d: handshake: %v", i, err)
				}
				resp, b := tlstest.Get(t, c, bufio.NewReader(c), "/tls")
				if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "tls=true") {
					t.Fatalf("connection %d: %d %q", i, resp.StatusCode, b)
				}
				if n := hsWaiters(child.e); n != 0 {
					t.Fatalf("connection %d: %d workers still listed as waiting", i, n)
				}
				c.Close()
			}
		})
	}
}

// TestTLSHandshakeWaitStop: an immediate stop ends a worker's wait in a
// handshake at once (the engine's Timeout is a minute).
func TestTLSHandshakeWaitStop(t *testing.T) {
	child, addr := startTLSChild(t, Config{ThreadsPerChild: 2, KeepAliveTimeout: 5 * time.Second, Timeout: time.Minute})
	raw, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	g := &gateConn{Conn: raw, open: make(chan struct{})}
	defer close(g.open)
	c := tls.Client(g, tlstest.ClientConfig())
	go c.Handshake()
	waitFor(t, 5*time.Second, "a worker waiting in the handshake", func() bool { return hsWaiters(child.e) == 1 })
	start := time.Now()
	child.Stop(mpm.StopImmediate)
	raw.SetReadDeadline(time.Now().Add(10 * time.Second))
	var b [1]byte
	for {
		if _, err := raw.Read(b[:]); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the connection stayed open after an immediate stop")
			}
			break
		}
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("closed %s after the stop", el)
	}
}
