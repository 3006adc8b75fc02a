package mpm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/gohttpd/gohttpd/internal/loglevel"
)

// Generation is everything one generation of children is started with.
// A graceful restart builds a new one; the master hands it to children as
// is.
type Generation struct {
	// Snapshot is the serialized configuration children decode.
	Snapshot []byte
	// Listeners are inheritable duplicates of the listening sockets, in the
	// configuration's order (listener.Listener.File), every child gets all
	// of them; with listener buckets, bucket after bucket. The master owns
	// them.
	Listeners []*os.File
	// Policy maintains the children. Policies, if set, replace it with one
	// policy per listener bucket: the child in slot s belongs to bucket
	// s % len(Policies) (Apache's make_child), and each bucket's children
	// are maintained apart, as Apache's perform_idle_server_maintenance
	// runs once per bucket.
	Policy   Policy
	Policies []Policy
	// GracefulShutdownTimeout bounds a graceful stop (0 = wait forever).
	GracefulShutdownTimeout time.Duration
	// Close releases what the generation holds beyond Listeners (the
	// listening sockets themselves, logs); may be nil.
	Close func()

	released bool
}

// policies returns the generation's policies, one per bucket.
func (g *Generation) policies() []Policy {
	if len(g.Policies) > 0 {
		return g.Policies
	}
	return []Policy{g.Policy}
}

// startChildren is how many children the generation starts with, over all
// buckets.
func (g *Generation) startChildren() int {
	n := 0
	for _, p := range g.policies() {
		n += p.StartChildren()
	}
	return n
}

// maxChildren is how many of its children may be active at once, over all
// buckets.
func (g *Generation) maxChildren() int {
	n := 0
	for _, p := range g.policies() {
		n += p.MaxChildren()
	}
	return n
}

// Reloader re-reads the configuration for a restart. On error the master
// logs it and keeps the running generation.
type Reloader func() (*Generation, error)

// Master supervises the children: it starts them, reaps them, runs the
// engine's maintenance policy and obeys Apache's signals. It never serves
// a request. All its state belongs to the goroutine running Run.
type Master struct {
	// Exe and Args start a child: Exe is re-executed with Args (ChildArg
	// first). Defaults: /proc/self/exe, [ChildArg].
	Exe  string
	Args []string
	// Env is the children's environment (default os.Environ()).
	Env    []string
	Board  *Scoreboard
	Log    *slog.Logger
	Reload Reloader
	// Signals delivers the master's signals (TERM, INT, WINCH, USR1, HUP).
	Signals <-chan os.Signal
	// Stdout and Stderr of the children (default: the master's).
	Stdout, Stderr *os.File
	// More than CrashBudget crashes within CrashWindow is a crash loop:
	// the master logs one error and respawns one child at a time,
	// CrashBackoff apart, doubling with each crash up to CrashBackoffMax,
	// until none crashed for twice CrashBackoffMax (defaults:
	// DefaultCrash*).
	CrashBudget     int
	CrashWindow     time.Duration
	CrashBackoff    time.Duration
	CrashBackoffMax time.Duration
	// Now is the master's clock for crash accounting (default time.Now).
	Now func() time.Time
	// OnState, if set, is called from Run's goroutine with the master's
	// state each time it changes (for a status file that -k commands
	// read).
	OnState func(MasterState)
	// Tick is the maintenance cadence (default 1 s, Apache's).
	Tick time.Duration
	// Reclaim is the schedule for children that do not exit when told to
	// stop at once (default ApacheReclaim; tests shorten it).
	Reclaim []ReclaimStep
	// OnMaintain, if set, is called after every maintenance pass with the
	// decision taken (for tests and the status page).
	OnMaintain func(Decision)

	gen      uint64
	cur      *Generation
	old      []*Generation // generations whose children still run
	children map[int]*child
	exits    chan childExit
	readies  chan childReady
	spawner  *spawner
	guard    crashGuard
	// owed counts children that crashed, or could not start, while
	// spawns were throttled: they are replaced one per allowed spawn.
	owed     int
	state    MasterState
	stopping bool
	fatal    bool
	// pendingStart children of a new generation wait for old children to
	// free their slots (Apache's remaining_children_to_start).
	pendingStart int
	done         chan struct{}
}

