// Package health is gohttpd's health handler (SetHandler health, a gohttpd
// extension): it answers 200 "OK" while the server serves and 503
// "draining" once a graceful stop began, so that a load balancer or a
// Kubernetes readiness probe takes the instance out of rotation before its
// listeners close (see GracefulStopDrainDelay in docs/deploy.md).
//
// Both answers carry Cache-Control: no-store and a text/plain body; HEAD
// gets the same status and headers without the body; other methods get 405
// with Allow: GET, HEAD.
//
// Integration (cmd/gohttpd, in the child where site.Options is built):
//
//	handlers["health"] = health.New(func() bool {
//		return deps.Draining.Load() || board.Draining()
//	})
//
// deps.Draining is set by the engine when this child's own graceful stop
// begins (graceful restart, retirement, or the end of the drain delay);
// board.Draining (mpm/drain.go) is the scoreboard flag the master raises
// at the start of a server-wide graceful stop (SIGWINCH, -k graceful-stop),
// GracefulStopDrainDelay before it tells the children to stop. A child
// learns it on the next probe, with no message and no extra goroutine.
package health

import "github.com/valyala/fasthttp"

// Name is the SetHandler name the handler is registered under.
const Name = "health"

var (
	bodyOK       = []byte("OK\n")
	bodyDraining = []byte("draining\n")
)

// New returns the health handler. draining reports whether the server (or
// this child) is draining; nil means never.
func New(draining func() bool) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		h := &ctx.Response.Header
		if !ctx.IsGet() && !ctx.IsHead() {
			h.Set("Allow", "GET, HEAD")
			ctx.SetStatusCode(fasthttp.StatusMethodNotAllowed)
			return
		}
		h.Set("Cache-Control", "no-store")
		h.SetContentType("text/plain; charset=utf-8")
		if draining != nil && draining() {
			ctx.SetStatusCode(fasthttp.StatusServiceUnavailable)
			ctx.SetBody(bodyDraining)
			return
		}
		ctx.SetStatusCode(fasthttp.StatusOK)
		ctx.SetBody(bodyOK)
	}
}
