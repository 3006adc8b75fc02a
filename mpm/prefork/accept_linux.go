//go:build linux

package prefork

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// epollAcceptor is prefork's accept on Linux. Every child of a prefork
// server waits on the same listening sockets; through Go's netpoller each
// new connection woke every idle child (the netpoller registers the socket
// without EPOLLEXCLUSIVE), and all but one found EAGAIN: with 256 children,
// 256 wake-ups and context switches per connection on one core. Here the
// listening descriptors leave the netpoller and wait in a private epoll
// instance with EPOLLEXCLUSIVE, which wakes one waiting child per
// connection, as the blocking accept of Apache's prefork does. The wait
// blocks the thread in epoll_wait; a prefork child has nothing else to run.
// The accepted connection goes to the netpoller as before.
type epollAcceptor struct {
	epfd   int
	wakefd int   // eventfd; Close writes it to wake a blocked Accept
	fds    []int // dups of the listening sockets, non-blocking
	next   int   // listener to try first (prefork.c's last_poll_idx)
	events []unix.EpollEvent

	mu      sync.Mutex // guards what follows, fds and the descriptors
	closed  bool
	waiting bool // Accept is in epoll_wait: Close wakes it, and it releases
}

// newAcceptor takes over lns: it keeps a duplicate of each descriptor and
// closes the net.Listener (which removes it from the netpoller); their
// Addr stays usable. It waits in the Go runtime's poller
// (accept_poll_linux.go) or, if that cannot be set up, in an epoll
// instance of its own.
func newAcceptor(lns []net.Listener) (acceptor, error) {
	if a, err := newPollAcceptor(lns); err == nil {
		return a, nil
	}
	return newEpollAcceptor(lns)
}

// newEpollAcceptor is newAcceptor with an epoll instance of its own.
func newEpollAcceptor(lns []net.Listener) (acceptor, error) {
	a := &epollAcceptor{epfd: -1, wakefd: -1}
	fail := func(err error) (acceptor, error) {
		a.release()
		for _, ln := range lns {
			ln.Close()
		}
		return nil, err
	}
	var err error
	if a.epfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		return fail(os.NewSyscallError("epoll_create1", err))
	}
	if a.wakefd, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		return fail(os.NewSyscallError("eventfd", err))
	}
	if err := unix.EpollCtl(a.epfd, unix.EPOLL_CTL_ADD, a.wakefd,
		&unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(a.wakefd)}); err != nil {
		return fail(os.NewSyscallError("epoll_ctl", err))
	}
	for _, ln := range lns {
		sc, ok := ln.(syscall.Conn)
		if !ok {
			return fail(fmt.Errorf("prefork: listener %T has no raw descriptor", ln))
		}
		rc, err := sc.SyscallConn()
		if err != nil {
			return fail(fmt.Errorf("prefork: listener: %w", err))
		}
		nfd := -1
		var derr error
		if err := rc.Control(func(fd uintptr) {
			nfd, derr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0)
		}); err != nil {
			return fail(fmt.Errorf("prefork: listener: %w", err))
		}
		if derr != nil {
			return fail(os.NewSyscallError("fcntl F_DUPFD_CLOEXEC", derr))
		}
		a.fds = append(a.fds, nfd)
		if err := unix.EpollCtl(a.epfd, unix.EPOLL_CTL_ADD, nfd,
			&unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLEXCLUSIVE, Fd: int32(nfd)}); err != nil {
			return fail(os.NewSyscallError("epoll_ctl EPOLLEXCLUSIVE", err))
		}
	}
	for _, ln := range lns {
		ln.Close() // the dups keep the sockets; this leaves the netpoller
	}
	a.events = make([]unix.EpollEvent, len(a.fds)+1)
	return a, nil
}

// Accept waits for a connection on any listener and accepts it with
// TCP_NODELAY set. After Close it returns mpm.ErrAcceptorClosed. One
// goroutine calls Accept at a time.
func (a *epollAcceptor) Accept() (*net.TCPConn, error) {
	for {
		a.mu.Lock()
		if a.closed {
			a.mu.Unlock()
			return nil, errAcceptorClosed
		}
		a.waiting = true
		a.mu.Unlock()
		n, err := unix.EpollWait(a.epfd, a.events, -1)
		a.mu.Lock()
		a.waiting = false
		if a.closed {
			a.release()
			a.mu.Unlock()
			return nil, errAcceptorClosed
		}
		if errors.Is(err, unix.EINTR) || n == 0 {
			a.mu.Unlock()
			continue
		}
		if err != nil {
			a.mu.Unlock()
			return nil, os.NewSyscallError("epoll_wait", err)
		}
		// Non-blocking accepts, under the lock so Close cannot close a
		// descriptor in use.
		for k := range a.fds {
			i := (a.next + k) % len(a.fds)
			c, err := a.acceptFD(a.fds[i])
			if errors.Is(err, unix.EAGAIN) {
				continue // not this one, or another child took it
			}
			a.next = i + 1
			a.mu.Unlock()
			return c, err
		}
		a.mu.Unlock()
	}
}

// acceptFD accepts one connection from fd without waiting.
func (a *epollAcceptor) acceptFD(fd int) (*net.TCPConn, error) {
	nfd, _, err := unix.Accept4(fd, unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK)
	if err != nil {
		return nil, os.NewSyscallError("accept4", err)
	}
	f := os.NewFile(uintptr(nfd), "conn")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("prefork: %w", err)
	}
	tc := c.(*net.TCPConn)
	tc.SetNoDelay(true)
	return tc, nil
}

// Close stops accepting and wakes a blocked Accept. The descriptors are
// closed at once, or by the Accept that Close wakes.
func (a *epollAcceptor) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil
	}
	a.closed = true
	if !a.waiting {
		a.release()
		return nil
	}
	one := [8]byte{1}
	if _, err := unix.Write(a.wakefd, one[:]); err != nil {
		return os.NewSyscallError("write eventfd", err)
	}
	return nil
}

// release closes every descriptor the acceptor owns.
func (a *epollAcceptor) release() {
	for _, fd := range a.fds {
		unix.Close(fd)
	}
	a.fds = nil
	if a.wakefd >= 0 {
		unix.Close(a.wakefd)
		a.wakefd = -1
	}
	if a.epfd >= 0 {
		unix.Close(a.epfd)
		a.epfd = -1
	}
}
