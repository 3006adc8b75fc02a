// Package alias is Apache's mod_alias (Alias, AliasMatch, Redirect,
// RedirectMatch, RedirectPermanent, RedirectTemp, RedirectRelative,
// AliasPreservePath) and mod_dir (DirectoryIndex, DirectorySlash,
// FallbackResource, DirectoryIndexRedirect, DirectoryCheckHandler). The
// directives' types are built by conf (conf.AliasBuilder, conf.ModDirBuilder;
// merged with conf.MergeAliasServer, conf.MergeAliasDir,
// conf.MergeModDir); this package decides, as data, what Apache would
// do with a request: a status and Location, a file to serve, a URI to
// serve instead, or nothing. It writes no response.
//
// # Wiring the directives (conf)
//
// Wired: conf/wire_map.go routes the directives; site/map_chain.go calls
// this package.
//
//   - Alias, AliasMatch, Redirect, RedirectMatch, RedirectPermanent,
//     RedirectTemp, RedirectRelative, AliasPreservePath: one
//     conf.AliasBuilder per server and per <VirtualHost> (ServerRoot set),
//     b.Directive(dir, ctx, path, name, args) with ctx the enclosing
//     section's kind (conf.AliasInServer, AliasInDirectory,
//     AliasInDirectoryMatch, AliasInLocation, AliasInLocationMatch,
//     AliasInFiles, AliasInFilesMatch, AliasInHTAccess), path the
//     section's path (Apache's cmd->path; "" at server level) and dir that
//     section's *conf.AliasDir (at server level the server's default
//     section's, used by RedirectRelative and AliasPreservePath only).
//     b.Server() is the server's *conf.AliasServer; a virtual host's is
//     conf.MergeAliasServer(main, vhost). b.Warnings holds AH00671
//     overlap warnings for -t. The builder returns Apache's errors for the
//     forms Apache refuses (Alias with two arguments in a section,
//     AliasMatch outside the server config, "Redirect to non-URL", ...).
//     ScriptAlias and ScriptAliasMatch are refused (no CGI): route them to
//     the builder (conf.AliasRefused) to get its error, or keep them in
//     the refused list.
//   - DirectoryIndex, DirectorySlash, FallbackResource,
//     DirectoryIndexRedirect, DirectoryCheckHandler: one conf.ModDirBuilder
//     per section (the server level is a section too); b.Config() is the
//     section's *conf.ModDirConfig, merged along the section chain with
//     conf.MergeModDir (a later DirectoryIndex replaces the list; the
//     server-level Site.DirectoryIndex of conf/apply.go becomes the
//     server section's ModDirConfig).
//   - ErrorDocument: see package errordoc.
//
// AllowOverride classes for .htaccess (Apache's req_override): Redirect,
// RedirectMatch, RedirectPermanent, RedirectTemp, RedirectRelative,
// AliasPreservePath and ErrorDocument are FileInfo; the mod_dir
// directives are Indexes; Alias and AliasMatch are not allowed in
// .htaccess at all (the builder answers Apache's "Alias not allowed
// here").
//
// # Where the site calls it
//
// Per request, at Apache's translate_name step (after mod_rewrite and
// mod_proxy's ProxyPass, before DocumentRoot mapping), with loc the
// request's <Location>-level *conf.AliasDir (the server default section
// merged with the matching <Location> sections; resolved once per
// Location set):
//
//	req := alias.Request{URI: string(ctx.Path()), Args: string(ctx.URI().QueryString()),
//		ConstructURL: constructURL} // ap_construct_url, see below
//	res := alias.Translate(&req, srv, loc)
//	switch {
//	case res.Recursive != 0: // 500, the canned page with errordoc.PageInfo.Recursive = res.Recursive
//	case res.Status != 0: // redirect (3xx, Location in res.Location) or error status
//	case res.Filename != "": // serve this file (not under DocumentRoot):
//		// walk the <Directory> sections for res.Filename, check access (site/authz)
//	default: // map URI under DocumentRoot as today
//	}
//
// Then, once the request is mapped to a file and its full section chain
// is merged (dir: the request's merged *conf.AliasDir; access control
// already passed), at the fixups step:
//
//	if res := alias.Fixup(&req, dir); res.Status != 0 { ... as above ... }
//	d := alias.DirFixup(&alias.DirRequest{URI: ..., Args: ..., IsDir: isDir,
//		Missing: missing, ConstructURL: constructURL, Lookup: subrequest}, dirCfg)
//
// and act on d.Action: DirRedirect (d.Status with d.Location; this
// replaces site/static.go's redirectDir, whose Location today is a bare
// path where Apache sends an absolute URL), DirServe (serve d.URI's file,
// d.Sub.Filename: the DirectoryIndex file or the FallbackResource; this
// replaces resolveIndex), DirError (d.Status through ErrorDocument; for a
// 401 copy the sub-request's WWW-Authenticate), DirDecline (the handler:
// a directory without index gets a listing or, as in Apache 2.4.71
// without mod_autoindex, 404). Lookup is the site's sub-request: run
// Translate/DocumentRoot mapping/access control for the URI (no handler)
// and say what it found.
//
// res.Log lines go to the error log as [alias:<level>] with the client
// address. For 3xx answers the body is Apache's canned page: the
// site's error-page code (site/errpage.go) renders "The document has
// moved" for 301/302/307/308, but not 303 ("The answer to your request is
// located"), 410 ("The requested resource is no longer available") and
// other statuses Redirect can send: render with errordoc.Page (same
// format, every status Apache knows), which also escapes the href as
// Apache (ap_escape_html leaves ' alone; html.EscapeString does not).
//
// ConstructURL is ap_construct_url; URLOptions.URL implements it for
// UseCanonicalName Off (the default: the Host header's host and port) and
// On (ServerName), as observed with Apache 2.4.71.
//
// # Semantics (compared with Apache 2.4.71, see apache_test.go)
//
// Translate checks, in order: the <Location>'s one-argument Redirect,
// the server's Redirect lines (a virtual host's before the main
// server's), the <Location>'s one-argument Alias, the Alias lines; the
// first match wins, so a Redirect beats an Alias for the same prefix
// whatever their order in the file. Prefixes match as alias_matches: at
// segment boundaries, any run of '/' for one, and "Alias /icons/ ..."
// does not match "/icons". The rest of the path is appended to the
// target, %-escaped (lower-case hex, ap_escape_uri) for redirects and as
// it is for aliases. AliasMatch and RedirectMatch substitute $0..$9 ('\'
// escapes the next byte); RedirectMatch targets are then escaped except
// their query and fragment, and a default port is dropped. A URL-path
// target is made absolute with ConstructURL (unless RedirectRelative
// On), and a target that is neither is a 500 with AH00674. The request's
// query string is appended unless the target has its own '?'. A target
// holding control characters (a RedirectMatch $1 in the query carries the
// decoded path, CR LF included) is a 500 with AH02430, as Apache's header
// check answers. Redirects
// with a status outside 3xx (gone, 404 ...) carry no Location.
//
// Regular expressions are Go's RE2 with (?s): Apache compiles with
// AP_REG_DEFAULT (DOTALL | DOLLAR_ENDONLY), under which PCRE's '.' and
// '$' behave as RE2's with (?s), and RE2 runs in linear time on
// client-controlled paths. Patterns RE2 cannot compile (lookaround such
// as the "^/(?!maintenance)" idiom, backreferences) are refused by conf
// with Apache's "Regular expression could not be compiled.".
//
// # Cost
//
// A request no alias or redirect matches costs the prefix scans and
// allocates nothing: about 0.07 µs for 3 Alias/Redirect prefixes and 2
// RedirectMatch/AliasMatch patterns on this machine
// (BenchmarkTranslateMiss). A pattern anchored with '^' and literal text
// ("^/img/...") is only run on paths starting with that text
// (conf.AliasEntry.AnchoredPrefix); other patterns run on every request.
// A redirect costs about 0.3 µs and three allocations (the Location).
// DirFixup on a regular file is a type switch (BenchmarkDirFixupFile).
//
// # Not done
//
// ScriptAlias and ScriptAliasMatch (CGI) are refused. The one-argument
// Alias and Redirect (ap_expr strings) take literal text with ap_expr's
// escapes; %{VAR} and $N in them are refused. "Redirect gone" (any
// status without URL) outside a section is refused: Apache 2.4.71 accepts
// it and its children crash with a segmentation fault on the first
// request that reaches the line.
package alias
