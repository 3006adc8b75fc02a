package site

// The URL-mapping modules in the request chain: mod_rewrite (server and
// per-directory rules, internal redirects with LimitInternalRecursion),
// mod_alias (Redirect* at translate_name, Alias and AliasMatch mapping
// files outside DocumentRoot), mod_dir (per-directory DirectoryIndex,
// DirectorySlash, FallbackResource), mod_autoindex (Options Indexes),
// ErrorDocument, ServerTokens and ServerSignature. A server none of these
// apply to has v.mp == nil and meets none of this code.

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/alias"
	"github.com/gohttpd/gohttpd/site/autoindex"
	"github.com/gohttpd/gohttpd/site/errordoc"
	"github.com/gohttpd/gohttpd/site/errorlog"
	"github.com/gohttpd/gohttpd/site/rewrite"
	"github.com/gohttpd/gohttpd/site/setenvif"
)

// Version is gohttpd's version, as ServerTokens shows it.
const Version = "0.1.0"

// mapServer is one server's URL-mapping state.
type mapServer struct {
	// redirects are the server's Redirect lines (translate_name);
	// aliases its Alias lines (applied by the walk).
	redirects *conf.AliasServer
	aliases   *conf.AliasServer
	// locAlias: some <Location> has a one-argument Alias or Redirect.
	locAlias bool
	rules    *rewrite.Ruleset
	// canonical is UseCanonicalName On; limit LimitInternalRecursion.
	canonical bool
	limit     int
	// trace is the rewrite trace level the server's error log takes
	// (LogLevel trace1 ... trace8; 0 none).
	trace int
	// aliasFS serves files outside DocumentRoot (Root "", absolute
	// paths from PathRewrite).
	aliasFS fasthttp.RequestHandler
	fs      *fasthttp.FS
	// dirRules compiles merged per-directory rule sets by their config.
	dirMu    sync.Mutex
	dirRules map[*conf.RewriteConfig]*rewrite.Ruleset
	// locCache: the configurations of paths answered in translate_name
	// (respEarly).
	locCache pathCache
	// mainName and mainPort are the main server's ServerName split
	// (splitServerName), for urlValuesHost.
	mainName string
	mainPort int
}

// User values of a request on the mapping path.
type (
	redirectsKey struct{} // int: internal redirects so far
	endKey       struct{} // bool: a rewrite END flag matched
	errDocKey    struct{} // int: the status whose ErrorDocument is being served
	typeKey      struct{} // string: a rewrite T= content type
	fileKey      struct{} // string: the file a server rewrite rule mapped to
	indexKey     struct{} // string: a DirectoryIndex URL to serve
	handlerKey   struct{} // string: a rewrite H= handler
)

// mapResolved is the request's resolution when a server-context rewrite
// rule mapped it to a file outside DocumentRoot (not cached: it depends
// on the request).
func (s *Site) mapResolved(ctx *fasthttp.RequestCtx, v *vserver, r *resolved) *resolved {
	if f, ok := ctx.UserValue(fileKey{}).(string); ok {
		ctx.RemoveUserValue(fileKey{})
		r = v.walkAs(string(ctx.Path()), f, ctx.Time())
	}
	if h, ok := ctx.UserValue(handlerKey{}).(string); ok {
		// A server rule's H=: the handler answers after the access
		// checks, as r->handler.
		ctx.RemoveUserValue(handlerKey{})
		rr := *r
		rr.handler = v.lookupHandler(h)
		r = &rr
	}
	return r
}

// redirectEnv gives the response phases' environment of an internally
// redirected request (a fresh one) the REDIRECT_ variables
// internalRedirect made (REDIRECT_STATUS, REDIRECT_URL, the renamed
// variables) or errorDocument (REDIRECT_STATUS, the error's status), as
// Apache's new request's subprocess_env has them.
func redirectEnv(ctx *fasthttp.RequestCtx, dst *setenvif.Env) {
	if n, _ := ctx.UserValue(redirectsKey{}).(int); n == 0 && !inErrDoc(ctx) {
		return
	}
	e, _ := ctx.UserValue(envKey{}).(mapEnv)
	for k, val := range e {
		if strings.HasPrefix(k, "REDIRECT_") {
			dst.Set(k, val)
		}
	}
}

// mapFinish applies the environment the rewrite rules set that the core
// reads: nokeepalive closes the connection (ap_set_keepalive).
func mapFinish(ctx *fasthttp.RequestCtx) {
	if e, ok := ctx.UserValue(envKey{}).(mapEnv); ok {
		if _, ok := e["nokeepalive"]; ok {
			ctx.Response.SetConnectionClose()
		}
	}
}

// mapAfter applies what the rules decided for the response once the
// handler made it: T= sets the Content-Type of a successful answer.
func (s *Site) mapAfter(ctx *fasthttp.RequestCtx) {
	if t, ok := ctx.UserValue(typeKey{}).(string); ok {
		if st := ctx.Response.StatusCode(); st >= 200 && st < 300 {
			ctx.Response.Header.SetContentType(t)
		}
	}
}

// banner is ServerTokens' form of the product (ap_get_server_banner).
func banner(tokens string) string {
	major, minor, _ := strings.Cut(Version, ".")
	minor, _, _ = strings.Cut(minor, ".")
	switch tokens {
	case "Major":
		return serverName + "/" + major
	case "Minor":
		return serverName + "/" + major + "." + minor
	case "Minimal":
		return serverName + "/" + Version
	case "OS":
		return serverName + "/" + Version + " (Unix)"
	case "Full":
		return serverName + "/" + Version + " (Unix) " + runtime.Version()
	}
	return serverName
}

// serverBanner is the Server header of the configuration.
func (s *Site) serverBanner() string {
	if m := s.cfg.Site.Map; m != nil {
		return banner(m.Tokens)
	}
	return serverName
}

