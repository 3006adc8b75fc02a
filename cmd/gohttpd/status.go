package main

import (
	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/listener"
	"github.com/gohttpd/gohttpd/mpm"
	"github.com/gohttpd/gohttpd/site/status"
)

// statusHandlers are the SetHandler handlers a serving process offers:
// server-status (mod_status) and metrics (Prometheus).
func statusHandlers(cfg *conf.Config, board *mpm.Scoreboard, lns []*listener.Listener) map[string]fasthttp.RequestHandler {
	st := status.New(status.Options{
		Config:    cfg,
		Board:     board,
		Listeners: lns,
		Version:   serverVersion(),
		Built:     buildTime(),
	})
	return map[string]fasthttp.RequestHandler{
		"server-status": st.Handler(),
		"metrics":       st.Metrics(),
	}
}
