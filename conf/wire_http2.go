package conf

// Wiring of mod_http2's directives and core's Protocols (http2.go builds
// them): each name of HTTP2Directives gets a spec, allowed at the top
// level and in <VirtualHost> (never in a directory section, where the
// walker refuses spec'd server directives, nor in .htaccess). The main
// server's HTTP2Builder result is Config.HTTP2; each vhost's is merged over
// it into Server.HTTP2 (MergeHTTP2). The builder's warnings (H2Push On,
// H2MinWorkers ...) become -t/-S notices at their line.

import "strings"

func init() {
	for _, name := range HTTP2Directives {
		key := strings.ToLower(name)
		directives[key] = &spec{name: name, arity: rawArgs, apply: applyHTTP2}
		perVHost[key] = true
	}
}

// applyHTTP2 hands one directive to the server's (or vhost's) builder.
func applyHTTP2(b *builder, o occurrence) error {
	before := len(b.h2.cfg.Warn)
	if err := b.h2.Directive(directives[o.key].name, o.args); err != nil {
		return err
	}
	for _, w := range b.h2.cfg.Warn[before:] {
		b.notice(o.pos, "%s", w)
	}
	return nil
}

// finishHTTP2 stores the main server's HTTP/2 settings.
func (b *builder) finishHTTP2() {
	b.cfg.HTTP2 = b.h2.Finish()
}

// H2For returns the HTTP/2 settings of server i of c (-1: the main
// server), Apache's defaults filled in.
func (c *Config) H2For(i int) HTTP2Effective {
	if i >= 0 && i < len(c.Servers) {
		return c.Servers[i].HTTP2.Effective()
	}
	return c.HTTP2.Effective()
}
