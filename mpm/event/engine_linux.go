package event

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/sys/unix"

	"github.com/gohttpd/gohttpd/internal/h1serve"
	"github.com/gohttpd/gohttpd/mpm"
)

// How the engine works (Linux).
//
// One goroutine, the loop (the caller of Serve), owns the epoll set, the
// listeners and the connection table (a slice indexed by fd). It accepts,
// claims connections whose events fire, runs write completion and
// lingering close itself, expires the timeout lists and applies admission
// control. ThreadsPerChild workers (goroutines with scoreboard slots) read
// requests and answer them with fasthttp.
//
// The loop does not lock its OS thread: measured with the child pinned to
// one CPU, runtime.LockOSThread changed nothing beyond noise (122k vs 124k
// keep-alive requests/s), while it would turn every hand-over between the
// loop and a worker on the same P into a thread switch. What mattered is
// that the loop yields (runtime.Gosched) before blocking in epoll_wait
// after handing connections to workers: with one P, a goroutine readied by
// a thread that then blocks in a system call waits for sysmon (7.7k → 131k
// requests/s over 50 connections).
//
// Since issue 18 no thread blocks in epoll_wait: the loop waits for its
// epoll set in the runtime's netpoller (poller_linux.go) and the hot path's
// system calls on non-blocking descriptors are raw (rawio_linux.go), so
// sysmon no longer takes the P every 20 µs; and a batch of events goes to
// at most GOMAXPROCS workers at a time, the rest queued for workers to take
// without parking (handoff_linux.go).
//
// Reading requests: a worker runs the shared request loop
// (internal/h1serve, fasthttp's parser) through a blocking bufio.Reader
// over the shim; the socket stays non-blocking and the shim waits in poll(2) up to
// Timeout when a request is incomplete. A slow request holds its worker,
// as it does in Apache's event MPM; idle keep-alive connections, slow
// readers of responses (write completion) and lingering closes hold none.

// Stop levels as the loop acts on them, in increasing strength: the
// orders themselves are an mpm.StopState (stopReq), of which both graceful
// modes are one level here (idleClose tells them apart).
const (
	stopNone int32 = iota
	stopGraceful
	stopNow
)

// stopLevel is the loop's level for the strongest stop ordered.
func stopLevel(m mpm.StopMode) int32 {
	switch {
	case m == mpm.StopImmediate:
		return stopNow
	case m != 0:
		return stopGraceful
	}
	return stopNone
}

const (
	// acceptBatch bounds the accepts per listener per loop iteration.
	acceptBatch = 64
	// busyGrace is how long a readable connection may wait for a worker
	// before the child counts as saturated and closes its idle keep-alive
	// connections (Apache does it on the first failed reservation; see
	// saturated).
	busyGrace = 100 * time.Millisecond
	// wakeFudge: a worker wakes the loop for a new deadline only if it
	// falls this much before the loop's next wake-up (Apache's
	// TIMEOUT_FUDGE_FACTOR is 100 ms; expiry here is finer).
	wakeFudge = 10 * time.Millisecond
	// stopNowGrace bounds how long Serve waits for busy workers after an
	// immediate stop (a handler may not return).
	stopNowGrace = time.Second
	// writeBudget bounds the bytes the loop writes to one connection per
	// wake-up, so one fast reader cannot starve the others.
	writeBudget = 1 << 20
	// drainReads bounds the reads of one lingering connection per wake-up.
	drainReads = 4
	// maxFree bounds the recycled connection records kept.
	maxFree = 4096
	// backoffMin and backoffMax bound the pause in accepting after
	// EMFILE/ENFILE.
	backoffMin = 100 * time.Millisecond
	backoffMax = time.Second
)

