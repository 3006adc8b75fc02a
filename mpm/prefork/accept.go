package prefork

import (
	"net"

	"github.com/gohttpd/gohttpd/mpm"
)

// acceptor is what a child accepts from: mpm.Acceptor, or on Linux an
// epoll instance with EPOLLEXCLUSIVE (accept_linux.go).
type acceptor interface {
	Accept() (*net.TCPConn, error)
	Close() error
}

var errAcceptorClosed = mpm.ErrAcceptorClosed
