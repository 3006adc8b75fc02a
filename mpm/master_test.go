package mpm_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/listener"
	"github.com/gohttpd/gohttpd/mpm"
	"github.com/gohttpd/gohttpd/mpm/mpmtest"
	"github.com/gohttpd/gohttpd/mpm/prefork"
)

// The test binary doubles as the master's child: Master re-executes
// os.Args[0] with mpm.ChildArg.
func TestMain(m *testing.M) {
	if mpm.IsChild(os.Args) {
		os.Exit(testChild())
	}
	os.Exit(m.Run())
}

// envMode picks the child's behaviour: "serve", "fatal", "stubborn" or
// "sick" (exit with ExitChildSick at start while the file named by
// envSickFile exists, serve once it is gone).
const (
	envMode     = "MPM_TEST_CHILD_MODE"
	envSickFile = "MPM_TEST_SICK_FILE"
)

// testChild serves "pid generation" on the inherited listener with the
// prefork engine.
func testChild() int {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	env, err := mpm.InheritChild()
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return mpm.ExitInit
	}
	switch os.Getenv(envMode) {
	case "fatal":
		return mpm.ExitChildFatal
	case "sick":
		if _, err := os.Stat(os.Getenv(envSickFile)); err == nil {
			return mpm.ExitChildSick
		}
	case "stubborn":
		// Ignores TERM and its stop orders: only SIGKILL ends it.
		signal.Ignore(syscall.SIGTERM)
		env.Scoreboard.Worker(env.Slot, 0).SetState(mpm.StateReady)
		env.Ready()
		time.Sleep(time.Minute)
		return mpm.ExitOK
	}
	ln, err := net.FileListener(env.Listeners[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return mpm.ExitInit
	}
	env.Listeners[0].Close()
	body := fmt.Sprintf("%d %d", os.Getpid(), env.Generation)
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) { ctx.WriteString(body) }}
	cs, err := prefork.New(prefork.Config{StartServers: 1, MinSpareServers: 1, MaxSpareServers: 2, MaxRequestWorkers: 8}, mpm.ChildDeps{
		Listeners: []net.Listener{ln}, Server: srv, Board: env.Scoreboard, Slot: env.Slot,
		Generation: env.Generation, Log: log,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return mpm.ExitInit
	}
	return mpm.RunChild(env, cs, log)
}

// fixedPolicy starts n children and does what its script says in each
// maintenance pass (nothing once the script is used up).
type fixedPolicy struct {
	n      int
	mu     sync.Mutex
	script []mpm.Decision
}

func (p *fixedPolicy) StartChildren() int   { return p.n }
func (p *fixedPolicy) MaxChildren() int     { return 8 }
func (p *fixedPolicy) ThreadsPerChild() int { return 1 }
func (p *fixedPolicy) Maintain(mpm.View) mpm.Decision {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.script) == 0 {
		return mpm.Decision{Retire: -1}
	}
	d := p.script[0]
	p.script = p.script[1:]
	return d
}

// harness runs a Master over one loopback listener.
type harness struct {
	t       *testing.T
	ln      *listener.Listener
	board   *mpm.Scoreboard
	sigs    chan os.Signal
	logs    *mpmtest.SyncBuffer
	done    chan error
	reload  func() (*mpm.Generation, error)
	m       *mpm.Master
	stopped bool
}

func newHarness(t *testing.T, p mpm.Policy, env ...string) *harness {
	t.Helper()
	return newHarnessWith(t, func(g *mpm.Generation) { g.Policy = p }, env...)
}

// newHarnessWith is newHarness with the first generation's policies set
// by set.
func newHarnessWith(t *testing.T, set func(*mpm.Generation), env ...string) *harness {
	t.Helper()
	return newHarnessConfig(t, set, func(*mpm.Master) {}, env...)
}

// newHarnessConfig is newHarnessWith with the Master adjusted by conf
// before it runs.
func newHarnessConfig(t *testing.T, set func(*mpm.Generation), conf func(*mpm.Master), env ...string) *harness {
	t.Helper()
	ln, err := listener.Open(listener.Spec{Host: "127.0.0.1", Port: 0, Backlog: 64})
	if err != nil {
		t.Fatal(err)
	}
	board, err := mpm.NewScoreboard(8, 1)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, ln: ln, board: board, sigs: make(chan os.Signal, 4), logs: &mpmtest.SyncBuffer{}, done: make(chan error, 1)}
	h.m = &mpm.Master{
		Exe:     os.Args[0],
		Args:    []string{mpm.ChildArg},
		Env:     append(os.Environ(), env...),
		Board:   board,
		Log:     slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Signals: h.sigs,
		Tick:    50 * time.Millisecond,
		Reload:  func() (*mpm.Generation, error) { return h.reload() },
	}
	conf(h.m)
	first := h.generation(t, nil)
	set(first)
	go func() { h.done <- h.m.Run(first) }()
	t.Cleanup(func() {
		if !h.stopped {
			h.sigs <- syscall.SIGTERM
			h.wait(15 * time.Second)
		}
		ln.Close()
		board.Close()
		if t.Failed() {
			t.Logf("master log:\n%s", h.logs)
		}
	})
	return h
}

