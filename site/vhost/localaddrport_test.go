package vhost

import (
	"net"
	"net/netip"
	"testing"

	"github.com/valyala/fasthttp"
)

// addrPortConn knows its local address as a netip.AddrPort (the event
// engine's connections) or not (ok false: LocalAddr answers).
type addrPortConn struct {
	net.Conn
	ap netip.AddrPort
	ok bool
}

func (c addrPortConn) LocalAddrPort() (netip.AddrPort, bool) { return c.ap, c.ok }
func (c addrPortConn) LocalAddr() net.Addr {
	return &net.TCPAddr{IP: net.ParseIP("192.0.2.9"), Port: 8080}
}
func (c addrPortConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 1234}
}

func TestFromRequestCtxLocalAddrPort(t *testing.T) {
	for _, tc := range []struct {
		c    addrPortConn
		want string
	}{
		{addrPortConn{ap: netip.MustParseAddrPort("127.0.0.1:18206"), ok: true}, "127.0.0.1:18206"},
		{addrPortConn{}, "192.0.2.9:8080"},
	} {
		var ctx fasthttp.RequestCtx
		ctx.Init2(tc.c, nil, false)
		ctx.Request.Header.SetHost("v1.example")
		local, host, _ := FromRequestCtx(&ctx)
		if local.String() != tc.want || string(host) != "v1.example" {
			t.Errorf("FromRequestCtx = %v %q, want %s v1.example", local, host, tc.want)
		}
	}
}
