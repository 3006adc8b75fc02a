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
	"syscall"
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
// Ownership. A connection's state says who owns it; a state changes only
// under e.mu, and only the owner changes it:
//
//	stNew, stIdle, stWrite, stLinger  parked in epoll (one-shot) and in the
//	                                  list the state names; the loop claims it
//	                                  (event, expiry, stop) by removing it
//	stReady                           in readyq; a worker or the loop claims it
//	stBusy                            a worker; it re-parks the connection
//	                                  (list + EPOLL_CTL_MOD, under e.mu, so the
//	                                  loop cannot claim it half-parked) or hands
//	                                  it to the loop through closeq
//	stLoop                            the loop, for an action outside the lock
//
// Only the loop closes a connection (EPOLL_CTL_DEL, then close, then the
// table slot and the record are recycled), so an fd number is reused only
// after every event and every worker has let go of it; the generation in
// the epoll data discards events of an earlier use still in a batch.
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
// Choice for reading requests: (b) of go-engines.md §1.4. A worker reads
// with fasthttp's own parser through a blocking bufio.Reader over the
// shim; the socket stays non-blocking and the shim waits in poll(2) up to
// Timeout when a request is incomplete. A slow request holds its worker,
// as it does in Apache's event MPM; idle keep-alive connections, slow
// readers of responses (write completion) and lingering closes hold none.

// Stop levels, in increasing strength.
const (
	stopNone int32 = iota
	stopGraceful
	stopNow
)

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

// accept4 is unix.Accept4; tests replace it to inject errors.
var accept4 = unix.Accept4

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

	p       *poller
	stopReq atomic.Int32
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
	// running counts the workers still running.
	running atomic.Int32
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
	p, err := newPoller()
	if err != nil {
		return nil, fmt.Errorf("event: %w", err)
	}
	srv := deps.Server
	e := &engine{
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
	if srv.ReadTimeout > 0 {
		e.newTimeout = int64(srv.ReadTimeout)
	}
	if cfg.MaxConnectionsPerChild > 0 {
		e.remaining = cfg.MaxConnectionsPerChild
	}
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
	want := stopNow
	if mode != mpm.StopImmediate {
		want = stopGraceful
	}
	for {
		cur := e.stopReq.Load()
		if cur >= want || e.stopReq.CompareAndSwap(cur, want) {
			break
		}
	}
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
		go w.run()
	}
	if e.stopReq.Load() == stopNone {
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

// takeListeners replaces the Go listeners by non-blocking duplicates of
// their descriptors (F_DUPFD_CLOEXEC) and closes the Go listeners, so the
// runtime's poller forgets them.
func (e *engine) takeListeners() error {
	for i, ln := range e.deps.Listeners {
		sc, ok := ln.(syscall.Conn)
		if !ok {
			return fmt.Errorf("event: listener %d (%T) has no raw descriptor", i, ln)
		}
		rc, err := sc.SyscallConn()
		if err != nil {
			return fmt.Errorf("event: listener %d: %w", i, err)
		}
		fd, derr := -1, error(nil)
		if err := rc.Control(func(s uintptr) {
			fd, derr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0)
		}); err != nil {
			return fmt.Errorf("event: listener %d: %w", i, err)
		}
		if derr != nil {
			return fmt.Errorf("event: listener %d: %w", i, os.NewSyscallError("fcntl F_DUPFD_CLOEXEC", derr))
		}
		e.lns = append(e.lns, fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			return fmt.Errorf("event: listener %d: %w", i, os.NewSyscallError("fcntl O_NONBLOCK", err))
		}
	}
	for _, ln := range e.deps.Listeners {
		ln.Close()
	}
	return nil
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
		n, err := e.p.wait(e.events, e.waitTimeout(now))
		if err != nil {
			e.log.Error("event: epoll_wait failed, stopping the child", "err", err)
			e.stopReq.Store(stopNow)
			e.checkStop(mono())
			return fmt.Errorf("event: %w: %w", mpm.ErrChildSick, err)
		}
		now = mono()
		e.handle(e.events[:n], now)
		e.expire(now)
		e.admit(now)
	}
}

