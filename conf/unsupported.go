package conf

import (
	"slices"
	"strings"
)

// support is how gohttpd treats a directive it does not implement.
type support int

const (
	// unknown directives are Apache's "Invalid command" error.
	unknown support = iota
	// warned directives change nothing a client gets: they are accepted and
	// ignored, and -t and -S print a warning for each.
	warned
	// refused directives would change what clients get (deny access, ask
	// for authentication, pick another handler, vhost, file, header or
	// status): ignoring them is an error naming file, line and directive.
	refused
)

// refusedDirectives are directives gohttpd knows from real configurations
// (most are in ignoredDirectives too) but refuses whatever their value:
// without them a client would get something else.
var refusedDirectives = func() map[string]bool {
	m := make(map[string]bool)
	for _, d := range []string{
		// access control and authentication (Auth* is a refused prefix;
		// Require is a value rule of harmless)
		"Order", "Allow", "Deny", "Satisfy",
		// which file, handler or site answers
		"ScriptAlias", "ScriptAliasMatch", "AddHandler", "Action", "Script", "RegisterHttpMethod",
		"Use",
		// headers, status and bodies
		"SetInputFilter", "AddInputFilter", "MIMEMagicFile",
		// environment variables that steer the server (nokeepalive,
		// downgrade-1.0, no-gzip ...)
		"SetEnvIfExpr",
	} {
		m[strings.ToLower(d)] = true
	}
	return m
}()

// Prefixes of whole module families: refused ones change responses
// (mod_ssl, mod_auth*, mod_proxy*, mod_rewrite, compression, caching,
// HTTP/2, ...), warned ones only tune or report.
var (
	refusedPrefixes = []string{
		"ssl", "auth", "proxy", "deflate", "brotli", "expires", "cache",
		"h2", "dav", "lua", "session", "remoteip", "substitute", "ldap", "socache",
		"balancer", "filter", "ratelimit", "md", "suexec", "chroot", "xml2",
	}
	warnedPrefixes = []string{"watchdog", "heartbeat"}
)

// harmless decides value-dependent directives: it reports whether ignoring
// this occurrence changes nothing a client gets compared with what gohttpd
// does without it. A directive listed here is refused when harmless says
// false.
var harmless = map[string]func(args []string, ctx *walkCtx) bool{
	// %h is always the address.
	"hostnamelookups":          oneOf("Off"),
	"usecanonicalphysicalport": oneOf("Off"),
	// TRACE gets 405 with Allow, as Apache's TraceEnable Off.
	"traceenable": oneOf("Off"),
	// ETags are Apache's default "MTime Size".
	"fileetag":      harmlessFileETag,
	"contentdigest": oneOf("Off"),
	// a path after a file name is 404.
	"acceptpathinfo": oneOf("Off", "Default"),
	// %2F is 404.
	"allowencodedslashes": oneOf("Off"),
	// gohttpd's limits are Apache's defaults.
	"maxranges":         oneOf("Default", "200"),
	"maxrangeoverlaps":  oneOf("Default", "20"),
	"maxrangereversals": oneOf("Default", "20"),
	"xbithack":          oneOf("Off"),
	"userdir": func(args []string, _ *walkCtx) bool {
		return len(args) == 1 && strings.EqualFold(args[0], "disabled")
	},
	// modules switched off.
}

// oneOf is harmless for a single argument equal (ignoring case) to one of
// values.
func oneOf(values ...string) func([]string, *walkCtx) bool {
	return func(args []string, _ *walkCtx) bool {
		return len(args) == 1 && slices.ContainsFunc(values, func(v string) bool { return strings.EqualFold(v, args[0]) })
	}
}

// classify decides a directive gohttpd does not implement (key lower case).
func classify(key string, args []string, ctx *walkCtx) support {
	if ok, found := harmless[key]; found {
		if ok(args, ctx) {
			return warned
		}
		return refused
	}
	switch {
	case refusedDirectives[key]:
		return refused
	case ignoredDirectives[key]:
		return warned
	case hasPrefix(key, refusedPrefixes):
		return refused
	case hasPrefix(key, warnedPrefixes):
		return warned
	}
	return unknown
}

func hasPrefix(key string, prefixes []string) bool {
	return slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(key, p) })
}

// harmlessFileETag reports whether a FileETag line gives Apache's default
// "MTime Size", which is what gohttpd sends.
func harmlessFileETag(args []string, _ *walkCtx) bool {
	set := map[string]bool{"mtime": true, "size": true}
	for i, a := range args {
		a = strings.ToLower(a)
		op := byte(0)
		if a != "" && (a[0] == '+' || a[0] == '-') {
			op, a = a[0], a[1:]
		} else if i == 0 {
			clear(set)
		}
		var names []string
		switch a {
		case "none":
		case "all":
			names = []string{"inode", "mtime", "size"}
		case "inode", "mtime", "size", "digest":
			names = []string{a}
		default:
			return false
		}
		for _, n := range names {
			set[n] = op != '-'
		}
	}
	return len(args) > 0 && set["mtime"] && set["size"] && !set["inode"] && !set["digest"]
}

// supportedHandler reports whether gohttpd serves SetHandler h inside a
// <Location>, and the handler name it records ("" for none).
func supportedHandler(h string) (string, bool) {
	switch h = strings.ToLower(h); h {
	case "server-status", "metrics", "health", "md-status":
		return h, true
	case "", "none":
		return "", true
	}
	return h, false
}

// refusedSections are sections gohttpd refuses whatever they hold: each
// selects requests by something gohttpd cannot evaluate.
var refusedSections = map[string]bool{
	"if": true, "elseif": true, "else": true,
	"proxy": true, "proxymatch": true,
	"authnprovideralias": true, "authzprovideralias": true,
}

// display is a directive as written, for messages: its name and
// arguments, cut after 80 bytes.
func display(name string, args []string) string {
	s := strings.TrimSpace(name + " " + strings.Join(args, " "))
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// notImplemented is the message of a refused directive or section.
func notImplemented(what string, ctx *walkCtx) string {
	where := ""
	if ctx != nil && ctx.section != "" {
		where = " inside " + ctx.sectionText
	}
	return "gohttpd does not implement '" + what + "'" + where +
		" yet; ignoring it would change what clients get"
}
