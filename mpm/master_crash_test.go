package mpm_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm"
	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// states records what the master reports through OnState.
type states struct {
	mu  sync.Mutex
	all []mpm.MasterState
}

func (s *states) add(st mpm.MasterState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.all = append(s.all, st)
}

func (s *states) last() mpm.MasterState {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.all) == 0 {
		return mpm.MasterState{}
	}
	return s.all[len(s.all)-1]
}

// TestMasterCrashLoopIsBounded (issue 12, item 1): children that die at
// start every time (ExitChildSick) make the master log one crash-loop
// error and space out respawns with a doubling delay, so the log grows
// by a bounded number of lines; once children start again the master
// respawns at the normal rate. The old master respawned within the
// budget, then logged a warning per crash and let maintenance respawn.
func TestMasterCrashLoopIsBounded(t *testing.T) {
	sick := filepath.Join(t.TempDir(), "sick")
	if err := os.WriteFile(sick, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	const (
		budget  = 4
		backoff = 100 * time.Millisecond
		capped  = 800 * time.Millisecond
	)
	st := &states{}
	h := newHarnessConfig(t, func(g *mpm.Generation) { g.Policy = &fixedPolicy{n: 2} }, func(m *mpm.Master) {
		m.CrashBudget, m.CrashWindow = budget, 10*time.Second
		m.CrashBackoff, m.CrashBackoffMax = backoff, capped
		m.OnState = st.add
	}, envMode+"=sick", envSickFile+"="+sick)

	mpmtest.WaitFor(t, 10*time.Second, "the crash-loop error", func() bool {
		return strings.Contains(h.logs.String(), "children are crashing")
	})
	loop := time.Now()
	if f := st.last().Failing; !strings.Contains(f, "children are crashing") {
		t.Errorf("state.Failing = %q, want the crash-loop error", f)
	}
	// After the error at most one child still runs; every other crash
	// is of a child spawned after a delay of 100, 200, 400, 800, 800 ms
	// (doubling with each crash, capped): six crashes need at least
	// 2.3 s. Unthrottled they take milliseconds.
	crashesAfterLoop := func() int {
		logs := h.logs.String()
		return strings.Count(logs[strings.Index(logs, "children are crashing"):], "exited with status 7")
	}
	mpmtest.WaitFor(t, 15*time.Second, "six crashes after the crash-loop error", func() bool {
		return crashesAfterLoop() >= 6
	})
	if took, least := time.Since(loop), 2200*time.Millisecond; took < least {
		t.Errorf("six crashes within %s of the crash-loop error, want at least %s (spawns spaced out)", took, least)
	}
	logs := h.logs.String()
	if n := strings.Count(logs, "children are crashing"); n != 1 {
		t.Errorf("crash-loop error logged %d times, want once", n)
	}

	// The cause goes away: children serve, and after a quiet CrashBackoffMax
	// the master respawns at the normal rate (both slots filled).
	if err := os.Remove(sick); err != nil {
		t.Fatal(err)
	}
	h.waitReady(2)
	mpmtest.WaitFor(t, 10*time.Second, "the recovery notice", func() bool {
		return strings.Contains(h.logs.String(), "respawning at the normal rate again")
	})
	if f := st.last().Failing; f != "" {
		t.Errorf("state.Failing = %q after recovering, want empty", f)
	}
	if !st.last().Ready {
		t.Errorf("state.Ready not set with serving children")
	}
}

// spawnAlways asks for one more child in every maintenance pass.
type spawnAlways struct{ fixedPolicy }

func (p *spawnAlways) Maintain(mpm.View) mpm.Decision { return mpm.Decision{Spawn: 1, Retire: -1} }

// TestMasterForkFailuresAreThrottled: a master that cannot start children
// at all (here the executable is missing; in life EAGAIN or EMFILE) counts
// each failed fork as a crash, so after the budget it logs the crash-loop
// error and tries less and less often instead of once per maintenance
// pass forever.
func TestMasterForkFailuresAreThrottled(t *testing.T) {
	st := &states{}
	h := newHarnessConfig(t, func(g *mpm.Generation) { g.Policy = &spawnAlways{fixedPolicy{n: 1}} }, func(m *mpm.Master) {
		m.Exe = filepath.Join(t.TempDir(), "no-such-gohttpd")
		m.CrashBudget, m.CrashWindow = 3, 10*time.Second
		m.CrashBackoff, m.CrashBackoffMax = 200*time.Millisecond, 400*time.Millisecond
		m.OnState = st.add
	})
	const loopErr = "children are crashing"
	mpmtest.WaitFor(t, 10*time.Second, "the crash-loop error", func() bool {
		return strings.Contains(h.logs.String(), loopErr)
	})
	loop := time.Now()
	failuresAfter := func() int {
		logs := h.logs.String()
		return strings.Count(logs[strings.Index(logs, loopErr):], "Unable to fork")
	}
	// Attempts come 200, 400, 400, 400 ms apart: four take 1.4 s. With a
	// maintenance pass every 50 ms, unthrottled they take 200 ms.
	mpmtest.WaitFor(t, 10*time.Second, "four failed forks after the crash-loop error", func() bool {
		return failuresAfter() >= 4
	})
	if took, least := time.Since(loop), 1300*time.Millisecond; took < least {
		t.Errorf("four failed forks within %s of the crash-loop error, want at least %s", took, least)
	}
	if !strings.Contains(st.last().Failing, loopErr) {
		t.Errorf("state.Failing = %q, want the crash-loop error", st.last().Failing)
	}
}

// TestMasterReportsReloads: OnState counts restarts and says why the last
// one was rejected, which -k graceful prints.
func TestMasterReportsReloads(t *testing.T) {
	st := &states{}
	h := newHarnessConfig(t, func(g *mpm.Generation) { g.Policy = &fixedPolicy{n: 1} }, func(m *mpm.Master) {
		m.OnState = st.add
	})
	h.waitReady(1)
	mpmtest.WaitFor(t, 10*time.Second, "the ready state", func() bool { return st.last().Ready })
	h.reload = func() (*mpm.Generation, error) { return nil, errors.New("httpd.conf:3: Bogus: Invalid command") }
	h.sigs <- syscall.SIGUSR1
	mpmtest.WaitFor(t, 10*time.Second, "the rejected reload", func() bool { return st.last().Reloads == 1 })
	if got := st.last(); got.ReloadError != "httpd.conf:3: Bogus: Invalid command" || got.Generation != 0 {
		t.Errorf("after a rejected reload: %+v", got)
	}
	h.reload = func() (*mpm.Generation, error) { return h.generation(t, &fixedPolicy{n: 1}), nil }
	h.sigs <- syscall.SIGHUP
	mpmtest.WaitFor(t, 15*time.Second, "the accepted reload", func() bool { return st.last().Reloads == 2 })
	if got := st.last(); got.ReloadError != "" || got.Generation != 1 {
		t.Errorf("after an accepted reload: %+v", got)
	}
}
