package conf

import (
	"strings"
	"testing"
)

// TestProxyWiring: the proxy directives of real configuration files reach
// the snapshot: server ProxyPass lines in order in Site.Proxy, the
// server's ProxyPassReverse in Site.Dir.Proxy, a <Location>'s one-argument
// ProxyPass in its section's Dir.Proxy, balancers, and a virtual host's
// lines after the main server's.
func TestProxyWiring(t *testing.T) {
	cfg, _, err := loadText(t, `Listen 80
ProxyRequests Off
ProxyTimeout 7
ProxyPass /app/static !
ProxyPass /app/ http://127.0.0.1:9000/b/ timeout=3 max=4
ProxyPassReverse /app/ http://127.0.0.1:9000/b/
ProxyPassMatch ^/re/(.*)$ http://127.0.0.1:9000/r/$1
<Proxy balancer://pool>
    BalancerMember http://127.0.0.1:9001
    BalancerMember http://127.0.0.1:9002 loadfactor=2
    ProxySet lbmethod=bybusyness
</Proxy>
ProxyPass /bal/ balancer://pool/
<Location /loc/>
    ProxyPass http://127.0.0.1:9000/l/
    ProxyPassReverse http://127.0.0.1:9000/l/
    ProxyPreserveHost On
    Require all granted
</Location>
<VirtualHost *:80>
    ServerName v.example
    ProxyPass /v/ http://127.0.0.1:9003/
    ProxyAddHeaders Off
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Site.Proxy
	if p == nil || len(p.Passes) != 4 || p.Timeout.Seconds() != 7 {
		t.Fatalf("Site.Proxy = %+v", p)
	}
	if !p.Passes[0].Exclude || p.Passes[1].Worker.Max != 4 || !p.Passes[2].Regex || p.Passes[3].Balancer != "balancer://pool" {
		t.Errorf("passes = %+v", p.Passes)
	}
	if b := p.Balancer("balancer://pool"); b == nil || len(b.Members) != 2 || b.LBMethod != LBByBusyness {
		t.Errorf("balancer = %+v", b)
	}
	if d := cfg.Site.Dir.Proxy; d == nil || len(d.Reverse) != 1 || d.Reverse[0].Fake != "/app/" {
		t.Errorf("Site.Dir.Proxy = %+v", d)
	}
	locs := cfg.Site.Sections.Locations
	if len(locs) != 1 || locs[0].Dir.Proxy == nil || locs[0].Dir.Proxy.Alias == nil ||
		locs[0].Dir.Proxy.Alias.Path != "/loc/" || !locs[0].Dir.Proxy.PreserveHost || locs[0].Dir.Auth == nil {
		t.Fatalf("<Location /loc/> = %+v", locs)
	}
	merged := MergeDir(cfg.Site.Dir, locs[0].Dir)
	if len(merged.Proxy.Reverse) != 2 || merged.Proxy.Alias == nil {
		t.Errorf("merged Location proxy = %+v", merged.Proxy)
	}
	if len(cfg.Servers) != 1 {
		t.Fatalf("servers = %d", len(cfg.Servers))
	}
	v := cfg.Servers[0].Site
	if v.Proxy == nil || len(v.Proxy.Passes) != 5 || v.Proxy.Passes[4].Path != "/v/" || v.Proxy.Timeout.Seconds() != 7 {
		t.Errorf("vhost Proxy = %+v", v.Proxy)
	}
	if v.Dir.Proxy == nil || v.Dir.Proxy.AddHeaders() || len(v.Dir.Proxy.Reverse) != 1 {
		t.Errorf("vhost Dir.Proxy = %+v", v.Dir.Proxy)
	}
	// The snapshot survives the trip to the children.
	b, err := cfg.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	back, err := FromSnapshot(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Site.Proxy.Passes) != 4 || back.Site.Sections.Locations[0].Dir.Proxy.Alias == nil {
		t.Errorf("decoded proxy = %+v", back.Site.Proxy)
	}
}

// TestProxyWiringErrors: what Apache refuses, with its words, and what
// gohttpd does not implement.
func TestProxyWiringErrors(t *testing.T) {
	for _, tt := range []struct{ name, text, want string }{
		{"forward proxy", "Listen 80\nProxyRequests On\n", "ProxyRequests On (a forward proxy) is not supported by gohttpd"},
		{"in Directory", "Listen 80\n<Directory /tmp>\nProxyPass /x http://a/\n</Directory>\n", "ProxyPass cannot occur within <Directory> section"},
		{"in Files", "Listen 80\n<Files x>\nProxyPassReverse /x http://a/\n</Files>\n", "ProxyPassReverse cannot occur within <Files> section"},
		{"no path", "Listen 80\nProxyPass http://a/\n", "ProxyPass|ProxyPassMatch needs a path when not defined in a location"},
		{"path in location", "Listen 80\n<Location /x>\nProxyPass /x http://a/\n</Location>\n", "ProxyPass|ProxyPassMatch can not have a path when defined in a location."},
		{"timeout", "Listen 80\nProxyTimeout 0\n", "Proxy Timeout must be at least 1 second."},
		{"empty balancer", "Listen 80\nProxyPass /b balancer://none/\n", "balancer has no BalancerMember"},
		{"LocationMatch", "Listen 80\n<LocationMatch ^/x>\nProxyPass http://a/\n</LocationMatch>\n", "gohttpd does not implement 'ProxyPass http://a/' inside <LocationMatch ^/x>"},
		{"Require in Proxy", "Listen 80\n<Proxy balancer://p>\nBalancerMember http://a\nRequire all granted\n</Proxy>\n", "gohttpd does not implement 'Require all granted' inside <Proxy balancer://p>"},
		{"other Proxy", "Listen 80\n<Proxy *>\nRequire all granted\n</Proxy>\n", "gohttpd does not implement '<Proxy *>'"},
		{"ProxyMatch", "Listen 80\n<ProxyMatch ^http>\n</ProxyMatch>\n", "gohttpd does not implement '<ProxyMatch ^http>'"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := loadText(t, tt.text)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load(%q) = %v, want an error containing %q", tt.text, err, tt.want)
			}
		})
	}
}

// TestProxyVHostInheritsBalancers: a <VirtualHost> uses the main server's
// balancers (mod_proxy's merge_balancers). Apache 2.4.71, with the main
// server's balancer://x and balancer://y on member A and the vhost's own
// <Proxy balancer://y> on member B, sends the vhost's ProxyPass to x and
// to y both to A (observed).
func TestProxyVHostInheritsBalancers(t *testing.T) {
	for _, tt := range []struct {
		name, vhost string
		bal         string
		members     []string
		lbmethod    ProxyLBMethod
		errWant     string
	}{
		{"main's balancer", "ProxyPass / balancer://x/\n", "balancer://x", []string{"http://a"}, "", ""},
		{"main's balancer, lbmethod of the vhost", "ProxyPass / balancer://x/ lbmethod=bybusyness\n",
			"balancer://x", []string{"http://a"}, LBByBusyness, ""},
		{"both define it: the main server's members", "<Proxy balancer://x>\nBalancerMember http://b\n</Proxy>\nProxyPass / balancer://x/\n",
			"balancer://x", []string{"http://a"}, "", ""},
		{"the vhost's own", "<Proxy balancer://z>\nBalancerMember http://b\n</Proxy>\nProxyPass / balancer://z/\n",
			"balancer://z", []string{"http://b"}, "", ""},
		{"defined nowhere", "ProxyPass / balancer://none/\n", "", nil, "", "balancer has no BalancerMember"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _, err := loadText(t, "Listen 80\n<Proxy balancer://x>\nBalancerMember http://a\n</Proxy>\n"+
				"<VirtualHost *:80>\nServerName v.example\n"+tt.vhost+"</VirtualHost>\n")
			if tt.errWant != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errWant) {
					t.Fatalf("err %v, want %q", err, tt.errWant)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p := cfg.Servers[0].Site.Proxy
			b := p.Balancer(tt.bal)
			if b == nil {
				t.Fatalf("no %s in %+v", tt.bal, p.Balancers)
			}
			var got []string
			for _, m := range b.Members {
				got = append(got, m.URL)
			}
			if strings.Join(got, " ") != strings.Join(tt.members, " ") || b.LBMethod != tt.lbmethod {
				t.Errorf("%s: members %v lbmethod %q, want %v %q", tt.bal, got, b.LBMethod, tt.members, tt.lbmethod)
			}
			if main := cfg.Site.Proxy.Balancer("balancer://x"); main == nil || main.LBMethod != "" {
				t.Errorf("the main server's balancer changed: %+v", main)
			}
		})
	}
}
