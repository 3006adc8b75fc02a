package prefork

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm"
)

// TestNewAcceptorUsesRuntimePoller: on Linux a child waits for
// connections in the Go runtime's poller (the fallback, an epoll instance
// of its own, blocks the thread in a system call).
func TestNewAcceptorUsesRuntimePoller(t *testing.T) {
	_, lns := sharedListeners(t, 1)
	acc, err := newAcceptor(lns)
	if err != nil {
		t.Fatal(err)
	}
	defer acc.Close()
	if _, ok := acc.(*pollAcceptor); !ok {
		t.Fatalf("newAcceptor = %T, want *pollAcceptor", acc)
	}
}

// acceptOne accepts one connection on acc within a deadline.
func acceptOne(t *testing.T, acc acceptor, what string) *net.TCPConn {
	t.Helper()
	got := make(chan *net.TCPConn, 1)
	errc := make(chan error, 1)
	go func() {
		c, err := acc.Accept()
		if err != nil {
			errc <- err
			return
		}
		got <- c
	}()
	select {
	case c := <-got:
		return c
	case err := <-errc:
		t.Fatalf("%s: %v", what, err)
	case <-time.After(5 * time.Second):
		acc.Close() // ends the Accept
		t.Fatalf("%s: no connection within 5 s", what)
	}
	return nil
}

// TestPollAcceptorBusyChildTakesNoWakeup: a child serving a connection
// (not in Accept) must not take the exclusive wake-up of a new
// connection, or the connection waits for the end of that child's
// keep-alive connection while another child sits idle. Both acceptors
// here share one runtime poller, where a registration left behind by the
// busy one would take every wake-up.
func TestPollAcceptorBusyChildTakesNoWakeup(t *testing.T) {
	addr, lns := sharedListeners(t, 2)
	busy, err := newAcceptor(lns[:1])
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	idle, err := newAcceptor(lns[1:])
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	// busy waits (registers), accepts one connection, then serves it.
	wait := make(chan *net.TCPConn, 1)
	go func() {
		c, err := busy.Accept()
		if err == nil {
			wait <- c
		}
	}()
	bfd := busy.(*pollAcceptor).fds[0]
	waitFor(t, "the busy child waiting in the poller", func() bool { return inPoller(bfd) })
	c0, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c0.Close()
	select {
	case c := <-wait:
		defer c.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("the first connection was not accepted")
	}
	if inPoller(bfd) {
		t.Fatal("the busy child's listener is still in the runtime's poller")
	}
	for i := range 5 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		acceptOne(t, idle, "idle child, connection "+string(rune('1'+i))).Close()
		c.Close()
	}
}

// TestPollAcceptorWaitsOnEveryListener: an Accept already waiting wakes
// for a connection on its second listener (registered with the first
// one's poll descriptor), and Close wakes a waiting Accept.
func TestPollAcceptorWaitsOnEveryListener(t *testing.T) {
	var lns []net.Listener
	for range 2 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
	}
	second := lns[1].Addr().String()
	acc, err := newAcceptor(lns)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan *net.TCPConn, 1)
	go func() {
		if c, err := acc.Accept(); err == nil {
			got <- c
		}
	}()
	c, err := net.Dial("tcp", second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	select {
	case sc := <-got:
		if sc.LocalAddr().String() != second {
			t.Errorf("accepted on %s, want %s", sc.LocalAddr(), second)
		}
		sc.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("a connection on the second listener did not wake Accept")
	}
	done := make(chan error, 1)
	go func() {
		_, err := acc.Accept()
		done <- err
	}()
	acc.Close()
	select {
	case err := <-done:
		if !errors.Is(err, mpm.ErrAcceptorClosed) {
			t.Fatalf("Accept after Close: %v, want ErrAcceptorClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not wake a waiting Accept")
	}
}

// inPoller reports whether fd is registered in an epoll instance of this
// process (the runtime's poller).
func inPoller(fd int) bool {
	_, _, err := runtimeEpoll(fd)
	return err == nil
}

// waitFor waits up to 5 s for cond.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
