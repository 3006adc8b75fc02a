package vhost

import (
	"net/netip"
	"strconv"
)

// Match is the outcome of Select for one request: the server that
// answers, the Host header's name and port as Apache keeps them
// (r->hostname, r->parsed_uri.port), and the connection's local address.
// A Match is plain data with its own buffer: keep it on the stack or in
// per-connection state, and reuse it; Select overwrites all of it.
type Match struct {
	// Server is the selected server (r->server).
	Server ID
	// Status is 0, or 400 when Apache answers 400 Bad Request (Reason
	// says why). Server is then the connection's default server, which
	// answers the 400.
	Status int
	// Reason is why Status is 400.
	Reason Reason
	// Port is the Host header's port (0: none). UseCanonicalName Off
	// puts it in self-referential URLs and SERVER_PORT.
	Port int
	// Local is the connection's local address, as given to Select.
	Local netip.AddrPort

	hasHost bool // r->hostname is set
	v6      bool // the host is an IPv6 literal (printed in brackets in URLs)
	n       int
	buf     [255]byte
	long    []byte // host names longer than buf (rare; allocated)
}

// Hostname is r->hostname: the Host header's name lower-cased, without
// port, brackets and trailing dot, or nil when the request gave none (or
// gave an invalid one). It aliases m's buffer.
func (m *Match) Hostname() []byte {
	if !m.hasHost {
		return nil
	}
	if m.long != nil {
		return m.long
	}
	return m.buf[:m.n]
}

// IPv6Literal reports whether Hostname is an IPv6 address (written in
// brackets in a Host header or URL).
func (m *Match) IPv6Literal() bool { return m.v6 }

// Select finds the server for a request as Apache does: first by the
// connection's local address (ap_update_vhost_given_ip: an exact
// address:port, then address:*, then the "*"/"_default_" set of the
// port, then *:*, else the main server), then, when that address has a
// name-based set, by the Host header (ap_update_vhost_from_headers: the
// first vhost of the set, in configuration order, whose ServerName or a
// ServerAlias matches, else the first whose <VirtualHost> address is
// written as the host, else the set's first vhost, its default).
//
// local is the connection's local address (IPv4-mapped addresses count as
// IPv4). host is the request's host: the host of an absolute request URI
// when it has one, else the Host header's value; nil means the request
// has no Host header (an empty, non-nil value is an empty header).
// http11 is true for HTTP/1.1 and later, where a request without a host
// name is 400.
//
// Select does not allocate (except for a Host name longer than 255
// bytes).
func (t *Table) Select(m *Match, local netip.AddrPort, host []byte, http11 bool) {
	// Reset every field but buf, which hostname bytes overwrite.
	m.Server, m.Status, m.Reason, m.Port, m.Local = Main, 0, NoReason, 0, local
	m.hasHost, m.v6, m.n, m.long = false, false, 0, nil
	c := t.chainFor(local)
	if c != nil {
		m.Server = c.server
	}
	if host != nil {
		m.parseHost(host, !t.opts.Unsafe)
	}
	if m.Status != 0 {
		return
	}
	strict := t.strict != nil && t.strict[m.Server]
	if m.hasHost {
		matched := true
		if c != nil && c.names != nil {
			m.Server, matched = c.byName(m.Hostname())
		} else if strict {
			matched = t.matchesAliases(m.Server, m.Hostname())
		}
		if strict && !matched {
			m.Status, m.Reason = 400, StrictHostMismatch
			return
		}
	}
	if !m.hasHost && http11 {
		m.Status, m.Reason = 400, NoHost
	}
}

// HasServerPath reports whether some vhost has a ServerPath, so that
// ApplyServerPath is worth calling.
func (t *Table) HasServerPath() bool { return t.hasPath }

