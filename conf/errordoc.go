package conf

// Core's ErrorDocument: the per-section table of custom error responses,
// built by ErrorDocBuilder and combined by MergeErrorDocs. Its behaviour
// is in site/errordoc.

import (
	"errors"
	"strconv"
	"strings"
)

// ErrorDocKind is how an ErrorDocument answers.
type ErrorDocKind uint8

const (
	// ErrorDocDefault is "ErrorDocument N default": Apache's canned page
	// (it hides an inherited ErrorDocument for N).
	ErrorDocDefault ErrorDocKind = iota
	// ErrorDocLocal is a URL-path ("/errors/404.html"): an internal
	// redirect (GET) to it, the original status kept.
	ErrorDocLocal
	// ErrorDocURL is an absolute URL: a 302 redirect to it.
	ErrorDocURL
	// ErrorDocText is a message: the text itself is the body.
	ErrorDocText
)

// ErrorDoc is one ErrorDocument.
type ErrorDoc struct {
	Kind ErrorDocKind `json:"kind"`
	// Value is the path, URL or text (ap_expr escapes resolved); "" for
	// ErrorDocDefault.
	Value string `json:"value,omitempty"`
}

// ErrorDocs maps a status to its ErrorDocument, for one section (or the
// merge of a chain of sections). Values are immutable once built.
type ErrorDocs map[int]ErrorDoc

// MergeErrorDocs is merge_core_dir_configs for response_code_exprs: the
// child's entries over the base's, status by status. Either may be nil;
// the result may share an input.
func MergeErrorDocs(base, child ErrorDocs) ErrorDocs {
	if len(child) == 0 {
		return base
	}
	if len(base) == 0 {
		return child
	}
	out := make(ErrorDocs, len(base)+len(child))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range child {
		out[k] = v
	}
	return out
}

// Lookup returns the ErrorDocument in effect for status (ok false for
// none or "default").
func (d ErrorDocs) Lookup(status int) (ErrorDoc, bool) {
	if len(d) == 0 {
		return ErrorDoc{}, false
	}
	e, ok := d[StatusIndexCode(status)]
	if !ok || e.Kind == ErrorDocDefault {
		return ErrorDoc{}, false
	}
	return e, true
}

// statusLines is http_protocol.c's status_lines table: the statuses
// Apache knows, with their reason phrases.
var statusLines = map[int]string{
	100: "Continue", 101: "Switching Protocols", 102: "Processing",
	200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information",
	204: "No Content", 205: "Reset Content", 206: "Partial Content", 207: "Multi-Status",
	208: "Already Reported", 226: "IM Used",
	300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other",
	304: "Not Modified", 305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
	400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
	404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
	407: "Proxy Authentication Required", 408: "Request Timeout", 409: "Conflict",
	410: "Gone", 411: "Length Required", 412: "Precondition Failed",
	413: "Request Entity Too Large", 414: "Request-URI Too Long",
	415: "Unsupported Media Type", 416: "Requested Range Not Satisfiable",
	417: "Expectation Failed", 421: "Misdirected Request", 422: "Unprocessable Entity",
	423: "Locked", 424: "Failed Dependency", 426: "Upgrade Required",
	428: "Precondition Required", 429: "Too Many Requests",
	431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
	500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
	503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported",
	506: "Variant Also Negotiates", 507: "Insufficient Storage", 508: "Loop Detected",
	510: "Not Extended", 511: "Network Authentication Required",
}

// StatusIndexCode is ap_index_of_response as a status: status itself when
// Apache knows it, else 500 (Apache files every unknown status under
// 500's entry).
func StatusIndexCode(status int) int {
	if _, ok := statusLines[status]; ok {
		return status
	}
	return 500
}

// StatusLine is Apache's status line for status ("404 Not Found"), as
// ap_send_error_response titles its page: status_lines at
// ap_index_of_response, so "500 Internal Server Error" for a status Apache
// does not know.
func StatusLine(status int) string {
	return fullStatusLines[StatusIndexCode(status)]
}

// fullStatusLines are statusLines with their codes ("404 Not Found").
var fullStatusLines = func() map[int]string {
	m := make(map[int]string, len(statusLines))
	for k, v := range statusLines {
		m[k] = strconv.Itoa(k) + " " + v
	}
	return m
}()

// ErrorDocBuilder builds one section's ErrorDocs:
//
//	var b conf.ErrorDocBuilder
//	notice, err := b.Directive([]string{"404", "/errors/404.html"})
//	docs := b.Docs()
//
// ErrorDocument is allowed everywhere, .htaccess included with
// AllowOverride FileInfo. Errors carry Apache's texts without position.
type ErrorDocBuilder struct {
	docs ErrorDocs
}

// Docs returns the section's table built so far (nil when empty).
func (b *ErrorDocBuilder) Docs() ErrorDocs {
	if len(b.docs) == 0 {
		return nil
	}
	out := make(ErrorDocs, len(b.docs))
	for k, v := range b.docs {
		out[k] = v
	}
	return out
}

// Directive applies one ErrorDocument line (its two arguments as the
// lexer split them, quotes removed). notice is Apache's AH00113 notice
// (without the "file:line " prefix Apache puts before it) when the line is
// ignored: a full URL for 401.
func (b *ErrorDocBuilder) Directive(args []string) (notice string, err error) {
	if len(args) != 2 {
		return "", errors.New("ErrorDocument takes two arguments, Change responses for HTTP errors")
	}
	code, msg := args[0], args[1]
	n := atoiC(code)
	if n != 500 && StatusIndexCode(n) == 500 {
		return "", errors.New("Unsupported HTTP response code " + code)
	}
	// set_error_document's heuristic on the (unquoted) argument.
	kind := ErrorDocText
	switch {
	case strings.Contains(msg, " "):
	case strings.HasPrefix(msg, "/"):
		kind = ErrorDocLocal
	case IsURL(msg):
		kind = ErrorDocURL
	}
	if n == 401 && kind == ErrorDocURL {
		return "cannot use a full URL in a 401 ErrorDocument directive --- ignoring!", nil
	}
	doc := ErrorDoc{Kind: kind}
	if strings.EqualFold(msg, "default") {
		doc.Kind = ErrorDocDefault
	} else {
		v, err := exprLiteral("errordocument", msg)
		if err != nil {
			return "", err
		}
		doc.Value = v
	}
	if b.docs == nil {
		b.docs = make(ErrorDocs)
	}
	b.docs[n] = doc
	return "", nil
}
