package mpm

import (
	"net"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sendMore writes p to tc with send(2) and MSG_MORE, waiting through Go's
// poller (and its write deadline) when the socket is full.
func sendMore(tc *net.TCPConn, p []byte) (int, error) {
	rc, err := tc.SyscallConn()
	if err != nil {
		return tc.Write(p)
	}
	n := 0
	var serr error
	err = rc.Write(func(fd uintptr) bool {
		for n < len(p) {
			m, _, errno := unix.Syscall6(unix.SYS_SENDTO, fd, uintptr(unsafe.Pointer(&p[n])), uintptr(len(p)-n), unix.MSG_MORE, 0, 0)
			switch errno {
			case 0:
				n += int(m)
			case unix.EINTR:
			case unix.EAGAIN:
				return false
			default:
				serr = os.NewSyscallError("sendto", errno)
				return true
			}
		}
		return true
	})
	if err == nil {
		err = serr
	}
	return n, err
}
