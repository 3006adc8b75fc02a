//go:build unix

package proxy

import (
	"net"
	"syscall"

	"github.com/gohttpd/gohttpd/internal/rawio"
)

// peeker checks a connection without blocking; made once per connection
// so that the check allocates nothing. It also reads and writes the
// connection (rawRead, rawWrite) with internal/rawio's raw system calls:
// on a non-blocking socket read(2) and write(2) do not block, and the
// runtime then does not treat them as calls that may (entersyscall),
// which on a child with one P had sysmon hand the P to another thread
// whenever one lasted a sysmon tick. Waits are the netpoller's, with the
// connection's deadlines.
type peeker struct {
	rc  syscall.RawConn
	ok  bool
	buf [1]byte
	fn  func(fd uintptr) bool
	io  *rawio.Conn
}

func newPeeker(c net.Conn) *peeker {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rio := rawio.New(sc)
	if rio == nil {
		return nil
	}
	p := &peeker{rc: rio.RawConn(), io: rio}
	p.fn = func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), p.buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		p.ok = err == syscall.EAGAIN || err == syscall.EWOULDBLOCK
		return true // never wait
	}
	return p
}

// rawRead is Read on the connection with a raw read(2).
func (p *peeker) rawRead(b []byte) (int, error) { return p.io.Read(b) }

// rawWrite is Write as rawRead is Read: all of b, or an error.
func (p *peeker) rawWrite(b []byte) (int, error) { return p.io.Write(b) }

// alive reports whether a pooled connection may still be used: nothing to
// read (MSG_PEEK|MSG_DONTWAIT would block). EOF, an error or unexpected
// bytes mean the backend closed it or broke the protocol.
func (p *peeker) alive() bool {
	if p == nil {
		return true
	}
	p.ok = true
	_ = p.rc.Read(p.fn)
	return p.ok
}
