package conf

import "strings"

// mod_md's directives in the walk: each MD* directive of MDDirectives in
// the main server goes to the walker's MDBuilder; finishMD puts the
// result in Config.MD. In a <VirtualHost> they are refused (gohttpd reads
// mod_md's settings from the main server only); <MDomainSet> is a managed
// domain (mdSection); the other MD* directives stay refused by the "md"
// prefix of unsupported.go.

var mdDirectiveKeys = func() map[string]string {
	m := make(map[string]string, len(MDDirectives))
	for _, d := range MDDirectives {
		m[strings.ToLower(d)] = d
	}
	return m
}()

// isMDDirective reports whether key (lower case) is one MDBuilder takes.
func isMDDirective(key string) bool {
	_, ok := mdDirectiveKeys[key]
	return ok
}

// mdDirective applies one MD* directive found in context ctx.
func (w *walker) mdDirective(n *node, key string, ctx *walkCtx) error {
	if ctx.skipped() || w.detect != nil {
		return nil
	}
	p := n.pos()
	name := mdDirectiveKeys[key]
	if w.cur != nil || ctx.kind == ctxDir || ctx.kind == ctxLocation || ctx.kind == ctxFiles {
		w.refusals = append(w.refusals, errAt(p, name, "gohttpd reads mod_md's directives in the main server only (not in <VirtualHost> or sections); move it there"))
		return nil
	}
	if w.md == nil {
		w.md = &MDBuilder{}
	}
	return w.soft(w.md.Directive(p.file, p.line, name, w.args(n)))
}

// finishMD puts the main server's mod_md settings in the configuration.
func (w *walker) finishMD(c *Config) {
	if w.md != nil {
		c.MD = w.md.Finish(c.ServerRoot, c.Site.ServerAdmin)
	}
}

// mdSection reads <MDomainSet name...> (and its old spelling <MDomain
// name...>): a managed domain like "MDomain name...", plus the names of
// its MDMember lines. The other MD* directives mod_md takes inside it
// (per-domain settings) are refused there: gohttpd's MD* settings apply
// to every domain, so they go in the main server.
func (w *walker) mdSection(n *node, raw string, ctx *walkCtx) error {
	if ctx.skipped() || w.detect != nil {
		return nil
	}
	p := n.pos()
	tag := n.tag()
	if w.cur != nil || ctx.kind == ctxDir || ctx.kind == ctxLocation || ctx.kind == ctxFiles {
		w.refusals = append(w.refusals, errAt(p, tag, "gohttpd reads mod_md's directives in the main server only (not in <VirtualHost> or sections); move it there"))
		return nil
	}
	names := tokenize(raw)
	manualMembers := false
	for _, c := range n.children {
		cp := c.pos()
		if c.section {
			w.refusals = append(w.refusals, errAt(cp, c.tag(), c.tag()+" cannot occur within "+tag))
			continue
		}
		switch strings.ToLower(c.name) {
		case "mdmember", "mdmembers":
			if strings.EqualFold(c.name, "MDMembers") {
				// auto|manual: whether the names of the domain's
				// virtual hosts join it.
				a := w.args(c)
				if len(a) != 1 || (!strings.EqualFold(a[0], "auto") && !strings.EqualFold(a[0], "manual")) {
					w.refusals = append(w.refusals, errAt(cp, c.name, c.name+" takes one argument, 'auto' or 'manual'"))
				}
				manualMembers = len(a) == 1 && strings.EqualFold(a[0], "manual")
				continue
			}
			names = append(names, w.args(c)...)
		default:
			w.refusals = append(w.refusals, errAt(cp, c.name, "gohttpd applies mod_md's settings to every domain: put "+c.name+" in the main server, outside "+tag))
		}
	}
	if w.md == nil {
		w.md = &MDBuilder{}
	}
	if err := w.md.Directive(p.file, p.line, "MDomain", names); err != nil {
		return w.soft(err)
	}
	if manualMembers {
		w.md.cfg.Domains[len(w.md.cfg.Domains)-1].ManualMembers = true
	}
	return nil
}
