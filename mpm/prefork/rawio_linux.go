//go:build linux

package prefork

import (
	"io"
	"net"

	"github.com/gohttpd/gohttpd/internal/rawio"
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
	c  *rawio.Conn
}

// newRawIO returns tc's raw reader and writer, or nil when tc has no
// descriptor (the caller then uses tc itself).
func newRawIO(tc *net.TCPConn) *rawIO {
	c := rawio.New(tc)
	if c == nil {
		return nil
	}
	return &rawIO{tc: tc, c: c}
}

// Read reads into p, as net.Conn's Read: io.EOF at the end of the input,
// a *net.OpError otherwise (with os.ErrDeadlineExceeded, a timeout, when
// the read deadline passes).
func (r *rawIO) Read(p []byte) (int, error) {
	n, err := r.c.Read(p)
	if err != nil && err != io.EOF {
		return n, r.opError("read", err)
	}
	return n, err
}

// Write writes all of p, as net.Conn's Write.
func (r *rawIO) Write(p []byte) (int, error) {
	n, err := r.c.Write(p)
	if err != nil {
		return n, r.opError("write", err)
	}
	return n, nil
}

// opError wraps err as the net package does for a TCP connection.
func (r *rawIO) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: r.tc.LocalAddr(), Addr: r.tc.RemoteAddr(), Err: err}
}
