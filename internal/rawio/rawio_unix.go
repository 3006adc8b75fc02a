//go:build unix

package rawio

import (
	"io"
	"os"
	"syscall"
	"unsafe"
)

// Read is read(2) on the non-blocking descriptor fd, as a raw system
// call. It returns -1 and the errno on failure (syscall.EAGAIN when
// nothing is there).
func Read(fd int, p []byte) (int, error) {
	n, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

// Write is write(2) on the non-blocking descriptor fd, as a raw system
// call. It returns -1 and the errno on failure (syscall.EAGAIN when the
// socket buffer is full).
func Write(fd int, p []byte) (int, error) {
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

// Conn reads and writes one connection's socket with raw system calls,
// waiting in Go's netpoller when it is not ready. It is not safe for
// concurrent Reads (or concurrent Writes); a Read and a Write may run at
// the same time.
type Conn struct {
	rc       syscall.RawConn
	rio, wio []byte
	rn, wn   int
	rerr     error
	werr     error
	rfn, wfn func(fd uintptr) bool
}

// New returns a Conn for c's socket, or nil when c has no descriptor.
func New(c syscall.Conn) *Conn {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil
	}
	r := &Conn{rc: rc}
	r.rfn = func(fd uintptr) bool {
		for {
			n, err := Read(int(fd), r.rio)
			switch err {
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false // wait in the netpoller
			case nil:
				r.rn = n
				if n == 0 {
					r.rerr = io.EOF
				}
			default:
				r.rerr = os.NewSyscallError("read", err)
			}
			return true
		}
	}
	r.wfn = func(fd uintptr) bool {
		for r.wn < len(r.wio) {
			n, err := Write(int(fd), r.wio[r.wn:])
			switch err {
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false // wait in the netpoller
			case nil:
				r.wn += n
			default:
				r.werr = os.NewSyscallError("write", err)
				return true
			}
		}
		return true
	}
	return r
}

// RawConn is the connection's syscall.RawConn (for other calls that wait
// in the netpoller).
func (r *Conn) RawConn() syscall.RawConn { return r.rc }

// Read reads into p: io.EOF at the end of the input, an *os.SyscallError
// from read(2), or the netpoller's error (os.ErrDeadlineExceeded when the
// read deadline passes, net.ErrClosed).
func (r *Conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	r.rio, r.rn, r.rerr = p, 0, nil
	err := r.rc.Read(r.rfn)
	n, rerr := r.rn, r.rerr
	r.rio, r.rerr = nil, nil
	if err != nil {
		return n, err
	}
	return n, rerr
}

// Write writes all of p, or returns what it wrote and the error
// (an *os.SyscallError from write(2), or the netpoller's).
func (r *Conn) Write(p []byte) (int, error) {
	r.wio, r.wn, r.werr = p, 0, nil
	err := r.rc.Write(r.wfn)
	n, werr := r.wn, r.werr
	r.wio, r.werr = nil, nil
	if err != nil {
		return n, err
	}
	return n, werr
}
