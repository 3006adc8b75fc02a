package event

import (
	"sync"

	"github.com/valyala/fasthttp"
	"golang.org/x/sys/unix"
)

// writeCompletion continues a deferred response.
func (e *engine) writeCompletion(c *conn, now int64) {
	if e.stopReq.Immediate() {
		e.closeConn(c)
		return
	}
	done, full, err := c.job.flush(int(c.fd), writeBudget)
	if err != nil {
		e.closeConn(c)
		return
	}
	if !done && c.job.plainFront() {
		// TLS: the rest is plaintext; a worker encrypts the next part.
		e.proc.AddWriteCompletion(-1)
		c.flags |= flagEncrypt
		e.mu.Lock()
		e.dispatchLocked(c, now)
		e.mu.Unlock()
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
	if keep && !e.stopReq.Immediate() {
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

func newWriteJob() *writeJob { return &writeJob{} }

// flush writes as much as the socket takes, at most budget bytes. It
// reports done when nothing is left, full when it stopped because the
// socket took no more (EAGAIN: an edge follows when it drains), and the
// error that ended the connection if one did; it never blocks.
func (j *writeJob) flush(fd int, budget int64) (done, full bool, err error) {
	var iov [8][]byte
	for len(j.segs) > 0 && budget > 0 {
		sg := &j.segs[0]
		if sg.plain {
			// TLS plaintext: a worker must encrypt it (plainFront).
			return false, false, nil
		}
		if sg.file >= 0 {
			n, err := unix.Sendfile(fd, sg.file, &sg.off, int(min(sg.n, budget, 1<<30)))
			if n > 0 {
				sg.n -= int64(n)
				budget -= int64(n)
			}
			switch {
			case err == unix.EINTR:
				continue
			case err == unix.EAGAIN:
				return false, true, nil
			case err != nil:
				return false, false, opError("sendfile", err)
			case n == 0 && sg.n > 0:
				// The file shrank: the response cannot be completed.
				return false, false, opError("sendfile", unix.EIO)
			}
			if sg.n == 0 {
				unix.Close(sg.file)
				j.pop()
			}
			continue
		}
		// Consecutive byte segments go out in one writev.
		k := 0
		for k < len(iov) && k < len(j.segs) && j.segs[k].file < 0 && !j.segs[k].plain {
			iov[k] = j.segs[k].b
			k++
		}
		n, err := unix.Writev(fd, iov[:k])
		clear(iov[:k])
		if n > 0 {
			budget -= int64(n)
			j.consume(n)
		}
		switch err {
		case nil, unix.EINTR:
		case unix.EAGAIN:
			return false, true, nil
		default:
			return false, false, opError("writev", err)
		}
	}
	return len(j.segs) == 0, false, nil
}

// consume drops n written bytes from the leading byte segments.
func (j *writeJob) consume(n int) {
	for n > 0 && len(j.segs) > 0 && j.segs[0].file < 0 {
		sg := &j.segs[0]
		if n < len(sg.b) {
			sg.b = sg.b[n:]
			return
		}
		n -= len(sg.b)
		j.pop()
	}
	// Empty byte segments left at the front are dropped too.
	for len(j.segs) > 0 && j.segs[0].file < 0 && len(j.segs[0].b) == 0 {
		j.pop()
	}
}

func (j *writeJob) pop() {
	j.segs[0] = segment{}
	j.segs = j.segs[1:]
}

// release closes the files the job still owns and returns its RequestCtx,
// if it holds one, through put.
func (j *writeJob) release(put func(*fasthttp.RequestCtx)) {
	for i := range j.segs {
		if j.segs[i].file >= 0 {
			unix.Close(j.segs[i].file)
		}
		j.segs[i] = segment{}
	}
	j.segs = nil
	if j.ctx != nil && put != nil {
		put(j.ctx)
	}
	j.ctx = nil
}

// copyBufPool holds buffers for copying bodies that are not files.
var copyBufPool = sync.Pool{New: func() any {
	b := make([]byte, 32<<10)
	return &b
}}
