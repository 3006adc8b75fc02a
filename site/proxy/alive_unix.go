//go:build unix

package proxy

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// peeker checks a connection without blocking; made once per connection
// so that the check allocates nothing. It also reads and writes the
// connection (rawRead, rawWrite).
type peeker struct {
	rc  syscall.RawConn
	ok  bool
	buf [1]byte
	fn  func(fd uintptr) bool

	// The I/O of rawRead and rawWrite, for their callbacks (made once),
	// apart for each direction.
	rio, wio   []byte
	rn, wn     int
	rerr, werr error
	rfn, wfn   func(fd uintptr) bool
}

func newPeeker(c net.Conn) *peeker {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	p := &peeker{rc: rc}
	p.fn = func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), p.buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		p.ok = err == syscall.EAGAIN || err == syscall.EWOULDBLOCK
		return true // never wait
	}
	p.rfn = func(fd uintptr) bool {
		for {
			n, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(unsafe.SliceData(p.rio))), uintptr(len(p.rio)))
			switch e {
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false // wait in the netpoller
			case 0:
				p.rn = int(n)
				if n == 0 {
					p.rerr = io.EOF
				}
			default:
				p.rerr = os.NewSyscallError("read", e)
			}
			return true
		}
	}
	p.wfn = func(fd uintptr) bool {
		for p.wn < len(p.wio) {
			rest := p.wio[p.wn:]
			n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(unsafe.SliceData(rest))), uintptr(len(rest)))
			switch e {
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false // wait in the netpoller
			case 0:
				p.wn += int(n)
				continue
			default:
				p.werr = os.NewSyscallError("write", e)
			}
			return true
		}
		return true
	}
	return p
}

// rawRead is Read on the connection, with read(2) as a raw system call:
// on a non-blocking socket it does not block, and the runtime does not
// treat it as a system call that may (entersyscall), which on a child
// with one P has sysmon hand the P to another thread whenever one lasts
// a sysmon tick (20 µs; a loopback write that runs the receiver's TCP
// stack can), a thread switch per hand-off. Waits are the netpoller's
// (RawConn.Read), with the connection's deadlines.
func (p *peeker) rawRead(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	p.rio, p.rn, p.rerr = b, 0, nil
	err := p.rc.Read(p.rfn)
	n, rerr := p.rn, p.rerr
	p.rio, p.rerr = nil, nil
	if err != nil {
		return n, err
	}
	return n, rerr
}

// rawWrite is Write as rawRead is Read: all of b, or an error.
func (p *peeker) rawWrite(b []byte) (int, error) {
	p.wio, p.wn, p.werr = b, 0, nil
	err := p.rc.Write(p.wfn)
	n, werr := p.wn, p.werr
	p.wio, p.werr = nil, nil
	if err != nil {
		return n, err
	}
	return n, werr
}

// alive reports whether a pooled connection may still be used: nothing to
// read (MSG_PEEK|MSG_DONTWAIT would block). EOF, an error or unexpected
// bytes mean the backend closed it or broke the protocol.
func (p *peeker) alive() bool {
	if p == nil {
		return true
	}
	p.ok = true
	_ = p.rc.Read(p.fn)
	return p.ok
}
