// Package setenvif is the request environment (Apache's
// r->subprocess_env) and the modules that fill it: mod_setenvif
// (SetEnvIf, SetEnvIfNoCase, BrowserMatch, BrowserMatchNoCase) and
// mod_env (SetEnv, UnsetEnv). The directives' types are built by conf
// (conf.SetEnvIfBuilder and conf.EnvBuilder per section,
// conf.MergeSetEnvIf and conf.MergeEnv between sections); this package
// evaluates them into an [Env], which the other modules read: Header's
// env= conditions and %{VAR}e (site/headers: headers.Vars.Env),
// "Require env" and "Allow from env=" (site/authz: authz.Request.Env),
// and the special variables below.
//
// # Wiring (for the integrator)
//
// conf/unsupported.go refuses these directives today; to enable them,
// route them from the section walker to the builders:
//
//	SetEnvIf, SetEnvIfNoCase, BrowserMatch, BrowserMatchNoCase
//	        -> conf.SetEnvIfBuilder.Directive   (AllowOverride FileInfo)
//	           set InSection for <Directory>/<Location>/<Files>/.htaccess
//	SetEnv, UnsetEnv -> conf.EnvBuilder.Directive (AllowOverride FileInfo)
//
// SetEnvIfExpr stays refused (the builder says why), as does PassEnv.
// Arguments are the directive's words as ap_getword_conf splits them.
//
// Per merged configuration (cached with the (vhost, directory) entry):
// Compile(mergedSetEnvIf) once; keep the *Rules. Keep the server-level
// rules (those outside any section, main server or <VirtualHost>)
// apart: Apache runs them at a different time.
//
// Per request:
//
//	var env setenvif.Env                  // zero: no allocation until a Set
//	req := setenvif.Request{Header: &ctx.Request.Header,
//		RemoteAddr: clientIP, ServerAddr: localIP, RemoteHost: hostOrIP,
//		URI: path, Method: method, Protocol: "HTTP/1.1"}
//	serverRules.Apply(&req, &env)         // 1. right after reading the request
//	// ... map the URI, resolve the merged section configuration ...
//	req.URI = decodedPath
//	dirRules.Apply(&req, &env)            // 2. header_parser, before access control
//	// ... access control (authz reads env.Has), type checking ...
//	setenvif.ApplyEnv(mergedEnv, &env)    // 3. fixups, before RequestHeader
//
// Apply on a nil *Rules and ApplyEnv on a nil config do nothing and
// allocate nothing. SetEnvIf cannot see SetEnv variables (they are added
// later), and a variable SetEnvIf set keeps its value over SetEnv's;
// UnsetEnv only removes SetEnv variables of enclosing sections (Apache's
// observed behaviour, see the /env/ answers in
// site/headers/testdata/apache).
//
// # Special variables the integrator must honour
//
// Apache's core and modules change behaviour when these are set (by
// SetEnvIf/BrowserMatch, typically for old browsers); none of them is
// acted on by this package:
//
//   - nokeepalive: close the connection after this response (keep-alive
//     off), as ap_set_keepalive.
//   - downgrade-1.0: treat the request as HTTP/1.0 (no chunking, no
//     keep-alive unless asked the 1.0 way).
//   - force-response-1.0: answer an HTTP/1.0 request with an "HTTP/1.0"
//     status line.
//   - force-no-vary: remove Vary before sending (implies
//     force-response-1.0).
//   - suppress-error-charset: error pages without "; charset=".
//   - no-gzip (and gzip-only-text/html), no-brotli, dont-vary: for
//     mod_deflate / mod_brotli when compression is implemented.
//   - proxy-nokeepalive, proxy-sendchunked, proxy-sendcl,
//     proxy-initial-not-pooled: for the reverse proxy (site/proxy).
//   - ssl-unclean-shutdown: TLS close without close_notify.
//
// The access log's %{VAR}e should print Env.Lookup's value ("-" when
// unset).
//
// # Differences from Apache
//
// Regular expressions are Go's regexp (RE2), not PCRE: patterns RE2
// cannot compile (backreferences, lookaround) and non-UTF-8 patterns
// are refused by conf with Apache's "regex could not be compiled." text,
// so nothing is silently matched differently; RE2 also runs in linear
// time on attacker-controlled header values. Remote_Host is whatever
// the caller passes (HostnameLookups is the caller's business).
// "--early" is recorded and otherwise ignored (gohttpd has no early
// RequestHeader).
package setenvif
