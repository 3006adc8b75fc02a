package alias

import (
	"strings"

	"github.com/gohttpd/gohttpd/conf"
)

// SubResult is what a sub-request lookup (ap_sub_req_lookup_uri: the URI
// translated, mapped and access-checked, without running a handler) found.
type SubResult struct {
	// Status is 200 (or 0) when the lookup succeeded, else the status it
	// failed with (404, 403, a 3xx from a Redirect, 401 ...).
	Status int
	// Regular: the URI maps to a regular file.
	Regular bool
	// Proxy: the URI is handled by the reverse proxy (Apache's
	// "proxy-server" handler); it counts as found.
	Proxy bool
	// Location is the Location header of a 3xx Status.
	Location string
	// Filename is the file the URI maps to, handed back in DirResult.
	Filename string
}

// DirRequest is what mod_dir needs to know about a request at the fixups
// step.
type DirRequest struct {
	// URI and Args are as in Request.
	URI  string
	Args string
	// IsDir: the request mapped to a directory. Missing: it mapped to
	// nothing in the filesystem (neither is set for a regular file).
	IsDir, Missing bool
	// PathInfo is the extra path after the file the request mapped to.
	PathInfo string
	// Handler is the handler another module set ("" none: mod_mime's
	// type-based handler does not count, as in Apache a missing file has
	// no handler unless SetHandler or AddHandler named one).
	Handler string
	// NotGETCarefully: the method is not GET and the environment has
	// redirect-carefully (BrowserMatch): no DirectorySlash redirect.
	NotGETCarefully bool
	// ConstructURL is ap_construct_url (see Request). Required for the
	// DirectorySlash and DirectoryIndexRedirect redirects.
	ConstructURL func(path string) string
	// Lookup runs a sub-request for uri (a URL-path with an optional
	// "?query"). Required.
	Lookup func(uri string) SubResult
}

// DirAction is what DirFixup decided.
type DirAction uint8

const (
	// DirDecline: mod_dir has nothing to do; go on (the file handler,
	// or for a directory without index the listing or Apache's 404/403).
	DirDecline DirAction = iota
	// DirRedirect: answer Status with Location (DirectorySlash's 301,
	// DirectoryIndexRedirect, or a redirect the index's sub-request
	// produced).
	DirRedirect
	// DirServe: serve URI instead, as the sub-request found it
	// (ap_internal_fast_redirect: no REDIRECT_ variables, same status
	// line); Sub holds what Lookup returned.
	DirServe
	// DirError: answer the error Status (through ErrorDocument).
	DirError
)

// DirResult is DirFixup's decision.
type DirResult struct {
	Action   DirAction
	Status   int
	Location string
	// URI is the index or fallback URI that is served (DirServe),
	// with "?query" when the request had one.
	URI string
	Sub SubResult
	// IndexNames is the DirectoryIndex list tried (for mod_autoindex's
	// and the log's benefit, Apache's "dir-index-names" note), set when a
	// directory found no index.
	IndexNames []string
}

// DirFixup is mod_dir's fixups hook (dir_fixups) for a request mapped to a
// directory (fixup_dir: DirectorySlash, then DirectoryIndex) or to nothing
// (fixup_dflt: FallbackResource, only when no handler took the request).
// cfg is the request's merged ModDirConfig (nil: the defaults). Requests for
// regular files are declined at once; that path allocates nothing.
func DirFixup(req *DirRequest, cfg *conf.ModDirConfig) DirResult {
	switch {
	case req.IsDir:
		return fixupDir(req, cfg)
	case req.Missing && req.Handler == "":
		return fixupFallback(req, cfg)
	}
	return DirResult{}
}

func withArgs(uri, args string) string {
	if args == "" {
		return uri
	}
	return uri + "?" + args
}

// subURI is how ap_sub_req_lookup_uri resolves name against the
// request's URI: an absolute URL-path as it is, a relative one in the
// URI's directory (up to and including its last '/').
func subURI(uri, name string) string {
	if strings.HasPrefix(name, "/") {
		return name
	}
	i := strings.LastIndexByte(uri, '/')
	return uri[:i+1] + name
}

func fixupDir(req *DirRequest, cfg *conf.ModDirConfig) DirResult {
	if req.PathInfo != "" {
		return DirResult{}
	}
	if req.URI == "" || req.URI[len(req.URI)-1] != '/' {
		if !cfg.Slash() || req.NotGETCarefully {
			return DirResult{}
		}
		loc := EscapePath(req.URI) + "/"
		if req.Args != "" {
			loc += "?" + req.Args
		}
		if req.ConstructURL != nil {
			loc = req.ConstructURL(loc)
		}
		return DirResult{Action: DirRedirect, Status: 301, Location: loc}
	}
	if cfg != nil && cfg.CheckHandlerSet && cfg.CheckHandler && req.Handler != "" {
		return DirResult{}
	}
	names := cfg.IndexNames()
	errStatus := 0
	for i, name := range names {
		uri := subURI(req.URI, name)
		sub := req.Lookup(withArgs(uri, req.Args))
		if (sub.Status == 200 || sub.Status == 0) && (sub.Proxy || sub.Regular) {
			if cfg != nil && cfg.IndexRedirectSet && cfg.IndexRedirect >= 300 && cfg.IndexRedirect < 400 {
				loc := uri
				if req.ConstructURL != nil {
					loc = req.ConstructURL(uri)
				}
				return DirResult{Action: DirRedirect, Status: cfg.IndexRedirect, Location: loc}
			}
			return DirResult{Action: DirServe, URI: withArgs(uri, req.Args), Sub: sub}
		}
		last := i == len(names)-1
		if (sub.Status >= 300 && sub.Status < 400) || ((sub.Status == 406 || sub.Status == 401) && last) {
			if sub.Status < 400 {
				return DirResult{Action: DirRedirect, Status: sub.Status, Location: sub.Location}
			}
			return DirResult{Action: DirError, Status: sub.Status}
		}
		if sub.Status != 0 && sub.Status != 404 && sub.Status != 200 {
			errStatus = sub.Status
		}
	}
	if errStatus != 0 {
		return DirResult{Action: DirError, Status: errStatus}
	}
	return DirResult{IndexNames: names}
}

func fixupFallback(req *DirRequest, cfg *conf.ModDirConfig) DirResult {
	name := cfg.FallbackResource()
	if name == "" {
		return DirResult{}
	}
	uri := subURI(req.URI, name)
	sub := req.Lookup(withArgs(uri, req.Args))
	switch {
	case (sub.Status == 200 || sub.Status == 0) && (sub.Proxy || sub.Regular):
		return DirResult{Action: DirServe, URI: withArgs(uri, req.Args), Sub: sub}
	case sub.Status >= 300 && sub.Status < 400:
		return DirResult{Action: DirRedirect, Status: sub.Status, Location: sub.Location}
	case sub.Status != 0 && sub.Status != 404 && sub.Status != 200:
		return DirResult{Action: DirError, Status: sub.Status}
	}
	return DirResult{}
}
