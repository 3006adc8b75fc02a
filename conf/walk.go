package conf

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Apache's limits on include nesting (AP_MAX_INCLUDE_DEPTH in core.c and
// AP_MAX_FNMATCH_DIR_DEPTH in util.c), plus a total budget of included files
// so that a configuration including itself through several globs cannot
// grow exponentially before the depth limit stops it.
const (
	maxIncludeDepth  = 128
	maxIncludeDirs   = 128
	maxIncludedFiles = 10000
)

// occurrence is one directive that survived the walk (sections evaluated,
// includes expanded), ready to be applied to a Config.
type occurrence struct {
	key   string // lower-case directive name (the directives table key)
	args  []string
	pos   pos
	seq   int  // order across all sources
	reset bool // an environment override: forget earlier values of a list directive
}

// ctxKind is where a node is being walked.
type ctxKind int

const (
	ctxTop      ctxKind = iota // server configuration
	ctxVHost                   // inside a <VirtualHost>
	ctxSkip                    // inside another refused section: structure checked only
	ctxDir                     // inside <Directory> or <DirectoryMatch>
	ctxLocation                // inside <Location> or <LocationMatch>
	ctxFiles                   // inside <Files> or <FilesMatch>
)

// walkCtx is the context of a walk; a <Location> records its handler here.
type walkCtx struct {
	kind ctxKind
	// section is the innermost section's name ("<Directory"), "" at the
	// top level; sectionText is how it was written, for messages
	// (`<Files ".ht*">`).
	section, sectionText string
	// dir builds the settings of the innermost section (nil at the top
	// level, where the walker's top builder is used); sec is that section.
	dir *dirBuilder
	sec *Section
	// limited is the method set of an enclosing <Limit> or <LimitExcept>,
	// 0 outside one.
	limited MethodMask
}

// skipped reports whether the context is a refused section, whose
// directives are not classified.
func (c *walkCtx) skipped() bool { return c.kind == ctxSkip }

// server reports whether the context is a server's top level: the main
// server's or a <VirtualHost>'s.
func (c *walkCtx) server() bool { return c.kind == ctxTop || c.kind == ctxVHost }

// sectionCtx is the context for the children of section n.
func sectionCtx(kind ctxKind, n *node, raw string) *walkCtx {
	return &walkCtx{kind: kind, section: n.name, sectionText: sectionText(n, raw)}
}

// sectionText is a section's opening tag as written, arguments expanded.
func sectionText(n *node, raw string) string {
	if raw = trimSpace(raw); raw == "" {
		return n.tag()
	}
	return n.name + " " + raw + ">"
}

// walker evaluates parsed nodes: conditional sections, Define/UnDefine,
// ${VAR} references, Include/IncludeOptional, engine selection, and the
// sections gohttpd skips. It runs twice: pass 1 (detect != nil) only finds
// the engine, pass 2 emits the occurrences to apply.
type walker struct {
	// engine is the engine <IfModule mpm_*_module> tests against: the final
	// engine in pass 2, the engine selected so far in pass 1.
	engine string
	// detect collects MPM/LoadModule selections in pass 1; nil in pass 2.
	detect *engineSel

	defines []string          // defined names, in definition order
	vars    map[string]string // values of "Define NAME value"
	root    string            // ServerRoot so far (absolute), for Include and IfFile

	depth     int  // include nesting
	files     int  // files included so far
	noInclude bool // fuzzing: Include reads no files

	// loaded are the modules LoadModule named: <IfModule> sees them as
	// Apache does, so their directives are read (and refused or warned).
	loaded map[string]bool

	out     []occurrence
	seq     int
	notices []notice
	// refusals are the refused directives and sections met so far; the
	// walk goes on so that one run lists them all.
	refusals []error

	// top builds the server's own per-directory settings (directives at
	// the top level); sections are the sections met, in order.
	top      *dirBuilder
	sections []*Section
	// ht is set while an .htaccess file is walked; htSkipped are the
	// warnings about directives it left out (Nonfatal).
	ht        *htRules
	htSkipped []string

	// vb builds the virtual hosts' identities (pass 2); vhosts are the
	// <VirtualHost> sections met, cur the one being walked (nil outside).
	vb     VHostBuilder
	vhosts []*vhostRaw
	cur    *vhostRaw
	proxy  *proxyWire // the main server's proxy directives
	// remoteIP builds the main server's mod_remoteip settings.
	remoteIP RemoteIPBuilder
	// environ looks up ${VAR} references that no Define names (the
	// process environment, as ap_resolve_env's getenv).
	environ func(string) (string, bool)
	// mp is the URL-mapping modules' per-server state (wire_map.go).
	mp mapWalk
	// typesConfig is the main server's TypesConfig (wire_resp.go).
	typesConfig    string
	typesConfigPos pos
	// ssl builds each server's mod_ssl settings (wire_ssl.go).
	ssl sslWalk
	// md reads the main server's MD* directives (wire_md.go).
	md *MDBuilder
}

