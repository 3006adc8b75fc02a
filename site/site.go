package site

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/accesslog"
	"github.com/gohttpd/gohttpd/site/authz"
	"github.com/gohttpd/gohttpd/site/errorlog"
	"github.com/gohttpd/gohttpd/site/vhost"
	"github.com/valyala/fasthttp"
)

// Options are what New needs besides the configuration.
type Options struct {
	// Logger is the error log (nil discards).
	Logger *slog.Logger
	// Access is the access log (nil: none).
	Access AccessLogger
	// Handlers maps SetHandler names (as used by cfg.Site.Locations, for
	// example "server-status") to their handlers.
	Handlers map[string]fasthttp.RequestHandler
	// Servers are the virtual hosts' own logs, Servers[i] for
	// cfg.Servers[i] (the vhost with ID i+1). A nil Logger is the main
	// server's; a nil Access is the main server's unless the vhost has
	// access logs of its own (conf.Server.OwnAccess), then none.
	Servers []ServerLogs
	// SetVHost, when set, is told the status page's VHost column of each
	// request once its virtual host is selected ("server_hostname:local
	// port"; the string is only valid during the call). Configurations
	// without <VirtualHost> never call it.
	SetVHost func(ctx *fasthttp.RequestCtx, vhost string)
	// OnClient, when set, is told the client address RemoteIPHeader
	// found for a request (the status page's Client column).
	OnClient func(ctx *fasthttp.RequestCtx, client string)
	// Stopping reports whether the server or child is stopping; while it
	// does, every response gets Connection: close (Apache's
	// is_mpm_running check in ap_set_keepalive). nil means never.
	Stopping func() bool
	// TLS checks requests on TLS connections (tls_chain.go); nil: no
	// listener speaks TLS.
	TLS *TLSOptions
}

// ServerLogs are one virtual host's error and access logs.
type ServerLogs struct {
	Logger *slog.Logger
	Access AccessLogger
}

// AccessLogger is what a Site needs from an access log. Log is called once
// per request, from the handler goroutine, after the response is decided
// and before fasthttp writes it: a %D duration excludes the write. Log must
// not keep ctx or anything from it after it returns.
type AccessLogger interface {
	Log(ctx *fasthttp.RequestCtx, start time.Time)
}

// defaultSite is the built-in site served when DocumentRoot is "".
//
//go:embed default
var defaultSite embed.FS

// A Site answers requests for one configuration: it is the handler chain
// the engines run (Handler) and the fasthttp.Server settings that go with
// it (NewServer). It is safe for concurrent use. Close it after every
// server using it has stopped.
type Site struct {
	cfg      *conf.Config
	log      *slog.Logger
	access   AccessLogger
	stopping func() bool
	setVHost func(*fasthttp.RequestCtx, string)
	tls      *TLSOptions
	md       *mdChallenges // mod_md (md_chain.go); nil without MDomain

	main *vserver
	// table selects the virtual host of a request (nil without
	// <VirtualHost>); servers are indexed by vhost.ID, servers[0] is main.
	table    *vhost.Table
	servers  []*vserver
	checker  *authz.Checker
	minLevel slog.Level
	lim      limits
	ka       keepAlivePolicy

	bufs sync.Pool // of *[]byte: rewritten paths
	// banner is ServerTokens' product string (map_chain.go).
	banner string

	resp *respShared // response shaping (resp_chain.go)

	closeOnce sync.Once
	closeErr  error

	remoteIP bool // some server has a RemoteIPHeader
	onClient func(*fasthttp.RequestCtx, string)
	// streamBody: a server proxies, request bodies are streamed.
	streamBody bool
}

