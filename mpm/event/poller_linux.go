package event

import (
	"errors"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gohttpd/gohttpd/internal/rawio"
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
	// f is epfd in the runtime's netpoller (nil if it refused it): the
	// loop waits for its epoll set as a goroutine, never holding a thread
	// and its P in epoll_wait (see wait).
	f  *os.File
	rc syscall.RawConn
	// dl is the read deadline set on f, zero for none.
	dl time.Time
	// poll is p.pollOnce as a func value, made once (a closure per wait
	// allocated); it reports through evs, n and err.
	poll func(uintptr) bool
	evs  []unix.EpollEvent
	n    int
	err  error
	// wakePending coalesces wake-ups: only the first waker after the
	// loop drained the eventfd writes to it.
	wakePending atomic.Bool
}

// newPoller makes the epoll set; netpoll registers it in Go's netpoller
// (see wait; the engine always asks for it since issue 18).
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
		p.park()
	}
	return p, nil
}

// park puts the epoll set in the runtime's netpoller, through a duplicate
// of its descriptor (an epoll set is itself pollable: readable while it
// has events to report). If the runtime refuses it, wait blocks in
// epoll_wait instead.
func (p *poller) park() {
	d, err := unix.FcntlInt(uintptr(p.epfd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return
	}
	if unix.SetNonblock(d, true) != nil {
		unix.Close(d)
		return
	}
	f := os.NewFile(uintptr(d), "epoll")
	rc, err := f.SyscallConn()
	if err == nil {
		// A deadline is refused for a descriptor outside the netpoller.
		err = f.SetReadDeadline(time.Time{})
	}
	if err != nil {
		f.Close()
		return
	}
	p.f, p.rc = f, rc
	p.poll = p.pollOnce
}

// pollOnce is the netpoller's callback: epoll_wait without waiting; false
// makes the runtime wait for the epoll set to become readable.
func (p *poller) pollOnce(uintptr) bool {
	p.n, p.err = p.epollWait(p.evs, 0)
	return p.n > 0 || p.err != nil
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

// wait returns the events ready, waiting up to msec milliseconds (-1: no
// limit) for the first; an interrupted wait returns no events.
//
// The wait is the runtime's: epoll_wait here never blocks, and with no
// event ready the loop's goroutine parks in the netpoller until the epoll
// set becomes readable or the deadline passes. A thread blocked in
// epoll_wait would hold its P: with GOMAXPROCS 1 (a child pinned to one
// CPU) sysmon takes the P back after 20 µs and, while it keeps doing so,
// wakes every 20 µs, which cost a child serving 1 KB keep-alive requests
// about a tenth of its CPU time (issue 18).
func (p *poller) wait(events []unix.EpollEvent, msec int) (int, error) {
	if p.f == nil || msec == 0 {
		return p.epollWait(events, msec)
	}
	n, err := p.epollWait(events, 0)
	if n > 0 || err != nil {
		return n, err
	}
	var dl time.Time
	if msec > 0 {
		// Rounded up to deadlineGrain, so a busy loop whose earliest
		// deadline moves a little at every wait keeps the runtime's timer.
		dl = time.Now().Add(time.Duration(msec)*time.Millisecond + deadlineGrain - 1).Truncate(deadlineGrain)
	}
	if !dl.Equal(p.dl) {
		if err := p.f.SetReadDeadline(dl); err != nil {
			return p.epollWait(events, msec)
		}
		p.dl = dl
	}
	p.evs, p.n, p.err = events, 0, nil
	err = p.rc.Read(p.poll)
	n, perr := p.n, p.err
	p.evs, p.err = nil, nil
	switch {
	case perr != nil:
		return 0, perr
	case errors.Is(err, os.ErrDeadlineExceeded):
		return 0, nil
	case err != nil:
		return 0, os.NewSyscallError("epoll_wait", err)
	}
	return n, nil
}

// deadlineGrain is how late a wait in the netpoller may end after its
// timeout (under the loop's wakeFudge).
const deadlineGrain = 5 * time.Millisecond

// epollWait is epoll_wait; an interrupted wait returns no events.
func (p *poller) epollWait(events []unix.EpollEvent, msec int) (n int, err error) {
	if msec == 0 {
		n, err = rawEpollPoll(p.epfd, events)
	} else {
		n, err = unix.EpollWait(p.epfd, events, msec)
	}
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
		_, err := rawio.Write(p.efd, one[:]) // non-blocking eventfd
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
		_, err := rawio.Read(p.efd, buf[:])
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