// vhostRaw is what the walk collects for one <VirtualHost>: its
// directives, its own top-level per-directory settings and its sections.
type vhostRaw struct {
	pos      pos
	out      []occurrence
	top      *dirBuilder
	sections []*Section
	proxy    *proxyWire
	remoteIP RemoteIPBuilder
}

// notice is an informational line with its place in the source order:
// order is 2·seq+1 for a notice of the walk (after occurrence seq) and
// 2·seq for a notice about occurrence seq itself.
type notice struct {
	order int
	text  string
}

func newWalker(engine string, defines []string, root string) *walker {
	w := &walker{engine: engine, root: root, vars: make(map[string]string), environ: os.LookupEnv}
	for _, d := range defines {
		name, value, hasValue := strings.Cut(d, "=")
		w.define(name, value, hasValue)
	}
	return w
}

func (w *walker) define(name, value string, hasValue bool) {
	if !slices.Contains(w.defines, name) {
		w.defines = append(w.defines, name)
	}
	if hasValue {
		w.vars[name] = value
	}
}

func (w *walker) undefine(name string) {
	w.defines = slices.DeleteFunc(w.defines, func(d string) bool { return d == name })
	delete(w.vars, name)
}

// definesList is Config.Defines: NAME or NAME=value, in definition order.
func (w *walker) definesList() []string {
	if len(w.defines) == 0 {
		return nil
	}
	out := make([]string, 0, len(w.defines))
	for _, d := range w.defines {
		if v, ok := w.vars[d]; ok {
			d += "=" + v
		}
		out = append(out, d)
	}
	return out
}

func (w *walker) notice(p pos, format string, args ...any) {
	if w.detect != nil {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if s := p.String(); s != "" {
		msg = s + ": " + msg
	}
	w.notices = append(w.notices, notice{order: 2*w.seq + 1, text: msg})
}

// ignored notes a directive or section that is accepted and ignored
// because it changes nothing a client gets; -t and -S print it.
func (w *walker) ignored(p pos, what, why string) {
	w.notice(p, "ignored: %s (%s)", what, why)
}

// refuse records a refused directive or section (pass 2 only).
func (w *walker) refuse(p pos, directive, what string, ctx *walkCtx) {
	if w.detect != nil {
		return
	}
	w.refusals = append(w.refusals, errAt(p, directive, notImplemented(what, ctx)))
}

// result joins the refusals recorded so far with err, which may be nil.
func (w *walker) result(err error) error {
	if len(w.refusals) == 0 {
		return err
	}
	return errors.Join(append(slices.Clone(w.refusals), err)...)
}

func (w *walker) emit(o occurrence) {
	w.seq++
	o.seq = w.seq
	if w.cur != nil {
		w.cur.out = append(w.cur.out, o)
		return
	}
	w.out = append(w.out, o)
}

// soft reports err in pass 2 only: pass 1 may take branches pass 2 does not
// (it tests <IfModule mpm_*> against the engine selected so far), so only
// engine-selection errors are final there.
func (w *walker) soft(err error) error {
	if w.detect != nil {
		return nil
	}
	return err
}

// expand resolves ${NAME} references from Define values, then the
// environment, as ap_resolve_env. An undefined name is left as written,
// with Apache's warning (AH00111) as a notice.
func (w *walker) expand(s string, p pos) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+2:], '}')
		if j < 0 {
			break
		}
		name := s[i+2 : i+2+j]
		b.WriteString(s[:i])
		if v, ok := w.lookupVar(name); ok {
			b.WriteString(v)
		} else {
			if !strings.Contains(name, ":") {
				w.notice(p, "AH00111: Config variable ${%s} is not defined", name)
			}
			b.WriteString(s[i : i+3+j])
		}
		s = s[i+3+j:]
	}
	b.WriteString(s)
	return b.String()
}