// engine is a Child's Linux implementation.
type engine struct {
	cfg  Config
	deps mpm.ChildDeps
	// hs is the site's fasthttp.Server as the shared request loop reads it.
	hs     *h1serve.Server
	log    *slog.Logger
	proc   *mpm.Process
	factor int
	// kat and timeout are KeepAliveTimeout and Timeout in nanoseconds;
	// newTimeout bounds the wait for a new connection's first byte: the
	// server's ReadTimeout (the site's RequestReadTimeout header stage), or
	// Timeout.
	kat, timeout, newTimeout int64
	// hsTimeout bounds a TLS handshake (mpm.ChildDeps.HandshakeDeadline,
	// Timeout by default).
	hsTimeout time.Duration
	// h2 serves HTTP/2 connections (h2_linux.go); nil: HTTP/1.1 only.
	h2 *mpm.H2Server

	p       *poller
	stopReq mpm.StopState
	// idleClose: a graceful stop of the whole server
	// (mpm.StopGracefulIdle); idle keep-alive connections are closed at
	// once.
	idleClose atomic.Bool
	served    atomic.Bool
	ctxPool   sync.Pool
	workers   []*worker
	// quit is closed when the loop has ended: idle workers exit.
	quit chan struct{}
	// drain is closed when a stop begins: idle workers show 'G'.
	drain chan struct{}
	// running counts the workers still running; wg waits for them.
	running atomic.Int32
	wg      sync.WaitGroup
	// refs counts the goroutines that may still use the poller (the
	// workers and Serve); the last one closes it.
	refs atomic.Int32

	mu sync.Mutex // guards the following
	// The timeout lists, each with one timeout: newq (newTimeout), kaq
	// (KeepAliveTimeout), wcq (Timeout), lingerq (2 s; 30 s cap).
	newq, kaq, wcq, lingerq connList
	// readyq holds readable connections waiting for a worker; deadline is
	// when they started waiting.
	readyq connList
	// closeq holds connections workers hand to the loop to close.
	closeq connList
	// idle are the idle workers, most recently idle last.
	idle []*worker
	// nLinger counts connections in lingering close (admission does not
	// count them).
	nLinger int
	// nextWake is when the loop's current wait ends (mono), MaxInt64 if
	// it has no timeout.
	nextWake int64
	// admissionOff: the listeners are off because of admission control,
	// so a worker going idle wakes the loop to re-check.
	admissionOff bool
	// stopping mirrors the stop level the loop has acted on.
	stopping int32
	// loopGone: the loop has ended; a worker still busy closes its
	// connection itself.
	loopGone bool
	// pollerClosed: the poller is closed; Stop must not wake it.
	pollerClosed bool
	// hsWaiting are the workers waiting for a TLS handshake's next bytes
	// (tls_wait_linux.go).
	hsWaiting []*worker

	// The rest belongs to the loop goroutine.
	table        []*conn
	free         []*conn
	gen          uint32
	nConns       int
	lns          []int // listening descriptors (our duplicates)
	listening    bool  // the listeners are in the epoll set
	offIdle      bool  // listeners off for want of an idle worker, not the limit
	lnClosed     bool
	backoffUntil int64
	backoffDelay time.Duration
	remaining    int // connections left before MaxConnectionsPerChild; <0 unlimited
	stopDeadline int64
	saturated    bool
	handed       bool // a connection went to a worker since the last wait
	events       []unix.EpollEvent
	acts         []action
	drainBuf     []byte

	// pending counts the workers handed a connection that have not
	// started on it; feedWanted: connections wait in readyq while workers
	// are idle; waiting: the loop is about to wait or waits (see
	// handoff_linux.go).
	pending             atomic.Int32
	maxPending          int32
	feedWanted, waiting atomic.Bool
}

// action is work the loop does outside the lock on a connection it
// claimed.
type action struct {
	c    *conn
	kind uint8
}

const (
	actPeek   uint8 = iota // readable with RDHUP/HUP/ERR: data or end?
	actWrite               // write completion: writable
	actDrain               // lingering close: readable
	actClose               // close now
	actLinger              // start a short lingering close (keep-alive expiry)
)

