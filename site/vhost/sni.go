package vhost

import "net/netip"

// SelectSNI is mod_ssl's choice of a server for a TLS handshake
// (ssl_find_vhost over ap_vhost_iterate_given_conn): the first server of
// the local address's set, in configuration order, whose ServerName or a
// ServerAlias matches the SNI name (case ignored; <VirtualHost>
// addresses do not count here, unlike in Select). found is false when
// none does; id is then the set's default (the main server when no set
// takes the address). Pick the certificate of id; Select still chooses
// the vhost of each request from its Host header. It does not allocate
// for names up to 255 bytes. Written from mod_ssl's source; not compared
// with a running Apache (no TLS here).
func (t *Table) SelectSNI(local netip.AddrPort, name []byte) (id ID, found bool) {
	var buf [255]byte
	lower := buf[:0]
	if len(name) > len(buf) {
		lower = make([]byte, 0, len(name))
	}
	for _, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower = append(lower, c)
	}
	c := t.chainFor(local)
	if c == nil {
		return Main, t.matchesAliases(Main, lower)
	}
	if c.names == nil {
		return c.server, t.matchesAliases(c.server, lower)
	}
	pos, ok := c.exact[string(lower)]
	if !ok {
		pos = int32(len(c.names))
	}
	for _, w := range c.wild {
		if w.pos >= pos {
			break
		}
		if w.mayMatch(lower) && wildMatch(lower, w.pattern) {
			pos = w.pos
			break
		}
	}
	if int(pos) < len(c.names) {
		return c.names[pos].server, true
	}
	return c.server, false
}
