package event

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/mpm"
	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// helperEnv selects a helper mode of the test binary (see TestMain).
const helperEnv = "GOHTTPD_EVENT_TEST_HELPER"

func TestMain(m *testing.M) {
	// Many tests open a thousand or more connections on both ends.
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) == nil && rl.Cur < rl.Max {
		rl.Cur = rl.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
	}
	switch os.Getenv(helperEnv) {
	case "idle-clients":
		os.Exit(idleClientsHelper())
	case "serve":
		os.Exit(serveHelper())
	}
	os.Exit(mpmtest.Main(m))
}

// TestConformance runs the engines' conformance suite against the real
// gohttpd binary with the event engine.
func TestConformance(t *testing.T) {
	t.Run("edge", func(t *testing.T) { mpmtest.Run(t, "event") })
	t.Run("oneshot", func(t *testing.T) { mpmtest.Run(t, "event", "EpollTrigger OneShot") })
}

// bigSize is the size of the big response bodies.
const bigSize = 10 << 20

// bigBody returns bigSize deterministic, non-repeating bytes.
var bigBody = sync.OnceValue(func() []byte {
	b := make([]byte, bigSize)
	x := uint64(0x9e3779b97f4a7c15)
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
	return b
})

// bigFile writes bigBody to a file once per test binary and returns its path.
var bigFile = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "event-test")
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, "big.bin")
	return p, os.WriteFile(p, bigBody(), 0o644)
})

// env is a child serving on a loopback listener, for one test.
type env struct {
	child    *Child
	board    *mpm.Scoreboard
	addr     string
	cfg      Config
	draining atomic.Bool
	served   chan error
	// release unblocks the /block handler; blocked counts handlers in it.
	release chan struct{}
	blocked atomic.Int32
	hits    atomic.Int64
}

// start runs a child with cfg over the test handler; t.Cleanup stops it
// at once and checks that Serve returned and left no goroutine behind.
func start(t testing.TB, cfg Config) *env {
	t.Helper()
	return startWith(t, cfg, nil)
}

func startWith(t testing.TB, cfg Config, tweak func(*fasthttp.Server)) *env {
	t.Helper()
	srv := &fasthttp.Server{}
	if tweak != nil {
		tweak(srv)
	}
	return startServer(t, cfg, srv)
}

// complete fills what a test's Config leaves zero (the engine takes no
// defaults; conf gives them to the binary's children): 4 workers,
// Apache's AsyncRequestWorkerFactor of 2 and Timeout of 60 s.
func complete(cfg Config) Config {
	if cfg.ThreadsPerChild == 0 {
		cfg.ThreadsPerChild = 4
	}
	if cfg.AsyncRequestWorkerFactor == 0 {
		cfg.AsyncRequestWorkerFactor = 2
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 60 * time.Second
	}
	return cfg
}

