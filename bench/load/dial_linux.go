package load

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// controlNoPort sets IP_BIND_ADDRESS_NO_PORT on a socket about to be bound
// to a source address, so the kernel picks its port at connect time from
// the whole 4-tuple (and can reuse ports in TIME_WAIT towards other
// destinations) instead of reserving one at bind time.
func controlNoPort(network, address string, c syscall.RawConn) error {
	var serr error
	if err := c.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
	}); err != nil {
		return err
	}
	if serr != nil {
		return os.NewSyscallError("setsockopt IP_BIND_ADDRESS_NO_PORT", serr)
	}
	return nil
}