// ApplyServerPath is check_serverpath, for a request Select left without
// a host name (no Host header, HTTP/1.0): in the connection's name-based
// set, the first vhost whose ServerPath starts path (the request's path
// as sent, before decoding; a ServerPath without a trailing slash must be
// followed by '/' or end the path) takes the request. Call it after
// Select when HasServerPath.
func (t *Table) ApplyServerPath(m *Match, path []byte) {
	if !t.hasPath || m.Status != 0 || m.hasHost {
		return
	}
	c := t.chainFor(m.Local)
	if c == nil || c.names == nil {
		return
	}
	last := ID(-1)
	for _, e := range c.names {
		if e.server == last {
			continue
		}
		last = e.server
		p := t.servers[e.server].path
		if p == "" || len(path) < len(p) || string(path[:len(p)]) != p {
			continue
		}
		if p[len(p)-1] == '/' || len(path) == len(p) || path[len(p)] == '/' {
			m.Server = e.server
			return
		}
	}
}

// Reason is why Select answers 400, with the Apache message it logs.
type Reason uint8

const (
	// NoReason: Status is 0.
	NoReason Reason = iota
	// BadHost: a Host that is not a valid host[:port] (debug level:
	// "AH00550: Client sent malformed Host header: %s", or with
	// HttpProtocolOptions Strict "AH02415: [strict] Invalid host name
	// '%s'" and "AH02416: [strict] purely numeric host names not
	// allowed: %s").
	BadHost
	// NoHost: an HTTP/1.1 request without a host name (debug level:
	// "AH00569: client sent HTTP/1.1 request without hostname (see
	// RFC2616 section 14.23): %s").
	NoHost
	// StrictHostMismatch: StrictHostCheck On and no name matched
	// (warning level, see AppendStrictHostMessage).
	StrictHostMismatch
)

// AppendStrictHostMessage appends the warning Apache logs for
// StrictHostMismatch: AH10156 when the connection belongs to the main
// server, else AH10157 naming its default vhost's file:line.
func (t *Table) AppendStrictHostMessage(dst []byte, m *Match, host []byte) []byte {
	if m.Server == Main {
		dst = append(dst, "AH10156: Requested hostname '"...)
		dst = append(dst, host...)
		return append(dst, "' did not match any ServerName/ServerAlias in the global server configuration "...)
	}
	s := &t.servers[m.Server]
	dst = append(dst, "AH10157: Requested hostname '"...)
	dst = append(dst, host...)
	dst = append(dst, "' did not match any ServerName/ServerAlias in the matching virtual host (default vhost for current connection is "...)
	dst = append(dst, s.file...)
	dst = append(dst, ':')
	dst = strconv.AppendInt(dst, int64(s.line), 10)
	return append(dst, ')')
}

// matchesAliases is matches_aliases: the server's ServerName, its
// aliases, then its wildcard aliases.
func (t *Table) matchesAliases(id ID, host []byte) bool {
	s := &t.servers[id]
	if string(host) == s.lower {
		return true
	}
	for _, a := range s.aliases {
		if string(host) == a {
			return true
		}
	}
	for _, w := range s.wild {
		if wildMatch(host, w) {
			return true
		}
	}
	return false
}

// SelectString is Select for a host given as a string (it allocates a
// copy: for tests and tools). hasHost false means no Host header.
func (t *Table) SelectString(m *Match, local netip.AddrPort, host string, hasHost, http11 bool) {
	var h []byte
	if hasHost {
		h = []byte(host)
	}
	t.Select(m, local, h, http11)
}

// chainFor is ap_update_vhost_given_ip; nil means the main server.
func (t *Table) chainFor(local netip.AddrPort) *chain {
	ip, port := local.Addr(), local.Port()
	if ip = ip.Unmap(); ip.Is4() && len(t.byIP4) > 0 {
		k := ip4Key(ip, port)
		if i, ok := t.byIP4[k]; ok {
			return &t.chains[i]
		}
		if i, ok := t.byIP4[k&^0xffff]; ok {
			return &t.chains[i]
		}
	} else if ip.Is6() && len(t.byIP) > 0 {
		k := ipKey{ip: ip.As16(), port: port}
		if i, ok := t.byIP[k]; ok {
			return &t.chains[i]
		}
		k.port = 0
		if i, ok := t.byIP[k]; ok {
			return &t.chains[i]
		}
	}
	if i, ok := t.byPort[port]; ok {
		return &t.chains[i]
	}
	if i, ok := t.byPort[0]; ok {
		return &t.chains[i]
	}
	return nil
}