// New builds the Site for cfg, which it only reads and keeps. It fails when
// DocumentRoot is not an absolute path to a directory. A Location whose
// handler opts.Handlers lacks is logged (warn) and answers 500.
func New(cfg *conf.Config, opts Options) (*Site, error) {
	if cfg == nil {
		return nil, errors.New("site: nil configuration")
	}
	s := &Site{
		cfg:      cfg,
		log:      opts.Logger,
		access:   opts.Access,
		stopping: opts.Stopping,
		setVHost: opts.SetVHost,
		onClient: opts.OnClient,
		tls:      opts.TLS,
		md:       newMDChallenges(cfg),
		lim:      newLimits(&cfg.HTTP),
		ka:       newKeepAlivePolicy(&cfg.HTTP),
	}
	s.banner = s.serverBanner()
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	loggers := []*slog.Logger{s.log}
	for _, sl := range opts.Servers {
		if sl.Logger != nil {
			loggers = append(loggers, sl.Logger)
		}
	}
	s.minLevel = slog.LevelError
	for _, lg := range loggers {
		for _, l := range []slog.Level{slog.LevelDebug - 8, slog.LevelDebug, slog.LevelInfo, slog.LevelWarn} {
			if l < s.minLevel && lg.Enabled(context.Background(), l) {
				s.minLevel = l
				break
			}
		}
	}
	s.checker = authz.NewChecker(nil)
	main, err := s.newServer(&cfg.Site, s.log, s.access, opts.Handlers)
	if err != nil {
		return nil, err
	}
	s.main = main
	s.servers = []*vserver{main}
	if cfg.VHosts == nil || len(cfg.VHosts.Hosts) == 0 {
		return s, nil
	}
	if len(cfg.Servers) != len(cfg.VHosts.Hosts) {
		s.Close()
		return nil, fmt.Errorf("site: %d virtual hosts but %d server configurations", len(cfg.VHosts.Hosts), len(cfg.Servers))
	}
	s.table = vhost.NewTable(cfg.VHosts.Main, cfg.VHosts.Hosts, vhost.Options{
		Unsafe: cfg.HTTP.ProtocolOptions.Unsafe,
		StrictHostCheck: func(id vhost.ID) bool {
			if id == vhost.Main {
				return cfg.Site.StrictHostCheck
			}
			return cfg.Servers[id-1].Site.StrictHostCheck
		},
	})
	main.setIdentity(s.table, 0)
	for i := range cfg.Servers {
		srv := &cfg.Servers[i]
		lg, access := s.log, s.access
		if i < len(opts.Servers) {
			if l := opts.Servers[i].Logger; l != nil {
				lg = l
			}
			if a := opts.Servers[i].Access; a != nil || srv.OwnAccess {
				access = a
			}
		}
		v, err := s.newServer(&srv.Site, lg, access, opts.Handlers)
		if err != nil {
			s.Close()
			return nil, err
		}
		v.setIdentity(s.table, vhost.ID(i+1))
		s.servers = append(s.servers, v)
	}
	return s, nil
}

// newServer builds one server's part of the site: its sections, caches,
// static files, error pages, types and logs.
func (s *Site) newServer(site *conf.SiteConfig, lg *slog.Logger, access AccessLogger, handlers map[string]fasthttp.RequestHandler) (*vserver, error) {
	v, err := newVServer(site, s.cfg.ServerRoot, s.minLevel <= slog.LevelDebug, handlers, s.missingHandler)
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	v.log, v.access = lg, access
	v.pages = newErrorPages(site.ServerAdmin)
	v.types = newTypeTable()
	v.ht.warn = func(msg string) { lg.Warn(msg, errorlog.KeyModule, "core") }
	for _, m := range v.missing {
		lg.Warn(m)
	}
	if err := v.initFiles(site, s.rewritePath); err != nil {
		return nil, err
	}
	if err := s.initMap(v, site); err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	s.initRemoteIP(v, site)
	if err := s.initProxy(v, site); err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	s.initResp(v, site)
	return v, nil
}

// serverOf is the server answering the request in ctx.
func (s *Site) serverOf(ctx *fasthttp.RequestCtx) *vserver {
	if s.table == nil {
		return s.main
	}
	if v, ok := accesslog.ServerOf(ctx).(*vserver); ok {
		return v
	}
	return s.main
}

// logger is the error log of the server answering the request in ctx.
func (s *Site) logger(ctx *fasthttp.RequestCtx) *slog.Logger {
	if s.table == nil {
		return s.log
	}
	return s.serverOf(ctx).log
}

// Close stops the file cache's cleanup goroutine and releases the document
// root. Call it only after every server using the Site has stopped.
func (s *Site) Close() error {
	s.closeOnce.Do(func() {
		s.closeProxy()
		for _, v := range s.servers {
			if v.fs != nil && v.fs.CleanStop != nil {
				close(v.fs.CleanStop)
			}
			v.closeMap()
			if v.docs.root != nil {
				if err := v.docs.root.Close(); err != nil && s.closeErr == nil {
					s.closeErr = err
				}
			}
		}
	})
	return s.closeErr
}

// Handler returns the full request chain: panic recovery, request limits,
// path checks, routing (Locations, then static files), the keep-alive
// decision and the access log.
func (s *Site) Handler() fasthttp.RequestHandler {
	return s.serve
}