// child is the master's record of one child process.
type child struct {
	slot     int
	pid      int
	gen      uint64
	cmd      *exec.Cmd
	pod      *os.File // write end of its pipe of death
	ready    bool
	retiring bool
	started  time.Time
	genRef   *Generation
}

type childExit struct {
	slot  int
	pid   int
	state *os.ProcessState
	err   error
}

type childReady struct {
	slot, pid int
}

// MasterState is what the master reports through OnState.
type MasterState struct {
	// Generation is the running generation.
	Generation uint64
	// Reloads counts the restart signals (USR1, HUP) handled; ReloadError
	// says why the last one was rejected ("" when it was accepted).
	Reloads     uint64
	ReloadError string
	// Ready is set once a child reported that it serves.
	Ready bool
	// Failing is the crash-loop error while respawns are throttled.
	Failing string
}

// Errors Run returns.
var (
	// ErrFatal: a child of the current generation exited with
	// ExitChildFatal, so the server stopped (Apache's AH00050).
	ErrFatal = errors.New("mpm: a child returned a fatal error, server stopped")
)

// Run starts the first generation and supervises until a stop signal or a
// fatal child error. It returns nil after a requested stop.
func (m *Master) Run(first *Generation) error {
	m.defaults()
	m.spawner = startSpawner()
	defer m.spawner.stop()
	m.cur = first
	m.gen = m.Board.Generation()
	m.Board.SetRestartTime(time.Now())
	m.setState(func(s *MasterState) { s.Generation = m.gen })
	m.startChildren(first.startChildren())

	tick := time.NewTimer(m.Tick)
	defer tick.Stop()
	// gate fires when a throttled spawn is allowed again.
	gate := time.NewTimer(time.Hour)
	gate.Stop()
	defer gate.Stop()
	for {
		m.armGate(gate)
		select {
		case sig := <-m.Signals:
			if done := m.signal(sig); done {
				return m.finish()
			}
		case ex := <-m.exits:
			m.reaped(ex)
			if m.fatal {
				m.stopNow()
				return m.finish() // ErrFatal
			}
			// Apache: no maintenance right after a child died; wait for a
			// quiet second.
			resetTimer(tick, m.Tick)
		case r := <-m.readies:
			if c, ok := m.children[r.slot]; ok && c.pid == r.pid {
				c.ready = true
				m.Log.Debug("child ready", "pid", c.pid, "slot", c.slot, "startup", time.Since(c.started).String())
				if !m.state.Ready && c.gen == m.gen {
					m.setState(func(s *MasterState) { s.Ready = true })
				}
			}
		case <-gate.C:
			m.replaceOwed()
		case <-tick.C:
			m.recover()
			m.maintain()
			tick.Reset(m.Tick)
		}
	}
}

// setState applies change to the master's state and reports it.
func (m *Master) setState(change func(*MasterState)) {
	change(&m.state)
	if m.OnState != nil {
		m.OnState(m.state)
	}
}

// armGate sets gate for the next throttled spawn while children are
// owed, and stops it otherwise.
func (m *Master) armGate(gate *time.Timer) {
	gate.Stop()
	if m.owed > 0 && m.guard.throttled() && !m.stopping {
		gate.Reset(m.guard.wait(m.Now()))
	}
}

// replaceOwed starts one owed child if a spawn is allowed now. With no
// room for it (maintenance filled the slots) or a failed fork, the debt
// is dropped, leaving the rest to maintenance, rather than retried at
// once.
func (m *Master) replaceOwed() {
	if m.owed > 0 && !m.stopping && m.guard.allow(m.Now()) && m.startChildren(1) == 0 {
		m.owed = 0
	}
}