func (h *harness) generation(t *testing.T, p mpm.Policy) *mpm.Generation {
	f, err := h.ln.File()
	if err != nil {
		t.Fatal(err)
	}
	return &mpm.Generation{Snapshot: []byte("{}"), Listeners: []*os.File{f}, Policy: p}
}

func (h *harness) wait(d time.Duration) error {
	select {
	case err := <-h.done:
		h.stopped = true
		return err
	case <-time.After(d):
		h.t.Fatalf("master did not return within %s", d)
		return nil
	}
}

// ready returns the pids of live, ready children by slot.
func (h *harness) ready() map[int]int {
	out := map[int]int{}
	for i := range h.board.ServerLimit() {
		pid := h.board.Process(i).PID()
		if pid != 0 && h.board.Worker(i, 0).State() == mpm.StateReady {
			out[i] = pid
		}
	}
	return out
}

func (h *harness) waitReady(n int) map[int]int {
	h.t.Helper()
	var got map[int]int
	mpmtest.WaitFor(h.t, 15*time.Second, fmt.Sprintf("%d ready children", n), func() bool {
		got = h.ready()
		return len(got) == n
	})
	return got
}

// get asks the children for "pid generation" on a fresh connection.
func (h *harness) get() (pid int, gen uint64, err error) {
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get("http://" + h.ln.Addr().String() + "/")
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, 0, err
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, 0, fmt.Errorf("body %q", b)
	}
	pid, _ = strconv.Atoi(f[0])
	gen, _ = strconv.ParseUint(f[1], 10, 64)
	return pid, gen, nil
}

func TestMasterStartsServesAndStops(t *testing.T) {
	h := newHarness(t, &fixedPolicy{n: 3})
	pids := h.waitReady(3)
	for slot := range 3 {
		if pids[slot] == 0 {
			t.Errorf("slot %d has no child; want the lowest slots used: %v", slot, pids)
		}
	}
	pid, _, err := h.get()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range pids {
		found = found || p == pid
	}
	if !found {
		t.Errorf("answer from pid %d, not one of the children %v", pid, pids)
	}
	h.sigs <- syscall.SIGTERM
	if err := h.wait(15 * time.Second); err != nil {
		t.Fatalf("Run after SIGTERM = %v, want nil", err)
	}
	for _, p := range pids {
		if mpmtest.Alive(p) {
			t.Errorf("child %d still alive after the master stopped", p)
		}
	}
}

