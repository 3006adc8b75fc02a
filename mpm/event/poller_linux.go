package event

import (
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Epoll interest sets. Connections are level-triggered and one-shot: an
// event disarms the fd, so exactly one owner handles it until it re-arms
// with EPOLL_CTL_MOD; re-arming with data already queued fires at once, so
// no wake-up is ever lost. Listeners are level-triggered and exclusive
// (EPOLLEXCLUSIVE: of several children polling one listener, not all wake).
const (
	evRead     = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT
	evWrite    = unix.EPOLLOUT | unix.EPOLLONESHOT
	evListener = unix.EPOLLIN | unix.EPOLLEXCLUSIVE
	evWake     = unix.EPOLLIN
)

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
}

func newPoller() (*poller, error) {
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
	return p, nil
}

// ctl is epoll_ctl with the fd and generation as event data.
func (p *poller) ctl(op, fd int, events uint32, gen uint32) error {
	ev := unix.EpollEvent{Events: events, Fd: int32(fd), Pad: int32(gen)}
	for {
		err := unix.EpollCtl(p.epfd, op, fd, &ev)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return os.NewSyscallError("epoll_ctl", err)
		}
		return nil
	}
}

// arm registers fd for events, or re-arms it if registered is set.
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

// wait is epoll_wait; an interrupted wait returns no events.
func (p *poller) wait(events []unix.EpollEvent, msec int) (int, error) {
	n, err := unix.EpollWait(p.epfd, events, msec)
	if err == unix.EINTR {
		return 0, nil
	}
	if err != nil {
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
	unix.Close(p.efd)
	unix.Close(p.epfd)
}