// usesMap reports whether a per-directory configuration has any of the
// modules' settings.
func usesMap(d *conf.DirConfig) bool { return d != nil && d.Map != nil }

// initMap sets up the server's mapping state; v.mp stays nil for a server
// that does not use the modules.
func (s *Site) initMap(v *vserver, site *conf.SiteConfig) error {
	sm := site.Map
	need := usesMap(v.base)
	for _, list := range [][]*section{v.dirs, v.dirRegex, v.locs} {
		for _, sec := range list {
			if usesMap(sec.dir) || (sec.dir != nil && sec.dir.HasOverrides()) {
				// .htaccess files may hold the modules' directives.
				need = true
			}
			for _, f := range sec.files {
				need = need || usesMap(f.dir)
			}
		}
	}
	if sm != nil && (sm.Alias != nil || sm.Rewrite != nil || sm.UseCanonicalName) {
		need = true
	}
	if !need && v.base.HasOverrides() {
		// .htaccess files may hold the modules' directives.
		need = true
	}
	if !need {
		return nil
	}
	if v.base.Map == nil || v.base.Map.Index == nil {
		// Apache merges each request's mod_autoindex configuration over
		// the server's, an empty one when the server level has none: the
		// pending "+Option" of a section then take effect.
		b := *v.base
		m := conf.MapDir{}
		if b.Map != nil {
			m = *b.Map
		}
		m.Index = conf.NewAutoindexConfig()
		b.Map = &m
		v.base = &b
	}
	mp := &mapServer{limit: 10, dirRules: make(map[*conf.RewriteConfig]*rewrite.Ruleset)}
	mp.mainName, mp.mainPort = splitServerName(s.cfg.Site.ServerName)
	if sm != nil {
		mp.canonical = sm.UseCanonicalName
		if sm.LimitInternalRecursion > 0 {
			mp.limit = sm.LimitInternalRecursion
		}
		if a := sm.Alias; a != nil {
			if len(a.Redirects) > 0 {
				mp.redirects = &conf.AliasServer{Redirects: a.Redirects}
			}
			if len(a.Aliases) > 0 {
				mp.aliases = &conf.AliasServer{Aliases: a.Aliases}
			}
		}
		if sm.Rewrite != nil {
			rs, err := rewrite.Compile(sm.Rewrite)
			if err != nil {
				return err
			}
			mp.rules = rs
		}
	}
	for _, sec := range v.locs {
		if usesMap(sec.dir) && sec.dir.Map.Alias != nil {
			mp.locAlias = true
		}
	}
	mp.fs = &fasthttp.FS{
		Root:                     "",
		AllowEmptyRoot:           true,
		PathRewrite:              s.rewritePath,
		CleanStop:                make(chan struct{}),
		AllowSymlinksOutsideRoot: true,
	}
	mp.aliasFS = mp.fs.NewRequestHandler()
	for n := 8; n > 0 && v.log != nil; n-- {
		if v.log.Enabled(context.Background(), slog.LevelDebug-slog.Level(n)) {
			mp.trace = n
			break
		}
	}
	v.mp = mp
	v.trivial = false
	return nil
}

// closeMap stops the alias file cache.
func (v *vserver) closeMap() {
	if v.mp != nil && v.mp.fs != nil && v.mp.fs.CleanStop != nil {
		close(v.mp.fs.CleanStop)
		v.mp.fs.CleanStop = nil
	}
}

// locationAlias is the request's <Location>-level AliasDir: the server's
// merged with the matching <Location> sections.
func (v *vserver) locationAlias(uri string) *conf.AliasDir {
	var d *conf.AliasDir
	if v.base.Map != nil {
		d = v.base.Map.Alias
	}
	if v.mp == nil || !v.mp.locAlias {
		return d
	}
	for _, sec := range v.locs {
		if usesMap(sec.dir) && sec.dir.Map.Alias != nil && matchLocationSection(sec, uri) {
			d = conf.MergeAliasDir(d, sec.dir.Map.Alias)
		}
	}
	return d
}

// aliasFile is the file an Alias or AliasMatch maps uri to, "" for none
// (the walk then maps it under DocumentRoot).
func (v *vserver) aliasFile(uri string) string {
	if v.mp == nil || (v.mp.aliases == nil && !v.mp.locAlias) {
		return ""
	}
	srv := v.mp.aliases
	if srv == nil {
		srv = &conf.AliasServer{}
	}
	req := alias.Request{URI: uri, ConstructURL: func(p string) string { return p }}
	res := alias.Translate(&req, srv, v.locationAlias(uri))
	if res.Status != 0 {
		return ""
	}
	return res.Filename
}

// urlOptions is ap_construct_url's view of the request.
func (s *Site) urlOptions(ctx *fasthttp.RequestCtx, v *vserver) *alias.URLOptions {
	o := s.urlValues(ctx, v)
	return &o
}

// urlValues is urlOptions without the allocation.
func (s *Site) urlValues(ctx *fasthttp.RequestCtx, v *vserver) alias.URLOptions {
	return s.urlValuesHost(ctx, v, string(ctx.Host()))
}

// urlValuesHost is urlValues with the request's Host given (b2s of
// ctx.Host() for a use that ends with the request).
func (s *Site) urlValuesHost(ctx *fasthttp.RequestCtx, v *vserver, host string) alias.URLOptions {
	o := alias.URLOptions{HTTPS: ctx.IsTLS(), Host: host, ServerName: v.name, ServerPort: v.port}
	if o.ServerName == "" {
		// The main server without virtual hosts: its ServerName, with
		// the port written there.
		if v.mp != nil {
			o.ServerName, o.ServerPort = v.mp.mainName, v.mp.mainPort
		} else {
			o.ServerName, o.ServerPort = splitServerName(s.cfg.Site.ServerName)
		}
	}
	if v.mp != nil {
		o.UseCanonicalName = v.mp.canonical
	}
	return o
}

