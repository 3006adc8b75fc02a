package mpm

import "io"

// ReadWriter is an engine's own reads and writes of a Conn's socket
// (Conn.IO).
type ReadWriter = io.ReadWriter

// sockWrite writes p to the socket: through IO when the engine set one.
func (c *Conn) sockWrite(p []byte) (int, error) {
	if c.IO != nil {
		return c.IO.Write(p)
	}
	return c.TCPConn.Write(p)
}
