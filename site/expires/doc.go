// Package expires is mod_expires: ExpiresActive, ExpiresDefault and
// ExpiresByType set Expires and Cache-Control max-age on responses. The
// directives' types are built by conf (conf.ExpiresBuilder per section,
// conf.MergeExpires between sections); this package computes and sets
// the headers.
//
// # Wiring (for the integrator)
//
// conf/unsupported.go refuses the three directives today; route them
// from the section walker to conf.ExpiresBuilder.Directive. They are
// Apache's OR_INDEXES: in .htaccess they need AllowOverride Indexes (not
// FileInfo); every section may hold them. The builder returns Apache's
// texts, e.g. "'ExpiresDefault access plus 1': bad expires code,
// missing <type>". Finish returns nil for a section without them: merge
// nil as "no change" (Apache creates a module's per-directory
// configuration only for sections that use it).
//
// Per request, after the handler produced a response and before
// headers.Response (mod_expires' filter runs before mod_headers'), for
// responses the handler generated (not for error pages the site makes
// instead; Apply itself ignores statuses of 400 and up):
//
//	expires.Apply(merged, &ctx.Response.Header, &expires.Response{
//		Status: ctx.Response.StatusCode(),
//		ContentType: contentType, // r->content_type, before AddDefaultCharset
//		ModTime: fileModTime,     // zero when not a file
//		Now: ctx.Time(),          // the request's start
//	})
//
// A nil or inactive configuration costs ~1 ns and allocates nothing; an
// active one ~0.3 µs, no allocation. On the request path use New(merged)
// once per merged configuration and its Apply: the type lookup is
// remembered per Content-Type value and an access code's two header
// values are formatted once per second (they depend on the request's
// time in whole seconds only), same answers (TestCompiledSameAsApply).
//
// Semantics kept from mod_expires.c: a response that already has
// Expires is left alone; "max-age=N" is merged into an existing
// Cache-Control ("public, max-age=N"); a time in the past becomes now
// (max-age=0, Expires = Date: Apache's answer for an old file with
// "modification plus 2 hours"); a modification code for a response
// without a file adds nothing; ExpiresByType keys compare without case
// and without parameters; "type/*" entries are consulted only when the
// innermost section with Expires directives had one (merge quirk, see
// conf.ExpiresConfig.Wildcards); "A<seconds>" is read with atoi, so
// "Access plus 1 month" (capital A) is max-age=0, as in Apache.
package expires
