package event

import (
	"golang.org/x/sys/unix"
)

// Lingering close (Apache's ap_lingering_close, done asynchronously as its
// event MPM does): the loop
// shuts down its side of a connection that ends, then reads and discards
// what the client still sends, up to lingerWait after the last bytes and
// lingerMax in all, so a reset does not destroy a response the client has
// not read yet. No worker takes part.

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