func newEngine(cfg Config, deps mpm.ChildDeps) (*engine, error) {
	if cfg.ThreadsPerChild > deps.Board.ThreadLimit() {
		return nil, fmt.Errorf("event: ThreadsPerChild %d exceeds the scoreboard's ThreadLimit %d", cfg.ThreadsPerChild, deps.Board.ThreadLimit())
	}
	if deps.Slot < 0 || deps.Slot >= deps.Board.ServerLimit() {
		return nil, fmt.Errorf("event: slot %d outside the scoreboard's %d process slots", deps.Slot, deps.Board.ServerLimit())
	}
	// Since issue 18 the loop always waits in the netpoller: with the hot
	// path's raw system calls (rawio_linux.go) it costs a static file's
	// request less than a blocking epoll_wait too (NetpollWait is implied).
	p, err := newPoller(true)
	if err != nil {
		return nil, fmt.Errorf("event: %w", err)
	}
	h2 := mpm.NewH2(&deps, false) // before h1serve reads the handler
	srv := deps.Server
	e := &engine{
		h2:        h2,
		cfg:       cfg,
		deps:      deps,
		log:       deps.Log,
		proc:      deps.Board.Process(deps.Slot),
		factor:    cfg.workerFactor(),
		kat:       int64(cfg.KeepAliveTimeout),
		timeout:   int64(cfg.Timeout),
		p:         p,
		quit:      make(chan struct{}),
		drain:     make(chan struct{}),
		remaining: -1,
		nextWake:  math.MaxInt64,
		events:    make([]unix.EpollEvent, 256),
		drainBuf:  make([]byte, 32<<10),
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	var fhLog fasthttp.Logger = slogPrintf{e.log}
	if srv.Logger != nil {
		fhLog = srv.Logger
	}
	e.hs = h1serve.New(srv, h1serve.Options{Logger: fhLog, DefaultName: "gohttpd"})
	e.newTimeout = e.timeout
	e.hsTimeout = time.Duration(e.timeout)
	if deps.HandshakeTimeout > 0 {
		e.hsTimeout = deps.HandshakeTimeout
	}
	if srv.ReadTimeout > 0 {
		e.newTimeout = int64(srv.ReadTimeout)
	}
	if cfg.MaxConnectionsPerChild > 0 {
		e.remaining = cfg.MaxConnectionsPerChild
	}
	e.maxPending = pendingBound()
	e.ctxPool.New = func() any { return new(fasthttp.RequestCtx) }
	for j := range cfg.ThreadsPerChild {
		e.workers = append(e.workers, newWorker(e, j))
	}
	return e, nil
}

// slogPrintf is the fasthttp.Logger of RequestCtx.Logger when the
// fasthttp.Server has none.
type slogPrintf struct{ log *slog.Logger }

func (l slogPrintf) Printf(format string, args ...any) {
	l.log.Info(fmt.Sprintf(format, args...))
}

func (e *engine) acquireCtx() *fasthttp.RequestCtx {
	return e.ctxPool.Get().(*fasthttp.RequestCtx)
}

func (e *engine) releaseCtx(ctx *fasthttp.RequestCtx) {
	ctx.Request.Reset()
	ctx.Response.Reset()
	ctx.ResetUserValues()
	e.ctxPool.Put(ctx)
}

// stop records a stop order and wakes the loop.
func (e *engine) stop(mode mpm.StopMode) {
	if mode == mpm.StopGracefulIdle {
		e.idleClose.Store(true)
	}
	e.stopReq.Raise(mode)
	e.h2.Stop(mode)
	if e.deps.Draining != nil {
		e.deps.Draining.Store(true)
	}
	e.mu.Lock()
	if !e.pollerClosed {
		e.p.wake()
	}
	e.mu.Unlock()
}

// serve is Child.Serve.
func (e *engine) serve(ready func()) error {
	if !e.served.CompareAndSwap(false, true) {
		return errors.New("event: Serve called more than once")
	}
	e.refs.Store(int32(len(e.workers)) + 1)
	defer e.unref()
	defer e.h2.Wait() // HTTP/2 connections handed off (h2_linux.go)
	if err := e.takeListeners(); err != nil {
		e.closeListeners()
		e.mu.Lock()
		e.loopGone = true
		e.mu.Unlock()
		e.refs.Add(-int32(len(e.workers)))
		return err
	}
	pid, gen := os.Getpid(), e.deps.Generation
	e.proc.SetConnections(0)
	e.proc.SetKeepAlive(0)
	e.proc.SetWriteCompletion(0)
	e.proc.SetLingering(0)
	e.proc.SetNotAccepting(false)
	e.mu.Lock()
	for _, w := range e.workers {
		w.slot.SetPID(pid)
		w.slot.SetGeneration(gen)
		w.slot.SetState(mpm.StateReady)
		e.idle = append(e.idle, w)
	}
	e.mu.Unlock()
	e.running.Store(int32(len(e.workers)))
	for _, w := range e.workers {
		e.wg.Go(w.run)
	}
	if !e.stopReq.Stopping() {
		if err := e.enableListeners(); err != nil {
			e.log.Error("event: cannot poll the listeners", "err", err)
			e.stop(mpm.StopImmediate)
		}
	}
	if ready != nil {
		ready()
	}
	err := e.run()
	e.finish()
	return err
}

// run is the loop.
func (e *engine) run() error {
	for {
		now := mono()
		if e.checkStop(now) {
			return nil
		}
		if e.handed {
			// Let the workers just handed connections run before this
			// goroutine blocks its thread in epoll_wait: with one P (a
			// child pinned to one CPU), a goroutine readied by a thread
			// that then blocks in a system call waits for sysmon to take
			// the P back (20 µs to 10 ms).
			e.handed = false
			runtime.Gosched()
		}
		if e.feed() {
			continue // idle workers took queued connections: let them run
		}
		n, err := e.p.wait(e.events, e.waitTimeout(now))
		e.waiting.Store(false)
		if err != nil {
			e.log.Error("event: epoll_wait failed, stopping the child", "err", err)
			e.stopReq.Raise(mpm.StopImmediate)
			e.checkStop(mono())
			return fmt.Errorf("event: %w: %w", mpm.ErrChildSick, err)
		}
		now = mono()
		e.handle(e.events[:n], now)
		e.expire(now)
		e.admit(now)
	}
}

// handle processes one batch of events.
func (e *engine) handle(evs []unix.EpollEvent, now int64) {
	// A wake-up is acknowledged before the work it announces is looked at.
	for i := range evs {
		if evs[i].Pad == 0 && int(evs[i].Fd) == e.p.efd {
			e.p.drainWake()
			break
		}
	}
	accept := false
	e.acts = e.acts[:0]
	e.mu.Lock()
	for i := range evs {
		ev := &evs[i]
		fd, gen := int(ev.Fd), uint32(ev.Pad)
		if gen == 0 {
			if fd != e.p.efd {
				accept = true
			}
			continue
		}
		if fd < 0 || fd >= len(e.table) {
			continue
		}
		c := e.table[fd]
		if c == nil || c.gen != gen {
			continue // an earlier use of the fd
		}
		e.eventLocked(c, ev.Events, now)
	}
	for c := e.closeq.popFront(); c != nil; c = e.closeq.popFront() {
		e.acts = append(e.acts, action{c, actClose})
	}
	e.mu.Unlock()
	e.act(now)
	if accept && e.listening {
		e.accept(now)
	}
}

// act runs the actions collected in e.acts.
func (e *engine) act(now int64) {
	for i := range e.acts {
		a := e.acts[i]
		e.acts[i] = action{}
		switch a.kind {
		case actPeek:
			e.peek(a.c, now)
		case actWrite:
			e.writeCompletion(a.c, now)
		case actDrain:
			e.lingerDrain(a.c, now)
		case actLinger:
			if a.c.tls != nil {
				a.c.tls.closeNotifyParked()
			}
			e.startLinger(a.c, now, true)
		default:
			e.closeConn(a.c)
		}
	}
	e.acts = e.acts[:0]
}

// checkStop acts on stop orders and reports whether the loop is done.
func (e *engine) checkStop(now int64) bool {
	req := stopLevel(e.stopReq.Mode())
	if req > e.stopping {
		first := e.stopping == stopNone
		e.mu.Lock()
		e.stopping = req
		// Lingering closes shrink to 2 s while the child is dying.
		for c := e.lingerq.head; c != nil; c = c.next {
			c.lingerEnd = min(c.lingerEnd, now+int64(lingerWait))
			c.deadline = min(c.deadline, c.lingerEnd)
		}
		e.mu.Unlock()
		if first {
			e.closeListeners()
			e.proc.SetQuiescing(1)
			close(e.drain)
		}
		if req == stopNow {
			e.stopDeadline = now + int64(stopNowGrace)
			e.closeAll(now, false)
		}
	}
	if e.stopping == stopNone {
		return false
	}
	if e.idleClose.Load() {
		e.lingerIdle(now)
	}
	if e.nConns == 0 {
		return true
	}
	if e.stopping == stopNow && now >= e.stopDeadline {
		e.log.Warn("event: workers still busy after an immediate stop", "connections", e.nConns)
		return true
	}
	return false
}

// closeAll closes every connection the loop can claim and shuts down
// those workers hold, so their reads and writes fail at once. With
// loopGone it also marks the loop as ended, in the same critical section:
// a worker letting go of a connection later closes it itself.
func (e *engine) closeAll(now int64, loopGone bool) {
	e.mu.Lock()
	e.loopGone = e.loopGone || loopGone
	for _, c := range e.table {
		if c == nil {
			continue
		}
		switch c.state {
		case stNew:
			e.newq.remove(c)
		case stIdle:
			e.kaq.remove(c)
			e.proc.AddKeepAlive(-1)
			if c.tls != nil {
				c.tls.closeNotifyParked() // one small record, never waits
			}
		case stReady:
			e.readyq.remove(c)
		case stWrite:
			e.wcq.remove(c)
		case stLinger:
			e.lingerq.remove(c)
		case stBusy:
			unix.Shutdown(int(c.fd), unix.SHUT_RDWR)
			continue
		default:
			continue // stLoop: in closeq, closed below
		}
		c.state = stLoop
		e.acts = append(e.acts, action{c, actClose})
	}
	for c := e.closeq.popFront(); c != nil; c = e.closeq.popFront() {
		e.acts = append(e.acts, action{c, actClose})
	}
	e.mu.Unlock()
	e.act(now)
}

// finish ends Serve: what is left is closed, the workers exit (busy ones
// once their handler returns, waited for up to stopNowGrace), and the
// loop's resources are released.
func (e *engine) finish() {
	e.closeListeners()
	e.closeAll(mono(), true)
	close(e.quit)
	deadline := time.Now().Add(stopNowGrace)
	if e.stopping == stopNow {
		deadline = epoch.Add(time.Duration(e.stopDeadline))
	}
	// The waiter ends with the last worker, even after the deadline.
	done := make(chan struct{})
	go func() {
		e.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		e.log.Warn("event: Serve returns with workers still in handlers", "workers", e.running.Load())
	}
	e.proc.SetNotAccepting(true)
}

// unref drops one reference to the poller; the last closes it.
func (e *engine) unref() {
	if e.refs.Add(-1) != 0 {
		return
	}
	e.mu.Lock()
	e.pollerClosed = true
	e.mu.Unlock()
	e.p.close()
}
