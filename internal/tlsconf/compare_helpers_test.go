package tlsconf

import (
	"crypto/tls"
	"net"
)

func serverConn(c net.Conn, set *Set) *tls.Conn { return tls.Server(c, set.Config()) }
