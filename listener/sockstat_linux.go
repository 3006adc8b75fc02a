package listener

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// CountLocal counts the TCP sockets, IPv4 and IPv6, whose local port is one
// of ports, by state: a server's listening socket, its accepted connections,
// the request sockets of its SYN queue (SYN_RECV, which includes
// connections held back by TCP_DEFER_ACCEPT) and its TIME_WAIT sockets.
// With no ports it counts every TCP socket of the network namespace.
//
// It asks the kernel through NETLINK_SOCK_DIAG (inet_diag, what ss(8)
// uses), with the port filter compiled into inet_diag bytecode so the kernel
// sends only matching sockets. If netlink fails it falls back to reading
// /proc/net/tcp and /proc/net/tcp6, which lists every socket and is much
// slower when there are many.
func CountLocal(ports ...int) (StateCounts, error) { return countSockets(ports, false) }

// CountRemote is CountLocal for the client side: it counts the TCP sockets
// whose remote port is one of ports (a load generator's connections to a
// server, including SYN_SENT while a connect is in progress).
func CountRemote(ports ...int) (StateCounts, error) { return countSockets(ports, true) }

func countSockets(ports []int, remote bool) (StateCounts, error) {
	ps := make([]uint16, 0, len(ports))
	for _, p := range ports {
		if p < 0 || p > 0xffff {
			return StateCounts{}, fmt.Errorf("listener: count sockets: port %d out of range 0-65535", p)
		}
		ps = append(ps, uint16(p))
	}
	c, nerr := countNetlink(ps, remote)
	if nerr == nil {
		return c, nil
	}
	c, perr := countProc(ps, remote)
	if perr != nil {
		return StateCounts{}, fmt.Errorf("listener: count sockets: %w (after netlink failed: %w)", perr, nerr)
	}
	return c, nil
}

// portMatcher returns a predicate for "port is one of ports" (any port when
// ports is empty).
func portMatcher(ports []uint16) func(uint16) bool {
	if len(ports) == 0 {
		return func(uint16) bool { return true }
	}
	set := make(map[uint16]struct{}, len(ports))
	for _, p := range ports {
		set[p] = struct{}{}
	}
	return func(p uint16) bool {
		_, ok := set[p]
		return ok
	}
}

func countNetlink(ports []uint16, remote bool) (StateCounts, error) {
	var c StateCounts
	match := portMatcher(ports)
	err := diagDump(portBytecode(ports, remote), func(m diagMsg) {
		p := m.sport
		if remote {
			p = m.dport
		}
		if match(p) {
			c.add(m.state)
		}
	})
	if err != nil {
		return StateCounts{}, fmt.Errorf("listener: sock_diag: %w", err)
	}
	return c, nil
}

func countProc(ports []uint16, remote bool) (StateCounts, error) {
	var c StateCounts
	match := portMatcher(ports)
	for _, name := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(name)
		if err != nil {
			if name == "/proc/net/tcp6" && errors.Is(err, fs.ErrNotExist) {
				continue // no IPv6 in this kernel
			}
			return StateCounts{}, fmt.Errorf("listener: %w", err)
		}
		err = parseProcNetTCP(f, func(st uint8, lport, rport uint16) {
			p := lport
			if remote {
				p = rport
			}
			if match(p) {
				c.add(st)
			}
		})
		f.Close()
		if err != nil {
			return StateCounts{}, fmt.Errorf("%w (in %s)", err, name)
		}
	}
	return c, nil
}

// inet_diag constants (include/uapi/linux/inet_diag.h) that x/sys/unix lacks.
const (
	inetDiagReqBytecode = 1 // INET_DIAG_REQ_BYTECODE request attribute

	bcJmp = 1 // INET_DIAG_BC_JMP
	bcSGE = 2 // INET_DIAG_BC_S_GE
	bcSLE = 3 // INET_DIAG_BC_S_LE
	bcDGE = 4 // INET_DIAG_BC_D_GE
	bcDLE = 5 // INET_DIAG_BC_D_LE

	sizeofInetDiagReqV2 = 56 // struct inet_diag_req_v2
	sizeofInetDiagMsg   = 72 // struct inet_diag_msg

	// diagAllStates asks for TCPF_ESTABLISHED..TCPF_CLOSING and
	// TCPF_NEW_SYN_RECV, so request sockets (SYN_RECV) are dumped too.
	diagAllStates = 1<<(tcpNewSynRecv+1) - 2

	// maxFilterPorts bounds the bytecode (its jumps are 16-bit); with more
	// ports the kernel sends everything and the ports are matched here.
	maxFilterPorts = 1000

	diagRecvBuf = 64 << 10        // > the 32 KiB the kernel fills per dump message
	diagTimeout = 5 * time.Second // per recvmsg
)

