package authz

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/authn"
	"github.com/gohttpd/gohttpd/site/errorlog"
)

// Status is the result of a Require line or container (authz_status).
type Status uint8

const (
	Denied       Status = iota // AUTHZ_DENIED
	Granted                    // AUTHZ_GRANTED
	Neutral                    // AUTHZ_NEUTRAL
	GeneralError               // AUTHZ_GENERAL_ERROR
	DeniedNoUser               // AUTHZ_DENIED_NO_USER: an authenticated user might change it
)

// String is mod_authz_core's format_authz_result.
func (s Status) String() string {
	switch s {
	case Denied:
		return "denied"
	case Granted:
		return "granted"
	case DeniedNoUser:
		return "denied (no authenticated user yet)"
	}
	return "neutral"
}

// Env is the request's environment as "Require env" and "Allow from
// env=" see it (Apache's subprocess_env, filled by SetEnvIf and friends).
type Env interface {
	Has(name string) bool
}

// HostLookup gives the client's host name found by a double reverse
// lookup (Apache's REMOTE_DOUBLE_REV: the PTR name, kept only when it
// resolves back to the client's address); ok is false when there is none.
// It is called at most once per request, only for "Require host" and
// "Allow/Deny from <name>"; implementations should cache per connection,
// as Apache does. See DoubleReverse.
type HostLookup interface {
	RemoteHost() (name string, ok bool)
}

// Request holds what access control needs to know about one request. The
// site fills one per request (it can live on the stack or in a pool).
type Request struct {
	// ClientIP is the client's address (useragent_addr); IPv4-mapped IPv6
	// addresses count as IPv4.
	ClientIP netip.Addr
	// LocalIP is the address the connection came in on ("Require local"
	// grants a client connecting from it).
	LocalIP netip.Addr
	// Method is the method's Apache number, conf.MethodNumber(method).
	Method int
	// URI is the request's decoded path (r->uri), for log lines.
	URI string
	// Filename is the file the request maps to (r->filename), for the
	// AH01630 line; "" logs "uri " + URI instead.
	Filename string
	// Authorization is the Authorization header's value, present or not.
	Authorization    []byte
	HasAuthorization bool
	// Env and Host may be nil: no variable is set, no host name is known.
	Env  Env
	Host HostLookup
	// MinLevel is the least severe log entry wanted: Apache's LogLevel
	// for these modules. The zero value (info) leaves out the debug
	// entries (AH01626 per Require line, ...), which cost allocations.
	MinLevel slog.Level
}

// Entry is one line Apache writes to the error log, as data: the site
// logs it with its error-log handler ([Entry.Log]).
type Entry struct {
	Level  slog.Level
	Module string // "authz_core", "auth_basic", ... as in [authz_core:error]
	Msg    string // "AH01630: client denied by server configuration: /srv/www/x"
	Err    error  // the OS error Apache shows as "(2)No such file or directory: ", or nil
}

// Log writes the entry to l with errorlog's attribute keys; client is the
// "[client ip:port]" field (empty for none).
func (e Entry) Log(ctx context.Context, l *slog.Logger, client string) {
	attrs := make([]slog.Attr, 0, 3)
	attrs = append(attrs, slog.String(errorlog.KeyModule, e.Module))
	if client != "" {
		attrs = append(attrs, slog.String(errorlog.KeyClient, client))
	}
	if e.Err != nil {
		attrs = append(attrs, slog.Any(errorlog.KeyErr, e.Err))
	}
	l.LogAttrs(ctx, e.Level, e.Msg, attrs...)
}

// Decision is the outcome of Apache's access phases for a request.
type Decision struct {
	// Status is 0 when the request may go on, otherwise the response
	// status: 401, 403 or 500.
	Status int
	// WWWAuthenticate is the WWW-Authenticate header value to send with
	// a 401 (`Basic realm="..."`); "" when Apache sends none.
	WWWAuthenticate string
	// User is the user name the client sent with Basic authentication
	// (r->user), for %u and REMOTE_USER. Like Apache, it is set as soon
	// as the header is decoded, so a 401 for a wrong password still logs
	// the name; an empty name is logged by %u as "" (not "-").
	User    string
	HasUser bool
	// Log holds the error-log lines Apache would write, in order (nil on
	// the common path).
	Log []Entry
}

// Checker runs access control. It holds the caches of password and
// group files; one Checker serves every request of a configuration
// generation and is safe for concurrent use.
type Checker struct {
	files *authn.Files
}

