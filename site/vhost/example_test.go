package vhost_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/vhost"
)

// Example goes from the directives of a configuration to the vhost of a
// request, its %v and %V, a redirect URL, and `-S`:
//
//	ServerName main.example
//	<VirtualHost *:80>                 # line 3
//	    ServerName www.example.com
//	    ServerAlias example.com *.example.com
//	</VirtualHost>
//	<VirtualHost *:80>                 # line 7
//	    ServerName www.example.org
//	</VirtualHost>
//	<VirtualHost 127.0.0.2:80>         # line 10
//	    ServerName ip.example.net
//	</VirtualHost>
func Example() {
	ctx := context.Background()
	mainName, _ := conf.ParseServerName("main.example")

	// At each <VirtualHost> line and inside it (conf).
	v1, _, _ := conf.NewVirtualHost(ctx, "/etc/gohttpd/httpd.conf", 3, []string{"*:80"}, mainName.Port, nil)
	sn, _ := conf.ParseServerName("www.example.com")
	v1.SetServerName(sn)
	v1.AddServerAlias("example.com", "*.example.com")
	v2, _, _ := conf.NewVirtualHost(ctx, "/etc/gohttpd/httpd.conf", 7, []string{"*:80"}, mainName.Port, nil)
	sn, _ = conf.ParseServerName("www.example.org")
	v2.SetServerName(sn)
	v3, _, _ := conf.NewVirtualHost(ctx, "/etc/gohttpd/httpd.conf", 10, []string{"127.0.0.2:80"}, mainName.Port, nil)
	sn, _ = conf.ParseServerName("ip.example.net")
	v3.SetServerName(sn)
	vhosts := []*conf.VirtualHost{v1, v2, v3}
	conf.FinishVirtualHosts(ctx, vhosts, mainName.Host, nil)
	listen := []conf.Listen{{Host: "", Port: 80}}
	if err := conf.CheckVHostListen(ctx, vhosts, listen, nil); err != nil {
		fmt.Println(err)
	}

	// Once per configuration.
	t := vhost.NewTable(mainName, vhosts, vhost.Options{})

	// Per request.
	for _, r := range []struct {
		local string
		host  string
	}{
		{"127.0.0.1:80", "WWW.Example.ORG:80"},
		{"127.0.0.1:80", "shop.example.com."},
		{"127.0.0.1:80", "unknown.example"},
		{"127.0.0.2:80", "www.example.org"},
		{"127.0.0.1:80", "bad..name"},
	} {
		var m vhost.Match
		t.Select(&m, netip.MustParseAddrPort(r.local), []byte(r.host), true)
		c := &vhost.Canon{} // UseCanonicalName unset (Off)
		fmt.Printf("%s Host: %s → server %d %%v=%s %%V=%s status=%d redirect=%s\n", r.local, r.host, m.Server,
			t.ServerName(m.Server), t.AppendServerName(nil, &m, c), m.Status, t.AppendURL(nil, &m, c, []byte("/dir/")))
	}

	// -S.
	t.WriteTable(os.Stdout)
	// Output:
	// 127.0.0.1:80 Host: WWW.Example.ORG:80 → server 2 %v=www.example.org %V=www.example.org status=0 redirect=http://www.example.org/dir/
	// 127.0.0.1:80 Host: shop.example.com. → server 1 %v=www.example.com %V=shop.example.com status=0 redirect=http://shop.example.com/dir/
	// 127.0.0.1:80 Host: unknown.example → server 1 %v=www.example.com %V=unknown.example status=0 redirect=http://unknown.example/dir/
	// 127.0.0.2:80 Host: www.example.org → server 3 %v=ip.example.net %V=www.example.org status=0 redirect=http://www.example.org/dir/
	// 127.0.0.1:80 Host: bad..name → server 1 %v=www.example.com %V=www.example.com status=400 redirect=http://www.example.com/dir/
	// VirtualHost configuration:
	// 127.0.0.2:80           ip.example.net (/etc/gohttpd/httpd.conf:10)
	// *:80                   is a NameVirtualHost
	//          default server www.example.com (/etc/gohttpd/httpd.conf:3)
	//          port 80 namevhost www.example.com (/etc/gohttpd/httpd.conf:3)
	//                  alias example.com
	//                  wild alias *.example.com
	//          port 80 namevhost www.example.org (/etc/gohttpd/httpd.conf:7)
}