// splitServerName is the main server's ServerName and the port written
// there (0 for none).
func splitServerName(name string) (string, int) {
	port := 0
	if h, p, ok := strings.Cut(name, ":"); ok && !strings.Contains(p, ":") {
		name = h
		port, _ = strconv.Atoi(p)
	}
	return name, port
}

// mapTranslate is translate_name for a server with v.mp: the server's
// rewrite rules, its ProxyPass lines, then its Redirect lines. It reports whether the request
// was answered.
func (s *Site) mapTranslate(ctx *fasthttp.RequestCtx, v *vserver) bool {
	mp := v.mp
	if mp.rules.Active() && !s.rewriteEnded(ctx) {
		req := s.rewriteRequest(ctx, v)
		res := rewrite.Server(mp.rules, req)
		rewriteRequests.Put(req)
		if s.rewriteResult(ctx, v, &res) {
			s.respEarly(ctx, v)
			return true
		}
		switch res.Action {
		case rewrite.PassThrough:
			ctx.URI().SetPath(res.URI)
		case rewrite.File:
			if rel, ok := strings.CutPrefix(res.Filename, v.docroot); ok && v.docroot != "" && strings.HasPrefix(rel, "/") {
				ctx.URI().SetPath(rel)
			} else {
				// A file outside DocumentRoot: the walk maps the URI to
				// it (r->filename), as an Alias does.
				ctx.SetUserValue(fileKey{}, strings.Clone(res.Filename))
			}
		}
	}
	// mod_proxy's translate_name hook runs after mod_rewrite's and
	// before mod_alias's: a ProxyPass takes a path a Redirect names.
	if v.proxy != nil && s.serveProxy(ctx, v) {
		return true
	}
	if mp.redirects == nil && !mp.locAlias {
		return false
	}
	srv := mp.redirects
	if srv == nil {
		srv = &conf.AliasServer{}
	}
	uri := string(ctx.Path())
	opts := s.urlOptions(ctx, v)
	req := alias.Request{URI: uri, Args: string(ctx.URI().QueryString()), ConstructURL: opts.URL}
	res := alias.Translate(&req, srv, v.locationAlias(uri))
	if s.aliasResult(ctx, &res) {
		s.respEarly(ctx, v)
		return true
	}
	return false
}

// aliasResult answers an alias.Result with a status.
func (s *Site) aliasResult(ctx *fasthttp.RequestCtx, res *alias.Result) bool {
	for _, l := range res.Log {
		s.logf(ctx, l.Level, "%s", l.Text)
	}
	switch {
	case res.Recursive != 0:
		s.sendError(ctx, fasthttp.StatusInternalServerError, "")
		return true
	case res.Status != 0:
		s.sendRedirect(ctx, res.Status, res.Location)
		return true
	}
	return false
}

// sendRedirect answers status (a redirect with location, or an error
// status Redirect can send) with Apache's page.
func (s *Site) sendRedirect(ctx *fasthttp.RequestCtx, status int, location string) {
	s.sendError(ctx, status, location)
	if location != "" && status >= 300 && status < 400 {
		ctx.Response.Header.Set(fasthttp.HeaderLocation, location)
	}
}

// mapFixup runs after the directory walk and access control: section
// Redirect lines, the per-directory rewrite rules. It reports whether
// the request was answered (or internally redirected and served).
func (s *Site) mapFixup(ctx *fasthttp.RequestCtx, v *vserver, r *resolved) bool {
	m := r.cfg.Map
	if v.mp == nil {
		return false // cannot happen: initMap saw the sections and overrides
	}
	if m.Alias != nil && len(m.Alias.Redirects) > 0 || m.Alias != nil && m.Alias.RedirectSet {
		opts := s.urlOptions(ctx, v)
		req := alias.Request{URI: string(ctx.Path()), Args: string(ctx.URI().QueryString()), ConstructURL: opts.URL}
		res := alias.Fixup(&req, m.Alias)
		if s.aliasResult(ctx, &res) {
			return true
		}
	}
	if m.Rewrite == nil || s.rewriteEnded(ctx) {
		return false
	}
	rs := v.mp.dirRuleset(m.Rewrite, v.mp.rules)
	if !rs.Active() {
		return false
	}
	req := s.rewriteRequest(ctx, v)
	defer rewriteRequests.Put(req)
	req.Filename = r.filename
	if rel, ok := strings.CutPrefix(r.filename, v.docroot); ok && r.filename != "" && !r.isAlias() && strings.HasPrefix(req.URI, rel) {
		// r->path_info: what the walk did not map ("/" after a file
		// name that matched as a directory is none).
		if pi := req.URI[len(rel):]; pi != "/" {
			req.PathInfo = pi
		}
	}
	req.SymLinksOff = r.cfg.AllowedOptions()&(conf.OptSymLinks|conf.OptSymOwner) == 0
	if r.stat.name != "" {
		req.FS = &r.stat
	}
	res := rewrite.Dir(rs, req)
	if s.rewriteResult(ctx, v, &res) {
		return true
	}
	if h, ok := ctx.UserValue(handlerKey{}).(string); ok && res.Action != rewrite.InternalRedirect {
		ctx.RemoveUserValue(handlerKey{})
		v.lookupHandler(h)(ctx)
		return true
	}
	if res.Action == rewrite.InternalRedirect {
		s.internalRedirect(ctx, v, res.URI, res.Query, true)
		return true
	}
	return false
}