// NewChecker returns a Checker reading password and group files through
// files (nil: a new cache).
func NewChecker(files *authn.Files) *Checker {
	if files == nil {
		files = authn.NewFiles()
	}
	return &Checker{files: files}
}

// eval is the state of one request's evaluation.
type eval struct {
	c       *Checker
	cfg     *conf.AuthConfig
	req     *Request
	d       *Decision
	user    string
	hasUser bool
	gotHost bool
	host    string
	hostOK  bool
}

func (e *eval) log(level slog.Level, module, msg string, err error) {
	e.d.Log = append(e.d.Log, Entry{Level: level, Module: module, Msg: msg, Err: err})
}

func (e *eval) wants(level slog.Level) bool { return level >= e.req.MinLevel }

// where is what AH01630 and AH01797 name: r->filename, or "uri " + r->uri.
func (e *eval) where() string {
	if e.req.Filename != "" {
		return e.req.Filename
	}
	return "uri " + e.req.URI
}

// remoteHost calls the HostLookup once per request.
func (e *eval) remoteHost() (string, bool) {
	if !e.gotHost {
		e.gotHost = true
		if e.req.Host != nil {
			e.host, e.hostOK = e.req.Host.RemoteHost()
		}
	}
	return e.host, e.hostOK
}

// Check runs the access phases of ap_process_request_internal for a
// request whose merged configuration is cfg (nil: no access control):
//
//  1. mod_access_compat's host check (Order, Allow, Deny). With "Satisfy
//     Any" passing it is enough; with Satisfy All (the default) failing it
//     is a 403 (AH01797).
//  2. mod_authz_core without a user: the Require tree decides GRANTED
//     (done), DENIED or NEUTRAL (403, AH01630), or needs a user.
//  3. Authentication (mod_auth_basic with mod_authn_file): 401 with
//     WWW-Authenticate for a missing header (no log line), a wrong scheme
//     (AH01614), an unknown user (AH01618) or a wrong password (AH01617).
//     No AuthType at all leaves no user: 500 (AH00027).
//  4. mod_authz_core with the user: GRANTED goes on; otherwise 401 (or 403
//     with AuthzSendForbiddenOnFailure) with AH01631, or AH01629.
//
// An AuthType without any Require is a 500 (AH01627), as in Apache.
func (c *Checker) Check(cfg *conf.AuthConfig, req *Request) Decision {
	var d Decision
	if cfg == nil {
		return d
	}
	e := eval{c: c, cfg: cfg, req: req, d: &d}
	satisfy := conf.SatisfyNoSpec
	if cfg.Compat != nil {
		satisfy = cfg.Compat.SatisfyFor(req.Method)
	}
	hostOK := e.accessCompat()
	if satisfy == conf.SatisfyAny {
		if hostOK {
			return d
		}
	} else if !hostOK {
		d.Status = 403
		return d
	}
	status, declined := e.authorize(false)
	if !declined {
		d.Status = status
		return d
	}
	if status = e.authenticate(); status != 0 {
		d.Status = status
		return d
	}
	if !e.hasUser {
		e.log(slog.LevelError, "core", "AH00027: No authentication done but request not allowed without authentication for "+
			req.URI+". Authentication not configured?", nil)
		d.Status = 500
		return d
	}
	d.Status, _ = e.authorize(true)
	return d
}

// Authorize evaluates a Require tree for a request and a user (hasUser
// false: none yet), as mod_authz_core's apply_authz_sections does from the
// top. Log entries are appended to log.
func (c *Checker) Authorize(cfg *conf.AuthConfig, req *Request, user string, hasUser bool, log *[]Entry) Status {
	if cfg == nil || cfg.Require == nil {
		return Granted
	}
	var d Decision
	e := eval{c: c, cfg: cfg, req: req, d: &d, user: user, hasUser: hasUser}
	s := e.apply(cfg.Require, conf.RequireAnd)
	if log != nil {
		*log = append(*log, d.Log...)
	}
	return s
}

// noteAuthFailure is ap_note_auth_failure for AuthType Basic.
func (e *eval) noteAuthFailure() {
	realm, _ := e.cfg.Realm()
	e.d.WWWAuthenticate = `Basic realm="` + realm + `"`
}

