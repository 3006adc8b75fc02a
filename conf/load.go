package conf

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// Options says where a configuration comes from. Sources apply in this
// order, later ones winning: built-in defaults, Pre (-C), the file,
// GOHTTPD_* variables of Environ, Post (-c).
type Options struct {
	// File is the configuration file; "" runs on built-in defaults (plus
	// Pre, Environ and Post). Files ending in .yaml, .yml, .toml or .json
	// use those formats; anything else is Apache syntax.
	File string
	// Defines are the -D names ("NAME" or "NAME=value").
	Defines []string
	// Pre are -C directives, processed before the file (Apache semantics),
	// e.g. "MPM worker".
	Pre []string
	// Post are -c directives, processed after the file and the environment.
	Post []string
	// Environ is an os.Environ()-style list; only GOHTTPD_<DIRECTIVE>
	// entries are used. nil means none.
	Environ []string
	// SkipDocumentRootCheck is Apache's -T.
	SkipDocumentRootCheck bool
}

// envPrefix starts the environment variables that override directives.
const envPrefix = "GOHTTPD_"

// envTestPrefix starts the binary's test hooks (GOHTTPD_TEST_TICK, ...)
// and mpmtest's GOHTTPD_TEST_BINARY: no directive, and no notice.
const envTestPrefix = "GOHTTPD_TEST_"

// Load reads a configuration and returns its frozen snapshot, or errors:
// *Error values (several joined with errors.Join) naming file, line and
// directive.
//
// The engine is chosen first (from -c, GOHTTPD_MPM, the file's MPM and
// LoadModule mpm_*_module lines read with the -D defines, then -C; default
// event) so that <IfModule mpm_*_module> sections can be evaluated; then
// every source is walked and applied, and the result is checked, resolved
// and clamped as Apache does.
func Load(opts Options) (*Config, error) {
	l, err := newLoad(opts)
	if err != nil {
		return nil, err
	}
	return l.run()
}

// loader holds one Load's inputs.
type loader struct {
	opts   Options
	file   string // absolute path of opts.File, or ""
	format string // "httpd", "yaml", "toml" or "json"
	data   []byte // the file's bytes
	root   string // initial ServerRoot
	// structured are a YAML/TOML/JSON file's directives, read once through
	// viper and walked in both passes.
	structured []*node
	env        [][]*node // one node list per GOHTTPD_* variable
	envUnknown []string  // GOHTTPD_* variables that name no directive
}

func newLoad(opts Options) (*loader, error) {
	l := &loader{opts: opts}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, &Error{Err: fmt.Errorf("conf: working directory: %w", err)}
	}
	l.root = cwd
	if opts.File != "" {
		l.file = absPath(opts.File, cwd)
		l.root = filepath.Dir(l.file)
		l.format = formatOf(l.file)
		data, err := os.ReadFile(l.file)
		if err != nil {
			return nil, &Error{File: l.file, Err: fmt.Errorf("Could not open configuration file %s: %w", l.file, unwrapPath(err))}
		}
		l.data = data
		if l.format != httpdFormat {
			settings, err := readStructured(l.format, data)
			if err != nil {
				return nil, &Error{File: l.file, Err: err}
			}
			nodes, err := structuredNodes(settings, l.file)
			if err != nil {
				return nil, err
			}
			l.structured = nodes
		}
	}
	l.env, l.envUnknown = envNodes(opts.Environ)
	return l, nil
}

// formatOf picks the file format from the extension.
func formatOf(file string) string {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".yaml", ".yml":
		return "yaml"
	case ".toml":
		return "toml"
	case ".json":
		return "json"
	}
	return httpdFormat
}

// textNodes parses one -C/-c directive; every node gets the option's
// ordinal as its line number.
func textNodes(file string, i int, text string) ([]*node, error) {
	nodes, err := parse(file, []byte(text))
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Line = i + 1
		}
		return nil, err
	}
	var renumber func([]*node)
	renumber = func(ns []*node) {
		for _, n := range ns {
			n.line = i + 1
			renumber(n.children)
		}
	}
	renumber(nodes)
	return nodes, nil
}