// waitTimeout returns the epoll_wait timeout in milliseconds: until the
// earliest deadline, -1 if there is none.
func (e *engine) waitTimeout(now int64) int {
	next := int64(math.MaxInt64)
	e.mu.Lock()
	for _, q := range [...]*connList{&e.newq, &e.kaq, &e.wcq, &e.lingerq} {
		if q.head != nil {
			next = min(next, q.head.deadline)
		}
	}
	if e.readyq.head != nil && !e.saturated && e.kaq.n > 0 {
		next = min(next, e.readyq.head.deadline+int64(busyGrace))
	}
	if e.backoffUntil != 0 {
		next = min(next, e.backoffUntil)
	}
	if e.stopping == stopNow {
		next = min(next, e.stopDeadline)
	}
	e.nextWake = next
	e.mu.Unlock()
	if next == math.MaxInt64 {
		return -1
	}
	d := next - now
	if d <= 0 {
		return 0
	}
	return int(min((d+int64(time.Millisecond)-1)/int64(time.Millisecond), math.MaxInt32))
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
		in, out := ev.Events&evIn != 0, ev.Events&evOut != 0
		hup := ev.Events&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0
		if hup {
			c.pend |= pendHup
		}
		switch c.state {
		case stIdle, stNew:
			if !in {
				continue // writable only: nothing to do while parked
			}
			if c.state == stIdle {
				e.kaq.remove(c)
				e.proc.AddKeepAlive(-1)
			} else {
				e.newq.remove(c)
			}
			if hup {
				c.state = stLoop
				e.acts = append(e.acts, action{c, actPeek})
			} else {
				e.dispatchLocked(c, now)
			}
		case stWrite:
			if !out {
				// A request arrived behind the response being written: it
				// is looked at once the response is out.
				c.pend |= pendIn
				continue
			}
			e.wcq.remove(c)
			c.pend &^= pendOut
			c.state = stLoop
			e.acts = append(e.acts, action{c, actWrite})
		case stLinger:
			if !in {
				continue
			}
			e.lingerq.remove(c)
			c.pend &^= pendIn
			c.state = stLoop
			e.acts = append(e.acts, action{c, actDrain})
		default:
			// stBusy, stReady, stLoop: an owner is at work on the
			// connection and may already have read or written past this
			// edge, or not: it re-arms when it parks the connection.
			if in {
				c.pend |= pendIn
			}
			if out {
				c.pend |= pendOut
			}
		}
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
			e.startLinger(a.c, now, true)
		default:
			e.closeConn(a.c)
		}
	}
	e.acts = e.acts[:0]
}

// dispatchLocked gives c to an idle worker, or queues it for the next one.
func (e *engine) dispatchLocked(c *conn, now int64) {
	if n := len(e.idle); n > 0 {
		w := e.idle[n-1]
		e.idle[n-1] = nil
		e.idle = e.idle[:n-1]
		takeLocked(c)
		w.ch <- c // w is idle: its channel is empty
		e.handed = true
		return
	}
	c.state = stReady
	c.deadline = now
	e.readyq.pushBack(c)
}

// takeLocked gives c to a worker. Edges seen before concern bytes the
// worker's reads and writes will meet, so they are forgotten.
func takeLocked(c *conn) {
	c.state = stBusy
	c.pend &^= pendIn | pendOut
}

