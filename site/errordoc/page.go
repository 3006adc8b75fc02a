package errordoc

import (
	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/internal/aptext"
)

// Doctypes of Apache's canned pages. Older 2.4.x sources
// (DOCTYPE_HTML_2_0 in ap_send_error_response) print HTML 2.0; the Apache
// 2.4.71 Debian build installed here sends HTML 4.01 strict (observed with
// curl; testdata/apache), which site/errpage.go and site/map_chain.go use.
const (
	DoctypeHTML20  = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n"
	DoctypeHTML401 = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n"
)

// Page renders Apache's canned error and redirect pages
// (ap_send_error_response with get_canned_error_string), with
// ServerSignature Off (no <address> line).
type Page struct {
	// Doctype is the first line (DoctypeHTML20 or DoctypeHTML401).
	Doctype string
	// ServerAdmin is printed by the 500 page; "" prints Apache's
	// "[no address given]".
	ServerAdmin string
}

// PageInfo is what a page depends on.
type PageInfo struct {
	Status int
	// Method is the request method (405, 411, 413, 501 name it).
	Method string
	// Location is the redirect target of a 3xx.
	Location string
	// Notes is Apache's "error-notes" (400, 403, 411, 414, 451, 501, 502)
	// or "variant-list" (300, 406) note, HTML as it is.
	Notes string
	// Expect is the request's Expect header (417).
	Expect string
	// Recursive is the status met while serving the ErrorDocument for
	// Status (0 none): the page then says "Additionally, a ... error was
	// encountered while trying to use an ErrorDocument to handle the
	// request.". As in Apache (ap_die passes the error document request's
	// status, which it inherited), this is the original status again when
	// the document could not be served; the caller passes what Apache
	// would.
	Recursive int
}

// HeaderOnly reports whether Apache sends no body for status (204, 304).
func HeaderOnly(status int) bool { return status == 204 || status == 304 }

// Append appends the page for info to dst. For HeaderOnly statuses it
// appends nothing.
func (p *Page) Append(dst []byte, info *PageInfo) []byte {
	if HeaderOnly(info.Status) {
		return dst
	}
	title := conf.StatusLine(info.Status)
	dst = append(dst, p.Doctype...)
	dst = append(dst, "<html><head>\n<title>"...)
	dst = append(dst, title...)
	dst = append(dst, "</title>\n</head><body>\n<h1>"...)
	dst = append(dst, title[4:]...)
	dst = append(dst, "</h1>\n"...)
	dst = p.appendCanned(dst, info)
	if info.Recursive != 0 {
		dst = append(dst, "<p>Additionally, a "...)
		dst = append(dst, conf.StatusLine(info.Recursive)...)
		dst = append(dst, "\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>\n"...)
	}
	return append(dst, "</body></html>\n"...)
}

// appendEscapeHTML is ap_escape_html: <, >, & and " as entities.
func appendEscapeHTML(dst []byte, s string) []byte { return aptext.AppendHTML(dst, s) }

