package remoteip

import (
	"encoding/json"
	"net/netip"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

func jsonRoundTrip(t testing.TB, c *conf.RemoteIPServer) *conf.RemoteIPServer {
	t.Helper()
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back conf.RemoteIPServer
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	return &back
}

// Cases after the manual's examples (docs/manual/mod/mod_remoteip.xml:
// RemoteIPInternalProxy 10.0.2.0/24 with X-Client-IP, RemoteIPTrustedProxy
// 10.0.2.16/28 with X-Forwarded-For) and remoteip_modify_request's edges.
func TestWalkManual(t *testing.T) {
	internal := buildConfig(t, []string{"RemoteIPHeader X-Client-IP", "RemoteIPInternalProxy 10.0.2.0/24", "RemoteIPInternalProxy 10.0.3.1"})
	trusted := buildConfig(t, []string{"RemoteIPHeader X-Forwarded-For", "RemoteIPTrustedProxy 10.0.2.16/28", "RemoteIPTrustedProxy 198.51.100.0/24"})
	tests := []struct {
		name      string
		cfg       *Config
		peer      string
		value     string
		client    string // "" unchanged
		remaining string
		remove    bool
		ips       string
		debug     string
	}{
		{name: "internal: private client kept", cfg: internal, peer: "10.0.2.5", value: "192.168.1.10", client: "192.168.1.10", remove: true},
		{name: "internal chain", cfg: internal, peer: "10.0.2.5", value: "203.0.113.1, 10.0.3.1", client: "203.0.113.1", remove: true},
		{name: "untrusted peer", cfg: internal, peer: "203.0.113.50", value: "1.2.3.4"},
		{name: "trusted: private refused", cfg: trusted, peer: "10.0.2.17", value: "192.168.1.10", debug: "AH01569: RemoteIP: Header X-Forwarded-For value of 192.168.1.10 appears to be a private IP or nonsensical.  Ignored"},
		{name: "trusted chain", cfg: trusted, peer: "10.0.2.17", value: "203.0.113.7, 198.51.100.9", client: "203.0.113.7", remove: true, ips: "10.0.2.17, 198.51.100.9"},
		{name: "stops at untrusted", cfg: trusted, peer: "10.0.2.17", value: "203.0.113.8, 203.0.113.7", client: "203.0.113.7", remaining: "203.0.113.8", ips: "10.0.2.17"},
		{name: "unparsable", cfg: trusted, peer: "10.0.2.17", value: "x, 198.51.100.9", client: "198.51.100.9", remaining: "x", ips: "10.0.2.17"},
		{name: "unparsable last", cfg: trusted, peer: "10.0.2.17", value: " x ", debug: "AH01568: RemoteIP: Header X-Forwarded-For value of x cannot be parsed as a client IP"},
		{name: "empty", cfg: trusted, peer: "10.0.2.17", value: "203.0.113.7,,198.51.100.9", client: "198.51.100.9", remaining: "203.0.113.7,", ips: "10.0.2.17"},
		{name: "restore keeps leading blanks", cfg: trusted, peer: "10.0.2.17", value: "a,  192.168.0.1  , 198.51.100.9", client: "198.51.100.9", remaining: "a,  192.168.0.1", ips: "10.0.2.17"},
		{name: "zone refused", cfg: trusted, peer: "10.0.2.17", value: "2001:db8::1%eth0"},
		{name: "v6 outside 2000::/3", cfg: trusted, peer: "10.0.2.17", value: "fc00::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.cfg.Walk(tt.value, netip.MustParseAddr(tt.peer))
			if tt.client == "" {
				if r.Changed {
					t.Fatalf("changed to %v", r.Client)
				}
			} else if !r.Changed || r.Client.String() != tt.client {
				t.Fatalf("client %v (changed %v), want %s", r.Client, r.Changed, tt.client)
			}
			if r.Changed && (r.Remaining != tt.remaining || r.Remove != tt.remove || r.ProxyIPs != tt.ips) {
				t.Fatalf("remaining %q remove %v ips %q; want %q %v %q", r.Remaining, r.Remove, r.ProxyIPs, tt.remaining, tt.remove, tt.ips)
			}
			if tt.debug != "" && r.Debug != tt.debug {
				t.Fatalf("debug %q\nwant %q", r.Debug, tt.debug)
			}
		})
	}
	if (*Config)(nil).Walk("1.2.3.4", netip.MustParseAddr("10.0.0.1")).Changed {
		t.Fatal("nil config changed")
	}
	if New(nil) != nil || New(&conf.RemoteIPServer{ProxiesHeader: "x"}) != nil {
		t.Fatal("New without a header")
	}
}

func TestLogLine(t *testing.T) {
	r := Result{Client: netip.MustParseAddr("203.0.113.1"), ProxyIPs: "127.0.0.1"}
	if r.LogLine() != "Using 203.0.113.1 as client's IP by proxies 127.0.0.1" {
		t.Fatal(r.LogLine())
	}
	r.ProxyIPs = ""
	if r.LogLine() != "Using 203.0.113.1 as client's IP by internal proxies" {
		t.Fatal(r.LogLine())
	}
}

func TestApplyNoHeaderAllocs(t *testing.T) {
	cfg := buildConfig(t, []string{"RemoteIPHeader X-Forwarded-For", "RemoteIPInternalProxy 127.0.0.0/8"})
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI("/")
	ctx.Request.Header.Set("User-Agent", "x")
	if n := testing.AllocsPerRun(1000, func() { cfg.Apply(&ctx) }); n != 0 {
		t.Fatalf("Apply without the header allocates %v", n)
	}
}

// FuzzWalk: never panics; the client is only changed to an address that
// was in the list; the remaining list is a prefix of the value (as
// restored by Apache: blanks may be dropped at its end).
func FuzzWalk(f *testing.F) {
	cfgs := []*Config{
		New(&conf.RemoteIPServer{Header: "X"}),
		New(&conf.RemoteIPServer{Header: "X", Proxies: []conf.RemoteIPProxy{{Match: conf.IPMatch{Prefix: netip.MustParsePrefix("127.0.0.0/8")}, Internal: true}}}),
		New(&conf.RemoteIPServer{Header: "X", Proxies: []conf.RemoteIPProxy{{Match: conf.IPMatch{Prefix: netip.MustParsePrefix("127.0.0.0/8")}}, {Match: conf.IPMatch{Prefix: netip.MustParsePrefix("0.0.0.0/0")}, Internal: true}}}),
	}
	f.Add("203.0.113.9,  192.0.2.7 ,198.51.100.3", uint8(0))
	f.Add("garbage, 203.0.113.5", uint8(1))
	f.Add(" , ,", uint8(2))
	f.Add("2001:db8::1, ::ffff:203.0.113.5", uint8(2))
	f.Fuzz(func(t *testing.T, v string, which uint8) {
		cfg := cfgs[int(which)%len(cfgs)]
		r := cfg.Walk(v, netip.MustParseAddr("127.0.0.1"))
		if !r.Changed {
			return
		}
		if !r.Client.IsValid() {
			t.Fatal("changed to an invalid address")
		}
		if !r.Remove && len(r.Remaining) > len(v) {
			t.Fatalf("remaining %q longer than %q", r.Remaining, v)
		}
	})
}
