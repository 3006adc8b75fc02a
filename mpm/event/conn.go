package event

import (
	"net"
	"net/netip"
)

// Connection flags.
const (
	flagRegistered uint8 = 1 << iota // the fd is in the epoll set (MOD, not ADD)
	flagV6                           // ip holds an IPv6 address, else IPv4 in ip[:4]
	flagCounted                      // counted in the scoreboard's lingering figure
	flagExpired                      // a new connection sent nothing in time: answer 408
	flagEncrypt                      // TLS write completion: a worker encrypts the job's next plaintext
	flagLocal4                       // lip and lport hold the socket's IPv4 local address
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
// keep-alive connection costs in Go memory (96 bytes, a 96-byte size
// class), with no goroutine and no buffer (a TLS connection adds its
// tlsConn). Records are indexed by fd in
// the loop's table and reused; gen tells one use from the next (it is the
// upper half of the epoll event data), so a stale event or a late action
// never reaches the wrong connection.
type conn struct {
	// prev and next link the connection into the list its state names:
	// newq, kaq, readyq, wcq or lingerq. Guarded by engine.mu.
	prev, next *conn
	// deadline is when the connection expires from its list, in
	// monotonic nanoseconds (mono). Guarded by engine.mu.
	deadline int64
	// lingerEnd caps a lingering close (lingerMax after it started).
	lingerEnd int64
	// job is the rest of a response the loop finishes (write completion);
	// nil otherwise. Owned by whoever owns the connection.
	job *writeJob
	// tls is the TLS state of a connection accepted on a TLS listener,
	// nil for a plain one (tls_linux.go). Owned by whoever owns the
	// connection.
	tls *tlsConn
	// pp is the PROXY protocol state of a connection that must start
	// with a PROXY header (proxyproto_linux.go), nil otherwise.
	pp *ppState

	fd    int32
	gen   uint32
	reqs  uint32 // requests answered on this connection so far
	port  uint16 // client port
	lport uint16 // local port, with lip once flagLocal4 is set
	state uint8
	flags uint8
	// pend holds pendIn and pendOut. Guarded by engine.mu: the loop sets
	// it while a worker owns the connection.
	pend uint8
	ip   [16]byte // client address
	// lip is the local IPv4 address (flagLocal4), learned by the first
	// LocalAddr on the connection: getsockname once per connection rather
	// than once per request (name-based virtual hosts ask for it on every
	// request). It fits in the record's padding; an IPv6 local address
	// is not kept.
	lip [4]byte
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
