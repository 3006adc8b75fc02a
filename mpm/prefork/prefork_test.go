package prefork_test

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

func TestMain(m *testing.M) { os.Exit(mpmtest.Main(m)) }

func TestConformance(t *testing.T) { mpmtest.Run(t, "prefork") }

func start(t *testing.T, directives ...string) *mpmtest.Server {
	return mpmtest.Start(t, mpmtest.Options{MPM: "prefork", Directives: append([]string{"LogLevel debug"}, directives...)})
}

// TestRampUp: below MinSpareServers the master spawns 1, 2, 4 ... children
// per maintenance pass.
func TestRampUp(t *testing.T) {
	s := start(t, "StartServers 1", "MinSpareServers 8", "MaxSpareServers 16", "MaxRequestWorkers 32")
	mpmtest.WaitFor(t, 20*time.Second, "a maintenance pass with 8 children and no spawn", func() bool {
		for _, m := range s.Maintenances() {
			if m.Active == 8 && m.Spawn == 0 {
				return true
			}
		}
		return false
	})
	var seq []string
	for _, m := range s.Maintenances() {
		seq = append(seq, fmt.Sprintf("%d+%d", m.Active, m.Spawn))
		if m.Spawn == 0 {
			break
		}
	}
	if got, want := strings.Join(seq, " "), "1+1 2+2 4+4 8+0"; got != want {
		t.Errorf("children+spawned per pass = %s, want %s", got, want)
	}
}

// TestRetirement: idle children above MaxSpareServers go away one per pass.
func TestRetirement(t *testing.T) {
	s := start(t, "StartServers 6", "MinSpareServers 1", "MaxSpareServers 2", "MaxRequestWorkers 8")
	mpmtest.WaitFor(t, 20*time.Second, "the children to settle at MaxSpareServers", func() bool {
		ms := s.Maintenances()
		return len(ms) > 0 && ms[len(ms)-1].Active == 2 && ms[len(ms)-1].Retire == -1
	})
	var counts []int
	for _, m := range s.Maintenances() {
		counts = append(counts, m.Active)
		if m.Retire == -1 {
			break
		}
	}
	if fmt.Sprint(counts) != "[6 5 4 3 2]" {
		t.Errorf("children per pass = %v, want [6 5 4 3 2] (one retirement per pass)", counts)
	}
	mpmtest.WaitFor(t, 10*time.Second, "2 child processes", func() bool { return len(s.Children()) == 2 })
}

// TestMaxRequestWorkers: 6 keep-alive clients against 4 children: 4 are
// served, 2 wait in the backlog (not refused, no 503) and are served once
// a connection ends; the MaxRequestWorkers line is logged once.
func TestMaxRequestWorkers(t *testing.T) {
	s := start(t, "StartServers 4", "MinSpareServers 1", "MaxSpareServers 4", "MaxRequestWorkers 4",
		"KeepAliveTimeout 30")
	var held []*mpmtest.KeepAliveClient
	for range 4 {
		held = append(held, s.HoldKeepAlive(t, "/index.html", 5*time.Second))
	}
	var waiting []*mpmtest.KeepAliveClient
	for range 2 {
		k := s.DialKeepAlive(t)
		if err := k.Send("/index.html"); err != nil {
			t.Fatal(err)
		}
		waiting = append(waiting, k)
	}
	for i, k := range waiting {
		if resp, err := k.Read(time.Second); err == nil {
			t.Fatalf("client %d beyond MaxRequestWorkers got %d at once; want it to wait in the backlog", i, resp.StatusCode)
		}
	}
	mpmtest.WaitFor(t, 10*time.Second, "the MaxRequestWorkers error line", func() bool {
		return strings.Contains(s.ErrorLog(), "server reached MaxRequestWorkers setting")
	})
	// Free two children: the waiting clients are served.
	held[0].Conn.Close()
	held[1].Conn.Close()
	for i, k := range waiting {
		resp, err := k.Read(10 * time.Second)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("waiting client %d: %v %v; want 200 once a child is free", i, resp, err)
		}
	}
	// More passes at the limit do not repeat the line.
	mpmtest.WaitFor(t, 10*time.Second, "two more maintenance passes", func() bool { return len(s.Maintenances()) >= 4 })
	if n := strings.Count(s.ErrorLog(), "server reached MaxRequestWorkers setting"); n != 1 {
		t.Errorf("MaxRequestWorkers line logged %d times, want once", n)
	}
}

