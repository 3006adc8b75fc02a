package mpm

import (
	"errors"
	"net"
	"testing"
	"time"
)

// TestAcceptorSeveralListeners accepts from each of several listeners,
// IPv4 and IPv6, in turn: the path prefork and worker take with more than
// one Listen line.
func TestAcceptorSeveralListeners(t *testing.T) {
	var lns []net.Listener
	for _, addr := range []string{"127.0.0.1:0", "127.0.0.1:0", "[::1]:0"} {
		network := "tcp4"
		if addr[0] == '[' {
			network = "tcp6"
		}
		ln, err := net.Listen(network, addr)
		if err != nil {
			if network == "tcp6" {
				t.Logf("no IPv6 loopback: %v", err)
				continue
			}
			t.Fatal(err)
		}
		lns = append(lns, ln)
	}
	addrs := make([]string, len(lns))
	for i, ln := range lns {
		addrs[i] = ln.Addr().String()
	}
	acc, err := NewAcceptor(lns)
	if err != nil {
		t.Fatal(err)
	}
	defer acc.Close()
	for round := 0; round < 2; round++ {
		for _, addr := range addrs {
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			got, err := acc.Accept()
			if err != nil {
				c.Close()
				t.Fatalf("Accept for %s: %v", addr, err)
			}
			if got.LocalAddr().String() != addr {
				t.Errorf("accepted on %s, dialled %s", got.LocalAddr(), addr)
			}
			got.Close()
			c.Close()
		}
	}
	done := make(chan error, 1)
	go func() { _, err := acc.Accept(); done <- err }()
	acc.Close()
	select {
	case err := <-done:
		if !errors.Is(err, ErrAcceptorClosed) {
			t.Fatalf("Accept after Close: %v, want ErrAcceptorClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not wake a blocked Accept")
	}
}
