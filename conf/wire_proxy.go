package conf

// Wiring of the reverse proxy directives (ProxyBuilder) into the walk:
// each server (the main one and every <VirtualHost>) has its own
// ProxyBuilder; a <Location>'s directives become its Section's
// DirConfig.Proxy, the server's own ProxyPassReverse/ProxyPreserveHost/
// ProxyAddHeaders its DirConfig.Proxy, and the rest (ProxyPass lines,
// balancers, ProxyTimeout) SiteConfig.Proxy.

import "strings"

// proxyKeys are ProxyDirectives in lower case.
var proxyKeys = func() map[string]string {
	m := make(map[string]string, len(ProxyDirectives))
	for _, d := range ProxyDirectives {
		m[strings.ToLower(d)] = d
	}
	return m
}()

// proxyWire is the proxy state of one server's walk.
type proxyWire struct {
	b ProxyBuilder
	// aliases are the one-argument ProxyPass lines of <Location>
	// sections, checked against the balancers at the end.
	aliases []*ProxyPass
	used    bool
}

// proxyState is the builder of the server being walked.
func (w *walker) proxyState() *proxyWire {
	if w.cur != nil {
		if w.cur.proxy == nil {
			w.cur.proxy = &proxyWire{}
		}
		return w.cur.proxy
	}
	if w.proxy == nil {
		w.proxy = &proxyWire{}
	}
	return w.proxy
}

// proxyDirective applies a directive of ProxyDirectives met in ctx.
func (w *walker) proxyDirective(n *node, key string, ctx *walkCtx) error {
	if ctx.skipped() {
		return nil
	}
	p := n.pos()
	name := proxyKeys[key]
	args := w.args(n)
	location := ""
	switch ctx.kind {
	case ctxTop, ctxVHost:
	case ctxLocation:
		if ctx.sec == nil {
			return nil
		}
		if ctx.sec.Regex {
			w.refuse(p, name, display(name, args), ctx)
			return nil
		}
		location = ctx.sec.Match
	default:
		return w.soft(errAt(p, name, name+" cannot occur within "+ctx.section+"> section"))
	}
	if ctx.limited != 0 {
		return w.soft(errAt(p, name, name+" cannot occur within <Limit> section"))
	}
	if w.detect != nil {
		return nil
	}
	st := w.proxyState()
	st.used = true
	if err := st.b.Directive(location, name, args); err != nil {
		return w.soft(errAt(p, name, err.Error()))
	}
	return nil
}

// proxySection walks a <Proxy balancer://name> section; any other <Proxy>
// stays refused.
func (w *walker) proxySection(n *node, raw string, ctx *walkCtx) error {
	p := n.pos()
	if ctx.skipped() {
		return w.walk(n.children, sectionCtx(ctxSkip, n, raw))
	}
	args := tokenize(raw)
	if len(args) != 1 || !validBalancerName(args[0]) {
		w.refuse(p, n.tag(), sectionText(n, raw), ctx)
		return w.walk(n.children, sectionCtx(ctxSkip, n, raw))
	}
	if !ctx.server() {
		return w.soft(errAt(p, n.tag(), n.tag()+" cannot occur within "+ctx.section+"> section"))
	}
	if w.detect != nil {
		return nil
	}
	st := w.proxyState()
	st.used = true
	if err := st.b.OpenProxy(args); err != nil {
		return w.soft(errAt(p, n.tag(), err.Error()))
	}
	c := *ctx
	c.section, c.sectionText = n.name, sectionText(n, raw)
	var err error
	for _, ch := range n.children {
		key := strings.ToLower(ch.name)
		if ch.section || proxyKeys[key] == "" {
			// Access control and anything else in a <Proxy> section
			// would apply to the balancer's requests only: refused.
			w.refuse(ch.pos(), ch.name, display(ch.name, w.args(ch)), &c)
			continue
		}
		if err = w.proxyDirective(ch, key, &c); err != nil {
			break
		}
	}
	st.b.CloseProxy()
	return err
}

// proxySectionDone moves a finished <Location> section's proxy settings
// into its DirConfig.
func (w *walker) proxySectionDone(sec *Section) {
	if w.detect != nil || sec.Kind != SectionLocation {
		return
	}
	st := w.proxy
	if w.cur != nil {
		st = w.cur.proxy
	}
	if st == nil {
		return
	}
	d := st.b.dirs[sec.Match]
	if d == nil {
		return
	}
	delete(st.b.dirs, sec.Match) // a later section of the same path starts afresh
	if d.Alias != nil {
		st.aliases = append(st.aliases, d.Alias)
	}
	if sec.Dir == nil {
		sec.Dir = &DirConfig{}
	}
	sec.Dir.Proxy = d
}

// finish returns the server's ProxyServer (without Dir) and its
// server-level ProxyDir; both nil when the server has no proxy
// directives.
func (st *proxyWire) finish() (*ProxyServer, *ProxyDir, error) {
	if st == nil || !st.used {
		return nil, nil, nil
	}
	srv, err := st.b.Finish()
	if err != nil {
		return nil, nil, &Error{Directive: "ProxyPass", Err: err}
	}
	for _, a := range st.aliases {
		if err := st.b.checkBalancer(a); err != nil {
			return nil, nil, &Error{Directive: "ProxyPass", Err: err}
		}
	}
	dir := srv.Dir
	srv.Dir = nil
	return srv, dir, nil
}

// proxyMain puts the main server's proxy settings into site.
func (w *walker) proxyMain(site *SiteConfig) error {
	srv, dir, err := w.proxy.finish()
	if err != nil {
		return err
	}
	if srv == nil {
		return nil
	}
	site.Proxy = srv
	if dir != nil {
		if site.Dir == nil {
			site.Dir = ServerDirDefaults()
		}
		d := *site.Dir
		d.Proxy = dir
		site.Dir = &d
	}
	return nil
}

// proxyVHost puts a virtual host's proxy settings into srv (before
// srv.merge): its own server-level ProxyDir into own (returned, maybe
// new), its ProxyServer merged onto the main server's.
func (raw *vhostRaw) proxyVHost(srv *Server, main *SiteConfig, own *DirConfig) (*DirConfig, error) {
	if raw.proxy != nil {
		raw.proxy.b.Inherit(main.Proxy)
	}
	vs, dir, err := raw.proxy.finish()
	if err != nil {
		return own, errAt(raw.pos, "<VirtualHost>", err.Error())
	}
	srv.Site.Proxy = MergeProxyServer(main.Proxy, vs)
	if dir != nil {
		if own == nil {
			own = &DirConfig{}
		}
		own.Proxy = dir
	}
	return own, nil
}
