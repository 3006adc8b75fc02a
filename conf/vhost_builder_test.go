package conf

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestVHostBuilder(t *testing.T) {
	ctx := context.Background()
	b := VHostBuilder{Resolver: vhostResolver{}, Hostname: func() (string, error) { return "vm", nil }}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(b.Open(ctx, "b.conf", 1, []string{"127.0.0.1"})) // before any ServerName: any port
	must(b.Directive("b.conf", 2, "ServerName", []string{"a.example"}))
	b.Close()
	must(b.Directive("b.conf", 4, "servername", []string{"https://main.example:8443"}))
	must(b.Open(ctx, "b.conf", 5, []string{"127.0.0.2", "localhost"})) // the main server's port 8443 now
	must(b.Directive("b.conf", 6, "ServerAlias", []string{"x.example", "*.y.example"}))
	must(b.Directive("b.conf", 7, "ServerAlias", nil)) // accepted, as Apache
	b.Close()
	must(b.Open(ctx, "b.conf", 9, []string{"*:8443"}))
	b.Close()
	vh, warns, err := b.Finish(ctx, []Listen{{Port: 8443}, {Host: "127.0.0.1", Port: 80}})
	must(err)
	if vh.Main != (ServerName{Scheme: "https", Host: "main.example", Port: 8443}) || len(vh.Hosts) != 3 {
		t.Fatalf("VHosts = %+v", vh)
	}
	if a := vh.Hosts[0].Addrs; len(a) != 1 || a[0].Port != 0 {
		t.Errorf("first vhost's address = %+v, want port 0 (no ServerName with a port before it)", a)
	}
	if a := vh.Hosts[1].Addrs; len(a) != 2 || a[0].Port != 8443 || a[1].Host != "localhost" {
		t.Errorf("second vhost's addresses = %+v, want port 8443", a)
	}
	var names []string
	for _, v := range vh.Hosts {
		names = append(names, v.Name.Host)
	}
	if !reflect.DeepEqual(names, []string{"a.example", "bogus_host_without_reverse_dns", "main.example"}) {
		t.Errorf("names = %q", names)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "b.conf:5: AH00549") {
		t.Errorf("warnings = %q", warns)
	}

	// The snapshot survives the trip to the children.
	data, err := json.Marshal(vh)
	must(err)
	var back VHosts
	must(json.Unmarshal(data, &back))
	if !reflect.DeepEqual(&back, vh) {
		t.Errorf("JSON round trip:\n%+v\nwant\n%+v\n%s", back, vh, data)
	}
}

func TestVHostBuilderErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(b *VHostBuilder) error
		want string
	}{
		{"alias outside", func(b *VHostBuilder) error {
			return b.Directive("e.conf", 3, "ServerAlias", []string{"x"})
		}, "e.conf:3: ServerAlias: ServerAlias only used in <VirtualHost>"},
		{"nested", func(b *VHostBuilder) error {
			if err := b.Open(ctx, "e.conf", 1, []string{"*:80"}); err != nil {
				return err
			}
			return b.Open(ctx, "e.conf", 2, []string{"*:81"})
		}, "e.conf:2: <VirtualHost>: <VirtualHost> cannot occur within <VirtualHost> section"},
		{"ServerName arity", func(b *VHostBuilder) error {
			return b.Directive("e.conf", 5, "ServerName", []string{"a", "b"})
		}, "e.conf:5: ServerName: ServerName takes one argument, The hostname and port of the server"},
		{"ServerName port", func(b *VHostBuilder) error {
			return b.Directive("e.conf", 5, "ServerName", []string{"a:0"})
		}, `e.conf:5: ServerName: The port number "a:0" is outside the appropriate range (i.e., 1..65535).`},
		{"ServerPath arity", func(b *VHostBuilder) error {
			return b.Directive("e.conf", 6, "ServerPath", nil)
		}, "e.conf:6: ServerPath: ServerPath takes one argument, The pathname the server can be reached at"},
		{"bad address", func(b *VHostBuilder) error {
			return b.Open(ctx, "e.conf", 7, []string{"*:80", "[::1"})
		}, "e.conf:7: <VirtualHost>: The address or port is invalid"},
		{"not listened", func(b *VHostBuilder) error {
			if err := b.Open(ctx, "e.conf", 8, []string{"127.0.0.5:80"}); err != nil {
				return err
			}
			b.Close()
			_, _, err := b.Finish(ctx, []Listen{{Host: "127.0.0.1", Port: 80}})
			return err
		}, "e.conf:8: <VirtualHost>: address 127.0.0.5:80 of <VirtualHost 127.0.0.5:80> is not listened on"},
		{"not closed", func(b *VHostBuilder) error {
			if err := b.Open(ctx, "e.conf", 9, []string{"*:80"}); err != nil {
				return err
			}
			_, _, err := b.Finish(ctx, nil)
			return err
		}, "e.conf:9: <VirtualHost>: <VirtualHost> was not closed."},
	}
	for _, tt := range tests {
		b := &VHostBuilder{Resolver: vhostResolver{}}
		err := tt.run(b)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want %q", tt.name, err, tt.want)
		}
	}
}
