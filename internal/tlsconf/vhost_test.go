package tlsconf

import (
	"bufio"
	"context"
	"crypto/tls"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/vhost"
	"github.com/valyala/fasthttp"
)

// TestWithVHostTable wires the package as the doc tells the integrator,
// with site/vhost's Table doing SNI and Host selection:
//
//	<VirtualHost *:*> ServerName a.test  (RSA + ECDSA)
//	<VirtualHost *:*> ServerName c.test  (RSA, another certificate)
func TestWithVHostTable(t *testing.T) {
	servers, _ := sniSetup(t)
	ctx := context.Background()
	mainName, _ := conf.ParseServerName("main.test")
	var hosts []*conf.VirtualHost
	for i, name := range []string{"a.test", "c.test"} {
		v, _, err := conf.NewVirtualHost(ctx, "httpd.conf", 10*(i+1), []string{"*:*"}, mainName.Port, nil)
		if err != nil {
			t.Fatal(err)
		}
		sn, _ := conf.ParseServerName(name)
		v.SetServerName(sn)
		hosts = append(hosts, v)
	}
	conf.FinishVirtualHosts(ctx, hosts, mainName.Host, nil)
	table := vhost.NewTable(mainName, hosts, vhost.Options{})

	set, err := Build(Options{
		Servers: servers, // index = vhost.ID: 0 main (no TLS), 1 a.test, 2 c.test
		Select: func(local netip.AddrPort, name string) (int, bool) {
			id, ok := table.SelectSNI(local, []byte(name))
			return int(id), ok
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	handler := func(ctx *fasthttp.RequestCtx) {
		local := ctx.LocalAddr().(*net.TCPAddr).AddrPort()
		var m vhost.Match
		table.SelectCtx(&m, ctx)
		cs := ctx.TLSConnectionState()
		v := CheckRequest(servers, Request{
			SNI: cs.ServerName, Hostname: m.Hostname(), Server: int(m.Server), NameBased: true,
			Handshake: set.HandshakeServer(local, cs.ServerName),
		})
		if v.Status != 0 {
			ctx.Error(v.LogLine, v.Status)
			return
		}
		ctx.WriteString(table.ServerName(m.Server))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: handler}
	go func() { _ = srv.Serve(tls.NewListener(ln, set.Config())) }()
	t.Cleanup(func() { _ = srv.Shutdown() })

	for _, tc := range []struct{ sni, host, status, cn string }{
		{"a.test", "a.test", "200", "a.test"},
		{"c.test", "c.test", "200", "c.test"},
		{"a.test", "c.test", "421", "a.test"},
		{"unknown.test", "unknown.test", "200", "a.test"}, // the set's default
	} {
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", ln.Addr().String(),
			&tls.Config{ServerName: tc.sni, InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = c.Write([]byte("GET / HTTP/1.1\r\nHost: " + tc.host + "\r\nConnection: close\r\n\r\n"))
		line, err := bufio.NewReader(c).ReadString('\n')
		cn := c.ConnectionState().PeerCertificates[0].Subject.CommonName
		c.Close()
		if err != nil || !strings.HasPrefix(line, "HTTP/1.1 "+tc.status) || cn != tc.cn {
			t.Errorf("SNI %q Host %q: %q cert %s %v, want %s cert %s", tc.sni, tc.host, line, cn, err, tc.status, tc.cn)
		}
	}
}