// dirRuleset compiles (once) a merged per-directory rule set; the
// server's configuration (srv) is the root of the chain (its engine state
// and options are inherited, not its rules).
func (mp *mapServer) dirRuleset(c *conf.RewriteConfig, srv *rewrite.Ruleset) *rewrite.Ruleset {
	mp.dirMu.Lock()
	rs, ok := mp.dirRules[c]
	mp.dirMu.Unlock()
	if ok {
		return rs
	}
	merged := c
	if srv != nil {
		merged = conf.MergeRewriteDir(srv.Config(), c)
	}
	rs, err := rewrite.Compile(merged)
	if err != nil {
		rs = nil
	}
	mp.dirMu.Lock()
	if len(mp.dirRules) >= maxMerges {
		clear(mp.dirRules)
	}
	mp.dirRules[c] = rs
	mp.dirMu.Unlock()
	return rs
}

// walkStat is what the directory walk found for the file it reached (a
// regular file, a directory, or nothing): the rewrite rules' -f, -d and
// -s tests on it are answered without a stat(2), for as long as the
// resolution is cached (resolvedTTL), as the walk's own result is.
type walkStat struct {
	name string
	info rewrite.FileInfo
}

// setStat records the walk's finding for name (fi nil: it does not exist).
func (r *resolved) setStat(name string, fi fs.FileInfo) {
	r.stat = walkStat{name: name}
	if fi != nil {
		r.stat.info = rewrite.FileInfo{Exists: true, Mode: fi.Mode(), Size: fi.Size()}
	}
}

// Stat is rewrite.FS's: the walk's answer for its file, else stat(2).
func (w *walkStat) Stat(name string) rewrite.FileInfo {
	if name == w.name || (len(name) == len(w.name)+1 && name[len(name)-1] == '/' && name[:len(w.name)] == w.name && w.info.Mode.IsDir()) {
		return w.info
	}
	return rewrite.OSFS{}.Stat(name)
}

// Lstat is rewrite.FS's: always lstat(2).
func (w *walkStat) Lstat(name string) rewrite.FileInfo { return rewrite.OSFS{}.Lstat(name) }

// isAlias reports whether the walk mapped the request outside
// DocumentRoot.
func (r *resolved) isAlias() bool { return r.alias != "" }

// mapEnv is a request's environment as the rewrite rules see it.
type mapEnv map[string]string

func (m mapEnv) Getenv(name string) (string, bool) {
	v, ok := m[name]
	return v, ok
}

type envKey struct{}

// ctxEnv reads the request's environment without creating it.
type ctxEnv struct{ ctx *fasthttp.RequestCtx }

func (c ctxEnv) Getenv(name string) (string, bool) {
	if e, ok := c.ctx.UserValue(envKey{}).(mapEnv); ok {
		if v, ok := e.Getenv(name); ok {
			return v, true
		}
	}
	if e := envOf(c.ctx); e != nil {
		// SetEnv, SetEnvIf (resp_chain.go).
		return e.Lookup(name)
	}
	return "", false
}

// env is the request's environment (created on first use).
func env(ctx *fasthttp.RequestCtx) mapEnv {
	if e, ok := ctx.UserValue(envKey{}).(mapEnv); ok {
		return e
	}
	e := mapEnv{}
	ctx.SetUserValue(envKey{}, e)
	return e
}

// rewriteRequests recycles rewrite.Requests.
var rewriteRequests = sync.Pool{New: func() any { return new(rewrite.Request) }}

// rewriteRequest fills a rewrite.Request for ctx (from rewriteRequests;
// put it back after use). Its strings point into ctx's buffers: the
// results are used (copied) before the request changes.
func (s *Site) rewriteRequest(ctx *fasthttp.RequestCtx, v *vserver) *rewrite.Request {
	req := rewriteRequests.Get().(*rewrite.Request)
	*req = rewrite.Request{}
	rewrite.FromRequestCtx(ctx, req)
	req.URI = b2s(ctx.Path())
	req.Query = b2s(ctx.URI().QueryString())
	req.Scheme = "http"
	if ctx.IsTLS() {
		req.Scheme = "https"
	}
	opts := s.urlValuesHost(ctx, v, b2s(ctx.Host()))
	host, port := hostPort(&opts)
	req.ServerName, req.ServerPort = host, port
	req.DocumentRoot = v.docroot
	req.ServerAdmin = v.pages.admin
	req.ServerSoftware = s.banner
	req.Env = ctxEnv{ctx}
	// req.End stays false: both callers return when rewriteEnded.
	req.TraceLevel = v.mp.trace
	req.Now = ctx.Time()
	return req
}

// hostPort is ap_get_server_name_for_url and ap_get_server_port.
func hostPort(o *alias.URLOptions) (string, int) {
	host, port := o.ServerName, o.ServerPort
	if !o.UseCanonicalName {
		h := o.Host
		if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
			if p, err := strconv.Atoi(h[i+1:]); err == nil {
				port = p
			}
			h = h[:i]
		}
		if h != "" {
			host = lowerHost(h)
		}
	}
	if port == 0 {
		port = 80
		if o.HTTPS {
			port = 443
		}
	}
	return host, port
}

// lowerHost is strings.ToLower(strings.Trim(h, "[]")), without the
// calls for the usual lower-case name.
func lowerHost(h string) string {
	if h[0] == '[' || h[0] == ']' || h[len(h)-1] == '[' || h[len(h)-1] == ']' {
		return strings.ToLower(strings.Trim(h, "[]"))
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; c >= 0x80 || ('A' <= c && c <= 'Z') {
			return strings.ToLower(h)
		}
	}
	return h
}

func (s *Site) rewriteEnded(ctx *fasthttp.RequestCtx) bool {
	e, _ := ctx.UserValue(endKey{}).(bool)
	return e
}

