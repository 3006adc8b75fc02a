package accesslog

import "github.com/valyala/fasthttp"

// requestNumberer is what a connection offers when its engine serves
// requests outside fasthttp.Server (the event engine), where
// RequestCtx.ConnRequestNum stays 0.
type requestNumberer interface {
	ConnRequestNum() uint64
}

// ConnRequestNum is the number of the request on its connection, 1 for
// the first: fasthttp's count, or the connection's own for engines that
// parse requests themselves.
func ConnRequestNum(ctx *fasthttp.RequestCtx) uint64 {
	if n := ctx.ConnRequestNum(); n > 0 {
		return n
	}
	if c, ok := ctx.Conn().(requestNumberer); ok {
		return c.ConnRequestNum()
	}
	return 0
}