// envNodes turns GOHTTPD_<DIRECTIVE>=value entries into directive nodes,
// sorted by variable name; the first entry of a repeated name wins (as
// os.Getenv). A one-argument directive takes the value verbatim; others
// split it into words with Apache's quoting. Directives that may repeat
// take several occurrences separated by ';' (outside quotes), e.g.
// GOHTTPD_LISTEN="127.0.0.1:8080; [::1]:8080". A list directive (Listen,
// CustomLog, TransferLog, DirectoryIndex) set from the environment
// replaces what -C and the file gave; -c still adds to it. Other GOHTTPD_*
// names are returned in unknown (they become notices).
func envNodes(environ []string) (nodes [][]*node, unknown []string) {
	seen := make(map[string]bool)
	type entry struct{ name, value string }
	var entries []entry
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, envPrefix) || strings.HasPrefix(name, envTestPrefix) || seen[name] {
			continue
		}
		seen[name] = true
		entries = append(entries, entry{name, value})
	}
	slices.SortFunc(entries, func(a, b entry) int { return cmp.Compare(a.name, b.name) })
	for _, e := range entries {
		key := strings.ToLower(strings.TrimPrefix(e.name, envPrefix))
		sp := directives[key]
		if sp == nil || sp.structuredOnly {
			unknown = append(unknown, e.name)
			continue
		}
		values := []string{e.value}
		if sp.multi {
			values = splitOutsideQuotes(e.value, ';')
		}
		var list []*node
		for _, v := range values {
			n := &node{name: sp.name, file: e.name, pre: true}
			if sp.arity == take1 || sp.arity == takeFlag {
				n.args = []string{trimSpace(v)}
			} else {
				n.args = tokenize(v)
			}
			list = append(list, n)
		}
		if len(list) > 0 { // an empty multi-valued variable counts as unset
			nodes = append(nodes, list)
		}
	}
	return nodes, unknown
}

func (l *loader) run() (*Config, error) {
	engine, err := l.detectEngine()
	if err != nil {
		return nil, err
	}
	w := newWalker(engine, l.opts.Defines, l.root)
	w.environ = l.lookupEnv
	return l.walkAll(w)
}

