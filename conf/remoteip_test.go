package conf

import (
	"encoding/json"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// Error texts observed with apache2 -t (Apache 2.4.71, mod_remoteip.so);
// the configurations are in testdata/remoteip/apache.sh.
func TestRemoteIPDirectiveErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"RemoteIPInternalProxy", []string{"10.0.0.300"}, "RemoteIP: Error parsing IP 10.0.0.300 (The specified IP address is invalid. error) for RemoteIPInternalProxy"},
		{"RemoteIPInternalProxy", []string{"10.0.0.0/40"}, "RemoteIP: Error parsing IP 10.0.0.0/40 (The specified network mask is invalid. error) for RemoteIPInternalProxy"},
		{"RemoteIPInternalProxy", []string{"nosuchhost.invalid"}, "RemoteIP: Error parsing IP nosuchhost.invalid (Name or service not known error) for RemoteIPInternalProxy"},
		{"RemoteIPInternalProxy", []string{"localhost/8"}, "RemoteIP: Error parsing IP localhost/8 the subnet /8 is invalid for RemoteIPInternalProxy"},
		{"RemoteIPTrustedProxy", []string{"10.0.0.1", "x/1"}, "RemoteIP: Error parsing IP x/1 the subnet /1 is invalid for RemoteIPTrustedProxy"},
		{"RemoteIPTrustedProxyList", []string{"nofile"}, "RemoteIPTrustedProxyList: Could not open file testdata/remoteip/nofile: No such file or directory"},
		{"RemoteIPTrustedProxyList", []string{"bad.list"}, "RemoteIP: Error parsing IP bad/8 the subnet /8 is invalid for RemoteIPTrustedProxyList at line 3 of testdata/remoteip/bad.list"},
		{"RemoteIPProxyProtocol", []string{"maybe"}, "RemoteIPProxyProtocol must be On or Off"},
		{"RemoteIPProxyProtocolExceptions", nil, "RemoteIPProxyProtocolExceptions requires an argument"},
		{"RemoteIPProxyProtocolExceptions", []string{"foo"}, "ip address 'foo' appears to be invalid"},
		{"RemoteIPProxyProtocolExceptions", []string{"10.0.0.300"}, "ip address '10.0.0.300' appears to be invalid: The specified IP address is invalid."},
		{"RemoteIPProxyProtocolExceptions", []string{"10.0.0.0/99"}, "ip address '10.0.0.0' appears to be invalid: The specified network mask is invalid."},
		{"RemoteIPHeader", nil, "RemoteIPHeader takes one argument, Specifies a request header to trust as the client IP, e.g. X-Forwarded-For"},
		{"RemoteIPHeader", []string{"a", "b"}, "RemoteIPHeader takes one argument, Specifies a request header to trust as the client IP, e.g. X-Forwarded-For"},
		{"RemoteIPInternalProxy", nil, "RemoteIPInternalProxy requires at least one argument, Specifies one or more internal (transparent) proxies which are trusted to present IP headers"},
	}
	for _, tt := range tests {
		b := RemoteIPBuilder{ServerRoot: "testdata/remoteip", Resolve: fakeResolve}
		err := b.Directive(tt.name, tt.args)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s %q: %v\nwant %s", tt.name, tt.args, err, tt.want)
		}
	}
}

func fakeResolve(host string) ([]netip.Addr, error) {
	if host == "proxy.example" {
		return []netip.Addr{netip.MustParseAddr("2001:db8::9"), netip.MustParseAddr("192.0.2.9")}, nil
	}
	return nil, errNoName
}

func TestRemoteIPBuild(t *testing.T) {
	b := RemoteIPBuilder{ServerRoot: "testdata/remoteip", Resolve: fakeResolve}
	for _, d := range [][]string{
		{"remoteipheader", "X-Forwarded-For"},
		{"RemoteIPProxiesHeader", "X-Forwarded-By"},
		{"RemoteIPInternalProxy", "127.0.0.0/8", "10.1"},
		{"RemoteIPTrustedProxy", "proxy.example"},
		{"RemoteIPTrustedProxyList", "good.list"},
		{"RemoteIPProxyProtocol", "on"},
		{"RemoteIPProxyProtocolExceptions", "192.0.2.0/24", "2001:db8::1"},
	} {
		if err := b.Directive(d[0], d[1:]); err != nil {
			t.Fatal(err)
		}
	}
	c := b.Finish()
	var got []string
	for _, p := range c.Proxies {
		got = append(got, p.Match.String()+map[bool]string{true: " internal", false: ""}[p.Internal])
	}
	want := []string{"127.0.0.0/8 internal", "10.1.0.0/16 internal", "192.0.2.9/32", "2001:db8::9/128",
		"10.0.0.1/32", "10.0.0.2/32", "192.168.0.0/16", "2001:db8::/32"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("proxies %q\nwant %q", got, want)
	}
	if c.Header != "X-Forwarded-For" || c.ProxiesHeader != "X-Forwarded-By" || c.ProxyProtocol != RemoteIPOn {
		t.Fatalf("%+v", c)
	}
	ex, err := ExceptionPrefixes(c, nil)
	if err != nil || len(ex) != 2 || ex[0].String() != "192.0.2.0/24" || ex[1].String() != "2001:db8::1/128" {
		t.Fatalf("exceptions %v %v", ex, err)
	}
	// JSON round trip.
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back RemoteIPServer
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*c, back) {
		t.Fatalf("round trip:\n%+v\n%+v\n%s", *c, back, data)
	}
	if (&RemoteIPBuilder{}).Finish() != nil {
		t.Fatal("Finish without directives")
	}
}

