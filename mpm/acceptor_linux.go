package mpm

import (
	"errors"
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// pollAccept waits until a listener is readable (or Close wakes it), then
// accepts from the listeners in turn, starting after the one that served
// last time (prefork.c's last_poll_idx).
func (a *Acceptor) pollAccept() (*net.TCPConn, error) {
	fds := make([]unix.PollFd, len(a.raw)+1)
	for i, rc := range a.raw {
		var fd int
		if err := rc.Control(func(f uintptr) { fd = int(f) }); err != nil {
			if a.isClosed() {
				return nil, ErrAcceptorClosed
			}
			return nil, fmt.Errorf("mpm: listener: %w", err)
		}
		fds[i] = unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
	}
	fds[len(a.raw)] = unix.PollFd{Fd: int32(a.wakeR.Fd()), Events: unix.POLLIN}
	for {
		if a.isClosed() {
			return nil, ErrAcceptorClosed
		}
		_, err := unix.Poll(fds, -1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, os.NewSyscallError("poll", err)
		}
		if fds[len(a.raw)].Revents != 0 {
			return nil, ErrAcceptorClosed
		}
		for k := range a.raw {
			i := (a.next + k) % len(a.raw)
			if fds[i].Revents == 0 {
				continue
			}
			a.next = i + 1
			c, err := a.acceptRaw(i)
			if errors.Is(err, unix.EAGAIN) {
				continue // another process took it
			}
			return c, err
		}
	}
}

// acceptRaw accepts one connection from listener i without waiting. It
// uses Control, not Read: a listener's RawConn.Read always fails with
// EINVAL (net/rawconn.go), which once made every prefork and worker child
// with two Listen lines die on its first connection.
func (a *Acceptor) acceptRaw(i int) (*net.TCPConn, error) {
	var nfd int
	var aerr error
	if err := a.raw[i].Control(func(fd uintptr) {
		nfd, _, aerr = unix.Accept4(int(fd), unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK)
	}); err != nil {
		return nil, fmt.Errorf("mpm: listener: %w", err)
	}
	if aerr != nil {
		return nil, os.NewSyscallError("accept4", aerr)
	}
	f := os.NewFile(uintptr(nfd), "conn")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("mpm: %w", err)
	}
	tc := c.(*net.TCPConn)
	tc.SetNoDelay(true)
	return tc, nil
}