// diagMsg is the part of struct inet_diag_msg that the counters use.
type diagMsg struct {
	family, state  uint8
	sport, dport   uint16
	rqueue, wqueue uint32 // for a LISTEN socket: accept queue and backlog
}

// diagDump dumps the TCP sockets of both families through NETLINK_SOCK_DIAG,
// filtered by the inet_diag bytecode bc (nil: all), and calls fn for each.
func diagDump(bc []byte, fn func(diagMsg)) error { return diagDumpStates(diagAllStates, bc, fn) }

// diagDumpStates is diagDump for the TCP states in the mask states (bit n
// for state n). Asking only for LISTEN makes the kernel walk only its
// listening hash, not every established socket: with 10,000 connections a
// dump of all states costs about 18 ms.
func diagDumpStates(states uint32, bc []byte, fn func(diagMsg)) error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return os.NewSyscallError("socket AF_NETLINK", err)
	}
	defer unix.Close(fd)
	tv := unix.NsecToTimeval(diagTimeout.Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return os.NewSyscallError("setsockopt SO_RCVTIMEO", err)
	}
	buf := make([]byte, diagRecvBuf)
	for i, family := range []uint8{unix.AF_INET, unix.AF_INET6} {
		seq := uint32(i + 1)
		if err := unix.Sendto(fd, diagRequest(family, seq, states, bc), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
			return os.NewSyscallError("sendto", err)
		}
		for done := false; !done; {
			n, _, flags, _, err := unix.Recvmsg(fd, buf, nil, 0)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return os.NewSyscallError("recvmsg", err)
			}
			if flags&unix.MSG_TRUNC != 0 {
				return errors.New("netlink reply truncated")
			}
			if done, err = parseDiagReply(buf[:n], seq, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// diagRequest builds a SOCK_DIAG_BY_FAMILY dump request (nlmsghdr,
// inet_diag_req_v2 and an optional INET_DIAG_REQ_BYTECODE attribute).
func diagRequest(family uint8, seq uint32, states uint32, bc []byte) []byte {
	n := unix.NLMSG_HDRLEN + sizeofInetDiagReqV2
	if bc != nil {
		n += unix.SizeofNlAttr + len(bc)
	}
	b := make([]byte, n)
	ne := binary.NativeEndian
	ne.PutUint32(b[0:], uint32(n))
	ne.PutUint16(b[4:], unix.SOCK_DIAG_BY_FAMILY)
	ne.PutUint16(b[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	ne.PutUint32(b[8:], seq)
	r := b[unix.NLMSG_HDRLEN:]
	r[0] = family
	r[1] = unix.IPPROTO_TCP
	ne.PutUint32(r[4:], states)
	// r[8:56] is struct inet_diag_sockid, all zero: any socket.
	if bc != nil {
		a := r[sizeofInetDiagReqV2:]
		ne.PutUint16(a[0:], uint16(unix.SizeofNlAttr+len(bc)))
		ne.PutUint16(a[2:], inetDiagReqBytecode)
		copy(a[unix.SizeofNlAttr:], bc)
	}
	return b
}

// portBytecode compiles "source (or destination) port is one of ports" into
// inet_diag bytecode, the way ss(8) compiles "sport = :p or sport = :q": per
// port an S_GE/S_LE pair whose failure jumps to the next port's pair, and
// between pairs a JMP to the end (accept). Falling off the end by 4 bytes
// rejects. It returns nil (no filter) for no ports or too many.
func portBytecode(ports []uint16, remote bool) []byte {
	if len(ports) == 0 || len(ports) > maxFilterPorts {
		return nil
	}
	ge, le := uint8(bcSGE), uint8(bcSLE)
	if remote {
		ge, le = bcDGE, bcDLE
	}
	size := len(ports)*16 + (len(ports)-1)*4
	b := make([]byte, 0, size)
	op := func(code, yes uint8, no uint16) {
		b = append(b, code, yes)
		b = binary.NativeEndian.AppendUint16(b, no)
	}
	for i, p := range ports {
		op(ge, 8, 16+4) // port >= p, else reject this pair
		op(0, 0, p)     // operand: the port, in host order
		op(le, 8, 8+4)  // port <= p, else reject this pair
		op(0, 0, p)
		if i < len(ports)-1 {
			op(bcJmp, 4, uint16(size-len(b))) // matched: jump exactly to the end
		}
	}
	return b
}

// parseDiagReply parses one datagram of a sock_diag dump and calls fn for
// each socket of the dump with sequence number seq. It reports done at
// NLMSG_DONE, and the kernel's error at NLMSG_ERROR.
func parseDiagReply(b []byte, seq uint32, fn func(diagMsg)) (done bool, err error) {
	ne := binary.NativeEndian
	for len(b) >= unix.NLMSG_HDRLEN {
		l := ne.Uint32(b[0:4])
		typ := ne.Uint16(b[4:6])
		s := ne.Uint32(b[8:12])
		if l < unix.NLMSG_HDRLEN || uint64(l) > uint64(len(b)) {
			return false, fmt.Errorf("malformed netlink message: length %d of %d bytes", l, len(b))
		}
		payload := b[unix.NLMSG_HDRLEN:l]
		if s == seq {
			switch typ {
			case unix.NLMSG_DONE:
				if len(payload) >= 4 {
					if e := int32(ne.Uint32(payload)); e < 0 {
						return true, os.NewSyscallError("sock_diag dump", unix.Errno(-int64(e)))
					}
				}
				return true, nil
			case unix.NLMSG_ERROR:
				if len(payload) < 4 {
					return true, errors.New("malformed netlink error message")
				}
				e := int32(ne.Uint32(payload))
				if e == 0 {
					break // an acknowledgement
				}
				return true, os.NewSyscallError("sock_diag", unix.Errno(-int64(e)))
			case unix.SOCK_DIAG_BY_FAMILY:
				if len(payload) < sizeofInetDiagMsg {
					return false, fmt.Errorf("malformed inet_diag_msg: %d bytes", len(payload))
				}
				fn(diagMsg{
					family: payload[0],
					state:  payload[1],
					sport:  binary.BigEndian.Uint16(payload[4:6]),
					dport:  binary.BigEndian.Uint16(payload[6:8]),
					rqueue: ne.Uint32(payload[56:60]),
					wqueue: ne.Uint32(payload[60:64]),
				})
			}
		}
		next := (uint64(l) + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1)
		if next >= uint64(len(b)) {
			break
		}
		b = b[next:]
	}
	return false, nil
}

// ListenQueue returns the accept-queue length and the backlog of the TCP
// listening sockets on port, whoever owns them, summed over IPv4 and IPv6
// and over SO_REUSEPORT copies: what ss -lnt shows as Recv-Q and Send-Q.
// It reads them through NETLINK_SOCK_DIAG (the bench watches other
// processes' listeners this way; a process's own use Stats).
func ListenQueue(port int) (queue, backlog int, err error) {
	found := false
	err = diagDumpStates(1<<StateListen, portBytecode([]uint16{uint16(port)}, false), func(m diagMsg) {
		if m.state == uint8(StateListen) && int(m.sport) == port {
			queue += int(m.rqueue)
			backlog += int(m.wqueue)
			found = true
		}
	})
	if err != nil {
		return 0, 0, err
	}
	if !found {
		return 0, 0, fmt.Errorf("listener: no listening socket on port %d", port)
	}
	return queue, backlog, nil
}

// KernelCounters reads the listen-queue and SYN-cookie counters of the
// TcpExt section of /proc/net/netstat.
func KernelCounters() (Counters, error) {
	f, err := os.Open("/proc/net/netstat")
	if err != nil {
		return Counters{}, fmt.Errorf("listener: %w", err)
	}
	defer f.Close()
	return parseNetstat(f)
}
