package sample

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net/netip"
	"strconv"
)

// TimeWait counts one case's sockets in TIME_WAIT on each side of its
// connections.
type TimeWait struct {
	// Server counts the server's sockets (local port the server's, remote
	// address one of the case's clients); Client counts the clients'
	// (local address one of the case's clients, remote port the server's).
	Server, Client int
}

// tcpTimeWait is the TIME_WAIT state's number in /proc/net/tcp.
const tcpTimeWait = 6

// countTimeWait adds to tw the TIME_WAIT sockets of a /proc/net/tcp or
// /proc/net/tcp6 listing that belong to the connections between clients
// and serverPort: matched by their whole 4-tuple's client half, so that
// sockets left on the same port by earlier connections do not count.
func countTimeWait(r io.Reader, serverPort uint16, clients map[netip.AddrPort]bool, tw *TimeWait) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 512), 64<<10)
	first := true
	for sc.Scan() {
		if first { // the header line
			first = false
			continue
		}
		f := bytes.Fields(sc.Bytes())
		if len(f) < 4 {
			continue
		}
		st, err := strconv.ParseUint(string(f[3]), 16, 8)
		if err != nil {
			return fmt.Errorf("sample: /proc/net/tcp state %q: %w", f[3], err)
		}
		if st != tcpTimeWait {
			continue
		}
		local, err := parseProcAddr(f[1])
		if err != nil {
			return err
		}
		remote, err := parseProcAddr(f[2])
		if err != nil {
			return err
		}
		switch {
		case local.Port() == serverPort && clients[remote]:
			tw.Server++
		case remote.Port() == serverPort && clients[local]:
			tw.Client++
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("sample: /proc/net/tcp: %w", err)
	}
	return nil
}

// parseProcAddr parses /proc/net/tcp's "0100007F:1F90" (an IPv4 address
// as a little-endian word) or tcp6's 32 hex digits (four such words), and
// unmaps IPv4-mapped IPv6 addresses.
func parseProcAddr(b []byte) (netip.AddrPort, error) {
	host, port, ok := bytes.Cut(b, []byte(":"))
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("sample: /proc/net/tcp address %q has no port", b)
	}
	p, err := strconv.ParseUint(string(port), 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("sample: /proc/net/tcp port %q: %w", port, err)
	}
	raw := make([]byte, hex.DecodedLen(len(host)))
	if _, err := hex.Decode(raw, host); err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, fmt.Errorf("sample: /proc/net/tcp address %q: not 4 or 16 hex bytes", host)
	}
	for i := 0; i < len(raw); i += 4 { // each 32-bit word is in host (little-endian) order
		binary.BigEndian.PutUint32(raw[i:], binary.LittleEndian.Uint32(raw[i:]))
	}
	a, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(a.Unmap(), uint16(p)), nil
}

// clientSet is the set of client addresses, unmapped.
func clientSet(clients []netip.AddrPort) map[netip.AddrPort]bool {
	set := make(map[netip.AddrPort]bool, len(clients))
	for _, c := range clients {
		set[netip.AddrPortFrom(c.Addr().Unmap(), c.Port())] = true
	}
	return set
}
