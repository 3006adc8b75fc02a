package event

import (
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gohttpd/gohttpd/mpm"
)

// Accepting and admission: the listeners, polled level-triggered and
// exclusive by the loop, are turned off and on again by Apache's
// connections_above_limit rule and by accept(2) failing for want of
// descriptors (a back-off).

// accept4 is unix.Accept4; tests replace it to inject errors.
var accept4 = unix.Accept4

// takeListeners replaces the Go listeners by non-blocking duplicates of
// their descriptors (F_DUPFD_CLOEXEC) and closes the Go listeners, so the
// runtime's poller forgets them.
func (e *engine) takeListeners() error {
	for i, ln := range e.deps.Listeners {
		sc, ok := ln.(syscall.Conn)
		if !ok {
			return fmt.Errorf("event: listener %d (%T) has no raw descriptor", i, ln)
		}
		rc, err := sc.SyscallConn()
		if err != nil {
			return fmt.Errorf("event: listener %d: %w", i, err)
		}
		fd, derr := -1, error(nil)
		if err := rc.Control(func(s uintptr) {
			fd, derr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0)
		}); err != nil {
			return fmt.Errorf("event: listener %d: %w", i, err)
		}
		if derr != nil {
			return fmt.Errorf("event: listener %d: %w", i, os.NewSyscallError("fcntl F_DUPFD_CLOEXEC", derr))
		}
		e.lns = append(e.lns, fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			return fmt.Errorf("event: listener %d: %w", i, os.NewSyscallError("fcntl O_NONBLOCK", err))
		}
	}
	for _, ln := range e.deps.Listeners {
		ln.Close()
	}
	return nil
}

