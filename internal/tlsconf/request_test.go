package tlsconf

import (
	"bufio"
	"crypto/tls"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// TestMisdirectedEndToEnd serves sniSetup's vhosts with fasthttp over a
// real TLS listener, as the integrator will: the handler maps the Host
// to a server the way vhost.Table.Select would and asks CheckRequest.
// Apache 2.4.71 answers "SNI a.test, Host c.test" with 421 (README.md).
func TestMisdirectedEndToEnd(t *testing.T) {
	servers, sel := sniSetup(t)
	set, err := Build(Options{Servers: servers, Select: sel})
	if err != nil {
		t.Fatal(err)
	}
	handler := func(ctx *fasthttp.RequestCtx) {
		cs := ctx.TLSConnectionState()
		host := strings.ToLower(string(ctx.Host()))
		server, _ := sel(netip.AddrPort{}, host)
		v := CheckRequest(servers, Request{
			SNI: cs.ServerName, Hostname: []byte(host), Server: server, NameBased: true,
			Handshake: set.HandshakeServer(netip.AddrPort{}, cs.ServerName),
		})
		if v.Status != 0 {
			ctx.Error(v.LogLine, v.Status)
			return
		}
		ctx.WriteString("served by " + servers[server].ID)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: handler}
	go func() { _ = srv.Serve(tls.NewListener(ln, set.Config())) }()
	t.Cleanup(func() { _ = srv.Shutdown() })

	for _, tc := range []struct{ sni, host, want string }{
		{"a.test", "a.test", "HTTP/1.1 200 OK"},
		{"a.test", "c.test", "HTTP/1.1 421 Misdirected Request"},
		{"c.test", "a.test", "HTTP/1.1 421 Misdirected Request"},
		{"", "c.test", "HTTP/1.1 200 OK"}, // no SNI: no check (StrictSNIVHostCheck off)
	} {
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", ln.Addr().String(),
			&tls.Config{ServerName: tc.sni, InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = c.Write([]byte("GET / HTTP/1.1\r\nHost: " + tc.host + "\r\nConnection: close\r\n\r\n"))
		line, err := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if err != nil || strings.TrimSpace(line) != tc.want {
			t.Errorf("SNI %q Host %q: %q %v, want %q", tc.sni, tc.host, line, err, tc.want)
		}
	}
}

// TestRotateWhileServing rotates keys while handshakes run (go test
// -race finds unsynchronised access).
func TestRotateWhileServing(t *testing.T) {
	servers, sel := sniSetup(t)
	set, err := Build(Options{Servers: servers, Select: sel})
	if err != nil {
		t.Fatal(err)
	}
	addr := serve(t, set.Config())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 50 {
			set.RotateTicketKeys(time.Now().Add(time.Duration(i) * DefaultRotation))
		}
	}()
	cc := &tls.Config{ServerName: "a.test", InsecureSkipVerify: true, ClientSessionCache: tls.NewLRUClientSessionCache(4)}
	for range 10 {
		if _, err := dial(t, addr, cc); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
}

// BenchmarkCheckRequest is the per-request cost on a TLS connection
// whose Host picks the handshake's vhost (the common case).
func BenchmarkCheckRequest(b *testing.B) {
	servers := []Server{{}, {SSL: enabled(nil, nil)}}
	r := Request{SNI: "a.test", Hostname: []byte("a.test"), Handshake: 1, Server: 1, NameBased: true}
	b.ReportAllocs()
	for b.Loop() {
		if CheckRequest(servers, r).Status != 0 {
			b.Fatal("status")
		}
	}
}
