package conf

import (
	"net/netip"
	"strings"
)

// mod_ssl's directives in the walk: each SSL* directive of SSLDirectives
// goes to the SSLBuilder of the server being read (the main server's, or
// the <VirtualHost>'s own), SSLOptions inside a section to DirDirective.
// finishSSL puts the merged settings in the snapshot: Site.SSL of the
// main server and of each virtual host (MergeSSLServer(main, vhost)).
// Other ssl* directives (SSLRequireSSL, SSLRequire, SSLProxy*, ...) stay
// refused by the "ssl" prefix of conf/unsupported.go.

// sslWalk is the walker's mod_ssl state (pass 2 only).
type sslWalk struct {
	main   *SSLBuilder
	vhosts map[*vhostRaw]*SSLBuilder
	seen   bool // some SSL directive was read
}

// sslDirectiveKeys are SSLDirectives in lower case.
var sslDirectiveKeys = func() map[string]string {
	m := make(map[string]string, len(SSLDirectives))
	for _, d := range SSLDirectives {
		m[strings.ToLower(d)] = d
	}
	return m
}()

// isSSLDirective reports whether key (lower case) is one SSLBuilder takes.
func isSSLDirective(key string) bool {
	_, ok := sslDirectiveKeys[key]
	return ok
}

// sslDirective applies one SSL* directive found in context ctx.
func (w *walker) sslDirective(n *node, key string, ctx *walkCtx) error {
	if ctx.skipped() || w.detect != nil {
		return nil
	}
	p := n.pos()
	name := sslDirectiveKeys[key]
	args := w.args(n)
	s := &w.ssl
	s.seen = true
	if dir := ctx.kind == ctxDir || ctx.kind == ctxLocation || ctx.kind == ctxFiles; dir || name == "SSLOptions" {
		var b SSLBuilder
		d, err := b.DirDirective(p.file, p.line, name, args)
		if err != nil {
			w.refusals = append(w.refusals, err)
			return nil
		}
		if d.Add&SSLOptFakeBasicAuth != 0 || (d.Set && d.Options&SSLOptFakeBasicAuth != 0) {
			w.refuse(p, name, display(name, args), ctx)
			return nil
		}
		w.ignored(p, display(name, args), "its options export TLS variables to CGI and SSI, which gohttpd does not run")
		return nil
	}
	var b *SSLBuilder
	if w.cur != nil {
		if s.vhosts == nil {
			s.vhosts = make(map[*vhostRaw]*SSLBuilder)
		}
		if b = s.vhosts[w.cur]; b == nil {
			b = &SSLBuilder{ServerRoot: w.root, InVHost: true}
			s.vhosts[w.cur] = b
		}
	} else {
		if s.main == nil {
			s.main = &SSLBuilder{ServerRoot: w.root}
		}
		b = s.main
	}
	b.ServerRoot = w.root
	_, before := b.Finish()
	n0 := len(before)
	err := b.Directive(p.file, p.line, name, args)
	_, after := b.Finish()
	for _, msg := range after[n0:] {
		w.notices = append(w.notices, notice{order: 2*w.seq + 1, text: msg})
	}
	return w.soft(err)
}

// finishSSL puts each server's merged mod_ssl settings in the
// configuration (after finishVHosts). Without any SSL directive nothing
// changes: Site.SSL stays nil everywhere.
func (w *walker) finishSSL(c *Config) {
	s := &w.ssl
	if !s.seen {
		return
	}
	var main *SSLServer
	if s.main != nil {
		main, _ = s.main.Finish()
	} else {
		main = NewSSLServer()
	}
	c.Site.SSL = main
	for i, raw := range w.vhosts {
		if i >= len(c.Servers) {
			break
		}
		var own *SSLServer
		if b := s.vhosts[raw]; b != nil {
			own, _ = b.Finish()
		}
		c.Servers[i].Site.SSL = MergeSSLServer(main, own)
	}
}

// SSLOf is the merged mod_ssl settings of server id (0: the main server,
// i+1: Servers[i]), nil when the configuration has no SSL directive.
func (c *Config) SSLOf(id int) *SSLServer {
	if id == 0 {
		return c.Site.SSL
	}
	if id-1 < len(c.Servers) {
		return c.Servers[id-1].Site.SSL
	}
	return nil
}

// TLSListener reports whether connections to Listen l are TLS: mod_ssl
// decides by the server a connection's address selects (its
// SSLEngine), not by the Listen protocol, which only picks the
// AcceptFilter. For l, that is any <VirtualHost> whose address takes
// l's port (and l's address, or any address) with SSLEngine on, or the
// main server's SSLEngine when no <VirtualHost> takes the port.
func (c *Config) TLSListener(l Listen) bool {
	taken := false
	if c.VHosts != nil {
		for i, h := range c.VHosts.Hosts {
			if !vhostTakes(h, l) {
				continue
			}
			taken = true
			if s := c.SSLOf(i + 1); s.Enabled() {
				return true
			}
		}
	}
	return !taken && c.Site.SSL.Enabled()
}

// vhostTakes reports whether one of h's addresses takes connections to
// Listen l: the same port (or any port), and l's address or a wildcard
// (a wildcard Listen is taken by any address on its port).
func vhostTakes(h *VirtualHost, l Listen) bool {
	for _, a := range h.Addrs {
		if a.Port != 0 && a.Port != l.Port {
			continue
		}
		if a.Wildcard() || l.Host == "" || l.Host == "*" || l.Host == "0.0.0.0" || l.Host == "::" {
			return true
		}
		if ip, err := netip.ParseAddr(strings.Trim(l.Host, "[]")); err == nil && ip.Unmap() == a.IP.Unmap() {
			return true
		}
	}
	return false
}
