package event

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/gohttpd/gohttpd/internal/rawio"
	"github.com/gohttpd/gohttpd/mpm"
)

// errWouldPark is what the shim's Read returns when a connection handed to
// a worker has nothing to read yet: the worker parks it again rather than
// wait (a spurious wake-up, or a new connection whose request is not there
// yet). It never reaches fasthttp's parser: the worker's first Peek of a
// dispatch is the only read that may get it.
var errWouldPark = errors.New("event: nothing to read yet")

// maxDeferCopy bounds the output a worker copies into a write-completion
// job (headers, small bodies, chunks of streamed bodies). A response body
// is never copied: the job refers to it and keeps its RequestCtx; a file is
// never copied either: the job holds a duplicate descriptor and an offset.
// Past the bound the worker writes the rest itself, waiting in poll(2).
const maxDeferCopy = 256 << 10

// shim is the net.Conn a worker hands to fasthttp for one dispatch of one
// connection: reads and writes go straight to the non-blocking socket
// with read(2) and write(2); when the socket is not ready the worker waits
// in poll(2) up to Timeout (a partial request keeps its worker, as in
// Apache's event MPM, where requests are read by workers with blocking
// reads). ReadFrom sends files with sendfile(2). The last response of a
// dispatch may be deferred: when the client stops taking bytes, what is
// left is handed to the loop (write completion) instead of keeping the
// worker.
//
// Each worker owns one shim and reuses it; it is not safe for concurrent
// use, like the rest of a worker's state.
type shim struct {
	w  *worker
	c  *conn
	fd int

	// mayPark: nothing of a request was read in this dispatch yet, so
	// Read returns errWouldPark rather than wait.
	mayPark bool
	// drained: the last read emptied the socket (EAGAIN, end of stream,
	// or fewer bytes than asked for), so the next bytes raise an edge.
	drained bool
	// mayDefer: the response being written is the last of this dispatch,
	// so output the client does not take at once goes to job.
	mayDefer bool
	// body is the response body the job may refer to without copying.
	body []byte
	// job is the deferred output, in order; nil while writing directly.
	job *writeJob
	// written counts the bytes written or deferred in this dispatch.
	written int64

	// Deadlines set through the net.Conn interface (RequestCtx's
	// SetReadDeadline and SetWriteDeadline); zero means Timeout alone.
	readDeadline, writeDeadline time.Time

	raddr, laddr net.Addr
	// closeReq: the handler called Close; the connection closes after its
	// response.
	closeReq bool
}

// What the site finds through RequestCtx.Conn (the contract in package mpm).
var (
	_ net.Conn            = (*shim)(nil)
	_ io.ReaderFrom       = (*shim)(nil)
	_ mpm.RequestNumberer = (*shim)(nil)
	_ mpm.ProtocolConn    = (*shim)(nil)
)

// reset points the shim at c for one dispatch.
func (s *shim) reset(c *conn) {
	*s = shim{w: s.w, c: c, fd: int(c.fd), mayPark: true}
}

// Read reads from the socket, waiting up to Timeout for data once a
// request has begun. Before it waits, it flushes responses fasthttp has
// buffered for earlier pipelined requests, as fasthttp's own server does.
func (s *shim) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if t := s.c.tls; t != nil {
		n, err := t.tc.Read(p)
		if err == errAgain {
			return n, errWouldPark
		}
		return n, err
	}
	for {
		n, err := rawio.Read(s.fd, p)
		switch {
		case n > 0:
			// A TCP read returns what is queued up to len(p): a short one
			// took everything.
			s.drained = n < len(p)
			return n, nil
		case err == nil:
			s.drained = true
			return 0, io.EOF
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			s.drained = true
			if s.mayPark {
				return 0, errWouldPark
			}
			if bw := s.w.l.BW; bw.Buffered() > 0 {
				if err := bw.Flush(); err != nil {
					return 0, err
				}
			}
			if err := s.wait(unix.POLLIN, s.readDeadline, "read"); err != nil {
				return 0, err
			}
		default:
			return 0, opError("read", err)
		}
	}
}