// recover ends the crash-loop throttling once children stopped crashing,
// and replaces the children owed meanwhile.
func (m *Master) recover() {
	if m.stopping || !m.guard.recovered(m.Now()) {
		return
	}
	m.Log.Log(context.Background(), loglevel.Notice,
		fmt.Sprintf("no child crashed for %s: respawning at the normal rate again", m.guard.quiet()))
	m.setState(func(s *MasterState) { s.Failing = "" })
	owed := m.owed
	m.owed = 0
	m.startChildren(owed)
}

func (m *Master) defaults() {
	if m.Exe == "" {
		m.Exe = "/proc/self/exe"
	}
	if len(m.Args) == 0 {
		m.Args = []string{ChildArg}
	}
	if m.Env == nil {
		m.Env = os.Environ()
	}
	if m.Log == nil {
		m.Log = slog.New(slog.DiscardHandler)
	}
	if m.CrashBudget == 0 {
		m.CrashBudget = DefaultCrashBudget
	}
	if m.CrashWindow == 0 {
		m.CrashWindow = DefaultCrashWindow
	}
	if m.CrashBackoff == 0 {
		m.CrashBackoff = DefaultCrashBackoff
	}
	if m.CrashBackoffMax == 0 {
		m.CrashBackoffMax = DefaultCrashBackoffMax
	}
	if m.Now == nil {
		m.Now = time.Now
	}
	m.guard = crashGuard{budget: m.CrashBudget, window: m.CrashWindow, first: m.CrashBackoff, max: m.CrashBackoffMax}
	if m.Tick == 0 {
		m.Tick = time.Second
	}
	if m.Reclaim == nil {
		m.Reclaim = ApacheReclaim
	}
	if m.Stdout == nil {
		m.Stdout = os.Stdout
	}
	if m.Stderr == nil {
		m.Stderr = os.Stderr
	}
	m.children = make(map[int]*child)
	m.done = make(chan struct{})
	m.exits = make(chan childExit, 64)
	m.readies = make(chan childReady, 64)
}

func resetTimer(t *time.Timer, d time.Duration) {
	t.Stop()
	t.Reset(d)
}

// freeSlots lists process slots without a live child, lowest first.
func (m *Master) freeSlots() []int {
	var free []int
	for i := range m.Board.ServerLimit() {
		if _, busy := m.children[i]; !busy {
			free = append(free, i)
		}
	}
	return free
}

// activeChildren counts live children of the current generation that were
// not told to stop.
func (m *Master) activeChildren() int { return m.activeChildrenIn(-1) }

// activeChildrenIn is activeChildren for the slots of one bucket (-1: any).
func (m *Master) activeChildrenIn(bucket int) int {
	nb := len(m.cur.policies())
	n := 0
	for _, c := range m.children {
		if c.gen == m.gen && !c.retiring && (bucket < 0 || c.slot%nb == bucket) {
			n++
		}
	}
	return n
}

// startChildren starts up to n children of the current generation into
// the lowest free slots, never above the policies' MaxChildren, and
// returns how many it started.
func (m *Master) startChildren(n int) int {
	return m.startChildrenIn(-1, n)
}

// startChildrenIn is startChildren for the slots of one bucket (-1: any),
// within that bucket's policy's MaxChildren. During a crash loop it starts
// at most one child, and only when the crash guard allows.
func (m *Master) startChildrenIn(bucket, n int) int {
	pols := m.cur.policies()
	room := m.cur.maxChildren() - m.activeChildren()
	if bucket >= 0 {
		room = pols[bucket].MaxChildren() - m.activeChildrenIn(bucket)
	}
	n = min(n, room)
	if m.guard.throttled() {
		if !m.guard.allow(m.Now()) {
			return 0
		}
		n = min(n, 1)
	}
	started := 0
	for _, slot := range m.freeSlots() {
		if started >= n {
			break
		}
		if bucket >= 0 && slot%len(pols) != bucket {
			continue
		}
		if err := m.spawn(slot); err != nil {
			m.forkFailed(slot, err)
			break
		}
		started++
	}
	if started > 0 {
		m.guard.spawned(m.Now())
		m.owed = max(m.owed-started, 0)
	}
	return started
}

