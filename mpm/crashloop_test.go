package mpm

import (
	"testing"
	"time"
)

// TestCrashGuard drives the crash guard with a fake clock: a burst over
// the budget starts one crash loop, spawns are then spaced out with a
// doubling delay up to the cap, and a quiet period ends it.
func TestCrashGuard(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	type step struct {
		name    string
		at      time.Duration
		crash   bool // else: try to spawn
		started bool // crash: the loop starts now
		allowed bool // spawn: allowed
		delay   time.Duration
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"within the budget nothing is throttled", []step{
			{name: "crash 1", at: 0, crash: true},
			{name: "crash 2", at: time.Second, crash: true},
			{name: "crash 3", at: 2 * time.Second, crash: true},
			{name: "respawn", at: 2 * time.Second, allowed: true},
		}},
		{"crashes spread beyond the window are no loop", []step{
			{name: "crash 1", at: 0, crash: true},
			{name: "crash 2", at: 5 * time.Second, crash: true},
			{name: "crash 3", at: 10 * time.Second, crash: true},
			{name: "crash 4", at: 15 * time.Second, crash: true},
			{name: "respawn", at: 15 * time.Second, allowed: true},
		}},
		{"a burst starts one loop with a doubling delay", []step{
			{name: "crash 1", at: 0, crash: true},
			{name: "crash 2", at: 10 * time.Millisecond, crash: true},
			{name: "crash 3", at: 20 * time.Millisecond, crash: true},
			{name: "crash 4 starts the loop", at: 30 * time.Millisecond, crash: true, started: true, delay: time.Second},
			{name: "too early", at: 500 * time.Millisecond, delay: time.Second},
			{name: "after the delay", at: 1030 * time.Millisecond, allowed: true, delay: time.Second},
			{name: "right after a spawn", at: 1040 * time.Millisecond, delay: time.Second},
			{name: "crash doubles", at: 1100 * time.Millisecond, crash: true, delay: 2 * time.Second},
			{name: "crash doubles again", at: 1200 * time.Millisecond, crash: true, delay: 4 * time.Second},
			{name: "still waiting", at: 5 * time.Second, delay: 4 * time.Second},
			{name: "allowed", at: 5200 * time.Millisecond, allowed: true, delay: 4 * time.Second},
			{name: "crash doubles to the cap", at: 6 * time.Second, crash: true, delay: 8 * time.Second},
			{name: "capped", at: 7 * time.Second, crash: true, delay: 8 * time.Second},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &crashGuard{budget: 3, window: 10 * time.Second, first: time.Second, max: 8 * time.Second}
			for _, s := range tt.steps {
				now := at(s.at)
				if s.crash {
					if got := g.crash(now); got != s.started {
						t.Fatalf("%s: crash() = %v, want %v", s.name, got, s.started)
					}
				} else {
					got := g.allow(now)
					if got != s.allowed {
						t.Fatalf("%s: allow() = %v, want %v (wait %s)", s.name, got, s.allowed, g.wait(now))
					}
					if got {
						g.spawned(now)
					}
				}
				if g.delay != s.delay {
					t.Fatalf("%s: delay %s, want %s", s.name, g.delay, s.delay)
				}
			}
		})
	}
}

// TestCrashGuardRecovers: the loop ends once no child crashed for twice
// the longest delay, and the budget starts afresh.
func TestCrashGuardRecovers(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	g := &crashGuard{budget: 1, window: 10 * time.Second, first: time.Second, max: 8 * time.Second}
	g.crash(t0)
	if !g.crash(t0.Add(time.Millisecond)) {
		t.Fatal("second crash within the window did not start the loop (budget 1)")
	}
	if g.recovered(t0.Add(15 * time.Second)) {
		t.Fatal("recovered after 15 s of quiet, want 16 s")
	}
	if w := g.wait(t0.Add(500 * time.Millisecond)); w != 501*time.Millisecond {
		t.Errorf("wait = %s, want 501ms", w)
	}
	if !g.recovered(t0.Add(17 * time.Second)) {
		t.Fatal("not recovered after 17 s of quiet")
	}
	if g.throttled() || !g.allow(t0.Add(17*time.Second)) {
		t.Fatal("still throttled after recovering")
	}
	if g.crash(t0.Add(18 * time.Second)) {
		t.Fatal("the first crash after recovering started a loop: the budget must start afresh")
	}
}
