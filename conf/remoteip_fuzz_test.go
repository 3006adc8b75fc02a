package conf

import (
	"encoding/json"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRemoteIPDirective: any arguments either fail or build a
// configuration that survives the JSON snapshot unchanged; no panics, no
// DNS (Resolve is a stub).
func FuzzRemoteIPDirective(f *testing.F) {
	f.Add(uint8(2), "10.0.0.0/8 ::1 10.1 10.0.0.0/255.0.255.0")
	f.Add(uint8(3), "proxy.example 2001:db8::/33")
	f.Add(uint8(7), "192.0.2.0/24 foo")
	f.Add(uint8(0), "X-Forwarded-For")
	f.Fuzz(func(t *testing.T, which uint8, args string) {
		b := RemoteIPBuilder{ServerRoot: "testdata/remoteip", Resolve: func(h string) ([]netip.Addr, error) {
			if h == "proxy.example" {
				return []netip.Addr{netip.MustParseAddr("192.0.2.9")}, nil
			}
			return nil, errNoName
		}}
		name := RemoteIPDirectives[int(which)%len(RemoteIPDirectives)]
		if !utf8.ValidString(args) {
			return // encoding/json replaces invalid UTF-8 (any snapshot string); no header name needs it
		}
		if strings.HasSuffix(name, "list") {
			return // files: covered by the table tests
		}
		if err := b.Directive(name, strings.Fields(args)); err != nil {
			return
		}
		c := b.Finish()
		data, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var back RemoteIPServer
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*c, back) {
			t.Fatalf("round trip\n%+v\n%+v", *c, back)
		}
	})
}

func TestRemoteIPLocalhost(t *testing.T) {
	// Apache accepts "RemoteIPInternalProxy localhost" (apache2 -t: Syntax
	// OK); /etc/hosts names 127.0.0.1.
	var b RemoteIPBuilder
	if err := b.Directive("RemoteIPInternalProxy", []string{"localhost"}); err != nil {
		t.Skip("no localhost here:", err)
	}
	found := false
	for _, p := range b.Finish().Proxies {
		found = found || p.Match.Contains(netip.MustParseAddr("127.0.0.1"))
	}
	if !found {
		t.Fatalf("%+v", b.Finish().Proxies)
	}
}