// spawn starts one child of the current generation in slot.
func (m *Master) spawn(slot int) error {
	g := m.cur
	podR, podW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("pipe: %w", err)
	}
	readyR, readyW, err := os.Pipe()
	if err != nil {
		podR.Close()
		podW.Close()
		return fmt.Errorf("pipe: %w", err)
	}
	snap, err := snapshotFile(g.Snapshot)
	if err != nil {
		podR.Close()
		podW.Close()
		readyR.Close()
		readyW.Close()
		return err
	}
	cmd := exec.Command(m.Exe, m.Args...)
	cmd.Env = append(m.Env[:len(m.Env):len(m.Env)],
		envChild+"="+strconv.Itoa(slot)+":"+strconv.FormatUint(m.gen, 10)+":"+strconv.Itoa(len(g.Listeners)))
	cmd.ExtraFiles = append([]*os.File{m.Board.File(), snap, podR, readyW}, g.Listeners...)
	cmd.Stdout, cmd.Stderr = m.Stdout, m.Stderr
	cmd.SysProcAttr = childProcAttr()

	tpc := g.policies()[0].ThreadsPerChild()
	p := m.Board.Process(slot)
	p.SetPID(0)
	p.SetGeneration(m.gen)
	p.SetQuiescing(0)
	p.SetNotAccepting(false)
	for j := range min(tpc, m.Board.ThreadLimit()) {
		m.Board.Worker(slot, j).SetState(StateStarting)
	}

	err = m.spawner.start(cmd)
	podR.Close()
	readyW.Close()
	snap.Close()
	if err != nil {
		podW.Close()
		readyR.Close()
		for j := range min(tpc, m.Board.ThreadLimit()) {
			m.Board.Worker(slot, j).SetState(StateDead)
		}
		return err
	}
	pid := cmd.Process.Pid
	p.SetPID(pid)
	p.SetStarted(time.Now())
	c := &child{slot: slot, pid: pid, gen: m.gen, cmd: cmd, pod: podW, started: time.Now(), genRef: g}
	m.children[slot] = c
	go func() {
		// Readiness: one byte, or EOF if the child died first.
		b := make([]byte, 1)
		if n, _ := readyR.Read(b); n == 1 {
			select {
			case m.readies <- childReady{slot: slot, pid: pid}:
			case <-m.done:
			}
		}
		readyR.Close()
	}()
	go func() {
		err := cmd.Wait()
		select {
		case m.exits <- childExit{slot: slot, pid: pid, state: cmd.ProcessState, err: err}:
		case <-m.done:
		}
	}()
	return nil
}

// reaped handles one child's exit: it frees the slot, classifies the exit
// and respawns after a crash.
func (m *Master) reaped(ex childExit) {
	c, ok := m.children[ex.slot]
	if !ok || c.pid != ex.pid {
		m.Log.Warn(fmt.Sprintf("long lost child came home! (pid %d)", ex.pid))
		return
	}
	delete(m.children, ex.slot)
	c.pod.Close()
	// The master marks the slot dead (Apache: the parent owns DEAD).
	if m.Board.Process(ex.slot).PID() == ex.pid {
		m.Board.MarkDead(ex.slot)
	}
	m.releaseOld()
	if m.pendingStart > 0 && !m.stopping {
		m.pendingStart--
		if m.startChildren(1) == 0 && m.guard.throttled() {
			m.owed++
		}
	}

	ws, _ := ex.state.Sys().(syscall.WaitStatus)
	switch {
	case ws.Exited() && ws.ExitStatus() == ExitOK:
		m.Log.Debug("child exited", "pid", ex.pid, "slot", ex.slot)
	case ws.Exited() && ws.ExitStatus() == ExitChildFatal:
		if c.gen != m.gen {
			m.Log.Warn(fmt.Sprintf("Ignoring fatal error in child of previous generation (pid %d).", ex.pid))
			return
		}
		m.Log.Log(context.Background(), loglevel.Crit,
			fmt.Sprintf("Child %d returned a Fatal error... gohttpd is exiting!", ex.pid))
		m.fatal = true
	case ws.Signaled() && (ws.Signal() == syscall.SIGTERM || ws.Signal() == syscall.SIGKILL) && (m.stopping || c.retiring):
		// Killed by our own stop schedule.
	default:
		m.crashed(c, ws)
	}
}

