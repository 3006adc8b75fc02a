package event

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/sys/unix"

	"github.com/gohttpd/gohttpd/internal/h1serve/tlstest"
	"github.com/gohttpd/gohttpd/mpm"
)

func TestTLS(t *testing.T) {
	for _, oneshot := range []bool{false, true} {
		name := "edge"
		if oneshot {
			name = "oneshot"
		}
		t.Run(name, func(t *testing.T) {
			tlstest.Run(t, tlstest.Options{Threads: 4, New: func(d mpm.ChildDeps) (mpm.ChildServer, error) {
				return New(complete(Config{ThreadsPerChild: 4, OneShot: oneshot, KeepAliveTimeout: 5 * time.Second, Timeout: 10 * time.Second}), d)
			}})
		})
	}
}

// startBenchTLS runs a child over benchHandler on a TLS listener and
// returns its address.
func startBenchTLS(b *testing.B, cfg Config) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	board, err := mpm.NewScoreboard(1, cfg.ThreadsPerChild)
	if err != nil {
		b.Fatal(err)
	}
	child, err := New(complete(cfg), mpm.ChildDeps{Listeners: []net.Listener{ln}, Server: &fasthttp.Server{Handler: benchHandler},
		Board: board, Log: testLogger(), TLS: []*tls.Config{tlstest.ServerConfig()}})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	ready := make(chan struct{})
	go func() { done <- child.Serve(func() { close(ready) }) }()
	<-ready
	b.Cleanup(func() {
		child.Stop(mpm.StopImmediate)
		if err := <-done; err != nil {
			b.Error(err)
		}
		board.Close()
	})
	return ln.Addr().String()
}

// BenchmarkKeepAliveTLS is BenchmarkKeepAlive over TLS 1.3 (ECDSA P-256,
// AES-128-GCM): the handshake is done before the timer starts.
func BenchmarkKeepAliveTLS(b *testing.B) {
	for _, conns := range []int{1, 50} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			target := startBenchTLS(b, Config{ThreadsPerChild: 25, KeepAliveTimeout: time.Minute})
			cs := make([]*benchConn, conns)
			for i := range cs {
				tc, err := tls.Dial("tcp", target, tlstest.ClientConfig())
				if err != nil {
					b.Fatal(err)
				}
				defer tc.Close()
				cs[i] = &benchConn{Conn: tc, br: bufio.NewReaderSize(tc, 16<<10), req: []byte("GET /1k HTTP/1.1\r\nHost: bench\r\n\r\n")}
			}
			var left atomic.Int64
			left.Store(int64(b.N))
			b.ReportAllocs()
			b.ResetTimer()
			begin := time.Now()
			var wg sync.WaitGroup
			errs := make(chan error, conns)
			for _, c := range cs {
				wg.Go(func() {
					for left.Add(-1) >= 0 {
						if err := c.roundTrip(); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/time.Since(begin).Seconds(), "req/s")
		})
	}
}

// TestTLSIdleConnMemory parks 1000 idle keep-alive TLS connections (each
// served one request) opened by a helper process, and reports the
// child's heap and RSS per connection beside plain HTTP's; an idle TLS
// connection must hold no goroutine.
func TestTLSIdleConnMemory(t *testing.T) {
	const n = 1000
	heapP, rssP, gsP := measureIdle(t, n)
	heapT, rssT, gsT := measureIdleTLS(t, n)
	t.Logf("%d idle keep-alive connections, per connection: plain %.0f heap B, %.0f RSS B, %.4f goroutines; TLS %.0f heap B, %.0f RSS B, %.4f goroutines",
		n, heapP, rssP, gsP, heapT, rssT, gsT)
	if gsT > 0.01 {
		t.Errorf("goroutines per idle TLS connection = %.3f, want 0", gsT)
	}
	if heapT > 32<<10 {
		t.Errorf("heap per idle TLS connection = %.0f bytes, want well under 32 KiB", heapT)
	}
}

// measureIdleTLS is measureIdle over TLS.
func measureIdleTLS(tb testing.TB, n int) (heap, rss, goroutines float64) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	board, err := mpm.NewScoreboard(1, 25)
	if err != nil {
		tb.Fatal(err)
	}
	child, err := New(complete(Config{ThreadsPerChild: 25, AsyncRequestWorkerFactor: float64(n), KeepAliveTimeout: 5 * time.Minute}),
		mpm.ChildDeps{Listeners: []net.Listener{ln}, Server: &fasthttp.Server{Handler: benchHandler},
			Board: board, Log: testLogger(), TLS: []*tls.Config{tlstest.ServerConfig()}})
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	done := make(chan error, 1)
	ready := make(chan struct{})
	go func() { done <- child.Serve(func() { close(ready) }) }()
	<-ready
	tb.Cleanup(func() {
		child.Stop(mpm.StopImmediate)
		<-done
		board.Close()
	})
	// Warm up: one TLS connection served and closed.
	tc, err := tls.Dial("tcp", addr, tlstest.ClientConfig())
	if err != nil {
		tb.Fatal(err)
	}
	tlstest.Get(tb, tc, bufio.NewReader(tc), "/")
	tc.Close()
	waitFor(tb, 5*time.Second, "the warm-up connection to close", func() bool { return child.e.proc.Connections() == 0 })
	heap0, rss0, g0 := heapInUse(), rssBytes(), numGoroutine()

	return idleDeltas(tb, addr, n, true, heap0, rss0, g0, "parked TLS connections", func() int { return child.e.proc.KeepAlive() })
}

