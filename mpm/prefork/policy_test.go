package prefork

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/gohttpd/gohttpd/mpm"
)

// sim is a pretend master: children in slots, their state on a real board.
type sim struct {
	board    *mpm.Scoreboard
	children map[int]bool
}

func newSim(t *testing.T, slots int) *sim {
	b, err := mpm.NewScoreboard(slots, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return &sim{board: b, children: map[int]bool{}}
}

func (s *sim) view() mpm.View {
	v := mpm.View{Board: s.board}
	for i := range s.board.ServerLimit() {
		if s.children[i] {
			v.Children = append(v.Children, mpm.ChildInfo{Slot: i, Ready: true})
		} else {
			v.FreeSlots = append(v.FreeSlots, i)
		}
	}
	return v
}

// apply carries out a decision: spawned children start idle; a retired
// one goes away.
func (s *sim) apply(d mpm.Decision) {
	for _, i := range s.view().FreeSlots {
		if d.Spawn == 0 {
			break
		}
		s.children[i] = true
		s.board.Worker(i, 0).SetState(mpm.StateReady)
		d.Spawn--
	}
	if d.Retire >= 0 {
		delete(s.children, d.Retire)
		s.board.Worker(d.Retire, 0).SetState(mpm.StateDead)
	}
}

func (s *sim) setAll(st mpm.State) {
	for i := range s.children {
		s.board.Worker(i, 0).SetState(st)
	}
}

func TestPolicyRampUp(t *testing.T) {
	s := newSim(t, 256)
	p := NewPolicy(Config{StartServers: 1, MinSpareServers: 32, MaxSpareServers: 40, MaxRequestWorkers: 256}, nil)
	s.apply(mpm.Decision{Spawn: p.StartChildren(), Retire: -1})
	var spawned []int
	for range 8 {
		d := p.Maintain(s.view())
		spawned = append(spawned, d.Spawn)
		s.apply(d)
	}
	// From 1 idle child: +1, +2, +4, +8, +16 gives 32 idle, then nothing.
	want := []int{1, 2, 4, 8, 16, 0, 0, 0}
	if !equal(spawned, want) {
		t.Errorf("spawns per pass = %v, want %v", spawned, want)
	}
	if n := len(s.children); n != 32 {
		t.Errorf("children = %d, want 32", n)
	}
}

func TestPolicyRateCapsAt32AndResets(t *testing.T) {
	s := newSim(t, 1024)
	p := NewPolicy(Config{StartServers: 1, MinSpareServers: 1000, MaxSpareServers: 1010, MaxRequestWorkers: 1024}, nil)
	var spawned []int
	for range 8 {
		d := p.Maintain(s.view())
		spawned = append(spawned, d.Spawn)
		s.apply(d)
		s.setAll(mpm.StateBusyWrite) // every child busy: the shortage stays
	}
	if want := []int{1, 2, 4, 8, 16, 32, 32, 32}; !equal(spawned, want) {
		t.Errorf("spawns per pass = %v, want %v", spawned, want)
	}
	// A pass without shortage resets the rate to 1.
	p2 := NewPolicy(Config{MinSpareServers: 1, MaxSpareServers: 1000, MaxRequestWorkers: 1024}, nil)
	for range 5 {
		p2.rate.Double()
	}
	s.setAll(mpm.StateReady)
	if d := p2.Maintain(s.view()); d.Spawn != 0 || p2.rate.Rate() != 1 {
		t.Errorf("no shortage: spawn %d rate %d, want 0 and 1", d.Spawn, p2.rate.Rate())
	}
}

func TestPolicyRetiresOnePerPass(t *testing.T) {
	s := newSim(t, 64)
	p := NewPolicy(Config{StartServers: 20, MinSpareServers: 2, MaxSpareServers: 5, MaxRequestWorkers: 64}, nil)
	s.apply(mpm.Decision{Spawn: 20, Retire: -1})
	var counts []int
	for range 17 {
		d := p.Maintain(s.view())
		if d.Spawn != 0 {
			t.Fatalf("spawned %d while above MaxSpareServers", d.Spawn)
		}
		s.apply(d)
		counts = append(counts, len(s.children))
	}
	for i, n := range counts[:15] {
		if n != 19-i {
			t.Fatalf("children after pass %d = %d, want %d (one retirement per pass): %v", i+1, n, 19-i, counts)
		}
	}
	if counts[16] != 5 {
		t.Errorf("children settle at %d, want MaxSpareServers 5: %v", counts[16], counts)
	}
}

func TestPolicyReachedMaxRequestWorkersLoggedOnce(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	s := newSim(t, 8)
	p := NewPolicy(Config{StartServers: 4, MinSpareServers: 2, MaxSpareServers: 4, MaxRequestWorkers: 4}, log)
	s.apply(mpm.Decision{Spawn: 4, Retire: -1})
	s.setAll(mpm.StateBusyKeepAlive)
	for range 5 {
		if d := p.Maintain(s.view()); d.Spawn != 0 {
			t.Fatalf("spawned %d at MaxRequestWorkers", d.Spawn)
		}
	}
	if n := strings.Count(buf.String(), "server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting"); n != 1 {
		t.Errorf("MaxRequestWorkers line logged %d times, want once:\n%s", n, buf.String())
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
