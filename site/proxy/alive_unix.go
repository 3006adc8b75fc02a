//go:build unix

package proxy

import (
	"net"
	"syscall"
)

// alive reports whether a pooled connection may still be used: nothing to
// read (MSG_PEEK|MSG_DONTWAIT would block). EOF, an error or unexpected
// bytes mean the backend closed it or broke the protocol.
func alive(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	ok = true
	var buf [1]byte
	_ = rc.Read(func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		ok = err == syscall.EAGAIN || err == syscall.EWOULDBLOCK
		return true // never wait
	})
	return ok
}