// rewriteResult applies a rewrite result's side effects and answers a
// Redirect or Status; it reports whether the request was answered.
func (s *Site) rewriteResult(ctx *fasthttp.RequestCtx, v *vserver, res *rewrite.Result) bool {
	for _, l := range res.Log {
		if l.Level == 0 {
			s.logModule(ctx, slog.LevelError, "rewrite", l.Text)
		} else {
			s.logModule(ctx, slog.LevelDebug-slog.Level(l.Level), "rewrite", l.Text)
		}
	}
	if len(res.Env) > 0 {
		e, shared := env(ctx), envOf(ctx)
		for _, x := range res.Env {
			if x.Unset {
				delete(e, x.Name)
				if shared != nil {
					shared.Unset(x.Name)
				}
			} else {
				e[strings.Clone(x.Name)] = strings.Clone(x.Value)
				if shared != nil {
					// mod_headers, mod_deflate (no-gzip) ... read it.
					shared.Set(strings.Clone(x.Name), strings.Clone(x.Value))
				}
			}
		}
	}
	if res.End {
		ctx.SetUserValue(endKey{}, true)
	}
	if res.Type != "" {
		ctx.SetUserValue(typeKey{}, strings.Clone(res.Type))
	}
	if res.Handler != "" {
		ctx.SetUserValue(handlerKey{}, res.Handler)
	}
	if res.QueryChanged && res.Action != rewrite.InternalRedirect {
		ctx.URI().SetQueryString(res.Query)
	}
	defer func() {
		for _, c := range res.Cookies {
			ctx.Response.Header.Add(fasthttp.HeaderSetCookie, c)
		}
		// Vary goes to r->headers_out, which Apache's error and
		// redirect pages drop (ap_send_error_response); Set-Cookie goes
		// to err_headers_out and stays.
		if res.Vary != "" && res.Action != rewrite.Redirect && res.Action != rewrite.Status {
			if old := ctx.Response.Header.Peek(fasthttp.HeaderVary); len(old) > 0 {
				ctx.Response.Header.Set(fasthttp.HeaderVary, string(old)+", "+res.Vary)
			} else {
				ctx.Response.Header.Set(fasthttp.HeaderVary, res.Vary)
			}
		}
	}()
	switch res.Action {
	case rewrite.Redirect:
		s.sendRedirect(ctx, res.Status, res.Location)
		return true
	case rewrite.Status:
		s.sendError(ctx, res.Status, "")
		return true
	}
	return false
}

// logModule logs a module's line for the request in ctx.
func (s *Site) logModule(ctx *fasthttp.RequestCtx, level slog.Level, module, msg string) {
	if lg := s.logger(ctx); lg.Enabled(context.Background(), level) {
		lg.LogAttrs(context.Background(), level, msg, client(ctx), slog.String(errorlog.KeyModule, module))
	}
}

// internalRedirect serves uri (and query) instead, as ap_internal_redirect
// (env true: the environment gets REDIRECT_ names) or
// ap_internal_fast_redirect; past LimitInternalRecursion it answers 500.
func (s *Site) internalRedirect(ctx *fasthttp.RequestCtx, v *vserver, uri, query string, redirectEnv bool) {
	n, _ := ctx.UserValue(redirectsKey{}).(int)
	limit := 10
	if v.mp != nil {
		limit = v.mp.limit
	}
	if n >= limit {
		s.logf(ctx, slog.LevelError, "AH00124: Request exceeded the limit of %d internal redirects due to probable configuration error. "+
			"Use 'LimitInternalRecursion' to increase the limit if necessary. Use 'LogLevel debug' to get a backtrace.", limit)
		s.sendError(ctx, fasthttp.StatusInternalServerError, "")
		return
	}
	ctx.SetUserValue(redirectsKey{}, n+1)
	ctx.RemoveUserValue(typeKey{}) // r->content_type and r->handler belong to the old request
	ctx.RemoveUserValue(handlerKey{})
	if redirectEnv {
		e := env(ctx)
		for k, val := range e {
			if !strings.HasPrefix(k, "REDIRECT_") {
				delete(e, k)
				e["REDIRECT_"+k] = val
			}
		}
		e["REDIRECT_STATUS"] = "200"
		e["REDIRECT_URL"] = string(ctx.Path())
	}
	ctx.URI().SetPath(uri)
	ctx.URI().SetQueryString(query)
	ctx.Response.Reset()
	s.dispatch(ctx, v)
}

// fallback is mod_dir's FallbackResource for a request that found no
// file: it serves the fallback URI instead and reports whether it did.
func (s *Site) fallback(ctx *fasthttp.RequestCtx, v *vserver, r *resolved) bool {
	if r == nil || !usesMap(r.cfg) || r.cfg.Map.Dir == nil || r.handler != nil {
		return false
	}
	name := r.cfg.Map.Dir.FallbackResource()
	if name == "" {
		return false
	}
	uri := name
	if !strings.HasPrefix(name, "/") {
		p := string(ctx.Path())
		uri = p[:strings.LastIndexByte(p, '/')+1] + name
	}
	if uri == string(ctx.Path()) {
		return false
	}
	s.internalRedirect(ctx, v, uri, string(ctx.URI().QueryString()), false)
	return true
}

// indexNames is the DirectoryIndex list for a request's merged
// configuration.
func (v *vserver) indexNames(r *resolved) []string {
	if r != nil && usesMap(r.cfg) && r.cfg.Map.Dir != nil && r.cfg.Map.Dir.IndexSet {
		return r.cfg.Map.Dir.Index
	}
	return v.indexes
}

// indexRedirect is DirectoryIndexRedirect: it answers the found index
// uri with a redirect to it and reports whether it did.
func (s *Site) indexRedirect(ctx *fasthttp.RequestCtx, v *vserver, r *resolved, uri string) bool {
	if r == nil || !usesMap(r.cfg) || r.cfg.Map.Dir == nil {
		return false
	}
	d := r.cfg.Map.Dir
	if !d.IndexRedirectSet || d.IndexRedirect < 300 || d.IndexRedirect >= 400 {
		return false
	}
	s.sendRedirect(ctx, d.IndexRedirect, s.urlOptions(ctx, v).URL(alias.EscapePath(uri)))
	return true
}