// startServer starts a child serving with srv; a nil Handler is the env's.
func startServer(t testing.TB, cfg Config, srv *fasthttp.Server) *env {
	t.Helper()
	cfg = complete(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	board, err := mpm.NewScoreboard(1, cfg.ThreadsPerChild)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{board: board, addr: ln.Addr().String(), cfg: cfg, served: make(chan error, 1), release: make(chan struct{})}
	if srv.Handler == nil {
		srv.Handler = e.handle
	}
	e.child, err = New(cfg, mpm.ChildDeps{
		Listeners:  []net.Listener{ln},
		Server:     srv,
		Board:      board,
		Slot:       0,
		Generation: 1,
		Draining:   &e.draining,
		VHost:      "test:80",
		Log:        testLogger(),
	})
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	before := engineGoroutines()
	ready := make(chan struct{})
	go func() { e.served <- e.child.Serve(func() { close(ready) }) }()
	select {
	case <-ready:
	case err := <-e.served:
		t.Fatalf("Serve = %v before ready", err)
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not call ready")
	}
	t.Cleanup(func() {
		e.unblock()
		e.child.Stop(mpm.StopImmediate)
		select {
		case err := <-e.served:
			if err != nil {
				t.Errorf("Serve = %v, want nil", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("Serve did not return within 5 s of Stop(false); goroutines:\n%s", engineStacks())
		}
		waitFor(t, 5*time.Second, "the engine's goroutines to exit", func() bool { return engineGoroutines() <= before })
		board.Close()
	})
	return e
}

// testLog, when set, is the logger of the children started next.
var testLog atomic.Pointer[slog.Logger]

// testLogger discards the engine's log unless GOHTTPD_EVENT_TEST_LOG is
// set (then it prints debug records to stderr).
func testLogger() *slog.Logger {
	if l := testLog.Load(); l != nil {
		return l
	}
	if os.Getenv("GOHTTPD_EVENT_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// unblock releases the /block handlers (once).
func (e *env) unblock() {
	select {
	case <-e.release:
	default:
		close(e.release)
	}
}

// handle is the test site.
func (e *env) handle(ctx *fasthttp.RequestCtx) {
	e.hits.Add(1)
	switch string(ctx.Path()) {
	case "/":
		ctx.WriteString("hello")
	case "/id":
		ctx.Write(ctx.QueryArgs().Peek("id"))
	case "/big":
		ctx.Response.SetBodyRaw(bigBody())
	case "/bigcopy":
		ctx.SetBody(bigBody())
	case "/bigfile":
		p, err := bigFile()
		if err != nil {
			ctx.Error(err.Error(), 500)
			return
		}
		f, err := os.Open(p)
		if err != nil {
			ctx.Error(err.Error(), 500)
			return
		}
		ctx.SetBodyStream(f, bigSize)
	case "/block":
		e.blocked.Add(1)
		<-e.release
		e.blocked.Add(-1)
		ctx.WriteString("released")
	case "/panic":
		panic("test panic")
	case "/reqnum":
		rn, ok := ctx.Conn().(mpm.RequestNumberer)
		if !ok {
			ctx.Error("no ConnRequestNum", 500)
			return
		}
		fmt.Fprintf(ctx, "%d", rn.ConnRequestNum())
	case "/remote":
		ctx.WriteString(ctx.RemoteAddr().String())
	case "/echo":
		ctx.Write(ctx.PostBody())
	case "/draining":
		ctx.WriteString(strconv.FormatBool(e.draining.Load()))
	default:
		ctx.Error("not found", 404)
	}
}

// proc returns the child's process slot.
func (e *env) proc() *mpm.Process { return e.board.Process(0) }

// workersIdle reports whether every worker slot shows '_' (or 'G').
func (e *env) workersIdle() bool {
	for j := range e.cfg.ThreadsPerChild {
		switch e.board.Worker(0, j).State() {
		case mpm.StateReady, mpm.StateGraceful:
		default:
			return false
		}
	}
	return true
}

// board returns the workers' letters.
func (e *env) letters() string {
	var b strings.Builder
	for j := range e.cfg.ThreadsPerChild {
		b.WriteByte(e.board.Worker(0, j).State().Letter())
	}
	return b.String()
}

// client is one test connection.
type client struct {
	net.Conn
	br *bufio.Reader
}

func dial(t testing.TB, addr string) *client {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &client{Conn: c, br: bufio.NewReader(c)}
}

// do sends raw and reads one response with its body.
func (c *client) do(raw string) (*http.Response, []byte, error) {
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		return nil, nil, err
	}
	return c.read("GET")
}

// read reads one response to a request with method.
func (c *client) read(method string) (*http.Response, []byte, error) {
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, body, err
}

// get does a keep-alive GET of path and fails the test on error.
func (c *client) get(t testing.TB, path string) (*http.Response, []byte) {
	t.Helper()
	resp, body, err := c.do("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n")
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp, body
}

// newReader returns a client's buffered reader.
func newReader(c net.Conn) *bufio.Reader { return bufio.NewReader(c) }

// readHeader reads a response header and leaves its body to read.
func readHeader(c *client) (*http.Response, error) {
	return http.ReadResponse(c.br, nil)
}

// expectEOF waits up to d for the server to close c.
func (c *client) expectEOF(d time.Duration) error {
	c.SetReadDeadline(time.Now().Add(d))
	n, err := c.br.Read(make([]byte, 1))
	if err == io.EOF || errors.Is(err, syscall.ECONNRESET) {
		return nil
	}
	return fmt.Errorf("read = %d, %v; want EOF", n, err)
}

// waitServed waits up to d for Serve to return nil after a stop (what),
// and puts the result back for the cleanup.
func (e *env) waitServed(t *testing.T, d time.Duration, what string) {
	t.Helper()
	select {
	case err := <-e.served:
		if err != nil {
			t.Errorf("Serve = %v", err)
		}
		e.served <- nil
	case <-time.After(d):
		t.Fatalf("Serve did not return within %v %s", d, what)
	}
}

// blockedAndIdle opens a connection whose request blocks in the handler
// (until unblock) and an idle keep-alive connection, parked.
func (e *env) blockedAndIdle(t *testing.T) (busy, idle *client) {
	t.Helper()
	busy = dial(t, e.addr)
	io.WriteString(busy, "GET /block HTTP/1.1\r\nHost: x\r\n\r\n")
	waitFor(t, 5*time.Second, "the handler to block", func() bool { return e.blocked.Load() == 1 })
	idle = dial(t, e.addr)
	idle.get(t, "/")
	waitFor(t, 5*time.Second, "the idle connection to park", func() bool { return e.proc().KeepAlive() == 1 })
	return busy, idle
}

// expectReleased reads the response to a /block request released by
// unblock: "released", with Connection: close when closing is set.
func (c *client) expectReleased(t *testing.T, closing bool) {
	t.Helper()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	resp, body, err := c.read("GET")
	if err != nil || string(body) != "released" || closing && !resp.Close {
		t.Errorf("in-flight request = %v %q %v, want released (Connection: close %v)", resp, body, err, closing)
	}
}

// eachMode runs test once per epoll registration mode: edge-triggered
// (the default) and level-triggered one-shot (EpollTrigger OneShot).
func eachMode(t *testing.T, test func(t *testing.T, oneShot bool)) {
	for _, m := range []struct {
		name    string
		oneShot bool
	}{{"edge", false}, {"oneshot", true}} {
		t.Run(m.name, func(t *testing.T) { test(t, m.oneShot) })
	}
}

// waitFor polls cond every few milliseconds up to d.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// engineStacks returns the stacks of the goroutines running engine code.
func engineStacks() string {
	buf := make([]byte, 1<<22)
	buf = buf[:runtime.Stack(buf, true)]
	var out []byte
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("mpm/event.")) && !bytes.Contains(g, []byte("engineStacks")) {
			out = append(append(out, g...), "\n\n"...)
		}
	}
	return string(out)
}

// engineGoroutines counts goroutines running this package's engine code.
func engineGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	n := 0
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("mpm/event.(*worker)")) || bytes.Contains(g, []byte("mpm/event.(*engine)")) {
			n++
		}
	}
	return n
}

