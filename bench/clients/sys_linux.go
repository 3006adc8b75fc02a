package clients

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// socketControl returns a Dialer.Control that sets IP_BIND_ADDRESS_NO_PORT
// when the socket is bound to a source address (so its port is chosen at
// connect time from the whole 4-tuple) and then runs extra.
func socketControl(bound bool, extra func(fd uintptr) error) func(string, string, syscall.RawConn) error {
	if !bound && extra == nil {
		return nil
	}
	return func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			if bound {
				if e := unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1); e != nil {
					serr = os.NewSyscallError("setsockopt IP_BIND_ADDRESS_NO_PORT", e)
					return
				}
			}
			if extra != nil {
				serr = extra(fd)
			}
		})
		if err != nil {
			return err
		}
		return serr
	}
}

// setRcvBuf returns a control step that sets SO_RCVBUF to n bytes.
func setRcvBuf(n int) func(fd uintptr) error {
	return func(fd uintptr) error {
		if err := unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, n); err != nil {
			return os.NewSyscallError("setsockopt SO_RCVBUF", err)
		}
		return nil
	}
}

// helperAttr puts a helper in its own process group (so it can be killed
// with everything it started) and kills it if the bench dies.
func helperAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup kills the process group led by pid.
func killGroup(pid int) { unix.Kill(-pid, unix.SIGKILL) }

// noFileLimit returns the RLIMIT_NOFILE soft limit (1024 if unknown).
func noFileLimit() int {
	var r unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &r); err != nil || r.Cur > 1<<30 {
		return 1024
	}
	return int(r.Cur)
}
