// Package rewrite is Apache's mod_rewrite: RewriteEngine, RewriteOptions,
// RewriteBase, RewriteCond and RewriteRule in server, virtual host,
// <Directory> and .htaccess context. conf builds the directives' types
// (conf.RewriteBuilder per scope, conf.MergeRewriteServer and
// conf.MergeRewriteDir between scopes); this package compiles them
// (Compile) and runs them on a request (Server, Dir), returning as data
// what Apache would do: a Result with an Action, the environment
// variables, cookies, content type and Vary header the rules set, and
// the trace and error lines Apache would log. It writes no response and
// changes nothing itself; it reads files only through the FS interface.
//
// # Wiring the directives (conf)
//
// Wired: conf/wire_map.go routes the directives to conf.RewriteBuilder
// as follows, and site/map_chain.go calls Server and Dir:
//
//   - one builder per scope: the main server's top level and each
//     <VirtualHost> top level (Dir ""), each <Directory>/<DirectoryMatch>/
//     <Location>/<Files> section (Dir = the section's path: Apache uses
//     cmd->path) and each .htaccess file (Dir = its directory);
//   - b.Directive(name, rawArgs, "file:line") for RewriteEngine,
//     RewriteOptions, RewriteBase, RewriteCond, RewriteRule, RewriteMap,
//     with rawArgs the argument text as written after ${VAR} expansion
//     (w.expand(n.raw, p)), NOT the tokenized words: RewriteCond and
//     RewriteRule are RAW_ARGS directives with their own quoting rules;
//     wrap an error with errAt(p, name, err.Error()) (Apache's texts,
//     e.g. "RewriteRule: unknown flag 'XYZ'"); print b.Warnings (AH00664,
//     AH00665) with -t like other notices;
//   - cfg, _ := b.Finish() (nil when the scope had no such directive)
//     goes into the scope's settings: a field of conf.DirConfig for
//     sections and .htaccess (merged with conf.MergeRewriteDir inside
//     conf.MergeDir), and of the server/vhost (merged main → vhost with
//     conf.MergeRewriteServer);
//   - .htaccess: all five (RewriteEngine, RewriteOptions, RewriteBase,
//     RewriteCond, RewriteRule) need AllowOverride FileInfo (the sect
//     branch's overrideClass already says so); RewriteMap is server
//     config and virtual host only (RSRC_CONF: "RewriteMap not allowed
//     here" elsewhere);
//   - the server's own configuration is also the root of every
//     per-directory chain (MergeRewriteDir(serverCfg, section)...): its
//     RewriteEngine and RewriteOptions are inherited by sections and
//     .htaccess files, its rules are not (they are server-context rules).
//
// Refused (errors at configuration time, with file, line, directive):
// RewriteMap, the P flag (use ProxyPass), "RewriteCond expr", -U, and H=
// with a handler gohttpd does not have. Accepted: every other flag of
// Apache 2.4.71, B/BNP/BCTLS/BNE included.
//
// # Calling the engine (site)
//
// Compile each merged scope once, where the merged configuration is
// cached (per virtual host, and per (vhost, directory) chain): Compile
// costs microseconds per rule and the *Ruleset is immutable. Keep the
// server's Ruleset with the virtual host.
//
// Per request, in this order in the handler chain:
//
//  1. After the virtual host is chosen and before Alias/Redirect and the
//     DocumentRoot mapping (mod_rewrite's translate_name hook runs first):
//     if vhostRules.Active() { res := rewrite.Server(vhostRules, &req) }
//     with req filled by FromRequestCtx plus URI (the decoded, normalized
//     path), Query, Scheme, ServerName, ServerPort (UseCanonicalName
//     applied), DocumentRoot, Env and TraceLevel. Then by res.Action:
//     None: map as usual; File: res.Filename is the file (skip Alias and
//     DocumentRoot; the directory walk and .htaccess still apply);
//     PassThrough: map res.URI with Alias and DocumentRoot; Redirect:
//     answer res.Status with Location res.Location; Status: answer
//     res.Status with the error page. In every case apply res.Env to
//     the request's environment, add res.Cookies as Set-Cookie (also on
//     errors), merge res.Vary into Vary, set Content-Type res.Type on
//     the final response, use res.Query as the query from now on when
//     res.QueryChanged, log res.Log ([rewrite:traceN] for Level N, after
//     "[client ip:port] ip - - [host/sid#..][rid#../initial] " if you
//     want Apache's exact line; [rewrite:error] for Level 0), and
//     remember res.End.
//  2. After the directory walk (the file name, its path info, and the
//     merged per-directory configuration with .htaccess files are known)
//     and after access control, before the handler (mod_rewrite's fixup
//     hook): if dirRules.Active() { res := rewrite.Dir(dirRules, &req) }
//     with req.Filename and req.PathInfo set, req.End from step 1, and
//     req.SymLinksOff when neither FollowSymLinks nor
//     SymLinksIfOwnerMatch is on there (Dir answers 403, AH00670). Then
//     InternalRedirect: restart the request (from step 1, the virtual
//     host stays) with URI res.URI and query res.Query, as
//     ap_internal_redirect: environment variables get a REDIRECT_ prefix,
//     REDIRECT_STATUS/REDIRECT_URL are set, and the number of internal
//     redirects is counted: past LimitInternalRecursion (default 10)
//     answer 500 and log at error level "AH00124: Request exceeded the
//     limit of 10 internal redirects due to probable configuration
//     error. Use 'LimitInternalRecursion' to increase the limit if
//     necessary. Use 'LogLevel debug' to get a backtrace.". Redirect,
//     Status and the side effects as in step 1; None: serve the file.
//
// harness_test.go is a small working integrator (single host, .htaccess
// reading, internal redirects, the recursion limit) that the Apache
// comparison runs against.
//
// # L, END and the per-directory rounds
//
// In server context, L stops the rule list and the result is final.
// In per-directory context a rewritten URL is not served directly:
// Apache makes an internal redirect, and the new request goes through
// the server rules and the per-directory rules again. L only ends the
// current pass; the next pass starts again from the first rule, with the
// new URL. That is why the WordPress rules need "RewriteRule ^index\.php$
// - [L]" and the !-f condition (the second pass leaves index.php alone),
// and why a rule that always rewrites loops until the recursion limit
// (500, AH00124). A pass that ends with the same file name it started
// with makes no redirect (Apache's "[IGNORING REWRITE]"). END ends the
// pass and every later pass of the request: Result.End, which the
// integrator passes back as Request.End to every later Server and Dir
// call of the request, internal redirects included. N restarts the
// list within the pass, at most N=n times (32000 by default: past it,
// 500 and AH02596).
//
// Per-directory matching: the rules see the file name plus path info
// with the scope's directory (conf.RewriteConfig.Dir) stripped; a
// relative substitution gets the directory back, and the redirect URL is
// the result with RewriteBase replacing the directory, or without a base
// the DocumentRoot (or mod_alias's context document root, with
// ContextPrefix) stripped.
//
// # Regular expressions
//
// Patterns follow PCRE (Apache's ap_regex): see conf.RewriteRegex. Go's
// regexp runs the patterns it reads the same way (linear time, no
// allocation without captures), regexp2 the rest, with a 100 ms match
// timeout in place of PCRE's match limit (a timeout is no match).
//
// # Cost
//
// Measured on this 2-core machine (go test -bench, shared with other
// builds, so ±50%): rs.Active() is 1 ns and allocates nothing; Server
// and Dir on an inactive Ruleset return at once (18 ns, the zeroed
// Result; call Active first on the hot path). The WordPress rules on a
// request they rewrite (two stat(2) calls on a real file system) cost
// 2.9 µs and 3 allocations (160 B: two path copies for stat and the
// Result's query), 1 µs with a fake file system; the second round on
// /index.php 0.16 µs and nothing. Compile takes 15 µs for the four
// WordPress rules. FromRequestCtx allocates nothing: the request line and
// the address strings are made when a rule reads them. Patterns that are
// literals with anchors ("^index\.php$", "^www\." [NC], ".") are
// matched without the regexp (ASCII case folding, as PCRE without UTF
// mode), and "^(.*)$" gives $1 without the regexp's allocating submatch
// call: the CMS rule set (front controller in the document root's
// <Directory>, www canonical host in server context) costs ~0.5 µs per
// request for a file that exists and allocates nothing. Trace lines
// are only formatted when Request.TraceLevel asks for them.
//
// # Differences from Apache
//
// No subrequests: -U is refused, -F checks that the file exists and asks
// Request.FileAccess, LA-U/LA-F variables are empty, NS changes nothing.
// %{SSL:...} is empty. SCRIPT_URL/SCRIPT_URI are not set. Server looks
// at its own scope's RewriteEngine; Apache looks at the per-directory
// state at that point (the server's scope merged with matching <Location>
// sections), so the integrator skips Server when
// MergeRewriteDir(server, locations...).Enabled() is false. The CO flag sets a cookie once
// per pass (Apache: once per request). Regular expressions match UTF-8
// runes where PCRE matches bytes.
package rewrite
