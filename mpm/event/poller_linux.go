package event

import (
	"errors"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Epoll interest sets, in the two registration modes (EpollTrigger).
//
// Edge (the default): a connection is registered once, for both directions
// and edge-triggered (as nginx does), and never modified on the way
// through a request: an event reports that bytes arrived or buffer space
// freed since the last one, and ownership is settled in user space (the
// connection's state, under the engine's lock). An owner that lets go of a
// connection must have seen the socket drained (EAGAIN, or a read shorter
// than its buffer) after the last event it was told of; where it cannot
// say so, it re-arms with EPOLL_CTL_MOD, which reports the current
// readiness at once, so no wake-up is ever lost.
//
// OneShot: level-triggered and one-shot (EPOLLONESHOT), for reading or for
// writing: an event disarms the fd, so exactly one owner handles it until
// it re-arms with EPOLL_CTL_MOD when it parks the connection; re-arming
// with data already queued fires at once. That is one more system call per
// keep-alive request besides read and write, and it walks the epoll tree
// under its mutex, a cost that grows with the parked connections.
//
// Listeners are level-triggered and exclusive (EPOLLEXCLUSIVE: of several
// children polling one listener, not all wake).
const (
	evConn      = unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP | unix.EPOLLET
	evReadOnce  = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT
	evWriteOnce = unix.EPOLLOUT | unix.EPOLLONESHOT
	evListener  = unix.EPOLLIN | unix.EPOLLEXCLUSIVE
	evWake      = unix.EPOLLIN

	// evIn and evOut are the events that concern a reader and a writer.
	evIn  = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLHUP | unix.EPOLLERR
	evOut = unix.EPOLLOUT | unix.EPOLLHUP | unix.EPOLLERR
)

// epollCtl is unix.EpollCtl; tests replace it to inject failures.
var epollCtl = unix.EpollCtl

// poller is an epoll set and an eventfd that wakes its waiter. The event
// data of every registration is the fd and a generation: 64 bits, Fd and
// Pad in unix.EpollEvent on every architecture. Generation 0 marks the
// loop's own descriptors (listeners, eventfd); connections use 1 upwards.
type poller struct {
	epfd int
	efd  int
	// wakePending coalesces wake-ups: only the first waker after the
	// loop drained the eventfd writes to it.
	wakePending atomic.Bool

	// f is the epoll descriptor as an *os.File registered in Go's
	// netpoller (an epoll set is readable while it has events): the loop
	// waits there, with every other goroutine's network waits (a reverse
	// proxy's backends), instead of blocking its thread in epoll_wait. A
	// thread blocked in a system call keeps the child's one P until sysmon
	// takes it back (20 µs later, every time), and the goroutines readied
	// meanwhile (by Go's netpoller) wait for that; sysmon polling at 20 µs
	// and the thread hand-offs cost a proxied request about a third of
	// its CPU. nil (Config.NetpollWait off, or f could not be made): wait
	// blocks in epoll_wait, which costs a static file's request less.
	f  *os.File
	rc syscall.RawConn
}

// newPoller makes the epoll set; netpoll registers it in Go's netpoller
// (Config.NetpollWait).
func newPoller(netpoll bool) (*poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	efd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, os.NewSyscallError("eventfd", err)
	}
	p := &poller{epfd: epfd, efd: efd}
	if err := p.ctl(unix.EPOLL_CTL_ADD, efd, evWake, 0); err != nil {
		p.close()
		return nil, err
	}
	if netpoll {
		p.pollable()
	}
	return p, nil
}

