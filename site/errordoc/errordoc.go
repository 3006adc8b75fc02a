package errordoc

import (
	"strconv"

	"github.com/gohttpd/gohttpd/conf"
)

// Action is what to do for an error response.
type Action uint8

const (
	// Canned: send Apache's canned page for the status (Render).
	Canned Action = iota
	// Internal: serve URI as a GET (an internal redirect) and send its
	// body with the original status; Env holds the REDIRECT_ variables.
	Internal
	// External: answer 302 with Location (the canned 302 page).
	External
	// Text: send Body as the whole body with the original status and
	// Content-Type text/html; charset=iso-8859-1.
	Text
)

// TextContentType is the Content-Type of a text ErrorDocument and of the
// canned pages (ap_send_error_response), unless the environment has
// suppress-error-charset (then "text/html").
const TextContentType = "text/html; charset=iso-8859-1"

// Decision is what Decide says.
type Decision struct {
	Action Action
	// Status is the status to send: the original one, or 302 for
	// External.
	Status int
	// URI is the internal redirect's target (path and optional
	// "?query") for Internal.
	URI string
	// Location is the redirect target for External.
	Location string
	// Body is the text for Text.
	Body string
}

// Decide is ap_die's choice for an error status (any 3xx, 4xx or 5xx a
// module or the core answers with) under docs, the request's merged
// ErrorDocs: the ErrorDocument for status if there is one, else the
// canned page. It allocates nothing.
func Decide(docs conf.ErrorDocs, status int) Decision {
	d, ok := docs.Lookup(status)
	if !ok {
		return Decision{Action: Canned, Status: status}
	}
	switch d.Kind {
	case conf.ErrorDocLocal:
		return Decision{Action: Internal, Status: status, URI: d.Value}
	case conf.ErrorDocURL:
		return Decision{Action: External, Status: 302, Location: d.Value}
	}
	return Decision{Action: Text, Status: status, Body: d.Value}
}

// Original is what the internal redirect's environment is built from:
// the request that failed.
type Original struct {
	Status int
	// Method is the original method (the document is fetched with GET;
	// the access log's %m keeps the original, as Apache's %<m).
	Method string
	// URI and Args are the original r->uri and query string.
	URI, Args string
	// User is the authenticated user, "" none.
	User string
	// Notes is Apache's "error-notes" ("" none).
	Notes string
	// Env is the original request's environment (SetEnv, SetEnvIf ...),
	// visited in order; nil for none.
	Env func(yield func(k, v string) bool)
}

// Env returns the environment of the error document's request
// (internal_internal_redirect, ap_die and ap_add_common_vars): every
// variable of the original request with a REDIRECT_ prefix, then
// REDIRECT_REQUEST_METHOD, REDIRECT_ERROR_NOTES, REDIRECT_STATUS,
// REDIRECT_URL, REDIRECT_QUERY_STRING and REDIRECT_REMOTE_USER as
// Apache sets them.
func Env(o *Original) [][2]string {
	var env [][2]string
	if o.Env != nil {
		for k, v := range o.Env {
			env = append(env, [2]string{"REDIRECT_" + k, v})
		}
	}
	env = append(env, [2]string{"REDIRECT_REQUEST_METHOD", o.Method})
	if o.Notes != "" {
		env = append(env, [2]string{"REDIRECT_ERROR_NOTES", o.Notes})
	}
	env = append(env, [2]string{"REDIRECT_STATUS", strconv.Itoa(o.Status)})
	env = append(env, [2]string{"REDIRECT_URL", o.URI})
	if o.Args != "" {
		env = append(env, [2]string{"REDIRECT_QUERY_STRING", o.Args})
	}
	if o.User != "" {
		env = append(env, [2]string{"REDIRECT_REMOTE_USER", o.User})
	}
	return env
}