// crashed logs a crash (Apache's AH00051 wording for signals) and respawns
// into the same slot while the crash budget allows.
func (m *Master) crashed(c *child, ws syscall.WaitStatus) {
	if ws.Signaled() {
		core := ""
		if ws.CoreDump() {
			core = ", possible coredump"
		}
		m.Log.Log(context.Background(), loglevel.Notice,
			fmt.Sprintf("child pid %d exit signal %s (%d)%s", c.pid, ws.Signal(), int(ws.Signal()), core))
	} else {
		m.Log.Error(fmt.Sprintf("child pid %d exited with status %d", c.pid, ws.ExitStatus()))
	}
	if m.stopping || c.retiring || c.gen != m.gen {
		return
	}
	m.countCrash()
	if m.guard.throttled() {
		// Replaced when the guard allows (the gate timer in Run).
		m.owed = min(m.owed+1, m.cur.maxChildren())
		return
	}
	if err := m.spawn(c.slot); err != nil {
		m.forkFailed(c.slot, err)
	}
}

// forkFailed logs a failed spawn (Apache's AH00159) and counts it as a
// crash: a master that cannot fork (EMFILE, EAGAIN) must not retry every
// second forever (Apache sleeps 10 s after a failed fork).
func (m *Master) forkFailed(slot int, err error) {
	m.Log.Error("fork: Unable to fork new process", "slot", slot, "err", err)
	m.countCrash()
}

// countCrash records a crash with the guard and logs the crash-loop
// error once when it starts one.
func (m *Master) countCrash() {
	if m.guard.crash(m.Now()) {
		msg := m.guard.loopMessage()
		m.Log.Error(msg)
		m.setState(func(s *MasterState) { s.Failing = msg })
	}
}

// maintain runs the policy's maintenance pass and carries out its decision.
func (m *Master) maintain() {
	if m.stopping {
		return
	}
	pols := m.cur.policies()
	nb := len(pols)
	free := m.freeSlots()
	for b, pol := range pols {
		v := View{Board: m.Board, Generation: m.gen}
		for _, s := range free {
			if s%nb == b {
				v.FreeSlots = append(v.FreeSlots, s)
			}
		}
		for _, c := range m.children {
			if c.slot%nb == b {
				v.Children = append(v.Children, ChildInfo{Slot: c.slot, PID: c.pid, Generation: c.gen, Ready: c.ready, Retiring: c.retiring})
			}
		}
		d := pol.Maintain(v)
		args := []any{"children", len(v.Children), "active", m.activeChildrenIn(b), "free_slots", len(v.FreeSlots),
			"spawn", d.Spawn, "retire", d.Retire, "generation", m.gen}
		if nb > 1 {
			args = append(args, "bucket", b)
		}
		m.Log.Debug("maintenance", args...)
		if d.Retire >= 0 {
			if c, ok := m.children[d.Retire]; ok && !c.retiring {
				m.order(c, PodGraceful)
			}
		}
		if d.Spawn > 0 {
			m.startChildrenIn(b, d.Spawn)
		}
		if m.OnMaintain != nil {
			m.OnMaintain(d)
		}
	}
}

