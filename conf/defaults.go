package conf

import (
	"fmt"
	"time"
)

// conf is the one owner of the defaults of the server's settings (nginx's
// create_conf/init_conf, Caddy's Provision): defaultConfig and
// engineDefaults (apply.go) set them before any directive, finish and
// clamp (load.go, clamp.go) fill what depends on other settings. The
// engines (mpm/prefork, mpm/worker, mpm/event) take no defaults of their
// own: their Config.Validate only checks, and a zero Config is an error in
// each (the design test TestEnginesOwnNoDefaults keeps it so).
//
// Apache's defaults (mpm_default.h, the *_pre_config hooks, core.c,
// httpd.conf's documentation), before clamping:
//
//	setting                   prefork  worker  event   notes
//	StartServers              5        3       3
//	MinSpareServers           5        -       -
//	MaxSpareServers           10       -       -
//	MinSpareThreads           -        75      75
//	MaxSpareThreads           -        250     250
//	ThreadsPerChild           1        25      25      prefork: HARD_THREAD_LIMIT
//	ThreadLimit               1        64      64
//	ServerLimit               256      16      16
//	MaxRequestWorkers         256      400     400
//	MaxConnectionsPerChild    0        0       0       0 = never retire
//	AsyncRequestWorkerFactor  -        -       2
//	EpollTrigger              -        -       Edge    a gohttpd directive
//	ListenBacklog             511
//	AcceptFilter              http data, https data
//	KeepAlive                 On
//	KeepAliveTimeout          5 s                      0 turns keep-alive off
//	MaxKeepAliveRequests      100                      0 = unlimited
//	Timeout                   60 s                     see WaitTimeout for 0
//	RequestReadTimeout        header=20-40,MinRate=500 body=20,MinRate=500
//	LimitRequestLine          8190
//	LimitRequestFieldSize     8190
//	LimitRequestFields        100
//	LimitRequestBody          1 GiB (Apache 2.4.54+)   0 = unlimited
//
// TestDefaultsTable checks the snapshot of every engine against this table.

// defaultTimeout is core's DEFAULT_TIMEOUT.
const defaultTimeout = 60 * time.Second

// KeepAliveOn is the one decision of whether connections are kept alive
// (ap_set_keepalive's "r->server->keep_alive && keep_alive_timeout > 0"):
// KeepAlive On and a KeepAliveTimeout above 0. The site's response headers,
// its fasthttp.Server (DisableKeepalive) and the event engine's parking
// all follow it.
func (h *HTTPConfig) KeepAliveOn() bool {
	return h.KeepAlive && h.KeepAliveTimeout > 0
}

// ParkTimeout is how long an idle keep-alive connection is kept: the
// KeepAliveTimeout, or 0 when KeepAliveOn is false (the event engine's
// "keep-alive off").
func (h *HTTPConfig) ParkTimeout() time.Duration {
	if !h.KeepAliveOn() {
		return 0
	}
	return h.KeepAliveTimeout
}

// WaitTimeout bounds each socket wait of the event engine (reading a
// request once it began, each wait for the client to take more of a
// response, write completion): Timeout, or Apache's default of 60 s when
// Timeout is 0. (Apache itself times every wait out at once with Timeout 0:
// a request that does not arrive in one read is answered 400. gohttpd has
// always kept 60 s there; the site's fasthttp.Server takes Timeout 0 as no
// write deadline.)
func (h *HTTPConfig) WaitTimeout() time.Duration {
	if h.Timeout <= 0 {
		return defaultTimeout
	}
	return h.Timeout
}

// KeepLimits is the restart-time check of ServerLimit and ThreadLimit
// (AH00179, AH00309 and their worker/event twins): they size the
// scoreboard, so a restarted configuration keeps the first generation's
// serverLimit and threadLimit. It returns c itself when both are
// unchanged; otherwise a new Config with the first limits and the settings
// that depend on them checked again in Apache's order (ThreadsPerChild
// against ThreadLimit, MaxRequestWorkers against ServerLimit, ...), its
// Warnings starting with Apache's restart warnings. c is never changed: it
// is a frozen snapshot.
func (c *Config) KeepLimits(serverLimit, threadLimit int) *Config {
	e := c.Engine
	if e.ServerLimit == serverLimit && e.ThreadLimit == threadLimit {
		return c
	}
	n := *c
	var warnings []string
	if e.ServerLimit != serverLimit {
		warnings = append(warnings, fmt.Sprintf("changing ServerLimit to %d from original value of %d not allowed during restart", e.ServerLimit, serverLimit))
		n.Engine.ServerLimit = serverLimit
	}
	if e.ThreadLimit != threadLimit {
		warnings = append(warnings, fmt.Sprintf("changing ThreadLimit to %d from original value of %d not allowed during restart", e.ThreadLimit, threadLimit))
		n.Engine.ThreadLimit = threadLimit
	}
	warnings = append(warnings, c.Warnings...)
	n.Warnings = append(warnings, clamp(&n, max(n.ListenBuckets, 1))...)
	return &n
}
