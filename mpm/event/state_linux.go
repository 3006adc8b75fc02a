package event

import (
	"golang.org/x/sys/unix"
)

// The connection state machine. Every transition of a connection's state
// is made by a function of this file, under engine.mu, by the
// connection's owner.
//
//	state     where it waits             owner    leaves on                         to
//	--------  -------------------------  -------  --------------------------------  ------------------------------
//	stFree    the loop's free list       loop     accept (newConn)                  stBusy, or stReady (no worker)
//	stNew     epoll, newq (ReadTimeout   epoll    readable (eventLocked)            stBusy / stReady (dispatchLocked)
//	          or Timeout)                         peer closed (RDHUP, HUP, ERR)     stLoop: peek
//	                                              expiry (expire)                   stBusy: a worker answers 408
//	                                              StopGracefulIdle (lingerIdle)     stLoop: short lingering close
//	stIdle    epoll, kaq                 epoll    readable                          stBusy / stReady
//	          (KeepAliveTimeout)                  peer closed                       stLoop: peek
//	                                              expiry, saturation, StopGraceful- stLoop: short lingering close
//	                                              Idle
//	stReady   readyq                     nobody   a worker goes idle (handBack)     stBusy
//	stBusy    a worker                   worker   handBack: keep-alive              stIdle (parkLocked)
//	                                              handBack: nothing read yet        stNew
//	                                              handBack: response left           stWrite (write completion)
//	                                              handBack: closing                 stLinger (lingerLocked)
//	                                              handBack: close, hijack, epoll    stLoop, in closeq
//	                                              refused
//	stWrite   epoll, wcq (Timeout)       epoll    writable (EPOLLOUT)               stLoop: writeCompletion, then
//	                                                                                stWrite, stIdle or stLinger
//	                                              expiry                            stLoop: close
//	stLinger  epoll, lingerq (2 s,       epoll    readable                          stLoop: lingerDrain, then
//	          30 s in all)                                                          stLinger or closed
//	                                              expiry                            stLoop: close
//	stLoop    closeq or the loop's       loop     its action (act)                  any parked state, stBusy
//	          actions                                                               (peek found data), stFree
//
// StopImmediate takes every parked, ready or queued connection to stLoop
// and closes it (closeAll); a busy one is shut down, so its worker's next
// read or write fails and it hands the connection back.
//
// Ownership. A connection's state says who owns it; a state changes only
// under e.mu, and only the owner changes it:
//
//	stNew, stIdle, stWrite, stLinger  parked in epoll and in the list the
//	                                  state names; the loop claims it (event,
//	                                  expiry, stop) by removing it
//	stReady                           in readyq; a worker or the loop claims it
//	stBusy                            a worker; it re-parks the connection
//	                                  (list, and EPOLL_CTL_MOD where an edge may
//	                                  have been missed, under e.mu, so the loop
//	                                  cannot claim it half-parked) or hands it
//	                                  to the loop through closeq
//	stLoop                            the loop, for an action outside the lock
//
// Only the loop closes a connection (EPOLL_CTL_DEL, then close, then the
// table slot and the record are recycled), so an fd number is reused only
// after every event and every worker has let go of it; the generation in
// the epoll data discards events of an earlier use still in a batch.

// Connection states. Who owns a connection follows from its state, and a
// state changes only under engine.mu, by the owner.
const (
	stFree   uint8 = iota // not in use (closed, in the loop's free list)
	stNew                 // parked in epoll for its first byte (newq, the read timeout)
	stIdle                // parked keep-alive connection (kaq, KeepAliveTimeout)
	stReady               // readable, waiting in the ready list for a worker
	stBusy                // owned by a worker
	stWrite               // write completion: parked for EPOLLOUT (wcq, Timeout)
	stLinger              // lingering close: parked for EPOLLIN (lingerq)
	stLoop                // claimed by the loop for an action (write, drain, close)
)

