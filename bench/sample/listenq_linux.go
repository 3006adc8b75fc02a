package sample

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// inet_diag layout (include/uapi/linux/inet_diag.h).
const (
	sizeofReqV2   = 56 // struct inet_diag_req_v2
	sizeofDiagMsg = 72 // struct inet_diag_msg
	offSport      = 4  // idiag_sport (network order), in inet_diag_msg
	offRqueue     = 56 // idiag_rqueue: a listener's accept-queue length
	offWqueue     = 60 // idiag_wqueue: a listener's backlog
	tcpListen     = 10
)

// ListenQueue returns the accept-queue length and the backlog of the TCP
// listener(s) on port, summed over IPv4 and IPv6 and over SO_REUSEPORT
// copies, as ss -lnt shows them in Recv-Q and Send-Q. It asks the kernel
// for listening sockets only, through NETLINK_SOCK_DIAG.
func ListenQueue(port int) (queue, backlog int, err error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return 0, 0, os.NewSyscallError("socket AF_NETLINK", err)
	}
	defer unix.Close(fd)
	tv := unix.NsecToTimeval((2 * time.Second).Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return 0, 0, os.NewSyscallError("setsockopt SO_RCVTIMEO", err)
	}
	found := false
	buf := make([]byte, 32<<10)
	for i, family := range []uint8{unix.AF_INET, unix.AF_INET6} {
		seq := uint32(i + 1)
		if err := unix.Sendto(fd, listenRequest(family, seq), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
			return 0, 0, os.NewSyscallError("sendto", err)
		}
		for done, rounds := false, 0; !done; rounds++ {
			if rounds > 10000 {
				return 0, 0, errors.New("sample: sock_diag dump does not end")
			}
			n, _, _, _, err := unix.Recvmsg(fd, buf, nil, 0)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return 0, 0, os.NewSyscallError("recvmsg", err)
			}
			done, err = parseListenReply(buf[:n], seq, func(sport uint16, rq, wq uint32) {
				if int(sport) == port {
					queue += int(rq)
					backlog += int(wq)
					found = true
				}
			})
			if err != nil {
				return 0, 0, err
			}
		}
	}
	if !found {
		return 0, 0, fmt.Errorf("sample: no listener on port %d", port)
	}
	return queue, backlog, nil
}

// listenRequest builds a SOCK_DIAG_BY_FAMILY dump request for TCP
// listeners of one family.
func listenRequest(family uint8, seq uint32) []byte {
	b := make([]byte, unix.NLMSG_HDRLEN+sizeofReqV2)
	ne := binary.NativeEndian
	ne.PutUint32(b[0:], uint32(len(b)))
	ne.PutUint16(b[4:], unix.SOCK_DIAG_BY_FAMILY)
	ne.PutUint16(b[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	ne.PutUint32(b[8:], seq)
	r := b[unix.NLMSG_HDRLEN:]
	r[0] = family
	r[1] = unix.IPPROTO_TCP
	ne.PutUint32(r[4:], 1<<tcpListen)
	return b
}

// parseListenReply parses one datagram of the dump, calling fn for each
// socket; done reports NLMSG_DONE.
func parseListenReply(b []byte, seq uint32, fn func(sport uint16, rq, wq uint32)) (done bool, err error) {
	ne := binary.NativeEndian
	for len(b) >= unix.NLMSG_HDRLEN {
		l := ne.Uint32(b[0:4])
		typ := ne.Uint16(b[4:6])
		s := ne.Uint32(b[8:12])
		if l < unix.NLMSG_HDRLEN || uint64(l) > uint64(len(b)) {
			return false, fmt.Errorf("sample: malformed netlink message: length %d of %d bytes", l, len(b))
		}
		p := b[unix.NLMSG_HDRLEN:l]
		if s == seq {
			switch typ {
			case unix.NLMSG_DONE:
				return true, nil
			case unix.NLMSG_ERROR:
				if len(p) < 4 {
					return true, errors.New("sample: malformed netlink error")
				}
				if e := int32(ne.Uint32(p)); e != 0 {
					return true, os.NewSyscallError("sock_diag", unix.Errno(-int64(e)))
				}
			case unix.SOCK_DIAG_BY_FAMILY:
				if len(p) < sizeofDiagMsg {
					return false, fmt.Errorf("sample: short inet_diag_msg: %d bytes", len(p))
				}
				fn(binary.BigEndian.Uint16(p[offSport:]), ne.Uint32(p[offRqueue:]), ne.Uint32(p[offWqueue:]))
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
