package vhost

import (
	"net/netip"
	"strings"

	"github.com/gohttpd/gohttpd/conf"
)

// ID names a server of a Table: 0 is the main server, i (1..N) is the
// vhost the Table was built with at index i-1 (configuration order).
type ID int

// Main is the main server's ID.
const Main ID = 0

// server is one server's identity, as the run-time functions need it.
type server struct {
	name   string // server_hostname, as written (%v)
	lower  string // name lower-cased (ASCII), for matching
	scheme string // ServerName scheme, lower-cased ("" = none)
	port   int    // server_rec->port; 0 = the scheme's default
	file   string
	line   int
	// aliases and wild are the ServerAlias names, lower-cased for
	// matching; aliasesRaw and wildRaw as written, for -S.
	aliases, wild       []string
	aliasesRaw, wildRaw []string
	addrs               []conf.VHostAddr // the <VirtualHost> addresses
	path                string           // ServerPath
}

// entry is one name_chain element: a server and the address that put it
// in the chain.
type entry struct {
	server ID
	addr   conf.VHostAddr
}

// chain is one ipaddr_chain: an address:port (or a wildcard address with
// a port) and the servers reached through it. names is nil for an
// IP-based vhost (one server); otherwise the chain is a name-based set
// whose default is server (its first vhost in configuration order).
type chain struct {
	addr   conf.VHostAddr
	server ID
	names  []entry

	// Run-time indexes of names: exact maps a lower-cased ServerName or
	// ServerAlias to the first position in names that has it; wild lists
	// the wildcard aliases in position order; virt maps a lower-cased
	// <VirtualHost> host as written to its first position.
	exact map[string]int32
	wild  []wildEntry
	virt  map[string]int32
}

type wildEntry struct {
	pos     int32
	pattern string // lower-cased
	tail    int    // index after the last '*' (0: none)
}

// ipKey is an address (IPv4 unmapped, zone dropped) and a port.
type ipKey struct {
	ip   [16]byte
	port uint16
}

func keyOf(ip netip.Addr, port int) ipKey {
	return ipKey{ip: ip.Unmap().WithZone("").As16(), port: uint16(port)}
}

// Table is the virtual-host lookup of one configuration: Apache's
// iphash_table, default_list and name chains, built once by NewTable and
// read-only afterwards (safe for concurrent use).
type Table struct {
	servers []server // [0] is the main server
	// chains in `apache2 -S` order: the hash buckets in order, then the
	// default list.
	chains []chain
	// byIP maps exact address:port (port 0: addr:*) to a chain; byPort
	// maps a port (0: *:*) to a default-list chain.
	byIP   map[ipKey]int32  // IPv6 addresses
	byIP4  map[uint64]int32 // IPv4 addresses: ip4Key
	byPort map[uint16]int32
	opts   Options
	strict []bool // StrictHostCheck per server, nil when off everywhere
	// hasPath reports a vhost with ServerPath.
	hasPath bool
}

// Options change how requests are matched.
type Options struct {
	// Unsafe is "HttpProtocolOptions Unsafe": Host headers are not held
	// to the strict host name syntax (strict is Apache's default).
	Unsafe bool
	// StrictHostCheck reports whether "StrictHostCheck On" applies to a
	// server (the vhost's own setting, else the main server's); nil
	// means Off everywhere, Apache's default. With it, a host name that
	// no ServerName or ServerAlias of the connection's set matches is a
	// 400 (AH10156/AH10157).
	StrictHostCheck func(ID) bool
}

// Server is a server's identity as the rest of the site needs it.
type Server struct {
	// Name is server_hostname: the ServerName as written, or the name
	// Apache derives (conf.FinishVirtualHosts). %v prints it.
	Name string
	// Scheme is the ServerName's scheme ("" when not given).
	Scheme string
	// Port is server_rec->port (0: the scheme's default port).
	Port int
	// File and Line are where the <VirtualHost> is ("" and 0 for the
	// main server).
	File string
	Line int
}