func TestRemoteIPExceptionMask(t *testing.T) {
	var b RemoteIPBuilder
	if err := b.Directive("RemoteIPProxyProtocolExceptions", []string{"10.0.0.0/255.0.255.0"}); err != nil {
		t.Fatal(err) // Apache accepts it
	}
	if _, err := ExceptionPrefixes(b.Finish()); err == nil || !strings.Contains(err.Error(), "non-contiguous") {
		t.Fatal(err)
	}
}

func TestMergeRemoteIP(t *testing.T) {
	main := &RemoteIPServer{Header: "X-Forwarded-For", Proxies: []RemoteIPProxy{{Internal: true}}, ProxyProtocol: RemoteIPOn}
	v := &RemoteIPServer{ProxiesHeader: "X-By"}
	m := MergeRemoteIP(main, v)
	if m.Header != "X-Forwarded-For" || m.ProxiesHeader != "X-By" || len(m.Proxies) != 1 || m.ProxyProtocol != 0 {
		t.Fatalf("%+v", m)
	}
	// testdata/apache-merge.sh (site/remoteip): the vhost's entries first.
	v2 := &RemoteIPServer{Header: "X-Real-IP", Proxies: []RemoteIPProxy{{Match: IPMatch{Prefix: netip.MustParsePrefix("127.0.0.1/32")}}}}
	if m := MergeRemoteIP(main, v2); m.Header != "X-Real-IP" || len(m.Proxies) != 2 || m.Proxies[0].Internal || !m.Proxies[1].Internal {
		t.Fatalf("%+v", m)
	}
	if w := RemoteIPMergeWarning(main, v2, "/x.conf:30"); w != "AH10633: RemoteIP proxy entries are configured in both the main server and the virtual host defined at /x.conf:30, they are merged" {
		t.Fatal(w)
	}
	if RemoteIPMergeWarning(main, v, "x") != "" {
		t.Fatal("warning without vhost proxies")
	}
	if MergeRemoteIP(main, nil) != main || MergeRemoteIP(nil, v) != v {
		t.Fatal("nil merge")
	}
}

func TestRemoteIPProxyProtocolTable(t *testing.T) {
	a := netip.MustParseAddrPort
	var tb RemoteIPProxyProtocolTable
	tb.Set([]netip.AddrPort{a("0.0.0.0:0")}, true)       // main server On
	tb.Set([]netip.AddrPort{a("127.0.0.1:8081")}, false) // <VirtualHost 127.0.0.1:8081> Off
	tb.Set([]netip.AddrPort{a("[::]:8082")}, false)      // <VirtualHost *:8082> Off
	tb.Set([]netip.AddrPort{a("127.0.0.1:8081")}, true)  // a later vhost turns it on again
	for _, tt := range []struct {
		local string
		want  bool
	}{{"127.0.0.1:80", true}, {"127.0.0.1:8081", true}, {"10.0.0.1:8082", false}, {"[::1]:8082", false}, {"[::1]:80", true}} {
		if got := tb.On(a(tt.local)); got != tt.want {
			t.Errorf("On(%s) = %v, want %v (%+v)", tt.local, got, tt.want, tb)
		}
	}
	// testdata/apache-merge.conf: On in the main server ("AH03492:
	// RemoteIPProxyProtocol: enabled on 0.0.0.0:0"), Off in two vhosts
	// (AH03494 "disabled on 127.0.0.1:18479"): a plain request to the
	// third vhost was closed, the Off ones served.
	var m RemoteIPProxyProtocolTable
	m.Set([]netip.AddrPort{a("0.0.0.0:0")}, true)
	m.Set([]netip.AddrPort{a("127.0.0.1:18478")}, false)
	m.Set([]netip.AddrPort{a("127.0.0.1:18479")}, false)
	if !m.On(a("127.0.0.1:18477")) || m.On(a("127.0.0.1:18478")) || m.On(a("127.0.0.1:18479")) {
		t.Errorf("%+v", m)
	}
	var off RemoteIPProxyProtocolTable
	if off.On(a("127.0.0.1:80")) {
		t.Error("empty table is on")
	}
}
