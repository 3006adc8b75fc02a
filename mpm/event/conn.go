package event

import (
	"net"
	"net/netip"
	"time"
)

// Connection states. Who owns a connection follows from its state, and a
// state changes only under Child.mu (see loop_linux.go for the rules).
const (
	stFree   uint8 = iota // not in use (closed, in the loop's free list)
	stNew                 // parked in epoll for its first byte (newq, the read timeout)
	stIdle                // parked keep-alive connection (kaq, KeepAliveTimeout)
	stReady               // readable, waiting in the ready list for a worker
	stBusy                // owned by a worker
	stWrite               // write completion: parked for EPOLLOUT (wcq, Timeout)
	stLinger              // lingering close: parked for EPOLLIN (lingerq)
	stLoop                // claimed by the loop for an action (write, drain, close)
)

// Connection flags.
const (
	flagRegistered uint8 = 1 << iota // the fd is in the epoll set (MOD, not ADD)
	flagV6                           // ip holds an IPv6 address, else IPv4 in ip[:4]
	flagCounted                      // counted in the scoreboard's lingering figure
	flagExpired                      // a new connection sent nothing in time: answer 408
)

// Pending edges (conn.pend): an edge (readable, writable) that fired while
// the connection had an owner, or readiness its owner did not use up.
// Parking the connection then re-arms it, so the edge is not lost.
// pendHup stays once the peer closed its side or the socket failed: a
// short read no longer proves the socket drained (the end of the stream
// is still queued behind the bytes and raises no new edge), so every park
// re-arms.
const (
	pendIn uint8 = 1 << iota
	pendOut
	pendHup
)

// conn is the record of one client connection: everything an idle
// keep-alive connection costs in Go memory (73 bytes, an 80-byte size
// class), with no goroutine and no buffer. Records are indexed by fd in
// the loop's table and reused; gen tells one use from the next (it is the
// upper half of the epoll event data), so a stale event or a late action
// never reaches the wrong connection.
type conn struct {
	// prev and next link the connection into the list its state names:
	// newq, kaq, readyq, wcq or lingerq. Guarded by Child.mu.
	prev, next *conn
	// deadline is when the connection expires from its list, in
	// monotonic nanoseconds (mono). Guarded by Child.mu.
	deadline int64
	// lingerEnd caps a lingering close (lingerMax after it started).
	lingerEnd int64
	// job is the rest of a response the loop finishes (write completion);
	// nil otherwise. Owned by whoever owns the connection.
	job *writeJob

	fd    int32
	gen   uint32
	reqs  uint32 // requests answered on this connection so far
	port  uint16 // client port
	state uint8
	flags uint8
	// pend holds pendIn and pendOut. Guarded by Child.mu: the loop sets
	// it while a worker owns the connection.
	pend uint8
	ip   [16]byte // client address
}

// remoteAddrPort returns the client's address.
func (c *conn) remoteAddrPort() netip.AddrPort {
	var a netip.Addr
	if c.flags&flagV6 != 0 {
		a = netip.AddrFrom16(c.ip).Unmap()
	} else {
		a = netip.AddrFrom4([4]byte(c.ip[:4]))
	}
	return netip.AddrPortFrom(a, c.port)
}

// remoteAddr returns the client's address as a *net.TCPAddr.
func (c *conn) remoteAddr() net.Addr {
	return net.TCPAddrFromAddrPort(c.remoteAddrPort())
}

// connList is an intrusive FIFO of connections. Every connection in one
// list waits with the same timeout and is appended when it starts waiting,
// so the list is sorted by deadline and expiry only looks at its head
// (Apache's timeout queues). The zero value is an empty list.
type connList struct {
	head, tail *conn
	n          int
}

// pushBack appends c, which must not be in any list.
func (l *connList) pushBack(c *conn) {
	c.next = nil
	c.prev = l.tail
	if l.tail != nil {
		l.tail.next = c
	} else {
		l.head = c
	}
	l.tail = c
	l.n++
}

// remove unlinks c, which must be in l.
func (l *connList) remove(c *conn) {
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		l.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		l.tail = c.prev
	}
	c.prev, c.next = nil, nil
	l.n--
}

// popFront removes and returns the first connection, or nil.
func (l *connList) popFront() *conn {
	c := l.head
	if c != nil {
		l.remove(c)
	}
	return c
}

// popExpired removes and returns the head if its deadline is at or before
// now, else nil.
func (l *connList) popExpired(now int64) *conn {
	if c := l.head; c != nil && c.deadline <= now {
		l.remove(c)
		return c
	}
	return nil
}

// epoch anchors mono; time.Since reads the monotonic clock.
var epoch = time.Now()

// mono returns monotonic nanoseconds since the package started.
func mono() int64 { return int64(time.Since(epoch)) }
