package authz

import (
	"net"
	"net/netip"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// FromRequestCtx fills the fields of req that a fasthttp request gives:
// ClientIP and LocalIP (from TCP addresses; unset otherwise), Method, and
// the Authorization header. The site fills URI, Filename, Env, Host and
// MinLevel. It does not allocate; req.Authorization points into ctx's
// request buffer, so req must not outlive the handler call.
func FromRequestCtx(ctx *fasthttp.RequestCtx, req *Request) {
	req.ClientIP = tcpIP(ctx.RemoteAddr())
	req.LocalIP = tcpIP(ctx.LocalAddr())
	req.Method = conf.MethodBytesNumber(ctx.Method())
	req.Authorization = ctx.Request.Header.PeekCanonical(hdrAuthorization)
	req.HasAuthorization = req.Authorization != nil
}

func tcpIP(a net.Addr) netip.Addr {
	t, ok := a.(*net.TCPAddr)
	if !ok {
		return netip.Addr{}
	}
	ip, _ := netip.AddrFromSlice(t.IP)
	return ip.Unmap()
}

// hdrAuthorization is the canonical header name, for PeekCanonical
// (fasthttp stores request header names canonicalised).
var hdrAuthorization = []byte(fasthttp.HeaderAuthorization)
