//go:build !linux

package mpm

import "net"

// sendMore is a plain write where MSG_MORE is not available.
func sendMore(tc *net.TCPConn, p []byte) (int, error) { return tc.Write(p) }
