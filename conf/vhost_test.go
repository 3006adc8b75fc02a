package conf

import (
	"context"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// vhostResolver is a fixed resolver: localhost is 127.0.0.1, dual.test
// has an IPv4 and an IPv6 address, 127.0.0.1 is named localhost. (as Go's
// resolver returns names), everything else fails.
type vhostResolver struct{}

var errNXDomain = errors.New("no such host")

func (vhostResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	switch host {
	case "localhost":
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	case "dual.test":
		return []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")}, nil
	case "vm":
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	return nil, errNXDomain
}

func (vhostResolver) LookupAddr(_ context.Context, addr string) ([]string, error) {
	switch addr {
	case "127.0.0.1":
		return []string{"localhost."}, nil
	case "192.0.2.1":
		return []string{"www.dual.test."}, nil
	}
	return nil, errNXDomain
}

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

// TestParseVHostAddr checks get_addresses. The error texts are those
// `apache2 -t` printed for the same <VirtualHost> lines (Apache 2.4.71).
func TestParseVHostAddr(t *testing.T) {
	any4 := netip.IPv4Unspecified()
	tests := []struct {
		in      string
		defPort int
		want    []VHostAddr
		warn    string
		err     error
	}{
		{"*:80", 0, []VHostAddr{{"*", any4, 80}}, "", nil},
		{"*", 0, []VHostAddr{{"*", any4, 0}}, "", nil},
		{"*", 8080, []VHostAddr{{"*", any4, 0}}, "", nil}, // "*" alone is a wildcard port
		{"*:*", 80, []VHostAddr{{"*", any4, 0}}, "", nil},
		{"_default_:443", 0, []VHostAddr{{"_default_", any4, 443}}, "", nil},
		{"_DEFAULT_", 81, []VHostAddr{{"_DEFAULT_", any4, 81}}, "", nil},
		{"127.0.0.1:8080", 0, []VHostAddr{{"127.0.0.1", ip("127.0.0.1"), 8080}}, "", nil},
		{"127.0.0.1", 0, []VHostAddr{{"127.0.0.1", ip("127.0.0.1"), 0}}, "", nil},
		{"127.0.0.1", 8443, []VHostAddr{{"127.0.0.1", ip("127.0.0.1"), 8443}}, "", nil},
		{"127.0.0.1:*", 8443, []VHostAddr{{"127.0.0.1", ip("127.0.0.1"), 0}}, "", nil},
		{"0.0.0.0:80", 0, []VHostAddr{{"0.0.0.0", ip("0.0.0.0"), 80}}, "", nil},
		{"[::1]:80", 0, []VHostAddr{{"::1", ip("::1"), 80}}, "", nil},
		{"[::1]", 0, []VHostAddr{{"::1", ip("::1"), 0}}, "", nil},
		{"[::ffff:127.0.0.1]:80", 0, []VHostAddr{{"::ffff:127.0.0.1", ip("127.0.0.1"), 80}}, "", nil},
		{"[fe80::1%lo]:80", 0, []VHostAddr{{"fe80::1", ip("fe80::1%lo"), 80}}, "", nil},
		{"localhost:80", 0, []VHostAddr{{"localhost", ip("127.0.0.1"), 80}}, "", nil},
		{"dual.test:80", 0, []VHostAddr{{"dual.test", ip("192.0.2.1"), 80}, {"dual.test", ip("2001:db8::1"), 80}}, "", nil},
		{"nonexistent.invalid:80", 0, nil, "AH00547: Could not resolve host name nonexistent.invalid -- ignoring!", nil},
		{"127.0.0.1:abc", 0, nil, "AH00547: Could not resolve host name 127.0.0.1:abc -- ignoring!", nil},
		{"::1", 0, nil, "AH00547: Could not resolve host name : -- ignoring!", nil}, // port 1 of host ":"
		{"127.0.0.1:0", 0, nil, "", ErrVHostAddrInvalid},
		{":80", 0, nil, "", ErrVHostAddrInvalid},
		{"80", 0, nil, "", ErrVHostAddrMissing},
		{"[::1", 0, nil, "", ErrVHostAddrInvalid},
		{"[zz]:80", 0, nil, "", ErrVHostAddrInvalid},
		{"127.0.0.1:99999", 0, nil, "", ErrVHostAddrInvalid},
		{"[::1%]:80", 0, nil, "", ErrVHostAddrInvalid},
		{"", 0, nil, "", nil},
	}
	for _, tt := range tests {
		got, warn, err := ParseVHostAddr(context.Background(), tt.in, tt.defPort, vhostResolver{})
		if !errors.Is(err, tt.err) || warn != tt.warn || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseVHostAddr(%q, %d) = %v, %q, %v; want %v, %q, %v", tt.in, tt.defPort, got, warn, err, tt.want, tt.warn, tt.err)
		}
	}
}

func TestVHostAddrString(t *testing.T) {
	for in, want := range map[string]string{
		"*:80": "*:80", "_default_": "*:*", "127.0.0.1:*": "127.0.0.1:*", "[::1]:8080": "[::1]:8080",
		"[::]:80": "*:80", "[::ffff:10.0.0.1]:80": "10.0.0.1:80",
	} {
		a, _, err := ParseVHostAddr(context.Background(), in, 0, nil)
		if err != nil || len(a) != 1 {
			t.Fatalf("ParseVHostAddr(%q) = %v, %v", in, a, err)
		}
		if got := a[0].String(); got != want {
			t.Errorf("%q: String() = %q, want %q", in, got, want)
		}
	}
}

func TestNewVirtualHost(t *testing.T) {
	ctx := context.Background()
	v, warns, err := NewVirtualHost(ctx, "h.conf", 7, []string{"127.0.0.1", "[::1]:81", "nonexistent.invalid"}, 8080, vhostResolver{})
	if err != nil {
		t.Fatal(err)
	}
	want := []VHostAddr{{"127.0.0.1", ip("127.0.0.1"), 8080}, {"::1", ip("::1"), 81}}
	if !reflect.DeepEqual(v.Addrs, want) || v.Port != 8080 || v.Pos() != "h.conf:7" || v.Args != "127.0.0.1 [::1]:81 nonexistent.invalid" {
		t.Errorf("NewVirtualHost = %+v", v)
	}
	if len(warns) != 1 || warns[0] != "h.conf:7: AH00547: Could not resolve host name nonexistent.invalid -- ignoring!" {
		t.Errorf("warnings = %q", warns)
	}
	// The first address's port becomes the vhost's; a ServerName sets
	// it again, to 0 when it has no port (Apache then uses the scheme's
	// default port for %p and redirects).
	v, _, _ = NewVirtualHost(ctx, "h.conf", 1, []string{"*:8443"}, 0, nil)
	if v.Port != 8443 {
		t.Errorf("Port = %d, want 8443", v.Port)
	}
	v.SetServerName(ServerName{Host: "www.example.com"})
	if v.Port != 0 || !v.NameSet {
		t.Errorf("after ServerName without port: Port = %d, NameSet = %v", v.Port, v.NameSet)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "h.conf:3: <VirtualHost>: <VirtualHost> directive requires additional arguments"},
		{[]string{"127.0.0.1:80", ":81"}, "h.conf:3: <VirtualHost>: The address or port is invalid"},
		{[]string{"80"}, "h.conf:3: <VirtualHost>: Missing address for VirtualHost"},
	} {
		_, _, err := NewVirtualHost(ctx, "h.conf", 3, tt.args, 0, nil)
		var ce *Error
		if err == nil || err.Error() != tt.want || !errors.As(err, &ce) {
			t.Errorf("NewVirtualHost(%q) error = %v, want %q", tt.args, err, tt.want)
		}
	}
	// <VirtualHost ""> is accepted by Apache: a vhost with no address.
	if v, _, err := NewVirtualHost(ctx, "h.conf", 3, []string{""}, 0, nil); err != nil || len(v.Addrs) != 0 {
		t.Errorf(`NewVirtualHost("") = %+v, %v`, v, err)
	}
}

