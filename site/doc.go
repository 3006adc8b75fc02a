// Package site is what a request meets: static files from DocumentRoot (on
// fasthttp.FS), directory indexes, error pages, Apache's keep-alive decision,
// request limits and the access log. It never imports an engine.
//
// A [Site] is built once per configuration by [New]. [Site.Handler] is the
// handler chain every engine runs and [Site.NewServer] the fasthttp.Server
// settings that go with it; [Site.Close] releases the file cache.
//
// # The handler chain
//
// For each request, in order:
//
//  0. Virtual host (with <VirtualHost> sections only): site/vhost picks
//     the request's server from the local address and the Host header
//     (Apache's vhost.c); each server is a vserver of its own (sections
//     and their caches, DocumentRoot and its file cache, error pages,
//     types, error and access logs), built from conf.Config.Servers on
//     the main server's settings. An HTTP/1.1 request without Host (or a
//     bad one) gets 400 from the connection's default vhost. %v, %V and
//     %p of the access log and the status page's VHost column
//     (Options.SetVHost) come from that choice (accesslog.SetServer). A
//     new module's per-server settings are one field of conf.Server and
//     one of vserver. The selection costs one or two map lookups and no
//     allocation (BenchmarkStaticVHosts50).
//  1. Panic recovery: a panicking handler gets a 500 page, Connection:
//     close and an error-log entry with its stack; the server lives on.
//  2. Limits: LimitRequestLine (414), LimitRequestFieldSize and
//     LimitRequestFields (400 with Apache's notes). LimitRequestBody is
//     fasthttp's MaxRequestBodySize (413, mapped by the ErrorHandler).
//  3. Path checks on the raw path, as Apache does before mapping to a file:
//     bad %-escapes and dot segments above the root (also as %2e) get 400,
//     %2F (AllowEncodedSlashes Off) and %00 get 404. Then translate_name
//     (map_chain.go, servers using the URL-mapping modules only): the
//     server's mod_rewrite rules (redirects, status, a new URI, a file),
//     then its Redirect lines (site/alias).
//  4. Mapping (sections.go): Alias and AliasMatch map the path to a file
//     outside DocumentRoot (the walk below runs on it); the request path is resolved to its merged
//     per-directory configuration, as ap_directory_walk, ap_file_walk and
//     ap_location_walk do: the server's own settings, then the
//     non-regex <Directory> sections of each directory level from "/"
//     down (with the .htaccess files AllowOverride lets in, and the
//     symbolic-link checks Options asks for, on each component), then
//     <DirectoryMatch> against the file name, <Files> against its base
//     name, <Location> against the path; conf orders and merges them. A
//     resolution is cached per path (lock-free reads, at most 8192 paths,
//     reused for 1 s, and only while the .htaccess files it read are
//     unchanged: one stat each per request); with nothing that could
//     apply there is no walk at all.
//  5. Access phases (access.go), before any handler, for every request
//     (also for files that do not exist): a failed walk (403 for a symbolic
//     link Options forbid, AH00037; 403 for an unreadable .htaccess,
//     AH00529; 500 for a broken one), then site/authz: access_compat's
//     host check, the Require tree, Basic authentication. Denials are 403
//     with Apache's AH01630 line, failed authentication 401 with
//     WWW-Authenticate; the user goes to %u (accesslog.UserKey). Then the
//     fixups (map_chain.go): the sections' Redirect lines, the
//     per-directory mod_rewrite rules (an internal redirect restarts at
//     translate_name, at most LimitInternalRecursion times).
//  6. Routing: the SetHandler of the merged configuration, from
//     Options.Handlers (server-status, metrics); otherwise static files.
//     A DirectoryIndex file is used only when its own configuration lets
//     the request through (mod_dir's subrequest).
//     mod_dir's per-directory DirectoryIndex, DirectorySlash,
//     FallbackResource and DirectoryIndexRedirect, and mod_autoindex's
//     listing (Options Indexes) for a directory without index. Error
//     statuses go through ErrorDocument and ServerSignature (mapError).
//  7. Apache's keep-alive decision (ap_set_keepalive).
//  8. The access log (the selected vhost's, Options.Servers): Log once per request, after the
//     response is decided and before fasthttp writes it, so a %D duration
//     excludes the write. Requests fasthttp cannot read are logged from the
//     ErrorHandler (400, 408, 413 or 414).
//
// # Static files
//
// fasthttp.FS opens, caches (for 10 s: small files are held in memory) and
// sends files, with sendfile for big ones; symbolic links are followed
// as the directory walk allowed them (Options FollowSymLinks, Apache's
// default, follows links out of DocumentRoot too). The built-in
// default site, used when DocumentRoot is "", is embedded with go:embed.
// This package adds, on the representation FS produced:
//
//   - GET and HEAD; OPTIONS (and OPTIONS *) answer 200 with "Allow: GET,
//     HEAD, OPTIONS"; other methods Apache knows get 405 with Allow, unknown
//     ones 501.
//   - DirectoryIndex resolution (first regular file), a 301 to the slash
//     form for a directory asked for without it (query kept), 403 for a
//     directory without an index (no listings), 404 for a missing file or a
//     file asked for with a trailing slash. Error pages are Apache's canned
//     documents ("text/html; charset=iso-8859-1").
//   - Content-Type: with TypesConfig or any mod_mime directive, mod_mime's
//     lookup (site/mimetype: every extension, AddType, AddEncoding,
//     AddCharset, AddLanguage, ForceType; resp_chain.go); otherwise a
//     built-in table of web types (no charset, as Apache), then Go's mime
//     package; none for an unknown extension, as Apache 2.4.
//   - Response shaping (resp_chain.go, typemap_chain.go): SetEnvIf/SetEnv,
//     RequestHeader, compression of static files, Expires, Header,
//     AddDefaultCharset, mod_negotiation's type maps, run in Apache's phase
//     order only for servers whose configuration uses them.
//   - Validators: files on disk get Last-Modified and Apache's ETag
//     ("size-mtime" in hex, mtime in microseconds), but fasthttp.FS exposes
//     the mtime to the second only, so the tag is weak until the file is 2 s
//     old. Embedded files have no mtime: no Last-Modified, and a strong ETag
//     from a SHA-256 of their contents.
//   - Conditional requests in RFC 9110 §13.2.2 order: If-Match (strong),
//     If-Unmodified-Since, If-None-Match (weak; it wins over
//     If-Modified-Since), If-Modified-Since; 304 carries the ETag,
//     Last-Modified and Accept-Ranges, as Apache's.
//   - Byte ranges on GET and HEAD (as Apache's byterange filter): one range
//     narrows FS's reader (sendfile kept); several give
//     multipart/byteranges laid out as Apache's, read from the file opened
//     again after checking its size and mtime still match; none
//     satisfiable gives 416 (without Content-Range: Apache's error page
//     drops it). Like Apache, overlapping or
//     touching ranges are merged into the one before, and a Range with more
//     than 200 ranges or adding up to more than the file is ignored. If-Range
//     takes a strong ETag or the exact Last-Modified date.
package site