// authorize is authorize_user_core: status 0 for OK, declined when a user
// is needed first (only before authentication).
func (e *eval) authorize(afterAuthn bool) (status int, declined bool) {
	cfg, req := e.cfg, e.req
	if cfg.Require == nil {
		if cfg.Type() != "" {
			e.log(slog.LevelError, "authz_core", "AH01627: AuthType configured with no corresponding authorization directives", nil)
			return 500, false
		}
		if e.wants(slog.LevelDebug) {
			e.log(slog.LevelDebug, "authz_core", "AH01628: authorization result: granted (no directives)", nil)
		}
		return 0, false
	}
	switch e.apply(cfg.Require, conf.RequireAnd) {
	case Granted:
		return 0, false
	case DeniedNoUser:
		if !afterAuthn {
			return 0, true
		}
		e.log(slog.LevelError, "authz_core", "AH01629: authorization failure (no authenticated user): "+req.URI, nil)
		if e.hasUser {
			e.noteAuthFailure()
		}
		return 401, false
	case Denied, Neutral:
		if !afterAuthn || cfg.Type() == "" {
			e.log(slog.LevelError, "authz_core", "AH01630: client denied by server configuration: "+e.where(), nil)
			return 403, false
		}
		e.log(slog.LevelError, "authz_core", "AH01631: user "+e.user+`: authorization failure for "`+req.URI+`": `, nil)
		if cfg.ForbiddenOnFailureSet && cfg.ForbiddenOnFailure {
			return 403, false
		}
		if e.hasUser {
			e.noteAuthFailure()
		}
		return 401, false
	}
	return 500, false
}

// apply is apply_authz_sections.
func (e *eval) apply(sec *conf.Require, parentOp conf.RequireOp) Status {
	if !sec.Limited.Has(e.req.Method) {
		res := Neutral
		if parentOp == conf.RequireAnd {
			res = Granted
		}
		if e.wants(slog.LevelDebug) {
			e.log(slog.LevelDebug, "authz_core", "AH01625: authorization result of "+sec.String()+": "+res.String()+
				" (directive limited to other methods)", nil)
		}
		return res
	}
	var res Status
	if !sec.IsContainer() {
		res = e.provider(sec)
	} else {
		res = Neutral
		for _, child := range sec.Children {
			cr := e.apply(child, sec.Op)
			if cr == GeneralError {
				return GeneralError
			}
			if cr == Neutral {
				continue
			}
			if sec.Op == conf.RequireAnd {
				if cr == Denied {
					res = cr
					break
				}
				if (cr == DeniedNoUser && res != Denied) || res == Neutral {
					res = cr
				}
			} else {
				if cr == Granted {
					res = cr
					break
				}
				if (cr == DeniedNoUser && res == Denied) || res == Neutral {
					res = cr
				}
			}
		}
	}
	if sec.Negate {
		switch res {
		case Granted:
			res = Denied
		case Denied, DeniedNoUser:
			// a denial negated cannot grant: neutral
			res = Neutral
		}
	}
	if e.wants(slog.LevelDebug) {
		e.log(slog.LevelDebug, "authz_core", "AH01626: authorization result of "+sec.String()+": "+res.String(), nil)
	}
	return res
}

var (
	localhost4 = netip.MustParsePrefix("127.0.0.0/8")
	localhost6 = netip.IPv6Loopback()
)

// provider runs one Require line's provider.
func (e *eval) provider(r *conf.Require) Status {
	req := e.req
	switch r.Provider {
	case "all":
		if r.Granted {
			return Granted
		}
		return Denied
	case "ip":
		ip := req.ClientIP.Unmap().WithZone("")
		for i := range r.IPs {
			if r.IPs[i].Match(ip) {
				return Granted
			}
		}
		return Denied
	case "local":
		ip := req.ClientIP.Unmap()
		if (ip.IsValid() && ip == req.LocalIP.Unmap()) || localhost4.Contains(ip) || ip == localhost6 {
			return Granted
		}
		return Denied
	case "method":
		if r.Methods.Has(req.Method) {
			return Granted
		}
		return Denied
	case "env":
		if req.Env != nil {
			for _, n := range r.Names {
				if req.Env.Has(n) {
					return Granted
				}
			}
		}
		return Denied
	case "valid-user":
		if !e.hasUser {
			return DeniedNoUser
		}
		return Granted
	case "user":
		if !e.hasUser {
			return DeniedNoUser
		}
		for _, n := range r.Names {
			if n == e.user {
				return Granted
			}
		}
		if e.wants(slog.LevelDebug) {
			e.log(slog.LevelDebug, "authz_user", "AH01663: access to "+req.URI+" failed, reason: user '"+e.user+
				"' does not meet 'require'ments for user to be allowed access", nil)
		}
		return Denied
	case "group":
		return e.group(r)
	case "host":
		return e.hostProvider(r)
	}
	return GeneralError
}

