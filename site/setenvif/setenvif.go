package setenvif

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/internal/aptext"
	"github.com/valyala/fasthttp"
)

// Request is what the rules test. Fill what the phase knows: for the
// server-level rules (post_read_request) the URI is the raw path before
// mapping; for the per-directory rules the decoded, mapped r->uri.
type Request struct {
	// Header is the request's headers (after RequestHeader? No: SetEnvIf
	// runs before mod_headers' fixups, so pass them as received).
	Header *fasthttp.RequestHeader
	// RemoteAddr is the client IP (r->useragent_ip), ServerAddr the local
	// IP of the connection.
	RemoteAddr, ServerAddr string
	// RemoteHost is the client's host name when HostnameLookups found
	// one, else its IP (ap_get_useragent_host with REMOTE_NAME).
	RemoteHost string
	// URI is r->uri (the path, without the query string).
	URI string
	// Method and Protocol are the request line's ("GET", "HTTP/1.1").
	Method, Protocol string
}

// Rules are compiled SetEnvIf lines. The nil *Rules has no rules.
type Rules struct {
	rules []rule
}

type rule struct {
	conf.SetEnvIfRule
	re   *regexp.Regexp
	name *regexp.Regexp
}

// Compile compiles cfg's regular expressions (conf checked them, so an
// error means a configuration built elsewhere). Compile once per merged
// configuration and cache the result with it.
func Compile(cfg *conf.SetEnvIfConfig) (*Rules, error) {
	if cfg == nil || len(cfg.Rules) == 0 {
		return nil, nil
	}
	rs := &Rules{rules: make([]rule, len(cfg.Rules))}
	for i, r := range cfg.Rules {
		pat := r.Regex
		if r.NoCase {
			pat = "(?i)" + pat
		}
		re, err := regexp.Compile(pat)
		if err != nil {
			return nil, fmt.Errorf("setenvif: %q: %w", r.Regex, err)
		}
		rs.rules[i] = rule{SetEnvIfRule: r, re: re}
		if r.NameRegex {
			np := r.Name
			if r.NoCase {
				np = "(?i)" + np
			}
			if rs.rules[i].name, err = regexp.Compile(np); err != nil {
				return nil, fmt.Errorf("setenvif: %q: %w", r.Name, err)
			}
		}
	}
	return rs, nil
}

// Len is the number of rules.
func (rs *Rules) Len() int {
	if rs == nil {
		return 0
	}
	return len(rs.rules)
}

// Apply runs the rules in order on req, setting and unsetting variables
// in env, as mod_setenvif's match_headers: the attribute's value is read
// once for consecutive rules on the same attribute; a header that is
// absent falls back to an environment variable of that name (so a rule
// can test a variable an earlier rule set); a missing value matches as
// ""; values expand $0..$9 from a regex match (not from a literal
// pattern).
func (rs *Rules) Apply(req *Request, env *Env) {
	if rs == nil {
		return
	}
	var (
		last string
		have bool
		val  string
	)
	for i := range rs.rules {
		r := &rs.rules[i]
		if !have || !strings.EqualFold(r.Name, last) {
			last, have = r.Name, true
			val = attrValue(r, req, env)
		}
		m := r.re.FindStringSubmatchIndex(val)
		if m == nil {
			continue
		}
		for _, a := range r.Actions {
			switch {
			case a.Unset:
				env.Unset(a.Name)
			case r.Literal:
				env.Set(a.Name, a.Value)
			default:
				env.Set(a.Name, Pregsub(a.Value, val, m))
			}
		}
	}
}

func attrValue(r *rule, req *Request, env *Env) string {
	switch r.Attr {
	case conf.EnvAttrRemoteAddr:
		return req.RemoteAddr
	case conf.EnvAttrServerAddr:
		return req.ServerAddr
	case conf.EnvAttrRemoteHost:
		return req.RemoteHost
	case conf.EnvAttrRequestURI:
		return req.URI
	case conf.EnvAttrRequestMethod:
		return req.Method
	case conf.EnvAttrRequestProtocol:
		return req.Protocol
	}
	if r.name != nil {
		val := ""
		if req.Header != nil {
			for k, v := range req.Header.All() {
				if r.name.Match(k) {
					val = string(v) // the last matching header wins
				}
			}
		}
		return val
	}
	if req.Header != nil {
		if v := req.Header.Peek(r.Name); v != nil {
			return string(v)
		}
	}
	v, _ := env.Lookup(r.Name)
	return v
}

// Pregsub is ap_pregsub (aptext.Pregsub), unbounded.
func Pregsub(tmpl, src string, m []int) string {
	s, _ := aptext.Pregsub(tmpl, src, m, 0)
	return s
}

// ApplyEnv is mod_env's fixup: cfg's SetEnv variables join env, without
// replacing a value already there (see conf.EnvConfig). Call it in the
// fixups phase: after the per-directory SetEnvIf rules, before
// RequestHeader and the handler.
func ApplyEnv(cfg *conf.EnvConfig, env *Env) {
	if cfg == nil {
		return
	}
	for _, v := range cfg.Vars {
		env.SetDefault(v.Name, v.Value)
	}
}
