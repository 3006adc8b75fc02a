package site

import (
	"html"
	"strconv"

	"github.com/valyala/fasthttp"
)

// errorContentType is the type Apache gives its canned error pages.
const errorContentType = "text/html; charset=iso-8859-1"

// defaultServerAdmin is what Apache prints when ServerAdmin is not set.
const defaultServerAdmin = "[no address given]"

// Notes for 400 responses, Apache's "error-notes" texts (protocol.c).
const (
	noteFieldSize = "Size of a request header field exceeds server limit."
	noteFields    = "The number of request header fields exceeds this server's limit."
)

// reasons are Apache's status lines (http_protocol.c status_lines), used for
// the <title> and <h1> of error pages.
var reasons = map[int]string{
	fasthttp.StatusMovedPermanently:             "Moved Permanently",
	fasthttp.StatusBadRequest:                   "Bad Request",
	fasthttp.StatusUnauthorized:                 "Unauthorized",
	fasthttp.StatusForbidden:                    "Forbidden",
	fasthttp.StatusNotFound:                     "Not Found",
	fasthttp.StatusMethodNotAllowed:             "Method Not Allowed",
	fasthttp.StatusRequestTimeout:               "Request Timeout",
	fasthttp.StatusLengthRequired:               "Length Required",
	fasthttp.StatusPreconditionFailed:           "Precondition Failed",
	fasthttp.StatusRequestEntityTooLarge:        "Request Entity Too Large",
	fasthttp.StatusRequestURITooLong:            "Request-URI Too Long",
	fasthttp.StatusRequestedRangeNotSatisfiable: "Requested Range Not Satisfiable",
	fasthttp.StatusMisdirectedRequest:           "Misdirected Request",
	fasthttp.StatusRequestHeaderFieldsTooLarge:  "Request Header Fields Too Large",
	fasthttp.StatusInternalServerError:          "Internal Server Error",
	fasthttp.StatusNotImplemented:               "Not Implemented",
	fasthttp.StatusServiceUnavailable:           "Service Unavailable",
	fasthttp.StatusHTTPVersionNotSupported:      "HTTP Version Not Supported",
}

// errorPages renders Apache's canned error documents
// (ap_send_error_response and get_canned_error_string in http_protocol.c)
// with ServerSignature Off: no <address> line.
type errorPages struct {
	admin  string
	canned map[int][]byte // pages that do not depend on the request
}

func newErrorPages(serverAdmin string) *errorPages {
	if serverAdmin == "" {
		serverAdmin = defaultServerAdmin
	}
	p := &errorPages{admin: serverAdmin, canned: make(map[int][]byte)}
	for _, status := range []int{
		fasthttp.StatusBadRequest,
		fasthttp.StatusUnauthorized,
		fasthttp.StatusForbidden,
		fasthttp.StatusNotFound,
		fasthttp.StatusRequestTimeout,
		fasthttp.StatusPreconditionFailed,
		fasthttp.StatusRequestURITooLong,
		fasthttp.StatusRequestedRangeNotSatisfiable,
		fasthttp.StatusRequestHeaderFieldsTooLarge,
		fasthttp.StatusInternalServerError,
		fasthttp.StatusServiceUnavailable,
	} {
		p.canned[status] = p.render(status, "", "")
	}
	return p
}

// page returns the error document for status. method is the request method
// (405, 411, 413, 501 name it), extra is the redirect target for 3xx or the
// error note for 400 and 414.
func (p *errorPages) page(status int, method, extra string) []byte {
	if method == "" && extra == "" {
		if b, ok := p.canned[status]; ok {
			return b
		}
	}
	return p.render(status, method, extra)
}

