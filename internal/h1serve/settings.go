package h1serve

// A Setting is one fasthttp.Server field and what the loop, and the event
// engine that drives it, make of it.
type Setting struct {
	Field string
	// Honoured: the field has its fasthttp meaning (How says where).
	// Otherwise How says why it is deliberately ignored.
	Honoured bool
	How      string
	// BySite: site.NewServer sets the field although the event engine
	// ignores it (the other engines honour it), and How says how its
	// setting reaches the event engine instead. The site's
	// TestNewServerSettingsReachEvent fails when the site sets an ignored
	// field not marked so.
	BySite bool
}

// Settings names every exported fasthttp.Server field. TestSettingsCovered
// fails when fasthttp grows a field that is not here (after an upgrade,
// say): decide then whether the loop must honour it.
var Settings = []Setting{
	{"Handler", true, "Loop.Serve calls it for every request read", false},
	{"ErrorHandler", true, "Loop.WriteError: requests that cannot be read (DefaultErrorHandler if nil)", false},
	{"HeaderReceived", true, "Loop.Serve: per-request body ReadTimeout, MaxRequestBodySize and (ServeConn) WriteTimeout", false},
	{"ContinueHandler", true, "Loop.Serve: Expect: 100-continue", false},
	{"ExpectHandler", true, "Loop.Serve: Expect: 100-continue, before ContinueHandler", false},
	{"Logger", true, "RequestCtx.Logger (Options.Logger first)", false},
	{"Name", true, "the Server header when the handler set none", false},
	{"NoDefaultServerHeader", true, "no Server header when Name is empty", false},
	{"NoDefaultContentType", true, "ResponseHeader.SetNoDefaultContentType", false},
	{"ReadBufferSize", true, "the size of the reader the engine (or ServeConn) gives the loop", false},
	{"WriteBufferSize", true, "the size of the writer the engine (or ServeConn) gives the loop", false},
	{"ReadTimeout", true, "from a request's first byte to the end of its head; the event engine also waits for a new connection's first byte that long", false},
	{"MaxRequestsPerConn", true, "Loop.Serve closes after that many requests (not for a hijack)", false},
	{"MaxRequestBodySize", true, "the body limit unless HeaderReceived sets one (LimitRequestBody)", false},
	{"DisableKeepalive", true, "Loop.Serve answers every request with Connection: close (not for a hijack)", false},
	{"ReduceMemoryUsage", true, "RequestCtx.Init2: body buffers are not kept between requests", false},
	{"GetOnly", true, "Loop.Serve refuses other methods (ErrGetOnly)", false},
	{"DisablePreParseMultipartForm", true, "passed to ContinueReadBody(Stream)", false},
	{"DisableHeaderNamesNormalizing", true, "request and response headers keep the client's and handler's spelling", false},
	{"StreamRequestBody", true, "Loop.Serve streams bodies through the engine's reader; what the handler leaves is skipped up to 256 KiB, past that the connection closes", false},
	{"KeepHijackedConns", true, "the engine closes a hijacked connection when the HijackHandler returns unless it is set", false},

	{"IdleTimeout", false, "the event engine parks idle connections for Config.KeepAliveTimeout, which cmd/gohttpd sets from the same KeepAliveTimeout directive (conf's ParkTimeout: 0 when conf's KeepAliveOn, which DisableKeepalive follows too, is false) (ServeConn honours it)", true},
	{"WriteTimeout", false, "the event engine bounds each wait for the client by Config.Timeout (Apache's Timeout, which the site's WriteTimeout is; conf's WaitTimeout) and finishes slow responses in its loop, so a whole-response deadline would cut long downloads the other way (ServeConn honours it)", true},
	{"Concurrency", false, "the event engine serves ThreadsPerChild requests at once per child and admits connections by AsyncRequestWorkerFactor; MaxRequestWorkers (the site's Concurrency) bounds the children", true},
	{"MaxConnsPerIP", false, "needs fasthttp.Server.Serve's accept loop; gohttpd has no per-IP limit (Apache has none either)", false},
	{"MaxKeepaliveDuration", false, "deprecated in fasthttp and unset by the site; KeepAliveTimeout bounds idle time, MaxKeepAliveRequests the requests", false},
	{"MaxIdleWorkerDuration", false, "fasthttp's goroutine pool; the event engine has a fixed pool of ThreadsPerChild workers", false},
	{"SleepWhenConcurrencyLimitsExceeded", false, "fasthttp's accept loop; admission control replaces it", false},
	{"TCPKeepalive", false, "the listener package sets TCP keep-alive on the listening sockets", false},
	{"TCPKeepalivePeriod", false, "the listener package sets TCP keep-alive on the listening sockets", false},
	{"TLSConfig", false, "TLS is wrapped by the engine around the connection before the loop reads it", false},
	{"ConnState", false, "the engines keep the scoreboard themselves (Hooks); mpm.Track uses it for the connection-per-worker engines only", false},
	{"FormValueFunc", false, "RequestCtx.Init2 cannot set it and the site does not set it: RequestCtx.FormValue keeps fasthttp's default", false},
	{"LazyRequestTime", false, "RequestCtx.Init2 sets the request time; the site does not set it", false},
	{"LogAllErrors", false, "read and write errors end the connection; the site logs what Apache logs", false},
	{"SecureErrorLogMessage", false, "must stay false (site.handleError reads the request in parse errors) and Init2 cannot set it", false},
	{"NoDefaultDate", false, "RequestCtx.Init2 cannot set it: every response has a Date header, which HTTP/1.1 requires of an origin server with a clock", false},
	{"CloseOnShutdown", false, "fasthttp.Server.Shutdown is never called; the engines' graceful stop answers with Connection: close (ChildDeps.Draining and Hooks.KeepAlive)", false},
}
