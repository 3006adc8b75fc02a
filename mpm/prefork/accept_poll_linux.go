//go:build linux

package prefork

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// pollAcceptor is prefork's accept on Linux when the Go runtime's own
// epoll instance can be found: an idle child waits for a connection in the
// runtime's poller, as it waits for the next request, with the listening
// sockets registered EPOLLEXCLUSIVE only while it waits.
//
// Why: epollAcceptor waits in epoll_wait(2) as a blocking system call.
// The Go runtime hands a P blocked in a system call to another thread
// (sysmon retakes it after 20 µs and starts a thread to poll the network),
// and the return from the call wakes sysmon, which then polls every 20 µs
// for a millisecond: with `Connection: close` a child made 30 to 70
// context switches per request (Apache: 2). Waiting in the runtime's poller
// costs none of that: the child's one thread sleeps in the poller's
// epoll_wait and nothing else runs.
//
// The runtime registers descriptors edge-triggered, without
// EPOLLEXCLUSIVE, so each connection would wake every idle child (the
// thundering herd of 256 processes that epollAcceptor removed). Here the
// first listener's duplicate is an *os.File in the poller, whose
// registration (read from /proc/self/fdinfo: the runtime's descriptor for
// the file's poll descriptor) is deleted at once; Accept adds each
// listener back with EPOLLEXCLUSIVE and that same data, waits through the
// file's RawConn, and deletes them again before it serves the connection:
// a busy child, whose thread also sleeps in that epoll_wait, never takes
// the wake-up of a connection it would not accept. All these calls are
// raw system calls on non-blocking descriptors.
type pollAcceptor struct {
	epfd  int      // the Go runtime's epoll instance (not ours: never closed)
	data  uint64   // the runtime's event data for wait's poll descriptor
	wait  *os.File // fds[0] in the runtime's poller
	rc    syscall.RawConn
	fds   []int // dups of the listening sockets, non-blocking
	next  int   // listener to try first (prefork.c's last_poll_idx)
	armed bool  // fds are in epfd

	mu     sync.Mutex // guards closed, busy, the descriptors' lifetime
	closed bool
	busy   bool // Accept runs: it closes fds[1:] on its way out
}

// newPollAcceptor takes over lns as newAcceptor does; on error lns are
// left as they were.
func newPollAcceptor(lns []net.Listener) (acceptor, error) {
	if len(lns) == 0 {
		return nil, errors.New("prefork: no listeners")
	}
	a := &pollAcceptor{epfd: -1}
	fail := func(err error) (acceptor, error) {
		if a.wait != nil {
			a.wait.Close()
			a.fds = a.fds[1:]
		}
		for _, fd := range a.fds {
			unix.Close(fd)
		}
		return nil, err
	}
	for _, ln := range lns {
		fd, err := dupListener(ln)
		if err != nil {
			return fail(err)
		}
		a.fds = append(a.fds, fd)
	}
	a.wait = os.NewFile(uintptr(a.fds[0]), "listener") // non-blocking: into the poller
	rc, err := a.wait.SyscallConn()
	if err != nil {
		return fail(fmt.Errorf("prefork: listener: %w", err))
	}
	a.rc = rc
	if a.epfd, a.data, err = runtimeEpoll(a.fds[0]); err != nil {
		return fail(err)
	}
	if err := epollCtl(a.epfd, unix.EPOLL_CTL_DEL, a.fds[0], nil); err != nil {
		return fail(os.NewSyscallError("epoll_ctl", err))
	}
	for _, ln := range lns {
		ln.Close() // the dups keep the sockets
	}
	return a, nil
}

