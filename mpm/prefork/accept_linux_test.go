package prefork

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm"
)

// sharedListeners returns n listeners on one listening socket, as n
// prefork children see it.
func sharedListeners(t *testing.T, n int) (string, []net.Listener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var lns []net.Listener
	for range n {
		f, err := ln.(*net.TCPListener).File()
		if err != nil {
			t.Fatal(err)
		}
		l, err := net.FileListener(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, l)
	}
	return ln.Addr().String(), lns
}

// acceptorKinds are Linux's two acceptors: newAcceptor's (the runtime's
// poller) and its fallback with an epoll instance of its own.
var acceptorKinds = []struct {
	name string
	new  func([]net.Listener) (acceptor, error)
}{
	{"poll", newAcceptor},
	{"epoll", newEpollAcceptor},
}

// TestEpollAcceptorShared: several acceptors (children) on one socket
// accept each connection exactly once, and Close wakes the ones waiting.
func TestEpollAcceptorShared(t *testing.T) {
	for _, k := range acceptorKinds {
		t.Run(k.name, func(t *testing.T) { testAcceptorShared(t, k.new) })
	}
}

func testAcceptorShared(t *testing.T, newAcceptor func([]net.Listener) (acceptor, error)) {
	const children, conns = 4, 12
	addr, lns := sharedListeners(t, children)
	accs := make([]acceptor, children)
	got := make(chan *net.TCPConn, conns)
	done := make(chan error, children)
	for i, ln := range lns {
		acc, err := newAcceptor([]net.Listener{ln})
		if err != nil {
			t.Fatal(err)
		}
		accs[i] = acc
		go func() {
			for {
				c, err := acc.Accept()
				if err != nil {
					done <- err
					return
				}
				got <- c
			}
		}()
	}
	for range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	for i := range conns {
		select {
		case c := <-got:
			c.Close()
		case <-time.After(10 * time.Second):
			t.Fatalf("accepted %d of %d connections", i, conns)
		}
	}
	select {
	case c := <-got:
		t.Fatalf("a connection was accepted twice: %v", c.RemoteAddr())
	case <-time.After(50 * time.Millisecond):
	}
	for _, acc := range accs {
		acc.Close()
	}
	for range children {
		select {
		case err := <-done:
			if !errors.Is(err, mpm.ErrAcceptorClosed) {
				t.Fatalf("Accept after Close: %v, want ErrAcceptorClosed", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Close did not wake a blocked Accept")
		}
	}
}

// TestEpollAcceptorSeveralListeners accepts from each of two listeners
// (two Listen lines), and Close before any Accept releases everything.
func TestEpollAcceptorSeveralListeners(t *testing.T) {
	for _, k := range acceptorKinds {
		t.Run(k.name, func(t *testing.T) { testAcceptorSeveralListeners(t, k.new) })
	}
}

func testAcceptorSeveralListeners(t *testing.T, newAcceptor func([]net.Listener) (acceptor, error)) {
	var lns []net.Listener
	for range 2 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
	}
	addrs := []string{lns[0].Addr().String(), lns[1].Addr().String()}
	acc, err := newAcceptor(lns)
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range addrs {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		sc, err := acc.Accept()
		if err != nil {
			t.Fatalf("Accept for %s: %v", addr, err)
		}
		if sc.LocalAddr().String() != addr {
			t.Errorf("accepted on %s, want %s", sc.LocalAddr(), addr)
		}
		sc.Close()
	}
	acc.Close()
	if _, err := acc.Accept(); !errors.Is(err, mpm.ErrAcceptorClosed) {
		t.Fatalf("Accept after Close: %v", err)
	}
}