// eventLocked applies one epoll event to c: the transitions an event
// makes (see the table at the top of this file).
func (e *engine) eventLocked(c *conn, events uint32, now int64) {
	in, out := events&evIn != 0, events&evOut != 0
	hup := events&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0
	if hup {
		c.pend |= pendHup
	}
	switch c.state {
	case stIdle, stNew:
		if !in {
			return // writable only: nothing to do while parked
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
			return
		}
		e.wcq.remove(c)
		c.pend &^= pendOut
		c.state = stLoop
		e.acts = append(e.acts, action{c, actWrite})
	case stLinger:
		if !in {
			return
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
		if (in || hup) && len(e.hsWaiting) > 0 && e.wakeHandshakeLocked(c) {
			c.pend &^= pendIn // the woken worker reads
		}
	}
}

// dispatchLocked gives c to an idle worker, or queues it for the next one
// (also while GOMAXPROCS workers have been handed connections and not
// started yet: see handoff_linux.go).
func (e *engine) dispatchLocked(c *conn, now int64) {
	if len(e.idle) > 0 {
		if e.pending.Load() < e.maxPending {
			e.handLocked(c)
			return
		}
		e.feedWanted.Store(true)
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
		if c.tls != nil && !c.tls.done {
			// RequestReadTimeout's handshake= stage, from accept on.
			d = now + min(e.newTimeout, int64(e.hsTimeout))
		}
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
			e.parkFailed(c, st, err)
			return false
		}
	case !reg || c.pend&(pend|pendHup) != 0:
		if err := e.p.arm(int(c.fd), evConn, c.gen, reg); err != nil {
			e.parkFailed(c, st, err)
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

// parkFailed logs an epoll_ctl failure that costs c its connection (the
// caller closes it): EPOLL_CTL_ADD/MOD fail only for want of kernel memory
// (ENOMEM), past max_user_watches (ENOSPC), or on a bug.
func (e *engine) parkFailed(c *conn, st uint8, err error) {
	e.log.Warn("event: cannot park a connection, closing it", "err", err, "state", stateNames[st], "client", c.remoteAddrPort().String())
}

// stateNames name the states in logs.
var stateNames = [...]string{stFree: "free", stNew: "new", stIdle: "keep-alive", stReady: "ready", stBusy: "busy", stWrite: "write-completion", stLinger: "lingering-close", stLoop: "loop"}

// closeConn closes c, which the loop owns, and recycles its record.
func (e *engine) closeConn(c *conn) {
	fd := int(c.fd)
	if c.flags&flagRegistered != 0 {
		if err := e.p.del(fd); err != nil {
			e.log.Warn("event: epoll_ctl DEL failed before close", "err", err)
		}
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

// handBack takes c back from worker w after process: it parks c or hands
// it to the loop, then returns the next connection waiting for a worker
// (w stays busy with it) or puts w on the idle list. drained tells whether
// the worker's last read emptied the socket; if not, or if the worker
// stopped reading for a lingering close, parking re-arms the connection,
// since bytes already queued raise no further edge. now is mono() as the
// worker last read it.
func (e *engine) handBack(w *worker, c *conn, out outcome, drained bool, now int64) *conn {
	if out == outLinger {
		if err := unix.Shutdown(int(c.fd), unix.SHUT_WR); err != nil {
			out = outClose
		}
	}
	wake := false
	e.mu.Lock()
	if e.loopGone {
		e.mu.Unlock()
		e.closeOrphan(c)
		return nil
	}
	if e.stopReq.Immediate() {
		out = outClose
	}
	if !drained || out == outLinger {
		c.pend |= pendIn
	}
	ok := false
	switch out {
	case outPark:
		ok = e.parkLocked(c, stIdle, now)
	case outParkNew:
		ok = e.parkLocked(c, stNew, now)
	case outWrite:
		e.proc.AddWriteCompletion(1)
		ok = e.parkLocked(c, stWrite, now)
	case outLinger:
		ok = e.lingerLocked(c, now, false)
	}
	if !ok {
		c.state = stLoop
		e.closeq.pushBack(c)
		wake = true
	} else if c.deadline+int64(wakeFudge) < e.nextWake {
		wake = true
	}
	next := e.readyq.popFront()
	if next != nil {
		takeLocked(next)
	} else {
		e.idle = append(e.idle, w)
		wake = wake || e.admissionOff
	}
	e.mu.Unlock()
	if wake {
		e.p.wake()
	}
	return next
}