func TestMasterRespawnsKilledChild(t *testing.T) {
	h := newHarness(t, &fixedPolicy{n: 2})
	before := h.waitReady(2)
	if err := syscall.Kill(before[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	mpmtest.WaitFor(t, 15*time.Second, "slot 0 to get a new child", func() bool {
		now := h.ready()
		return now[0] != 0 && now[0] != before[0] && now[1] == before[1]
	})
	if !strings.Contains(h.logs.String(), fmt.Sprintf("child pid %d exit signal killed (9)", before[0])) {
		t.Errorf("crash not logged with its signal:\n%s", h.logs)
	}
	if _, _, err := h.get(); err != nil {
		t.Errorf("after the respawn: %v", err)
	}
}

func TestMasterFatalChildStopsServer(t *testing.T) {
	h := newHarness(t, &fixedPolicy{n: 1}, envMode+"=fatal")
	if err := h.wait(15 * time.Second); !errors.Is(err, mpm.ErrFatal) {
		t.Fatalf("Run = %v, want ErrFatal", err)
	}
}

func TestMasterMaintenanceSpawnsAndRetires(t *testing.T) {
	p := &fixedPolicy{n: 1}
	h := newHarness(t, p)
	h.waitReady(1)
	p.mu.Lock()
	p.script = []mpm.Decision{{Spawn: 2, Retire: -1}}
	p.mu.Unlock()
	pids := h.waitReady(3)
	p.mu.Lock()
	p.script = []mpm.Decision{{Retire: 2}}
	p.mu.Unlock()
	mpmtest.WaitFor(t, 15*time.Second, "the child in slot 2 to retire", func() bool {
		return !mpmtest.Alive(pids[2]) && len(h.ready()) == 2
	})
}

// TestMasterBucketMaintenance: with one policy per listener bucket, the
// child in slot s belongs to bucket s % 2, each bucket is maintained by
// its own policy, and a bucket's new child goes into a free slot of that
// bucket.
func TestMasterBucketMaintenance(t *testing.T) {
	p0, p1 := &fixedPolicy{n: 1}, &fixedPolicy{n: 1}
	h := newHarnessWith(t, func(g *mpm.Generation) { g.Policies = []mpm.Policy{p0, p1} })
	first := h.waitReady(2)
	if first[0] == 0 || first[1] == 0 {
		t.Fatalf("children by slot = %v, want slots 0 and 1 (one per bucket)", first)
	}
	p1.mu.Lock()
	p1.script = []mpm.Decision{{Spawn: 1, Retire: -1}}
	p1.mu.Unlock()
	got := h.waitReady(3)
	if got[3] == 0 || got[2] != 0 {
		t.Errorf("children by slot after bucket 1 asked for one more = %v, want slot 3 (bucket 1's lowest free), not 2", got)
	}
	p0.mu.Lock()
	p0.script = []mpm.Decision{{Retire: 0}}
	p0.mu.Unlock()
	mpmtest.WaitFor(t, 15*time.Second, "bucket 0's child to retire", func() bool {
		return !mpmtest.Alive(first[0]) && len(h.ready()) == 2
	})
	if !strings.Contains(h.logs.String(), "bucket=1") {
		t.Errorf("no per-bucket maintenance line in the master's log:\n%s", h.logs)
	}
}

func TestMasterGracefulRestart(t *testing.T) {
	h := newHarness(t, &fixedPolicy{n: 2})
	old := h.waitReady(2)

	// A configuration that does not load keeps the running generation.
	h.reload = func() (*mpm.Generation, error) { return nil, errors.New("httpd.conf:3: Bogus: Invalid command") }
	h.sigs <- syscall.SIGUSR1
	mpmtest.WaitFor(t, 10*time.Second, "the reload error in the log", func() bool {
		return strings.Contains(h.logs.String(), "httpd.conf:3: Bogus")
	})
	if _, gen, err := h.get(); err != nil || gen != 0 {
		t.Fatalf("after a failed reload: generation %d, %v; want 0, nil", gen, err)
	}

	h.reload = func() (*mpm.Generation, error) { return h.generation(t, &fixedPolicy{n: 2}), nil }
	h.sigs <- syscall.SIGUSR1
	mpmtest.WaitFor(t, 15*time.Second, "generation 1 to serve and the old children to exit", func() bool {
		for _, p := range old {
			if mpmtest.Alive(p) {
				return false
			}
		}
		return h.board.Generation() == 1 && len(h.ready()) == 2
	})
	if _, gen, err := h.get(); err != nil || gen != 1 {
		t.Errorf("after the restart: generation %d, %v; want 1, nil", gen, err)
	}
}

// TestMasterReclaimSchedule: a child that ignores TERM gets Apache's
// schedule (TERM again at 3, 5 and 7 s, KILL at 9 s), here scaled down
// fifty times through Master.Reclaim.
func TestMasterReclaimSchedule(t *testing.T) {
	const scale = 50
	var schedule []mpm.ReclaimStep
	for _, s := range mpm.ApacheReclaim {
		schedule = append(schedule, mpm.ReclaimStep{At: s.At / scale, Sig: s.Sig})
	}
	kill := mpm.ApacheReclaim[3].At / scale
	h := newHarnessConfig(t, func(g *mpm.Generation) { g.Policy = &fixedPolicy{n: 1} },
		func(m *mpm.Master) { m.Reclaim = schedule }, envMode+"=stubborn")
	pids := h.waitReady(1)
	start := time.Now()
	h.sigs <- syscall.SIGTERM
	if err := h.wait(20 * time.Second); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	took := time.Since(start)
	if mpmtest.Alive(pids[0]) {
		t.Errorf("stubborn child %d survived the stop", pids[0])
	}
	logs := h.logs.String()
	if n := strings.Count(logs, "still did not exit, sending a SIGTERM"); n != 3 {
		t.Errorf("%d TERM reminders, want 3 (at 3, 5 and 7 units):\n%s", n, logs)
	}
	if !strings.Contains(logs, "still did not exit, sending a SIGKILL") {
		t.Errorf("no SIGKILL line:\n%s", logs)
	}
	if took < kill || took > kill+5*time.Second {
		t.Errorf("stop took %s, want about %s (KILL at 9 units)", took, kill)
	}
}

// TestApacheReclaim: the default schedule is Apache's.
func TestApacheReclaim(t *testing.T) {
	want := []mpm.ReclaimStep{{At: 3 * time.Second, Sig: syscall.SIGTERM}, {At: 5 * time.Second, Sig: syscall.SIGTERM},
		{At: 7 * time.Second, Sig: syscall.SIGTERM}, {At: 9 * time.Second, Sig: syscall.SIGKILL}, {At: 10 * time.Second}}
	if !slices.Equal(mpm.ApacheReclaim, want) {
		t.Errorf("ApacheReclaim = %v, want %v", mpm.ApacheReclaim, want)
	}
}
