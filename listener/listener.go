package listener

import (
	"net"
	"syscall"
	"time"
)

// DefaultBacklog is Apache's ListenBacklog default, used when Spec.Backlog
// is zero or negative.
const DefaultBacklog = 511

// ApacheDeferAccept is the TCP_DEFER_ACCEPT value Apache hard-codes on Linux
// for every AcceptFilter name other than "none".
const ApacheDeferAccept = 30 * time.Second

// Spec describes one listening socket, as one Listen directive (one address)
// plus the server-wide ListenBacklog, AcceptFilter, ListenCoresBucketsRatio
// and Send/ReceiveBufferSize directives.
type Spec struct {
	// Host is an IPv4 or IPv6 literal (brackets optional), a name, or ""
	// (or "*") for the wildcard. The wildcard is one dual-stack [::]
	// socket (IPV6_V6ONLY=0), falling back to 0.0.0.0 if IPv6 is
	// unavailable, as Apache does for "Listen 80" on Linux. A name is
	// resolved and its first address used; to listen on every address of
	// a name, resolve it yourself and open one Listener per address.
	Host string
	// Port is the TCP port; 0 lets the kernel pick one, and Spec().Port
	// then reports the chosen port.
	Port int
	// Proto is the Listen protocol ("http"); informational only.
	Proto string
	// Backlog is passed to listen(2) (ListenBacklog). Zero or negative
	// means DefaultBacklog. Linux caps it at net.core.somaxconn.
	Backlog int
	// DeferAccept sets TCP_DEFER_ACCEPT, rounded up to whole seconds;
	// 0 = off (AcceptFilter none). Apache uses ApacheDeferAccept (30 s).
	// The kernel turns the value into a number of SYN-ACK retransmissions
	// and reports it back rounded up (1 → 1 s, 5 → 7 s, 30 → 31 s); a
	// client that stays silent that long is handed to accept anyway.
	DeferAccept time.Duration
	// ReusePort sets SO_REUSEPORT (ListenCoresBucketsRatio > 0).
	ReusePort bool
	// SendBuffer and ReceiveBuffer set SO_SNDBUF and SO_RCVBUF when > 0;
	// a failure is a warning, not an error, as in Apache.
	SendBuffer, ReceiveBuffer int
}

// Listener is one listening TCP socket. It implements net.Listener on top of
// Go's netpoller; Accept returns a *net.TCPConn with TCP_NODELAY set.
// A Listener is safe for concurrent use by several accepting goroutines.
type Listener struct {
	tl       *net.TCPListener
	spec     Spec
	backlog  int
	warnings []string
}

var _ net.Listener = (*Listener)(nil)

// Stats is a snapshot of a listening socket's accept queue, as `ss -lnt`
// shows it: QueueLen is Recv-Q (connections completed and waiting for
// accept), Backlog is Send-Q (the queue's limit; Linux accepts up to
// Backlog+1 connections before it drops SYNs).
type Stats struct {
	QueueLen, Backlog int
}

// Spec returns the specification the listener was opened with, with Port set
// to the bound port and Backlog to the value passed to listen(2).
func (l *Listener) Spec() Spec { return l.spec }

// EffectiveBacklog returns min(Backlog, net.core.somaxconn) as computed when
// the listener was opened (for FromFile: the limit the kernel reports).
func (l *Listener) EffectiveBacklog() int { return l.backlog }

// Warnings returns the non-fatal degradations met while opening the socket,
// in Apache's words where Apache has some (for example "AH00076: Failed to
// enable APR_TCP_DEFER_ACCEPT: ..."). The caller logs them.
func (l *Listener) Warnings() []string {
	return append([]string(nil), l.warnings...)
}

// Addr returns the bound address.
func (l *Listener) Addr() net.Addr { return l.tl.Addr() }

// Close closes the listening socket; blocked Accept calls return an error
// wrapping net.ErrClosed. Descriptors already handed out by File stay open.
func (l *Listener) Close() error { return l.tl.Close() }

// SetDeadline sets the deadline for Accept; a zero time means none. An Accept
// that passes the deadline returns an error wrapping os.ErrDeadlineExceeded.
func (l *Listener) SetDeadline(t time.Time) error { return l.tl.SetDeadline(t) }

// SyscallConn returns the raw listening socket, for example so that the event
// engine can register its descriptor with its own epoll instance.
func (l *Listener) SyscallConn() (syscall.RawConn, error) { return l.tl.SyscallConn() }

// Accept waits for and returns the next connection, a *net.TCPConn with
// TCP_NODELAY set (Go's default for accepted TCP connections).
//
// Errors are accept(2)'s (Go's poller already retries EINTR, EAGAIN and
// ECONNABORTED): net.ErrClosed after Close, os.ErrDeadlineExceeded after
// SetDeadline, and the errno of a failed accept, which callers classify:
// the engines retry those Apache's ap_unixd_accept skips (mpm.IsTemporary,
// the one copy of that list) and stop on the others (ENETDOWN, and the
// resource shortages EMFILE, ENFILE, ENOMEM, tested with errors.Is).
//
// Note that Go enables SO_KEEPALIVE on accepted connections with a 15 s idle
// time and interval (Apache inherits the system defaults from the listener).
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.tl.AcceptTCP()
	if err != nil {
		return nil, err
	}
	return c, nil
}