// hasFallback reports a FallbackResource in effect.
func hasFallback(r *resolved) bool {
	return r != nil && usesMap(r.cfg) && r.cfg.Map.Dir.FallbackResource() != ""
}

// noSlashDir answers a directory asked for without its trailing slash
// under DirectorySlash Off: mod_dir declines, and mod_autoindex lists it
// (Options Indexes) or forbids it, as Apache 2.4.71 does.
func (s *Site) noSlashDir(ctx *fasthttp.RequestCtx, v *vserver, r *resolved, dir string) {
	if r.cfg.AllowedOptions()&conf.OptIndexes != 0 {
		s.listing(ctx, v, r, strings.TrimSuffix(dir, "/")+"/")
		return
	}
	s.logModule(ctx, slog.LevelError, "autoindex", "AH01276: Cannot serve directory "+dir+
		": No matching DirectoryIndex ("+strings.Join(v.indexNames(r), ",")+") found, and server-generated directory index forbidden by Options directive")
	s.sendError(ctx, fasthttp.StatusForbidden, "")
}

// slashOff reports DirectorySlash Off.
func slashOff(r *resolved) bool {
	return r != nil && usesMap(r.cfg) && !r.cfg.Map.Dir.Slash()
}

// resolveIndex's answers: a directory to list, an index URL to serve
// (serveIndexURI).
const (
	statusListing  = -1
	statusIndexURI = -2
)

// serveIndexURI serves the DirectoryIndex URL indexURI found.
func (s *Site) serveIndexURI(ctx *fasthttp.RequestCtx, v *vserver) {
	uri, _ := ctx.UserValue(indexKey{}).(string)
	ctx.RemoveUserValue(indexKey{})
	s.internalRedirect(ctx, v, uri, string(ctx.URI().QueryString()), false)
}

// indexURI is a DirectoryIndex name holding a '/' ("/index.php",
// "sub/start.html"), a URL Apache looks up with a subrequest: when it
// maps to a regular file under DocumentRoot it is served instead
// (ap_internal_fast_redirect) and indexURI reports true.
func (v *vserver) indexURI(ctx *fasthttp.RequestCtx, dir []byte, name string) bool {
	uri := name
	if !strings.HasPrefix(name, "/") {
		uri = string(dir) + name
	}
	fi, err := v.docs.stat([]byte(uri))
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	ctx.SetUserValue(indexKey{}, uri)
	return true
}

// listing serves mod_autoindex's listing of the directory dir (a file
// system path ending in '/') for the request in ctx.
func (s *Site) listing(ctx *fasthttp.RequestCtx, v *vserver, r *resolved, dir string) {
	if !ctx.IsGet() && !ctx.IsHead() {
		// mod_autoindex answers GET only; Apache's default handler then
		// refuses to serve a directory (AH00129).
		s.logf(ctx, slog.LevelInfo, "AH00129: Attempt to serve directory: %s", dir)
		s.sendError(ctx, fasthttp.StatusNotFound, "")
		return
	}
	if r.cfg.AllowedOptions()&conf.OptIndexes == 0 {
		s.noSlashDir(ctx, v, r, dir)
		return
	}
	var cfg *conf.AutoindexConfig
	if usesMap(r.cfg) {
		cfg = r.cfg.Map.Index
	}
	if cfg == nil {
		cfg = conf.MergeAutoindex(nil, nil)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		s.logModule(ctx, slog.LevelError, "autoindex", "AH01275: Can't open directory for index: "+dir)
		s.sendError(ctx, fasthttp.StatusForbidden, "")
		return
	}
	defer root.Close()
	if st := stateOf(ctx); st != nil {
		// "modification plus" expiry counts from the directory's mtime
		// (r->finfo of the listed directory).
		if fi, err := root.Stat("."); err == nil {
			st.modTime = fi.ModTime()
		}
	}
	req := &autoindex.Request{
		URI:       string(ctx.Path()),
		Filename:  dir,
		Query:     string(ctx.URI().QueryString()),
		FS:        root.FS(),
		Types:     s.listingTypes(v, r),
		Access:    s.entryAccess(ctx, v, r, dir),
		Include:   s.includeURI(ctx, v),
		Signature: s.signature(ctx, v, r, ""),
	}
	list, status, err := autoindex.Serve(ctx, cfg, req)
	if err != nil {
		s.logModule(ctx, slog.LevelError, "autoindex", "AH01275: Can't open directory for index: "+dir)
		s.sendError(ctx, status, "")
		return
	}
	if list.Truncated {
		s.logModule(ctx, slog.LevelWarn, "autoindex", "listing of "+dir+" truncated after "+strconv.Itoa(list.Entries)+" entries")
	}
}

// entryAccess is the status a subrequest for an entry of dir would get:
// symbolic links need FollowSymLinks (or SymLinksIfOwnerMatch), and the
// entry's merged configuration (the listed directory's, a subdirectory's
// own <Directory> sections, the <Files> sections matching its name) must
// grant the request. Decisions are computed once per merged
// configuration. .htaccess files of subdirectories are not read.
func (s *Site) entryAccess(ctx *fasthttp.RequestCtx, v *vserver, r *resolved, dir string) func(string, bool) int {
	opts := r.cfg.AllowedOptions()
	files := r.cfg.Files
	memo := make(map[*conf.DirConfig]int)
	decide := func(cfg *conf.DirConfig, filename string) int {
		if st, ok := memo[cfg]; ok {
			return st
		}
		st := autoindex.StatusOK
		if a := cfg.Auth; a != nil && (a.Require != nil || a.Compat != nil) {
			res := resolved{cfg: cfg, filename: filename, needsHost: needsHost(a)}
			if d, checked := s.check(ctx, &res, false); checked && d.Status != 0 {
				st = d.Status
			}
		}
		memo[cfg] = st
		return st
	}
	return func(name string, isDir bool) int {
		if fi, err := os.Lstat(dir + name); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			if _, ok := resolveSymlink(dir+name, fi, opts); !ok {
				return autoindex.StatusForbidden
			}
		}
		cfg := r.cfg
		if isDir {
			sub := dir + name + "/"
			comps := strings.Count(sub, "/")
			for _, d := range v.dirs {
				if d.sec.Components != comps {
					continue
				}
				if d.sec.Wildcard {
					if ok, _ := path.Match(d.sec.Match, sub); !ok {
						continue
					}
				} else if d.sec.Match != sub {
					continue
				}
				cfg = v.merge(cfg, d.dir)
			}
			for _, d := range v.dirRegex {
				if regexMatch(d.re, strings.TrimSuffix(sub, "/")) {
					cfg = v.merge(cfg, d.dir)
				}
			}
		}
		for _, f := range files {
			if sec := v.filesSection(f); matchFiles(sec, name) {
				cfg = v.merge(cfg, sec.dir)
			}
		}
		return decide(cfg, dir+name)
	}
}

