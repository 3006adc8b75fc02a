package listener

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// resolveTimeout bounds the name lookup of a Spec.Host that is not a literal.
const resolveTimeout = 10 * time.Second

// Open creates, binds and listens on the socket that spec describes, in
// Apache's order (make_sock, then the accept filter): socket with
// SOCK_CLOEXEC|SOCK_NONBLOCK, SO_REUSEADDR=1, SO_KEEPALIVE=1, IPV6_V6ONLY=0
// on IPv6 sockets, SO_SNDBUF/SO_RCVBUF if asked, SO_REUSEPORT if asked, bind,
// listen(Backlog), then TCP_DEFER_ACCEPT if DeferAccept > 0. The socket is
// then handed to Go's netpoller, so Accept never blocks an OS thread.
//
// A bind failure is reported like Apache's AH00072 ("make_sock: could not
// bind to address [::]:80") and wraps the errno, so errors.Is(err,
// unix.EADDRINUSE) works. For the wildcard Host, a failure of the [::]
// socket falls back to 0.0.0.0 and the [::] failure becomes a warning.
func Open(spec Spec) (*Listener, error) {
	if spec.Port < 0 || spec.Port > 0xffff {
		return nil, fmt.Errorf("listener: port %d out of range 0-65535", spec.Port)
	}
	if spec.Backlog <= 0 {
		spec.Backlog = DefaultBacklog
	}
	if spec.Backlog > math.MaxInt32 {
		spec.Backlog = math.MaxInt32
	}
	if spec.DeferAccept < 0 {
		spec.DeferAccept = 0
	}
	addr, wildcard, err := resolveHost(spec.Host)
	if err != nil {
		return nil, err
	}

	var (
		fd       int
		warnings []string
	)
	if wildcard {
		fd, warnings, err = makeSock(netip.AddrPortFrom(netip.IPv6Unspecified(), uint16(spec.Port)), spec)
		if err != nil {
			v4 := netip.AddrPortFrom(netip.IPv4Unspecified(), uint16(spec.Port))
			fd4, warnings4, err4 := makeSock(v4, spec)
			if err4 != nil {
				if errors.Is(err, errNoSocket) {
					return nil, err4 // no IPv6 here: the IPv4 failure is the news
				}
				return nil, err
			}
			fd = fd4
			w := strings.TrimPrefix(err.Error(), "listener: ")
			warnings = append([]string{fmt.Sprintf("%s; listening on %s instead", w, v4)}, warnings4...)
		}
	} else {
		fd, warnings, err = makeSock(netip.AddrPortFrom(addr, uint16(spec.Port)), spec)
		if err != nil {
			return nil, err
		}
	}

	tl, err := wrapFD(fd)
	if err != nil {
		return nil, err
	}
	spec.Port = tl.Addr().(*net.TCPAddr).Port
	backlog := spec.Backlog
	if smc, err := Somaxconn(); err == nil && smc < backlog {
		backlog = smc
	}
	return &Listener{tl: tl, spec: spec, backlog: backlog, warnings: warnings}, nil
}

// errNoSocket marks a failure of socket(2) itself (the address family is not
// available), as opposed to a failure to set up or bind the socket.
var errNoSocket = errors.New("listener: cannot create socket")

