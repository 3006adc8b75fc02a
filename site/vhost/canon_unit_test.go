package vhost

import (
	"net/netip"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
)

// TestMatchesRequestVHost follows ap_matches_request_vhost: the
// <VirtualHost> addresses as written (with their ports), then, on the
// server's own port only, ServerName and ServerAlias.
func TestMatchesRequestVHost(t *testing.T) {
	v1 := &conf.VirtualHost{File: "m.conf", Line: 1, Port: 8080,
		Addrs: []conf.VHostAddr{{Host: "127.0.0.1", IP: netip.MustParseAddr("127.0.0.1"), Port: 8080},
			{Host: "Web.Local", IP: netip.MustParseAddr("127.0.0.3"), Port: 0}}}
	v1.SetServerName(conf.ServerName{Host: "WWW.Example.com", Port: 8080})
	v1.AddServerAlias("example.com", "*.example.net")
	tab := NewTable(conf.ServerName{Host: "main.example"}, []*conf.VirtualHost{v1}, Options{})
	var m Match
	tab.Select(&m, netip.MustParseAddrPort("127.0.0.1:8080"), []byte("www.example.com"), true)
	if m.Server != 1 {
		t.Fatalf("Server = %d", m.Server)
	}
	for _, tt := range []struct {
		host string
		port int
		want bool
	}{
		{"www.example.com", 8080, true},
		{"WWW.EXAMPLE.COM", 8080, true},
		{"www.example.com", 80, false}, // not the server's port
		{"Example.com", 8080, true},
		{"a.b.example.net", 8080, true},
		{"a.b.example.net", 81, false},
		{"127.0.0.1", 8080, true},
		{"127.0.0.1", 81, false},
		{"web.local", 12345, true}, // an address with any port
		{"other", 8080, false},
	} {
		if got := tab.MatchesRequestVHost(&m, []byte(tt.host), tt.port); got != tt.want {
			t.Errorf("MatchesRequestVHost(%q, %d) = %v, want %v", tt.host, tt.port, got, tt.want)
		}
	}
	tab.Select(&m, netip.MustParseAddrPort("127.0.0.9:80"), []byte("x"), true)
	if m.Server != Main || tab.MatchesRequestVHost(&m, []byte("main.example"), 80) || !tab.MatchesRequestVHost(&m, []byte("main.example"), 0) {
		t.Errorf("main server: Server %d, main.example:80 %v, :0 %v", m.Server,
			tab.MatchesRequestVHost(&m, []byte("main.example"), 80), tab.MatchesRequestVHost(&m, []byte("main.example"), 0))
	}
}
