package authz

import (
	"net"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

func TestFromRequestCtx(t *testing.T) {
	var r fasthttp.Request
	r.Header.SetMethod("POST")
	r.SetRequestURI("/x")
	r.Header.Set("Authorization", "Basic Zm9vOmJhcg==")
	var ctx fasthttp.RequestCtx
	ctx.Init(&r, &net.TCPAddr{IP: net.ParseIP("::ffff:192.0.2.1"), Port: 5555}, nil)
	var req Request
	FromRequestCtx(&ctx, &req)
	if req.ClientIP.String() != "192.0.2.1" || req.Method != conf.MethodNumber("POST") ||
		string(req.Authorization) != "Basic Zm9vOmJhcg==" || !req.HasAuthorization {
		t.Errorf("req = %+v", req)
	}
	d := NewChecker(nil).Check(mustSection(t, []string{"Require", "ip", "192.0.2"}), &req)
	if d.Status != 0 {
		t.Errorf("status %d", d.Status)
	}
	r.Header.Del("Authorization")
	ctx.Init(&r, &net.TCPAddr{IP: net.ParseIP("192.0.2.1")}, nil)
	FromRequestCtx(&ctx, &req)
	if req.HasAuthorization {
		t.Error("no header, HasAuthorization set")
	}
	if n := testing.AllocsPerRun(100, func() { FromRequestCtx(&ctx, &req) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