// byName is update_server_from_aliases for a name-based set; host is
// normalized (lower case). matched is false when neither a name nor a
// <VirtualHost> address matched and the set's default is returned.
func (c *chain) byName(host []byte) (id ID, matched bool) {
	pos, ok := c.exact[string(host)]
	if !ok {
		pos = int32(len(c.names))
	}
	for _, w := range c.wild {
		if w.pos >= pos {
			break
		}
		if w.mayMatch(host) && wildMatch(host, w.pattern) {
			pos = w.pos
			break
		}
	}
	if int(pos) < len(c.names) {
		return c.names[pos].server, true
	}
	if p, ok := c.virt[string(host)]; ok {
		return c.names[p].server, true
	}
	return c.server, false
}

// parseHost is fix_hostname: it sets hasHost, the name, Port and v6, or
// Status 400.
func (m *Match) parseHost(src []byte, strict bool) {
	if len(src) == 0 {
		return // "Host:" with no value: as no host name
	}
	allDigits := true
	for _, c := range src {
		if c < '0' || c > '9' {
			allDigits = false
			break
		}
	}
	if allDigits {
		if strict {
			m.Status, m.Reason = 400, BadHost // AH02416
			return
		}
		m.setName(src, false)
		return
	}
	host, port, v6, ok := splitHostPort(src)
	if !ok {
		m.Status, m.Reason = 400, BadHost // AH00550
		return
	}
	m.Port = port
	if v6 {
		m.setName(host, true)
		m.v6 = true
		if !validV6(m.Hostname()) {
			m.fail()
		}
		return
	}
	m.setName(host, true)
	name := m.Hostname()
	for i, c := range name {
		if c == '.' && i+1 < len(name) && name[i+1] == '.' {
			m.fail()
			return
		}
		if c == '/' || c == '\\' {
			m.fail()
			return
		}
	}
	if n := len(name); n > 0 && name[n-1] == '.' {
		m.trimLast()
	}
	if strict && !strictHostname(m.Hostname()) {
		m.fail() // AH02415
	}
}

func (m *Match) fail() {
	m.Status, m.Reason, m.hasHost, m.n, m.long, m.Port, m.v6 = 400, BadHost, false, 0, nil, 0, false
}

func (m *Match) trimLast() {
	if m.long != nil {
		m.long = m.long[:len(m.long)-1]
		return
	}
	m.n--
}

// setName stores s, lower-cased when lower (ASCII), as the host name.
func (m *Match) setName(s []byte, lower bool) {
	m.hasHost = true
	if len(s) > len(m.buf) {
		// Never store a slice of m.buf in m: m would escape to the heap
		// in every caller (a Match on the stack).
		long := make([]byte, len(s))
		for i, c := range s {
			long[i] = lowerIf(c, lower)
		}
		m.long = long
		return
	}
	for i, c := range s {
		m.buf[i] = lowerIf(c, lower)
	}
	m.n = len(s)
}

// lowerIf is c lower-cased (ASCII) when lower.
func lowerIf(c byte, lower bool) byte {
	if lower && 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// splitHostPort is apr_parse_addr_port on a Host header: it fails where
// APR returns an error or finds a scope ID. host keeps no brackets.
func splitHostPort(s []byte) (host []byte, port int, v6, ok bool) {
	i := len(s) - 1
	for i >= 0 && s[i] >= '0' && s[i] <= '9' {
		i--
	}
	// i >= 0: all-digit hosts were handled by the caller.
	last := len(s)
	if s[i] == ':' && i < len(s)-1 {
		if i == 0 {
			return nil, 0, false, false
		}
		p := 0
		for _, c := range s[i+1:] {
			if p <= 65535 {
				p = p*10 + int(c-'0')
			}
		}
		if p < 1 || p > 65535 {
			return nil, 0, false, false
		}
		port, last = p, i
	}
	h := s[:last]
	if len(h) > 0 && h[0] == '[' {
		end := -1
		for j, c := range h {
			if c == ']' {
				end = j
				break
			}
		}
		if end != len(h)-1 {
			return nil, 0, false, false
		}
		inner := h[1:end]
		for _, c := range inner {
			if c == '%' {
				return nil, 0, false, false // a scope ID (or a bare '%')
			}
		}
		if !isIPv6(inner) {
			return nil, 0, false, false
		}
		return inner, port, true, true
	}
	return h, port, false, true
}

// isIPv6 is glibc's inet_pton(AF_INET6): hex groups of one to four
// digits, at most one "::", an optional dotted quad at the end, 16 bytes
// in all.
func isIPv6(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	i := 0
	if b[0] == ':' {
		if len(b) < 2 || b[1] != ':' {
			return false
		}
		i = 1
	}
	bytes, sawDouble := 0, false
	curStart, digits := i, 0
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case isHex(c):
			digits++
			if digits > 4 {
				return false
			}
		case c == ':':
			curStart = i + 1
			if digits == 0 {
				if sawDouble {
					return false
				}
				sawDouble = true
				continue
			}
			if i+1 >= len(b) {
				return false
			}
			bytes += 2
			if bytes > 16 {
				return false
			}
			digits = 0
		case c == '.' && bytes+4 <= 16:
			if !isIPv4(b[curStart:]) {
				return false
			}
			bytes += 4
			digits = 0
			i = len(b)
		default:
			return false
		}
	}
	if digits > 0 {
		bytes += 2
	}
	if sawDouble {
		return bytes <= 14
	}
	return bytes == 16
}