// heapInUse returns the live heap after two collections.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// idleClientsHelper runs in a child process: it opens N keep-alive
// connections to ADDR, sends one request on each and reads the answer,
// prints "ready", then holds them until its stdin closes.
func idleClientsHelper() int {
	addr := os.Getenv("GOHTTPD_EVENT_ADDR")
	n, _ := strconv.Atoi(os.Getenv("GOHTTPD_EVENT_N"))
	conns := make([]net.Conn, 0, n)
	for i := range n {
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			fmt.Printf("dial %d: %v\n", i, err)
			return 1
		}
		if os.Getenv("GOHTTPD_EVENT_TLS") != "" {
			// GOHTTPD_EVENT_TLS: TLS connections (any certificate).
			tc := tls.Client(c, &tls.Config{InsecureSkipVerify: true})
			tc.SetDeadline(time.Now().Add(30 * time.Second))
			if err := tc.Handshake(); err != nil {
				fmt.Printf("handshake %d: %v\n", i, err)
				return 1
			}
			c = tc
		}
		c.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			fmt.Printf("write %d: %v\n", i, err)
			return 1
		}
		resp, err := http.ReadResponse(bufio.NewReaderSize(c, 512), nil)
		if err != nil {
			fmt.Printf("read %d: %v\n", i, err)
			return 1
		}
		io.Copy(io.Discard, resp.Body)
		conns = append(conns, c)
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
	return 0
}
