package site

// The response-shaping modules in the request chain: mod_setenvif and
// mod_env (the request's environment), mod_mime (type, encoding,
// language, AddDefaultCharset), mod_headers, mod_expires, and mod_deflate
// / mod_brotli for static files. The libraries are site/setenvif,
// site/mimetype, site/headers, site/expires and site/compress; this file
// compiles their merged configuration once per (vhost, directory) and
// runs them in Apache's phase order (site/headers' package doc):
//
//  1. server-level SetEnvIf (post_read_request), 2. the per-directory
//     SetEnvIf (header_parser), 3. access control (reads the Env),
//  4. SetEnv, RequestHeader (fixups), 5. the handler (type checker in
//     finishFile, compression of static files), 6. Expires (handler
//     responses only), Header (always / onsuccess), AddDefaultCharset,
//     and the special variables (nokeepalive, downgrade-1.0,
//     force-response-1.0, force-no-vary, suppress-error-charset).
//
// A server whose configuration has none of these directives keeps the
// old path: respDispatch returns at once and finishFile uses the
// built-in type table.

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/accesslog"
	"github.com/gohttpd/gohttpd/site/compress"
	"github.com/gohttpd/gohttpd/site/expires"
	"github.com/gohttpd/gohttpd/site/headers"
	"github.com/gohttpd/gohttpd/site/mimetype"
	"github.com/gohttpd/gohttpd/site/setenvif"
)

// respShared is what the servers of a Site share: the TypesConfig table,
// the encoders and the compressed-file caches (one per directory).
type respShared struct {
	types  mimetype.Types
	enc    *compress.Encoders
	mu     sync.Mutex
	caches map[string]*compress.Static
	// accessEnv: some server has an access log (the request's
	// environment is then stored for its %{VAR}e).
	accessEnv bool
}

// builtinMimeTypes is builtinTypes keyed as mimetype.Types wants them
// (no dot): the table used without TypesConfig.
var builtinMimeTypes = func() mimetype.Types {
	t := make(mimetype.Types, len(builtinTypes))
	for ext, typ := range builtinTypes {
		t[strings.TrimPrefix(ext, ".")] = typ
	}
	return t
}()

func newRespShared(cfg *conf.Config) *respShared {
	rs := &respShared{types: builtinMimeTypes, caches: make(map[string]*compress.Static)}
	if cfg.MimeTypes != nil {
		rs.types = mimetype.Types(cfg.MimeTypes)
	}
	return rs
}

