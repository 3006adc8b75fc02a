//go:build unix && !race

package rawio

import "testing"

// TestConnAllocatesNothing: a Read and a Write on a ready socket allocate
// nothing (the callbacks are made once, in New).
func TestConnAllocatesNothing(t *testing.T) {
	c, peer := tcpPair(t)
	w, r := New(c), New(peer)
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