func (s *Site) serve(ctx *fasthttp.RequestCtx) {
	v := s.main
	status := 0
	var m vhost.Match
	if s.table != nil {
		s.table.SelectCtx(&m, ctx)
		v = s.servers[m.Server]
		accesslog.SetServer(ctx, v)
		status = m.Status
		if s.setVHost != nil {
			s.setVHost(ctx, v.statusVHost(s.table, &m))
		}
	}
	if s.remoteIP {
		s.applyRemoteIP(ctx, v)
	}
	var start time.Time
	if v.access != nil {
		start = time.Now()
	}
	defer s.finish(ctx, v, start)
	if status != 0 {
		s.badHost(ctx, v)
		s.sendError(ctx, status, "")
		return
	}
	if s.md != nil && s.mdRequest(ctx) {
		return
	}
	if s.tls != nil && ctx.IsTLS() && s.misdirected(ctx, s.matchOf(&m)) {
		return
	}
	s.dispatch(ctx, v)
}

// finish runs after dispatch, even when it panicked: it turns a panic into
// a 500 (the connection is then closed), makes the keep-alive decision and
// writes the access log line.
func (s *Site) finish(ctx *fasthttp.RequestCtx, v *vserver, start time.Time) {
	if v := recover(); v != nil {
		s.panicked(ctx, v)
	}
	if v.mp != nil {
		mapFinish(ctx)
	}
	s.setKeepAlive(ctx)
	if v.access != nil {
		if !ctx.Request.Header.IsHTTP11() {
			// fasthttp read an HTTP/0.9 request as HTTP/1.0.
			if c, ok := ctx.Conn().(http09Conn); ok && c.HTTP09() {
				accesslog.SetHTTP09(ctx, c.RequestLine())
			}
		}
		v.access.Log(ctx, start)
	}
	if v.rs != nil {
		respRelease(ctx, v)
	}
}

// http09Conn is a connection that may carry an HTTP/0.9 request (an
// engine's, read through an h1.Validator).
type http09Conn interface {
	HTTP09() bool
	RequestLine() []byte
}

func (s *Site) dispatch(ctx *fasthttp.RequestCtx, v *vserver) {
	if s.checkLimits(ctx) || s.checkPath(ctx) {
		return
	}
	if v.mp != nil && s.mapTranslate(ctx, v) {
		return
	}
	if v.proxy != nil && v.mp == nil && s.serveProxy(ctx, v) { // else in mapTranslate
		return
	}
	if s.streamBody && s.bodyTooLarge(ctx) {
		return
	}
	if v.rs != nil && s.respDispatch(ctx, v) {
		return
	}
	r := &v.trivialValue
	if !v.trivial {
		r = v.resolve(ctx.Path(), ctx.Time())
		if v.mp != nil {
			r = s.mapResolved(ctx, v, r)
		}
		if r.check && s.denied(ctx, r) {
			return
		}
		if r.cfg.Map != nil && s.mapFixup(ctx, v, r) {
			return
		}
		if r.handler != nil {
			r.handler(ctx)
			return
		}
	}
	s.serveStatic(ctx, v, r)
	if v.mp != nil {
		s.mapAfter(ctx)
	}
}

// badHost logs why the vhost selection answered 400: StrictHostCheck's
// warning (the request's host name matched no ServerName or ServerAlias).
func (s *Site) badHost(ctx *fasthttp.RequestCtx, v *vserver) {
	var m vhost.Match
	s.table.SelectCtx(&m, ctx)
	if m.Reason != vhost.StrictHostMismatch || !v.log.Enabled(context.Background(), slog.LevelWarn) {
		return
	}
	msg := s.table.AppendStrictHostMessage(nil, &m, m.Hostname())
	v.log.LogAttrs(context.Background(), slog.LevelWarn, string(msg), client(ctx), slog.String(errorlog.KeyModule, "core"))
}

// missingHandler answers for a SetHandler name nobody provides as Apache
// does when no module takes a handler: 500, and a warning.
func (s *Site) missingHandler(name string) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		s.logf(ctx, slog.LevelWarn, "AH00524: handler %q not found for: %s", name, ctx.Path())
		s.sendError(ctx, fasthttp.StatusInternalServerError, "")
	}
}

func matchLocation(loc string, p []byte) bool {
	if len(p) < len(loc) || string(p[:len(loc)]) != loc {
		return false
	}
	return len(p) == len(loc) || strings.HasSuffix(loc, "/") || p[len(loc)] == '/'
}

// client is the error log's "client" attribute for ctx.
func client(ctx *fasthttp.RequestCtx) slog.Attr {
	return slog.String("client", ctx.RemoteAddr().String())
}

// logf writes a formatted message about the request in ctx to the error
// log, with its client, formatting only when level is enabled.
func (s *Site) logf(ctx *fasthttp.RequestCtx, level slog.Level, format string, args ...any) {
	if lg := s.logger(ctx); lg.Enabled(context.Background(), level) {
		lg.LogAttrs(context.Background(), level, fmt.Sprintf(format, args...), client(ctx))
	}
}