// NewTable builds the lookup table as ap_fini_vhost_config does. main is
// the main server's ServerName (Host already defaulted, see
// conf.LocalHostName); vhosts are the <VirtualHost> sections in
// configuration order, after conf.FinishVirtualHosts. The vhost at index
// i gets ID(i+1).
func NewTable(main conf.ServerName, vhosts []*conf.VirtualHost, opts Options) *Table {
	t := &Table{opts: opts, byIP: make(map[ipKey]int32), byIP4: make(map[uint64]int32), byPort: make(map[uint16]int32)}
	t.servers = append(t.servers, server{name: main.Host, lower: asciiLower(main.Host), scheme: main.Scheme, port: main.Port})
	for _, v := range vhosts {
		s := server{
			name: v.Name.Host, lower: asciiLower(v.Name.Host), scheme: v.Name.Scheme, port: v.Port,
			file: v.File, line: v.Line, aliasesRaw: v.Aliases, wildRaw: v.WildAliases, addrs: v.Addrs, path: v.ServerPath,
		}
		t.hasPath = t.hasPath || v.ServerPath != ""
		for _, a := range v.Aliases {
			s.aliases = append(s.aliases, asciiLower(a))
		}
		for _, a := range v.WildAliases {
			s.wild = append(s.wild, asciiLower(a))
		}
		t.servers = append(t.servers, s)
	}
	if opts.StrictHostCheck != nil {
		t.strict = make([]bool, len(t.servers))
		for i := range t.strict {
			t.strict[i] = opts.StrictHostCheck(ID(i))
		}
	}
	b := newBuilder()
	for i := len(vhosts) - 1; i >= 0; i-- {
		b.addServer(ID(i+1), vhosts[i].Addrs)
	}
	for bucket := range b.buckets {
		for ic := b.buckets[bucket]; ic != nil; ic = ic.next {
			t.addChain(ic, false)
		}
	}
	for ic := b.defaults; ic != nil; ic = ic.next {
		t.addChain(ic, true)
	}
	return t
}

// addChain flattens a built chain and indexes it.
func (t *Table) addChain(ic *ipChain, isDefault bool) {
	c := chain{addr: *ic.sar, server: ic.server}
	for nc := ic.names; nc != nil; nc = nc.next {
		c.names = append(c.names, entry{server: nc.server, addr: *nc.sar})
	}
	if c.names != nil {
		c.exact = make(map[string]int32)
		c.virt = make(map[string]int32)
		first := func(m map[string]int32, k string, pos int32) {
			if _, ok := m[k]; !ok {
				m[k] = pos
			}
		}
		for i, e := range c.names {
			pos := int32(i)
			s := &t.servers[e.server]
			first(c.exact, s.lower, pos)
			for _, a := range s.aliases {
				first(c.exact, a, pos)
			}
			for _, w := range s.wild {
				c.wild = append(c.wild, wildEntry{pos: pos, pattern: w, tail: strings.LastIndexByte(w, '*') + 1})
			}
			first(c.virt, asciiLower(e.addr.Host), pos)
		}
	}
	idx := int32(len(t.chains))
	t.chains = append(t.chains, c)
	if isDefault {
		if _, dup := t.byPort[uint16(c.addr.Port)]; !dup {
			t.byPort[uint16(c.addr.Port)] = idx
		}
		return
	}
	if ip := c.addr.IP.Unmap(); ip.Is4() {
		k := ip4Key(ip, uint16(c.addr.Port))
		if _, dup := t.byIP4[k]; !dup {
			t.byIP4[k] = idx
		}
		return
	}
	k := keyOf(c.addr.IP, c.addr.Port)
	if _, dup := t.byIP[k]; !dup {
		t.byIP[k] = idx
	}
}

