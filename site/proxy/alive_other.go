//go:build !unix

package proxy

import "net"

// peeker cannot peek here: pooled connections are assumed usable.
type peeker struct{}

func newPeeker(net.Conn) *peeker { return nil }

func (*peeker) alive() bool { return true }

func (*peeker) rawRead([]byte) (int, error)  { panic("unreachable") }
func (*peeker) rawWrite([]byte) (int, error) { panic("unreachable") }
