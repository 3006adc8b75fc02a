package site

import "github.com/valyala/fasthttp"

// inErrDoc reports whether a local ErrorDocument's own request is
// running: its response will carry the error status, so no Expires.
func inErrDoc(ctx *fasthttp.RequestCtx) bool {
	_, ok := ctx.UserValue(errDocKey{}).(int)
	return ok
}

// errDocAnswered reports whether a local ErrorDocument's request made
// the response (with its own phases): the original request, an error
// page, adds nothing.
func errDocAnswered(ctx *fasthttp.RequestCtx) bool {
	return !inErrDoc(ctx) && ctx.UserValue(errDocServedKey{}) != nil
}
