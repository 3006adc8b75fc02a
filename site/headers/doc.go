// Package headers is mod_headers: Header and RequestHeader. The
// directives' types are built by conf (conf.HeadersBuilder per section,
// conf.MergeHeaders between sections: the lists are concatenated,
// parent's lines first); this package applies them to fasthttp's
// request and response headers.
//
// # Wiring (for the integrator)
//
// conf/unsupported.go refuses Header and RequestHeader today; route them
// from the section walker to conf.HeadersBuilder.Directive (both are
// AllowOverride FileInfo; every section, .htaccess included). Refused by
// the builder with a clear text: the "early" condition, "expr=" as
// condition or value (no ap_expr).
//
// Per merged configuration: Compile(merged) once and cache the
// *Headers (nil when there are no lines; every method is a no-op on nil
// and costs ~2 ns, no allocation). Compile also marks the lines that
// may take Response's fast path (fast.go): "Header [always] set" of a
// literal value on a name no other line touches is one append when the
// response lacks the name (found by one pass over the response's
// headers), with the same result, header for header and in order, as
// the general path; the CMS benchmark's 10 "Header set" lines went from
// ~130 ns to ~40 ns each, and Response allocates nothing.
//
// Per request, with env the request's *setenvif.Env:
//
//	v := headers.Vars{Env: env, Request: &ctx.Request.Header,
//		Start: ctx.Time(), SSLVar: sslLookup /* nil without TLS */,
//		Idle: scoreboardIdle, Busy: scoreboardBusy, Note: notes.Set}
//	// fixups, after setenvif.ApplyEnv, before the handler:
//	h.Request(&ctx.Request.Header, &v)
//	// the handler and the access log (%{X-Foo}i) see the changed
//	// headers: Apache logged "GET /rh/ HTTP/1.1 200 foo=bar" for
//	// "RequestHeader set X-Foo bar" with LogFormat "%r %>s foo=%{X-Foo}i"
//	// ... the handler produces the response, or the site an error page ...
//	// then, after expires.Apply (mod_expires' filter runs first):
//	h.Response(&ctx.Response.Header, success, &v)
//	// last: Content-Type through mimetype.DefaultCharset
//
// success is true for a response the handler generated (any status it
// chose, a 206 or a 304 Not Modified of the file handler included) and
// false for a response the site generated on Apache's error path
// (ap_send_error_response: 404 for a missing file, 403/401 from authz,
// 500, and redirects such as mod_dir's slash redirect, Redirect and
// RewriteRule [R]): then only "Header always" lines apply. Observed with
// Apache 2.4.71: a 304 carries the onsuccess headers, the 301 of
// "GET /succ" only the always ones. That is
// Apache's onsuccess/always rule, observed: with "Header set A" and
// "Header always set B", a 200 carries A and B, a 404 error page only B
// (site/headers/testdata/apache, /succ/). An internal redirect
// (ErrorDocument to a local URL) is a new request whose response is
// generated normally: call Response with success true for it, with the
// configuration of the ErrorDocument's URL.
//
// "Header always" lines act on a separate table (Apache's
// err_headers_out), which starts empty here and is sent before the
// response's own headers: "Header always unset ETag" does not remove the
// ETag the file handler set (Apache: same), and "Header always set X a"
// with "Header set X b" sends both "X: a" and "X: b" (Apache: same, in
// that order). Headers Apache itself keeps in err_headers_out
// (mod_auth_basic's WWW-Authenticate, a CGI script's headers on a
// non-2xx status) are the site's own here and out of reach of "always".
// Echo adds to the response in both cases, as in Apache.
//
// Format specifiers: %t, %D, %{VAR}e ("(null)" when unset; CR and LF
// become spaces), %{VAR}s (Vars.SSLVar: mod_ssl's variables, "(null)"
// without it), %l, %i, %b (load average, idle and busy workers from
// Vars hooks, zero without them). mod_headers has no request-header
// specifier: "%{X-Foo}i" prints the idle-worker count "i=97", as Apache
// does; use "Header echo" or expr (refused) to copy request headers.
//
// # The four libraries in the chain
//
// site/setenvif, site/mimetype, site/expires and this package replace
// Apache's request phases in this order (the Apache comparison test's
// server function in apache_test.go is a working example):
//
//  1. request read: server-level SetEnvIf rules (setenvif.Rules.Apply)
//  2. URI mapped, merged section configuration looked up (cached)
//  3. header_parser: per-directory SetEnvIf rules
//  4. access control (site/authz, reading the Env)
//  5. type checker: mimetype.Lookup on the mapped file (type, encoding,
//     ForceType)
//  6. fixups: setenvif.ApplyEnv (SetEnv), then Headers.Request
//     (RequestHeader)
//  7. the handler, or the site's error page
//  8. expires.Apply (handler responses only), then Headers.Response
//     (success or not), then mimetype.DefaultCharset on the final type
//
// Wiring them also means removing from conf/unsupported.go and
// conf/directives.go what stands for them today: Header, RequestHeader,
// SetEnv, SetEnvIf, SetEnvIfNoCase, BrowserMatch, BrowserMatchNoCase
// (refused or ignored), UnsetEnv, the "ExpiresActive Off", "ForceType
// None" and "TypesConfig .../mime.types" value rules, and AddType's
// applyAddType (site/mime.go's table gives way to mimetype.Lookup over
// conf.LoadMimeTypes' map).
//
// # Regular expressions
//
// Header edit, edit* and echo use Go's regexp (RE2), not regexp2 or
// PCRE: header edits in the field are simple substitutions ("^(.*)$",
// "(?i)secure", "http://"), RE2 runs in time linear in the header's
// length on values a client controls (RequestHeader edit, echo) where a
// backtracking engine can be made to run for seconds, and it needs no
// new dependency. Patterns RE2 cannot compile (backreferences,
// lookaround) are refused by conf with Apache's "Header edit regex could
// not be compiled", so nothing silently behaves differently. $0..$9 in
// the replacement are expanded as ap_pregsub does. edit* takes Go's
// successive non-overlapping matches; for a pattern that can match the
// empty string the result may differ from PCRE's loop, and Apache
// 2.4.71 crashes (child segfault) on such patterns anyway (probed:
// `Header edit* X-Empty "x*" "-"`).
//
// # Differences from Apache
//
// Header names are written as fasthttp writes them: normalized
// ("X-SetEnv" becomes "X-Setenv") unless the server disables header
// name normalizing (Server.DisableHeaderNamesNormalizing, which the
// Apache comparison test uses to get Apache's exact names). Set-Cookie
// values pass through fasthttp's cookie parser when set or edited.
// "Header unset Content-Type" leaves no Content-Type at all.
package headers
