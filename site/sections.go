package site

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dlclark/regexp2"
	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/remoteip"
	"github.com/gohttpd/gohttpd/site/vhost"
)

// section is a conf.Section with its regular expression compiled.
type section struct {
	sec   *conf.Section
	re    *regexp2.Regexp
	files []*section
	// dir is what a match merges: the section's settings with its nested
	// <Files> sections, built once so that merges can be memoised.
	dir *conf.DirConfig
}

func newSection(s *conf.Section) *section {
	c := &section{sec: s, dir: s.Dir}
	if len(s.Files) > 0 {
		d := conf.DirConfig{}
		if s.Dir != nil {
			d = *s.Dir
		}
		d.Files = append(append([]*conf.Section(nil), d.Files...), s.Files...)
		c.dir = &d
	}
	return c
}

// vserver is one server's part of the site (the main server now; each
// virtual host will own one): it maps a request to its merged
// per-directory configuration (its own settings and its sections in
// Apache's merge order, with a cache of the results) and serves its
// DocumentRoot (fasthttp.FS, DirectoryIndex, range reads).
type vserver struct {
	docroot    string // "" for the built-in site: no <Directory> applies
	debug      bool   // debug lines of access control are wanted
	serverRoot string
	base       *conf.DirConfig
	dirs       []*section // non-regex <Directory>, sorted
	dirRegex   []*section
	locs       []*section
	// files compiles <Files> sections by their conf pointer (top level,
	// nested, and those of .htaccess files as they are read).
	files       sync.Map // *conf.Section → *section
	accessNames []string
	handlers    map[string]fasthttp.RequestHandler
	// given and missingFn are New's handlers and its answer for a name
	// nobody provides, for handlers named outside the sections scanned
	// at start.
	given     map[string]fasthttp.RequestHandler
	missingFn func(string) fasthttp.RequestHandler
	missing   []string // handler names nobody provides
	ht        *htaccessCache

	// trivial is set when no section, .htaccess or symbolic link check
	// can apply: every request gets base (no walk, no cache).
	trivial      bool
	trivialValue resolved

	memoMu sync.Mutex
	memo   map[[2]*conf.DirConfig]*conf.DirConfig

	cache pathCache

	// The server's identity (with virtual hosts: %v, %p), logs, error
	// pages and types.
	name   string
	port   int
	col    atomic.Pointer[statusCol]
	log    *slog.Logger
	access AccessLogger
	pages  *errorPages
	types  typeTable

	// Static files.
	docs      docRoot
	fs        *fasthttp.FS
	fsHandler fasthttp.RequestHandler
	indexes   []string
	embedded  bool
	etags     map[string]string // strong content-hash ETags of embedded files, by name

	// mp is the URL-mapping modules' state (map_chain.go), nil when the
	// server uses none of them.
	mp *mapServer
	rs *respServer // response shaping (resp_chain.go); nil when unused

	proxy    *proxyRoute      // ProxyPass lines; nil when nothing is proxied
	remoteIP *remoteip.Config // RemoteIPHeader; nil without one
}

// pathCache maps request paths to resolutions. Reads take no lock: they
// look in an immutable snapshot map of slots, and a path seen again only
// replaces its slot's value. New paths gather in a locked pending map,
// published into a new snapshot (copy on write) once they are a quarter
// of it, so each path costs O(1) copies in all.
type pathCache struct {
	snap    atomic.Pointer[map[string]*slot]
	mu      sync.Mutex
	pending map[string]*slot
}

// slot holds the current resolution of one path.
type slot struct{ r atomic.Pointer[resolved] }

// load returns the resolution cached for p, or nil.
func (c *pathCache) load(p []byte) *resolved {
	if m := c.snap.Load(); m != nil {
		if sl := (*m)[string(p)]; sl != nil {
			return sl.r.Load()
		}
	}
	c.mu.Lock()
	sl := c.pending[string(p)]
	c.mu.Unlock()
	if sl != nil {
		return sl.r.Load()
	}
	return nil
}

