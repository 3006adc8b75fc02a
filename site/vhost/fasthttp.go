package vhost

import (
	"bytes"
	"net"
	"net/netip"

	"github.com/valyala/fasthttp"
)

// FromRequestCtx gives Select's inputs for a fasthttp request: the
// connection's local address (zero when it is not TCP), the request's
// host as Apache takes it (the authority of an absolute-form request URI,
// "http://host:port/path", else the Host header; nil when there is none
// or it is empty, which Apache treats alike), and whether the request is
// HTTP/1.1 or later. host aliases ctx's request buffer. It does not
// allocate.
func FromRequestCtx(ctx *fasthttp.RequestCtx) (local netip.AddrPort, host []byte, http11 bool) {
	ok := false
	if c, is := ctx.Conn().(localAddrPorter); is {
		local, ok = c.LocalAddrPort()
	}
	if !ok {
		if a, is := ctx.LocalAddr().(*net.TCPAddr); is {
			ip, _ := netip.AddrFromSlice(a.IP)
			local = netip.AddrPortFrom(ip.Unmap(), uint16(a.Port))
		}
	}
	host = ctx.Request.Header.Host()
	if h, ok := absoluteHost(ctx.Request.Header.RequestURI()); ok {
		host = h
	}
	if len(host) == 0 {
		host = nil
	}
	return local, host, ctx.Request.Header.IsHTTP11()
}

// localAddrPorter is a connection that knows its local address without
// building a net.Addr (the event engine's, for an IPv4 one); ok false sends
// FromRequestCtx to LocalAddr.
type localAddrPorter interface {
	LocalAddrPort() (local netip.AddrPort, ok bool)
}

// SelectCtx is Select with FromRequestCtx's inputs, followed by
// ApplyServerPath with the request's path as sent when a vhost has a
// ServerPath.
func (t *Table) SelectCtx(m *Match, ctx *fasthttp.RequestCtx) {
	local, host, http11 := FromRequestCtx(ctx)
	t.Select(m, local, host, http11)
	if t.hasPath && !m.hasHost && m.Status == 0 {
		t.ApplyServerPath(m, ctx.URI().PathOriginal())
	}
}

// absoluteHost returns the host[:port] of an absolute-form request target
// ("scheme://[userinfo@]host[:port][/path]"), as apr_uri_parse finds it.
func absoluteHost(uri []byte) ([]byte, bool) {
	if len(uri) == 0 || uri[0] == '/' {
		return nil, false
	}
	i := bytes.Index(uri, []byte("://"))
	if i <= 0 {
		return nil, false
	}
	rest := uri[i+3:]
	if j := bytes.IndexAny(rest, "/?#"); j >= 0 {
		rest = rest[:j]
	}
	if j := bytes.LastIndexByte(rest, '@'); j >= 0 {
		rest = rest[j+1:]
	}
	return rest, true
}
