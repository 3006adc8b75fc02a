// Package vhost selects the virtual host of a request exactly as Apache
// httpd's server/vhost.c does, gives the names, ports and URLs Apache
// derives from that choice (%v, %V, SERVER_NAME, SERVER_PORT,
// self-referential redirects, the status page's VHost column), and prints
// the VirtualHost table of `apache2 -S`. The identity of a <VirtualHost>
// (addresses, ServerName, ServerAlias, file:line) is built and checked by
// conf (conf/vhost.go); this package only reads it.
//
// # Configuration time (conf, in the master)
//
// conf.VHostBuilder takes, in the order the walk meets them, the main
// server's ServerName, each <VirtualHost> line and the ServerName and
// ServerAlias lines inside it:
//
//	var b conf.VHostBuilder // Resolver nil: net.DefaultResolver
//	b.Directive(file, line, "ServerName", args) // outside: the main server
//	b.Open(ctx, file, line, args)               // <VirtualHost args>
//	b.Directive(file, line, "ServerName", args) // inside: this vhost
//	b.Directive(file, line, "ServerAlias", args)
//	b.Close()                                   // </VirtualHost>
//	...
//	vh, warnings, err := b.Finish(ctx, cfg.Listen)
//	// vh (*conf.VHosts) goes into the Config snapshot; warnings into
//	// Config.Warnings; err is one *conf.Error per problem.
//
// Open resolves the names of the line once, at that point (Apache's
// rule: a <VirtualHost> address without a port takes the port of a main
// ServerName given before it, else any port); an unresolvable name is
// Apache's AH00547 warning and the address is dropped. Finish names the
// main server when it has no ServerName (LocalHostName, AH00558) and the
// vhosts that have none (FinishVirtualHosts: the main server's name for a
// "*" or "_default_" vhost, else the reverse lookup of its first address,
// AH00549), and refuses, with file and line, a <VirtualHost> address that
// no Listen can reach (CheckVHostListen; Apache accepts it silently, but
// gohttpd's rule is that what cannot work is an error). The parts are
// exported too (NewVirtualHost, ParseVHostAddr, ParseServerName,
// AddServerAlias, ...). conf.VHosts is plain data that marshals to JSON:
// children get the resolved addresses and never resolve again.
//
// UseCanonicalName and UseCanonicalPhysicalPort are per-directory
// settings (conf.ParseUseCanonicalName, conf.ParseUseCanonicalPhysicalPort,
// merged with conf.MergeCanonicalName like any section setting); the
// request's merged values go into a Canon (below).
//
// # Once per configuration (master for -S, each child for serving)
//
//	t := vhost.NewTable(vh.Main, vh.Hosts, vhost.Options{
//		Unsafe:          httpProtocolOptionsUnsafe,
//		StrictHostCheck: func(id vhost.ID) bool { ... }, // nil: Off everywhere
//	})
//
// IDs: vhost.Main (0) is the main server, ID(i+1) is vh.Hosts[i]. Build one
// per-server site (DocumentRoot, logs, sections, access rules) per ID,
// in a slice indexed by ID.
//
// -S: print t.WriteTable(os.Stdout) in place of the current
// "VirtualHost configuration:" line of cmd/gohttpd's printRunSettings
// (WriteTable prints that line itself), then ServerRoot, Main
// DocumentRoot, Main ErrorLog, PidFile, Define, User and Group as Apache
// does. WriteTable's output is `apache2 -S`'s, byte for byte.
//
// # Per request (the first handler of the chain)
//
//	var m vhost.Match // on the stack, or reused per connection
//	t.SelectCtx(&m, ctx)
//	s := sites[m.Server]
//	if m.Status == 400 {
//		// answer 400 with s's error page; for m.Reason ==
//		// vhost.StrictHostMismatch log the warning
//		// t.AppendStrictHostMessage(buf, &m, m.Hostname())
//	}
//
// SelectCtx also applies ServerPath (ApplyServerPath, for requests
// without a host name); code calling Select itself calls
// t.ApplyServerPath(&m, rawPath) after it when t.HasServerPath().
//
// SelectCtx takes the local address of the connection (a listener on
// the wildcard address gives the address the client connected to), the
// host of an absolute-form request URI or else the Host header, and the
// protocol version. Select and SelectCtx do not allocate.
//
// Then, for that request:
//
//   - %v is t.ServerName(m.Server).
//   - %V and SERVER_NAME are t.AppendServerName(buf, &m, &c), with c a
//     vhost.Canon holding the request's merged UseCanonicalName and
//     UseCanonicalPhysicalPort, whether the connection is TLS, and for
//     UseCanonicalName DNS the name of the local address (vhost.LocalName,
//     looked up once per connection).
//   - SERVER_PORT is t.ServerPort(&m, &c); %p and %{canonical}p are
//     t.CanonicalPort(&m, &c); %{local}p is m.Local.Port().
//   - A self-referential redirect (DirectorySlash's 301, Redirect with a
//     relative target) is t.AppendURL(buf, &m, &c, path): with
//     UseCanonicalName Off it keeps the client's Host and port.
//   - The status page's VHost column is t.AppendStatusVHost(buf, &m)
//     ("server_hostname:local port", as Apache's scoreboard).
//   - Whether an absolute URL names this server (mod_rewrite and
//     mod_proxy ask): t.MatchesRequestVHost(&m, host, port).
//
// # What Select does (ap_update_vhost_given_ip, ap_update_vhost_from_headers)
//
// The local address picks a set: the vhost (or name-based set) of exactly
// that address and port, else of the address with any port ("addr:*"),
// else the "*"/"_default_" set of the port, else of any port ("*:*"),
// else the main server. "*" and "_default_" are the same: one set per
// port, whose default is its first vhost (the manual's "* has higher
// precedence than _default_" is not what Apache 2.4.71 does). A set of
// one vhost is IP-based: the Host header does not matter. In a name-based set the Host header (lower-cased, port
// and trailing dot removed, validated as HttpProtocolOptions Strict does:
// a bad one is 400) is compared with each vhost in configuration order:
// ServerName, ServerAlias names, then ServerAlias wildcards ('*' and '?');
// the first vhost that matches wins, so a wildcard of an earlier vhost
// beats an exact name of a later one. When none matches, the first vhost
// whose <VirtualHost> address is written as the Host ("Host: localhost"
// for <VirtualHost localhost:80>), else the set's first vhost, its
// default. A request without a host name goes to the default, and is 400
// on HTTP/1.1. All of this was compared with Apache 2.4.71: see
// apache_rows_test.go and examples_test.go.
//
// # Cost
//
// One or two map lookups for the address, one for the name, and a scan
// of the set's wildcard aliases that stops at the first one placed after
// the exact match (all of them only for an unknown name), each first
// checked against the literal bytes after its last '*'. With 50 vhosts
// (BenchmarkSelect) a request takes 130-220 ns (fastest of six runs on
// the shared, loaded 2-core test machine), Host parsing included, with no
// allocation (except for a Host longer than 255 bytes).
//
// # TLS
//
// For a handshake, SelectSNI(local, serverName) picks the server whose
// certificate to present as mod_ssl does (ServerName and ServerAlias
// only, first in configuration order); the vhost of each request on that
// connection is still Select's choice from its Host header. SelectSNI
// follows mod_ssl's source; it was not compared with a running Apache.
//
// # Not done
//
// Nothing of vhost.c's selection is left out. It is wired in: conf walks
// <VirtualHost> (conf/walk_vhost.go), site selects per request
// (site.Site.serve), StrictHostCheck On works. conf still refuses
// UseCanonicalName On|DNS and UseCanonicalPhysicalPort On: the site does
// not merge them per directory and passes Canon{} (Off) to AppendURL.
package vhost
