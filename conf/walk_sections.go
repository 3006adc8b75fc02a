package conf

// configSection walks a <Directory>, <DirectoryMatch>, <Files>,
// <FilesMatch>, <Location> or <LocationMatch> section (key lower case,
// raw its arguments expanded) and records it.
func (w *walker) configSection(n *node, key, raw string, ctx *walkCtx) error {
	p := n.pos()
	if ctx.skipped() {
		return w.walk(n.children, sectionCtx(ctxSkip, n, raw))
	}
	isFiles := key == "files" || key == "filesmatch"
	switch {
	case ctx.limited != 0 && isFiles:
		return w.soft(errAt(p, n.tag(), n.tag()+" cannot occur within <Limit> or <LimitExcept> section"))
	case ctx.limited != 0:
		return w.soft(errAt(p, n.name, n.name+" not allowed here"))
	case isFiles && ctx.kind == ctxLocation:
		return w.soft(errAt(p, n.tag(), n.tag()+" cannot occur within <Location> section"))
	case !isFiles && ctx.kind != ctxTop && ctx.kind != ctxVHost:
		return w.soft(errAt(p, n.name, n.name+" not allowed in "+ctx.section+"> context"))
	case isFiles && ctx.kind == ctxFiles:
		// Apache takes <Files> in <Files>; gohttpd does not match them.
		w.refuse(p, n.tag(), sectionText(n, raw), ctx)
		return w.walk(n.children, sectionCtx(ctxSkip, n, raw))
	}
	sec, err := newSection(n.name, tokenize(raw), w.root)
	if err != nil {
		return w.soft(errAt(p, n.tag(), err.Error()))
	}
	kind := ctxDir
	switch sec.Kind {
	case SectionFiles:
		kind = ctxFiles
	case SectionLocation:
		kind = ctxLocation
	}
	c := sectionCtx(kind, n, raw)
	c.sec = sec
	c.dir = newDirBuilder(w.root)
	if err := w.walk(n.children, c); err != nil {
		return err
	}
	if w.detect != nil {
		return nil
	}
	sec.Tag = c.sectionText
	sec.Pos = p.String()
	sec.Dir, err = c.dir.finish()
	if err != nil {
		return w.soft(errAt(p, n.tag(), err.Error()))
	}
	w.proxySectionDone(sec)
	w.seq++ // keeps notices after the section in order
	sec.Index = len(w.sections)
	switch {
	case sec.Kind == SectionFiles && ctx.sec != nil:
		ctx.sec.Files = append(ctx.sec.Files, sec)
	default:
		w.sections = append(w.sections, sec)
	}
	return nil
}

// limitSection walks <Limit> and <LimitExcept>: the access control
// directives in it apply to its methods only.
func (w *walker) limitSection(n *node, key, raw string, ctx *walkCtx) error {
	p := n.pos()
	if ctx.skipped() {
		return w.walk(n.children, sectionCtx(ctxSkip, n, raw))
	}
	if ctx.kind == ctxTop || ctx.kind == ctxVHost {
		return w.soft(errAt(p, n.name, n.name+" not allowed here"))
	}
	outer := ctx.limited
	if outer == 0 {
		outer = AllMethods
	}
	mask, err := LimitMask(key == "limitexcept", tokenize(raw), outer)
	if err != nil {
		return w.soft(errAt(p, n.tag(), err.Error()))
	}
	c := *ctx
	c.limited = mask
	return w.walk(n.children, &c)
}

// requireSection walks <RequireAll>, <RequireAny> and <RequireNone>.
func (w *walker) requireSection(n *node, raw string, ctx *walkCtx) error {
	p := n.pos()
	if ctx.skipped() {
		return w.walk(n.children, sectionCtx(ctxSkip, n, raw))
	}
	if ctx.server() {
		return w.soft(errAt(p, n.name, notAllowed(n.name, ctx)))
	}
	b := w.dirTarget(ctx)
	if b == nil {
		return w.walk(n.children, ctx)
	}
	b.hasAuth = true
	if err := b.auth.Open(n.name, tokenize(raw)); err != nil {
		return w.soft(errAt(p, n.tag(), err.Error()))
	}
	if err := w.walk(n.children, ctx); err != nil {
		return err
	}
	if err := b.auth.Close(); err != nil {
		return w.soft(errAt(p, n.tag(), err.Error()))
	}
	return nil
}

// dirTarget is the builder a per-directory directive in ctx goes to: the
// section's, or the server's at the top level. It is nil in pass 1.
func (w *walker) dirTarget(ctx *walkCtx) *dirBuilder {
	if w.detect != nil {
		return nil
	}
	if ctx.dir != nil {
		return ctx.dir
	}
	if w.top == nil {
		w.top = newDirBuilder(w.root)
	}
	return w.top
}

// dirDirective applies a per-directory directive (access control,
// Options, AllowOverride, SetHandler in a section).
func (w *walker) dirDirective(n *node, name, key string, ctx *walkCtx) error {
	p := n.pos()
	args := w.args(n)
	b := w.dirTarget(ctx)
	if b == nil {
		return nil
	}
	if _, auth := authDirectiveKeys[key]; auth && ctx.server() {
		// OR_AUTHCFG and OR_LIMIT directives: sections and .htaccess only.
		if key == "order" || key == "allow" || key == "deny" {
			name = key
		}
		return w.soft(errAt(p, name, notAllowed(name, ctx)))
	}
	switch key {
	case "allowoverride", "allowoverridelist":
		switch {
		case ctx.server():
			return w.soft(errAt(p, name, notAllowed(name, ctx)))
		case ctx.kind == ctxLocation || ctx.kind == ctxFiles || ctx.limited != 0:
			if key == "allowoverride" {
				w.notice(p, "AH00114: Useless use of AllowOverride in line %d of %s.", p.line, p.file)
			} else {
				w.notice(p, "AH00115: Useless use of AllowOverrideList at %s:%d", p.file, p.line)
			}
			if ctx.kind != ctxDir {
				return nil // merged after the .htaccess walk: no effect
			}
		}
	case "sethandler":
		if len(args) == 1 {
			if _, ok := supportedHandler(args[0]); !ok {
				w.refuse(p, name, display(name, args), ctx)
				return nil
			}
		}
	}
	if _, ok := respDirectiveKeys[key]; ok {
		return w.respDirective(p, name, key, args, b, ctx)
	}
	b.auth.Limited = ctx.limited
	if err := b.directive(key, args); err != nil {
		return w.soft(errAt(p, name, err.Error()))
	}
	if key == "options" && refusedOptions(args) {
		w.refuse(p, name, display(name, args), ctx)
	}
	return nil
}

// sectionsResult hands the sections and the server's settings to the
// configuration.
func (w *walker) sectionsResult() (*DirConfig, []*Section, error) {
	top := ServerDirDefaults()
	if w.top != nil {
		d, err := w.top.finish()
		if err != nil {
			return nil, nil, &Error{Directive: "Require", Err: err}
		}
		top = MergeDir(top, d)
	}
	// Top-level <Files> sections belong to the server's configuration.
	var rest []*Section
	for _, s := range w.sections {
		if s.Kind == SectionFiles {
			top.Files = append(top.Files, s)
			continue
		}
		rest = append(rest, s)
	}
	return top, rest, nil
}

// notAllowed is Apache's message for a directory-only directive at a
// server's top level.
func notAllowed(name string, ctx *walkCtx) string {
	if ctx.kind == ctxVHost {
		return name + " not allowed in <VirtualHost> context"
	}
	return name + " not allowed here"
}
