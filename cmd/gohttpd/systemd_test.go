package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// notifySocket is a fake systemd notification socket: it records every
// datagram the master sends.
type notifySocket struct {
	path string
	mu   sync.Mutex
	msgs []string
}

func newNotifySocket(t *testing.T) *notifySocket {
	t.Helper()
	return newNotifySocketIn(t, t.TempDir())
}

// newNotifySocketIn makes the socket in dir, writable by anyone as
// systemd's /run/systemd/notify is (a -X process sends as User).
func newNotifySocketIn(t *testing.T, dir string) *notifySocket {
	t.Helper()
	n := &notifySocket{path: filepath.Join(dir, "notify")}
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: n.path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(n.path, 0o777); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { // owner: the test; ends when c closes at cleanup
		defer close(done)
		buf := make([]byte, 4096)
		for {
			k, _, err := c.ReadFromUnix(buf)
			if err != nil {
				return
			}
			n.mu.Lock()
			n.msgs = append(n.msgs, string(buf[:k]))
			n.mu.Unlock()
		}
	}()
	t.Cleanup(func() { c.Close(); <-done })
	return n
}

// count returns how many messages so far contain s.
func (n *notifySocket) count(s string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	k := 0
	for _, m := range n.msgs {
		if strings.Contains(m, s) {
			k++
		}
	}
	return k
}

func (n *notifySocket) all() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return strings.Join(n.msgs, " | ")
}

// getClose fetches url on a new connection: status, body and the
// Connection header.
func getClose(url string) (int, string, string, error) {
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	conn := resp.Header.Get("Connection")
	if resp.Close {
		conn = "close"
	}
	return resp.StatusCode, string(b), conn, nil
}

// TestDrainAndNotifyThroughBinary: under a (fake) systemd the master says
// READY=1 once it serves, STATUS= every second, RELOADING=1 and READY=1
// again around a graceful restart, and STOPPING=1 at a graceful stop
// (WINCH). The stop drains first: the health handler answers 503 at
// once, new connections are still accepted and served (with Connection:
// close) for GracefulStopDrainDelay, then the server stops gracefully.
func TestDrainAndNotifyThroughBinary(t *testing.T) {
	for _, mpmName := range []string{"event", "prefork", "worker"} {
		t.Run(mpmName, func(t *testing.T) { testDrainAndNotify(t, mpmName) })
	}
}

func testDrainAndNotify(t *testing.T, mpmName string) {
	n := newNotifySocket(t)
	t.Setenv("NOTIFY_SOCKET", n.path)
	const delay = 2 * time.Second
	s := mpmtest.Start(t, mpmtest.Options{MPM: mpmName, Directives: []string{
		"GracefulStopDrainDelay 2",
		"<Location /healthz>",
		"    SetHandler health",
		"</Location>",
	}})
	mpmtest.WaitFor(t, 10*time.Second, "READY=1 and a STATUS= line", func() bool {
		return n.count("READY=1") == 1 && n.count("STATUS=Total requests: ") > 0
	})
	if code, body, _, err := getClose(s.URL("/healthz")); err != nil || code != 200 || body != "OK\n" {
		t.Fatalf("/healthz while serving: %d %q %v", code, body, err)
	}
	if env, _ := os.ReadFile("/proc/" + strconv.Itoa(s.Children()[0]) + "/environ"); strings.Contains(string(env), "NOTIFY_SOCKET=") {
		t.Error("a child inherited NOTIFY_SOCKET")
	}

	s.Signal(syscall.SIGUSR1)
	mpmtest.WaitFor(t, 10*time.Second, "RELOADING=1 then READY=1 again", func() bool {
		return n.count("RELOADING=1") == 1 && n.count("READY=1") == 2
	})
	if !strings.Contains(n.all(), "MONOTONIC_USEC=") {
		t.Errorf("RELOADING=1 without MONOTONIC_USEC: %s", n.all())
	}

	start := time.Now()
	s.Signal(syscall.SIGWINCH)
	mpmtest.WaitFor(t, 5*time.Second, "STOPPING=1", func() bool { return n.count("STOPPING=1") == 1 })
	mpmtest.WaitFor(t, 5*time.Second, "the health check to fail", func() bool {
		code, body, _, err := getClose(s.URL("/healthz"))
		return err == nil && code == 503 && body == "draining\n"
	})
	code, _, conn, err := getClose(s.URL("/index.html"))
	if time.Since(start) < delay-200*time.Millisecond {
		if err != nil || code != 200 || conn != "close" {
			t.Errorf("during the drain delay: %d (Connection: %s) %v, want 200 with Connection: close", code, conn, err)
		}
	}
	if err := s.Wait(30 * time.Second); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}
	if d := time.Since(start); d < delay {
		t.Errorf("the server stopped %v after WINCH, before GracefulStopDrainDelay %v", d, delay)
	}
}