func (e *eval) group(r *conf.Require) Status {
	if !e.hasUser {
		return DeniedNoUser
	}
	path := e.cfg.GroupFile
	if path == "" {
		e.log(slog.LevelError, "authz_groupfile", "AH01664: No group file was specified in the configuration", nil)
		return Denied
	}
	groups, err := e.c.files.Groups(path, e.user)
	if err != nil {
		e.log(slog.LevelError, "authz_groupfile", "AH01665: Could not open group file: "+path, unwrapPath(err))
		return Denied
	}
	if len(groups) == 0 {
		if e.wants(slog.LevelInfo) {
			e.log(slog.LevelInfo, "authz_groupfile", "AH01666: Authorization of user "+e.user+" to access "+e.req.URI+
				" failed, reason: user doesn't appear in group file ("+path+").", nil)
		}
		return Denied
	}
	for _, want := range r.Names {
		for _, g := range groups {
			if g == want {
				return Granted
			}
		}
	}
	if e.wants(slog.LevelDebug) {
		e.log(slog.LevelDebug, "authz_groupfile", "AH01667: Authorization of user "+e.user+" to access "+e.req.URI+
			" failed, reason: user is not part of the 'require'ed group(s).", nil)
	}
	return Denied
}

func (e *eval) hostProvider(r *conf.Require) Status {
	line := r.ArgLine()
	host, ok := e.remoteHost()
	if !ok {
		e.log(slog.LevelError, "authz_host", "AH01753: access check of '"+line+"' to "+e.req.URI+
			" failed, reason: unable to get the remote host name", nil)
		return Denied
	}
	if r.HostComment {
		if strings.HasPrefix(line, "#") {
			e.log(slog.LevelError, "authz_host", "AH10120: authz_host authorize: dubious empty 'Require host "+line+
				"' with only comment", nil)
			return Denied
		}
		e.log(slog.LevelWarn, "authz_host", "AH10121: authz_host authorize: ignoring comment in 'Require host "+line+"'", nil)
	}
	for _, n := range r.Names {
		if inDomain(n, host) {
			return Granted
		}
	}
	return Denied
}

// inDomain is mod_authz_host's in_domain: what ends with domain, on a
// label boundary, ignoring case.
func inDomain(domain, what string) bool {
	if len(what) < len(domain) || !strings.EqualFold(domain, what[len(what)-len(domain):]) {
		return false
	}
	if len(what) == len(domain) {
		return true
	}
	return domain[0] == '.' || what[len(what)-len(domain)-1] == '.'
}

// accessCompat is mod_access_compat's check_dir_access; false is a 403
// (logged with AH01797).
func (e *eval) accessCompat() bool {
	a := e.cfg.Compat
	if a == nil {
		return true
	}
	m := e.req.Method
	var ok bool
	switch a.OrderFor(m) {
	case conf.AllowDeny:
		ok = e.findAllowDeny(a.Allow) && !e.findAllowDeny(a.Deny)
	case conf.DenyAllow:
		ok = !e.findAllowDeny(a.Deny) || e.findAllowDeny(a.Allow)
	default:
		ok = e.findAllowDeny(a.Allow) && !e.findAllowDeny(a.Deny)
	}
	if !ok {
		e.log(slog.LevelError, "access_compat", "AH01797: client denied by server configuration: "+e.where(), nil)
	}
	return ok
}

// findAllowDeny is find_allowdeny.
func (e *eval) findAllowDeny(rules []conf.AccessRule) bool {
	for i := range rules {
		r := &rules[i]
		if !r.Limited.Has(e.req.Method) {
			continue
		}
		switch r.Kind {
		case conf.AccessEnv:
			if e.req.Env != nil && e.req.Env.Has(r.Value) {
				return true
			}
		case conf.AccessNotEnv:
			if e.req.Env == nil || !e.req.Env.Has(r.Value) {
				return true
			}
		case conf.AccessAll:
			return true
		case conf.AccessIP:
			if r.IP.Contains(e.req.ClientIP) {
				return true
			}
		case conf.AccessHost:
			if host, ok := e.remoteHost(); ok && inDomain(r.Value, host) {
				return true
			}
		}
	}
	return false
}
