package listener

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// listenFDsStart is SD_LISTEN_FDS_START, the first passed descriptor.
const listenFDsStart = 3

// ActivationFromEnv returns the sockets systemd passed, or nil (and no
// error) when LISTEN_PID or LISTEN_FDS are unset or LISTEN_PID is not this
// process, as sd_listen_fds(3). Every passed descriptor gets close-on-exec
// (children receive listeners through ExtraFiles like any other) and must
// be a listening TCP socket (SOCK_STREAM, AF_INET or AF_INET6). With unset,
// LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES are removed from the
// environment, so re-executed children never see them. Call it once, in
// the master, before anything else opens a descriptor.
func ActivationFromEnv(unset bool) (*Activation, error) {
	pid, fds, names := os.Getenv("LISTEN_PID"), os.Getenv("LISTEN_FDS"), os.Getenv("LISTEN_FDNAMES")
	if unset {
		os.Unsetenv("LISTEN_PID")
		os.Unsetenv("LISTEN_FDS")
		os.Unsetenv("LISTEN_FDNAMES")
	}
	if pid == "" || fds == "" {
		return nil, nil
	}
	if p, err := strconv.Atoi(pid); err != nil || p != os.Getpid() {
		return nil, nil
	}
	n, err := strconv.Atoi(fds)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("listener: LISTEN_FDS=%q is not a count of descriptors", fds)
	}
	var nameList []string
	if names != "" {
		nameList = strings.Split(names, ":")
	}
	files := make([]*os.File, n)
	for i := range n {
		fd := listenFDsStart + i
		unix.CloseOnExec(fd)
		name := ""
		if i < len(nameList) {
			name = nameList[i]
		}
		if name == "" {
			name = strconv.Itoa(fd)
		}
		files[i] = os.NewFile(uintptr(fd), "systemd-socket:"+name)
	}
	return activationFromFiles(files, nameList)
}

// activationFromFiles checks and records passed sockets. On error every
// file is closed.
func activationFromFiles(files []*os.File, names []string) (*Activation, error) {
	a := &Activation{}
	for i, f := range files {
		s, err := inspect(f)
		if err != nil {
			for _, f := range files {
				f.Close()
			}
			return nil, err
		}
		if i < len(names) {
			s.name = names[i]
		}
		a.socks = append(a.socks, s)
	}
	return a, nil
}

// inspect reads a passed socket's type, state and bound address.
func inspect(f *os.File) (passed, error) {
	fd := int(f.Fd())
	s := passed{file: f, fd: fd}
	fail := func(err error) (passed, error) {
		return passed{}, fmt.Errorf("listener: socket passed by systemd (fd %d): %w", fd, err)
	}
	typ, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
	if err != nil {
		return fail(os.NewSyscallError("getsockopt SO_TYPE", err))
	}
	if typ != unix.SOCK_STREAM {
		return fail(fmt.Errorf("socket type %d, want SOCK_STREAM (ListenStream=)", typ))
	}
	acc, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
	if err != nil {
		return fail(os.NewSyscallError("getsockopt SO_ACCEPTCONN", err))
	}
	if acc == 0 {
		return fail(errors.New("socket is not listening (Accept=yes is not supported)"))
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return fail(os.NewSyscallError("getsockname", err))
	}
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		s.addr = netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
		return s, nil
	case *unix.SockaddrInet6:
		a := netip.AddrFrom16(sa.Addr)
		if sa.ZoneId != 0 {
			a = a.WithZone(strconv.Itoa(int(sa.ZoneId)))
		}
		s.addr, s.v6 = netip.AddrPortFrom(a, uint16(sa.Port)), true
		return s, nil
	default:
		return fail(fmt.Errorf("address family %T, want AF_INET or AF_INET6", sa))
	}
}

// matches reports whether passed socket s is the one spec describes.
func matches(s passed, spec Spec) (bool, error) {
	if s.addr.Port() != uint16(spec.Port) {
		return false, nil
	}
	addr, wildcard, err := resolveHost(spec.Host)
	if err != nil {
		return false, err
	}
	if wildcard {
		return s.addr.Addr().IsUnspecified(), nil
	}
	if addr.Is4() == s.v6 && !s.addr.Addr().Is4In6() {
		// Different address families: an IPv4 Listen never takes an AF_INET6
		// socket bound to an IPv6 address, and the reverse.
		return false, nil
	}
	return s.addr.Addr().Unmap().WithZone("") == addr.WithZone(""), nil
}
