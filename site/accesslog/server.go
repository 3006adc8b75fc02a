package accesslog

import "github.com/valyala/fasthttp"

// ServerInfo is the server (the main server or a virtual host) that
// answered a request, as the site's virtual-host selection found it: %v
// prints its ServerName, %V falls back to it for a request without a
// host name, and %p (%{canonical}p) prints its canonical port. Without
// one (a configuration without virtual hosts) the Logger's
// Options.ServerName and the local port are used.
type ServerInfo interface {
	ServerName() string
	CanonicalPort(ctx *fasthttp.RequestCtx) int
}

type serverKey struct{}

// SetServer records the server of the request in ctx (a user value:
// fasthttp drops it with the request). Pass a pointer type so that no
// allocation happens.
func SetServer(ctx *fasthttp.RequestCtx, s ServerInfo) { ctx.SetUserValue(serverKey{}, s) }

// ServerOf returns the server SetServer recorded, or nil.
func ServerOf(ctx *fasthttp.RequestCtx) ServerInfo {
	s, _ := ctx.UserValue(serverKey{}).(ServerInfo)
	return s
}
