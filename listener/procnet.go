package listener

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Counters holds the kernel's listen-queue and SYN-cookie counters from the
// TcpExt section of /proc/net/netstat (per network namespace, since boot).
type Counters struct {
	// ListenOverflows counts SYNs and handshake-completing ACKs dropped
	// because an accept queue was full.
	ListenOverflows uint64
	// ListenDrops counts every drop on a listening socket (it includes
	// ListenOverflows).
	ListenDrops uint64
	// SyncookiesSent, SyncookiesRecv and SyncookiesFailed count SYN
	// cookies sent because a SYN queue was full, valid cookies received
	// back, and invalid ones.
	SyncookiesSent, SyncookiesRecv, SyncookiesFailed uint64
}

// maxProcLine bounds one line of a /proc/net file (TcpExt has about 130
// counters of up to 20 digits).
const maxProcLine = 1 << 20

// parseNetstat parses the contents of /proc/net/netstat: pairs of lines with
// the same "Section:" prefix, names then values. It reads the TcpExt section
// and returns an error if it is missing or malformed; counters missing from
// an older kernel stay zero.
func parseNetstat(r io.Reader) (Counters, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxProcLine)
	var (
		c         Counters
		found     bool
		names     []string
		namesFrom string
	)
	for sc.Scan() {
		line := sc.Text()
		prefix, rest, ok := strings.Cut(line, ":")
		if !ok {
			if strings.TrimSpace(line) == "" {
				continue
			}
			return c, fmt.Errorf("listener: netstat: line without section: %q", truncate(line))
		}
		if names == nil {
			names = strings.Fields(rest)
			if names == nil {
				names = []string{}
			}
			namesFrom = prefix
			continue
		}
		values := strings.Fields(rest)
		header := names
		names = nil
		if prefix != namesFrom {
			return c, fmt.Errorf("listener: netstat: %s names followed by %s values", truncate(namesFrom), truncate(prefix))
		}
		if prefix != "TcpExt" {
			continue
		}
		if found {
			return c, errors.New("listener: netstat: two TcpExt sections")
		}
		found = true
		if len(values) != len(header) {
			return c, fmt.Errorf("listener: netstat: TcpExt has %d names and %d values", len(header), len(values))
		}
		for i, name := range header {
			var dst *uint64
			switch name {
			case "ListenOverflows":
				dst = &c.ListenOverflows
			case "ListenDrops":
				dst = &c.ListenDrops
			case "SyncookiesSent":
				dst = &c.SyncookiesSent
			case "SyncookiesRecv":
				dst = &c.SyncookiesRecv
			case "SyncookiesFailed":
				dst = &c.SyncookiesFailed
			default:
				continue
			}
			v, err := strconv.ParseUint(values[i], 10, 64)
			if err != nil {
				return c, fmt.Errorf("listener: netstat: TcpExt %s: %w", name, err)
			}
			*dst = v
		}
	}
	if err := sc.Err(); err != nil {
		return c, fmt.Errorf("listener: netstat: %w", err)
	}
	if names != nil {
		return c, errors.New("listener: netstat: names line without values")
	}
	if !found {
		return c, errors.New("listener: netstat: no TcpExt section")
	}
	return c, nil
}

// parseProcNetTCP parses the contents of /proc/net/tcp or /proc/net/tcp6 and
// calls fn with each socket's state and its local and remote ports.
func parseProcNetTCP(r io.Reader, fn func(state uint8, lport, rport uint16)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4<<10), maxProcLine)
	first := true
	for sc.Scan() {
		line := sc.Bytes()
		if first {
			first = false
			if f := bytes.Fields(line); len(f) > 0 && string(f[0]) == "sl" {
				continue
			}
		}
		f := bytes.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 4 {
			return fmt.Errorf("listener: proc net tcp: short line %q", truncate(string(line)))
		}
		lport, err := hexPort(f[1])
		if err != nil {
			return err
		}
		rport, err := hexPort(f[2])
		if err != nil {
			return err
		}
		st, err := strconv.ParseUint(string(f[3]), 16, 8)
		if err != nil {
			return fmt.Errorf("listener: proc net tcp: state %q: %w", truncate(string(f[3])), err)
		}
		fn(uint8(st), lport, rport)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("listener: proc net tcp: %w", err)
	}
	return nil
}

// hexPort parses the port of an "ADDRESS:PORT" field of /proc/net/tcp.
func hexPort(field []byte) (uint16, error) {
	i := bytes.LastIndexByte(field, ':')
	if i < 0 {
		return 0, fmt.Errorf("listener: proc net tcp: address %q without port", truncate(string(field)))
	}
	p, err := strconv.ParseUint(string(field[i+1:]), 16, 16)
	if err != nil {
		return 0, fmt.Errorf("listener: proc net tcp: port in %q: %w", truncate(string(field)), err)
	}
	return uint16(p), nil
}

// truncate shortens s for an error message.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
