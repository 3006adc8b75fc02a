package vhost

import (
	"net/netip"
	"testing"
)

func TestSelectSNI(t *testing.T) {
	tab := nameVHosts(t, 12) // v0..v11 on *:80, *.w9.example on v9, ip.example.com on 127.0.0.2:80
	for _, tt := range []struct {
		local, name string
		id          ID
		found       bool
	}{
		{"127.0.0.1:80", "V3.Example.com", 4, true},
		{"127.0.0.1:80", "www.v11.example.com", 12, true},
		{"127.0.0.1:80", "a.w9.example", 10, true},
		{"127.0.0.1:80", "unknown.example", 1, false},
		{"127.0.0.1:80", "*", 1, false}, // a <VirtualHost> address does not count
		{"127.0.0.2:80", "ip.example.com", 13, true},
		{"127.0.0.2:80", "v1.example.com", 13, false},
		{"127.0.0.1:443", "main.example", Main, true},
		{"127.0.0.1:443", "v1.example.com", Main, false},
	} {
		id, found := tab.SelectSNI(netip.MustParseAddrPort(tt.local), []byte(tt.name))
		if id != tt.id || found != tt.found {
			t.Errorf("SelectSNI(%s, %q) = %d, %v; want %d, %v", tt.local, tt.name, id, found, tt.id, tt.found)
		}
	}
	name := []byte("www.v5.example.com")
	local := netip.MustParseAddrPort("127.0.0.1:80")
	if n := testing.AllocsPerRun(100, func() { tab.SelectSNI(local, name) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