// pollable registers a duplicate of the epoll descriptor in Go's
// netpoller (os.NewFile of a non-blocking descriptor does); on failure
// the loop blocks in epoll_wait as before.
func (p *poller) pollable() {
	dup, err := unix.FcntlInt(uintptr(p.epfd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return
	}
	if err := unix.SetNonblock(dup, true); err != nil {
		unix.Close(dup)
		return
	}
	f := os.NewFile(uintptr(dup), "epoll")
	rc, err := f.SyscallConn()
	if err != nil || f.SetReadDeadline(time.Time{}) != nil {
		f.Close() // not in the netpoller: no deadlines
		return
	}
	p.f, p.rc = f, rc
}

// ctl is epoll_ctl with the fd and generation as event data.
func (p *poller) ctl(op, fd int, events uint32, gen uint32) error {
	ev := unix.EpollEvent{Events: events, Fd: int32(fd), Pad: int32(gen)}
	for {
		err := epollCtl(p.epfd, op, fd, &ev)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return os.NewSyscallError("epoll_ctl", err)
		}
		return nil
	}
}

// arm adds a connection's fd for events, or, if registered is set,
// re-arms it: either way the kernel reports its readiness at once if it is
// already ready.
func (p *poller) arm(fd int, events uint32, gen uint32, registered bool) error {
	op := unix.EPOLL_CTL_MOD
	if !registered {
		op = unix.EPOLL_CTL_ADD
	}
	return p.ctl(op, fd, events, gen)
}

// del removes fd from the set.
func (p *poller) del(fd int) error {
	return p.ctl(unix.EPOLL_CTL_DEL, fd, 0, 0)
}

// wait is epoll_wait; an interrupted wait returns no events. With the
// set in Go's netpoller, it takes what is ready without blocking, then
// parks the goroutine until the set is readable or msec passed.
func (p *poller) wait(events []unix.EpollEvent, msec int) (int, error) {
	if p.f != nil && msec != 0 {
		return p.park(events, msec)
	}
	n, err := unix.EpollWait(p.epfd, events, msec)
	if err == unix.EINTR {
		return 0, nil
	}
	if err != nil {
		return 0, os.NewSyscallError("epoll_wait", err)
	}
	return n, nil
}

// park is wait through Go's netpoller.
func (p *poller) park(events []unix.EpollEvent, msec int) (int, error) {
	n, err := unix.EpollWait(p.epfd, events, 0)
	if n != 0 || (err != nil && err != unix.EINTR) {
		if err != nil {
			return 0, os.NewSyscallError("epoll_wait", err)
		}
		return n, nil
	}
	var dl time.Time
	if msec > 0 {
		dl = time.Now().Add(time.Duration(msec) * time.Millisecond)
	}
	if err := p.f.SetReadDeadline(dl); err != nil {
		return 0, os.NewSyscallError("epoll_wait", err)
	}
	rerr := p.rc.Read(func(uintptr) bool {
		n, err = unix.EpollWait(p.epfd, events, 0)
		return n != 0 || (err != nil && err != unix.EINTR)
	})
	switch {
	case errors.Is(rerr, os.ErrDeadlineExceeded):
		return 0, nil
	case rerr != nil:
		return 0, os.NewSyscallError("epoll_wait", rerr)
	case err != nil && err != unix.EINTR:
		return 0, os.NewSyscallError("epoll_wait", err)
	}
	return n, nil
}

// wake makes the waiter return; many wakes before it runs cost one write.
func (p *poller) wake() {
	if !p.wakePending.CompareAndSwap(false, true) {
		return
	}
	var one = [8]byte{1}
	for {
		_, err := unix.Write(p.efd, one[:])
		if err != unix.EINTR {
			return // EAGAIN: the counter is already non-zero
		}
	}
}

// drainWake resets the eventfd after a wake-up, then the flag, so a wake
// that follows writes again. The waiter must look for work after this:
// a waker that found the flag still set had queued its work before.
func (p *poller) drainWake() {
	var buf [8]byte
	for {
		_, err := unix.Read(p.efd, buf[:])
		if err != unix.EINTR {
			break
		}
	}
	p.wakePending.Store(false)
}

func (p *poller) close() {
	if p.f != nil {
		p.f.Close()
	}
	unix.Close(p.efd)
	unix.Close(p.epfd)
}