func (p *errorPages) render(status int, method, extra string) []byte {
	reason, ok := reasons[status]
	if !ok {
		reason = fasthttp.StatusMessage(status)
	}
	b := make([]byte, 0, 512)
	b = append(b, "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>"...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = append(b, reason...)
	b = append(b, "</title>\n</head><body>\n<h1>"...)
	b = append(b, reason...)
	b = append(b, "</h1>\n"...)
	b = append(b, p.canned1(status, method, extra)...)
	b = append(b, "</body></html>\n"...)
	return b
}

// canned1 is get_canned_error_string for the statuses gohttpd produces.
func (p *errorPages) canned1(status int, method, extra string) string {
	method = html.EscapeString(method)
	switch status {
	case fasthttp.StatusMovedPermanently, fasthttp.StatusFound,
		fasthttp.StatusTemporaryRedirect, fasthttp.StatusPermanentRedirect:
		return "<p>The document has moved <a href=\"" + html.EscapeString(extra) + "\">here</a>.</p>\n"
	case fasthttp.StatusBadRequest:
		return "<p>Your browser sent a request that this server could not understand.<br />\n" +
			extra + "</p>\n"
	case fasthttp.StatusUnauthorized:
		return "<p>This server could not verify that you\n" +
			"are authorized to access the document\n" +
			"requested.  Either you supplied the wrong\n" +
			"credentials (e.g., bad password), or your\n" +
			"browser doesn't understand how to supply\n" +
			"the credentials required.</p>\n"
	case fasthttp.StatusForbidden:
		if extra != "" { // add_optional_notes: the error-notes, then "</p>\n"
			return "<p>You don't have permission to access this resource." + extra + "</p>\n"
		}
		return "<p>You don't have permission to access this resource.</p>\n"
	case fasthttp.StatusMisdirectedRequest:
		return "<p>The client needs a new connection for this\n" +
			"request as the requested host name does not match\n" +
			"the Server Name Indication (SNI) in use for this\n" +
			"connection.</p>\n"
	case fasthttp.StatusNotFound:
		return "<p>The requested URL was not found on this server.</p>\n"
	case fasthttp.StatusMethodNotAllowed:
		return "<p>The requested method " + method + " is not allowed for this URL.</p>\n"
	case fasthttp.StatusRequestTimeout:
		return "<p>Server timeout waiting for the HTTP request from the client.</p>\n"
	case fasthttp.StatusLengthRequired:
		return "<p>A request of the requested method " + method +
			" requires a valid Content-length.<br />\n</p>\n"
	case fasthttp.StatusPreconditionFailed:
		return "<p>The precondition on the request for this URL evaluated to false.</p>\n"
	case fasthttp.StatusRequestEntityTooLarge:
		if method == "" {
			method = "this"
		}
		return "The requested resource does not allow request data with " + method +
			" requests, or the amount of data provided in\nthe request exceeds the capacity limit.\n"
	case fasthttp.StatusRequestURITooLong:
		return "<p>The requested URL's length exceeds the capacity\nlimit for this server.<br />\n" +
			extra + "</p>\n"
	case fasthttp.StatusRequestedRangeNotSatisfiable:
		return "<p>None of the range-specifier values in the Range\n" +
			"request-header field overlap the current extent\n" +
			"of the selected resource.</p>\n"
	case fasthttp.StatusRequestHeaderFieldsTooLarge:
		return "<p>The number of request header fields exceeds this server's limit.</p>\n"
	case fasthttp.StatusNotImplemented:
		return "<p>" + method + " not supported for current URL.<br />\n</p>\n"
	case fasthttp.StatusServiceUnavailable:
		return "<p>The server is temporarily unable to service your\n" +
			"request due to maintenance downtime or capacity\n" +
			"problems. Please try again later.</p>\n"
	default:
		return "<p>The server encountered an internal error or\n" +
			"misconfiguration and was unable to complete\n" +
			"your request.</p>\n" +
			"<p>Please contact the server administrator at \n " + html.EscapeString(p.admin) +
			" to inform them of the time this error occurred,\n" +
			" and the actions you performed just before this error.</p>\n" +
			"<p>More information about this error may be available\n" +
			"in the server error log.</p>\n"
	}
}

// sendError replaces whatever response ctx holds with the error document
// for status. Callers add headers such as Allow or Location afterwards.
func (s *Site) sendError(ctx *fasthttp.RequestCtx, status int, extra string) {
	method := ""
	switch status {
	case fasthttp.StatusMethodNotAllowed, fasthttp.StatusLengthRequired,
		fasthttp.StatusRequestEntityTooLarge, fasthttp.StatusNotImplemented:
		method = string(ctx.Method())
	}
	markErrorPage(ctx)
	if v := s.serverOf(ctx); v.mp != nil && s.mapError(ctx, v, status, extra) {
		apacheReason(ctx)
		return
	}
	ctx.Response.Reset()
	ctx.Response.SetStatusCode(status)
	ctx.Response.Header.SetContentType(errorContentType)
	ctx.Response.SetBodyRaw(s.serverOf(ctx).pages.page(status, method, extra))
	apacheReason(ctx)
}

// reason414 is Apache's reason phrase for 414 (http_protocol.c
// status_lines); fasthttp writes "Request URI Too Long". It is the only
// status whose phrase differs.
var reason414 = []byte("Request-URI Too Long")

// apacheReason gives the response Apache's reason phrase where
// fasthttp's differs.
func apacheReason(ctx *fasthttp.RequestCtx) {
	if ctx.Response.StatusCode() == fasthttp.StatusRequestURITooLong {
		ctx.Response.Header.SetStatusMessage(reason414)
	}
}

// errDocServedKey marks a response that a local ErrorDocument (an
// internal redirect) made.
type errDocServedKey struct{}

// sendMethodError answers 405 or 501 with the Allow header
// ap_send_error_response adds to both; a local ErrorDocument's answer
// (the internal redirect's response) and an external one's redirect
// carry none, as in Apache.
func (s *Site) sendMethodError(ctx *fasthttp.RequestCtx, status int, allow string) {
	s.sendError(ctx, status, "")
	if ctx.UserValue(errDocServedKey{}) != nil {
		return
	}
	if ctx.Response.StatusCode() == status {
		ctx.Response.Header.Set(fasthttp.HeaderAllow, allow)
	}
}
