//go:build !linux

package mpm

import (
	"errors"
	"net"
)

// pollAccept is Linux-only; elsewhere one listener per child is supported.
func (a *Acceptor) pollAccept() (*net.TCPConn, error) {
	return nil, errors.ErrUnsupported
}
