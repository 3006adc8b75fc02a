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
// While walking the configuration, in order:
//
//	// the main server's ServerName, when given (keep the last one seen;
//	// its Port is the default port of <VirtualHost> addresses that
//	// follow it and have none):
//	mainName, err := conf.ParseServerName(arg)
//
//	// at each <VirtualHost ...> line (args: the words of the line):
//	v, warns, err := conf.NewVirtualHost(ctx, file, line, args, mainName.Port, nil)
//	// err: *conf.Error "file:line: <VirtualHost>: The address or port is invalid"
//	// warns: "file:line: AH00547: Could not resolve host name x -- ignoring!"
//
//	// inside it:
//	//   ServerName x   → sn, err := conf.ParseServerName(x); v.SetServerName(sn)
//	//   ServerAlias …  → v.AddServerAlias(args...)
//	// ServerAlias outside a <VirtualHost> is conf.ErrServerAliasOutsideVHost.
//	// UseCanonicalName and UseCanonicalPhysicalPort are per-directory
//	// settings: conf.ParseUseCanonicalName / ParseUseCanonicalPhysicalPort,
//	// merged with conf.MergeCanonicalName like any section setting.
//
// After the walk:
//
//	if mainName.Host == "" { // no ServerName: Apache's ap_get_local_host
//		h, _ := os.Hostname()
//		mainName.Host, alert = conf.LocalHostName(ctx, h, "gohttpd", nil) // alert: AH00558
//	}
//	warns = conf.FinishVirtualHosts(ctx, vhosts, mainName.Host, nil) // AH00549
//	err = conf.CheckVHostListen(ctx, vhosts, cfg.Listen, nil)
//
// FinishVirtualHosts names the vhosts that have no ServerName as Apache
// does; CheckVHostListen refuses a <VirtualHost> address no Listen can
// reach (Apache accepts it silently; gohttpd's rule is that what cannot
// work is an error naming file, line and directive). Names are resolved
// here, once: the snapshot keeps the resolved addresses (VHostAddr is
// plain data and marshals to JSON), and children never resolve again.
//
// # Once per configuration (master for -S, each child for serving)
//
//	t := vhost.NewTable(mainName, vhosts, vhost.Options{
//		Unsafe:          httpProtocolOptionsUnsafe,
//		StrictHostCheck: func(id vhost.ID) bool { ... }, // nil: Off everywhere
//	})
//
// IDs: vhost.Main (0) is the main server, ID(i+1) is vhosts[i]. Build one
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
//   - SERVER_PORT is t.ServerPort(&m, &c); %p (canonical) is
//     t.Server(m.Server).Port, or t.DefaultPort(&m, &c) when that is 0;
//     %{local}p is m.Local.Port().
//   - A self-referential redirect (DirectorySlash's 301, Redirect with a
//     relative target) is t.AppendURL(buf, &m, &c, path): with
//     UseCanonicalName Off it keeps the client's Host and port.
//   - The status page's VHost column is t.AppendStatusVHost(buf, &m)
//     ("server_hostname:local port", as Apache's scoreboard).
//
// # What Select does (ap_update_vhost_given_ip, ap_update_vhost_from_headers)
//
// The local address picks a set: the vhost (or name-based set) of exactly
// that address and port, else of the address with any port ("addr:*"),
// else the "*"/"_default_" set of the port, else of any port ("*:*"),
// else the main server. A set of one vhost is IP-based: the Host header
// does not matter. In a name-based set the Host header (lower-cased, port
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
// # Not done
//
// ServerPath (conf refuses it), ap_matches_request_vhost (used by
// mod_proxy), and SNI: with TLS the certificate is chosen before the Host
// header is known; selecting the vhost by SNI name is the TLS package's
// work and must agree with Select.
package vhost
