package worker_test

import (
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

func TestMain(m *testing.M) { os.Exit(mpmtest.Main(m)) }

func TestConformance(t *testing.T) { mpmtest.Run(t, "worker") }

func start(t *testing.T, directives ...string) *mpmtest.Server {
	return mpmtest.Start(t, mpmtest.Options{MPM: "worker", Directives: append([]string{"LogLevel debug"}, directives...)})
}

// TestIdleKeepAliveHoldsWorkers: four idle keep-alive connections hold all
// four workers, so a fifth client waits until KeepAliveTimeout frees one.
// (The event engine serves the fifth at once; the bench compares them.)
func TestIdleKeepAliveHoldsWorkers(t *testing.T) {
	s := start(t, "StartServers 1", "ServerLimit 1", "ThreadsPerChild 4", "MaxRequestWorkers 4",
		"MinSpareThreads 1", "MaxSpareThreads 8", "KeepAliveTimeout 3")
	for range 4 {
		s.HoldKeepAlive(t, "/index.html", 5*time.Second)
	}
	fifth := s.DialKeepAlive(t)
	sent := time.Now()
	if err := fifth.Send("/index.html"); err != nil {
		t.Fatal(err)
	}
	if resp, err := fifth.Read(time.Second); err == nil {
		t.Fatalf("fifth client served at once (%d) while 4 idle keep-alive connections hold every worker", resp.StatusCode)
	}
	resp, err := fifth.Read(10 * time.Second)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("fifth client after the keep-alive timeout: %v %v", resp, err)
	}
	if waited := time.Since(sent); waited < 2*time.Second {
		t.Errorf("fifth client waited %s, want about KeepAliveTimeout (3s)", waited)
	}
}

// TestSpareThreads: below MinSpareThreads a whole child is added; above
// MaxSpareThreads one is retired.
func TestSpareThreads(t *testing.T) {
	// MaxSpareThreads is raised to MinSpareThreads+ThreadsPerChild+1 = 7.
	s := start(t, "StartServers 1", "ServerLimit 4", "ThreadsPerChild 4", "MaxRequestWorkers 16",
		"MinSpareThreads 2", "MaxSpareThreads 7", "KeepAliveTimeout 30")
	var held []*mpmtest.KeepAliveClient
	for range 3 {
		held = append(held, s.HoldKeepAlive(t, "/index.html", 5*time.Second))
	}
	mpmtest.WaitFor(t, 15*time.Second, "a second child", func() bool { return len(s.Children()) == 2 })
	for _, k := range held {
		k.Conn.Close()
	}
	mpmtest.WaitFor(t, 15*time.Second, "a pass that retires a child", func() bool {
		for _, m := range s.Maintenances() {
			if m.Retire >= 0 {
				return true
			}
		}
		return false
	})
	mpmtest.WaitFor(t, 15*time.Second, "one child again", func() bool { return len(s.Children()) == 1 })
}

// TestClamping: MaxRequestWorkers 150 with ThreadsPerChild 16 becomes 144
// with Apache's warning.
func TestClamping(t *testing.T) {
	out, err := exec.Command(mpmtest.Binary(t), "-t", "-S", "-c", "MPM worker", "-c", "ThreadsPerChild 16",
		"-c", "MaxRequestWorkers 150").CombinedOutput()
	if err != nil {
		t.Fatalf("gohttpd -t: %v\n%s", err, out)
	}
	want := "WARNING: MaxRequestWorkers of 150 is not an integer multiple of ThreadsPerChild of 16, decreasing to nearest multiple 144, for a maximum of 9 servers."
	if !strings.Contains(string(out), want) {
		t.Errorf("gohttpd -t output lacks %q:\n%s", want, out)
	}
	if !strings.Contains(string(out), "MaxRequestWorkers:") || !strings.Contains(string(out), " 144\n") {
		t.Errorf("-S does not show MaxRequestWorkers 144:\n%s", out)
	}
}

// TestMaxConnectionsPerChild: the child retires after its connections and
// is replaced; no client sees an error.
func TestMaxConnectionsPerChild(t *testing.T) {
	s := start(t, "StartServers 1", "ServerLimit 2", "ThreadsPerChild 2", "MaxRequestWorkers 2",
		"MinSpareThreads 1", "MaxSpareThreads 3", "MaxConnectionsPerChild 3",
		`LogFormat "%P %U" pidlog`, "CustomLog logs/pid_log pidlog")
	for i := range 7 {
		if code, _, err := s.Get("/index.html"); err != nil || code != 200 {
			t.Fatalf("request %d: %d %v", i, code, err)
		}
	}
	pids := map[string]int{}
	mpmtest.WaitFor(t, 5*time.Second, "7 lines in the access log", func() bool {
		clear(pids)
		n := 0
		for _, l := range s.ReadLog("pid_log") {
			if f := strings.Fields(l); len(f) == 2 && f[1] == "/index.html" {
				pids[f[0]]++
				n++
			}
		}
		return n == 7
	})
	for pid, n := range pids {
		if n > 3 {
			t.Errorf("child %s served %d connections, want at most 3", pid, n)
		}
	}
	if len(pids) < 3 {
		t.Errorf("7 connections were served by %d children, want at least 3", len(pids))
	}
}

// TestKillChildMidRequest: kill -9 of a child affects only its clients.
func TestKillChildMidRequest(t *testing.T) {
	s := start(t, "StartServers 2", "ServerLimit 4", "ThreadsPerChild 2", "MaxRequestWorkers 8",
		"MinSpareThreads 1", "MaxSpareThreads 8")
	slow := mpmtest.StartSlowRead(t, s)
	defer slow.Close()
	busy := s.BusyPIDs(t)
	if len(busy) != 1 {
		t.Fatalf("busy children = %v, want one", busy)
	}
	if err := syscall.Kill(busy[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if n, _ := slow.Rest(); n >= mpmtest.BigSize {
		t.Errorf("the killed child's client got the whole body")
	}
	for i := range 10 {
		if code, _, err := s.Get("/index.html"); err != nil || code != 200 {
			t.Fatalf("request %d after the kill: %d %v", i, code, err)
		}
	}
	mpmtest.WaitFor(t, 10*time.Second, "a replacement child", func() bool {
		return len(s.Children()) >= 2 && !mpmtest.Alive(busy[0])
	})
}
