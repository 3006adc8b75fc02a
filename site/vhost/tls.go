package vhost

import "net/netip"

// NameBased reports whether connections to local meet a name-based set
// of vhosts (mod_ssl's r->connection->vhost_lookup_data, for
// SSLStrictSNIVHostCheck).
func (t *Table) NameBased(local netip.AddrPort) bool {
	c := t.chainFor(local)
	return c != nil && c.names != nil
}
