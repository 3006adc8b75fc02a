package listener

import "strconv"

// TCPState is a TCP socket state in the kernel's numbering (include/net/tcp_states.h).
type TCPState uint8

// The eleven TCP states, numbered as the kernel numbers them.
const (
	StateEstablished TCPState = iota + 1
	StateSynSent
	StateSynRecv
	StateFinWait1
	StateFinWait2
	StateTimeWait
	StateClose
	StateCloseWait
	StateLastAck
	StateListen
	StateClosing
)

var stateNames = [...]string{
	StateEstablished: "ESTABLISHED",
	StateSynSent:     "SYN_SENT",
	StateSynRecv:     "SYN_RECV",
	StateFinWait1:    "FIN_WAIT1",
	StateFinWait2:    "FIN_WAIT2",
	StateTimeWait:    "TIME_WAIT",
	StateClose:       "CLOSE",
	StateCloseWait:   "CLOSE_WAIT",
	StateLastAck:     "LAST_ACK",
	StateListen:      "LISTEN",
	StateClosing:     "CLOSING",
}

// String returns the state's name as /proc/net/tcp documentation and
// netstat spell it ("ESTABLISHED", "TIME_WAIT", ...), or "TCPState(n)".
func (s TCPState) String() string {
	if s >= StateEstablished && s <= StateClosing {
		return stateNames[s]
	}
	return "TCPState(" + strconv.Itoa(int(s)) + ")"
}

// StateCounts counts sockets by TCPState: StateCounts[StateTimeWait] is the
// number of sockets in TIME_WAIT. Index 0 counts sockets in a state the
// kernel added after these eleven.
type StateCounts [12]int

// tcpNewSynRecv is the kernel's internal state of a request socket
// (a connection in the SYN queue, or deferred by TCP_DEFER_ACCEPT); it is
// reported as SYN_RECV.
const tcpNewSynRecv = 12

// add counts one socket in kernel state st.
func (c *StateCounts) add(st uint8) {
	switch {
	case st >= uint8(StateEstablished) && st <= uint8(StateClosing):
		c[st]++
	case st == tcpNewSynRecv:
		c[StateSynRecv]++
	default:
		c[0]++
	}
}
