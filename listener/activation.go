package listener

import (
	"fmt"
	"net/netip"
	"os"
)

// Activation holds the listening sockets systemd passed to the master by
// socket activation (sd_listen_fds(3): LISTEN_PID, LISTEN_FDS,
// LISTEN_FDNAMES, descriptors 3 to 3+LISTEN_FDS-1), until Listen lines
// claim them with Take.
//
// Matching: a passed socket is used for the Listen whose address family,
// address and port equal the socket's own (getsockname); the wildcard
// Listen ("Listen 80") matches a socket bound to [::] or 0.0.0.0 on that
// port. A Listen without a passed socket is opened as usual (Open), and a
// passed socket that no Listen claims is an error (Unclaimed): systemd
// would otherwise hold a port on which nobody answers.
//
// Apache differs: its mod_systemd (httpd trunk's ap_find_systemd_socket,
// Fedora's socket-activation patch) matches by port only
// (sd_is_socket_inet(fd, 0, 0, -1, port)), makes every Listen come from
// systemd ("Systemd socket activation is used, but this port is not
// configured in systemd") and ignores passed sockets no Listen names.
// gohttpd matches the address too, so "Listen 127.0.0.1:80" never serves a
// socket systemd bound to a public address, and lets a configuration mix
// passed and own sockets (for example an admin port systemd does not know).
//
// Options of a passed socket (backlog, TCP_DEFER_ACCEPT, SO_REUSEPORT,
// buffers) are systemd's: set Backlog=, DeferAcceptSec=, ReusePort= in the
// .socket unit. ListenBacklog and AcceptFilter do not change them.
type Activation struct {
	socks []passed
}

// passed is one socket systemd passed.
type passed struct {
	file *os.File
	fd   int
	name string         // its LISTEN_FDNAMES entry ("" if none)
	addr netip.AddrPort // bound address, unmapped
	v6   bool           // an AF_INET6 socket
}

// Len returns how many passed sockets are still unclaimed.
func (a *Activation) Len() int {
	if a == nil {
		return 0
	}
	return len(a.socks)
}

// Take returns a Listener on the passed socket matching spec and removes it
// from a; ok is false (and err nil) when no passed socket matches, and the
// caller then opens spec itself. A nil *Activation matches nothing. spec
// with Port 0 matches nothing (the kernel picks that port).
func (a *Activation) Take(spec Spec) (ln *Listener, ok bool, err error) {
	if a == nil || spec.Port == 0 {
		return nil, false, nil
	}
	for i, s := range a.socks {
		match, err := matches(s, spec)
		if err != nil {
			return nil, false, err
		}
		if !match {
			continue
		}
		ln, err := FromFile(s.file, spec)
		if err != nil {
			return nil, false, fmt.Errorf("listener: socket passed by systemd for %s: %w", s.addr, err)
		}
		ln.warnings = append(ln.warnings, fmt.Sprintf("using the socket passed by systemd for %s (fd %d%s); its backlog and options are those of the .socket unit",
			s.addr, s.fd, nameSuffix(s.name)))
		s.file.Close()
		a.socks = append(a.socks[:i:i], a.socks[i+1:]...)
		return ln, true, nil
	}
	return nil, false, nil
}

// Unclaimed closes the passed sockets no Take claimed and returns an error
// naming them, or nil if every passed socket was claimed. Call it once
// after the first generation's listeners are open.
func (a *Activation) Unclaimed() error {
	if a == nil || len(a.socks) == 0 {
		return nil
	}
	var addrs []string
	for _, s := range a.socks {
		addrs = append(addrs, s.addr.String()+nameSuffix(s.name))
		s.file.Close()
	}
	a.socks = nil
	return fmt.Errorf("listener: systemd passed sockets that no Listen directive names: %v (add a matching Listen or remove the ListenStream= line)", addrs)
}

func nameSuffix(name string) string {
	if name == "" || name == "unknown" {
		return ""
	}
	return ", name " + name
}