// lookupVar is a variable's value: a Define's, else the environment's.
func (w *walker) lookupVar(name string) (string, bool) {
	if v, ok := w.vars[name]; ok {
		return v, true
	}
	if w.environ != nil && name != "" && !strings.Contains(name, ":") {
		return w.environ(name)
	}
	return "", false
}

// args returns a directive node's arguments.
func (w *walker) args(n *node) []string {
	if n.pre {
		return n.args
	}
	return tokenize(w.expand(n.raw, n.pos()))
}

// walk evaluates nodes in order.
func (w *walker) walk(nodes []*node, ctx *walkCtx) error {
	for _, n := range nodes {
		var err error
		if n.section {
			err = w.section(n, ctx)
		} else {
			err = w.directive(n, ctx)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// condArg splits the argument of a conditional section: "!name" or "name".
func condArg(raw string) (neg bool, arg string) {
	raw = trimSpace(raw)
	if strings.HasPrefix(raw, "!") {
		neg, raw = true, raw[1:]
	}
	arg, _ = getWord(raw)
	return neg, arg
}

func (w *walker) section(n *node, ctx *walkCtx) error {
	p := n.pos()
	key := strings.ToLower(n.name[1:])
	raw := w.expand(n.raw, p)
	if w.ht != nil {
		switch key {
		case "directory", "directorymatch", "location", "locationmatch", "virtualhost",
			"proxy", "proxymatch", "macro":
			return errAt(p, n.name, n.name+" not allowed here")
		case "requireall", "requireany", "requirenone":
			if w.ht.override.Mask&OverrideAuthCfg == 0 {
				return errAt(p, n.name, n.name+" not allowed here")
			}
		}
	}
	switch key {
	case "ifmodule", "ifdefine", "iffile", "ifdirective", "ifsection":
		neg, arg := condArg(raw)
		if arg == "" {
			return w.soft(errAt(p, n.tag(), n.tag()+" directive requires additional arguments"))
		}
		var ok bool
		switch key {
		case "ifmodule":
			ok = w.moduleLoaded(arg)
		case "ifdefine":
			ok = slices.Contains(w.defines, arg)
		case "iffile":
			_, err := os.Stat(w.rel(arg))
			ok = err == nil
		case "ifdirective":
			ok = directives[strings.ToLower(arg)] != nil && !directives[strings.ToLower(arg)].structuredOnly
		case "ifsection":
			_, ok = sectionNames[strings.ToLower(strings.TrimPrefix(arg, "<"))]
		}
		if ok != neg {
			return w.walk(n.children, ctx)
		}
		return nil

	case "location", "locationmatch", "directory", "directorymatch", "files", "filesmatch":
		return w.configSection(n, key, raw, ctx)
	case "limit", "limitexcept":
		return w.limitSection(n, key, raw, ctx)
	case "requireall", "requireany", "requirenone":
		return w.requireSection(n, raw, ctx)

	case "proxy":
		return w.proxySection(n, raw, ctx)
	case "mdomainset", "mdomain":
		return w.mdSection(n, raw, ctx) // wire_md.go
	case "virtualhost":
		switch ctx.kind {
		case ctxVHost:
			return w.soft(errAt(p, n.tag(), "<VirtualHost> cannot occur within <VirtualHost> section"))
		case ctxDir, ctxLocation, ctxFiles, ctxSkip:
			return w.soft(errAt(p, n.tag(), n.tag()+" cannot occur within directory context"))
		}
		if trimSpace(raw) == "" {
			return w.soft(errAt(p, n.tag(), n.tag()+" directive requires additional arguments"))
		}
		return w.virtualHost(n, raw)
	}
	if _, known := sectionNames[key]; !known {
		if ctx.skipped() {
			return nil // contents of refused sections are not checked
		}
		return w.soft(invalidCommand(p, n.name))
	}
	switch {
	case ctx.skipped():
		return w.walk(n.children, sectionCtx(ctxSkip, n, raw))
	case refusedSections[key]:
		w.refuse(p, n.tag(), sectionText(n, raw), ctx)
		return w.walk(n.children, sectionCtx(ctxSkip, n, raw))
	case key == "macro":
		// A template: nothing happens until Use, which is refused.
		w.ignored(p, sectionText(n, raw), "a macro does nothing until Use, which gohttpd refuses")
		return nil
	}
	return nil
}

// moduleLoaded answers <IfModule name>: the selected engine's MPM module
// and the modules in loadedModules.
func (w *walker) moduleLoaded(name string) bool {
	name = strings.ToLower(name)
	if e, ok := mpmModules[name]; ok {
		return e == w.engine
	}
	return loadedModules[name] || w.loaded[name]
}

// loadModule records a LoadModule line's module under its name and its
// source file name ("rewrite_module", "mod_rewrite.c").
func (w *walker) loadModule(module string) {
	m := strings.ToLower(module)
	if _, isMPM := engineOfModule(m); isMPM {
		return
	}
	if w.loaded == nil {
		w.loaded = make(map[string]bool)
	}
	w.loaded[m] = true
	if base, ok := strings.CutSuffix(m, "_module"); ok {
		w.loaded["mod_"+base+".c"] = true
	}
}

// unimplemented handles a directive that has no spec: warned, refused or
// Apache's "Invalid command".
func (w *walker) unimplemented(n *node, key string, ctx *walkCtx) error {
	args := w.args(n)
	switch classify(key, args, ctx) {
	case warned:
		w.ignored(n.pos(), display(n.name, args), "gohttpd does not implement it; ignoring it changes nothing a client gets")
	case refused:
		w.refuse(n.pos(), n.name, display(n.name, args), ctx)
	default:
		return w.soft(invalidCommand(n.pos(), n.name))
	}
	return nil
}

func (w *walker) directive(n *node, ctx *walkCtx) error {
	p := n.pos()
	key := strings.ToLower(n.name)
	if w.ht != nil {
		if err := w.htCheck(p, n.name, key, ctx); err == errSkip {
			return nil
		} else if err != nil {
			return err
		}
	}
	if handled, err := w.mapDirective(n, key, ctx); handled {
		return err
	}
	if isSSLDirective(key) {
		return w.sslDirective(n, key, ctx)
	}
	if isMDDirective(key) {
		return w.mdDirective(n, key, ctx)
	}
	if name, ok := isDirDirective(key); ok && (key != "sethandler" || !ctx.server()) {
		if ctx.skipped() {
			return nil
		}
		return w.dirDirective(n, name, key, ctx)
	}
	if key == "serveralias" || key == "serverpath" {
		return w.vhostDirective(n, key, ctx)
	}
	if _, ok := proxyKeys[key]; ok {
		return w.proxyDirective(n, key, ctx)
	}
	if isRemoteIPKey(key) {
		return w.remoteIPDirective(n, key, ctx)
	}
	sp := directives[key]
	if sp == nil || (sp.structuredOnly && !n.structured) {
		if ctx.skipped() {
			return nil // contents of refused sections are not checked
		}
		return w.unimplemented(n, key, ctx)
	}
	args := w.args(n)
	name := sp.name
	if sp.global {
		switch ctx.kind {
		case ctxVHost:
			return w.soft(errAt(p, name, name+" cannot occur within <VirtualHost> section"))
		case ctxDir, ctxLocation, ctxFiles, ctxSkip:
			return w.soft(errAt(p, name, name+" not allowed here"))
		}
	}
	// Directives executed while reading (EXEC_ON_READ), in every context.
	switch key {
	case "define", "undefine":
		if err := checkArity(sp, args); err != nil {
			return w.soft(errAt(p, name, err.Error()))
		}
		if strings.Contains(args[0], ":") {
			return w.soft(errAt(p, name, "Variable name must not contain ':'"))
		}
		if key == "undefine" {
			w.undefine(args[0])
		} else {
			w.define(args[0], optArg(args, 1), len(args) > 1 && args[1] != "")
		}
		return nil
	case "include", "includeoptional":
		if err := checkArity(sp, args); err != nil {
			return w.soft(errAt(p, name, err.Error()))
		}
		return w.include(p, name, args[0], key == "includeoptional", ctx)
	}
	switch ctx.kind {
	case ctxSkip:
		return nil
	case ctxDir, ctxLocation, ctxFiles:
		w.refuse(p, sp.name, display(sp.name, args), ctx)
		return nil
	case ctxVHost:
		if w.detect != nil {
			return nil
		}
		if !perVHost[key] {
			w.refuse(p, sp.name, display(sp.name, args), ctx)
			return nil
		}
	}
	if key == "servername" && w.detect == nil && len(args) == 1 && args[0] != "" {
		// A bad ServerName is reported when it is applied.
		_ = w.vb.Directive(p.file, p.line, sp.name, args)
	}
	switch key {
	case "mpm", "loadmodule":
		if key == "loadmodule" && len(args) == 2 {
			w.loadModule(args[0])
		}
		if w.detect == nil {
			if key == "loadmodule" && len(args) == 2 {
				if _, isMPM := engineOfModule(args[0]); !isMPM {
					w.notice(p, "ignored: LoadModule %s (gohttpd loads no modules; <IfModule %s> blocks are read)", args[0], args[0])
				}
			}
			return nil
		}
		if err := checkArity(sp, args); err != nil {
			return errAt(p, name, err.Error())
		}
		return w.detect.add(w, key, args, p)
	case "sethandler":
		// A server-wide handler would answer every request.
		if h, ok := supportedHandler(optArg(args, 0)); ok && h == "" && len(args) == 1 {
			w.ignored(p, display(name, args), "no handler is the default")
		} else {
			w.refuse(p, name, display(name, args), ctx)
		}
		return nil
	case "serverroot":
		if len(args) == 1 && args[0] != "" {
			w.root = absPath(args[0], "")
		}
	}
	if w.detect == nil {
		w.emit(occurrence{key: key, args: args, pos: p})
	}
	return nil
}

// optArg returns args[i] or "".
func optArg(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

// rel resolves a path against the ServerRoot so far (ap_server_root_relative).
func (w *walker) rel(path string) string {
	return absPath(path, w.root)
}

// absPath makes path absolute against root (or the working directory when
// root is "") and cleans it.
func absPath(path, root string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	if root == "" {
		if abs, err := filepath.Abs(path); err == nil {
			return abs
		}
		return filepath.Clean(path)
	}
	return filepath.Join(root, path)
}

// include runs Include/IncludeOptional: a file, a directory (every file in
// it, recursively, in alphabetical order) or a wildcard pattern, relative to
// ServerRoot, as ap_process_fnmatch_configs.
func (w *walker) include(p pos, name, arg string, optional bool, ctx *walkCtx) error {
	if w.noInclude {
		return w.soft(errAt(p, name, "Include is disabled here"))
	}
	if w.depth >= maxIncludeDepth {
		return w.soft(errAtf(p, name, "Exceeded maximum include depth of %d, There appears to be a recursion.", maxIncludeDepth))
	}
	path := w.rel(arg)
	var files []string
	var err error
	if strings.ContainsAny(path, "*?[") {
		files, err = globInclude(path, optional)
	} else {
		files, err = plainInclude(path, optional, 0)
	}
	if err != nil {
		return w.soft(errAt(p, name, err.Error()))
	}
	for _, f := range files {
		w.files++
		if w.files > maxIncludedFiles {
			return w.soft(errAtf(p, name, "more than %d included files; there appears to be a recursion", maxIncludedFiles))
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return w.soft(&Error{File: p.file, Line: p.line, Directive: name,
				Err: fmt.Errorf("Could not open configuration file %s: %w", f, unwrapPath(err))})
		}
		nodes, err := parse(f, data)
		if err != nil {
			return w.soft(err)
		}
		w.depth++
		err = w.walk(nodes, ctx)
		w.depth--
		if err != nil {
			return err
		}
	}
	return nil
}

// unwrapPath drops the *fs.PathError wrapper (its path is already in the
// message) so that the text reads like Apache's "%pm".
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// plainInclude expands a path without wildcards (ap_dir_nofnmatch).
func plainInclude(path string, optional bool, depth int) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if optional {
			return nil, nil
		}
		return []string{path}, nil // reading it reports Apache's "Could not open"
	}
	if !fi.IsDir() {
		return []string{path}, nil
	}
	if depth >= maxIncludeDirs {
		return nil, fmt.Errorf("Include/IncludeOptional: Directory '%s' exceeds the maximum include directory nesting level of %d. You have probably a recursion somewhere.", path, maxIncludeDirs)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("Include/IncludeOptional: Could not open directory %s: %w", path, unwrapPath(err))
	}
	var files []string
	for _, e := range entries { // os.ReadDir sorts by name
		sub, err := plainInclude(filepath.Join(path, e.Name()), optional, depth+1)
		if err != nil {
			return nil, err
		}
		files = append(files, sub...)
	}
	return files, nil
}

// globInclude expands a wildcard path segment by segment (ap_dir_fnmatch):
// a segment with wildcards lists its directory; a leading dot must be
// matched explicitly (APR_FNM_PERIOD); a pattern matching nothing is an
// error unless optional.
func globInclude(path string, optional bool) ([]string, error) {
	segs := strings.Split(strings.TrimPrefix(filepath.ToSlash(path), "/"), "/")
	return globSegs("/", segs, optional)
}

func globSegs(dir string, segs []string, optional bool) ([]string, error) {
	seg, rest := segs[0], segs[1:]
	if !strings.ContainsAny(seg, "*?[") {
		next := filepath.Join(dir, seg)
		if len(rest) == 0 {
			return plainInclude(next, optional, 0)
		}
		return globSegs(next, rest, optional)
	}
	if _, err := filepath.Match(seg, ""); err != nil {
		return nil, fmt.Errorf("Include/IncludeOptional: bad wildcard '%s' in '%s': %w", seg, dir, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if optional && errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("Include/IncludeOptional: Could not open directory %s: %w", dir, unwrapPath(err))
	}
	var files []string
	matched := 0
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") && !strings.HasPrefix(seg, ".") {
			continue
		}
		if ok, _ := filepath.Match(seg, n); !ok {
			continue
		}
		full := filepath.Join(dir, n)
		if len(rest) > 0 {
			if fi, err := os.Stat(full); err != nil || !fi.IsDir() {
				continue
			}
			matched++
			sub, err := globSegs(full, rest, optional)
			if err != nil {
				return nil, err
			}
			files = append(files, sub...)
			continue
		}
		matched++
		sub, err := plainInclude(full, optional, 0)
		if err != nil {
			return nil, err
		}
		files = append(files, sub...)
	}
	if matched == 0 && !optional {
		return nil, fmt.Errorf("Include/IncludeOptional: No matches for the wildcard '%s' in '%s', failing", seg, dir)
	}
	return files, nil
}

// engineSel records the engine one source selects (MPM or LoadModule
// mpm_*_module); two different engines in one source are Apache's AH00534.
type engineSel struct {
	engine string
}

func (s *engineSel) add(w *walker, key string, args []string, p pos) error {
	var engine string
	directive := "MPM"
	if key == "mpm" {
		engine = strings.ToLower(args[0])
		if engine != Prefork && engine != Worker && engine != Event {
			return errAtf(p, directive, "MPM must be prefork, worker or event, not %q", args[0])
		}
	} else {
		directive = "LoadModule"
		e, isMPM := engineOfModule(args[0])
		if !isMPM {
			return nil
		}
		if e == "" {
			return errAtf(p, directive, "cannot load %s: gohttpd has only the prefork, worker and event MPMs", args[0])
		}
		engine = e
	}
	if s.engine != "" && s.engine != engine {
		return errAt(p, directive, "AH00534: httpd: Configuration error: More than one MPM loaded.")
	}
	s.engine = engine
	w.engine = engine
	return nil
}

// engineOfModule maps "mpm_<name>_module" to its engine; isMPM is false for
// other modules, engine is "" for an MPM gohttpd does not have.
func engineOfModule(module string) (engine string, isMPM bool) {
	m := strings.ToLower(module)
	if !strings.HasPrefix(m, "mpm_") || !strings.HasSuffix(m, "_module") {
		return "", false
	}
	switch e := strings.TrimSuffix(strings.TrimPrefix(m, "mpm_"), "_module"); e {
	case Prefork, Worker, Event:
		return e, true
	}
	return "", true
}
