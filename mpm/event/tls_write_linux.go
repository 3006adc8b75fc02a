package event

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// Large TLS responses and write completion.
//
// The loop never encrypts a response, and a write-completion job holds
// at most maxDeferCopy bytes of copied ciphertext. So when the client
// stops taking a TLS response, the worker defers the rest as plaintext:
// a reference to the response body (the job keeps the RequestCtx), a
// copy within the bound, or, for a file, a duplicate descriptor and an
// offset (nothing read). The loop sends the ciphertext ahead of it; when
// it reaches the plaintext (writeJob.plainFront) it hands the connection
// to a worker (flagEncrypt), which encrypts while the socket takes the
// records, defers at most one chunk's ciphertext once it is full, and
// gives the connection back to write completion. A slow reader of a
// large TLS response so holds no worker between socket drains, as on
// plain HTTP; a record is encrypted only when it is about to be sent, so
// the tls.Conn's sequence numbers follow the bytes' order, and nothing
// (not even close_notify) is encrypted while plaintext waits.

// tlsChunk is the plaintext a worker encrypts at a time for a deferred
// TLS response: two full records.
const tlsChunk = 32 << 10

// writeTLS encrypts p, or defers it as plaintext once the socket is full
// (a job exists). It returns len(p) unless writing failed.
func (s *shim) writeTLS(p []byte) (int, error) {
	t := s.c.tls
	total := 0
	for len(p) > 0 {
		if s.job != nil {
			if s.deferPlain(p) {
				s.written += int64(len(p))
				return total + len(p), nil
			}
			if s.job.hasPlain() {
				// Past the copy bound behind deferred plaintext: finish
				// the job here, in order, waiting for the client.
				if err := s.completeTLS(); err != nil {
					return total, err
				}
			}
		}
		k := min(len(p), tlsChunk)
		n, err := t.tc.Write(p[:k])
		s.written += int64(n)
		total += n
		if err != nil {
			return total, err
		}
		p = p[k:]
	}
	return total, nil
}

// deferPlain appends plaintext p to the job: by reference when it lies
// in the response body, else copied within maxDeferCopy.
func (s *shim) deferPlain(p []byte) bool {
	j := s.job
	if within(p, s.body) {
		j.segs = append(j.segs, segment{b: p, file: -1, plain: true})
		j.holdsCtx = true
		return true
	}
	if j.copied+len(p) > maxDeferCopy {
		return false
	}
	j.copied += len(p)
	j.segs = append(j.segs, segment{b: append([]byte(nil), p...), file: -1, plain: true})
	return true
}

// readFromTLS sends a file body over TLS: read and encrypted a chunk at
// a time while the socket takes it; once it is full (a job exists) the
// rest of the file is deferred unread, by descriptor and offset.
func (s *shim) readFromTLS(f *os.File, lr *io.LimitedReader) (int64, error) {
	var r io.Reader = f
	if lr != nil {
		r = lr
	}
	src, off, remain, ok := fileSpan(f, lr)
	if !ok {
		return s.copyFrom(r)
	}
	bp := copyBufPool.Get().(*[]byte)
	defer copyBufPool.Put(bp)
	buf := *bp
	var total int64
	for remain > 0 {
		if s.job != nil && s.deferPlainFile(src, off, remain) {
			total += remain
			off += remain
			break
		}
		n, err := unix.Pread(src, buf[:min(int64(len(buf)), remain)], off)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return s.doneFrom(lr, total, opError("pread", err))
		}
		if n <= 0 {
			break // the file is shorter than announced: fasthttp reports it
		}
		m, err := s.writeTLS(buf[:n])
		total += int64(m)
		off += int64(m)
		remain -= int64(m)
		if err != nil {
			return s.doneFrom(lr, total, err)
		}
	}
	unix.Seek(src, off, io.SeekStart)
	return s.doneFrom(lr, total, nil)
}

// fileSpan is the descriptor of f, its offset, and how many bytes of it
// the body sends (to its end, or lr.N).
func fileSpan(f *os.File, lr *io.LimitedReader) (src int, off, n int64, ok bool) {
	src = -1
	rc, err := f.SyscallConn()
	if err == nil {
		err = rc.Control(func(fd uintptr) { src = int(fd) })
	}
	if err != nil || src < 0 {
		return -1, 0, 0, false
	}
	if off, err = unix.Seek(src, 0, io.SeekCurrent); err != nil {
		return -1, 0, 0, false
	}
	if lr != nil {
		return src, off, lr.N, true
	}
	var st unix.Stat_t
	if unix.Fstat(src, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return -1, 0, 0, false
	}
	return src, off, st.Size - off, true
}