// ip4Key packs an IPv4 address and a port.
func ip4Key(ip netip.Addr, port uint16) uint64 {
	b := ip.As4()
	return uint64(b[0])<<40 | uint64(b[1])<<32 | uint64(b[2])<<24 | uint64(b[3])<<16 | uint64(port)
}

// Servers is the number of servers: the main server and the vhosts.
func (t *Table) Servers() int { return len(t.servers) }

// Server returns the identity of server id.
func (t *Table) Server(id ID) Server {
	s := &t.servers[id]
	return Server{Name: s.name, Scheme: s.scheme, Port: s.port, File: s.file, Line: s.line}
}

// ServerName is server_hostname of id: what %v prints.
func (t *Table) ServerName(id ID) string { return t.servers[id].name }

// The build, as ap_fini_vhost_config does it with its linked lists.

type ipChain struct {
	sar          *conf.VHostAddr
	server       ID
	names        *nameChain
	initialnames *nameChain
	next         *ipChain
}

type nameChain struct {
	sar    *conf.VHostAddr
	server ID
	next   *nameChain
}

type builder struct {
	buckets  [256]*ipChain
	defaults *ipChain
}

func newBuilder() *builder { return &builder{} }

// hashAddr is Apache's hash_addr: the XOR of the last four bytes of the
// address.
func hashAddr(ip netip.Addr) int {
	b := ip.Unmap().AsSlice()
	n := len(b)
	return int(b[n-4] ^ b[n-3] ^ b[n-2] ^ b[n-1])
}

func sameIP(a, b netip.Addr) bool { return a.Unmap().WithZone("") == b.Unmap().WithZone("") }

// findIP is find_ipaddr: the chain for exactly ip:port, else the first
// one whose address matches with either port 0.
func (b *builder) findIP(ip netip.Addr, port int) *ipChain {
	var wild *ipChain
	for ic := b.buckets[hashAddr(ip)]; ic != nil; ic = ic.next {
		if ic.sar.Port == port && sameIP(ic.sar.IP, ip) {
			return ic
		}
		if wild == nil && (ic.sar.Port == 0 || port == 0) && sameIP(ic.sar.IP, ip) {
			wild = ic
		}
	}
	return wild
}

// findDefault is find_default_server.
func (b *builder) findDefault(port int) *ipChain {
	var wild *ipChain
	for ic := b.defaults; ic != nil; ic = ic.next {
		if ic.sar.Port == port {
			return ic
		}
		if wild == nil && ic.sar.Port == 0 {
			wild = ic
		}
	}
	return wild
}

// addName is add_name_vhost_config: servers come in reverse order, so
// each one becomes the chain's default, and the names only form a list
// once a second server joins.
func addName(s ID, sar *conf.VHostAddr, ic *ipChain) {
	nc := &nameChain{sar: sar, server: s, next: ic.names}
	ic.server = s
	switch {
	case ic.names == nil && ic.initialnames == nil:
		ic.initialnames = nc
	case ic.names == nil:
		nc.next = ic.initialnames
		ic.names = nc
		ic.initialnames = nil
	default:
		ic.names = nc
	}
}

func (b *builder) addServer(s ID, addrs []conf.VHostAddr) {
	var prev *conf.VHostAddr
	for i := range addrs {
		sar := &addrs[i]
		if sar.Wildcard() {
			ic := b.findDefault(sar.Port)
			if ic != nil && sar.Port == ic.sar.Port {
				if prev == nil || !prev.Wildcard() || prev.Port != sar.Port {
					addName(s, sar, ic)
				}
			} else {
				ic = &ipChain{sar: sar, server: s, next: b.defaults}
				b.defaults = ic
				addName(s, sar, ic)
			}
		} else {
			ic := b.findIP(sar.IP, sar.Port)
			if ic == nil || sar.Port != ic.sar.Port {
				h := hashAddr(sar.IP)
				ic = &ipChain{sar: sar, server: s, next: b.buckets[h]}
				b.buckets[h] = ic
			}
			addName(s, sar, ic)
		}
		prev = sar
	}
}