// isIPv4 is inet_pton(AF_INET): four decimal octets without leading
// zeroes.
func isIPv4(b []byte) bool {
	octets, val, digits := 0, 0, 0
	for _, c := range b {
		switch {
		case isDigit(c):
			if digits > 0 && val == 0 {
				return false
			}
			val = val*10 + int(c-'0')
			digits++
			if val > 255 {
				return false
			}
		case c == '.' && digits > 0:
			octets++
			if octets > 3 {
				return false
			}
			val, digits = 0, 0
		default:
			return false
		}
	}
	return digits > 0 && octets == 3
}

// validV6 is fix_hostname_v6_literal on a lower-cased literal.
func validV6(h []byte) bool {
	double := false
	for i, c := range h {
		var next byte
		if i+1 < len(h) {
			next = h[i+1]
		}
		switch {
		case isHex(c):
		case c == ':':
			if next == ':' {
				if double {
					return false
				}
				double = true
			} else if next == '.' {
				return false
			}
		case c == '.':
			if next == ':' || next == '.' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// strictHostname is strict_hostname_check (HttpProtocolOptions Strict).
func strictHostname(h []byte) bool {
	dotted, leadingZeroes, dots := true, false, 0
	for i, c := range h {
		switch {
		case isAlpha(c) || c == '-' || c == '_':
			dotted = false
		case c == '.':
			dots++
			if i+2 < len(h) && h[i+1] == '0' && isDigit(h[i+2]) {
				leadingZeroes = true
			}
		case !isDigit(c):
			return false
		}
	}
	if dotted {
		if len(h) > 0 && (h[0] == '.' || (h[0] == '0' && len(h) > 1 && isDigit(h[1]))) {
			leadingZeroes = true
		}
		return !leadingZeroes && dots == 3
	}
	// The top-level domain must start with a letter (RFC 1123 2.1).
	i := len(h) - 1
	for i > 0 && h[i] != '.' {
		i--
	}
	if i >= 0 && h[i] == '.' && i+1 < len(h) && !isAlpha(h[i+1]) {
		return false
	}
	return true
}

// mayMatch is a quick test that rejects most names: the bytes after the
// pattern's last '*' (the whole pattern when it has none) must end the
// name.
func (w *wildEntry) mayMatch(host []byte) bool {
	tail := w.pattern[w.tail:]
	if len(host) < len(tail) || (w.tail == 0 && len(host) != len(tail)) {
		return false
	}
	h := host[len(host)-len(tail):]
	for i := 0; i < len(tail); i++ {
		if tail[i] != '?' && tail[i] != h[i] {
			return false
		}
	}
	return true
}

// wildMatch is ap_strcasecmp_match(s, pattern) == 0 for a lower-cased s
// and pattern: '*' matches any run of bytes, '?' any one byte.
func wildMatch(s []byte, p string) bool {
	si, pi := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '*':
			starP, starS = pi, si
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			si++
			pi++
		case starP >= 0:
			pi = starP + 1
			starS++
			si = starS
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// asciiLower is apr_tolower over a string (bytes >= 0x80 unchanged).
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
