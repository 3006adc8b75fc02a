package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/listener"
	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

func TestMain(m *testing.M) { os.Exit(mpmtest.Main(m)) }

// loadClient is a raw keep-alive HTTP/1.1 client that does not retry:
// every failed request counts. It reconnects only when the server said
// Connection: close.
type loadClient struct {
	addr string
	c    net.Conn
	br   *bufio.Reader
}

func (l *loadClient) do() error {
	if l.c == nil {
		c, err := net.DialTimeout("tcp", l.addr, 5*time.Second)
		if err != nil {
			return err
		}
		l.c, l.br = c, bufio.NewReader(c)
	}
	l.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(l.c, "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		return err
	}
	resp, err := http.ReadResponse(l.br, nil)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	if resp.Close {
		l.c.Close()
		l.c = nil
	}
	return nil
}

// TestGracefulRestartLosesNothing: a graceful restart (USR1) while 20
// keep-alive clients run at full speed: zero failed requests, the
// generation goes up and the old children exit.
func TestGracefulRestartLosesNothing(t *testing.T) {
	for _, engine := range []string{"prefork", "worker", "event"} {
		t.Run(engine, func(t *testing.T) {
			s := mpmtest.Start(t, mpmtest.Options{MPM: engine, Directives: []string{
				"StartServers 2", "MinSpareServers 2", "MaxSpareServers 30", "MaxRequestWorkers 40",
				"ThreadsPerChild 25", "MinSpareThreads 25", "MaxSpareThreads 75",
			}})
			old := s.Children()
			if len(old) == 0 {
				t.Fatal("no children before the restart")
			}
			var ok, failed atomic.Int64
			var firstErr atomic.Value
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for range 20 {
				wg.Go(func() {
					lc := &loadClient{addr: s.Addr}
					defer func() {
						if lc.c != nil {
							lc.c.Close()
						}
					}()
					for n := 0; n < 100000; n++ {
						select {
						case <-stop:
							return
						default:
						}
						if err := lc.do(); err != nil {
							failed.Add(1)
							firstErr.CompareAndSwap(nil, err)
							if lc.c != nil {
								lc.c.Close()
								lc.c = nil
							}
							continue
						}
						ok.Add(1)
					}
				})
			}
			mpmtest.WaitFor(t, 10*time.Second, "load to run", func() bool { return ok.Load() > 200 })
			s.Signal(syscall.SIGUSR1)
			mpmtest.WaitFor(t, 20*time.Second, "the old children to exit and generation 1 to serve", func() bool {
				for _, p := range old {
					if mpmtest.Alive(p) {
						return false
					}
				}
				auto, err := s.StatusAuto()
				return err == nil && auto["ParentServerMPMGeneration"] == "1"
			})
			before := ok.Load()
			mpmtest.WaitFor(t, 10*time.Second, "load to go on after the restart", func() bool { return ok.Load() > before+200 })
			close(stop)
			wg.Wait()
			t.Logf("%d requests over 20 keep-alive connections, old children %v replaced by %v", ok.Load(), old, s.Children())
			if n := failed.Load(); n != 0 {
				t.Errorf("%d of %d requests failed across a graceful restart; first: %v", n, n+ok.Load(), firstErr.Load())
			}
		})
	}
}

// TestGracefulRestartBadConfig: a restart with a broken file logs the
// error and the running generation keeps serving.
func TestGracefulRestartBadConfig(t *testing.T) {
	s := mpmtest.Start(t, mpmtest.Options{MPM: "event"})
	f, err := os.OpenFile(s.Conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "NoSuchDirective 1")
	f.Close()
	s.Signal(syscall.SIGUSR1)
	mpmtest.WaitFor(t, 10*time.Second, "the configuration error in the error log", func() bool {
		return strings.Contains(s.ErrorLog(), "NoSuchDirective")
	})
	if code, _, err := s.Get("/index.html"); err != nil || code != 200 {
		t.Fatalf("after a failed reload: %d %v", code, err)
	}
	auto, err := s.StatusAuto()
	if err != nil || auto["ParentServerMPMGeneration"] != "0" {
		t.Errorf("generation after a failed reload = %q (%v), want 0", auto["ParentServerMPMGeneration"], err)
	}
}

// TestRestart: HUP stops every child, resets the board and starts a new
// generation on the same listening socket.
func TestRestart(t *testing.T) {
	s := mpmtest.Start(t, mpmtest.Options{MPM: "worker"})
	old := s.Children()
	for range 3 {
		if code, _, err := s.Get("/index.html"); err != nil || code != 200 {
			t.Fatalf("before the restart: %d %v", code, err)
		}
	}
	s.Signal(syscall.SIGHUP)
	mpmtest.WaitFor(t, 20*time.Second, "a new generation with a fresh board", func() bool {
		for _, p := range old {
			if mpmtest.Alive(p) {
				return false
			}
		}
		auto, err := s.StatusAuto()
		// The status request itself is the only access since the reset.
		return err == nil && auto["ParentServerMPMGeneration"] == "1" && auto["Total Accesses"] == "1"
	})
	if !strings.Contains(s.ErrorLog(), "SIGHUP received.  Attempting to restart") {
		t.Errorf("no restart notice in the error log")
	}
}