// includeURI opens a HeaderName or ReadmeName that is a URL (it holds a
// '/'), as Apache's subrequest: mapped (Alias or DocumentRoot), access
// checked, a readable regular file, typed by its name.
func (s *Site) includeURI(ctx *fasthttp.RequestCtx, v *vserver) func(string) (fs.File, string, bool) {
	base := string(ctx.Path())
	return func(uri string) (fs.File, string, bool) {
		if !strings.HasPrefix(uri, "/") {
			uri = base[:strings.LastIndexByte(base, '/')+1] + uri
		}
		uri = path.Clean(uri) // ap_getparents: never above "/"
		if v.docroot == "" {
			return nil, "", false
		}
		ir := v.walk(uri, ctx.Time())
		if ir.status != 0 {
			return nil, "", false
		}
		if d, checked := s.check(ctx, ir, false); checked && d.Status != 0 {
			return nil, "", false
		}
		name := v.docroot + uri
		if ir.alias != "" {
			name = ir.alias
		}
		f, err := os.Open(name)
		if err != nil {
			return nil, "", false
		}
		if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
			f.Close()
			return nil, "", false
		}
		return f, v.types.lookup([]byte(name)), true
	}
}

// signature is ap_psignature for the request (prefix before the
// <address> line), "" with ServerSignature Off.
func (s *Site) signature(ctx *fasthttp.RequestCtx, v *vserver, r *resolved, prefix string) string {
	sig := conf.SignatureUnset
	if r != nil && usesMap(r.cfg) {
		sig = r.cfg.Map.Signature
	}
	if sig != conf.SignatureOn && sig != conf.SignatureEMail {
		return ""
	}
	host, port := hostPort(s.urlOptions(ctx, v))
	b := s.banner
	if sig == conf.SignatureEMail {
		admin := v.pages.admin
		mailto := "mailto:"
		if len(admin) >= 7 && strings.EqualFold(admin[:7], "mailto:") {
			mailto = ""
		}
		return prefix + "<address>" + b + " Server at <a href=\"" + mailto + escapeHTML(admin) + "\">" +
			escapeHTML(host) + "</a> Port " + strconv.Itoa(port) + "</address>\n"
	}
	return prefix + "<address>" + b + " Server at " + escapeHTML(host) + " Port " + strconv.Itoa(port) + "</address>\n"
}

// mapError is sendError's part for servers with v.mp: ErrorDocument and
// ServerSignature. It reports whether it answered.
func (s *Site) mapError(ctx *fasthttp.RequestCtx, v *vserver, status int, extra string) bool {
	r := v.resolve(ctx.Path(), ctx.Time())
	if !usesMap(r.cfg) {
		return false
	}
	m := r.cfg.Map
	if _, ok := ctx.UserValue(errDocKey{}).(int); ok {
		// The ErrorDocument's own request failed: errorDocument sends
		// the canned page for the original request.
		ctx.Response.Reset()
		ctx.Response.SetStatusCode(status)
		return true
	}
	if len(m.Errors) > 0 {
		d := errordoc.Decide(m.Errors, status)
		switch d.Action {
		case errordoc.Text:
			ctx.Response.Reset()
			ctx.Response.SetStatusCode(status)
			ctx.Response.Header.SetContentType(errorContentType)
			ctx.Response.SetBodyString(d.Body)
			return true
		case errordoc.External:
			s.cannedPage(ctx, v, r, fasthttp.StatusFound, d.Location, 0)
			ctx.Response.Header.Set(fasthttp.HeaderLocation, d.Location)
			return true
		case errordoc.Internal:
			s.errorDocument(ctx, v, status, d.URI)
			return true
		}
	}
	if m.Signature == conf.SignatureOn || m.Signature == conf.SignatureEMail || !knownPage(status) {
		s.cannedPage(ctx, v, r, status, extra, 0)
		return true
	}
	return false
}

// knownPage reports whether errpage.go renders status.
func knownPage(status int) bool {
	switch status {
	case fasthttp.StatusFound, fasthttp.StatusTemporaryRedirect, fasthttp.StatusPermanentRedirect:
		return true
	}
	_, ok := reasons[status]
	return ok
}

// cannedPage answers status with Apache's canned page, the signature and
// the "Additionally" note for recursive.
func (s *Site) cannedPage(ctx *fasthttp.RequestCtx, v *vserver, r *resolved, status int, extra string, recursive int) {
	method := string(ctx.Method())
	ctx.Response.Reset()
	ctx.Response.SetStatusCode(status)
	ctx.Response.Header.SetContentType(errorContentType)
	page := errordoc.Page{Doctype: errordoc.DoctypeHTML401, ServerAdmin: v.pages.admin}
	info := errordoc.PageInfo{Status: status, Method: method, Recursive: recursive}
	if status >= 300 && status < 400 {
		info.Location = extra
	} else {
		info.Notes = extra
	}
	body := page.Append(make([]byte, 0, 512), &info)
	if sig := s.signature(ctx, v, r, "<hr>\n"); sig != "" {
		const tail = "</body></html>\n"
		body = append(append(body[:len(body)-len(tail)], sig...), tail...)
	}
	ctx.Response.SetBodyRaw(body)
}

