//go:build unix

package proxy

import (
	"net"
	"syscall"
)

// peeker checks a connection without blocking; made once per connection
// so that the check allocates nothing.
type peeker struct {
	rc  syscall.RawConn
	ok  bool
	buf [1]byte
	fn  func(fd uintptr) bool
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
	return p
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
