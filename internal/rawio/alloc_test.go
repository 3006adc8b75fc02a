//go:build unix && !race

package rawio

import (
	"net"
	"testing"
)

// TestConnAllocatesNothing: a Read and a Write on a ready socket allocate
// nothing (the callbacks are made once, in New).
func TestConnAllocatesNothing(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peerc := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		peerc <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	peer := <-peerc
	if peer == nil {
		t.Fatal("accept failed")
	}
	defer peer.Close()
	w, r := New(c.(*net.TCPConn)), New(peer.(*net.TCPConn))
	msg, buf := []byte("0123456789"), make([]byte, 10)
	allocs := testing.AllocsPerRun(200, func() {
		if _, err := w.Write(msg); err != nil {
			t.Fatal(err)
		}
		for got := 0; got < len(msg); {
			n, err := r.Read(buf[got:])
			if err != nil {
				t.Fatal(err)
			}
			got += n
		}
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per Write+Read, want 0", allocs)
	}
}
