package conf

import (
	"net/netip"
	"strings"
	"testing"
)

// TestRemoteIPWiring: mod_remoteip's directives reach each server's
// SiteConfig.RemoteIP (a vhost's merged onto the main server's) and
// RemoteIPProxyProtocol the engines' table.
func TestRemoteIPWiring(t *testing.T) {
	cfg, _, err := loadText(t, `Listen 127.0.0.1:80
Listen 127.0.0.1:81
RemoteIPHeader X-Forwarded-For
RemoteIPInternalProxy 10.0.0.0/8
RemoteIPProxyProtocolExceptions 127.0.0.2
<VirtualHost 127.0.0.1:81>
    ServerName pp.example
    RemoteIPProxyProtocol On
    RemoteIPTrustedProxy 127.0.0.1
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.Site.RemoteIP; r == nil || r.Header != "X-Forwarded-For" || len(r.Proxies) != 1 || !r.Proxies[0].Internal {
		t.Fatalf("main RemoteIP = %+v", r)
	}
	v := cfg.Servers[0].Site.RemoteIP
	if v == nil || v.Header != "X-Forwarded-For" || len(v.Proxies) != 2 || v.Proxies[0].Internal {
		t.Fatalf("vhost RemoteIP = %+v", v)
	}
	pp := cfg.ProxyProtocol
	if pp == nil || !pp.Table.On(netip.MustParseAddrPort("127.0.0.1:81")) || pp.Table.On(netip.MustParseAddrPort("127.0.0.1:80")) ||
		len(pp.Exceptions) != 1 || pp.Exceptions[0] != netip.MustParsePrefix("127.0.0.2/32") {
		t.Fatalf("ProxyProtocol = %+v", pp)
	}
	if !strings.Contains(strings.Join(cfg.Notices, "\n"), "AH10633") {
		t.Errorf("notices %q lack the merge warning AH10633", cfg.Notices)
	}
	b, err := cfg.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	back, err := FromSnapshot(b)
	if err != nil {
		t.Fatal(err)
	}
	if back.ProxyProtocol == nil || !back.ProxyProtocol.Table.On(netip.MustParseAddrPort("127.0.0.1:81")) || back.Servers[0].Site.RemoteIP.Header != "X-Forwarded-For" {
		t.Errorf("decoded: %+v", back.ProxyProtocol)
	}

	// The main server's On covers every address.
	cfg, _, err = loadText(t, "Listen 127.0.0.1:80\nRemoteIPProxyProtocol On\n")
	if err != nil || cfg.ProxyProtocol == nil || !cfg.ProxyProtocol.Table.On(netip.MustParseAddrPort("127.0.0.1:80")) {
		t.Fatalf("main On: %v %+v", err, cfg)
	}
	// Off alone: nothing for the engines.
	cfg, _, err = loadText(t, "Listen 127.0.0.1:80\nRemoteIPProxyProtocol Off\n")
	if err != nil || cfg.ProxyProtocol != nil {
		t.Fatalf("main Off: %v %+v", err, cfg.ProxyProtocol)
	}
}

// TestRemoteIPWiringErrors: Apache's context rule and texts.
func TestRemoteIPWiringErrors(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"Listen 80\n<Location />\nRemoteIPHeader X-Forwarded-For\n</Location>\n", "RemoteIPHeader not allowed in <Location> context"},
		{"Listen 80\n<Directory /tmp>\nRemoteIPTrustedProxy 10.0.0.1\n</Directory>\n", "RemoteIPTrustedProxy not allowed in <Directory> context"},
		{"Listen 80\nRemoteIPProxyProtocol maybe\n", "RemoteIPProxyProtocol must be On or Off"},
		{"Listen 80\nRemoteIPTrustedProxyList /nonexistent/list\n", "RemoteIPTrustedProxyList"},
	} {
		_, _, err := loadText(t, tt.text)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%q) = %v, want %q", tt.text, err, tt.want)
		}
	}
}