// Write writes p to the socket (see write); an HTTP/0.9 client gets the
// response without its head (h1.Validator.Strip09).
func (s *shim) Write(p []byte) (int, error) {
	if s.w.check.HTTP09() {
		if _, err := s.write(s.w.check.Strip09(p)); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return s.write(p)
}

// write writes p to the socket. When the client does not take it all and
// the response may be deferred, the rest goes to the write-completion job
// and write reports success; otherwise it waits in poll(2) up to Timeout.
func (s *shim) write(p []byte) (int, error) {
	if s.c.tls != nil {
		// TLS: the worker encrypts; rawConn writes or defers the
		// ciphertext (tls_linux.go), plaintext past a full socket is
		// deferred (tls_write_linux.go).
		return s.writeTLS(p)
	}
	if s.job != nil {
		// Output is being deferred: what follows queues behind it.
		if s.deferBytes(p) {
			s.written += int64(len(p))
			return len(p), nil
		}
		if err := s.finishJob(); err != nil {
			return 0, err
		}
	}
	n := 0
	more := s.headerMore(p) // more_linux.go
	for n < len(p) {
		m, err := writeMore(s.fd, p[n:], more)
		if m > 0 {
			n += m
		}
		switch err {
		case nil, unix.EINTR:
			continue
		case unix.EAGAIN:
			if s.mayDefer && s.deferBytes(p[n:]) {
				n = len(p)
				continue
			}
			if err := s.wait(unix.POLLOUT, s.writeDeadline, "write"); err != nil {
				s.written += int64(n)
				return n, err
			}
		default:
			s.written += int64(n)
			return n, opError("write", err)
		}
	}
	s.written += int64(n)
	return n, nil
}

// ReadFrom sends r to the socket. A file (an *os.File, or one inside an
// *io.LimitedReader, as fasthttp passes the bodies of fasthttp.FS and of
// SetBodyStream(*os.File)) goes out with sendfile(2); when the client
// stops taking bytes and the response may be deferred, the rest of the
// file becomes a write-completion job. Anything else is copied.
func (s *shim) ReadFrom(r io.Reader) (int64, error) {
	f, lr := fileOf(r)
	if f != nil && s.c.tls != nil {
		return s.readFromTLS(f, lr)
	}
	if f == nil {
		return s.copyFrom(r)
	}
	src := -1
	rc, err := f.SyscallConn()
	if err == nil {
		err = rc.Control(func(fd uintptr) { src = int(fd) })
	}
	if err != nil || src < 0 {
		return s.copyFrom(r)
	}
	var remain int64
	if lr != nil {
		remain = lr.N
	} else {
		var st unix.Stat_t
		pos, err := unix.Seek(src, 0, io.SeekCurrent)
		if err != nil || unix.Fstat(src, &st) != nil {
			return s.copyFrom(r)
		}
		remain = st.Size - pos
	}
	var total int64
	for remain > 0 {
		if s.job != nil {
			if s.deferFile(src, remain) {
				total += remain
				break
			}
			if err := s.finishJob(); err != nil {
				return s.doneFrom(lr, total, err)
			}
		}
		n, err := unix.Sendfile(s.fd, src, nil, int(min(remain, 1<<30)))
		if n > 0 {
			total += int64(n)
			remain -= int64(n)
			s.written += int64(n)
		}
		switch err {
		case nil:
			if n == 0 {
				// The file is shorter than announced: fasthttp reports it.
				return s.doneFrom(lr, total, nil)
			}
		case unix.EINTR:
		case unix.EAGAIN:
			if s.mayDefer && s.deferFile(src, remain) {
				total += remain
				remain = 0
				continue
			}
			if err := s.wait(unix.POLLOUT, s.writeDeadline, "write"); err != nil {
				return s.doneFrom(lr, total, err)
			}
		case unix.EINVAL, unix.ENOSYS, unix.EOPNOTSUPP:
			// Not a file sendfile can read: copy the rest (reading lr
			// advances lr.N itself).
			if lr != nil {
				lr.N -= total
				n, err := s.copyFrom(lr)
				return total + n, err
			}
			n, err := s.copyFrom(f)
			return total + n, err
		default:
			return s.doneFrom(lr, total, opError("sendfile", err))
		}
	}
	return s.doneFrom(lr, total, nil)
}

// doneFrom accounts n bytes taken from lr (if any) and returns them.
func (s *shim) doneFrom(lr *io.LimitedReader, n int64, err error) (int64, error) {
	if lr != nil {
		lr.N -= n
	}
	return n, err
}

// copyFrom copies r through a pooled buffer with Write.
func (s *shim) copyFrom(r io.Reader) (int64, error) {
	bp := copyBufPool.Get().(*[]byte)
	defer copyBufPool.Put(bp)
	return io.CopyBuffer(writerOnly{s}, r, *bp)
}

// writerOnly hides ReadFrom so io.CopyBuffer does not call it again.
type writerOnly struct{ io.Writer }

// fileOf returns the file r reads, and the LimitedReader around it, if r is
// an *os.File or an *io.LimitedReader over one.
func fileOf(r io.Reader) (*os.File, *io.LimitedReader) {
	switch r := r.(type) {
	case *os.File:
		return r, nil
	case *io.LimitedReader:
		if f, ok := r.R.(*os.File); ok {
			return f, r
		}
	}
	return nil, nil
}

// deferBytes appends p to the job (starting one): by reference when p lies
// in the response body (the job then keeps the RequestCtx), else by copy
// within maxDeferCopy. It reports false when p must be written directly.
func (s *shim) deferBytes(p []byte) bool {
	if len(p) == 0 {
		return true
	}
	j := s.job
	if j == nil {
		if !s.mayDefer {
			return false
		}
		j = newWriteJob()
		s.job = j
	}
	if within(p, s.body) {
		j.segs = append(j.segs, segment{b: p, file: -1})
		j.holdsCtx = true
		return true
	}
	if j.copied+len(p) > maxDeferCopy {
		return false
	}
	j.copied += len(p)
	// Consecutive copies share one growing segment.
	if n := len(j.segs); n > 0 && j.segs[n-1].owned {
		j.segs[n-1].b = append(j.segs[n-1].b, p...)
		return true
	}
	j.segs = append(j.segs, segment{b: append([]byte(nil), p...), file: -1, owned: true})
	return true
}

// deferFile appends n bytes of the file src from its current offset to the
// job (starting one), with a duplicate descriptor the job owns, so the file
// may be closed or reused by fasthttp meanwhile. It reports false if the
// descriptor cannot be duplicated.
func (s *shim) deferFile(src int, n int64) bool {
	if s.job == nil && !s.mayDefer {
		return false
	}
	off, err := unix.Seek(src, 0, io.SeekCurrent)
	if err != nil {
		return false
	}
	dup, err := unix.FcntlInt(uintptr(src), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return false
	}
	if s.job == nil {
		s.job = newWriteJob()
	}
	s.job.segs = append(s.job.segs, segment{file: dup, off: off, n: n})
	s.written += n
	return true
}

// finishJob writes the deferred output itself, waiting in poll(2), and
// drops the job: used when more output comes than a job may hold.
func (s *shim) finishJob() error {
	j := s.job
	for {
		done, _, err := j.flush(s.fd, 1<<62)
		if err != nil {
			return err
		}
		if done {
			break
		}
		if err := s.wait(unix.POLLOUT, s.writeDeadline, "write"); err != nil {
			return err
		}
	}
	j.release(nil)
	s.job = nil
	return nil
}

// takeJob returns the deferred output and clears it from the shim.
func (s *shim) takeJob() *writeJob {
	j := s.job
	s.job = nil
	s.mayDefer = false
	s.body = nil
	return j
}

// wait blocks in poll(2) until the socket is ready for events, or fails
// with a timeout error after Timeout (or at the deadline set through the
// net.Conn interface, if earlier).
func (s *shim) wait(events int16, deadline time.Time, op string) error {
	timeout := s.w.e.timeout
	end := time.Now().Add(time.Duration(timeout))
	if !deadline.IsZero() && deadline.Before(end) {
		end = deadline
	}
	fds := [1]unix.PollFd{{Fd: int32(s.fd), Events: events}}
	for {
		d := time.Until(end)
		if d <= 0 {
			return &net.OpError{Op: op, Net: "tcp", Err: os.ErrDeadlineExceeded}
		}
		ms := int((d + time.Millisecond - 1) / time.Millisecond)
		n, err := unix.Poll(fds[:], ms)
		if err == unix.EINTR || (err == nil && n == 0) {
			continue
		}
		if err != nil {
			return opError("poll", err)
		}
		// Ready, or POLLERR/POLLHUP: the next read or write tells which.
		return nil
	}
}

// opError wraps a failed syscall as the *net.OpError a net.Conn returns.
func opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Err: os.NewSyscallError(op, err)}
}

