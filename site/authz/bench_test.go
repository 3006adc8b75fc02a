package authz

import (
	"net/netip"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
)

func mustSection(t testing.TB, lines ...[]string) *conf.AuthConfig {
	t.Helper()
	var b conf.AuthBuilder
	for _, l := range lines {
		var err error
		switch {
		case l[0] == "<":
			err = b.Open(l[1], nil)
		case l[0] == ">":
			err = b.Close()
		default:
			err = b.Directive(l[0], l[1:])
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// hotConfigs are the configurations whose evaluation must not allocate.
func hotConfigs(t testing.TB) map[string]*conf.AuthConfig {
	return map[string]*conf.AuthConfig{
		"all granted": mustSection(t, []string{"Require", "all", "granted"}),
		"ip":          mustSection(t, []string{"Require", "ip", "10.1", "192.168.0.0/16", "2001:db8::/32", "172.16.0.0/255.240.0.0", "127.0.0.1"}),
		"ip denied":   mustSection(t, []string{"Require", "ip", "10.1", "192.168.0.0/16"}),
		"RequireAll not": mustSection(t, []string{"<", "RequireAll"}, []string{"Require", "all", "granted"},
			[]string{"Require", "not", "ip", "10.252.46.165"}, []string{">"}),
		"compat": mustSection(t, []string{"Order", "Deny,Allow"}, []string{"Deny", "from", "all"}, []string{"Allow", "from", "127.0.0.1"}),
	}
}

func hotRequest() *Request {
	return &Request{
		ClientIP: netip.MustParseAddr("127.0.0.1"),
		LocalIP:  netip.MustParseAddr("127.0.0.1"),
		Method:   conf.MethodNumber("GET"),
		URI:      "/x", Filename: "/srv/x",
	}
}

// TestHotPathAllocs makes the benchmark's promise a test: no allocation
// for granted requests of the common configurations.
func TestHotPathAllocs(t *testing.T) {
	c := NewChecker(nil)
	req := hotRequest()
	for name, cfg := range hotConfigs(t) {
		if name == "ip denied" {
			continue // a denial logs AH01630
		}
		if d := c.Check(cfg, req); d.Status != 0 {
			t.Fatalf("%s: status %d", name, d.Status)
		}
		if n := testing.AllocsPerRun(100, func() { c.Check(cfg, req) }); n != 0 {
			t.Errorf("%s: %v allocations per Check", name, n)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	c := NewChecker(nil)
	req := hotRequest()
	for name, cfg := range hotConfigs(b) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.Check(cfg, req)
			}
		})
	}
}