// makeSock is Apache's make_sock plus ap_apply_accept_filter for one
// address. It returns a bound, listening, non-blocking, close-on-exec socket
// and the warnings met on the way.
func makeSock(ap netip.AddrPort, spec Spec) (fd int, warnings []string, err error) {
	a := ap.Addr()
	domain := unix.AF_INET
	var sa unix.Sockaddr
	if a.Is4() {
		sa = &unix.SockaddrInet4{Port: int(ap.Port()), Addr: a.As4()}
	} else {
		domain = unix.AF_INET6
		zone, err := zoneIndex(a.Zone())
		if err != nil {
			return -1, nil, fmt.Errorf("listener: AH00077: alloc_listener: failed to set up sockaddr for %s: %w", ap, err)
		}
		sa = &unix.SockaddrInet6{Port: int(ap.Port()), Addr: a.As16(), ZoneId: zone}
	}

	fd, err = unix.Socket(domain, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	if err != nil {
		return -1, nil, fmt.Errorf("%w: AH00078: alloc_listener: failed to get a socket for %s: %w",
			errNoSocket, ap, os.NewSyscallError("socket", err))
	}
	defer func() {
		if err != nil {
			unix.Close(fd)
			fd = -1
		}
	}()

	fatal := func(code, opt string, err error) error {
		return fmt.Errorf("listener: %s: make_sock: for address %s, setsockopt %s: %w",
			code, ap, opt, os.NewSyscallError("setsockopt", err))
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return fd, nil, fatal("AH00067", "SO_REUSEADDR", err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1); err != nil {
		return fd, nil, fatal("AH00068", "SO_KEEPALIVE", err)
	}
	if domain == unix.AF_INET6 {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0); err != nil {
			return fd, nil, fatal("AH00069", "IPV6_V6ONLY", err)
		}
	}
	if spec.SendBuffer > 0 {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, spec.SendBuffer); err != nil {
			warnings = append(warnings, fmt.Sprintf(
				"AH00070: make_sock: failed to set SendBufferSize for address %s, using default: %v",
				ap, os.NewSyscallError("setsockopt SO_SNDBUF", err)))
		}
	}
	if spec.ReceiveBuffer > 0 {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, spec.ReceiveBuffer); err != nil {
			warnings = append(warnings, fmt.Sprintf(
				"AH00071: make_sock: failed to set ReceiveBufferSize for address %s, using default: %v",
				ap, os.NewSyscallError("setsockopt SO_RCVBUF", err)))
		}
	}
	if spec.ReusePort {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
			return fd, nil, fatal("AH02638", "SO_REUSEPORT", err)
		}
	}
	if err := unix.Bind(fd, sa); err != nil {
		return fd, nil, fmt.Errorf("listener: AH00072: make_sock: could not bind to address %s: %w",
			ap, os.NewSyscallError("bind", err))
	}
	if err := unix.Listen(fd, spec.Backlog); err != nil {
		return fd, nil, fmt.Errorf("listener: AH00073: make_sock: unable to listen for connections on address %s: %w",
			ap, os.NewSyscallError("listen", err))
	}
	if secs := deferSeconds(spec.DeferAccept); secs > 0 {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT, secs); err != nil {
			warnings = append(warnings, fmt.Sprintf("AH00076: Failed to enable APR_TCP_DEFER_ACCEPT: %v",
				os.NewSyscallError("setsockopt TCP_DEFER_ACCEPT", err)))
		}
	}
	return fd, warnings, nil
}

// deferSeconds converts DeferAccept to the whole seconds TCP_DEFER_ACCEPT
// takes, rounding up so that any positive duration enables it.
func deferSeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	s := (d + time.Second - 1) / time.Second
	if s > math.MaxInt32 {
		s = math.MaxInt32
	}
	return int(s)
}

// wrapFD hands a listening socket to Go's netpoller. net.FileListener dups
// the descriptor (close-on-exec) and the original is closed here, also on
// error.
func wrapFD(fd int) (*net.TCPListener, error) {
	f := os.NewFile(uintptr(fd), "gohttpd-listener")
	ln, err := net.FileListener(f)
	if cerr := f.Close(); err == nil && cerr != nil {
		ln.Close()
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("listener: wrap socket: %w", err)
	}
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		ln.Close()
		return nil, fmt.Errorf("listener: wrap socket: got %T, want *net.TCPListener", ln)
	}
	return tl, nil
}

// resolveHost turns Spec.Host into an address; wildcard is true for "" and
// "*".
func resolveHost(host string) (addr netip.Addr, wildcard bool, err error) {
	h := strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if h == "" || h == "*" {
		return netip.Addr{}, true, nil
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Unmap(), false, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", h)
	if err == nil && len(addrs) == 0 {
		err = errors.New("no addresses")
	}
	if err != nil {
		return netip.Addr{}, false, fmt.Errorf("listener: AH00077: alloc_listener: failed to set up sockaddr for %s: %w", host, err)
	}
	return addrs[0].Unmap(), false, nil
}

// zoneIndex resolves an IPv6 zone (interface name or number) to an index.
func zoneIndex(zone string) (uint32, error) {
	if zone == "" {
		return 0, nil
	}
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(n), nil
	}
	ifi, err := net.InterfaceByName(zone)
	if err != nil {
		return 0, err
	}
	return uint32(ifi.Index), nil
}

