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
	// Stopping reports whether the server or child is stopping; while it
	// does, every response gets Connection: close (Apache's
	// is_mpm_running check in ap_set_keepalive). nil means never.
	Stopping func() bool
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

	main     *vserver
	checker  *authz.Checker
	minLevel slog.Level
	lim      limits
	ka       keepAlivePolicy
	pages    *errorPages
	types    typeTable

	bufs sync.Pool // of *[]byte: rewritten paths

	closeOnce sync.Once
	closeErr  error
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
		lim:      newLimits(&cfg.HTTP),
		ka:       newKeepAlivePolicy(&cfg.HTTP),
		pages:    newErrorPages(cfg.Site.ServerAdmin),
		types:    newTypeTable(cfg.Site.AddType),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.minLevel = slog.LevelError
	for _, l := range []slog.Level{slog.LevelDebug - 8, slog.LevelDebug, slog.LevelInfo, slog.LevelWarn} {
		if s.log.Enabled(context.Background(), l) {
			s.minLevel = l
			break
		}
	}
	main, err := newVServer(&cfg.Site, cfg.ServerRoot, s.minLevel <= slog.LevelDebug, opts.Handlers, s.missingHandler)
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	s.main = main
	main.ht.warn = func(msg string) { s.log.Warn(msg, errorlog.KeyModule, "core") }
	for _, m := range main.missing {
		s.log.Warn(m)
	}
	s.checker = authz.NewChecker(nil)

	if err := main.initFiles(&cfg.Site, s.rewritePath); err != nil {
		return nil, err
	}
	return s, nil
}

// Close stops the file cache's cleanup goroutine and releases the document
// root. Call it only after every server using the Site has stopped.
func (s *Site) Close() error {
	s.closeOnce.Do(func() {
		close(s.main.fs.CleanStop)
		if s.main.docs.root != nil {
			s.closeErr = s.main.docs.root.Close()
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
	var start time.Time
	if s.access != nil {
		start = time.Now()
	}
	defer s.finish(ctx, start)
	s.dispatch(ctx)
}

// finish runs after dispatch, even when it panicked: it turns a panic into
// a 500 (the connection is then closed), makes the keep-alive decision and
// writes the access log line.
func (s *Site) finish(ctx *fasthttp.RequestCtx, start time.Time) {
	if v := recover(); v != nil {
		s.panicked(ctx, v)
	}
	s.setKeepAlive(ctx)
	if s.access != nil {
		if !ctx.Request.Header.IsHTTP11() {
			// fasthttp read an HTTP/0.9 request as HTTP/1.0.
			if c, ok := ctx.Conn().(http09Conn); ok && c.HTTP09() {
				accesslog.SetHTTP09(ctx, c.RequestLine())
			}
		}
		s.access.Log(ctx, start)
	}
}

// http09Conn is a connection that may carry an HTTP/0.9 request (an
// engine's, read through an h1.Validator).
type http09Conn interface {
	HTTP09() bool
	RequestLine() []byte
}

func (s *Site) dispatch(ctx *fasthttp.RequestCtx) {
	if s.checkLimits(ctx) || s.checkPath(ctx) {
		return
	}
	r := &s.main.trivialValue
	if !s.main.trivial {
		r = s.main.resolve(ctx.Path(), ctx.Time())
		if r.check && s.denied(ctx, r) {
			return
		}
		if r.handler != nil {
			r.handler(ctx)
			return
		}
	}
	s.serveStatic(ctx, s.main, r)
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
	if s.log.Enabled(context.Background(), level) {
		s.log.LogAttrs(context.Background(), level, fmt.Sprintf(format, args...), client(ctx))
	}
}
