//go:build !linux

package sample

import (
	"errors"
	"net/netip"
)

// CountTimeWait needs Linux's /proc/net/tcp.
func CountTimeWait(serverPort int, clients []netip.AddrPort) (TimeWait, error) {
	return TimeWait{}, errors.ErrUnsupported
}
