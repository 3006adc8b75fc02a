package conf

import "strings"

// mod_md's directives in the walk: each MD* directive of MDDirectives in
// the main server goes to the walker's MDBuilder; finishMD puts the
// result in Config.MD. In a <VirtualHost> they are refused (gohttpd reads
// mod_md's settings from the main server only); <MDomainSet> and the other
// MD* directives stay refused by the "md" prefix of unsupported.go.

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
