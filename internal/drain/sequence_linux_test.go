package drain_test

import (
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/internal/drain"
	"github.com/gohttpd/gohttpd/mpm"
	"github.com/gohttpd/gohttpd/site/health"
)

// TestDrainSequence wires the pieces as docs/deploy.md tells the
// integrator to: a WINCH makes a "child" (a fasthttp server whose health
// handler reads another mapping of the scoreboard) answer 503 at once,
// while its listener still accepts and serves; the WINCH reaches the master
// only after the delay.
func TestDrainSequence(t *testing.T) {
	board, err := mpm.NewScoreboard(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer board.Close()
	dup, err := syscall.Dup(int(board.File().Fd()))
	if err != nil {
		t.Fatal(err)
	}
	childBoard, err := mpm.Attach(os.NewFile(uintptr(dup), "board"))
	if err != nil {
		t.Fatal(err)
	}
	defer childBoard.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: health.New(childBoard.Draining)}
	go srv.Serve(ln)
	defer srv.Shutdown()
	probe := func() int {
		t.Helper()
		status, _, err := fasthttp.GetTimeout(nil, "http://"+ln.Addr().String()+"/healthz", 5*time.Second)
		if err != nil {
			t.Fatalf("probe: %v", err)
		}
		return status
	}
	if s := probe(); s != 200 {
		t.Fatalf("serving: health %d, want 200", s)
	}

	const delay = 400 * time.Millisecond
	in, out := make(chan os.Signal, 4), make(chan os.Signal, 4)
	defer close(in)
	go drain.Relay(in, out, func() time.Duration { return delay }, drain.Hooks{
		Drain: func() { board.SetDraining(true) },
	})
	began := time.Now()
	in <- syscall.SIGWINCH
	deadline := time.Now().Add(5 * time.Second)
	for probe() != 503 {
		if time.Now().After(deadline) {
			t.Fatal("health never turned 503 after WINCH")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case sig := <-out:
		t.Fatalf("%v reached the master after %v, before the drain delay", sig, time.Since(began))
	default:
	}
	// Still accepting: a new connection is served (503 from health, but
	// served, not refused).
	if s := probe(); s != 503 {
		t.Fatalf("draining: health %d, want 503", s)
	}
	select {
	case sig := <-out:
		if sig != syscall.SIGWINCH || time.Since(began) < delay {
			t.Fatalf("%v forwarded after %v, want SIGWINCH after %v", sig, time.Since(began), delay)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WINCH never reached the master")
	}
}