// deferPlainFile appends n plaintext bytes of src from off to the job,
// with a duplicate descriptor the job owns.
func (s *shim) deferPlainFile(src int, off, n int64) bool {
	dup, err := unix.FcntlInt(uintptr(src), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return false
	}
	s.job.segs = append(s.job.segs, segment{file: dup, off: off, n: n, plain: true})
	s.written += n
	return true
}

// plainFront reports whether the job's next segment is TLS plaintext.
func (j *writeJob) plainFront() bool { return len(j.segs) > 0 && j.segs[0].plain }

// hasPlain reports whether the job holds TLS plaintext (always its last
// segments: what follows plaintext is deferred as plaintext).
func (j *writeJob) hasPlain() bool { n := len(j.segs); return n > 0 && j.segs[n-1].plain }

// encryptSegs encrypts the plaintext segments segs in order through the
// shim: while the socket takes the records, or, with wait, to the end
// (waiting in poll(2)). Without wait it stops once ciphertext was
// deferred (the socket is full; s.job holds it) and returns the
// plaintext left. It never defers plaintext.
func (s *shim) encryptSegs(segs []segment, wait bool) ([]segment, error) {
	t := s.c.tls
	bp := copyBufPool.Get().(*[]byte)
	defer copyBufPool.Put(bp)
	for len(segs) > 0 {
		if !wait && s.job != nil {
			return segs, nil
		}
		sg := &segs[0]
		var chunk []byte
		if sg.file >= 0 {
			n, err := unix.Pread(sg.file, (*bp)[:min(int64(len(*bp)), sg.n)], sg.off)
			if err == unix.EINTR {
				continue
			}
			if err != nil || n <= 0 {
				// The file shrank or failed: the response cannot end.
				return segs, opError("pread", unix.EIO)
			}
			chunk = (*bp)[:n]
			sg.off += int64(n)
			sg.n -= int64(n)
		} else {
			k := min(len(sg.b), tlsChunk)
			chunk, sg.b = sg.b[:k], sg.b[k:]
		}
		if _, err := t.tc.Write(chunk); err != nil {
			return segs, err
		}
		if (sg.file >= 0 && sg.n == 0) || (sg.file < 0 && len(sg.b) == 0) {
			if sg.file >= 0 {
				unix.Close(sg.file)
			}
			*sg = segment{}
			segs = segs[1:]
		}
	}
	return nil, nil
}

// completeTLS finishes, in the worker, a job that holds plaintext:
// ciphertext first, then the plaintext encrypted and written in order,
// waiting for the client up to Timeout. It leaves no job.
func (s *shim) completeTLS() error {
	j := s.job
	var plain []segment
	for i := range j.segs {
		if j.segs[i].plain {
			plain = j.segs[i:]
			j.segs = j.segs[:i:i]
			break
		}
	}
	if err := s.finishJob(); err != nil {
		j.segs = append(j.segs, plain...)
		return err
	}
	mayDefer := s.mayDefer
	s.mayDefer = false
	rest, err := s.encryptSegs(plain, true)
	s.mayDefer = mayDefer
	for i := range rest {
		if rest[i].file >= 0 {
			unix.Close(rest[i].file)
		}
	}
	if j.holdsCtx {
		// The body the plaintext referred to is written: nothing holds
		// the RequestCtx any more but fasthttp, which is still running.
		j.holdsCtx = false
	}
	return err
}

// encryptMore serves a connection the loop handed over from write
// completion with plaintext next in its job: it encrypts while the
// socket takes the records (deferring at most one chunk's ciphertext
// once it is full), then gives the connection back to write completion,
// or, when everything went out, parks it or closes it as the job said.
// After the last plaintext of a response ending the connection comes
// close_notify.
func (w *worker) encryptMore(c *conn) outcome {
	sh, j := &w.sh, c.job
	sh.reset(c)
	c.tls.raw.sh = sh
	sh.mayPark, sh.mayDefer = false, true
	segs := j.segs
	j.segs, j.copied = nil, 0
	rest, err := sh.encryptSegs(segs, false)
	if err != nil {
		if sj := sh.takeJob(); sj != nil {
			sj.release(nil)
		}
		j.segs = rest
		j.release(w.e.releaseCtx)
		c.job = nil
		return outClose
	}
	if len(rest) == 0 && !j.keepAlive {
		// Written at once, or deferred behind the ciphertext.
		c.tls.tc.CloseWrite()
	}
	if sj := sh.takeJob(); sj != nil {
		j.segs, j.copied = sj.segs, sj.copied
		sj.segs = nil
	}
	j.segs = append(j.segs, rest...)
	if len(j.segs) > 0 {
		return outWrite
	}
	keep := j.keepAlive
	j.release(w.e.releaseCtx)
	c.job = nil
	if keep {
		return outPark
	}
	return outLinger
}