// TestKillMaster: kill -9 of the master takes every child down within
// two seconds.
func TestKillMaster(t *testing.T) {
	for _, engine := range []string{"prefork", "event"} {
		t.Run(engine, func(t *testing.T) {
			s := mpmtest.Start(t, mpmtest.Options{MPM: engine})
			children := s.Children()
			if len(children) == 0 {
				t.Fatal("no children")
			}
			s.Signal(syscall.SIGKILL)
			mpmtest.WaitFor(t, 2*time.Second, "every child to exit after the master died", func() bool {
				for _, p := range children {
					if mpmtest.Alive(p) {
						return false
					}
				}
				return true
			})
		})
	}
}

// TestTCPView: the status page counts a TIME_WAIT socket after the server
// closes first, and a connection waiting in the accept queue of a listener
// nobody accepts from.
func TestTCPView(t *testing.T) {
	s := mpmtest.Start(t, mpmtest.Options{MPM: "prefork", Directives: []string{
		"StartServers 2", "MinSpareServers 1", "MaxSpareServers 2", "MaxRequestWorkers 2", "KeepAliveTimeout 30",
	}})
	// The server closes first: Connection: close from the client.
	c, err := s.Dial()
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	io.Copy(io.Discard, c)
	c.Close()

	// Both children held by keep-alive connections; the status requests go
	// over one of them, so the next client waits in the accept queue.
	s.HoldKeepAlive(t, "/index.html", 5*time.Second)
	statusConn := s.HoldKeepAlive(t, "/index.html", 5*time.Second)
	queued, err := s.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer queued.Close()
	io.WriteString(queued, "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")

	port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]
	var auto map[string]string
	mpmtest.WaitFor(t, 10*time.Second, "TIME_WAIT ≥ 1 and the queued connection in the view", func() bool {
		resp, err := statusConn.Do("/server-status?auto", 5*time.Second)
		if err != nil || resp.StatusCode != 200 {
			return false
		}
		body, _ := io.ReadAll(resp.Body)
		auto = mpmtest.ParseAuto(body)
		return atoi(auto["TCPTimeWait"]) >= 1 && strings.HasPrefix(auto["ListenQueue_127.0.0.1:"+port], "1/")
	})
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

// TestListenerBuckets: with ListenCoresBucketsRatio, every Listen gets one
// SO_REUSEPORT socket per bucket, and each bucket's socket is served by
// that bucket's children: every one of 60 new connections, which the
// kernel spreads over the sockets, is answered; the status page shows one
// accept queue per bucket; a graceful restart keeps the sockets.
func TestListenerBuckets(t *testing.T) {
	cpus := runtime.NumCPU()
	if cpus < 2 {
		t.Skip("listener buckets need at least 2 CPUs")
	}
	ratio := cpus / 2
	nb := cpus / ratio
	for _, engine := range []string{"prefork", "event"} {
		t.Run(engine, func(t *testing.T) {
			s := mpmtest.Start(t, mpmtest.Options{MPM: engine, Directives: []string{
				"ListenCoresBucketsRatio " + strconv.Itoa(ratio), "StartServers 2", "ServerLimit 16",
				"ThreadsPerChild 4", "MinSpareServers 2", "MaxSpareServers 8", "KeepAlive Off",
			}})
			port, _ := strconv.Atoi(s.Addr[strings.LastIndexByte(s.Addr, ':')+1:])
			if c, err := listener.CountLocal(port); err != nil || c[listener.StateListen] != nb {
				t.Fatalf("listening sockets on port %d = %v (%v), want %d", port, c[listener.StateListen], err, nb)
			}
			serveAll := func(when string) {
				t.Helper()
				for i := range 60 {
					if code, _, err := s.Get("/index.html"); err != nil || code != 200 {
						t.Fatalf("%s: request %d on a new connection: %d %v", when, i, code, err)
					}
				}
			}
			serveAll("first generation")
			auto, err := s.StatusAuto()
			if err != nil {
				t.Fatal(err)
			}
			for b := range nb {
				key := fmt.Sprintf("ListenQueue_%s#%d", s.Addr, b)
				if _, ok := auto[key]; !ok {
					t.Errorf("?auto lacks %s: %v", key, auto)
				}
			}
			s.Signal(syscall.SIGUSR1)
			mpmtest.WaitFor(t, 20*time.Second, "generation 1", func() bool {
				auto, err := s.StatusAuto()
				return err == nil && auto["ParentServerMPMGeneration"] == "1"
			})
			if c, err := listener.CountLocal(port); err != nil || c[listener.StateListen] != nb {
				t.Errorf("listening sockets after the restart = %v (%v), want %d", c[listener.StateListen], err, nb)
			}
			serveAll("after a graceful restart")
		})
	}
}

// TestGracefulStopIdleConnections: a graceful stop of the server (WINCH)
// closes the event engine's idle keep-alive connections at once, as
// Apache's event MPM does, so the server exits well before
// KeepAliveTimeout (after the 2 s of a short lingering close at most).
func TestGracefulStopIdleConnections(t *testing.T) {
	s := mpmtest.Start(t, mpmtest.Options{MPM: "event", Directives: []string{"KeepAliveTimeout 30"}})
	k := s.HoldKeepAlive(t, "/index.html", 5*time.Second)
	begin := time.Now()
	s.Signal(syscall.SIGWINCH)
	k.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := k.Conn.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Errorf("idle keep-alive connection after WINCH: read %d, %v; want the server to close it", n, err)
	}
	if err := s.Wait(10 * time.Second); err != nil {
		t.Fatalf("server after WINCH: %v", err)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("graceful stop took %v with one idle connection, want well under KeepAliveTimeout (30 s)", d)
	}
}
