// Package proxy is the reverse proxy of Apache's mod_proxy, mod_proxy_http,
// mod_proxy_balancer (lbmethod byrequests and bybusyness) and
// mod_proxy_wstunnel, on fasthttp's HostClient. The directives' types are
// built by conf (conf.ProxyBuilder per server or virtual host,
// conf.MergeProxyDir between sections); this package matches requests to
// ProxyPass lines and forwards them. It writes no error page itself: it
// says, as data, what status Apache would answer and what it would log.
//
// # How the site uses it
//
// Once per configuration and virtual host (it holds the connection pools
// and the backends' error states, so keep it for the configuration's
// life):
//
//	srv, err := builder.Finish() // conf.ProxyBuilder fed with ProxyDirectives
//	srv = conf.MergeProxyServer(mainSrv, srv) // for a <VirtualHost>
//	px, err := proxy.New(srv, proxy.Options{
//		ServerName: vhost.ServerName, // X-Forwarded-Server
//		Timeout:    cfg.Timeout,      // core Timeout, used without ProxyTimeout
//	})
//
// Per request, at Apache's translate_name step: before Alias, DocumentRoot
// and static files, after mod_rewrite (which may not yet exist here), and
// after access control ran for the Location (Apache runs Require on
// proxied URLs too):
//
//	dir := srv.Dir // then each matching <Location>'s, in Apache's order:
//	for _, d := range locationDirs { // resolved once per Location set, not per request
//		dir = conf.MergeProxyDir(dir, d)
//	}
//	t, ok := px.Match(string(ctx.Path()), ctx.URI().QueryString(), dir)
//	if !ok {
//		// not proxied (no match, or a "ProxyPass /x !" exclusion): next handler
//	}
//	res := px.Serve(ctx, t, &proxy.Request{
//		Dir: dir, ClientIP: clientIP,
//		Self: scheme + "://" + string(ctx.Host()), // "https" on TLS listeners
//	})
//	for _, e := range res.Log {
//		e.Log(ctx, logger, clientAddr) // [proxy:error] ... AH00957: ...
//	}
//	if res.Status != 0 {
//		// the site's error page for res.Status; with res.Reason ("Proxy
//		// Error") as the reason phrase and res.Notes in the page as
//		// Apache's "Reason: <strong>...</strong>"
//	}
//	// %>s in the access log is ctx.Response.StatusCode() (the backend's).
//
// ctx.Path() is what Match wants: the decoded path with "." and ".."
// segments resolved and runs of '/' merged (Apache's r->uri with
// MergeSlashes On). Apache refuses an encoded slash (%2F) in the path with
// 404 before mod_proxy runs (AllowEncodedSlashes Off); fasthttp decodes
// it, so the site should apply that rule first if it wants Apache's 404.
//
// # What the server and engines must support
//
//   - Streaming request bodies: fasthttp.Server.StreamRequestBody = true,
//     or an upload is buffered whole by the server (bounded by
//     MaxRequestBodySize) before Serve sees it. Response bodies are always
//     streamed: ctx.Response gets a body stream that fasthttp closes after
//     writing it, which releases the backend connection.
//   - WebSocket (and any upgrade= protocol): ctx.Hijack with
//     HijackSetNoResponse(true). The engine must call the hijack handler
//     after the handler returns, with the connection (and bytes the client
//     already sent) and must not touch the connection afterwards.
//     Every engine does: fasthttp.Server.ServeConn (prefork, worker) and
//     the event engine's request loop (internal/h1serve), which hands the
//     hijack handler a duplicate of the descriptor and lets go of the
//     connection (no parking, no lingering close); the tunnel runs in its
//     own goroutine, outside the worker's scoreboard slot.
//     Options.NoUpgrade is for an engine that cannot hijack. The event
//     engine honours StreamRequestBody too (the body is read through the
//     worker's reader as the handler reads it).
//
// # Semantics
//
// Match follows proxy_trans: a <Location>'s one-argument ProxyPass first,
// then the ProxyPass and ProxyPassMatch lines in configuration order; the
// first that matches decides, and an exclusion ("!") must come before the
// line it carves out of. Prefixes match as alias_match: segment
// boundaries ("ProxyPass /app http://b" does not match /appx) and any
// number of '/' for one. The backend path is the URL's path followed by
// the rest of the request path (or ProxyPassMatch's $N substitution),
// %-encoded as ap_proxy_canonenc does. ProxyPassMatch uses Go's regexp
// (RE2) rather than PCRE: it runs in linear time on client-controlled
// paths, and for what ProxyPassMatch patterns use (anchors, groups,
// classes, alternation, repetition) it matches as PCRE does (leftmost
// first); a pattern RE2 cannot compile (backreferences, lookaround) is
// refused by conf with Apache's "Regular expression could not be
// compiled.". The backend's scheme, host and
// port come only from the configuration: the path always starts with a
// single '/', so no request (//evil.com, @evil.com, %2F, .., CRLF,
// absolute-form) can change where a request goes.
//
// Requests carry the client's headers except the hop-by-hop ones
// (Connection and what it lists, Keep-Alive, Proxy-Authenticate,
// Proxy-Authorization, TE, Trailer, Transfer-Encoding, Upgrade) and
// Expect; Host is the backend's unless ProxyPreserveHost On;
// X-Forwarded-For, -Host and -Server are added unless ProxyAddHeaders
// Off. No Via (ProxyVia Off). Responses lose their hop-by-hop headers
// too; Location, Content-Location, URI and Destination go through
// ProxyPassReverse, Set-Cookie through ProxyPassReverseCookieDomain and
// ProxyPassReverseCookiePath.
//
// Errors, as Apache 2.4.71 answers them (compared with a real Apache in
// apache_test.go; testdata/apache holds its configuration): no connection
// (refused, connect timeout, max= reached) is 503 with AH00957 and
// AH01114; no status line or a bad one (backend closed, garbage, timeout)
// is 502 "Proxy Error" with AH01102 and AH00898 (Options.TimeoutStatus
// turns the timeout case into 504 Gateway Timeout, which Apache 2.4 does
// not do). A direct ProxyPass worker is never put in error state (Apache
// 2.4 marks it "ignore errors": every request tries again and logs
// again); a balancer member that cannot be reached is disabled for its
// retry= time (60 s by default) with AH00959 and the next member is tried
// (maxattempts=, by default members - 1). When every member is in error
// state all are retried at once (forcerecovery=On, the default); with
// forcerecovery=Off the balancer answers 503 with AH01170. Error states
// are per process (Apache shares them between children in shared memory).
//
// Timeouts: timeout= (whole seconds, as in Apache 2.4), else ProxyTimeout,
// else Options.Timeout, bounds each read and write on a backend connection
// (and the idle time of a tunnel), not the whole response, as an APR
// socket timeout; connectiontimeout= bounds the connect. max= is
// HostClient.MaxConns per process (fasthttp's 512 when unset); a request
// finding all busy waits acquire= (else the timeout), then gets 503. ttl=
// is the idle time of a pooled connection (10 s when unset),
// disablereuse=On (enablereuse=Off) means one connection per request, and
// keepalive=On turns on TCP keep-alive probes, as in Apache (it is not
// about HTTP keep-alive; pooling is on by default). A
// pooled connection the backend has closed meanwhile is replaced before
// the request is written (Apache's ap_proxy_check_connection), so a
// backend's keep-alive timeout never costs a request, not even an upload
// that could not be retried.
//
// # Not done
//
// Forward proxying (ProxyRequests On), ProxyVia other than Off, nocanon,
// interpolate, mapping=, unix: sockets, sticky sessions, hot standby,
// lbmethod bytraffic and heartbeat, the balancer-manager, ProxyErrorOverride,
// ProxyPassInherit are refused by conf. A backend answering with garbage
// gets 502 here where Apache passes it through as an HTTP/0.9 body.
// Apache forwards Proxy-Authorization when the proxy did not authenticate
// the request; it is always stripped here.
package proxy
