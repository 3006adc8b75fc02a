package main

import (
	"os"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/internal/acme"
)

// withMDStatus adds mod_md's md-status handler to handlers when cfg has
// managed domains (internal/acme's Status; "<Location /md-status>
// SetHandler md-status"). It reads the domains' certificates from the
// files the master handed this process (tl), as the children cannot
// read the store.
func withMDStatus(handlers map[string]fasthttp.RequestHandler, cfg *conf.Config, tl *tlsState) map[string]fasthttp.RequestHandler {
	md := cfg.MD
	if md == nil {
		return handlers
	}
	read := func(file string) []byte {
		if tl != nil && tl.files != nil {
			return tl.files[file]
		}
		b, _ := os.ReadFile(file)
		return b
	}
	handlers["md-status"] = func(ctx *fasthttp.RequestCtx) {
		if !ctx.IsGet() && !ctx.IsHead() {
			ctx.Error("", fasthttp.StatusNotImplemented)
			return
		}
		ctx.SetContentType("application/json")
		ctx.SetBody(acme.Status(md, string(ctx.Path()), read, time.Now()))
	}
	return handlers
}
