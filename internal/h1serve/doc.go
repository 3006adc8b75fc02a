// Package h1serve is the HTTP/1 request loop the engines share: what
// fasthttp.Server.serveConn does for one request (read the head and the
// body, answer Expect: 100-continue, call the handler, decide keep-alive,
// write the response, hand a hijacked connection over), as a unit an engine
// drives one request at a time.
//
// The event engine drives it from its workers over a non-blocking socket
// it parks between requests (Loop.Serve); a blocking connection (TLS, the
// tests) is served whole by Server.ServeConn. What the engine decides
// itself (keep-alive vetoes, the scoreboard, deferring the last response)
// comes through Hooks.
//
// Settings. Which fasthttp.Server fields the loop honours, and why the
// others are left to the engine or ignored, is the table in settings.go;
// TestSettingsCovered fails when fasthttp grows a field the table does not
// name, and TestDifferential compares the loop with
// fasthttp.Server.ServeConn byte for byte.
package h1serve
