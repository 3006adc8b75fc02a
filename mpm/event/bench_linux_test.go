package event

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/mpm"
)

// body1k is the benchmark's response: 1 KiB, like a small static file.
var body1k = bytes.Repeat([]byte("0123456789abcdef"), 64)

// benchHandler answers /1k with body1k and anything else with "hello".
func benchHandler(ctx *fasthttp.RequestCtx) {
	if string(ctx.Path()) == "/1k" {
		ctx.SetContentType("text/html")
		ctx.Response.SetBodyRaw(body1k)
		return
	}
	ctx.WriteString("hello")
}

// BenchmarkKeepAlive measures keep-alive requests over loopback: conns
// client goroutines, each sending a request and reading its response in
// turn, b.N requests in all. With GOHTTPD_EVENT_BENCH_ADDR set it loads
// that server instead (for example the serve helper pinned with taskset:
// see serveHelper).
func BenchmarkKeepAlive(b *testing.B) {
	addr := os.Getenv("GOHTTPD_EVENT_BENCH_ADDR")
	path := os.Getenv("GOHTTPD_EVENT_BENCH_PATH")
	if path == "" {
		path = "/1k"
	}
	for _, conns := range []int{1, 50} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			target := addr
			if target == "" {
				target = startBench(b, Config{ThreadsPerChild: 25, KeepAliveTimeout: time.Minute})
			}
			cs := make([]*benchConn, conns)
			for i := range cs {
				c, err := dialBench(target, path)
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				cs[i] = c
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

// startBench runs a child over benchHandler for a benchmark and returns
// its address.
func startBench(b *testing.B, cfg Config) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	board, err := mpm.NewScoreboard(1, cfg.ThreadsPerChild)
	if err != nil {
		b.Fatal(err)
	}
	child, err := New(complete(cfg), mpm.ChildDeps{Listeners: []net.Listener{ln}, Server: &fasthttp.Server{Handler: benchHandler}, Board: board, Log: testLogger()})
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

// benchConn is a minimal keep-alive client: one fixed request, responses
// framed by Content-Length.
type benchConn struct {
	net.Conn
	br  *bufio.Reader
	req []byte
}

func dialBench(addr, path string) (*benchConn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &benchConn{Conn: c, br: bufio.NewReaderSize(c, 16<<10), req: []byte("GET " + path + " HTTP/1.1\r\nHost: bench\r\n\r\n")}, nil
}

func (c *benchConn) roundTrip() error {
	if _, err := c.Write(c.req); err != nil {
		return err
	}
	length := -1
	for {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		if len(line) > 16 && (line[0] == 'C' || line[0] == 'c') && strings.EqualFold(string(line[:15]), "Content-Length:") {
			length, err = strconv.Atoi(strings.TrimSpace(string(line[15:])))
			if err != nil {
				return err
			}
		}
	}
	if length < 0 {
		return errors.New("response without Content-Length")
	}
	_, err := c.br.Discard(length)
	return err
}

// BenchmarkIdleConnMemory reports the Go heap, the process RSS and the
// goroutines each idle keep-alive connection costs the child, with 10,000
// idle connections opened by a helper process (this process may hold at
// most 20,000 descriptors). It measures once per test binary, whatever
// b.N is: later calls report the same figures.
func BenchmarkIdleConnMemory(b *testing.B) {
	const n = 10000
	idleOnce.Do(func() { idleHeap, idleRSS, idleGs = measureIdle(b, n) })
	b.ReportMetric(idleHeap, "heap-B/conn")
	b.ReportMetric(idleRSS, "rss-B/conn")
	b.ReportMetric(idleGs, "goroutines/conn")
}

var (
	idleOnce                  sync.Once
	idleHeap, idleRSS, idleGs float64
)

// TestIdleConnMemory checks that an idle keep-alive connection costs well
// under 1 KiB of Go heap and no goroutine.
func TestIdleConnMemory(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 500
	}
	heap, _, gs := measureIdle(t, n)
	t.Logf("%d idle connections: %.0f heap bytes and %.4f goroutines each", n, heap, gs)
	if heap > 512 {
		t.Errorf("heap per idle connection = %.0f bytes, want <= 512", heap)
	}
	if gs > 0.01 {
		t.Errorf("goroutines per idle connection = %.3f, want 0", gs)
	}
}

// measureIdle opens n idle keep-alive connections from a helper process
// and returns the child's heap, RSS and goroutines per connection.
func measureIdle(tb testing.TB, n int) (heap, rss, goroutines float64) {
	e := start(tb, Config{ThreadsPerChild: 25, AsyncRequestWorkerFactor: float64(n), KeepAliveTimeout: 5 * time.Minute})
	// Warm up: one connection served, so pools and tables exist.
	c := dial(tb, e.addr)
	c.get(tb, "/")
	c.Close()
	waitFor(tb, 5*time.Second, "the warm-up connection to close", func() bool { return e.proc().Connections() == 0 })
	heap0, rss0, g0 := heapInUse(), rssBytes(), numGoroutine()

	return idleDeltas(tb, e.addr, n, false, heap0, rss0, g0, "parked connections", func() int { return e.proc().KeepAlive() })
}

// idleDeltas starts the idle-clients helper process with n connections to
// addr (over TLS when tls), waits until parked() reports all of them, and
// returns the heap, RSS and goroutines per connection grown since heap0,
// rss0 and g0. The helper is stopped when the test ends.
func idleDeltas(tb testing.TB, addr string, n int, tls bool, heap0 uint64, rss0 int64, g0 int, what string, parked func() int) (heap, rss, goroutines float64) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=idle-clients", "GOHTTPD_EVENT_ADDR="+addr, "GOHTTPD_EVENT_N="+strconv.Itoa(n))
	if tls {
		cmd.Env = append(cmd.Env, "GOHTTPD_EVENT_TLS=1")
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ready\n" {
		tb.Fatalf("idle-clients helper: %q, %v", line, err)
	}
	waitFor(tb, 30*time.Second, fmt.Sprintf("%d %s", n, what), func() bool { return parked() == n })
	heap1, rss1, g1 := heapInUse(), rssBytes(), numGoroutine()
	return float64(int64(heap1)-int64(heap0)) / float64(n),
		float64(rss1-rss0) / float64(n),
		float64(g1-g0) / float64(n)
}