// order writes a stop order on c's pipe of death.
func (m *Master) order(c *child, o byte) {
	if o == PodGraceful || o == PodGracefulStop {
		c.retiring = true
		m.Board.Process(c.slot).SetQuiescing(1)
	}
	if _, err := c.pod.Write([]byte{o}); err != nil && !errors.Is(err, syscall.EPIPE) {
		m.Log.Debug("write pipe of death", "pid", c.pid, "err", err)
	}
}

// signal acts on one signal and reports whether Run should finish.
func (m *Master) signal(sig os.Signal) bool {
	switch sig {
	case syscall.SIGTERM, syscall.SIGINT:
		m.Log.Log(context.Background(), loglevel.Notice, "caught SIGTERM, shutting down")
		m.stopNow()
		return true
	case syscall.SIGWINCH:
		m.Log.Log(context.Background(), loglevel.Notice, "caught SIGWINCH, shutting down gracefully")
		m.stopGracefully()
		return true
	case syscall.SIGUSR1:
		m.Log.Log(context.Background(), loglevel.Notice, "SIGUSR1 received.  Doing graceful restart")
		m.restart(true)
	case syscall.SIGHUP:
		m.Log.Log(context.Background(), loglevel.Notice, "SIGHUP received.  Attempting to restart")
		m.restart(false)
	}
	return false
}

// restart re-reads the configuration. A graceful restart lets the old
// children finish their connections while the new generation starts on
// the same listening sockets; an ungraceful one stops them first.
func (m *Master) restart(graceful bool) {
	next, err := m.Reload()
	if err != nil {
		m.Log.Error("configuration reload failed, keeping the running configuration", "err", err)
		m.setState(func(s *MasterState) { s.Reloads++; s.ReloadError = err.Error() })
		return
	}
	if graceful {
		for _, c := range m.children {
			if !c.retiring {
				m.order(c, PodGraceful)
			}
		}
	} else {
		m.stopChildren()
		m.Board.Reset()
		m.Board.SetRestartTime(time.Now())
	}
	m.gen++
	m.Board.SetGeneration(m.gen)
	m.old = append(m.old, m.cur)
	m.cur = next
	m.releaseOld()
	// A new configuration may be the fix: no throttling carries over.
	if m.guard.throttled() {
		m.Log.Info("restart: respawning at the normal rate again")
	}
	m.guard.reset()
	m.owed = 0
	m.setState(func(s *MasterState) {
		s.Generation, s.Reloads, s.ReloadError, s.Failing = m.gen, s.Reloads+1, "", ""
	})
	want := next.startChildren()
	before := m.activeChildren()
	m.startChildren(want)
	m.pendingStart = want - (m.activeChildren() - before)
}

// releaseOld closes old generations none of whose children still run.
func (m *Master) releaseOld() {
	keep := m.old[:0]
	for _, g := range m.old {
		inUse := false
		for _, c := range m.children {
			if c.genRef == g {
				inUse = true
				break
			}
		}
		if inUse {
			keep = append(keep, g)
		} else {
			g.release()
		}
	}
	m.old = keep
}

// release closes what g holds, once.
func (g *Generation) release() {
	if g.released {
		return
	}
	g.released = true
	for _, f := range g.Listeners {
		f.Close()
	}
	if g.Close != nil {
		g.Close()
	}
}

// stopNow orders every child to stop at once and reclaims them with
// Apache's schedule.
func (m *Master) stopNow() {
	m.stopping = true
	m.stopChildren()
}

// ReclaimStep is one step of a stop schedule: At after the stop order,
// Sig goes to every child still alive (0: give up on them).
type ReclaimStep struct {
	At  time.Duration
	Sig syscall.Signal
}

// ApacheReclaim is ap_reclaim_child_processes's schedule: SIGTERM again at
// 3, 5 and 7 s, SIGKILL at 9 s, give up at 10 s.
var ApacheReclaim = []ReclaimStep{{3 * time.Second, syscall.SIGTERM}, {5 * time.Second, syscall.SIGTERM},
	{7 * time.Second, syscall.SIGTERM}, {9 * time.Second, syscall.SIGKILL}, {10 * time.Second, 0}}

