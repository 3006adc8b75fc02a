//go:build linux

package prefork

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawIO reads and writes a prefork child's connection with raw system
// calls on its non-blocking socket, waiting through Go's poller (and the
// connection's deadlines) when the socket has nothing to read or no room.
//
// Why: Go's own socket I/O enters every read(2) and write(2) through
// entersyscall, and entersyscall wakes the runtime's monitor thread
// (sysmon) whenever it sleeps. A prefork child's single P sits idle in the
// poller between requests, so sysmon sleeps then, and every request woke
// it: a futex wake-up, a context switch, and the 20 µs polls sysmon makes
// after such a wake-up, per request and per process (perf showed
// do_nanosleep and futex waits of sysmon at a fifth of the children's
// time at 256 children). read(2) and write(2) on a non-blocking socket
// never block, so they need no entersyscall: RawSyscall leaves sysmon
// asleep, and the thread sleeps in one place only, the poller's
// epoll_wait, as Apache's child sleeps in poll(2).
type rawIO struct {
	tc *net.TCPConn
	rc syscall.RawConn
}

// newRawIO returns tc's raw reader and writer, or nil when tc has no
// descriptor (the caller then uses tc itself).
func newRawIO(tc *net.TCPConn) *rawIO {
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	return &rawIO{tc: tc, rc: rc}
}

// Read reads into p, as net.Conn's Read: io.EOF at the end of the input,
// a *net.OpError otherwise (with os.ErrDeadlineExceeded, a timeout, when
// the read deadline passes).
func (r *rawIO) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	var errno syscall.Errno
	err := r.rc.Read(func(fd uintptr) bool {
		for {
			m, _, e := unix.RawSyscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
			if e == unix.EINTR {
				continue
			}
			if e == unix.EAGAIN {
				return false
			}
			n, errno = int(m), e
			return true
		}
	})
	switch {
	case err != nil:
		return 0, r.opError("read", err)
	case errno != 0:
		return 0, r.opError("read", os.NewSyscallError("read", errno))
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// Write writes all of p, as net.Conn's Write.
func (r *rawIO) Write(p []byte) (int, error) {
	n := 0
	var errno syscall.Errno
	err := r.rc.Write(func(fd uintptr) bool {
		for n < len(p) {
			m, _, e := unix.RawSyscall(unix.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[n])), uintptr(len(p)-n))
			switch e {
			case 0:
				n += int(m)
			case unix.EINTR:
			case unix.EAGAIN:
				return false
			default:
				errno = e
				return true
			}
		}
		return true
	})
	switch {
	case err != nil:
		return n, r.opError("write", err)
	case errno != 0:
		return n, r.opError("write", os.NewSyscallError("write", errno))
	}
	return n, nil
}

// opError wraps err as the net package does for a TCP connection.
func (r *rawIO) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: r.tc.LocalAddr(), Addr: r.tc.RemoteAddr(), Err: err}
}