// within reports whether p lies inside b.
func within(p, b []byte) bool {
	if len(p) == 0 || len(b) == 0 {
		return false
	}
	ps := uintptr(unsafe.Pointer(unsafe.SliceData(p)))
	bs := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return ps >= bs && ps+uintptr(len(p)) <= bs+uintptr(len(b))
}

// Close does not close the socket, which belongs to the engine: it asks
// for the connection to be closed once the response is sent.
func (s *shim) Close() error {
	s.closeReq = true
	return nil
}

// LocalAddr returns the socket's local address: getsockname on the
// connection's first request, then the IPv4 address the connection keeps
// (an IPv6 one is looked up once per dispatch).
func (s *shim) LocalAddr() net.Addr {
	if s.laddr != nil {
		return s.laddr
	}
	c := s.c
	if c.flags&flagLocal4 != 0 {
		s.laddr = &net.TCPAddr{IP: net.IP(c.lip[:]).To16(), Port: int(c.lport)}
		return s.laddr
	}
	s.laddr = &net.TCPAddr{}
	if sa, err := unix.Getsockname(s.fd); err == nil {
		switch a := sa.(type) {
		case *unix.SockaddrInet4:
			s.laddr = &net.TCPAddr{IP: net.IP(a.Addr[:]).To16(), Port: a.Port}
			c.lip, c.lport = a.Addr, uint16(a.Port)
			c.flags |= flagLocal4
		case *unix.SockaddrInet6:
			s.laddr = &net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port}
			if ip := netip.AddrFrom16(a.Addr); ip.Is4In6() && a.ZoneId == 0 {
				// A dual-stack listener's IPv4 client: the same
				// 16-byte form as above.
				c.lip, c.lport = ip.Unmap().As4(), uint16(a.Port)
				c.flags |= flagLocal4
			}
		}
	}
	return s.laddr
}

