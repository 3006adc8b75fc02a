// Package accesslog writes access-log lines in mod_log_config's formats.
//
// Compile parses a LogFormat string once ("%h %l %u %t \"%r\" %>s %b" is
// Apache's common format; nicknames are resolved by conf, not here) into a
// Format whose Append adds one line for a request to a byte slice without
// allocating for the usual directives. A Logger pairs a Format with an
// io.Writer (normally a *logfile.File) and is what the site handler calls
// once per request.
//
// Every value is read from the fasthttp.RequestCtx during the call and
// copied into the line: nothing refers to ctx after Append or Log returns,
// so both may be called from the handler's goroutine just before it returns
// (fasthttp forbids keeping ctx data past that point).
//
// The directives follow Apache 2.4 (see Compile and Format.Append).
// %{name}n prints ctx.UserValue(name) when it is a string, []byte, integer
// or fmt.Stringer, standing in for Apache's request notes. Limits: %l and
// %u print "-" (no identd, no authentication); %f, %R and %L print "-";
// %{name}e prints the variable from ctx.UserValue(EnvKey) (the site's
// SetEnvIf/SetEnv environment), "-" when unset; %{tid}P and %{hextid}P print "-" (a goroutine has no stable
// thread); %X never prints "X", because the line is made before the
// response is written. Compile rejects %I, %O and %S (mod_logio),
// %{name}^ti and %{name}^to (trailers) and the mod_ssl letters.
package accesslog