// accept accepts new connections while a worker is idle and admission
// allows, giving each to a worker at once (with TCP_DEFER_ACCEPT the
// request is usually there; if not, the worker parks it without waiting).
// As in Apache, the listeners are disabled only when a listener polled
// readable finds the child above its limit.
func (e *engine) accept(now int64) {
	for li, lfd := range e.lns {
		for i := range acceptBatch {
			if !e.listening || e.remaining == 0 {
				return
			}
			e.mu.Lock()
			idle := len(e.idle)
			above := idle == 0 || e.aboveLimitLocked()
			e.mu.Unlock()
			if above && i > 0 {
				// Whether another connection waits is not known: the
				// next poll tells, and the check is made again then.
				break
			}
			if above {
				if idle == 0 {
					e.log.Debug("event: all workers busy, not accepting new conns in this process")
				} else {
					e.log.Debug("event: too many open connections, not accepting new conns in this process", "connections", e.nConns, "idle_workers", idle)
				}
				e.offIdle = idle == 0
				e.disableListeners(true)
				return
			}
			nfd, sa, err := accept4(lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
			if err != nil {
				switch {
				case err == unix.EAGAIN:
					// Nothing (more) to take on this listener.
				case mpm.IsTemporary(err):
					continue
				case err == unix.EMFILE, err == unix.ENFILE, err == unix.ENOBUFS, err == unix.ENOMEM:
					e.backoff(now, err)
					return
				default:
					e.log.Error("event: accept failed", "err", os.NewSyscallError("accept4", err))
				}
				break
			}
			e.backoffDelay = 0
			unix.SetsockoptInt(nfd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
			c := e.newConn(nfd, sa)
			if e.deps.ProxyProtocol != nil {
				e.expectProxy(c, nfd)
			}
			if cfg := e.deps.TLSFor(li); cfg != nil {
				c.tls = newTLSConn(c, cfg)
			}
			// The stop order for MaxConnectionsPerChild goes out before the
			// last connection reaches a worker, so its response already
			// says Connection: close.
			last := false
			if e.remaining > 0 {
				e.remaining--
				if last = e.remaining == 0; last {
					e.log.Info("event: stopping process due to MaxConnectionsPerChild")
					e.stop(mpm.StopGraceful)
				}
			}
			e.mu.Lock()
			e.dispatchLocked(c, now)
			e.mu.Unlock()
			if last {
				return
			}
		}
	}
}

// aboveLimitLocked is Apache's connections_above_limit (server/mpm/event/
// event.c): with i idle workers, the child accepts while its connections not
// in lingering close stay under ThreadsPerChild + (i − disabled) × factor.
//
// The hysteresis term (disabled) applies only when the listeners went off
// for the connection limit. When they went off because no worker was idle
// (offIdle), often only for the moment between a worker writing its
// response and handBack putting it back on e.idle, counting it would keep
// them off for good with ThreadsPerChild 1 and one parked keep-alive
// connection (1 < 1 + (1−1) × factor is false): the worker going idle
// wakes the loop, admit finds the child still "above the limit", and
// nothing else re-checks until a connection closes, so a connection in
// the listen backlog waits for a KeepAliveTimeout. Apache escapes this by
// closing every keep-alive connection once workers were busy; this engine
// closes them only after busyGrace of a readable connection in readyq, so
// a worker going idle re-enables the listeners instead.
func (e *engine) aboveLimitLocked() bool {
	i := len(e.idle)
	if i == 0 {
		return true
	}
	disabled := 0
	if !e.listening && !e.offIdle {
		disabled = 1
	}
	c, l := e.nConns, e.nLinger
	return !(c <= l || c-l < e.cfg.ThreadsPerChild+(i-disabled)*e.factor)
}

// backoff pauses accepting after EMFILE/ENFILE: the pending connection
// stays queued, so a level-triggered listener would spin.
func (e *engine) backoff(now int64, err error) {
	if e.backoffDelay == 0 {
		e.backoffDelay = backoffMin
		e.log.Warn("event: accept failed, pausing accepts", "err", os.NewSyscallError("accept4", err))
	} else {
		e.backoffDelay = min(2*e.backoffDelay, backoffMax)
	}
	e.backoffUntil = now + int64(e.backoffDelay)
	e.disableListeners(false)
}

// admit re-enables the listeners when admission allows again.
func (e *engine) admit(now int64) {
	if e.lnClosed || e.listening {
		return
	}
	if e.backoffUntil != 0 {
		if now < e.backoffUntil {
			return
		}
		e.backoffUntil = 0
	}
	e.mu.Lock()
	above := e.aboveLimitLocked()
	idle := len(e.idle)
	e.mu.Unlock()
	if above {
		return
	}
	if err := e.enableListeners(); err != nil {
		e.log.Error("event: cannot poll the listeners", "err", err)
		return
	}
	e.log.Debug("event: accepting new connections again", "connections", e.nConns, "idle_workers", idle)
}

// enableListeners adds the listeners to the epoll set.
func (e *engine) enableListeners() error {
	for i, fd := range e.lns {
		if err := e.p.ctl(unix.EPOLL_CTL_ADD, fd, evListener, 0); err != nil {
			for _, fd := range e.lns[:i] {
				e.p.del(fd)
			}
			return err
		}
	}
	e.listening = true
	e.offIdle = false
	e.mu.Lock()
	e.admissionOff = false
	e.mu.Unlock()
	e.proc.SetNotAccepting(false)
	return nil
}

// disableListeners removes the listeners from the epoll set; admission
// tells whether workers going idle should wake the loop to re-check.
func (e *engine) disableListeners(admission bool) {
	if !e.listening {
		return
	}
	for _, fd := range e.lns {
		e.p.del(fd)
	}
	e.listening = false
	e.mu.Lock()
	e.admissionOff = admission
	e.mu.Unlock()
	e.proc.SetNotAccepting(true)
}

// closeListeners closes our listener descriptors (once).
func (e *engine) closeListeners() {
	if e.lnClosed {
		return
	}
	e.disableListeners(false)
	for _, fd := range e.lns {
		unix.Close(fd)
	}
	e.lnClosed = true
}