// store sets the resolution of key; everything is dropped at maxResolved.
func (c *pathCache) store(key string, r *resolved) {
	if m := c.snap.Load(); m != nil {
		if sl := (*m)[key]; sl != nil {
			sl.r.Store(r)
			return
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var old map[string]*slot
	if m := c.snap.Load(); m != nil {
		old = *m
	}
	if sl := c.pending[key]; sl != nil {
		sl.r.Store(r)
		return
	}
	if len(old)+len(c.pending) >= maxResolved {
		old = nil
		c.snap.Store(nil)
		clear(c.pending)
	}
	if c.pending == nil {
		c.pending = make(map[string]*slot)
	}
	sl := &slot{}
	sl.r.Store(r)
	c.pending[key] = sl
	if len(c.pending) > len(old)/4 {
		n := make(map[string]*slot, len(old)+len(c.pending))
		for k, v := range old {
			n[k] = v
		}
		for k, v := range c.pending {
			n[k] = v
		}
		c.snap.Store(&n)
		clear(c.pending)
	}
}

// size is the number of entries (for tests).
func (c *pathCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.pending)
	if m := c.snap.Load(); m != nil {
		n += len(*m)
	}
	return n
}

// maxResolved bounds the cache of resolved paths; it is emptied when full.
const maxResolved = 8192

// resolvedTTL is how long a resolution that looked at the file system (is
// it a directory, a symbolic link) is reused.
const resolvedTTL = time.Second

// resolved is what a request path maps to: its merged configuration and
// the outcome of the directory walk. Immutable once cached.
type resolved struct {
	cfg      *conf.DirConfig
	filename string // the file name the walk reached (Apache's r->filename)
	handler  fasthttp.RequestHandler
	// needsHost: the access configuration names hosts; allGranted: it
	// grants every request (see grantsAll); check: the access phases have
	// something to do (a walk failure, access control that may deny).
	needsHost, allGranted, check bool
	// status is a walk failure: 403 (symbolic link not allowed, search
	// permission missing, unreadable .htaccess) or 500 (.htaccess
	// syntax), with its error-log line.
	status   int
	preLog   string // an error-level line logged before logMsg
	logMsg   string
	logLevel slog.Level
	logErr   error
	expires  time.Time
	// alias is the file an Alias mapped the request to (outside
	// DocumentRoot), "" for none.
	alias string
	// stat is what the walk learnt of the file it reached (map_chain.go).
	stat walkStat
	// deps are the .htaccess files read (or found missing) on the way;
	// each is checked again on every use, as Apache reads them per
	// request.
	deps []htDep
	resp *respCfg // response shaping (resp_chain.go)

	// checked is when (Unix ns) a check of deps that found them
	// unchanged began (depsValid; atomic: resolutions are shared, and
	// copied by mapResolved).
	checked int64
}

func newVServer(site *conf.SiteConfig, serverRoot string, debug bool, handlers map[string]fasthttp.RequestHandler, missing func(string) fasthttp.RequestHandler) (*vserver, error) {
	v := &vserver{
		docroot:     site.DocumentRoot,
		serverRoot:  serverRoot,
		base:        site.Dir,
		accessNames: site.AccessFileName,
		memo:        make(map[[2]*conf.DirConfig]*conf.DirConfig),
		ht:          newHTAccessCache(),
	}
	if v.base == nil {
		v.base = conf.ServerDirDefaults()
	}
	if len(v.accessNames) == 0 {
		v.accessNames = []string{".htaccess"}
	}
	var err error
	compile := func(list []*conf.Section) []*section {
		out := make([]*section, 0, len(list))
		for _, s := range list {
			c, e := v.compile(s)
			if e != nil && err == nil {
				err = e
			}
			out = append(out, c)
		}
		return out
	}
	compile(v.base.Files)
	v.dirs = compile(site.Sections.Directories)
	v.dirRegex = compile(site.Sections.DirRegex)
	// Handler locations of structured files and the built-in site come
	// first, then <Location> sections.
	for _, l := range site.Locations {
		s := &conf.Section{Kind: conf.SectionLocation, Match: l.Path, Tag: "<Location " + l.Path + ">",
			Dir: &conf.DirConfig{Handler: l.Handler, HandlerSet: l.Handler != ""}}
		v.locs = append(v.locs, newSection(s))
	}
	v.locs = append(v.locs, compile(site.Sections.Locations)...)
	v.handlers = make(map[string]fasthttp.RequestHandler)
	v.given, v.missingFn = handlers, missing
	for _, s := range v.locs {
		if s.sec.Dir != nil && s.sec.Dir.HandlerSet {
			v.handler(s.sec.Dir.Handler, s.sec.Tag, handlers, missing)
		}
	}
	for _, list := range [][]*section{v.dirs, v.dirRegex} {
		for _, s := range list {
			if s.sec.Dir != nil && s.sec.Dir.HandlerSet {
				v.handler(s.sec.Dir.Handler, s.sec.Tag, handlers, missing)
			}
		}
	}
	v.trivial = len(v.dirs) == 0 && len(v.dirRegex) == 0 && len(v.locs) == 0 &&
		len(v.base.Files) == 0 && v.base.Auth == nil && !v.base.HasOverrides() &&
		v.base.AllowedOptions()&(conf.OptSymLinks|conf.OptSymOwner) == conf.OptSymLinks
	v.trivialValue = resolved{cfg: v.base}
	return v, err
}

// lookupHandler returns the handler for a SetHandler name.
func (v *vserver) lookupHandler(name string) fasthttp.RequestHandler {
	if h := v.given[name]; h != nil {
		return h
	}
	return v.missingFn(name)
}

// handler registers the handler for a SetHandler name.
func (v *vserver) handler(name, tag string, handlers map[string]fasthttp.RequestHandler, missing func(string) fasthttp.RequestHandler) {
	if name == "" {
		return
	}
	if _, ok := handlers[name]; !ok || handlers[name] == nil {
		v.missing = append(v.missing, "AH00524: handler \""+name+"\" not found for "+tag+": its requests get 500")
	}
	if _, ok := v.handlers[name]; ok {
		return
	}
	h, ok := handlers[name]
	if !ok || h == nil {
		h = missing(name)
	}
	v.handlers[name] = h
}

// compile compiles a section (and its nested <Files>).
func (v *vserver) compile(s *conf.Section) (*section, error) {
	if c, ok := v.files.Load(s); ok {
		return c.(*section), nil
	}
	c := newSection(s)
	var err error
	if s.Regex {
		c.re, err = conf.CompileSectionRegex(s.Match)
	}
	for _, f := range s.Files {
		fc, e := v.compile(f)
		if e != nil && err == nil {
			err = e
		}
		c.files = append(c.files, fc)
	}
	v.files.Store(s, c)
	return c, err
}

// filesSection returns a <Files> section compiled: those of the
// configuration were compiled by newVServer; those of .htaccess files are
// compiled here each time (only when a path is resolved), so that
// rewritten .htaccess files leave nothing behind.
func (v *vserver) filesSection(f *conf.Section) *section {
	if c, ok := v.files.Load(f); ok {
		return c.(*section)
	}
	c := newSection(f)
	if f.Regex {
		c.re, _ = conf.CompileSectionRegex(f.Match)
	}
	return c
}

// regexMatch runs a section's regular expression; a match that times out
// counts as no match.
func regexMatch(re *regexp2.Regexp, s string) bool {
	if re == nil {
		return false
	}
	ok, err := re.MatchString(s)
	return err == nil && ok
}

// resolve returns the configuration for the request path p (decoded and
// normalised, starting with "/"), from the cache when it is still valid.
func (v *vserver) resolve(p []byte, now time.Time) *resolved {
	if v.trivial {
		// FollowSymLinks without SymLinksIfOwnerMatch follows every link
		// whose target exists (fasthttp.FS finds out), and nothing else
		// applies: Apache's walk would give base too.
		return &v.trivialValue
	}
	if now.IsZero() {
		now = time.Now() // a RequestCtx made without a request time
	}
	if r := v.cache.load(p); r != nil && now.Before(r.expires) && v.depsValid(r, now) {
		return r
	}
	began := time.Now().UnixNano()
	r := v.walk(string(p), now)
	atomic.StoreInt64(&r.checked, began) // the walk read the .htaccess files
	r.resp = v.rs.forCfg(r.cfg)
	v.cache.store(string(p), r)
	return r
}

// depsValid checks the .htaccess files a resolution read: one stat each,
// unless a check that began at or after now (the request's start) found
// them unchanged. Apache reads them once during the request; a check
// made after the request began is as good, so a request resolving its
// path again (the type checker, the compression filter) or one that
// began before another request's check costs no more stats.
func (v *vserver) depsValid(r *resolved, now time.Time) bool {
	if len(r.deps) == 0 || atomic.LoadInt64(&r.checked) >= now.UnixNano() {
		return true
	}
	start := time.Now().UnixNano()
	for i := range r.deps {
		if !r.deps[i].valid() {
			return false
		}
	}
	if start > atomic.LoadInt64(&r.checked) {
		atomic.StoreInt64(&r.checked, start) // a lost race keeps an older time: one more check later
	}
	return true
}

// walk is ap_directory_walk, ap_file_walk and ap_location_walk for uri.
func (v *vserver) walk(uri string, now time.Time) *resolved {
	return v.walkAs(uri, v.aliasFile(uri), now)
}

// walkAs is walk for uri mapped to the file system path file ("" maps
// it under DocumentRoot).
func (v *vserver) walkAs(uri, file string, now time.Time) *resolved {
	r := &resolved{expires: now.Add(resolvedTTL)}
	cfg := v.base
	if r.alias = cleanFile(file); r.alias != "" {
		r.filename = r.alias
	}
	if v.docroot != "" || r.alias != "" {
		var ok bool
		cfg, ok = v.dirWalk(r, uri, cfg)
		if !ok {
			r.cfg = cfg
			r.check = true
			return r
		}
	} else {
		r.filename = uri
	}
	// <DirectoryMatch> against the whole file name.
	if v.docroot != "" || r.alias != "" {
		for _, s := range v.dirRegex {
			if regexMatch(s.re, r.filename) {
				cfg = v.mergeSection(cfg, s)
			}
		}
	}
	// <Files> (top level, then nested in the directories that matched,
	// then .htaccess ones) against the base name.
	if len(cfg.Files) > 0 {
		base := r.filename[strings.LastIndexByte(r.filename, '/')+1:]
		for _, f := range cfg.Files {
			s := v.filesSection(f)
			if matchFiles(s, base) {
				cfg = v.merge(cfg, s.dir)
			}
		}
	}
	// <Location> against the URL path.
	for _, s := range v.locs {
		if matchLocationSection(s, uri) {
			cfg = v.merge(cfg, s.dir)
		}
	}
	r.cfg = cfg
	if a := cfg.Auth; a != nil && (a.Require != nil || a.Compat != nil) {
		r.needsHost = needsHost(a)
		r.allGranted = a.Compat == nil && grantsAll(a.Require)
		r.check = !r.allGranted || v.debug
	}
	if cfg.HandlerSet && cfg.Handler != "" {
		r.handler = v.handlers[cfg.Handler]
		if r.handler == nil {
			// Set by a <Files> section or an .htaccess file.
			r.handler = v.lookupHandler(cfg.Handler)
		}
	}
	return r
}

// mergeSection merges a matching directory section, its nested <Files>
// along.
func (v *vserver) mergeSection(cfg *conf.DirConfig, s *section) *conf.DirConfig {
	return v.merge(cfg, s.dir)
}

// maxMerges bounds the memo of merges; it is emptied when full.
const maxMerges = 16384

// merge is conf.MergeDir memoised on its arguments: the same chain of
// sections gives the same configuration value, so that two requests (a
// directory and its index file) can see they share their access control
// by comparing pointers, and a walk reuses earlier merges.
func (v *vserver) merge(base, child *conf.DirConfig) *conf.DirConfig {
	if child == nil {
		return base
	}
	k := [2]*conf.DirConfig{base, child}
	v.memoMu.Lock()
	m, ok := v.memo[k]
	v.memoMu.Unlock()
	if ok {
		return m
	}
	m = conf.MergeDir(base, child)
	v.memoMu.Lock()
	if len(v.memo) >= maxMerges {
		clear(v.memo)
	}
	v.memo[k] = m
	v.memoMu.Unlock()
	return m
}

func matchFiles(s *section, base string) bool {
	switch {
	case s.sec.Regex:
		return regexMatch(s.re, base)
	case s.sec.Wildcard:
		ok, _ := path.Match(s.sec.Match, base)
		return ok
	}
	return s.sec.Match == base
}

// matchLocationSection is location_walk's test for one section.
func matchLocationSection(s *section, uri string) bool {
	switch {
	case s.sec.Regex:
		return regexMatch(s.re, uri)
	case s.sec.Wildcard:
		ok, _ := path.Match(s.sec.Match, uri)
		return ok
	}
	return matchLocation(s.sec.Match, []byte(uri))
}

// dirWalk walks the directories from "/" to the file uri maps to under
// DocumentRoot, merging the <Directory> sections of each level, reading
// .htaccess files where AllowOverride lets it, and checking symbolic
// links against Options. It sets r.filename; ok is false when the walk
// failed (r.status set).
func (v *vserver) dirWalk(r *resolved, uri string, cfg *conf.DirConfig) (*conf.DirConfig, bool) {
	full := v.docroot + uri
	if v.docroot == "/" {
		full = uri
	}
	if r.alias != "" {
		full = r.alias
	}
	// Components: "/" first, then each name.
	rest := strings.TrimPrefix(full, "/")
	dir := "/"
	for {
		comps := strings.Count(dir, "/")
		for _, d := range v.dirs {
			c := d.sec.Components
			if c > comps {
				break
			}
			if c == 0 {
				if dir == "/" {
					cfg = v.mergeSection(cfg, d)
				}
				continue
			}
			if c < comps {
				continue
			}
			if d.sec.Wildcard {
				if ok, _ := path.Match(d.sec.Match, dir); !ok {
					continue
				}
			} else if d.sec.Match != dir {
				continue
			}
			cfg = v.mergeSection(cfg, d)
		}
		if cfg.HasOverrides() {
			var failed bool
			cfg, failed = v.htaccess(r, dir, cfg)
			if failed {
				return cfg, false
			}
		}
		if rest == "" {
			r.filename = dir
			if !strings.HasSuffix(uri, "/") && dir != "/" {
				r.filename = strings.TrimSuffix(dir, "/")
			}
			return cfg, true
		}
		name, after, _ := strings.Cut(rest, "/")
		next := dir + name
		fi, err := os.Lstat(next)
		switch {
		case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
			r.filename = next
			r.setStat(next, nil)
			return cfg, true
		case errors.Is(err, fs.ErrPermission):
			r.status = fasthttp.StatusForbidden
			r.logLevel = slog.LevelError
			r.logMsg = "AH00035: access to " + uri + " denied (filesystem path '" + next +
				"') because search permissions are missing on a component of the path"
			return cfg, false
		case err != nil:
			r.status = fasthttp.StatusForbidden
			r.logLevel = slog.LevelError
			r.logMsg = "AH00036: access to " + uri + " failed (filesystem path '" + next + "')"
			return cfg, false
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			target, ok := resolveSymlink(next, fi, cfg.AllowedOptions())
			if !ok {
				r.status = fasthttp.StatusForbidden
				r.logLevel = slog.LevelError
				r.logMsg = "AH00037: Symbolic link not allowed or link target not accessible: " + next
				return cfg, false
			}
			fi = target
		}
		switch {
		case fi.Mode().IsRegular():
			r.setStat(next, fi)
			r.filename = next
			if after != "" {
				r.filename = next // path info after a file: 404 later
			}
			return cfg, true
		case !fi.IsDir():
			r.status = fasthttp.StatusForbidden
			r.logLevel = slog.LevelError
			r.logMsg = "AH00038: Forbidden: " + next + " doesn't point to a file or directory"
			return cfg, false
		}
		r.setStat(next, fi)
		dir = next + "/"
		rest = after
	}
}

// resolveSymlink is request.c's resolve_symlink: a link is followed with
// FollowSymLinks when its target exists, or with SymLinksIfOwnerMatch
// when the link and its target have the same owner.
func resolveSymlink(name string, link fs.FileInfo, opts conf.OptionBits) (fs.FileInfo, bool) {
	if opts&(conf.OptSymLinks|conf.OptSymOwner) == 0 {
		return nil, false
	}
	target, err := os.Stat(name)
	if err != nil {
		return nil, false
	}
	if opts&conf.OptSymLinks != 0 {
		return target, true
	}
	lu, lok := owner(link)
	tu, tok := owner(target)
	if !lok || !tok || lu != tu {
		return nil, false
	}
	return target, true
}

// owner is a file's owner uid.
func owner(fi fs.FileInfo) (uint32, bool) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Uid, true
	}
	return 0, false
}

