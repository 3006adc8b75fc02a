// Package prefork is the prefork engine: a master and single-connection child
// processes, kept between MinSpareServers and MaxSpareServers idle children
// with Apache's spawn-rate algorithm. A connection accepted on a TLS
// listener is handshaken and served by the child (mpm.ServeTLS).
package prefork
