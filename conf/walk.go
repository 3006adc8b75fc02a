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
	ctxVHost                   // inside <VirtualHost>: checked, then skipped
	ctxDir                     // inside <Directory>, <Files>, ...: checked, then skipped
	ctxLocation                // inside <Location>: only SetHandler is kept
)

// walkCtx is the context of a walk; a <Location> records its handler here.
type walkCtx struct {
	kind       ctxKind
	handler    string
	handlerSet bool
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

	out     []occurrence
	seq     int
	notices []notice
}

// notice is an informational line with its place in the source order:
// order is 2·seq+1 for a notice of the walk (after occurrence seq) and
// 2·seq for a notice about occurrence seq itself.
type notice struct {
	order int
	text  string
}

func newWalker(engine string, defines []string, root string) *walker {
	w := &walker{engine: engine, root: root, vars: make(map[string]string)}
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

func (w *walker) emit(o occurrence) {
	w.seq++
	o.seq = w.seq
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

// expand resolves ${NAME} references from Define values, as ap_resolve_env
// (without the process environment). An undefined name is left as written,
// with Apache's warning as a notice.
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
		if v, ok := w.vars[name]; ok {
			b.WriteString(v)
		} else {
			if !strings.Contains(name, ":") {
				w.notice(p, "Config variable ${%s} is not defined", name)
			}
			b.WriteString(s[i : i+3+j])
		}
		s = s[i+3+j:]
	}
	b.WriteString(s)
	return b.String()
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

	case "location":
		if ctx.kind == ctxLocation || ctx.kind == ctxDir {
			return w.soft(errAt(p, n.tag(), n.tag()+" cannot occur within directory context"))
		}
		words := tokenize(raw)
		if len(words) == 0 || words[0] == "" {
			return w.soft(errAt(p, n.tag(), n.tag()+" directive requires additional arguments"))
		}
		if ctx.kind == ctxVHost || words[0] == "~" {
			if ctx.kind == ctxTop {
				w.notice(p, "ignored: <Location %s> section (regular expressions are not supported by gohttpd)", raw)
			}
			return w.walk(n.children, &walkCtx{kind: ctxDir})
		}
		if len(words) > 1 {
			return w.soft(errAt(p, n.tag(), "Multiple <Location> arguments not (yet) supported."))
		}
		lc := &walkCtx{kind: ctxLocation}
		if err := w.walk(n.children, lc); err != nil {
			return err
		}
		if w.detect == nil {
			w.emit(occurrence{key: "location", args: []string{words[0], lc.handler}, pos: p})
		}
		return nil

	case "virtualhost":
		switch ctx.kind {
		case ctxVHost:
			return w.soft(errAt(p, n.tag(), "<VirtualHost> doesn't nest!"))
		case ctxDir, ctxLocation:
			return w.soft(errAt(p, n.tag(), n.tag()+" cannot occur within directory context"))
		}
		if trimSpace(raw) == "" {
			return w.soft(errAt(p, n.tag(), n.tag()+" directive requires additional arguments"))
		}
		w.notice(p, "ignored: <VirtualHost %s> section (virtual hosts are not supported by gohttpd yet)", trimSpace(raw))
		return w.walk(n.children, &walkCtx{kind: ctxVHost})
	}
	if _, known := sectionNames[key]; known {
		if ctx.kind == ctxTop || ctx.kind == ctxLocation {
			w.notice(p, "ignored: %s %s> section is not supported by gohttpd", n.name, trimSpace(raw))
		}
		return w.walk(n.children, &walkCtx{kind: ctxDir})
	}
	if ctx.kind == ctxVHost || ctx.kind == ctxDir {
		return nil // contents of skipped sections are not checked
	}
	return w.soft(invalidCommand(p, n.name))
}

// moduleLoaded answers <IfModule name>: the selected engine's MPM module
// and the modules in loadedModules.
func (w *walker) moduleLoaded(name string) bool {
	name = strings.ToLower(name)
	if e, ok := mpmModules[name]; ok {
		return e == w.engine
	}
	return loadedModules[name]
}

func (w *walker) directive(n *node, ctx *walkCtx) error {
	p := n.pos()
	key := strings.ToLower(n.name)
	sp := directives[key]
	if sp == nil || (sp.structuredOnly && !n.structured) {
		if ctx.kind == ctxVHost || ctx.kind == ctxDir {
			return nil // contents of skipped sections are not checked
		}
		if isIgnored(key) {
			w.notice(p, "ignored: %s is not supported by gohttpd", n.name)
			return nil
		}
		return w.soft(invalidCommand(p, n.name))
	}
	args := w.args(n)
	name := sp.name
	if sp.global {
		switch ctx.kind {
		case ctxVHost:
			return w.soft(errAt(p, name, name+" cannot occur within <VirtualHost> section"))
		case ctxDir, ctxLocation:
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
	case ctxVHost, ctxDir:
		return nil
	case ctxLocation:
		if key == "sethandler" {
			if err := checkArity(sp, args); err != nil {
				return w.soft(errAt(p, name, err.Error()))
			}
			ctx.handler, ctx.handlerSet = args[0], true
			return nil
		}
		w.notice(p, "ignored: %s inside <Location> (only SetHandler is supported there)", name)
		return nil
	}
	switch key {
	case "mpm", "loadmodule":
		if w.detect == nil {
			if key == "loadmodule" && len(args) == 2 {
				if _, isMPM := engineOfModule(args[0]); !isMPM {
					w.notice(p, "ignored: LoadModule %s (modules are built into gohttpd)", args[0])
				}
			}
			return nil
		}
		if err := checkArity(sp, args); err != nil {
			return errAt(p, name, err.Error())
		}
		return w.detect.add(w, key, args, p)
	case "sethandler":
		w.notice(p, "ignored: SetHandler outside <Location>")
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
