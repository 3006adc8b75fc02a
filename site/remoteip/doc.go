// Package remoteip is mod_remoteip's request side: RemoteIPHeader walked
// right to left through RemoteIPInternalProxy / RemoteIPTrustedProxy as
// remoteip_modify_request does (Apache 2.4.71), the header rewritten to
// the entries not consumed (or removed), RemoteIPProxiesHeader set to the
// trusted proxies passed, and the request's client address replaced. The
// PROXY protocol (RemoteIPProxyProtocol) is read by the engines before
// HTTP starts, with internal/proxyproto; this package only steps aside
// for such connections, as Apache does.
//
// # Wiring (for the engineer who removes the directives from
// conf/unsupported.go)
//
// Directives → conf.RemoteIPBuilder.Directive, one builder per server and
// per <VirtualHost> (ServerRoot set for the -List files): RemoteIPHeader,
// RemoteIPProxiesHeader, RemoteIPTrustedProxy, RemoteIPInternalProxy,
// RemoteIPTrustedProxyList, RemoteIPInternalProxyList,
// RemoteIPProxyProtocol, RemoteIPProxyProtocolExceptions (all in
// conf.RemoteIPDirectives). All are RSRC_CONF: server config and
// <VirtualHost> only; in <Directory>, <Location>, <Files> Apache says
// "RemoteIPHeader not allowed in <Directory> context", and no
// AllowOverride class admits them in .htaccess. A virtual host's
// configuration is conf.MergeRemoteIP(main, vhost) (proxy lists merged,
// the vhost's first, as 2.4.71 does; log conf.RemoteIPMergeWarning at
// warn level when it returns a line); compile it once per virtual host
// with New (nil when there is no RemoteIPHeader). RemoteIPProxyProtocol
// and RemoteIPProxyProtocolExceptions go to the engines instead, through
// conf.RemoteIPProxyProtocolTable and conf.ExceptionPrefixes (see
// internal/proxyproto's doc); at startup Apache logs "AH03492:
// RemoteIPProxyProtocol: enabled on 0.0.0.0:0" / "AH03494: ... disabled
// on 127.0.0.1:18479" (notice) for the table's entries.
//
// Apache observations are encoded in apache_test.go, merge_test.go and
// proxyproto_test.go here, and internal/proxyproto/apache_test.go; the
// configurations and scripts are in testdata (apache.sh: three vhosts ×
// 13 X-Forwarded-For chains and 18 PROXY connections; apache-merge.sh;
// apache-exceptions.sh).
//
// Per request, first in the handler chain once the virtual host is known
// (Apache runs it as the first post_read_request hook, before access
// control, rewriting and the access log's %a):
//
//	r := vhostRemoteIP.Apply(ctx) // *Config; nil is fine
//	if r.Changed && traceEnabled {
//		log(trace1, r.LogLine())  // "Using 203.0.113.5 as client's IP by proxies 127.0.0.1"
//	}
//	if r.Debug != "" && debugEnabled { log(debug, r.Debug) } // AH01568 / AH01569
//	// r.ProxyIPs is the note remoteip-proxy-ip-list (%{remoteip-proxy-ip-list}n)
//
// Apply calls ctx.SetRemoteAddr: ctx.RemoteAddr() becomes the client, so
// authz.FromRequestCtx (Require ip), the access log's %a and %h, the
// error log's [client ...] and anything else reading ctx.RemoteAddr() use
// it, while %{c}a (site/accesslog reads ctx.Conn().RemoteAddr()) keeps the
// TCP peer. Apply always calls ctx.SetRemoteAddr(nil) first, because
// fasthttp keeps a RequestCtx's remote address across the requests of a
// keep-alive connection: so call Apply on every request of a server that
// has a RemoteIPHeader, and never set the address elsewhere afterwards.
// The status page's client column: mpm.Track records ctx.RemoteAddr() in
// BeginRequest before the site handler runs, so it shows the peer; to
// show the client as Apache does, Track should record the client after
// the handler (or the remoteip step should run in the Track wrapper).
//
// PROXY protocol connections: when ctx.Conn() implements
// interface{ ProxyProtocol() bool } and it returns true (the connection
// was expected to carry a PROXY header, internal/proxyproto.Conn does),
// Apply does nothing and RemoteIPHeader is ignored, as Apache does once
// its PROXY filter ran (observed: a PROXY client 203.0.113.5 sending
// X-Forwarded-For: 203.0.113.7 is logged as 203.0.113.5 with the header
// untouched).
//
// # Deliberate differences
//
// Apache resolves a header entry that is not an address with
// getaddrinfo (a DNS query per request); gohttpd takes addresses only and
// treats a name as unparsable (AH01568), which Apache also does for names
// that do not resolve.
//
// # Cost
//
// A request without the header: one PeekAll, no allocation
// (TestApplyNoHeaderAllocs; BenchmarkApply). With the header: the value
// copied to a string, the proxies list, the new header value and one
// *net.TCPAddr.
package remoteip