// stopChildren sends '$' and SIGTERM to every child and waits for them
// with the Reclaim schedule (Apache's: SIGTERM again at 3, 5 and 7 s,
// SIGKILL at 9 s, give up at 10 s).
func (m *Master) stopChildren() {
	for _, c := range m.children {
		c.retiring = true
		m.order(c, PodImmediate)
		c.cmd.Process.Signal(syscall.SIGTERM)
	}
	m.reclaim(time.Now(), true)
}

// reclaim waits for every child to exit, escalating from start on.
func (m *Master) reclaim(start time.Time, escalate bool) {
	schedule := m.Reclaim
	next := 0
	for len(m.children) > 0 {
		var wait <-chan time.Time
		if escalate && next < len(schedule) {
			wait = time.After(time.Until(start.Add(schedule[next].At)))
		}
		select {
		case ex := <-m.exits:
			m.reaped(ex)
		case r := <-m.readies:
			_ = r
		case <-wait:
			s := schedule[next]
			next++
			for _, c := range m.children {
				switch s.Sig {
				case syscall.SIGTERM:
					m.Log.Warn(fmt.Sprintf("child process %d still did not exit, sending a SIGTERM", c.pid))
					c.cmd.Process.Signal(syscall.SIGTERM)
				case syscall.SIGKILL:
					m.Log.Error(fmt.Sprintf("child process %d still did not exit, sending a SIGKILL", c.pid))
					c.cmd.Process.Kill()
				default:
					m.Log.Error(fmt.Sprintf("could not make child process %d exit, attempting to continue anyway", c.pid))
				}
			}
			if s.Sig == 0 {
				return
			}
		}
	}
}

// stopGracefully closes the listeners, orders every child to finish and
// waits for them, up to GracefulShutdownTimeout (0 = forever); a TERM or
// INT meanwhile, or the timeout, turns it into an immediate stop.
func (m *Master) stopGracefully() {
	m.stopping = true
	// Apache closes the listeners in the parent first, so that once the
	// children have closed theirs new clients are refused, not queued.
	m.cur.release()
	for _, c := range m.children {
		m.order(c, PodGracefulStop)
	}
	var cutoff <-chan time.Time
	if t := m.cur.GracefulShutdownTimeout; t > 0 {
		cutoff = time.After(t)
	}
	for len(m.children) > 0 {
		select {
		case ex := <-m.exits:
			m.reaped(ex)
		case <-m.readies:
		case sig := <-m.Signals:
			if sig == syscall.SIGTERM || sig == syscall.SIGINT {
				m.stopChildren()
				return
			}
		case <-cutoff:
			m.stopChildren()
			return
		}
	}
}

// finish releases every generation after the children are gone.
func (m *Master) finish() error {
	close(m.done)
	m.cur.release()
	for _, g := range m.old {
		g.release()
	}
	m.old = nil
	if m.fatal {
		return ErrFatal
	}
	return nil
}

// spawner starts children from one goroutine locked to its OS thread that
// never exits while the master runs: Pdeathsig follows the thread that
// forked the child, so that thread must live as long as the master.
type spawner struct {
	reqs chan spawnReq
}

type spawnReq struct {
	cmd  *exec.Cmd
	errc chan error
}

func startSpawner() *spawner {
	s := &spawner{reqs: make(chan spawnReq)}
	go func() {
		runtime.LockOSThread()
		// Never unlocked: when reqs closes the goroutine ends and the
		// runtime retires the thread, which is what we want only then.
		for r := range s.reqs {
			r.errc <- r.cmd.Start()
		}
	}()
	return s
}

func (s *spawner) start(cmd *exec.Cmd) error {
	errc := make(chan error, 1)
	s.reqs <- spawnReq{cmd: cmd, errc: errc}
	return <-errc
}

func (s *spawner) stop() { close(s.reqs) }
