package listener

import (
	"errors"
	"net"
	"strings"
	"testing"
)

func openSetT(t *testing.T, s *Set, specs []Spec, nb int) [][]*Listener {
	t.Helper()
	b, err := s.Open(specs, nb)
	if err != nil {
		t.Fatalf("Set.Open(%+v, %d) error = %v", specs, nb, err)
	}
	return b
}

func isClosed(ln *Listener) bool {
	f, err := ln.File()
	if err != nil {
		return true
	}
	f.Close()
	return false
}

func port(ln *Listener) int { return ln.Addr().(*net.TCPAddr).Port }

func TestSetKeepsReopensAndCloses(t *testing.T) {
	var opened []int
	s := &Set{Opened: func(ln *Listener, bucket, buckets int) { opened = append(opened, bucket) }}
	t.Cleanup(s.Close)
	a := Spec{Host: "127.0.0.1"}
	b := Spec{Host: "127.0.0.1", Backlog: 64}
	first := openSetT(t, s, []Spec{a, b}, 1)
	if len(first) != 1 || len(first[0]) != 2 {
		t.Fatalf("Open = %d buckets of %d, want 1 of 2", len(first), len(first[0]))
	}
	if len(opened) != 2 {
		t.Errorf("Opened called %d times, want 2", len(opened))
	}
	// A restart that keeps a and drops b: a keeps its socket, b closes.
	second := openSetT(t, s, []Spec{a}, 1)
	if second[0][0] != first[0][0] {
		t.Error("an unchanged Spec got a new socket")
	}
	if isClosed(second[0][0]) {
		t.Error("the kept socket is closed")
	}
	if !isClosed(first[0][1]) {
		t.Error("the socket of a removed Spec stays open")
	}
	if len(opened) != 2 {
		t.Errorf("Opened called %d times after a reuse, want 2", len(opened))
	}
}

func TestSetBucketsSharePort(t *testing.T) {
	s := &Set{}
	t.Cleanup(s.Close)
	spec := Spec{Host: "127.0.0.1", ReusePort: true}
	got := openSetT(t, s, []Spec{spec}, 3)
	if len(got) != 3 {
		t.Fatalf("Open = %d buckets, want 3", len(got))
	}
	for b := 1; b < 3; b++ {
		if got[b][0] == got[0][0] {
			t.Errorf("bucket %d shares bucket 0's socket", b)
		}
		if p, p0 := port(got[b][0]), port(got[0][0]); p != p0 {
			t.Errorf("bucket %d port = %d, want bucket 0's %d", b, p, p0)
		}
	}
}

func TestSetErrorRollsBack(t *testing.T) {
	busy := openT(t, Spec{Host: "127.0.0.1"})
	taken := Spec{Host: "127.0.0.1", Port: port(busy)}
	for _, running := range []bool{false, true} {
		s := &Set{Running: running}
		t.Cleanup(s.Close)
		kept := openSetT(t, s, []Spec{{Host: "127.0.0.1"}}, 1)[0][0]
		var opened []*Listener
		s.Opened = func(ln *Listener, _, _ int) { opened = append(opened, ln) }
		_, err := s.Open([]Spec{{Host: "127.0.0.1"}, {Host: "127.0.0.1", Backlog: 7}, taken}, 1)
		if err == nil {
			t.Fatalf("Open with a taken port: no error")
		}
		if got := strings.Contains(err.Error(), "no listening sockets available"); got == running {
			t.Errorf("Running=%t: error %q names AH00015's ending = %t", running, err, got)
		}
		if isClosed(kept) {
			t.Errorf("Running=%t: a failed Open closed an already open socket", running)
		}
		if len(opened) != 1 {
			t.Fatalf("Running=%t: opened %d new sockets before the error, want 1", running, len(opened))
		}
		if !isClosed(opened[0]) {
			t.Errorf("Running=%t: a socket opened by the failed Open stays open", running)
		}
	}
}

func TestSetForget(t *testing.T) {
	s := &Set{}
	ln := openSetT(t, s, []Spec{{Host: "127.0.0.1"}}, 1)[0][0]
	t.Cleanup(func() { ln.Close() })
	s.Forget()
	s.Close()
	if isClosed(ln) {
		t.Error("Close after Forget closed a socket the set gave away")
	}
	if err := ln.Close(); errors.Is(err, net.ErrClosed) {
		t.Errorf("Close = %v", err)
	}
}