// peek looks at a parked connection whose peer closed its side (RDHUP)
// or that failed: data still queued (a request sent before a half-close)
// goes to a worker; otherwise it is closed here, without a worker.
func (e *engine) peek(c *conn, now int64) {
	var b [1]byte
	n, _, err := unix.Recvfrom(int(c.fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
	if n > 0 && err == nil {
		e.mu.Lock()
		e.dispatchLocked(c, now)
		e.mu.Unlock()
		return
	}
	e.closeConn(c)
}

// writeCompletion continues a deferred response.
func (e *engine) writeCompletion(c *conn, now int64) {
	if e.stopReq.Load() == stopNow {
		e.closeConn(c)
		return
	}
	done, full, err := c.job.flush(int(c.fd), writeBudget)
	if err != nil {
		e.closeConn(c)
		return
	}
	if !done {
		e.mu.Lock()
		if !full {
			// Stopped by the budget, not by a full socket: no edge will
			// come, so the park re-arms.
			c.pend |= pendOut
		}
		ok := e.parkLocked(c, stWrite, now)
		e.mu.Unlock()
		if !ok {
			e.closeConn(c)
		}
		return
	}
	keep := c.job.keepAlive && !e.idleClose.Load()
	e.endJob(c)
	if keep && e.stopReq.Load() != stopNow {
		e.mu.Lock()
		ok := e.parkLocked(c, stIdle, now)
		e.mu.Unlock()
		if !ok {
			e.closeConn(c)
		}
		return
	}
	e.startLinger(c, now, false)
}

// endJob releases c's write-completion job.
func (e *engine) endJob(c *conn) {
	c.job.release(e.releaseCtx)
	c.job = nil
	e.proc.AddWriteCompletion(-1)
}

// startLinger begins a lingering close of c, which the loop owns: shut
// down our side, then drain the client (short: 2 s in all; else 2 s after
// the last data, 30 s at most).
func (e *engine) startLinger(c *conn, now int64, short bool) {
	if err := unix.Shutdown(int(c.fd), unix.SHUT_WR); err != nil {
		e.closeConn(c)
		return
	}
	e.mu.Lock()
	ok := e.lingerLocked(c, now, short)
	e.mu.Unlock()
	if !ok {
		e.closeConn(c)
	}
}

// lingerLocked parks c, already shut down for writing, for lingering
// close.
func (e *engine) lingerLocked(c *conn, now int64, short bool) bool {
	if c.flags&flagCounted == 0 {
		c.flags |= flagCounted
		e.nLinger++
		e.proc.AddLingering(1)
	}
	if c.lingerEnd == 0 {
		c.lingerEnd = now + int64(lingerMax)
		if short {
			c.lingerEnd = now + int64(lingerWait)
		}
	}
	if e.stopping != stopNone {
		c.lingerEnd = min(c.lingerEnd, now+int64(lingerWait))
	}
	return e.parkLocked(c, stLinger, now)
}

// lingerDrain reads and discards what a lingering connection sent; EOF or
// an error closes it, else it waits again.
func (e *engine) lingerDrain(c *conn, now int64) {
	drained := false
	for range drainReads {
		n, err := unix.Read(int(c.fd), e.drainBuf)
		if n > 0 || err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN {
			drained = true
			break
		}
		e.closeConn(c) // EOF or an error: done
		return
	}
	// Drained for now, or still sending after drainReads reads: wait
	// again, up to lingerEnd.
	if now >= c.lingerEnd {
		e.closeConn(c)
		return
	}
	e.mu.Lock()
	if !drained {
		// Still sending after drainReads reads: no edge will come for
		// what is queued, so the park re-arms.
		c.pend |= pendIn
	}
	ok := e.parkLocked(c, stLinger, now)
	e.mu.Unlock()
	if !ok {
		e.closeConn(c)
	}
}

// parkLocked puts c in epoll in state st, in the list st names, with that
// list's timeout; it reports false if epoll refused (c is then unchanged
// and the caller closes it).
func (e *engine) parkLocked(c *conn, st uint8, now int64) bool {
	var q *connList
	var d int64
	pend := pendIn
	switch st {
	case stNew:
		q, d = &e.newq, now+e.newTimeout
	case stIdle:
		q, d = &e.kaq, now+e.kat
	case stWrite:
		q, d, pend = &e.wcq, now+e.timeout, pendOut
	case stLinger:
		q, d = &e.lingerq, min(now+int64(lingerWait), c.lingerEnd)
	default:
		panic("event: parkLocked: bad state")
	}
	// Edge: the first park registers the fd; later ones touch epoll only
	// when an edge may have been missed. OneShot: every park re-arms.
	reg := c.flags&flagRegistered != 0
	switch {
	case e.cfg.OneShot:
		events := uint32(evReadOnce)
		if st == stWrite {
			events = evWriteOnce
		}
		if err := e.p.arm(int(c.fd), events, c.gen, reg); err != nil {
			return false
		}
	case !reg || c.pend&(pend|pendHup) != 0:
		if err := e.p.arm(int(c.fd), evConn, c.gen, reg); err != nil {
			return false
		}
		c.pend &^= pend
	}
	c.flags |= flagRegistered
	c.state = st
	c.deadline = d
	q.pushBack(c)
	if st == stIdle {
		e.proc.AddKeepAlive(1)
	}
	return true
}

// closeConn closes c, which the loop owns, and recycles its record.
func (e *engine) closeConn(c *conn) {
	fd := int(c.fd)
	if c.flags&flagRegistered != 0 {
		e.p.del(fd)
	}
	unix.Close(fd)
	if c.job != nil {
		e.endJob(c)
	}
	e.mu.Lock()
	if c.flags&flagCounted != 0 {
		e.nLinger--
		e.proc.AddLingering(-1)
	}
	c.state = stFree
	e.mu.Unlock()
	if fd < len(e.table) && e.table[fd] == c {
		e.table[fd] = nil
	}
	e.nConns--
	e.proc.AddConnections(-1)
	if len(e.free) < maxFree {
		*c = conn{}
		e.free = append(e.free, c)
	}
}

// newConn records an accepted connection.
func (e *engine) newConn(fd int, sa unix.Sockaddr) *conn {
	var c *conn
	if n := len(e.free); n > 0 {
		c = e.free[n-1]
		e.free[n-1] = nil
		e.free = e.free[:n-1]
	} else {
		c = new(conn)
	}
	e.gen++
	if e.gen == 0 {
		e.gen = 1
	}
	c.fd, c.gen, c.state = int32(fd), e.gen, stBusy
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		copy(c.ip[:4], a.Addr[:])
		c.port = uint16(a.Port)
	case *unix.SockaddrInet6:
		c.ip = a.Addr
		c.port = uint16(a.Port)
		c.flags |= flagV6
	}
	if fd >= len(e.table) {
		t := make([]*conn, max(2*len(e.table), fd+1, 64))
		copy(t, e.table)
		e.table = t
	}
	e.table[fd] = c
	e.nConns++
	e.proc.AddConnections(1)
	return c
}

// accept accepts new connections while a worker is idle and admission
// allows, giving each to a worker at once (with TCP_DEFER_ACCEPT the
// request is usually there; if not, the worker parks it without waiting).
// As in Apache, the listeners are disabled only when a listener polled
// readable finds the child above its limit.
func (e *engine) accept(now int64) {
	for _, lfd := range e.lns {
		for i := range acceptBatch {
			if !e.listening || e.remaining == 0 {
				return
			}
			e.mu.Lock()
			idle := len(e.idle)
			above := idle == 0 || e.aboveLimitLocked()
			e.mu.Unlock()
			if above && i > 0 {
				// Whether another connection waits is not known: the
				// next poll tells, and the check is made again then.
				break
			}
			if above {
				if idle == 0 {
					e.log.Debug("event: all workers busy, not accepting new conns in this process")
				} else {
					e.log.Debug("event: too many open connections, not accepting new conns in this process", "connections", e.nConns, "idle_workers", idle)
				}
				e.offIdle = idle == 0
				e.disableListeners(true)
				return
			}
			nfd, sa, err := accept4(lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
			if err != nil {
				switch err {
				case unix.EAGAIN:
				case unix.EINTR, unix.ECONNABORTED, unix.EPROTO, unix.EPERM:
					continue
				case unix.EMFILE, unix.ENFILE, unix.ENOBUFS, unix.ENOMEM:
					e.backoff(now, err)
					return
				default:
					e.log.Error("event: accept failed", "err", os.NewSyscallError("accept4", err))
				}
				break
			}
			e.backoffDelay = 0
			unix.SetsockoptInt(nfd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
			c := e.newConn(nfd, sa)
			// The stop order for MaxConnectionsPerChild goes out before the
			// last connection reaches a worker, so its response already
			// says Connection: close.
			last := false
			if e.remaining > 0 {
				e.remaining--
				if last = e.remaining == 0; last {
					e.log.Info("event: stopping process due to MaxConnectionsPerChild")
					e.stop(mpm.StopGraceful)
				}
			}
			e.mu.Lock()
			e.dispatchLocked(c, now)
			e.mu.Unlock()
			if last {
				return
			}
		}
	}
}

// aboveLimitLocked is Apache's connections_above_limit (apache-mpm.md
// §5.5): with i idle workers, the child accepts while its connections not
// in lingering close stay under ThreadsPerChild + (i − disabled) × factor.
//
// The hysteresis term (disabled) applies only when the listeners went off
// for the connection limit. When they went off because no worker was idle
// (offIdle), often only for the moment between a worker writing its
// response and handBack putting it back on e.idle, counting it would keep
// them off for good with ThreadsPerChild 1 and one parked keep-alive
// connection (1 < 1 + (1−1) × factor is false): the worker going idle
// wakes the loop, admit finds the child still "above the limit", and
// nothing else re-checks until a connection closes, so a connection in
// the listen backlog waits for a KeepAliveTimeout. Apache escapes this by
// closing every keep-alive connection once workers were busy; this engine
// closes them only after busyGrace of a readable connection in readyq, so
// a worker going idle re-enables the listeners instead.
func (e *engine) aboveLimitLocked() bool {
	i := len(e.idle)
	if i == 0 {
		return true
	}
	disabled := 0
	if !e.listening && !e.offIdle {
		disabled = 1
	}
	c, l := e.nConns, e.nLinger
	return !(c <= l || c-l < e.cfg.ThreadsPerChild+(i-disabled)*e.factor)
}

// backoff pauses accepting after EMFILE/ENFILE: the pending connection
// stays queued, so a level-triggered listener would spin.
func (e *engine) backoff(now int64, err error) {
	if e.backoffDelay == 0 {
		e.backoffDelay = backoffMin
		e.log.Warn("event: accept failed, pausing accepts", "err", os.NewSyscallError("accept4", err))
	} else {
		e.backoffDelay = min(2*e.backoffDelay, backoffMax)
	}
	e.backoffUntil = now + int64(e.backoffDelay)
	e.disableListeners(false)
}

// admit re-enables the listeners when admission allows again.
func (e *engine) admit(now int64) {
	if e.lnClosed || e.listening {
		return
	}
	if e.backoffUntil != 0 {
		if now < e.backoffUntil {
			return
		}
		e.backoffUntil = 0
	}
	e.mu.Lock()
	above := e.aboveLimitLocked()
	idle := len(e.idle)
	e.mu.Unlock()
	if above {
		return
	}
	if err := e.enableListeners(); err != nil {
		e.log.Error("event: cannot poll the listeners", "err", err)
		return
	}
	e.log.Debug("event: accepting new connections again", "connections", e.nConns, "idle_workers", idle)
}

// enableListeners adds the listeners to the epoll set.
func (e *engine) enableListeners() error {
	for i, fd := range e.lns {
		if err := e.p.ctl(unix.EPOLL_CTL_ADD, fd, evListener, 0); err != nil {
			for _, fd := range e.lns[:i] {
				e.p.del(fd)
			}
			return err
		}
	}
	e.listening = true
	e.offIdle = false
	e.mu.Lock()
	e.admissionOff = false
	e.mu.Unlock()
	e.proc.SetNotAccepting(false)
	return nil
}

// disableListeners removes the listeners from the epoll set; admission
// tells whether workers going idle should wake the loop to re-check.
func (e *engine) disableListeners(admission bool) {
	if !e.listening {
		return
	}
	for _, fd := range e.lns {
		e.p.del(fd)
	}
	e.listening = false
	e.mu.Lock()
	e.admissionOff = admission
	e.mu.Unlock()
	e.proc.SetNotAccepting(true)
}

// closeListeners closes our listener descriptors (once).
func (e *engine) closeListeners() {
	if e.lnClosed {
		return
	}
	e.disableListeners(false)
	for _, fd := range e.lns {
		unix.Close(fd)
	}
	e.lnClosed = true
}

// expire handles the lists' deadlines.
func (e *engine) expire(now int64) {
	e.mu.Lock()
	// A new connection that sent nothing in time goes to a worker, which
	// answers it through the ErrorHandler (the site logs and answers 408,
	// as under the other engines) and closes it.
	for c := e.newq.popExpired(now); c != nil; c = e.newq.popExpired(now) {
		c.flags |= flagExpired
		e.dispatchLocked(c, now)
	}
	for c := e.kaq.popExpired(now); c != nil; c = e.kaq.popExpired(now) {
		e.proc.AddKeepAlive(-1)
		c.state = stLoop
		e.acts = append(e.acts, action{c, actLinger})
	}
	for c := e.wcq.popExpired(now); c != nil; c = e.wcq.popExpired(now) {
		c.state = stLoop
		e.acts = append(e.acts, action{c, actClose})
	}
	for c := e.lingerq.popExpired(now); c != nil; c = e.lingerq.popExpired(now) {
		c.state = stLoop
		e.acts = append(e.acts, action{c, actClose})
	}
	// Saturation: a readable connection has waited busyGrace for a
	// worker. Idle keep-alive connections are closed first, as Apache's
	// event MPM closes them when no worker is free (it does so at the
	// first failed reservation; the grace keeps a burst of requests on
	// more connections than workers from costing clients their
	// connections). Readable connections keep their place in readyq.
	sat := e.readyq.head != nil && now-e.readyq.head.deadline >= int64(busyGrace)
	if sat && !e.saturated && e.kaq.n > 0 {
		e.log.Debug("event: all workers are busy, closing keep-alive connections", "count", e.kaq.n)
	}
	e.saturated = sat
	if sat {
		e.lingerAllLocked(&e.kaq)
	}
	e.mu.Unlock()
	e.act(now)
}

// checkStop acts on stop orders and reports whether the loop is done.
func (e *engine) checkStop(now int64) bool {
	req := e.stopReq.Load()
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

// lingerIdle starts a short lingering close of every parked keep-alive
// connection and every new one still waiting for its first byte (a
// graceful stop of the whole server). Connections that park later (a
// new connection dispatched before the stop that sent nothing yet) are
// met on the next pass.
func (e *engine) lingerIdle(now int64) {
	e.mu.Lock()
	e.lingerAllLocked(&e.kaq)
	e.lingerAllLocked(&e.newq)
	e.mu.Unlock()
	e.act(now)
}

// lingerAllLocked claims every connection parked in q (kaq or newq) for a
// short lingering close, run by the next act.
func (e *engine) lingerAllLocked(q *connList) {
	for c := q.popFront(); c != nil; c = q.popFront() {
		if q == &e.kaq {
			e.proc.AddKeepAlive(-1)
		}
		c.state = stLoop
		e.acts = append(e.acts, action{c, actLinger})
	}
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
	for e.running.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := e.running.Load(); n > 0 {
		e.log.Warn("event: Serve returns with workers still in handlers", "workers", n)
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

// closeOrphan closes a connection a worker still held when the loop ended.
func (e *engine) closeOrphan(c *conn) {
	if c.flags&flagRegistered != 0 {
		e.p.del(int(c.fd))
	}
	unix.Close(int(c.fd))
	if c.job != nil {
		c.job.release(nil)
		c.job = nil
		e.proc.AddWriteCompletion(-1)
	}
	e.proc.AddConnections(-1)
}