// File returns a duplicate of the listening socket for exec.Cmd.ExtraFiles.
// The duplicate is made with SyscallConn().Control and F_DUPFD_CLOEXEC and
// wrapped with os.NewFile, so that os/exec's call to Fd never flips the
// shared socket to blocking mode ((*net.TCPListener).File would, in this
// process and in every child sharing it). The caller closes the file, usually
// right after cmd.Start; closing it does not affect the Listener.
func (l *Listener) File() (*os.File, error) {
	var nfd int
	err := control(l.tl, func(fd int) error {
		var err error
		nfd, err = unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
		return os.NewSyscallError("fcntl F_DUPFD_CLOEXEC", err)
	})
	if err != nil {
		return nil, fmt.Errorf("listener: file: %w", err)
	}
	return os.NewFile(uintptr(nfd), "gohttpd-listener:"+l.tl.Addr().String()), nil
}

// FromFile rebuilds a Listener from a listening socket inherited from the
// master (an ExtraFiles entry, fd 3+i in the child). It duplicates the
// descriptor and leaves f open: the caller closes f, which is safe right
// after FromFile returns. The socket stays non-blocking. spec describes how
// the master opened it; Spec().Port is set to the bound port, and it is an
// error if spec.Port is non-zero and differs. EffectiveBacklog is the limit
// the kernel reports for the socket; Warnings is empty.
func FromFile(f *os.File, spec Spec) (*Listener, error) {
	ln, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("listener: from file %s: %w", f.Name(), err)
	}
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		ln.Close()
		return nil, fmt.Errorf("listener: from file %s: got %T, want a TCP listener", f.Name(), ln)
	}
	l := &Listener{tl: tl, spec: spec}
	fail := func(err error) (*Listener, error) {
		tl.Close()
		return nil, fmt.Errorf("listener: from file %s: %w", f.Name(), err)
	}
	var listening int
	err = control(tl, func(fd int) error {
		var err error
		listening, err = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
		return os.NewSyscallError("getsockopt SO_ACCEPTCONN", err)
	})
	if err != nil {
		return fail(err)
	}
	if listening == 0 {
		return fail(errors.New("socket is not listening"))
	}
	port := tl.Addr().(*net.TCPAddr).Port
	if spec.Port != 0 && spec.Port != port {
		return fail(fmt.Errorf("socket is bound to port %d, spec says %d", port, spec.Port))
	}
	l.spec.Port = port
	if l.spec.Backlog <= 0 {
		l.spec.Backlog = DefaultBacklog
	}
	st, err := l.Stats()
	if err != nil {
		return fail(err)
	}
	l.backlog = st.Backlog
	return l, nil
}

// Stats reads the accept queue from getsockopt(TCP_INFO) on the listening
// socket: for a listener the kernel reports the current queue length in
// tcpi_unacked and the maximum backlog in tcpi_sacked (what `ss -lnt` shows
// as Recv-Q and Send-Q).
func (l *Listener) Stats() (Stats, error) {
	var info *unix.TCPInfo
	err := control(l.tl, func(fd int) error {
		var err error
		info, err = unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO)
		return os.NewSyscallError("getsockopt TCP_INFO", err)
	})
	if err != nil {
		return Stats{}, fmt.Errorf("listener: stats: %w", err)
	}
	if info.State != uint8(StateListen) {
		return Stats{}, fmt.Errorf("listener: stats: socket state %v, want LISTEN", TCPState(info.State))
	}
	return Stats{QueueLen: int(info.Unacked), Backlog: int(info.Sacked)}, nil
}

// Somaxconn returns net.core.somaxconn, the kernel's cap on any listen(2)
// backlog, read from /proc/sys/net/core/somaxconn (of the caller's network
// namespace).
func Somaxconn() (int, error) {
	b, err := os.ReadFile("/proc/sys/net/core/somaxconn")
	if err != nil {
		return 0, fmt.Errorf("listener: somaxconn: %w", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("listener: somaxconn: %w", err)
	}
	return n, nil
}

// control runs fn on the raw descriptor of c and returns fn's error or the
// error of Control itself.
func control(c interface {
	SyscallConn() (syscall.RawConn, error)
}, fn func(fd int) error) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}