// initFiles sets up the server's static files: DocumentRoot (or the
// built-in site) for fasthttp.FS and for index and range reads.
func (v *vserver) initFiles(site *conf.SiteConfig, rewrite func(*fasthttp.RequestCtx) []byte) error {
	v.indexes = site.DirectoryIndex
	v.fs = &fasthttp.FS{
		PathRewrite:        rewrite,
		GenerateIndexPages: false,
		AcceptByteRange:    false, // ranges are done here (multi-range, If-Range with ETags)
		GenerateETag:       false, // so are validators
		Compress:           false, // Apache does not compress without mod_deflate
		CleanStop:          make(chan struct{}),
		// Symbolic links are checked by the directory walk against
		// Options FollowSymLinks / SymLinksIfOwnerMatch, as Apache does.
		AllowSymlinksOutsideRoot: true,
	}
	if root := site.DocumentRoot; root != "" {
		if !filepath.IsAbs(root) {
			return fmt.Errorf("site: DocumentRoot %q is not an absolute path", root)
		}
		if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
			if err == nil {
				err = errors.New("not a directory")
			}
			return fmt.Errorf("site: DocumentRoot: %w", err)
		}
		v.docs = docRoot{fsys: os.DirFS(root)}
		v.fs.Root = root
	} else {
		sub, err := fs.Sub(defaultSite, "default")
		if err != nil {
			return fmt.Errorf("site: built-in site: %w", err)
		}
		etags, err := contentETags(sub)
		if err != nil {
			return fmt.Errorf("site: built-in site: %w", err)
		}
		v.docs = docRoot{fsys: sub}
		v.fs.FS = sub
		v.embedded = true
		v.etags = etags
	}
	v.fsHandler = v.fs.NewRequestHandler()
	return nil
}

// setIdentity takes the server's name and port from the vhost table.
func (v *vserver) setIdentity(t *vhost.Table, id vhost.ID) {
	srv := t.Server(id)
	v.name, v.port = srv.Name, srv.Port
}

// ServerName is %v (accesslog.ServerInfo).
func (v *vserver) ServerName() string { return v.name }

// CanonicalPort is %p: the server's port, else the scheme's default
// (vhost.Table.CanonicalPort).
func (v *vserver) CanonicalPort(ctx *fasthttp.RequestCtx) int {
	switch {
	case v.port != 0:
		return v.port
	case ctx.IsTLS():
		return 443
	}
	return 80
}

// statusCol is a server's status page VHost column for one local port.
type statusCol struct {
	port uint16
	s    string
}

// statusVHost is the VHost column of a request m selected for v, built
// once per local port (a server usually has one).
func (v *vserver) statusVHost(t *vhost.Table, m *vhost.Match) string {
	port := m.Local.Port()
	if c := v.col.Load(); c != nil && c.port == port {
		return c.s
	}
	c := &statusCol{port: port, s: string(t.AppendStatusVHost(nil, m))}
	v.col.Store(c)
	return c.s
}
