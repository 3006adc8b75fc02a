//go:build !linux

package prefork

import (
	"net"

	"github.com/gohttpd/gohttpd/mpm"
)

// newAcceptor is mpm.NewAcceptor outside Linux.
func newAcceptor(lns []net.Listener) (acceptor, error) {
	return mpm.NewAcceptor(lns)
}