// dupListener returns a non-blocking close-on-exec duplicate of ln's
// descriptor.
func dupListener(ln net.Listener) (int, error) {
	sc, ok := ln.(syscall.Conn)
	if !ok {
		return -1, fmt.Errorf("prefork: listener %T has no raw descriptor", ln)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1, fmt.Errorf("prefork: listener: %w", err)
	}
	nfd := -1
	var derr error
	if err := rc.Control(func(fd uintptr) {
		nfd, derr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil {
		return -1, fmt.Errorf("prefork: listener: %w", err)
	}
	if derr != nil {
		return -1, os.NewSyscallError("fcntl F_DUPFD_CLOEXEC", derr)
	}
	return nfd, nil
}

// runtimeEpoll finds the epoll instance in which fd is registered (the Go
// runtime's poller: /proc/self/fdinfo lists an epoll descriptor's
// targets) and the event data registered with it.
func runtimeEpoll(fd int) (int, uint64, error) {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1, 0, fmt.Errorf("prefork: runtime poller: %w", err)
	}
	want := strconv.Itoa(fd)
	for _, e := range ents {
		link, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil || link != "anon_inode:[eventpoll]" {
			continue
		}
		info, err := os.ReadFile("/proc/self/fdinfo/" + e.Name())
		if err != nil {
			continue
		}
		for line := range strings.SplitSeq(string(info), "\n") {
			f := strings.Fields(line)
			// tfd: N events: HEX data: HEX pos:...
			if len(f) < 6 || f[0] != "tfd:" || f[1] != want || f[4] != "data:" {
				continue
			}
			data, err := strconv.ParseUint(f[5], 16, 64)
			if err != nil {
				return -1, 0, fmt.Errorf("prefork: runtime poller: fdinfo %q: %w", line, err)
			}
			epfd, err := strconv.Atoi(e.Name())
			if err != nil {
				return -1, 0, fmt.Errorf("prefork: runtime poller: %w", err)
			}
			return epfd, data, nil
		}
	}
	return -1, 0, errors.New("prefork: runtime poller: the listener is in no epoll instance")
}

// epollCtl is epoll_ctl(2) as a raw system call (it never blocks).
func epollCtl(epfd, op, fd int, ev *unix.EpollEvent) error {
	_, _, e := unix.RawSyscall6(unix.SYS_EPOLL_CTL, uintptr(epfd), uintptr(op), uintptr(fd), uintptr(unsafe.Pointer(ev)), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// Accept waits for a connection on any listener and accepts it. After
// Close it returns mpm.ErrAcceptorClosed. One goroutine calls Accept at a
// time.
func (a *pollAcceptor) Accept() (*net.TCPConn, error) {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil, errAcceptorClosed
	}
	a.busy = true
	a.mu.Unlock()
	fd, err := a.accept()
	a.mu.Lock()
	a.busy = false
	if a.closed {
		a.closeRest()
		a.mu.Unlock()
		if fd >= 0 {
			unix.Close(fd)
		}
		return nil, errAcceptorClosed
	}
	a.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return fileConn(fd)
}

// accept returns an accepted descriptor, waiting in the runtime's poller
// while there is none.
func (a *pollAcceptor) accept() (int, error) {
	if fd, err := a.tryAll(); !errors.Is(err, unix.EAGAIN) {
		return fd, err
	}
	if err := a.arm(); err != nil {
		return -1, err
	}
	defer a.disarm()
	fd := -1
	var aerr error
	waited := false
	err := a.rc.Read(func(uintptr) bool {
		if !waited {
			// RawConn.Read tries before it waits; tryAll just found
			// nothing, and a connection that came since the listeners
			// were added is reported by the poller.
			waited = true
			return false
		}
		fd, aerr = a.tryAll()
		return !errors.Is(aerr, unix.EAGAIN)
	})
	if err != nil {
		return -1, fmt.Errorf("prefork: accept: %w", err)
	}
	return fd, aerr
}

// tryAll accepts from the first listener that has a connection, starting
// after the last one that had; EAGAIN when none has.
func (a *pollAcceptor) tryAll() (int, error) {
	for k := range a.fds {
		i := (a.next + k) % len(a.fds)
		for {
			nfd, _, e := unix.RawSyscall6(unix.SYS_ACCEPT4, uintptr(a.fds[i]), 0, 0, unix.SOCK_CLOEXEC, 0, 0)
			switch e {
			case 0:
				a.next = i + 1
				return int(nfd), nil
			case unix.EINTR, unix.ECONNABORTED:
				continue
			case unix.EAGAIN:
			default:
				return -1, os.NewSyscallError("accept4", e)
			}
			break
		}
	}
	return -1, unix.EAGAIN
}

// arm registers the listeners in the runtime's poller, exclusive, with
// the data of the wait file's poll descriptor.
func (a *pollAcceptor) arm() error {
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLET | unix.EPOLLEXCLUSIVE,
		Fd: int32(uint32(a.data)), Pad: int32(uint32(a.data >> 32))}
	for i, fd := range a.fds {
		if err := epollCtl(a.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil && !errors.Is(err, unix.EEXIST) {
			for _, fd := range a.fds[:i] {
				epollCtl(a.epfd, unix.EPOLL_CTL_DEL, fd, nil)
			}
			return os.NewSyscallError("epoll_ctl EPOLLEXCLUSIVE", err)
		}
	}
	a.armed = true
	return nil
}

// disarm takes the listeners out of the runtime's poller.
func (a *pollAcceptor) disarm() {
	for _, fd := range a.fds {
		epollCtl(a.epfd, unix.EPOLL_CTL_DEL, fd, nil)
	}
	a.armed = false
}

// fileConn makes an accepted blocking descriptor a *net.TCPConn
// (net.FileConn duplicates it, makes the duplicate non-blocking, registers
// it in the poller once, and sets TCP_NODELAY as for any TCP connection).
func fileConn(fd int) (*net.TCPConn, error) {
	f := os.NewFile(uintptr(fd), "conn") // blocking: not in the poller
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("prefork: %w", err)
	}
	tc, ok := c.(*net.TCPConn)
	if !ok {
		c.Close()
		return nil, fmt.Errorf("prefork: accepted a %T", c)
	}
	return tc, nil
}

// Close stops accepting and wakes a waiting Accept (closing the wait
// file ends its RawConn.Read).
func (a *pollAcceptor) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil
	}
	a.closed = true
	for _, fd := range a.fds {
		// Out of the runtime's poller before any close: a registration
		// outlives a closed duplicate while other processes hold the socket.
		epollCtl(a.epfd, unix.EPOLL_CTL_DEL, fd, nil)
	}
	err := a.wait.Close()
	if !a.busy {
		a.closeRest()
	}
	return err
}

// closeRest closes the listeners' duplicates but the wait file's.
func (a *pollAcceptor) closeRest() {
	for _, fd := range a.fds[1:] {
		unix.Close(fd)
	}
	a.fds = a.fds[:1]
}
