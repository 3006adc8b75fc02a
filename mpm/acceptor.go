package mpm

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"
)

// ErrAcceptorClosed is returned by Acceptor.Accept after Close.
var ErrAcceptorClosed = errors.New("mpm: acceptor closed")

// An Acceptor accepts one connection at a time from a child's listeners,
// for the engines that accept only when a worker is free (prefork,
// worker). With one listener it blocks in accept(2) through Go's poller;
// with several it polls them and takes turns, as prefork.c does, so no
// listener starves and nothing is accepted before a worker wants it.
// Accept is called from one goroutine at a time; Close from any.
type Acceptor struct {
	lns    []net.Listener
	raw    []syscall.RawConn
	next   int
	wakeR  *os.File
	wakeW  *os.File
	mu     sync.Mutex
	closed bool
}

// NewAcceptor returns an Acceptor over lns, which it owns and closes.
func NewAcceptor(lns []net.Listener) (*Acceptor, error) {
	a := &Acceptor{lns: lns}
	if len(lns) < 2 {
		return a, nil
	}
	for _, ln := range lns {
		sc, ok := ln.(syscall.Conn)
		if !ok {
			return nil, fmt.Errorf("mpm: listener %T has no raw descriptor", ln)
		}
		rc, err := sc.SyscallConn()
		if err != nil {
			return nil, fmt.Errorf("mpm: listener: %w", err)
		}
		a.raw = append(a.raw, rc)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("mpm: pipe: %w", err)
	}
	a.wakeR, a.wakeW = r, w
	return a, nil
}

// Accept returns the next connection with TCP_NODELAY set. Errors other
// than ErrAcceptorClosed come from accept(2); the caller decides which are
// worth retrying (IsTemporary).
func (a *Acceptor) Accept() (*net.TCPConn, error) {
	if len(a.lns) == 1 {
		c, err := a.lns[0].Accept()
		if err != nil {
			if a.isClosed() {
				return nil, ErrAcceptorClosed
			}
			return nil, err
		}
		tc := c.(*net.TCPConn)
		tc.SetNoDelay(true)
		return tc, nil
	}
	if len(a.lns) == 0 {
		return nil, ErrAcceptorClosed
	}
	return a.pollAccept()
}

func (a *Acceptor) isClosed() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.closed
}

// Close closes the listeners and wakes a blocked Accept.
func (a *Acceptor) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	a.mu.Unlock()
	var errs []error
	for _, ln := range a.lns {
		errs = append(errs, ln.Close())
	}
	if a.wakeW != nil {
		a.wakeW.Write([]byte{1})
	}
	return errors.Join(errs...)
}

// retriedAcceptErrors are the accept(2) errors Apache's ap_unixd_accept
// (os/unix/unixd.c, used by all three MPMs) skips and retries: EINTR (the
// call was interrupted), and those that concern only the connection being
// taken, which went away between the handshake and accept (EPROTO,
// ECONNABORTED, ECONNRESET, ETIMEDOUT, EHOSTUNREACH, ENETUNREACH), and
// EAGAIN/EWOULDBLOCK (non-blocking listeners: nothing, or no longer
// anything, to take). Everything else is real: ENETDOWN (AH02177 gives up),
// EMFILE, ENFILE, ENOBUFS, ENOMEM (AH02179, a resource shortage), EBADF or
// EINVAL once the listener is closed.
var retriedAcceptErrors = []syscall.Errno{
	syscall.EINTR, syscall.EPROTO, syscall.ECONNABORTED, syscall.ECONNRESET,
	syscall.ETIMEDOUT, syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.EAGAIN,
}

// IsTemporary reports whether an accept error is one Apache ignores and
// retries (ap_unixd_accept, see retriedAcceptErrors). It is the one copy of
// that list: the engines' accept loops and the event engine's accept4 loop
// all ask it.
func IsTemporary(err error) bool {
	for _, e := range retriedAcceptErrors {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