// FuzzTLSHandshake sends arbitrary bytes to a TLS listener and
// half-closes: the child must close the connection within the handshake
// timeout (300 ms) plus slack, never panic in its own code, and go on
// serving TLS clients.
func FuzzTLSHandshake(f *testing.F) {
	hello := tlstest.ClientHello()
	if hello == nil {
		f.Fatal("no ClientHello captured")
	}
	f.Add(hello)
	f.Add(hello[:len(hello)/2])
	f.Add(hello[:5])
	f.Add([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	f.Add([]byte{0x16, 0x03, 0x01, 0xff, 0xff})
	f.Add([]byte{0x80, 0x2e, 0x01, 0x03, 0x01})
	f.Add([]byte{})
	corrupt := append([]byte(nil), hello...)
	for i := 9; i < len(corrupt); i += 7 {
		corrupt[i] ^= 0x5a
	}
	f.Add(corrupt)
	pc := &panicCounter{}
	e := tlstest.Start(f, tlstest.Options{Threads: 2, HandshakeTimeout: 300 * time.Millisecond, Log: slog.New(pc),
		New: func(d mpm.ChildDeps) (mpm.ChildServer, error) {
			return New(complete(Config{ThreadsPerChild: 2, Timeout: 300 * time.Millisecond, KeepAliveTimeout: time.Second}), d)
		}})
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := net.DialTimeout("tcp", e.Addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Write(in)
		c.(*net.TCPConn).CloseWrite()
		if _, err := io.ReadAll(c); err != nil && !strings.Contains(err.Error(), "reset") {
			t.Fatalf("input %q: the connection was not closed: %v", in, err)
		}
		if n := pc.n.Load(); n > 0 {
			t.Fatalf("input %q: %d panics in the engine", in, n)
		}
		tc, err := tls.Dial("tcp", e.Addr, tlstest.ClientConfig())
		if err != nil {
			t.Fatalf("after input %q: %v", in, err)
		}
		defer tc.Close()
		if resp, b := tlstest.Get(t, tc, bufio.NewReader(tc), "/"); resp.StatusCode != 200 || string(b) != "hello" {
			t.Fatalf("after input %q: GET / = %d %q", in, resp.StatusCode, b)
		}
	})
}

// TestTLSSlowReader: a TLS client that stops reading a 192 KiB body
// gets it all later, while no worker holds the connection: the
// ciphertext the socket did not take went to write completion. The
// connection is kept alive afterwards.
func TestTLSSlowReader(t *testing.T) {
	var ch *Child
	e := tlstest.Start(t, tlstest.Options{Threads: 2, New: func(d mpm.ChildDeps) (mpm.ChildServer, error) {
		c, err := New(complete(Config{ThreadsPerChild: 2, KeepAliveTimeout: 5 * time.Second, Timeout: 10 * time.Second}), d)
		ch = c
		return c, err
	}})
	proc := ch.e.proc
	idle := func() bool {
		for j := range 2 {
			if s := ch.e.deps.Board.Worker(0, j).State(); s != mpm.StateReady {
				return false
			}
		}
		return true
	}
	raw, err := net.Dial("tcp", e.Addr)
	if err != nil {
		t.Fatal(err)
	}
	raw.(*net.TCPConn).SetReadBuffer(16 << 10)
	c := tls.Client(raw, tlstest.ClientConfig())
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReaderSize(c, 16<<10)
	if err := c.Handshake(); err != nil {
		t.Fatal(err)
	}
	// Small socket buffers on both ends (16 KiB, doubled by the kernel),
	// so the response does not fit in them and its rest (under the 256
	// KiB copy bound) is deferred.
	waitFor(t, 5*time.Second, "the server's socket to be parked", func() bool {
		return proc.Connections() == 1 && idle()
	})
	fd := serverSocket(t, raw)
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, 16<<10); err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET /medium HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 || resp.ContentLength != tlstest.MediumSize {
		t.Fatalf("response header: %v %v", resp, err)
	}
	// The client reads nothing more: the response stalls in the loop.
	defer func() {
		if t.Failed() {
			t.Logf("write completion %d, workers idle %v, keep-alive %d", proc.WriteCompletion(), idle(), proc.KeepAlive())
		}
	}()
	waitFor(t, 5*time.Second, "the TLS response to go to write completion", func() bool {
		return proc.WriteCompletion() == 1 && idle()
	})
	b, err := io.ReadAll(resp.Body)
	if err != nil || !bytes.Equal(b, tlstest.Big()[:tlstest.MediumSize]) {
		t.Fatalf("body: %d bytes, %v; want the %d bytes of /medium", len(b), err, tlstest.MediumSize)
	}
	waitFor(t, 5*time.Second, "write completion to end and the connection to park", func() bool {
		return proc.WriteCompletion() == 0 && proc.KeepAlive() == 1
	})
	if resp, b := tlstest.Get(t, c, br, "/"); resp.StatusCode != 200 || string(b) != "hello" {
		t.Errorf("request after write completion = %d %q", resp.StatusCode, b)
	}
}

// serverSocket finds this process's descriptor of the server end of the
// loopback connection c (its peer is c's local address).
func serverSocket(t *testing.T, c net.Conn) int {
	t.Helper()
	want := c.LocalAddr().(*net.TCPAddr)
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, ent := range ents {
		fd, err := strconv.Atoi(ent.Name())
		if err != nil {
			continue
		}
		if sa, err := unix.Getpeername(fd); err == nil {
			if a, ok := sa.(*unix.SockaddrInet4); ok && a.Port == want.Port && net.IP(a.Addr[:]).Equal(want.IP) {
				return fd
			}
		}
	}
	t.Fatal("no server socket for", want)
	return -1
}