// LocalAddrPort returns the connection's IPv4 local address without
// allocating (site/vhost selects a virtual host with it on every
// request); ok is false for an IPv6 one (use LocalAddr).
func (s *shim) LocalAddrPort() (netip.AddrPort, bool) {
	c := s.c
	if c.flags&flagLocal4 == 0 {
		s.LocalAddr()
		if c.flags&flagLocal4 == 0 {
			return netip.AddrPort{}, false
		}
	}
	return netip.AddrPortFrom(netip.AddrFrom4(c.lip), c.lport), true
}

// RemoteAddr returns the client's address, recorded at accept.
func (s *shim) RemoteAddr() net.Addr {
	if s.raddr == nil {
		s.raddr = s.c.remoteAddr()
	}
	return s.raddr
}

// SetDeadline sets both deadlines.
func (s *shim) SetDeadline(t time.Time) error {
	s.readDeadline, s.writeDeadline = t, t
	return nil
}

// SetReadDeadline bounds waits for request bytes (besides Timeout).
func (s *shim) SetReadDeadline(t time.Time) error {
	s.readDeadline = t
	return nil
}

// SetWriteDeadline bounds waits for the client to take response bytes
// (besides Timeout).
func (s *shim) SetWriteDeadline(t time.Time) error {
	s.writeDeadline = t
	return nil
}

// ConnRequestNum implements mpm.RequestNumberer: the number of the request
// being served on this connection, 1 for the first (what fasthttp's
// RequestCtx.ConnRequestNum returns under fasthttp.Server; it stays 0
// under RequestCtx.Init2).
func (s *shim) ConnRequestNum() uint64 { return uint64(s.c.reqs) }

// ScoreboardWorker is the slot of the worker serving the connection, so
// the site can put the selected vhost into its VHost column
// (mpm.SetRequestVHost).
func (s *shim) ScoreboardWorker() *mpm.Worker { return s.w.slot }

var _ mpm.WorkerConn = (*shim)(nil)

// ConnID returns an identifier of the connection, unique in this child
// (RequestCtx.ConnID changes with every Init2).
func (s *shim) ConnID() uint64 { return uint64(s.c.gen) }

// RequestLine returns the raw request line of the request being read, or
// nil (the site logs it for requests that could not be read).
func (s *shim) RequestLine() []byte { return s.w.check.RequestLine() }

// HTTP09 reports whether the connection carries an HTTP/0.9 request.
func (s *shim) HTTP09() bool { return s.w.check.HTTP09() }

// ProtocolError returns the HttpProtocolOptions violation that ended the
// connection's input (an *h1.Error), or nil.
func (s *shim) ProtocolError() error { return s.w.check.Err() }
