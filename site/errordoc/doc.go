// Package errordoc is the core's ErrorDocument and Apache's canned error
// pages (ap_die and ap_send_error_response). The directive's type is
// built by conf (conf.ErrorDocBuilder per section, conf.MergeErrorDocs
// along the section chain: the child's entries over the base's, status by
// status); this package says, as data, what to send for an error status,
// and renders the canned pages. It writes no response itself.
//
// # Wiring the directive (conf)
//
// ErrorDocument is allowed everywhere, .htaccess included with
// AllowOverride FileInfo: one conf.ErrorDocBuilder per section,
// notice, err := b.Directive(args) (notice: Apache's AH00113 for a full
// URL on 401, the line is ignored; print it with "file:line " before it,
// as Apache does at level notice), b.Docs() the section's conf.ErrorDocs.
// Wired: conf/wire_map.go routes ErrorDocument; site/map_chain.go
// (mapError, errorDocument) calls this package.
//
// # Where the site calls it
//
// Wherever the site answers an error or redirect status (its sendError),
// with docs the request's merged conf.ErrorDocs:
//
//	d := errordoc.Decide(docs, status)
//	switch d.Action {
//	case errordoc.Canned:
//		body := page.Append(buf, &errordoc.PageInfo{Status: status, Method: ..., Location: ...})
//		// Content-Type errordoc.TextContentType
//	case errordoc.Text:
//		// status d.Status, Content-Type errordoc.TextContentType, body d.Body
//	case errordoc.External:
//		// status 302, Location d.Location, the canned 302 page for it
//	case errordoc.Internal:
//		// Serve d.URI (path and optional query) as a GET through the
//		// whole chain (Location/alias/rewrite/DocumentRoot, access
//		// control, the file handler) with errordoc.Env(&orig) in its
//		// environment; the response keeps the original status (d.Status)
//		// and is never a 304 (no conditional evaluation), HEAD stays
//		// headers-only. The access log keeps the original method and
//		// request line. If that request ends in any error or redirect
//		// status, do not use an ErrorDocument again: send the canned page
//		// for the ORIGINAL status with PageInfo.Recursive = the original
//		// status (what Apache 2.4.71 prints: "Additionally, a 404 Not
//		// Found error was encountered ..." also when the document's
//		// request failed with 403 or a redirect; observed).
//	}
//
// Redirect statuses (mod_alias, DirectorySlash) go through Decide too:
// an "ErrorDocument 301 ..." applies to them, as in Apache.
//
// # Compared with Apache 2.4.71 (apache_test.go)
//
// A local path keeps the status and sends the document with its own type
// (observed: 404, Content-Type text/html, the file's bytes); a full URL
// answers 302 with Location (also for 403); a message is the body as
// written, Content-Type "text/html; charset=iso-8859-1", HEAD without
// body; "default" brings the canned page back under a section whose
// parent set one. set_error_document's heuristic decides the kind from
// the unquoted argument: with a space it is a message, else a leading '/'
// makes a local path, a URL scheme a URL, anything else a message
// ("ErrorDocument 404 errors/404.html" sends the text "errors/404.html").
// The argument is an ap_expr string: '\' escapes are resolved (\n, \t,
// octal ...); %{VAR} and $N are refused by conf. Statuses are those
// Apache knows (its status_lines), any 1xx to 5xx among them; others get
// "Unsupported HTTP response code N".
//
// Apache 2.4.71 as installed here titles its pages with the HTML 4.01
// doctype (DoctypeHTML401), which site uses everywhere (checked by
// cmd/gohttpd's TestDifferential); older 2.4.x sources print HTML 2.0:
// Page.Doctype chooses.
package errordoc