// lookupEnv is the environment ${VAR} falls back to: Options.Environ
// when given, else the process's.
func (l *loader) lookupEnv(name string) (string, bool) {
	if l.opts.Environ == nil {
		return os.LookupEnv(name)
	}
	for i := len(l.opts.Environ) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(l.opts.Environ[i], name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// detectEngine is pass 1: each source's engine selection, evaluated with
// the -D defines and the engine selected so far; the latest source wins.
func (l *loader) detectEngine() (string, error) {
	w := newWalker("", l.opts.Defines, l.root)
	w.environ = l.lookupEnv
	top := &walkCtx{kind: ctxTop}
	// Syntax errors are left to pass 2, which reports them with the final
	// engine's view of the sections.
	texts := func(file string, list []string) func() error {
		return func() error {
			for i, text := range list {
				if nodes, err := textNodes(file, i, text); err == nil {
					if err := w.walk(nodes, top); err != nil {
						return err
					}
				}
			}
			return nil
		}
	}
	fileWalk := func() error {
		if l.file == "" {
			return nil
		}
		nodes := l.structured
		if l.format == httpdFormat {
			var err error
			if nodes, err = parse(l.file, l.data); err != nil {
				return nil
			}
		}
		return w.walk(nodes, top)
	}
	envWalk := func() error {
		for _, nodes := range l.env {
			if err := w.walk(nodes, top); err != nil {
				return err
			}
		}
		return nil
	}
	engine := Event
	for _, walk := range []func() error{texts("-C", l.opts.Pre), fileWalk, envWalk, texts("-c", l.opts.Post)} {
		sel := &engineSel{}
		w.detect = sel
		if err := walk(); err != nil {
			return "", err
		}
		if sel.engine != "" {
			engine = sel.engine
		}
	}
	return engine, nil
}

// walkAll is pass 2: walk every source in order with the final engine,
// apply the occurrences and finish the configuration.
func (l *loader) walkAll(w *walker) (*Config, error) {
	top := &walkCtx{kind: ctxTop}
	for i, text := range l.opts.Pre {
		nodes, err := textNodes("-C", i, text)
		if err == nil {
			err = w.walk(nodes, top)
		}
		if err != nil {
			return nil, w.result(err)
		}
	}
	if l.file != "" {
		var occs []occurrence
		var err error
		if l.format == httpdFormat {
			occs, err = readHTTPD(w, l.file, l.data)
		} else {
			err = w.walk(l.structured, top)
		}
		if err != nil {
			return nil, w.result(err)
		}
		// The codec numbered them while walking; keep that order.
		w.out = append(w.out, occs...)
	}
	for _, name := range l.envUnknown {
		l.unknownEnv(w, name)
	}
	for _, nodes := range l.env {
		if sp := directives[strings.ToLower(nodes[0].name)]; sp.reset {
			w.emit(occurrence{key: strings.ToLower(sp.name), pos: nodes[0].pos(), reset: true})
		}
		if err := w.walk(nodes, top); err != nil {
			return nil, w.result(err)
		}
	}
	for i, text := range l.opts.Post {
		nodes, err := textNodes("-c", i, text)
		if err == nil {
			err = w.walk(nodes, top)
		}
		if err != nil {
			return nil, w.result(err)
		}
	}
	// Refused directives are reported together, before anything is applied.
	if err := w.result(nil); err != nil {
		return nil, err
	}

	b := newBuilder(w.engine, l.root, l.file)
	dir, sections, err := w.sectionsResult()
	if err != nil {
		return nil, err
	}
	b.cfg.Site.Dir = dir
	b.cfg.Site.Sections = Tree(sections)
	if err := w.mapResult(b); err != nil {
		return nil, err
	}
	if err := w.proxyMain(&b.cfg.Site); err != nil {
		return nil, err
	}
	b.cfg.Defines = w.definesList()
	b.notices = w.notices
	for _, o := range w.out {
		b.apply(o)
	}
	b.current = w.seq + 1 // notices of finish come last
	b.finish(l.opts.SkipDocumentRootCheck)
	b.remoteIPMain(w)
	b.finishVHosts(w, l.opts.SkipDocumentRootCheck)
	b.remoteIPFinish()
	if err := w.loadTypes(b.cfg); err != nil {
		b.errs = append(b.errs, err)
	}
	w.finishSSL(b.cfg)
	w.finishMD(b.cfg)
	if len(b.errs) > 0 {
		return nil, errors.Join(b.errs...)
	}
	return b.cfg, nil
}

// unknownEnv handles a GOHTTPD_* variable that names no directive gohttpd
// implements: refused when it names a refused directive (with its value),
// else a notice.
func (l *loader) unknownEnv(w *walker, name string) {
	key := strings.ToLower(strings.TrimPrefix(name, envPrefix))
	var value string
	for _, kv := range l.opts.Environ {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			value = v
			break
		}
	}
	args := tokenize(value)
	if _, dir := isDirDirective(key); dir || classify(key, args, &walkCtx{kind: ctxTop}) == refused {
		directive := strings.TrimPrefix(name, envPrefix)
		w.refuse(pos{file: name}, directive, display(directive, args), nil)
		return
	}
	w.notice(pos{}, "ignored: environment variable %s names no gohttpd directive", name)
}

// Default returns the built-in configuration for an engine (Prefork,
// Worker or Event; anything else means Event): what gohttpd serves with no
// configuration at all. It listens on 127.0.0.1:8080, serves the built-in
// site (DocumentRoot ""), logs errors to stderr and writes no access log
// (as Apache without a CustomLog; add one with -c "CustomLog stdout
// common"). ServerRoot is the working directory.
func Default(mpm string) *Config {
	switch mpm {
	case Prefork, Worker, Event:
	default:
		mpm = Event
	}
	root, err := os.Getwd()
	if err != nil {
		root = "."
	}
	b := newBuilder(mpm, root, "")
	b.finish(true)
	return b.cfg
}

// finish completes the configuration once every directive is applied:
// defaults that depend on others, path resolution against ServerRoot,
// the DocumentRoot check and Apache's clamping.
func (b *builder) finish(skipDocRoot bool) {
	c := b.cfg
	if len(c.Listen) == 0 {
		if b.file != "" && len(b.errs) == 0 {
			b.errs = append(b.errs, &Error{File: b.file,
				Err: errors.New("no Listen directive: no listening sockets available, shutting down")})
		} else {
			c.Listen = []Listen{{Host: "127.0.0.1", Port: 8080, Proto: "http"}}
		}
	}
	// The built-in site (no file) links to its status page; it listens on
	// loopback only, so the board is shown to this machine alone.
	if b.file == "" && len(c.Site.Locations) == 0 {
		c.Site.Locations = []Location{{Path: "/server-status", Handler: "server-status"}}
	}

	c.Log.Access = append(c.Log.Access, b.resolveAccessLogs()...)

	if b.dirIndexSet {
		c.Site.DirectoryIndex = b.dirIndex
		if c.Site.DirectoryIndex == nil {
			c.Site.DirectoryIndex = []string{}
		}
	} else {
		c.Site.DirectoryIndex = []string{"index.html"}
	}

	if !b.errorLogSet {
		if b.file != "" {
			c.Log.ErrorLog = "logs/error_log"
		} else {
			c.Log.ErrorLog = "stderr"
		}
	}
	c.Log.ErrorLog = b.resolveLog(c.Log.ErrorLog)
	c.PidFile = absPath(c.PidFile, c.ServerRoot)
	b.finishUnixd()
	b.finishHTTP2()

	if c.Site.DocumentRoot != "" {
		c.Site.DocumentRoot = absPath(c.Site.DocumentRoot, c.ServerRoot)
		if !skipDocRoot {
			if fi, err := os.Stat(c.Site.DocumentRoot); err != nil || !fi.IsDir() {
				b.errs = append(b.errs, errAtf(b.docRootPos, "DocumentRoot",
					"DocumentRoot '%s' is not a directory, or is not readable", c.Site.DocumentRoot))
			}
		}
	}

	nb := listenBuckets(c.ListenCoresBucketsRatio)
	if c.ListenCoresBucketsRatio > 0 && runtime.GOOS != "linux" {
		b.notice(pos{}, "ListenCoresBucketsRatio ignored without SO_REUSEPORT and _SC_NPROCESSORS_ONLN support: using a single listeners bucket")
	}
	c.ListenBuckets = nb
	c.Warnings = clamp(c, nb)
	if c.MPM != Event {
		c.Engine.AsyncRequestWorkerFactor = 0
		c.Engine.EpollTrigger = ""
	}
	if c.MPM == Prefork {
		c.Engine.MinSpareThreads, c.Engine.MaxSpareThreads = 0, 0
	} else {
		c.Engine.MinSpareServers, c.Engine.MaxSpareServers = 0, 0
	}

	slices.SortStableFunc(b.notices, func(x, y notice) int { return cmp.Compare(x.order, y.order) })
	for _, n := range b.notices {
		c.Notices = append(c.Notices, n.text)
	}

	// Empty optional lists are nil, so the snapshot survives a JSON round
	// trip unchanged.
	if len(c.Defines) == 0 {
		c.Defines = nil
	}
	if len(c.Site.Locations) == 0 {
		c.Site.Locations = nil
	}
	if len(c.Site.AccessFileName) == 0 {
		c.Site.AccessFileName = []string{".htaccess"}
	}
	if c.Site.Dir == nil {
		c.Site.Dir = ServerDirDefaults()
	}
	if len(c.Log.Access) == 0 {
		c.Log.Access = nil
	}
	if len(c.Warnings) == 0 {
		c.Warnings = nil
	}
	if len(c.Notices) == 0 {
		c.Notices = nil
	}
}

// resolveAccessLogs is the CustomLog and TransferLog lines with their
// LogFormat nicknames resolved.
func (b *builder) resolveAccessLogs() []AccessLog {
	var out []AccessLog
	for _, pl := range b.logs {
		format := pl.format
		switch {
		case pl.transfer && b.defaultFormatSet:
			format = b.defaultFormat
		case pl.transfer:
			format = FormatCommon
		default:
			if f, ok := lookupFormat(b.cfg.Log.Formats, format); ok {
				format = f
			} else if strings.EqualFold(format, "CLF") {
				format = FormatCommon
			} else if err := checkLogFormat(format); err != nil {
				b.errs = append(b.errs, errAt(pl.pos, "CustomLog", err.Error()))
				continue
			} else if !strings.Contains(format, "%") {
				b.notice(pl.pos, "CustomLog format %q is no LogFormat nickname and has no %% item; it is logged literally", format)
			}
		}
		out = append(out, AccessLog{Path: b.resolveLog(pl.path), Format: format})
	}

	return out
}

// resolveLog resolves a log path against ServerRoot, keeping the
// "stdout" and "stderr" keywords.
func (b *builder) resolveLog(path string) string {
	if path == "stdout" || path == "stderr" {
		return path
	}
	return absPath(path, b.cfg.ServerRoot)
}

// lookupFormat finds a LogFormat nickname, ignoring case as apr tables do.
func lookupFormat(formats map[string]string, nick string) (string, bool) {
	if f, ok := formats[nick]; ok {
		return f, true
	}
	for k, f := range formats {
		if strings.EqualFold(k, nick) {
			return f, true
		}
	}
	return "", false
}
