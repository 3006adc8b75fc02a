//go:build !linux

package prefork

import (
	"net"

	"github.com/gohttpd/gohttpd/mpm"
)

// rawIO is Linux only (rawio_linux.go); elsewhere the connection is read
// and written through the net package.
type rawIO = mpm.ReadWriter

func newRawIO(*net.TCPConn) rawIO { return nil }