// appendCanned is get_canned_error_string.
func (p *Page) appendCanned(b []byte, in *PageInfo) []byte {
	notes := func(prefix, suffix string) []byte {
		b = append(b, prefix...)
		b = append(b, in.Notes...)
		return append(b, suffix...)
	}
	switch in.Status {
	case 301, 302, 307, 308:
		b = append(b, "<p>The document has moved <a href=\""...)
		b = appendEscapeHTML(b, in.Location)
		return append(b, "\">here</a>.</p>\n"...)
	case 303:
		b = append(b, "<p>The answer to your request is located <a href=\""...)
		b = appendEscapeHTML(b, in.Location)
		return append(b, "\">here</a>.</p>\n"...)
	case 305:
		return append(b, "<p>This resource is only accessible through the proxy\n<br />\nYou will need to configure your client to use that proxy.</p>\n"...)
	case 407, 401:
		return append(b, "<p>This server could not verify that you\n"+
			"are authorized to access the document\n"+
			"requested.  Either you supplied the wrong\n"+
			"credentials (e.g., bad password), or your\n"+
			"browser doesn't understand how to supply\n"+
			"the credentials required.</p>\n"...)
	case 400:
		return notes("<p>Your browser sent a request that this server could not understand.<br />\n", "</p>\n")
	case 403:
		return notes("<p>You don't have permission to access this resource.", "</p>\n")
	case 404:
		return append(b, "<p>The requested URL was not found on this server.</p>\n"...)
	case 405:
		b = append(b, "<p>The requested method "...)
		b = appendEscapeHTML(b, in.Method)
		return append(b, " is not allowed for this URL.</p>\n"...)
	case 406:
		return notes("<p>An appropriate representation of the requested resource could not be found on this server.</p>\n", "")
	case 300:
		return notes("", "")
	case 411:
		b = append(b, "<p>A request of the requested method "...)
		b = appendEscapeHTML(b, in.Method)
		return notes(" requires a valid Content-length.<br />\n", "</p>\n")
	case 412:
		return append(b, "<p>The precondition on the request for this URL evaluated to false.</p>\n"...)
	case 501:
		b = append(b, "<p>"...)
		b = appendEscapeHTML(b, in.Method)
		return notes(" not supported for current URL.<br />\n", "</p>\n")
	case 502:
		return notes("<p>The proxy server received an invalid\r\nresponse from an upstream server.<br />\r\n", "</p>\n")
	case 506:
		return append(b, "<p>A variant for the requested resource\n<pre>\n\n</pre>\nis itself a negotiable resource. This indicates a configuration error.</p>\n"...)
	case 408:
		return append(b, "<p>Server timeout waiting for the HTTP request from the client.</p>\n"...)
	case 410:
		return append(b, "<p>The requested resource is no longer available on this server and there is no forwarding address.\n"+
			"Please remove all references to this resource.</p>\n"...)
	case 413:
		b = append(b, "The requested resource does not allow request data with "...)
		b = appendEscapeHTML(b, in.Method)
		return append(b, " requests, or the amount of data provided in\nthe request exceeds the capacity limit.\n"...)
	case 414:
		return notes("<p>The requested URL's length exceeds the capacity\nlimit for this server.<br />\n", "</p>\n")
	case 415:
		return append(b, "<p>The supplied request data is not in a format\nacceptable for processing by this resource.</p>\n"...)
	case 416:
		return append(b, "<p>None of the range-specifier values in the Range\n"+
			"request-header field overlap the current extent\n"+
			"of the selected resource.</p>\n"...)
	case 417:
		if in.Expect != "" {
			b = append(b, "<p>The expectation given in the Expect request-header\nfield could not be met by this server.\nThe client sent<pre>\n    Expect: "...)
			b = appendEscapeHTML(b, in.Expect)
			b = append(b, "\n</pre>\n"...)
		} else {
			b = append(b, "<p>No expectation was seen, the Expect request-header \nfield was not presented by the client.\n"...)
		}
		return notes("", "</p><p>Only the 100-continue expectation is supported.</p>\n")
	case 422:
		return append(b, "<p>The server understands the media type of the\nrequest entity, but was unable to process the\ncontained instructions.</p>\n"...)
	case 423:
		return append(b, "<p>The requested resource is currently locked.\nThe lock must be released or proper identification\ngiven before the method can be applied.</p>\n"...)
	case 424:
		return append(b, "<p>The method could not be performed on the resource\nbecause the requested action depended on another\naction and that other action failed.</p>\n"...)
	case 426:
		return append(b, "<p>The requested resource can only be retrieved\nusing SSL.  The server is willing to upgrade the current\n"+
			"connection to SSL, but your client doesn't support it.\nEither upgrade your client, or try requesting the page\nusing https://\n"...)
	case 428:
		return append(b, "<p>The request is required to be conditional.</p>\n"...)
	case 429:
		return append(b, "<p>The user has sent too many requests\nin a given amount of time.</p>\n"...)
	case 431:
		return append(b, "<p>The server refused this request because\nthe request header fields are too large.</p>\n"...)
	case 507:
		return append(b, "<p>The method could not be performed on the resource\nbecause the server is unable to store the\n"+
			"representation needed to successfully complete the\nrequest.  There is insufficient free space left in\nyour storage allocation.</p>\n"...)
	case 503:
		return append(b, "<p>The server is temporarily unable to service your\nrequest due to maintenance downtime or capacity\nproblems. Please try again later.</p>\n"...)
	case 504:
		return append(b, "<p>The gateway did not receive a timely response\nfrom the upstream server or application.</p>\n"...)
	case 508:
		return append(b, "<p>The server terminated an operation because\nit encountered an infinite loop.</p>\n"...)
	case 510:
		return append(b, "<p>A mandatory extension policy in the request is not\naccepted by the server for this resource.</p>\n"...)
	case 511:
		return append(b, "<p>The client needs to authenticate to gain\nnetwork access.</p>\n"...)
	case 421:
		return append(b, "<p>The client needs a new connection for this\nrequest as the requested host name does not match\n"+
			"the Server Name Indication (SNI) in use for this\nconnection.</p>\n"...)
	case 451:
		return notes("<p>Access to this URL has been denied for legal reasons.<br />\n", "</p>\n")
	}
	admin := p.ServerAdmin
	if admin == "" {
		admin = "[no address given]"
	}
	b = append(b, "<p>The server encountered an internal error or\n"+
		"misconfiguration and was unable to complete\n"+
		"your request.</p>\n"+
		"<p>Please contact the server administrator at \n "...)
	b = appendEscapeHTML(b, admin)
	return append(b, " to inform them of the time this error occurred,\n"+
		" and the actions you performed just before this error.</p>\n"+
		"<p>More information about this error may be available\n"+
		"in the server error log.</p>\n"...)
}

// Render returns the page for info (a new slice).
func (p *Page) Render(info *PageInfo) []byte {
	return p.Append(make([]byte, 0, 512), info)
}
