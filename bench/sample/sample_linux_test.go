package sample

import (
	"context"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// listenBacklog opens a loopback listener with the given backlog that
// never accepts.
func listenBacklog(t *testing.T, backlog int) (fd, port int) {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, backlog); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fd, sa.(*unix.SockaddrInet4).Port
}

func TestSamplerOnSelf(t *testing.T) {
	_, port := listenBacklog(t, 8)
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := Start(context.Background(), Config{ServerPID: os.Getpid(), Port: port, Interval: 20 * time.Millisecond,
		Load: func() (int64, int64) { return 7, 1 }})
	// Wait for a sample taken 60 ms in (three ticks at 20 ms; a loaded
	// machine may take longer), not for a fixed time.
	for deadline := time.Now().Add(10 * time.Second); s.Last().T < 0.06 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	ss := s.Stop()
	if len(ss) < 3 {
		t.Fatalf("Stop() = %d samples after %.3f s at 20 ms, want at least 3", len(ss), ss[len(ss)-1].T)
	}
	last := ss[len(ss)-1]
	if last.RSS <= 0 || last.PSS <= 0 || last.Processes < 1 {
		t.Errorf("last sample memory = RSS %d PSS %d in %d processes, want > 0", last.RSS, last.PSS, last.Processes)
	}
	if last.ServerTCP["LISTEN"] != 1 || last.ServerTCP["ESTABLISHED"] != 1 || last.ClientTCP["ESTABLISHED"] != 1 {
		t.Errorf("last sample TCP = server %v client %v, want one LISTEN and one ESTABLISHED each side", last.ServerTCP, last.ClientTCP)
	}
	if last.AcceptQueue != 1 || last.Backlog != 8 {
		t.Errorf("last sample accept queue = %d/%d, want 1/8", last.AcceptQueue, last.Backlog)
	}
	if last.Requests != 7 || last.Failed != 1 {
		t.Errorf("last sample load = %d/%d, want 7/1", last.Requests, last.Failed)
	}
	if last.Workers.Busy != -1 {
		t.Errorf("workers without a source = %+v, want -1 counts", last.Workers)
	}
}

// TestSocketBudget: a periodic sample within the budget's pause carries
// the last socket counts forward (with their time); Take always dumps.
func TestSocketBudget(t *testing.T) {
	_, port := listenBacklog(t, 8)
	s := Start(context.Background(), Config{Port: port, Interval: time.Hour})
	defer s.Stop()
	first := s.Last()
	if first.ServerTCP["LISTEN"] != 1 {
		t.Fatalf("first sample TCP = %v, want one LISTEN", first.ServerTCP)
	}
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s.mu.Lock()
	s.nextDump = time.Now().Add(time.Hour)
	s.mu.Unlock()
	skipped := s.take(true)
	if skipped.TCPT != first.TCPT || skipped.ServerTCP["ESTABLISHED"] != 0 {
		t.Errorf("budgeted sample = %v read at %g, want the first sample's counts (read at %g) carried forward", skipped.ServerTCP, skipped.TCPT, first.TCPT)
	}
	if skipped.AcceptQueue != 1 {
		t.Errorf("budgeted sample accept queue = %d, want 1 (read every time)", skipped.AcceptQueue)
	}
	full := s.Take()
	if full.TCPT <= first.TCPT || full.ServerTCP["ESTABLISHED"] != 1 || full.ClientTCP["ESTABLISHED"] != 1 {
		t.Errorf("Take = server %v client %v read at %g, want a fresh dump with the new connection", full.ServerTCP, full.ClientTCP, full.TCPT)
	}
	// A handful of sockets is cheap: periodic samples dump every time.
	s.mu.Lock()
	next := s.nextDump
	s.mu.Unlock()
	if !next.IsZero() {
		t.Errorf("after a dump of 3 sockets the next periodic dump waits until %v, want no wait", next)
	}
}