func TestParseServerName(t *testing.T) {
	tests := []struct {
		in   string
		want ServerName
		err  string
	}{
		{"www.example.com", ServerName{Host: "www.example.com"}, ""},
		{"WWW.Example.com:8080", ServerName{Host: "WWW.Example.com", Port: 8080}, ""},
		{"HTTPS://www.example.com:443", ServerName{Scheme: "https", Host: "www.example.com", Port: 443}, ""},
		{"https://www.example.com", ServerName{Scheme: "https", Host: "www.example.com"}, ""},
		{"*.example.com", ServerName{}, `Invalid ServerName "*.example.com" use ServerAlias to set multiple server names.`},
		{"example.com:0", ServerName{}, `The port number "example.com:0" is outside the appropriate range (i.e., 1..65535).`},
		{"example.com:x", ServerName{}, `The port number "example.com:x" is outside the appropriate range (i.e., 1..65535).`},
		{"example.com:65536", ServerName{}, `The port number "example.com:65536" is outside the appropriate range (i.e., 1..65535).`},
	}
	for _, tt := range tests {
		got, err := ParseServerName(tt.in)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
			t.Errorf("ParseServerName(%q) = %+v, %v; want %+v, %q", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestAddServerAlias(t *testing.T) {
	var v VirtualHost
	v.AddServerAlias("example.com", "*.example.com", "w?.example.net", "[x].example")
	v.AddServerAlias("other.example")
	if !reflect.DeepEqual(v.Aliases, []string{"example.com", "[x].example", "other.example"}) ||
		!reflect.DeepEqual(v.WildAliases, []string{"*.example.com", "w?.example.net"}) {
		t.Errorf("Aliases = %q, WildAliases = %q", v.Aliases, v.WildAliases)
	}
	if ErrServerAliasOutsideVHost.Error() != "ServerAlias only used in <VirtualHost>" {
		t.Error(ErrServerAliasOutsideVHost)
	}
}

// TestFinishVirtualHosts checks the names ap_fini_vhost_config gives
// vhosts without ServerName (compared with apache2 -S: "main.example" for
// a *:port vhost, "localhost" for 127.0.0.1,
// "bogus_host_without_reverse_dns" and AH00549 for 127.0.0.2).
func TestFinishVirtualHosts(t *testing.T) {
	ctx := context.Background()
	mk := func(line int, addrs ...string) *VirtualHost {
		v, _, err := NewVirtualHost(ctx, "f.conf", line, addrs, 0, vhostResolver{})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	named := mk(1, "*:80")
	named.SetServerName(ServerName{Host: "Named.example"})
	vs := []*VirtualHost{named, mk(2, "*:80"), mk(3, "127.0.0.1:80", "*:81"), mk(4, "127.0.0.1:80"),
		mk(5, "127.0.0.2:80"), mk(6, "nonexistent.invalid"), mk(7, "[fe80::1%lo]:80")}
	warns := FinishVirtualHosts(ctx, vs, "main.example", vhostResolver{})
	var got []string
	for _, v := range vs {
		got = append(got, v.Name.Host)
	}
	want := []string{"Named.example", "main.example", "main.example", "localhost", "bogus_host_without_reverse_dns",
		"bogus_host_without_forward_dns", "bogus_host_without_reverse_dns"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("names = %q, want %q", got, want)
	}
	wantWarn := []string{
		"f.conf:5: AH00549: Failed to resolve server name for 127.0.0.2 (check DNS) -- or specify an explicit ServerName",
		"f.conf:7: AH00549: Failed to resolve server name for fe80::1%lo (check DNS) -- or specify an explicit ServerName",
	}
	if !reflect.DeepEqual(warns, wantWarn) {
		t.Errorf("warnings = %q, want %q", warns, wantWarn)
	}
}

func TestLocalHostName(t *testing.T) {
	ctx := context.Background()
	// "vm" resolves to 127.0.0.1, named "localhost" (no dot): Apache
	// falls back to the address and says so (AH00558).
	name, alert := LocalHostName(ctx, "vm", "apache2", vhostResolver{})
	if name != "127.0.0.1" || alert != "AH00558: apache2: Could not reliably determine the server's fully qualified domain name, using 127.0.0.1. Set the 'ServerName' directive globally to suppress this message" {
		t.Errorf("LocalHostName(vm) = %q, %q", name, alert)
	}
	if name, alert := LocalHostName(ctx, "dual.test", "x", vhostResolver{}); name != "www.dual.test" || alert != "" {
		t.Errorf("LocalHostName(dual.test) = %q, %q", name, alert)
	}
	if name, _ := LocalHostName(ctx, "nowhere", "x", vhostResolver{}); name != "127.0.0.1" {
		t.Errorf("LocalHostName(nowhere) = %q", name)
	}
}

func TestUseCanonicalName(t *testing.T) {
	for in, want := range map[string]UseCanonicalName{"On": CanonicalOn, "off": CanonicalOff, "DNS": CanonicalDNS} {
		if got, err := ParseUseCanonicalName(in); got != want || err != nil || !strings.EqualFold(got.String(), in) {
			t.Errorf("ParseUseCanonicalName(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseUseCanonicalName("foo"); err == nil || err.Error() != "parameter must be 'on', 'off', or 'dns'" {
		t.Errorf("ParseUseCanonicalName(foo) error = %v", err)
	}
	if _, err := ParseUseCanonicalPhysicalPort("foo"); err == nil || err.Error() != "parameter must be 'on' or 'off'" {
		t.Errorf("ParseUseCanonicalPhysicalPort(foo) error = %v", err)
	}
	if on, err := ParseUseCanonicalPhysicalPort("ON"); !on || err != nil {
		t.Errorf("ParseUseCanonicalPhysicalPort(ON) = %v, %v", on, err)
	}
	if MergeCanonicalName(CanonicalOn, CanonicalUnset) != CanonicalOn || MergeCanonicalName(CanonicalOn, CanonicalDNS) != CanonicalDNS {
		t.Error("MergeCanonicalName")
	}
}

func TestCheckVHostListen(t *testing.T) {
	ctx := context.Background()
	mk := func(line int, addrs ...string) *VirtualHost {
		v, _, err := NewVirtualHost(ctx, "l.conf", line, addrs, 0, vhostResolver{})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	listen := []Listen{{Host: "127.0.0.1", Port: 8080}, {Host: "", Port: 8081}, {Host: "::1", Port: 8082}, {Host: "localhost", Port: 8083}}
	ok := []*VirtualHost{
		mk(1, "*:8080"), mk(2, "_default_:8081"), mk(3, "127.0.0.1:8080"), mk(4, "127.0.0.9:8081"),
		mk(5, "[::1]:8082"), mk(6, "127.0.0.1:8083"), mk(7, "127.0.0.1:*"), mk(8, "*"), mk(9, "[::ffff:127.0.0.1]:8080"),
		mk(13, "127.0.0.3:*"), // the wildcard Listen on 8081 reaches it
	}
	if err := CheckVHostListen(ctx, ok, listen, vhostResolver{}); err != nil {
		t.Errorf("CheckVHostListen: %v", err)
	}
	bad := []*VirtualHost{mk(10, "127.0.0.2:8080"), mk(11, "*:9090"), mk(12, "127.0.0.1:8082", "127.0.0.1:8080")}
	err := CheckVHostListen(ctx, bad, listen, vhostResolver{})
	want := []string{
		`l.conf:10: <VirtualHost>: address 127.0.0.2:8080 of <VirtualHost 127.0.0.2:8080> is not listened on: no Listen directive covers it, so it would never get a request (add "Listen 127.0.0.2:8080" or fix the address)`,
		`l.conf:11: <VirtualHost>: address *:9090 of <VirtualHost *:9090> is not listened on: no Listen directive covers it, so it would never get a request (add "Listen 9090" or fix the address)`,
		`l.conf:12: <VirtualHost>: address 127.0.0.1:8082 of <VirtualHost 127.0.0.1:8082 127.0.0.1:8080> is not listened on: no Listen directive covers it, so it would never get a request (add "Listen 127.0.0.1:8082" or fix the address)`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("CheckVHostListen error:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}
	if err := CheckVHostListen(ctx, []*VirtualHost{mk(14, "127.0.0.3:*")}, listen[:1], nil); err == nil ||
		!strings.Contains(err.Error(), `(add "Listen 127.0.0.3:80" or fix the address)`) {
		t.Errorf("CheckVHostListen(127.0.0.3:*) = %v", err)
	}
	var ce *Error
	if !errors.As(err, &ce) || ce.Line != 10 || ce.Directive != "<VirtualHost>" {
		t.Errorf("errors.As(*Error) = %+v", ce)
	}
}