// rssBytes returns this process's resident set size.
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func numGoroutine() int { return runtime.NumGoroutine() }

// serveHelper runs a child over benchHandler on GOHTTPD_EVENT_ADDR until
// it gets SIGTERM or SIGINT, for measurements outside
// the test process:
//
//	GOHTTPD_EVENT_TEST_HELPER=serve GOHTTPD_EVENT_ADDR=127.0.0.1:8089 \
//	    taskset -c 0 ./event.test
//	GOHTTPD_EVENT_BENCH_ADDR=127.0.0.1:8089 \
//	    taskset -c 1 ./event.test -test.run '^$' -test.bench KeepAlive
//
// GOHTTPD_EVENT_TPC sets ThreadsPerChild (default 25);
// GOHTTPD_EVENT_BASELINE=1 serves with fasthttp.Server instead;
// GOHTTPD_EVENT_CPUPROFILE=file writes a CPU profile.
func serveHelper() int {
	tpc, _ := strconv.Atoi(os.Getenv("GOHTTPD_EVENT_TPC"))
	if tpc <= 0 {
		tpc = 25
	}
	ln, err := net.Listen("tcp", os.Getenv("GOHTTPD_EVENT_ADDR"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if os.Getenv("GOHTTPD_EVENT_BASELINE") != "" {
		// fasthttp's own server, for comparison.
		srv := &fasthttp.Server{Handler: benchHandler}
		fmt.Println("ready")
		go func() {
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
			<-sig
			ln.Close()
		}()
		srv.Serve(ln)
		return 0
	}
	board, err := mpm.NewScoreboard(1, tpc)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	child, err := New(complete(Config{ThreadsPerChild: tpc, AsyncRequestWorkerFactor: 1000, KeepAliveTimeout: 5 * time.Minute}),
		mpm.ChildDeps{Listeners: []net.Listener{ln}, Server: &fasthttp.Server{Handler: benchHandler}, Board: board, Log: testLogger()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sig
		child.Stop(mpm.StopImmediate)
	}()
	if p := os.Getenv("GOHTTPD_EVENT_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if err := child.Serve(func() { fmt.Println("ready") }); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
