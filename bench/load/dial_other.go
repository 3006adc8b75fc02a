//go:build !linux

package load

import "syscall"

// controlNoPort does nothing where IP_BIND_ADDRESS_NO_PORT does not exist.
func controlNoPort(network, address string, c syscall.RawConn) error { return nil }