// errorDocument serves uri as the error document for status (an internal
// redirect keeping the status; a GET, never a 304).
func (s *Site) errorDocument(ctx *fasthttp.RequestCtx, v *vserver, status int, uri string) {
	path, query, _ := strings.Cut(uri, "?")
	method := append([]byte(nil), ctx.Method()...)
	origPath := append([]byte(nil), ctx.URI().PathOriginal()...)
	origQuery := append([]byte(nil), ctx.URI().QueryString()...)
	saved := saveConditionals(ctx)
	ctx.Request.Header.SetMethod(fasthttp.MethodGet)
	ctx.SetUserValue(errDocKey{}, status)
	env(ctx)["REDIRECT_STATUS"] = strconv.Itoa(status) // ap_die's, for the error document's request
	ctx.URI().SetPath(path)
	ctx.URI().SetQueryString(query)
	ctx.Response.Reset()
	s.dispatch(ctx, v)
	got := ctx.Response.StatusCode()
	ctx.Request.Header.SetMethodBytes(method)
	ctx.URI().SetPathBytes(origPath)
	ctx.URI().SetQueryStringBytes(origQuery)
	saved.restore(ctx)
	ctx.RemoveUserValue(errDocKey{})
	switch {
	case got == fasthttp.StatusOK:
		ctx.Response.SetStatusCode(status)
		ctx.SetUserValue(errDocServedKey{}, true)
	default:
		r := v.resolve(ctx.Path(), ctx.Time())
		s.cannedPage(ctx, v, r, status, "", status)
	}
}

// conditionals are the request's conditional headers, hidden while an
// error document is served.
type conditionals [][2][]byte

func saveConditionals(ctx *fasthttp.RequestCtx) conditionals {
	var c conditionals
	for _, h := range []string{fasthttp.HeaderIfModifiedSince, fasthttp.HeaderIfNoneMatch, fasthttp.HeaderIfMatch,
		fasthttp.HeaderIfUnmodifiedSince, fasthttp.HeaderRange, fasthttp.HeaderIfRange} {
		if val := ctx.Request.Header.Peek(h); val != nil {
			c = append(c, [2][]byte{[]byte(h), append([]byte(nil), val...)})
			ctx.Request.Header.Del(h)
		}
	}
	return c
}

func (c conditionals) restore(ctx *fasthttp.RequestCtx) {
	for _, h := range c {
		ctx.Request.Header.SetBytesKV(h[0], h[1])
	}
}

// serveAlias serves a request the walk mapped outside DocumentRoot
// (Alias, AliasMatch): the file, a directory's index or listing.
func (s *Site) serveAlias(ctx *fasthttp.RequestCtx, v *vserver, r *resolved) {
	fn := r.alias
	fi, err := os.Stat(fn)
	switch {
	case errors.Is(err, fs.ErrPermission):
		s.logf(ctx, slog.LevelError, "AH00132: file permissions deny server access: %s", fn)
		s.sendError(ctx, fasthttp.StatusForbidden, "")
		return
	case err != nil:
		if s.fallback(ctx, v, r) {
			return
		}
		s.logf(ctx, slog.LevelInfo, "AH00128: File does not exist: %s", fn)
		s.sendError(ctx, fasthttp.StatusNotFound, "")
		return
	}
	p := string(ctx.Path())
	if fi.IsDir() {
		if !strings.HasSuffix(p, "/") {
			if slashOff(r) {
				s.noSlashDir(ctx, v, r, fn)
				return
			}
			s.redirectDir(ctx)
			return
		}
		dir := strings.TrimSuffix(fn, "/") + "/"
		for _, name := range v.indexNames(r) {
			if ifi, err := os.Stat(dir + name); err == nil && ifi.Mode().IsRegular() {
				if !s.indexRedirect(ctx, v, r, p+name) {
					s.serveAliasFile(ctx, v, dir+name)
				}
				return
			}
		}
		if r.cfg.AllowedOptions()&conf.OptIndexes != 0 {
			s.listing(ctx, v, r, dir)
			return
		}
		s.logf(ctx, slog.LevelError, "AH01276: Cannot serve directory %s: No matching DirectoryIndex (%s) found, "+
			"and server-generated directory index forbidden by Options directive", dir, strings.Join(v.indexNames(r), ","))
		s.sendError(ctx, fasthttp.StatusForbidden, "")
		return
	}
	s.serveAliasFile(ctx, v, fn)
}

// serveAliasFile serves the file fn (an absolute path) as serveStatic
// serves DocumentRoot's files.
func (s *Site) serveAliasFile(ctx *fasthttp.RequestCtx, v *vserver, fn string) {
	bp := s.getBuf()
	defer s.bufs.Put(bp)
	*bp = append((*bp)[:0], fn...)
	ctx.SetUserValue(rewriteKey{}, bp)
	var ims []byte
	if h := ctx.Request.Header.PeekCanonical(hdrIfModifiedSince); len(h) > 0 {
		ims = append([]byte(nil), h...)
		ctx.Request.Header.Del(fasthttp.HeaderIfModifiedSince)
	}
	v.mp.aliasFS(ctx)
	if ims != nil {
		ctx.Request.Header.SetBytesV(fasthttp.HeaderIfModifiedSince, ims)
	}
	ctx.RemoveUserValue(rewriteKey{})
	switch status := ctx.Response.StatusCode(); {
	case status == fasthttp.StatusOK:
		s.finishFile(ctx, v, []byte(fn))
	case status >= 400:
		s.sendError(ctx, status, "")
	}
}