// TestSocketActivationThroughBinary: started as systemd does with socket
// activation (LISTEN_PID, LISTEN_FDS, the socket as descriptor 3), the
// master serves the Listen line the passed socket matches on that very
// socket (connections queued before it started are answered), and a
// passed socket no Listen names stops the start with an error.
func TestSocketActivationThroughBinary(t *testing.T) {
	bin := mpmtest.Binary(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// A client that connects before gohttpd runs waits in the backlog.
	early, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer early.Close()
	ln.Close() // the passed descriptor (f) keeps the socket

	dir := mpmtest.ReadableTempDir(t)
	mkfiles(t, dir, map[string]string{"htdocs/index.html": "activated\n"})
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := strings.Join([]string{
		"ServerRoot " + dir,
		"ServerName activation",
		"Listen 127.0.0.1:" + strconv.Itoa(port),
		"DocumentRoot htdocs",
		"ErrorLog logs/error_log",
		"PidFile logs/httpd.pid",
	}, "\n") + "\n"
	file := filepath.Join(dir, "httpd.conf")
	if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	start := func(conf string, extra *os.File) (*exec.Cmd, <-chan error) {
		cmd := exec.Command("/bin/sh", "-c", `LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" -f "$1"`, bin, conf)
		cmd.ExtraFiles = []*os.File{extra}
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		out, _ := os.Create(conf + ".stderr")
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		out.Close()
		done := make(chan error, 1)
		exited := make(chan struct{})
		go func() { done <- cmd.Wait(); close(exited) }()
		t.Cleanup(func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(15 * time.Second):
				_ = cmd.Process.Kill()
			}
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		})
		return cmd, done
	}
	_, done := start(file, f)
	_ = early.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := early.Write([]byte("GET /index.html HTTP/1.0\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(early)
	if !strings.HasPrefix(string(b), "HTTP/1.1 200 OK") || !strings.HasSuffix(string(b), "activated\n") {
		t.Errorf("the connection queued before start got %q", b)
	}
	code, body, _, err := getClose("http://127.0.0.1:" + strconv.Itoa(port) + "/index.html")
	if err != nil || code != 200 || body != "activated\n" {
		t.Errorf("GET: %d %q %v", code, body, err)
	}
	mpmtest.WaitFor(t, 10*time.Second, "the warning about the passed socket", func() bool {
		el, _ := os.ReadFile(filepath.Join(dir, "logs", "error_log"))
		return strings.Contains(string(el), "using the socket passed by systemd for 127.0.0.1:"+strconv.Itoa(port))
	})
	select {
	case err := <-done:
		t.Fatalf("gohttpd exited: %v", err)
	default:
	}

	// A passed socket that no Listen names.
	other, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	of, _ := other.(*net.TCPListener).File()
	other.Close()
	defer of.Close()
	conf2 := filepath.Join(dir, "other.conf")
	c2 := strings.Replace(conf, "Listen 127.0.0.1:"+strconv.Itoa(port), "Listen 127.0.0.1:0", 1)
	c2 = strings.Replace(c2, "logs/httpd.pid", "logs/other.pid", 1)
	if err := os.WriteFile(conf2, []byte(c2), 0o644); err != nil {
		t.Fatal(err)
	}
	_, done2 := start(conf2, of)
	select {
	case err := <-done2:
		out, _ := os.ReadFile(conf2 + ".stderr")
		if err == nil || !strings.Contains(string(out), "systemd passed sockets that no Listen directive names") {
			t.Errorf("unclaimed socket: %v\n%s", err, out)
		}
	case <-time.After(15 * time.Second):
		t.Error("gohttpd started with a passed socket no Listen names")
	}
}
