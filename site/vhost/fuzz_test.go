package vhost

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
)

// FuzzSelect checks Host normalization and selection on a table with
// name-based, IP-based, wildcard-port and _default_ vhosts: Select never
// panics, the server is the main server or a vhost of the set the local
// address selects, a 400 leaves no host name, and a host name is
// lower-case, without port or trailing dot.
func FuzzSelect(f *testing.F) {
	for _, h := range []string{"www.example.com", "WWW.EXAMPLE.COM.:80", "[::1]:8080", "x.w9.example", "", "12345",
		"a..b", "[::1%lo]", "[1:2:3:4:5:6:7:8]", "host:", "_default_", "*", "ww?.example.com", "\xff.example"} {
		f.Add(h, true, uint8(0), uint16(80), false)
	}
	f.Add("www.example.com", false, uint8(2), uint16(8080), true)
	tab := nameVHosts(f, 12)
	extra := []string{"127.0.0.3:*", "_default_:8080", "[::1]:80", "127.0.0.4:80", "127.0.0.4:80"}
	var vs []*conf.VirtualHost
	for i, a := range extra {
		v, _, err := conf.NewVirtualHost(context.Background(), "fuzz.conf", i+1, []string{a}, 0, nil)
		if err != nil {
			f.Fatal(err)
		}
		v.SetServerName(conf.ServerName{Host: "e" + a})
		vs = append(vs, v)
	}
	mixed := NewTable(conf.ServerName{Host: "main"}, vs, Options{})
	locals := []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2"),
		netip.MustParseAddr("127.0.0.3"), netip.MustParseAddr("::1"), netip.MustParseAddr("127.0.0.4"),
		netip.MustParseAddr("::ffff:127.0.0.4")}
	f.Fuzz(func(t *testing.T, host string, http11 bool, li uint8, port uint16, unsafe bool) {
		for _, tab := range []*Table{tab, mixed} {
			tab.opts.Unsafe = unsafe
			local := netip.AddrPortFrom(locals[int(li)%len(locals)], port)
			var m Match
			tab.Select(&m, local, []byte(host), http11)
			c := tab.chainFor(local)
			switch {
			case c == nil && m.Server != Main:
				t.Fatalf("no set for %v but Server = %d", local, m.Server)
			case c != nil && c.names == nil && m.Server != c.server:
				t.Fatalf("IP-based set for %v: Server = %d, want %d", local, m.Server, c.server)
			case c != nil && c.names != nil && m.Server != c.server && !inSet(c, m.Server):
				t.Fatalf("name-based set for %v: Server = %d is not in it", local, m.Server)
			}
			if m.Status != 0 && m.Status != 400 {
				t.Fatalf("Status = %d", m.Status)
			}
			h := m.Hostname()
			if m.Status == 400 && h != nil {
				t.Fatalf("400 with host name %q", h)
			}
			if h != nil && !unsafe {
				if strings.ToLower(string(h)) != string(h) || (len(h) > 0 && h[len(h)-1] == '.' && !m.IPv6Literal()) {
					t.Fatalf("host name %q not normalized", h)
				}
			}
			_ = tab.AppendURL(nil, &m, &Canon{}, []byte("/"))
			_ = tab.AppendStatusVHost(nil, &m)
		}
	})
}

func inSet(c *chain, id ID) bool {
	for _, e := range c.names {
		if e.server == id {
			return true
		}
	}
	return false
}

// FuzzWildMatch compares wildMatch with a port of ap_strcasecmp_match.
func FuzzWildMatch(f *testing.F) {
	f.Add("www.example.com", "*.example.com")
	f.Add("abcbc", "*b?")
	f.Add("", "**")
	f.Fuzz(func(t *testing.T, s, p string) {
		if len(s) > 64 || len(p) > 16 || strings.ContainsRune(s+p, 0) {
			return // the reference is exponential; C strings end at NUL
		}
		ls, lp := asciiLower(s), asciiLower(p)
		if got, want := wildMatch([]byte(ls), lp), strcasecmpMatch(s, p) == 0; got != want {
			t.Fatalf("wildMatch(%q, %q) = %v, ap_strcasecmp_match says %v", ls, lp, got, want)
		}
	})
}

// refByName is update_server_from_aliases written as Apache loops over
// its name chain, for comparison with the indexed byName.
func refByName(t *Table, c *chain, host []byte) ID {
	var virt ID = -1
	last := ID(-1)
	for _, e := range c.names {
		if e.server != last && t.matchesAliases(e.server, host) {
			return e.server
		}
		if virt < 0 && asciiLower(e.addr.Host) == string(host) {
			virt = e.server
		}
		last = e.server
	}
	if virt >= 0 {
		return virt
	}
	return c.server
}

// FuzzByName compares the indexed name lookup with refByName on a set
// whose names and wildcards overlap.
func FuzzByName(f *testing.F) {
	for _, h := range []string{"a.example", "x.b.example", "b.example", "localhost", "q.example", "zz", "y.c.example", "127.0.0.1"} {
		f.Add(h)
	}
	ctx := context.Background()
	specs := []struct {
		addr, name string
		aliases    []string
	}{
		{"127.0.0.1:80", "first.example", []string{"*.c.example"}},
		{"localhost:80", "a.example", []string{"*.b.example", "q.example"}},
		{"127.0.0.1:80", "x.b.example", []string{"a.example", "?.c.example"}},
		{"127.0.0.1:80", "b.example", []string{"*"}},
		{"localhost:80", "Q.example", nil},
	}
	var vs []*conf.VirtualHost
	for i, s := range specs {
		v, _, err := conf.NewVirtualHost(ctx, "f.conf", i+1, []string{s.addr}, 0, fixedResolver{})
		if err != nil {
			f.Fatal(err)
		}
		v.SetServerName(conf.ServerName{Host: s.name})
		v.AddServerAlias(s.aliases...)
		vs = append(vs, v)
	}
	tabs := []*Table{ // the "*" alias hides the later vhosts, so also without it
		NewTable(conf.ServerName{Host: "main"}, vs, Options{}),
		NewTable(conf.ServerName{Host: "main"}, vs[:3], Options{}),
		NewTable(conf.ServerName{Host: "main"}, vs[:2], Options{}),
	}
	for _, tab := range tabs {
		if len(tab.chains) != 1 || tab.chains[0].names == nil {
			f.Fatalf("want one name-based set, got %+v", tab.chains)
		}
	}
	f.Fuzz(func(t *testing.T, host string) {
		h := []byte(asciiLower(host))
		for _, tab := range tabs {
			c := &tab.chains[0]
			got, _ := c.byName(h)
			if want := refByName(tab, c, h); got != want {
				t.Fatalf("byName(%q) = %d, Apache's loop gives %d", h, got, want)
			}
		}
	})
}

type fixedResolver struct{}

func (fixedResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
}

func (fixedResolver) LookupAddr(context.Context, string) ([]string, error) { return nil, nil }