// static returns the compressed-file cache of a server's settings,
// creating it on first use; nil when its directory cannot be made (the
// files are then sent as they are).
func (rs *respShared) static(srv *conf.CompressServer, runtimeDir string, log *slog.Logger) *compress.Static {
	dir := srv.CacheDir
	if dir == "" {
		dir = compress.DefaultCacheDir(runtimeDir)
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if st, ok := rs.caches[dir]; ok {
		return st
	}
	if rs.enc == nil {
		rs.enc = compress.NewEncoders()
	}
	var st *compress.Static
	cache, err := compress.NewCache(compress.CacheOptions{Dir: dir, MaxBytes: srv.CacheMaxBytes}, rs.enc)
	if err != nil {
		log.Warn(fmt.Sprintf("compressed-file cache %s: %v; static files are sent uncompressed", dir, err))
	} else {
		st = compress.NewStatic(cache)
	}
	rs.caches[dir] = st
	return st
}

// encoders returns the shared encoder pools (for streamed bodies).
func (rs *respShared) encoders() *compress.Encoders {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.enc == nil {
		rs.enc = compress.NewEncoders()
	}
	return rs.enc
}

// respServer is one server's part: whether any of its configuration
// uses the modules, and the compiled configurations by merged DirConfig.
type respServer struct {
	shared *respShared
	// mime: the type checker of mimetype runs (TypesConfig or a mod_mime
	// directive somewhere); phases: the request phases run.
	mime, phases bool
	compiled     sync.Map // *conf.DirConfig → *respCfg
	root         *os.Root // DocumentRoot, for the compressed-file cache
	runtimeDir   string
	log          *slog.Logger
}

// respCfg is the compiled response-shaping configuration of one merged
// DirConfig. Immutable.
type respCfg struct {
	mime     *conf.MimeConfig
	lang     map[string]string
	defLang  string
	srvRules *setenvif.Rules
	dirRules *setenvif.Rules
	env      *conf.EnvConfig
	hdr      *headers.Headers
	exp      *conf.ExpiresConfig
	expc     *expires.Expires // exp prepared (nil: not active)
	pol      *compress.Policy
	static   *compress.Static
	charset  bool
	// typeMap, langPri, flp: mod_negotiation's type maps
	// (typemap_chain.go).
	typeMap map[string]bool
	langPri []string
	flp     uint8
	// phases: something runs per request.
	phases bool
}

// usesResp reports whether a DirConfig or any section below it says
// anything with the response-shaping directives.
func usesResp(site *conf.SiteConfig) (mime, phases bool) {
	visit := func(d *conf.DirConfig) {
		if d == nil || d.Resp == nil {
			return
		}
		r := d.Resp
		if r.Mime != nil || len(r.Lang) > 0 || r.DefaultLanguage != "" {
			mime = true
		}
		if r.SetEnvIf != nil || r.ServerSetEnvIf != nil || r.Env != nil || !r.Headers.Empty() || len(r.TypeMap) > 0 ||
			r.Expires != nil || !r.Compress.Empty() || (r.Mime != nil && r.Mime.Charset != conf.DefaultCharsetUnset) {
			phases = true
		}
	}
	var walk func(list []*conf.Section)
	walk = func(list []*conf.Section) {
		for _, s := range list {
			visit(s.Dir)
			walk(s.Files)
		}
	}
	visit(site.Dir)
	if site.Dir != nil {
		walk(site.Dir.Files)
	}
	walk(site.Sections.Directories)
	walk(site.Sections.DirRegex)
	walk(site.Sections.Locations)
	// .htaccess files may hold these directives (FileInfo, Indexes).
	if site.Dir != nil && site.Dir.HasOverrides() {
		mime, phases = true, true
	}
	for _, list := range [][]*conf.Section{site.Sections.Directories, site.Sections.DirRegex} {
		for _, s := range list {
			if s.Dir != nil && s.Dir.HasOverrides() {
				mime, phases = true, true
			}
		}
	}
	return mime, phases
}

// initResp sets up a server's response shaping (after newVServer and
// initFiles).
func (s *Site) initResp(v *vserver, site *conf.SiteConfig) {
	if s.resp == nil {
		s.resp = newRespShared(s.cfg)
	}
	if v.access != nil {
		s.resp.accessEnv = true
	}
	mime, phases := usesResp(site)
	if s.cfg.MimeTypes != nil {
		mime = true
	}
	if !mime && !phases {
		return
	}
	rs := &respServer{shared: s.resp, mime: mime, phases: phases, log: v.log, runtimeDir: runtimeDir(s.cfg)}
	if phases && site.DocumentRoot != "" {
		if root, err := os.OpenRoot(site.DocumentRoot); err == nil {
			rs.root = root
			if v.docs.root == nil {
				v.docs.root = root // closed by Site.Close
			}
		}
	}
	v.rs = rs
	v.trivialValue.resp = rs.forCfg(v.base)
}

// forCfg returns the compiled configuration of a merged DirConfig (nil
// when the server uses none of the modules).
func (rs *respServer) forCfg(cfg *conf.DirConfig) *respCfg {
	if rs == nil || cfg == nil {
		return nil
	}
	if c, ok := rs.compiled.Load(cfg); ok {
		return c.(*respCfg)
	}
	c := &respCfg{}
	if r := cfg.Resp; r != nil {
		c.mime, c.lang, c.defLang, c.env, c.exp = r.Mime, r.Lang, r.DefaultLanguage, r.Env, r.Expires
		c.expc = expires.New(r.Expires)
		var err error
		if c.srvRules, err = setenvif.Compile(r.ServerSetEnvIf); err != nil {
			rs.log.Error("SetEnvIf: " + err.Error())
		}
		if c.dirRules, err = setenvif.Compile(r.SetEnvIf); err != nil {
			rs.log.Error("SetEnvIf: " + err.Error())
		}
		if c.hdr, err = headers.Compile(r.Headers); err != nil {
			rs.log.Error("Header: " + err.Error())
		}
		srv := conf.MergeCompressServer(nil, r.CompressServer)
		c.pol = compress.NewPolicy(r.Compress, srv)
		if c.pol != nil && rs.root != nil {
			c.static = rs.shared.static(srv, rs.runtimeDir, rs.log)
		}
		c.charset = r.Mime != nil && r.Mime.Charset == conf.DefaultCharsetOn
		c.typeMap, c.langPri, c.flp = r.TypeMap, r.LanguagePriority, r.ForceLangPriority
		typeMaps := false
		for _, on := range r.TypeMap {
			typeMaps = typeMaps || on
		}
		c.phases = c.srvRules != nil || c.dirRules != nil || c.env != nil || c.hdr != nil ||
			c.exp.On() || c.pol != nil || c.charset || typeMaps
	}
	rs.compiled.Store(cfg, c)
	return c
}

// respKey is the user value holding a request's *respState.
type respKey struct{}

// respState is one request's environment and the phases' bookkeeping,
// pooled.
type respState struct {
	env      setenvif.Env
	errPage  bool // the response is an error page the site made
	modTime  time.Time
	typeOnly string // r->content_type before AddDefaultCharset
	vary     bool   // the filters added Vary: Accept-Encoding
	ips      []byte // the client's and the server's address, as text
	// res is the resolution of the path rPath this request made (the
	// directory walk, its .htaccess files checked): resolveIn reuses it
	// for the same path, as Apache walks once per request.
	res   *resolved
	rPath []byte
}

var respStates = sync.Pool{New: func() any { return new(respState) }}

// stateOf returns the request's state, nil outside the phases.
func stateOf(ctx *fasthttp.RequestCtx) *respState {
	st, _ := ctx.UserValue(respKey{}).(*respState)
	return st
}

// envOf is the request's environment for access control (nil: none).
func envOf(ctx *fasthttp.RequestCtx) *setenvif.Env {
	if st := stateOf(ctx); st != nil {
		return &st.env
	}
	return nil
}

// markErrorPage records that the site answered with an error page
// (Apache's error path: only "Header always" applies).
func markErrorPage(ctx *fasthttp.RequestCtx) {
	if st := stateOf(ctx); st != nil {
		st.errPage = true
	}
}

func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// respRelease returns the request's state to the pool, after the access
// log (Site.finish). A request answered before the phases ran (a 400
// for a bad Host, 413, 414, a bad path) had an error page: it gets the
// server's "Header always" lines, as Apache's error filter gives them.
func respRelease(ctx *fasthttp.RequestCtx, v *vserver) {
	st := stateOf(ctx)
	if st == nil {
		if rc := v.trivialValue.resp; rc != nil && rc.hdr != nil && ctx.Response.StatusCode() >= 400 {
			rc.hdr.Response(&ctx.Response.Header, false, &headers.Vars{Request: &ctx.Request.Header, Start: ctx.Time()})
		}
		return
	}
	ctx.RemoveUserValue(respKey{})
	if v.rs.shared.accessEnv {
		ctx.RemoveUserValue(accesslog.EnvKey)
	}
	st.env.Reset()
	*st = respState{env: st.env, ips: st.ips[:0], rPath: st.rPath[:0]}
	respStates.Put(st)
}

// respDispatch runs the request through the phases when the server's
// configuration for it uses the modules, and reports whether it did
// (dispatch then has nothing left to do).
func (s *Site) respDispatch(ctx *fasthttp.RequestCtx, v *vserver) bool {
	rs := v.rs
	if rs == nil || !rs.phases {
		return false
	}
	r := &v.trivialValue
	var walked *resolved
	if !v.trivial {
		r = v.resolve(ctx.Path(), ctx.Time())
		walked = r
		if v.mp != nil {
			r = s.mapResolved(ctx, v, r) // map_chain.go
		}
	}
	rc := r.resp
	if rc == nil || !rc.phases {
		return false
	}
	st, vars := s.respStart(ctx, rc, true)
	if v.mp != nil {
		redirectEnv(ctx, &st.env) // map_chain.go
	}
	if walked != nil {
		st.res, st.rPath = walked, append(st.rPath[:0], ctx.Path()...)
	}
	// 3: access control.
	if r.check && s.denied(ctx, r) {
		s.respFinish(ctx, rc, st, &vars)
		return true
	}
	// 4: fixups.
	respFixups(ctx, rc, st, &vars)
	if r.cfg.Map != nil {
		n, _ := ctx.UserValue(redirectsKey{}).(int)
		if s.mapFixup(ctx, v, r) {
			// map_chain.go: answered (a redirect, an error, an H=
			// handler), or served again after an internal redirect
			// (whose own phases ran).
			if m, _ := ctx.UserValue(redirectsKey{}).(int); m == n {
				s.respFinish(ctx, rc, st, &vars)
			}
			return true
		}
	}
	// 5: the handler.
	if r.handler == nil && (ctx.IsGet() || ctx.IsHead()) && isTypeMap(rc.typeMap, b2s(ctx.Path())) &&
		s.serveTypeMap(ctx, v, r, rc) {
		s.respFinish(ctx, rc, st, &vars)
		return true
	}
	if r.handler != nil {
		r.handler(ctx)
	} else {
		s.serveStatic(ctx, v, r)
		if v.mp != nil {
			s.mapAfter(ctx) // map_chain.go: rewrite T=
		}
	}
	s.respFinish(ctx, rc, st, &vars)
	return true
}

// respStart begins the phases for a request whose configuration is rc
// (rc.phases): the request's state, then SetEnvIf, server level and (dir)
// per directory (steps 1-2).
func (s *Site) respStart(ctx *fasthttp.RequestCtx, rc *respCfg, dir bool) (*respState, headers.Vars) {
	st := respStates.Get().(*respState)
	ctx.SetUserValue(respKey{}, st)
	if s.resp.accessEnv {
		ctx.SetUserValue(accesslog.EnvKey, &st.env) // %{VAR}e; both go in respRelease
	}
	if rc.srvRules != nil || rc.dirRules != nil {
		proto := "HTTP/1.0"
		if ctx.Request.Header.IsHTTP11() {
			proto = "HTTP/1.1"
		}
		st.ips = appendIP(st.ips[:0], ctx.RemoteIP())
		n := len(st.ips)
		st.ips = appendIP(st.ips, ctx.LocalIP())
		ip := b2s(st.ips[:n])
		req := setenvif.Request{Header: &ctx.Request.Header, RemoteAddr: ip, RemoteHost: ip,
			ServerAddr: b2s(st.ips[n:]), URI: b2s(ctx.Path()), Method: b2s(ctx.Method()), Protocol: proto}
		rc.srvRules.Apply(&req, &st.env)
		if dir {
			rc.dirRules.Apply(&req, &st.env)
		}
	}
	return st, headers.Vars{Env: &st.env, Request: &ctx.Request.Header, Start: ctx.Time()}
}

// respEarly runs the output phases for a request answered in
// translate_name, before the directory walk (a server-context rewrite
// [R], F or G, a Redirect line): Apache's error path (ap_die) with the
// per-directory configuration of that moment, the server's merged with
// the <Location> sections that match, and the server-level SetEnvIf
// only. It gives the "Header always" lines, and Expires to a redirect.
func (s *Site) respEarly(ctx *fasthttp.RequestCtx, v *vserver) {
	if v.rs == nil || !v.rs.phases || stateOf(ctx) != nil {
		return
	}
	r := v.locationResolve(&v.mp.locCache, ctx.Path(), ctx.Time(), "")
	rc := r.resp
	if rc == nil || !rc.phases {
		return
	}
	st, vars := s.respStart(ctx, rc, false)
	st.errPage = true
	s.respFinish(ctx, rc, st, &vars)
}

// resolveIn is v.resolve(p) for the request in ctx, reusing the
// resolution respDispatch made for the same path (a second walk would
// stat every .htaccess file again).
func (v *vserver) resolveIn(ctx *fasthttp.RequestCtx, p []byte) *resolved {
	return v.resolveSt(ctx, stateOf(ctx), p)
}

// resolveSt is resolveIn with the request's state (nil: none) given.
func (v *vserver) resolveSt(ctx *fasthttp.RequestCtx, st *respState, p []byte) *resolved {
	if st != nil && st.res != nil && bytes.Equal(st.rPath, p) {
		return st.res
	}
	return v.resolve(p, ctx.Time())
}

// respFixups is step 4: SetEnv, RequestHeader.
func respFixups(ctx *fasthttp.RequestCtx, rc *respCfg, st *respState, vars *headers.Vars) {
	setenvif.ApplyEnv(rc.env, &st.env)
	rc.hdr.Request(&ctx.Request.Header, vars)
}

var (
	valHTTP10   = []byte("HTTP/1.0")
	hdrContLang = []byte(fasthttp.HeaderContentLanguage)
)

// respFinish is the output side: Expires, Header, AddDefaultCharset and
// the special variables.
func (s *Site) respFinish(ctx *fasthttp.RequestCtx, rc *respCfg, st *respState, vars *headers.Vars) {
	if stateOf(ctx) != st {
		// The answer came from an internal redirect (an ErrorDocument
		// path) whose own phases ran on it.
		return
	}
	h := &ctx.Response.Header
	success := !st.errPage
	if !success && errDocAnswered(ctx) { // resp_translate.go
		return
	}
	if rc.expc != nil {
		// mod_expires runs on the error path too (insert_error_filter),
		// where it gives a redirect its Expires; never a 4xx or 5xx, an
		// ErrorDocument's page included (its request has the error's
		// status).
		ct := st.typeOnly
		if !success {
			ct = "" // the error page's own type
		}
		status := ctx.Response.StatusCode()
		if es, ok := ctx.UserValue(errDocKey{}).(int); ok {
			status = es
		}
		rc.expc.Apply(h, &expires.Response{Status: status, ContentType: ct,
			ModTime: st.modTime, Now: ctx.Time()})
	}
	if st.vary && ctx.Response.StatusCode() == fasthttp.StatusNotModified {
		compress.AddVary(h) // finishFile's 304 starts from an empty response
	}
	rc.hdr.Response(h, success, vars)
	fixupVary(h) // vary.go
	if rc.charset {
		if ct := h.ContentType(); len(ct) > 0 {
			h.SetContentType(mimetype.DefaultCharset(rc.mime, string(ct)))
		}
	}
	if st.env.Len() == 0 {
		return
	}
	env := &st.env
	if env.Has("nokeepalive") {
		ctx.Response.SetConnectionClose()
	}
	http10 := !ctx.Request.Header.IsHTTP11()
	if env.Has("downgrade-1.0") {
		// r->proto_num = 1000: keep-alive only when asked the 1.0 way.
		http10 = true
		if !hasToken(ctx.Request.Header.PeekCanonical(hdrConnection), "keep-alive") {
			ctx.Response.SetConnectionClose()
		}
	}
	if env.Has("force-no-vary") {
		h.Del(fasthttp.HeaderVary)
	}
	if (env.Has("force-response-1.0") || env.Has("force-no-vary")) && http10 {
		h.SetProtocol(valHTTP10)
	}
	if st.errPage && env.Has("suppress-error-charset") {
		if ct := h.ContentType(); strings.HasPrefix(string(ct), "text/html;") {
			h.SetContentType("text/html")
		}
	}
}

// fileType sets Content-Type, Content-Encoding and Content-Language of a
// static file's response from mod_mime's configuration; it reports false
// when the server does not use mod_mime (the caller's built-in table
// answers then).
func (s *Site) fileType(ctx *fasthttp.RequestCtx, v *vserver, name []byte) bool {
	rs := v.rs
	if rs == nil || !rs.mime {
		return false
	}
	r := &v.trivialValue
	if !v.trivial {
		r = v.resolveIn(ctx, name)
	}
	var rc *respCfg
	if r.resp != nil {
		rc = r.resp
	} else {
		rc = &respCfg{}
	}
	base := name[strings.LastIndexByte(b2s(name), '/')+1:]
	res := mimetype.Lookup(rc.mime, rs.shared.types, b2s(base))
	h := &ctx.Response.Header
	if res.ContentType != "" {
		h.SetContentType(res.ContentType)
	} else {
		h.Del(fasthttp.HeaderContentType)
		h.SetNoDefaultContentType(true)
	}
	if res.Encoding != "" {
		h.Set(fasthttp.HeaderContentEncoding, res.Encoding)
	}
	if lang := languages(rc, b2s(base)); lang != "" {
		h.SetCanonical(hdrContLang, []byte(lang))
	}
	if st := stateOf(ctx); st != nil {
		st.typeOnly = res.ContentType
	}
	return true
}

// languages is mod_mime's Content-Language: the AddLanguage languages of
// the name's extensions (every part after the first dot), in order and
// once each, else DefaultLanguage.
func languages(rc *respCfg, base string) string {
	if len(rc.lang) == 0 {
		return rc.defLang
	}
	var out []string
	base = strings.TrimLeft(base, ".")
	_, exts, ok := strings.Cut(base, ".")
	for ok && exts != "" {
		var ext string
		ext, exts, _ = strings.Cut(exts, ".")
		if ext == "" {
			continue
		}
		if l, found := rc.lang[strings.ToLower(ext)]; found {
			dup := false
			for _, o := range out {
				dup = dup || o == l
			}
			if !dup {
				out = append(out, l)
			}
		}
	}
	if len(out) == 0 {
		return rc.defLang
	}
	return strings.Join(out, ", ")
}

// compressFile serves the coded representation of a static file when the
// configuration and the request ask for one, and reports whether it
// answered. It runs in finishFile after the type is set and before the
// validators: the coded response has its own ETag ("-gzip"/"-br"), its
// preconditions, Content-Length and ranges. The body is a cached file
// sent with sendfile (the event engine's write completion takes it like
// any static file, so a slow client holds no worker).
func (s *Site) compressFile(ctx *fasthttp.RequestCtx, v *vserver, name []byte, size int64) bool {
	if v.rs == nil || !v.rs.phases || v.embedded {
		return false
	}
	st := stateOf(ctx)
	if st == nil {
		return false
	}
	r := &v.trivialValue
	if !v.trivial {
		r = v.resolveSt(ctx, st, name)
	}
	rc := r.resp
	if rc == nil {
		return false
	}
	if rc.pol == nil && !rc.expc.UsesModTime() {
		return false
	}
	h := &ctx.Response.Header
	if lm, err := fasthttp.ParseHTTPDate(h.PeekCanonical(hdrLastModified)); err == nil {
		st.modTime = lm
	}
	if rc.pol == nil {
		return false
	}
	d := rc.pol.Decide(&compress.Request{
		AcceptEncoding: ctx.Request.Header.Peek(fasthttp.HeaderAcceptEncoding),
		Env:            compress.EnvOf(st.env.Lookup),
		Name:           b2s(name),
	}, &compress.Response{Status: fasthttp.StatusOK, ContentType: h.ContentType(),
		ContentEncoding: h.Peek(fasthttp.HeaderContentEncoding),
		CacheControl:    h.Peek(fasthttp.HeaderCacheControl), Length: size})
	if d.Encoding == compress.Identity || rc.static == nil {
		if d.Vary {
			compress.AddVary(h)
			st.vary = true
		}
		return false
	}
	relName := rel(name)
	fi, err := v.rs.root.Stat(relName)
	// The file under DocumentRoot must be the one the response describes
	// (a handler mapping the URL elsewhere, such as an Alias, or a file
	// changed since fasthttp.FS cached it, gets the identity response).
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != size || (!st.modTime.IsZero() && !fi.ModTime().Truncate(time.Second).Equal(st.modTime)) {
		if d.Vary {
			compress.AddVary(h)
			st.vary = true
		}
		return false
	}
	now := ctx.Time()
	if now.IsZero() {
		now = time.Now()
	}
	var etagBuf, codedBuf [64]byte
	var val validators
	var identity []byte
	if t, err := fasthttp.ParseHTTPDate(h.PeekCanonical(hdrLastModified)); err == nil {
		val.lastMod, val.hasLM = t, true
		identity = appendETag(etagBuf[:0], size, t, now)
		val.etag = identity
	}
	// Preconditions against the identity validators, the client's
	// If-None-Match tags without their "-gzip"/"-br" suffix.
	var saved []byte
	if inm := ctx.Request.Header.PeekCanonical(hdrIfNoneMatch); len(inm) > 0 {
		saved = append([]byte(nil), inm...)
		ctx.Request.Header.SetCanonical(hdrIfNoneMatch, trimmedTags(inm))
	}
	status := s.preconditions(ctx, &val, now)
	if saved != nil {
		ctx.Request.Header.SetCanonical(hdrIfNoneMatch, saved)
	}
	if identity != nil {
		val.etag = compress.AppendETag(codedBuf[:0], identity, d.Encoding, d.AlterETag)
	}
	switch status {
	case fasthttp.StatusNotModified:
		var lmBuf [40]byte // Apache's 304 keeps Last-Modified and Accept-Ranges
		lm := append(lmBuf[:0], h.PeekCanonical(hdrLastModified)...)
		ctx.Response.Reset()
		ctx.Response.SetStatusCode(fasthttp.StatusNotModified)
		h.SetNoDefaultContentType(true)
		if len(lm) > 0 {
			h.SetCanonical(hdrLastModified, lm)
		}
		h.SetCanonical(hdrAcceptRanges, valBytes)
		if len(val.etag) > 0 {
			h.SetCanonical(hdrETag, val.etag)
		}
		if d.Vary {
			compress.AddVary(h)
			st.vary = true
		}
		return true
	case fasthttp.StatusPreconditionFailed:
		s.sendError(ctx, fasthttp.StatusPreconditionFailed, "")
		return true
	}
	b, err := rc.static.Open(&compress.File{Root: v.rs.root, Name: relName, Info: fi, Sidecars: rc.pol.Sidecars()},
		d.Encoding, compress.ParamsOf(rc.pol.Server()))
	if err != nil {
		if !errors.Is(err, compress.ErrTooLarge) {
			s.logf(ctx, slog.LevelWarn, "compressing %s: %v", name, err)
		}
		if d.Vary {
			compress.AddVary(h)
			st.vary = true
		}
		return false
	}
	if len(identity) > 0 {
		h.SetCanonical(hdrETag, identity) // Attach alters it
	}
	b.Attach(&ctx.Response, d)
	// Ranges apply to the coded bytes (Apache's byterange filter runs
	// after the compressors).
	if rg := ctx.Request.Header.PeekCanonical(hdrRange); len(rg) > 0 {
		s.codedRanges(ctx, v, name, b, &val)
	}
	return true
}

// trimmedTags is an If-None-Match value with each entity-tag passed
// through compress.AppendTrimmedETag ("*" and malformed text kept).
func trimmedTags(v []byte) []byte {
	out := make([]byte, 0, len(v))
	for len(v) > 0 {
		trimmed := bytes.TrimLeft(v, " \t,")
		out = append(out, v[:len(v)-len(trimmed)]...)
		v = trimmed
		if len(v) == 0 {
			break
		}
		tag, rest, ok := nextETag(v)
		if !ok {
			return append(out, v...)
		}
		out = compress.AppendTrimmedETag(out, tag)
		v = rest
	}
	return out
}

// runtimeDir is where the compressed-file cache goes by default: the
// PidFile's directory (Apache's DefaultRuntimeDir is ServerRoot's logs/
// by default, where the PidFile goes too; Debian puts both in
// /var/run/apache2).
func runtimeDir(cfg *conf.Config) string {
	if cfg.PidFile != "" {
		return filepath.Dir(cfg.PidFile)
	}
	return filepath.Join(cfg.ServerRoot, "logs")
}

// CompressCacheDirs are the directories of the compressed-file caches
// cfg's servers may use (CompressCacheDir, or the default under the
// runtime directory), for the serving process to create, owned by User,
// while it still has the privileges to (the children share them).
func CompressCacheDirs(cfg *conf.Config) []string {
	var dirs []string
	add := func(site *conf.SiteConfig) {
		if _, phases := usesResp(site); !phases {
			return
		}
		var srv *conf.CompressServer
		if site.Dir != nil && site.Dir.Resp != nil {
			srv = site.Dir.Resp.CompressServer
		}
		dir := conf.MergeCompressServer(nil, srv).CacheDir
		if dir == "" {
			dir = compress.DefaultCacheDir(runtimeDir(cfg))
		}
		for _, d := range dirs {
			if d == dir {
				return
			}
		}
		dirs = append(dirs, dir)
	}
	add(&cfg.Site)
	for i := range cfg.Servers {
		add(&cfg.Servers[i].Site)
	}
	return dirs
}

// appendIP appends ip's text form (as net.IP.String) without allocating.
func appendIP(dst []byte, ip net.IP) []byte {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return dst
	}
	return a.Unmap().AppendTo(dst)
}
