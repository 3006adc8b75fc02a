package conf

import (
	"net/netip"
	"strings"
	"testing"
)

// FuzzParseRequire feeds Require lines (words separated by blanks) to
// ParseRequire: it must not panic, and what it accepts must be usable.
func FuzzParseRequire(f *testing.F) {
	for _, s := range []string{
		"all granted", "all denied", "not ip 10.1", "ip 10.1 192.168.0.0/16 2001:db8::/32",
		"ip 10.1.0.0/255.255.0.0", "ip 10.0.0.1/255.0.0.255", "ip 0.0.0.0/0", "ip ::ffff:1.2.3.4",
		"ip 010.001.0.1", "ip 1.2.3.4.5", "ip 10.1.", "ip fe80::1%eth0", "host example.org # x",
		"host #only", "method GET POST", "method get", "env a b", "user %{X}", "group admins",
		"valid-user", "local", "expr true", "foo", "", "not", "ip /8", "ip 1.2.3.4/ 8", "ip :/:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		r, err := ParseRequire(strings.Fields(line), AllMethods)
		if err != nil {
			return
		}
		_ = r.String()
		for _, m := range r.IPs {
			_ = m.String()
			a := m.Prefix.Addr()
			if !m.Contains(a) && !m.Mask.IsValid() {
				t.Errorf("%q: pattern %s does not contain its own network address", line, m)
			}
			m.Contains(netip.IPv6Loopback())
			m.Contains(netip.Addr{})
		}
	})
}

// FuzzIPMatch checks apr_ipsubnet_create's parse against netip for the
// inputs both understand: a full dotted-quad or IPv6 address without
// leading zeros must be accepted as itself.
func FuzzIPMatch(f *testing.F) {
	for _, s := range []string{"10.1.2.3", "10.1", "::1", "2001:db8::1", "1.2.3.4/24", "10.0.0.0/255.255.0.0", "1.2.3.04"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ip, mask, has := strings.Cut(s, "/")
		m, err := parseIPMatch(ip, mask, has)
		if has {
			return
		}
		a, perr := netip.ParseAddr(s)
		if perr != nil || a.Zone() != "" || a.Is4In6() {
			return
		}
		if err != nil {
			t.Fatalf("%q: netip accepts it, parseIPMatch says %v", s, err)
		}
		if m.Prefix.Addr() != a || m.Prefix.Bits() != a.BitLen() {
			t.Fatalf("%q: got %s", s, m)
		}
	})
}
