package vhost

import (
	"context"
	"fmt"
	"net/netip"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
)

// strcasecmpMatch is a direct port of Apache's ap_strcasecmp_match (0:
// match, 1: no match, -1: abort), the reference for wildMatch.
func strcasecmpMatch(str, expected string) int {
	x, y := 0, 0
	at := func(s string, i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	lower := func(c byte) byte {
		if 'A' <= c && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	for ; at(expected, y) != 0; y, x = y+1, x+1 {
		if at(str, x) == 0 && at(expected, y) != '*' {
			return -1
		}
		if at(expected, y) == '*' {
			for {
				y++
				if at(expected, y) != '*' {
					break
				}
			}
			if at(expected, y) == 0 {
				return 0
			}
			for at(str, x) != 0 {
				ret := strcasecmpMatch(str[x:], expected[y:])
				x++
				if ret != 1 {
					return ret
				}
			}
			return -1
		} else if at(expected, y) != '?' && lower(at(str, x)) != lower(at(expected, y)) {
			return 1
		}
	}
	if at(str, x) != 0 {
		return 1
	}
	return 0
}

func TestWildMatch(t *testing.T) {
	tests := []struct {
		s, p string
		want bool
	}{
		{"www.example.com", "*.example.com", true},
		{"example.com", "*.example.com", false},
		{"a.b.example.com", "*.example.com", true},
		{"w1.example.net", "w?.example.net", true},
		{"w.example.net", "w?.example.net", false},
		{"ww1.example.net", "w?.example.net", false},
		{"anything", "*", true},
		{"", "*", true},
		{"", "?", false},
		{"abc", "a**c", true},
		{"abcbc", "*bc", true},
		{"abcbd", "*bc", false},
		{"[x].example", "[x].example", true},
		{"x.example", "[x].example", false},
	}
	for _, tt := range tests {
		if got := wildMatch([]byte(tt.s), tt.p); got != tt.want {
			t.Errorf("wildMatch(%q, %q) = %v, want %v", tt.s, tt.p, got, tt.want)
		}
		if ref := strcasecmpMatch(tt.s, tt.p) == 0; ref != tt.want {
			t.Errorf("ap_strcasecmp_match(%q, %q) = %v, want %v", tt.s, tt.p, ref, tt.want)
		}
	}
}

// TestParseHost covers fix_hostname beyond the recorded Apache rows,
// and HttpProtocolOptions Unsafe.
func TestParseHost(t *testing.T) {
	tests := []struct {
		host   string
		strict bool
		name   string // "" with status 0: no host name
		port   int
		status int
	}{
		{"Example.COM", true, "example.com", 0, 0},
		{"example.com.:8080", true, "example.com", 8080, 0},
		{"[2001:DB8::1]:443", true, "2001:db8::1", 443, 0},
		{"[::ffff:1.2.3.4]", true, "::ffff:1.2.3.4", 0, 0},
		{"[::1.2.3.4]", true, "::1.2.3.4", 0, 0},
		{"[1:2:3:4:5:6:7:8]", true, "1:2:3:4:5:6:7:8", 0, 0},
		{"[1:2:3:4:5:6:7:8:9]", true, "", 0, 400},
		{"[1::2::3]", true, "", 0, 400},
		{"[::1]x", true, "", 0, 400},
		{"[::1%25eth0]", true, "", 0, 400},
		{"10.0.0.1", true, "10.0.0.1", 0, 0},
		{"10.0.0", true, "", 0, 400},
		{"10.0.0.01", true, "", 0, 400},
		{"010.0.0.1", true, "", 0, 400},
		{"a-b_c.example", true, "a-b_c.example", 0, 0},
		{"a.b.c9", true, "a.b.c9", 0, 0},
		{"a.b.9c", true, "", 0, 400},
		{"localhost", true, "localhost", 0, 0},
		{"8080", true, "", 0, 400},
		{"8080", false, "8080", 0, 0},
		{"*.Example.com", false, "*.example.com", 0, 0},
		{"a..b", false, "", 0, 400},
		{"a/b", false, "", 0, 400},
		{`a\b`, false, "", 0, 400},
		{"a:b", false, "a:b", 0, 0},
		{"host:65535", true, "host", 65535, 0},
		{"host:65536", true, "", 0, 400},
		{"host:000080", true, "host", 80, 0},
		{"host:99999999999999999999", true, "", 0, 400},
		{":80", true, "", 0, 400},
		{"", true, "", 0, 0},
	}
	for _, tt := range tests {
		var m Match
		m.parseHost([]byte(tt.host), tt.strict)
		if string(m.Hostname()) != tt.name || m.Port != tt.port || m.Status != tt.status || (m.Hostname() != nil) != (tt.name != "") {
			t.Errorf("parseHost(%q, strict=%v) = %q, %d, %d; want %q, %d, %d",
				tt.host, tt.strict, m.Hostname(), m.Port, m.Status, tt.name, tt.port, tt.status)
		}
	}
	// A host name longer than the buffer still works.
	long := make([]byte, 300)
	for i := range long {
		long[i] = 'A'
	}
	var m Match
	m.parseHost(append(long, ".Example.com."...), true)
	if m.Status != 0 || len(m.Hostname()) != 312 || m.Hostname()[0] != 'a' {
		t.Errorf("long host: status %d, %q", m.Status, m.Hostname())
	}
}

// nameVHosts builds n name-based vhosts on *:80 (v<i>.example.com, alias
// www.v<i>.example.com, every tenth one a wildcard alias *.w<i>.example)
// and one IP-based vhost on 127.0.0.2:80.
func nameVHosts(tb testing.TB, n int) *Table {
	tb.Helper()
	ctx := context.Background()
	var vs []*conf.VirtualHost
	for i := range n {
		v, _, err := conf.NewVirtualHost(ctx, "bench.conf", 1+4*i, []string{"*:80"}, 0, nil)
		if err != nil {
			tb.Fatal(err)
		}
		v.SetServerName(conf.ServerName{Host: fmt.Sprintf("v%d.example.com", i)})
		v.AddServerAlias(fmt.Sprintf("www.v%d.example.com", i))
		if i%10 == 9 {
			v.AddServerAlias(fmt.Sprintf("*.w%d.example", i))
		}
		vs = append(vs, v)
	}
	v, _, err := conf.NewVirtualHost(ctx, "bench.conf", 1+4*n, []string{"127.0.0.2:80"}, 0, nil)
	if err != nil {
		tb.Fatal(err)
	}
	v.SetServerName(conf.ServerName{Host: "ip.example.com"})
	vs = append(vs, v)
	return NewTable(conf.ServerName{Host: "main.example"}, vs, Options{})
}

func TestSelectNoAllocs(t *testing.T) {
	tab := nameVHosts(t, 50)
	local := netip.MustParseAddrPort("127.0.0.1:80")
	for _, h := range []string{"v49.example.com", "WWW.V25.Example.Com.:80", "x.w49.example", "unknown.example", "[::1]:80", "bad..host"} {
		host := []byte(h)
		var m Match
		allocs := testing.AllocsPerRun(100, func() {
			tab.Select(&m, local, host, true)
			_ = tab.AppendServerName(m.buf[:0], &m, &Canon{})
		})
		if allocs != 0 {
			t.Errorf("Select(%q): %v allocations", h, allocs)
		}
	}
	var m Match
	tab.Select(&m, local, []byte("x.w49.example"), true)
	if m.Server != 50 {
		t.Errorf("wildcard alias: Server = %d, want 50", m.Server)
	}
	tab.Select(&m, netip.MustParseAddrPort("[::ffff:127.0.0.2]:80"), []byte("v1.example.com"), true)
	if m.Server != 51 {
		t.Errorf("IPv4-mapped local address: Server = %d, want 51 (IP-based)", m.Server)
	}
}

func BenchmarkSelect(b *testing.B) {
	tab := nameVHosts(b, 50)
	local := netip.MustParseAddrPort("127.0.0.1:80")
	for _, h := range []string{"v49.example.com", "WWW.V25.Example.Com:80", "x.w49.example", "unknown.example"} {
		b.Run(h, func(b *testing.B) {
			host := []byte(h)
			var m Match
			b.ReportAllocs()
			for b.Loop() {
				tab.Select(&m, local, host, true)
			}
		})
	}
	b.Run("ip-based", func(b *testing.B) {
		host := []byte("v1.example.com")
		ip := netip.MustParseAddrPort("127.0.0.2:80")
		var m Match
		b.ReportAllocs()
		for b.Loop() {
			tab.Select(&m, ip, host, true)
		}
	})
}
