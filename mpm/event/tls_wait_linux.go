package event

import (
	"net"
	"os"
	"time"
)

// Waiting inside a TLS handshake.
//
// crypto/tls cannot resume a handshake after EAGAIN, so the worker running
// it must wait for the client's next flight (its Finished, in TLS 1.3)
// without returning. Waiting in poll(2) blocks the worker's thread in a
// system call while it holds the scheduler's P: in a child pinned to one
// CPU (GOMAXPROCS 1) nothing else runs, the loop included, until sysmon
// takes the P back (20 µs to 10 ms later) and starts another thread, and
// when poll returns the worker's thread finds the P gone and sleeps until
// sysmon hands it back again. That cost about a third of a full
// handshake's CPU time in context switches.
//
// So a worker waits for a handshake's reads through the loop instead: it
// registers the connection in the epoll set (as its first park would),
// puts itself on e.hsWaiting under e.mu and parks its goroutine on its
// wake-up channel, the handshake deadline's timer, and the loop's end.
// The loop's event for a busy connection a worker waits on (eventLocked,
// stBusy) sends on that channel instead of recording the edge, and
// yields before its next epoll_wait (e.handed), so the worker runs on
// the loop's thread at once. One thread, no sysmon. (The list, rather
// than a field of the connection, keeps the loop from reading c.tls,
// which a worker handing the connection to HTTP/2 clears.)
//
// An edge that fired between the worker's EAGAIN and its marking is in
// c.pend (pendIn, pendHup): the worker then reads again instead of
// waiting. Writes in a handshake (one small flight) still wait in poll(2)
// in the rare case the socket is full.

// hsWait is a worker's state for handshake waits.
type hsWait struct {
	ch    chan struct{}
	timer *time.Timer
	// c is the connection waited on while the worker is on e.hsWaiting.
	c *conn
}

// waitHandshakeRead waits until c is readable (or hung up), its handshake
// deadline passes (a timeout error), or the loop ends (net.ErrClosed).
func (w *worker) waitHandshakeRead(c *conn, deadline time.Time) error {
	e := w.e
	if w.hs.ch == nil {
		w.hs.ch = make(chan struct{}, 1)
	}
	d := time.Duration(e.timeout)
	if !deadline.IsZero() {
		d = min(d, time.Until(deadline))
	}
	if d <= 0 {
		return &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	}
	e.mu.Lock()
	if e.loopGone {
		e.mu.Unlock()
		return net.ErrClosed
	}
	if c.pend&(pendIn|pendHup) != 0 {
		// An edge the loop recorded: read again.
		c.pend &^= pendIn
		e.mu.Unlock()
		return nil
	}
	reg := c.flags&flagRegistered != 0
	if !reg || e.cfg.OneShot {
		events := uint32(evConn)
		if e.cfg.OneShot {
			events = evReadOnce
		}
		// Adding (or re-arming) reports readiness already there at once.
		if err := e.p.arm(int(c.fd), events, c.gen, reg); err != nil {
			e.mu.Unlock()
			return err
		}
		c.flags |= flagRegistered
	}
	w.hs.c = c
	e.hsWaiting = append(e.hsWaiting, w)
	e.mu.Unlock()

	if w.hs.timer == nil {
		w.hs.timer = time.NewTimer(d)
	} else {
		w.hs.timer.Reset(d)
	}
	var err error
	select {
	case <-w.hs.ch:
	case <-w.hs.timer.C:
		err = &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	case <-e.quit:
		err = net.ErrClosed
	}
	w.hs.timer.Stop()
	e.mu.Lock()
	e.dropHSWaiterLocked(w)
	e.mu.Unlock()
	select {
	case <-w.hs.ch: // a wake-up sent after the timeout
	default:
	}
	return err
}

// wakeHandshakeLocked wakes the worker waiting in c's handshake, if one
// is (the loop, on an event for a busy connection, under e.mu); it
// reports whether it did.
func (e *engine) wakeHandshakeLocked(c *conn) bool {
	for _, w := range e.hsWaiting {
		if w.hs.c == c {
			e.dropHSWaiterLocked(w)
			select {
			case w.hs.ch <- struct{}{}:
			default:
			}
			e.handed = true
			return true
		}
	}
	return false
}

// dropHSWaiterLocked takes w off e.hsWaiting, if it is there.
func (e *engine) dropHSWaiterLocked(w *worker) {
	for i, x := range e.hsWaiting {
		if x == w {
			last := len(e.hsWaiting) - 1
			e.hsWaiting[i] = e.hsWaiting[last]
			e.hsWaiting[last] = nil
			e.hsWaiting = e.hsWaiting[:last]
			break
		}
	}
	w.hs.c = nil
}
