package accesslog

import (
	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/mpm"
)

// ConnRequestNum is the number of the request on its connection, 1 for
// the first: fasthttp's count, or the connection's own
// (mpm.RequestNumberer) for engines that serve requests outside
// fasthttp.Server (the event engine), where RequestCtx.ConnRequestNum
// stays 0.
func ConnRequestNum(ctx *fasthttp.RequestCtx) uint64 {
	if n := ctx.ConnRequestNum(); n > 0 {
		return n
	}
	if c, ok := ctx.Conn().(mpm.RequestNumberer); ok {
		return c.ConnRequestNum()
	}
	return 0
}
