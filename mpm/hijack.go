package mpm

import "github.com/valyala/fasthttp"

// detachHijacked lets a hijacked connection's tunnel (a proxied
// WebSocket) read the socket directly: the bytes after a 101 are not
// HTTP, and the h1.Validator, which belongs to the worker and is reset
// for its next connection, must not see them. fasthttp starts the
// hijack handler after the request handler returned, so this runs
// before the tunnel's first read.
func detachHijacked(ctx *fasthttp.RequestCtx) {
	if !ctx.Hijacked() {
		return
	}
	switch c := ctx.Conn().(type) {
	case *Conn:
		c.Validator = nil
	case *TLSConn:
		c.Plain.Validator = nil
	}
}