// TestMaxConnectionsPerChild: a child exits after exactly 3 connections
// and is replaced; no client sees an error.
func TestMaxConnectionsPerChild(t *testing.T) {
	s := start(t, "StartServers 1", "MinSpareServers 1", "MaxSpareServers 2", "MaxRequestWorkers 1",
		"MaxConnectionsPerChild 3", `LogFormat "%P %U" pidlog`, "CustomLog logs/pid_log pidlog")
	for i := range 7 {
		code, _, err := s.Get(fmt.Sprintf("/index.html?n=%d", i))
		if err != nil || code != 200 {
			t.Fatalf("request %d: %d %v", i, code, err)
		}
	}
	// Every logged request is one connection (the status requests too):
	// the pids come in runs of exactly 3.
	var pids []string
	mpmtest.WaitFor(t, 5*time.Second, "our 7 requests in the access log", func() bool {
		pids = pids[:0]
		ours := 0
		for _, l := range s.ReadLog("pid_log") {
			if f := strings.Fields(l); len(f) == 2 {
				pids = append(pids, f[0])
				if f[1] == "/index.html" {
					ours++
				}
			}
		}
		return ours == 7
	})
	runs := []int{1}
	for i := 1; i < len(pids); i++ {
		if pids[i] == pids[i-1] {
			runs[len(runs)-1]++
		} else {
			runs = append(runs, 1)
		}
	}
	for i, n := range runs {
		if n != 3 && (i != len(runs)-1 || n > 3) {
			t.Fatalf("connections per child = %v (pids %v), want runs of exactly 3", runs, pids)
		}
	}
	if strings.Contains(s.ErrorLog(), "exit signal") || strings.Contains(s.ErrorLog(), "exited with status") {
		t.Errorf("a planned exit was logged as a crash:\n%s", s.ErrorLog())
	}
}

// TestKillChildMidRequest: kill -9 of the child serving a slow transfer
// affects only that client; the slot gets a new child.
func TestKillChildMidRequest(t *testing.T) {
	s := start(t, "StartServers 3", "MinSpareServers 1", "MaxSpareServers 3", "MaxRequestWorkers 3")
	slow := mpmtest.StartSlowRead(t, s)
	defer slow.Close()
	busy := s.BusyPIDs(t)
	if len(busy) != 1 {
		t.Fatalf("busy children = %v, want exactly the one serving the slow reader", busy)
	}
	before := len(s.Children())
	if err := syscall.Kill(busy[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if n, _ := slow.Rest(); n >= mpmtest.BigSize {
		t.Errorf("the killed child's client got the whole body")
	}
	// Everyone else is served, during and after the replacement.
	for i := range 10 {
		if code, _, err := s.Get("/index.html"); err != nil || code != 200 {
			t.Fatalf("request %d after the kill: %d %v", i, code, err)
		}
	}
	mpmtest.WaitFor(t, 10*time.Second, "the killed child to be replaced", func() bool {
		return len(s.Children()) >= before && !mpmtest.Alive(busy[0])
	})
}

// TestSilentClientIsReading: a client that connected and sent nothing
// holds its child in state R, as in Apache (with AcceptFilter none, so
// the kernel hands the connection over at once).
func TestSilentClientIsReading(t *testing.T) {
	s := start(t, "StartServers 2", "MinSpareServers 1", "MaxSpareServers 2", "MaxRequestWorkers 2",
		"AcceptFilter http none")
	c, err := s.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	mpmtest.WaitFor(t, 10*time.Second, "an R on the board", func() bool {
		auto, err := s.StatusAuto()
		return err == nil && strings.Count(auto["Scoreboard"], "R") == 1
	})
}
