package conf

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// IPMatch is one address pattern of "Require ip" or "Allow/Deny from",
// precompiled from apr_ipsubnet_create's syntax: a full IPv4 or IPv6
// address (a host), a partial IPv4 address ("10.1", "10.1." = 10.1.0.0/16),
// address/bits, or IPv4 address/netmask ("10.1.0.0/255.255.0.0"). A
// contiguous pattern is a netip.Prefix; a non-contiguous IPv4 netmask (APR
// accepts them) keeps its mask in Mask.
type IPMatch struct {
	// Prefix is the network, its address already masked (APR's
	// fix_subnet). For a non-contiguous mask, Prefix.Bits() is 32 and
	// Mask holds the mask.
	Prefix netip.Prefix
	// Mask is a non-contiguous IPv4 netmask; zero (invalid) otherwise.
	Mask netip.Addr
}

// Contains reports whether ip (IPv4-mapped IPv6 addresses count as IPv4,
// as apr_ipsubnet_test does) is in the pattern. It does not allocate.
func (m IPMatch) Contains(ip netip.Addr) bool { return m.Match(ip.Unmap().WithZone("")) }

// Match is Contains for an address already unmapped and without zone
// (ip.Unmap().WithZone("")), for loops over many patterns.
func (m IPMatch) Match(ip netip.Addr) bool {
	if !m.Mask.IsValid() {
		return m.Prefix.Contains(ip)
	}
	if !ip.Is4() {
		return false
	}
	a, k, n := ip.As4(), m.Mask.As4(), m.Prefix.Addr().As4()
	for i := range a {
		if a[i]&k[i] != n[i] {
			return false
		}
	}
	return true
}

// String formats the pattern in CIDR form (or address/netmask).
func (m IPMatch) String() string {
	if m.Mask.IsValid() {
		return m.Prefix.Addr().String() + "/" + m.Mask.String()
	}
	return m.Prefix.String()
}

// APR's statuses for apr_ipsubnet_create, with apr_strerror's texts (what
// Apache's %pm prints).
var (
	// errNotIP is APR_EINVAL: the string looks nothing like an address, so
	// the caller may take it for a host name.
	errNotIP = errors.New("not an IP address")
	// ErrBadIP is APR_EBADIP.
	ErrBadIP = errors.New("The specified IP address is invalid.")
	// ErrBadMask is APR_EBADMASK.
	ErrBadMask = errors.New("The specified network mask is invalid.")
)

// looksLikeIP is APR's looks_like_ip: anything with a ':' (IPv6), or only
// digits and dots.
func looksLikeIP(s string) bool {
	if s == "" {
		return false
	}
	if strings.IndexByte(s, ':') >= 0 {
		return true
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '.' && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// ParseIPMatch parses one pattern with apr_ipsubnet_create's rules: ip is
// the part before a '/', mask the part after it ("" and hasMask false when
// there is none). It returns errNotIP (APR_EINVAL), ErrBadIP or ErrBadMask.
func parseIPMatch(ip, mask string, hasMask bool) (IPMatch, error) {
	if !looksLikeIP(ip) {
		return IPMatch{}, errNotIP
	}
	addr, ok := parseAPRAddr(ip)
	if !ok {
		if hasMask || strings.IndexByte(ip, ':') >= 0 {
			return IPMatch{}, ErrBadIP
		}
		return parseNetwork(ip)
	}
	if !hasMask {
		return IPMatch{Prefix: netip.PrefixFrom(addr, addr.BitLen())}, nil
	}
	max := addr.BitLen()
	// strtol accepts leading blanks and a sign; "*endptr == '\0' && bits >
	// 0" then requires a whole positive number.
	if bits, err := strconv.Atoi(strings.TrimLeft(mask, " \t\n\v\f\r")); err == nil && mask != "" && bits > 0 && bits <= max {
		p, _ := addr.Prefix(bits)
		return IPMatch{Prefix: p}, nil
	}
	if addr.Is4() {
		if m, ok := parseIPv4(mask); ok {
			return ipv4Mask(addr, m), nil
		}
	}
	return IPMatch{}, ErrBadMask
}

// ipv4Mask builds the pattern for addr under netmask m.
func ipv4Mask(addr, m netip.Addr) IPMatch {
	a, k := addr.As4(), m.As4()
	v := uint32(k[0])<<24 | uint32(k[1])<<16 | uint32(k[2])<<8 | uint32(k[3])
	ones := 0
	for ones < 32 && v&(1<<(31-ones)) != 0 {
		ones++
	}
	for i := range a {
		a[i] &= k[i]
	}
	if ones == 32 || v<<ones == 0 {
		return IPMatch{Prefix: netip.PrefixFrom(netip.AddrFrom4(a), ones)}
	}
	return IPMatch{Prefix: netip.PrefixFrom(netip.AddrFrom4(a), 32), Mask: m}
}

// parseAPRAddr is apr_inet_pton for AF_INET6, then AF_INET. IPv4-mapped
// IPv6 addresses and zones are refused (APR_EBADIP), as APR does.
func parseAPRAddr(s string) (netip.Addr, bool) {
	if strings.IndexByte(s, ':') >= 0 {
		if strings.IndexByte(s, '%') >= 0 {
			return netip.Addr{}, false
		}
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() || a.Is4In6() {
			return netip.Addr{}, false
		}
		return a, true
	}
	return parseIPv4(s)
}

// parseIPv4 is BIND's inet_pton4 as APR ships it: exactly four decimal
// octets up to 255, leading zeros allowed (and decimal).
func parseIPv4(s string) (netip.Addr, bool) {
	var b [4]byte
	octets, val, digit := 0, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			val = val*10 + int(c-'0')
			if val > 255 {
				return netip.Addr{}, false
			}
			if !digit {
				if octets++; octets > 4 {
					return netip.Addr{}, false
				}
				digit = true
			}
			b[octets-1] = byte(val)
		case c == '.' && digit:
			if octets == 4 {
				return netip.Addr{}, false
			}
			val, digit = 0, false
		default:
			return netip.Addr{}, false
		}
	}
	if octets < 4 || !digit {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(b), true
}

// parseNetwork is APR's parse_network: the legacy partial form "a.b.c"
// or "a.b.c." meaning a.b.c.0/24.
func parseNetwork(s string) (IPMatch, error) {
	if len(s) >= len("255.255.255.255")+1 {
		return IPMatch{}, ErrBadIP
	}
	var b [4]byte
	n := 0
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || n == 4 {
			return IPMatch{}, ErrBadIP
		}
		v, err := strconv.Atoi(s[:i])
		if err != nil || v > 255 {
			return IPMatch{}, ErrBadIP
		}
		b[n] = byte(v)
		n++
		s = s[i:]
		if s != "" {
			if s[0] != '.' {
				return IPMatch{}, ErrBadIP
			}
			s = s[1:]
		}
	}
	return IPMatch{Prefix: netip.PrefixFrom(netip.AddrFrom4(b), 8*n)}, nil
}
