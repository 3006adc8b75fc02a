package conf

// Reverse proxy directives: the types of mod_proxy, mod_proxy_http,
// mod_proxy_balancer (with mod_lbmethod_byrequests and
// mod_lbmethod_bybusyness) and mod_proxy_wstunnel, built by ProxyBuilder
// from a server's (or virtual host's) directives and from the <Location>
// and <Proxy balancer://...> sections in it. Their behaviour is in
// site/proxy. A forward proxy (ProxyRequests On) is refused.

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ProxyDefaultRetry is how long a worker in error state is skipped when
// its ProxyPass or BalancerMember line has no retry= (Apache's 60 s).
const ProxyDefaultRetry = 60 * time.Second

// ProxyWorker is the key=value parameters of one backend (a ProxyPass
// URL or a BalancerMember). Durations are 0 when unset; the zero value is
// Apache's defaults.
type ProxyWorker struct {
	// URL is the backend as configured ("http://127.0.0.1:8080/app/"),
	// scheme and host lower-cased. Scheme is one of http, https, ws, wss.
	URL string `json:"url"`
	// Timeout is timeout= (whole seconds in Apache 2.4: atoi, at least
	// 1), the socket read/write timeout; 0 means ProxyTimeout, then the
	// server's Timeout.
	Timeout time.Duration `json:"timeout,omitempty"`
	// ConnectionTimeout is connectiontimeout= (dial); 0 means Timeout.
	ConnectionTimeout time.Duration `json:"connectiontimeout,omitempty"`
	// Retry is retry=: how long a balancer member stays in error state
	// after a failed connection, meaningful when RetrySet (else
	// ProxyDefaultRetry); 0 retries at once.
	Retry    time.Duration `json:"retry,omitempty"`
	RetrySet bool          `json:"retryset,omitempty"`
	// KeepAlive is keepalive=On: TCP keep-alive probes on backend
	// connections (SO_KEEPALIVE, as Apache; Off, the default, sends none).
	// It has nothing to do with HTTP keep-alive: pooling is on unless
	// DisableReuse.
	KeepAlive bool `json:"keepalive,omitempty"`
	// DisableReuse is disablereuse=On (or enablereuse=Off).
	DisableReuse bool `json:"disablereuse,omitempty"`
	// Max is max=: the most connections to this backend per process, 0
	// for unlimited (fasthttp's default of 512 applies).
	Max int `json:"max,omitempty"`
	// TTL is ttl=: how long an idle pooled connection is kept.
	TTL time.Duration `json:"ttl,omitempty"`
	// Acquire is acquire=: how long a request waits for a free connection
	// when max= are busy (then 503); 0 means the worker's timeout.
	Acquire time.Duration `json:"acquire,omitempty"`
	// LoadFactor is loadfactor= times 100 (100..10000), 0 for unset (100).
	LoadFactor int `json:"loadfactor,omitempty"`
	// Upgrade is upgrade=: the protocol (lower case) whose Upgrade
	// requests are tunnelled ("websocket"; "*" for upgrade=ANY); "" none
	// (a ws:// or wss:// URL implies "websocket").
	Upgrade string `json:"upgrade,omitempty"`
}

// ProxyPass is one ProxyPass or ProxyPassMatch line, or the one-argument
// ProxyPass of a <Location> section.
type ProxyPass struct {
	// Path is the URL-path prefix, or the regular expression when Regex.
	Path string `json:"path"`
	// Regex: ProxyPassMatch, "ProxyPass ~ regex url", or a <Location>
	// whose path has wildcards.
	Regex bool `json:"regex,omitempty"`
	// Exclude is the "!" form: requests matching Path are not proxied.
	Exclude bool `json:"exclude,omitempty"`
	// URL is the target as written ("http://b/x/", "balancer://name/",
	// "http://b/$1"); "" when Exclude.
	URL string `json:"url,omitempty"`
	// Balancer is the balancer name ("balancer://name", lower case) when
	// URL is a balancer URL.
	Balancer string `json:"balancer,omitempty"`
	// NoQuery is the noquery flag: the query string is not forwarded.
	NoQuery bool `json:"noquery,omitempty"`
	// Worker holds the key=value parameters (for a balancer URL only
	// Balancer fields apply, see ProxyBalancer).
	Worker ProxyWorker `json:"worker"`
}

// Compile returns Path compiled (Regex only). conf checked it compiles.
func (p *ProxyPass) Compile() (*regexp.Regexp, error) {
	return regexp.Compile(p.Path)
}

// ProxyLBMethod is a balancer's lbmethod.
type ProxyLBMethod string

// The lbmethods gohttpd implements.
const (
	// LBByRequests is weighted round robin by loadfactor (the default).
	LBByRequests ProxyLBMethod = "byrequests"
	// LBByBusyness picks the member with the fewest requests in flight.
	LBByBusyness ProxyLBMethod = "bybusyness"
)

// ProxyBalancer is one balancer://name with its members.
type ProxyBalancer struct {
	// Name is "balancer://name", lower case.
	Name string `json:"name"`
	// LBMethod is lbmethod=, "" meaning byrequests.
	LBMethod ProxyLBMethod `json:"lbmethod,omitempty"`
	// MaxAttempts is maxattempts= (failover attempts after the first
	// member fails), -1 when unset (members - 1).
	MaxAttempts int `json:"maxattempts"`
	// NoForceRecovery is forcerecovery=Off: members in error state stay
	// skipped even when all are (503 with AH01170).
	NoForceRecovery bool `json:"noforcerecovery,omitempty"`
	// Members in configuration order.
	Members []ProxyWorker `json:"members"`
}

// ProxyReverse is one ProxyPassReverse, ProxyPassReverseCookieDomain or
// ProxyPassReverseCookiePath line, with Apache's field names: for
// ProxyPassReverse Fake is the local path and Real the backend URL; for
// the cookie directives Fake is the first argument (the backend's path or
// domain) and Real the second (the local one).
type ProxyReverse struct {
	Fake string `json:"fake"`
	Real string `json:"real"`
}

// ProxyDir is what one section (server, virtual host or <Location>) says
// about proxying for requests it applies to; MergeProxyDir combines
// sections. Values are immutable once built.
type ProxyDir struct {
	// Alias is the one-argument ProxyPass of a <Location> (Path is the
	// location's path), nil otherwise.
	Alias *ProxyPass `json:"alias,omitempty"`
	// Reverse is ProxyPassReverse, in order.
	Reverse []ProxyReverse `json:"reverse,omitempty"`
	// CookieDomains and CookiePaths are ProxyPassReverseCookieDomain and
	// ProxyPassReverseCookiePath, in order.
	CookieDomains []ProxyReverse `json:"cookiedomains,omitempty"`
	CookiePaths   []ProxyReverse `json:"cookiepaths,omitempty"`
	// PreserveHost is ProxyPreserveHost (default Off), meaningful when
	// PreserveHostSet.
	PreserveHost, PreserveHostSet bool `json:",omitempty"`
	// NoAddHeaders is "ProxyAddHeaders Off" (default On), meaningful
	// when AddHeadersSet.
	NoAddHeaders, AddHeadersSet bool `json:",omitempty"`
}

// AddHeaders reports whether X-Forwarded-* headers are added.
func (d *ProxyDir) AddHeaders() bool { return d == nil || !d.AddHeadersSet || !d.NoAddHeaders }

// MergeProxyDir is merge_proxy_dir_config: the child's Alias when it has
// one (else the base's), the ProxyPassReverse and cookie lists of both
// (the base's entries first, as apr_array_append(p, base, add)), and each
// flag from the child when it sets it. Either argument may be nil; the
// result shares the inputs' slices and is itself immutable.
func MergeProxyDir(base, child *ProxyDir) *ProxyDir {
	if base == nil {
		return child
	}
	if child == nil {
		return base
	}
	out := *base
	if child.Alias != nil {
		out.Alias = child.Alias
	}
	out.Reverse = appendNew(base.Reverse, child.Reverse)
	out.CookieDomains = appendNew(base.CookieDomains, child.CookieDomains)
	out.CookiePaths = appendNew(base.CookiePaths, child.CookiePaths)
	if child.PreserveHostSet {
		out.PreserveHost, out.PreserveHostSet = child.PreserveHost, true
	}
	if child.AddHeadersSet {
		out.NoAddHeaders, out.AddHeadersSet = child.NoAddHeaders, true
	}
	return &out
}

func appendNew(a, b []ProxyReverse) []ProxyReverse {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	return append(append(make([]ProxyReverse, 0, len(a)+len(b)), a...), b...)
}

// ProxyServer is what a server or virtual host says about proxying as a
// whole (Apache's per-server proxy_server_conf).
type ProxyServer struct {
	// Passes are the server-level ProxyPass and ProxyPassMatch lines in
	// configuration order (the first match wins).
	Passes []ProxyPass `json:"passes,omitempty"`
	// Balancers by definition order.
	Balancers []ProxyBalancer `json:"balancers,omitempty"`
	// Timeout is ProxyTimeout, 0 when unset (the server's Timeout).
	Timeout time.Duration `json:"timeout,omitempty"`
	// Dir is the server-level ProxyPassReverse, cookie rewriting,
	// ProxyPreserveHost and ProxyAddHeaders (the server's default
	// section); nil when none is set.
	Dir *ProxyDir `json:"dir,omitempty"`
}

// MergeProxyServer is merge_proxy_config for a virtual host (vhost) under
// the main server (main): the main server's ProxyPass lines first, then
// the virtual host's (so a main-server line shadows a virtual host's for
// the same path: Apache 2.4.71 does so, ProxyPassInherit Off or not, as
// observed with apache2), the balancers of both as mod_proxy's
// merge_balancers (see mergeBalancers), the virtual host's ProxyTimeout
// when it has one, and the server-level ProxyDir merged with
// MergeProxyDir. Either argument may be nil.
func MergeProxyServer(main, vhost *ProxyServer) *ProxyServer {
	if main == nil {
		return vhost
	}
	if vhost == nil {
		return main
	}
	out := &ProxyServer{Timeout: vhost.Timeout, Dir: MergeProxyDir(main.Dir, vhost.Dir)}
	if out.Timeout == 0 {
		out.Timeout = main.Timeout
	}
	out.Passes = append(append(make([]ProxyPass, 0, len(main.Passes)+len(vhost.Passes)), main.Passes...), vhost.Passes...)
	out.Balancers = mergeBalancers(main.Balancers, vhost.Balancers)
	return out
}

// mergeBalancers is mod_proxy's merge_balancers (BalancerInherit On, the
// default; gohttpd has no BalancerInherit Off): the main server's
// balancers that the virtual host does not name, then the virtual
// host's, where one that the main server defines too is the main
// server's (its members) with the virtual host's lbmethod=,
// maxattempts= and forcerecovery=Off when it sets them. So a <VirtualHost>
// uses a balancer of the main server by naming it in ProxyPass (Apache
// 2.4.71 does, observed), and its own <Proxy balancer://x> of a name the
// main server defines too keeps the main server's members (observed as
// well).
func mergeBalancers(main, vhost []ProxyBalancer) []ProxyBalancer {
	if len(main) == 0 {
		return vhost
	}
	out := make([]ProxyBalancer, 0, len(main)+len(vhost))
	for _, b := range main {
		if !hasBalancer(vhost, b.Name) {
			out = append(out, b)
		}
	}
	for _, v := range vhost {
		for _, b := range main {
			if b.Name != v.Name {
				continue
			}
			m := b
			if v.LBMethod != "" {
				m.LBMethod = v.LBMethod
			}
			if v.MaxAttempts >= 0 {
				m.MaxAttempts = v.MaxAttempts
			}
			m.NoForceRecovery = m.NoForceRecovery || v.NoForceRecovery
			v = m
			break
		}
		out = append(out, v)
	}
	return out
}

func hasBalancer(bs []ProxyBalancer, name string) bool {
	for i := range bs {
		if bs[i].Name == name {
			return true
		}
	}
	return false
}

// Balancer returns the balancer called name ("balancer://x"), or nil.
func (s *ProxyServer) Balancer(name string) *ProxyBalancer {
	for i := range s.Balancers {
		if s.Balancers[i].Name == strings.ToLower(name) {
			return &s.Balancers[i]
		}
	}
	return nil
}

// ProxyDirectives are the directives ProxyBuilder.Directive takes.
// ProxyPass, ProxyPassMatch, ProxyPassReverse and the cookie directives
// are allowed in the server config, <VirtualHost> and <Location> (not
// <Directory>, <Files> or .htaccess: Apache's NOT_IN_DIRECTORY|
// NOT_IN_FILES); ProxyPreserveHost and ProxyAddHeaders also in
// <Location>; ProxyTimeout, ProxyRequests, ProxyVia only at server level;
// BalancerMember and ProxySet at server level or in <Proxy balancer://>.
var ProxyDirectives = []string{
	"ProxyPass", "ProxyPassMatch", "ProxyPassReverse",
	"ProxyPassReverseCookieDomain", "ProxyPassReverseCookiePath",
	"ProxyPreserveHost", "ProxyAddHeaders", "ProxyTimeout",
	"ProxyRequests", "ProxyVia", "BalancerMember", "ProxySet",
}

// ProxyContainers are the section tags ProxyBuilder.OpenProxy takes
// (<Proxy balancer://name> only; <ProxyMatch> and <Proxy> for other URLs
// are refused).
var ProxyContainers = []string{"Proxy"}

// ProxyBuilder builds a server's ProxyServer and its sections' ProxyDir
// from their directives, in the order the walker meets them:
//
//	var b conf.ProxyBuilder
//	b.Directive("", "ProxyPass", []string{"/app/", "http://127.0.0.1:8080/"})
//	b.OpenProxy([]string{"balancer://pool"})    // <Proxy balancer://pool>
//	b.Directive("", "BalancerMember", []string{"http://127.0.0.1:8081"})
//	b.CloseProxy()                               // </Proxy>
//	b.Directive("/ws", "ProxyPass", []string{"ws://127.0.0.1:8082/"}) // in <Location /ws>
//	srv, err := b.Finish()                       // the server's ProxyServer
//	loc := b.Dir("/ws")                          // the <Location /ws> ProxyDir
//
// The first argument of Directive is the enclosing <Location>'s path ("" at
// server or virtual host level), which gives the one-argument forms their
// path, as Apache's cmd->path. A ProxyBuilder is used for one server or
// virtual host. Errors carry Apache's texts without position.
type ProxyBuilder struct {
	srv      ProxyServer
	dirs     map[string]*ProxyDir
	inProxy  string // balancer name of the open <Proxy>, "" none
	finished bool
	parent   *ProxyServer // the main server's, for a virtual host (Inherit)
}

// OpenProxy opens a <Proxy url> section. Only balancer:// sections are
// supported (a <Proxy http://...> section configures forward proxying or
// access to a worker: refused).
func (b *ProxyBuilder) OpenProxy(args []string) error {
	if len(args) == 0 || args[0] == "" {
		return errors.New("<Proxy > block must specify a path")
	}
	if len(args) > 1 {
		return errors.New("Multiple <ProxyMatch> arguments not (yet) supported.")
	}
	name := args[0]
	if !validBalancerName(name) {
		return fmt.Errorf("<Proxy %s> is not supported by gohttpd: only <Proxy balancer://name> sections are", name)
	}
	bal, _ := b.balancer(name)
	b.inProxy = bal.Name
	return nil
}

// CloseProxy closes the <Proxy> section.
func (b *ProxyBuilder) CloseProxy() { b.inProxy = "" }

// Dir returns the ProxyDir built for the <Location path> section, nil
// when it had no proxy directives.
func (b *ProxyBuilder) Dir(path string) *ProxyDir { return b.dirs[path] }

// Finish returns the server's configuration. Every ProxyPass to a
// balancer must name a defined balancer with at least one member (in
// this server, or for a virtual host in the main server: Inherit).
func (b *ProxyBuilder) Finish() (*ProxyServer, error) {
	for _, p := range b.srv.Passes {
		if err := b.checkBalancer(&p); err != nil {
			return nil, err
		}
	}
	for _, d := range b.dirs {
		if d.Alias != nil {
			if err := b.checkBalancer(d.Alias); err != nil {
				return nil, err
			}
		}
	}
	b.finished = true
	s := b.srv
	return &s, nil
}

func (b *ProxyBuilder) checkBalancer(p *ProxyPass) error {
	if p.Balancer == "" {
		return nil
	}
	bal := b.srv.Balancer(p.Balancer)
	if (bal == nil || len(bal.Members) == 0) && b.parent != nil {
		bal = b.parent.Balancer(p.Balancer)
	}
	if bal == nil || len(bal.Members) == 0 {
		return fmt.Errorf("ProxyPass %s: balancer has no BalancerMember", p.Balancer)
	}
	return nil
}

// Inherit gives a virtual host's builder the main server's configuration,
// whose balancers its ProxyPass lines may use (MergeProxyServer).
func (b *ProxyBuilder) Inherit(main *ProxyServer) { b.parent = main }

func (b *ProxyBuilder) dir(location string) *ProxyDir {
	if location == "" {
		if b.srv.Dir == nil {
			b.srv.Dir = &ProxyDir{}
		}
		return b.srv.Dir
	}
	if b.dirs == nil {
		b.dirs = make(map[string]*ProxyDir)
	}
	d := b.dirs[location]
	if d == nil {
		d = &ProxyDir{}
		b.dirs[location] = d
	}
	return d
}

// balancer finds or defines the balancer called name.
func (b *ProxyBuilder) balancer(name string) (*ProxyBalancer, error) {
	name = strings.ToLower(balancerBase(name))
	if bal := b.srv.Balancer(name); bal != nil {
		return bal, nil
	}
	b.srv.Balancers = append(b.srv.Balancers, ProxyBalancer{Name: name, MaxAttempts: -1})
	return &b.srv.Balancers[len(b.srv.Balancers)-1], nil
}

// Directive applies one directive of ProxyDirectives (name in any case)
// with its arguments as the lexer split them. location is the enclosing
// <Location>'s path, "" outside one.
func (b *ProxyBuilder) Directive(location, name string, args []string) error {
	switch strings.ToLower(name) {
	case "proxypass":
		return b.pass(location, args, false)
	case "proxypassmatch":
		return b.pass(location, args, true)
	case "proxypassreverse":
		return b.passReverse(location, args)
	case "proxypassreversecookiedomain", "proxypassreversecookiepath":
		if len(args) < 2 || len(args) > 3 {
			return fmt.Errorf("%s takes two or three arguments", canonicalProxy(name))
		}
		if len(args) == 3 {
			if !strings.EqualFold(args[2], "interpolate") {
				return fmt.Errorf("%s: third argument must be \"interpolate\"", canonicalProxy(name))
			}
			return fmt.Errorf("%s interpolate is not supported by gohttpd", canonicalProxy(name))
		}
		d := b.dir(location)
		e := ProxyReverse{Fake: args[0], Real: args[1]}
		if strings.EqualFold(name, "ProxyPassReverseCookieDomain") {
			d.CookieDomains = append(d.CookieDomains, e)
		} else {
			d.CookiePaths = append(d.CookiePaths, e)
		}
		return nil
	case "proxypreservehost", "proxyaddheaders", "proxyrequests", "proxyvia":
		if len(args) != 1 {
			return fmt.Errorf("%s takes one argument, %s", canonicalProxy(name), proxyFlagHelp(name))
		}
		return b.flag(location, strings.ToLower(name), args[0])
	case "proxytimeout":
		if len(args) != 1 {
			return errors.New("ProxyTimeout takes one argument, Set the timeout (in seconds) for a proxied connection. This overrides the server timeout")
		}
		if location != "" {
			return errors.New("ProxyTimeout not allowed in <Location> context")
		}
		t, err := ParseProxyTimeout(args[0])
		if err != nil {
			return err
		}
		b.srv.Timeout = t
		return nil
	case "balancermember":
		return b.member(location, args)
	case "proxyset":
		return b.set(args)
	}
	return fmt.Errorf("%s is not a proxy directive", name)
}

func canonicalProxy(name string) string {
	for _, d := range ProxyDirectives {
		if strings.EqualFold(d, name) {
			return d
		}
	}
	return name
}

func proxyFlagHelp(name string) string {
	switch strings.ToLower(name) {
	case "proxypreservehost":
		return "on if we should preserve host header while proxying"
	case "proxyaddheaders":
		return "on if X-Forwarded-* headers should be added or completed"
	case "proxyrequests":
		return "on if the true proxy requests should be accepted"
	}
	return "Configure Via: proxy header header to one of: on | off | block | full"
}

// ParseProxyTimeout is set_proxy_timeout: atoi seconds, at least 1.
func ParseProxyTimeout(arg string) (time.Duration, error) {
	n := atoi(arg)
	if n < 1 {
		return 0, errors.New("Proxy Timeout must be at least 1 second.")
	}
	return time.Duration(n) * time.Second, nil
}

func (b *ProxyBuilder) flag(location, name, v string) error {
	on := strings.EqualFold(v, "on")
	if !on && !strings.EqualFold(v, "off") && name != "proxyvia" {
		return fmt.Errorf("%s must be On or Off", canonicalProxy(name))
	}
	switch name {
	case "proxypreservehost":
		d := b.dir(location)
		d.PreserveHost, d.PreserveHostSet = on, true
	case "proxyaddheaders":
		d := b.dir(location)
		d.NoAddHeaders, d.AddHeadersSet = !on, true
	case "proxyrequests":
		if location != "" {
			return errors.New("ProxyRequests not allowed in <Location> context")
		}
		if on {
			return errors.New("ProxyRequests On (a forward proxy) is not supported by gohttpd")
		}
	case "proxyvia":
		if location != "" {
			return errors.New("ProxyVia not allowed in <Location> context")
		}
		switch strings.ToLower(v) {
		case "off":
		case "on", "full", "block":
			return fmt.Errorf("ProxyVia %s is not supported by gohttpd (only Off)", v)
		default:
			return errors.New("ProxyVia must be one of: off | on | full | block")
		}
	}
	return nil
}

// pass is add_pass.
func (b *ProxyBuilder) pass(location string, args []string, isRegex bool) error {
	if b.inProxy != "" {
		if len(args) > 1 && strings.HasPrefix(args[0], "/") {
			return errors.New("ProxyPass|ProxyPassMatch can not have a path when defined in a location.")
		}
		return fmt.Errorf("%s inside <Proxy> is not supported by gohttpd", passName(isRegex))
	}
	var (
		p       ProxyPass
		f, r    string
		hasF    = location != ""
		hasR    bool
		params  [][2]string
		regex   = isRegex
		nocanon bool
	)
	f = location
	for _, word := range args {
		switch {
		case !hasF:
			if word == "~" {
				if isRegex {
					return errors.New("ProxyPassMatch invalid syntax ('~' usage).")
				}
				regex = true
				continue
			}
			f, hasF = word, true
		case !hasR:
			r, hasR = word, true
		case strings.EqualFold(word, "nocanon"):
			nocanon = true
		case strings.EqualFold(word, "interpolate"):
			return fmt.Errorf("%s interpolate is not supported by gohttpd", passName(isRegex))
		case strings.EqualFold(word, "noquery"):
			p.NoQuery = true
		default:
			key, val, ok := strings.Cut(word, "=")
			if !ok {
				if location != "" && strings.HasPrefix(r, "/") {
					return errors.New("ProxyPass|ProxyPassMatch can not have a path when defined in a location.")
				}
				return errors.New("Invalid ProxyPass|ProxyPassMatch parameter. Parameter must be in the form 'key=value'.")
			}
			if strings.EqualFold(key, "mapping") {
				if !strings.EqualFold(val, "encoded") && !strings.EqualFold(val, "servlet") {
					return errors.New("unknown mapping")
				}
				return fmt.Errorf("%s mapping=%s is not supported by gohttpd", passName(isRegex), val)
			}
			params = append(params, [2]string{key, val})
		}
	}
	if !hasR {
		return errors.New("ProxyPass|ProxyPassMatch needs a path when not defined in a location")
	}
	if strings.HasPrefix(strings.ToLower(r), "unix:") {
		return fmt.Errorf("%s to a unix: socket is not supported by gohttpd", passName(isRegex))
	}
	if nocanon {
		return fmt.Errorf("%s nocanon is not supported by gohttpd", passName(isRegex))
	}
	if location != "" && hasWildcard(location) {
		regex = true // apr_fnmatch_test(f): compiled as a regex, as Apache does
	}
	p.Path, p.Regex = f, regex
	if regex {
		if _, err := regexp.Compile(f); err != nil {
			return errors.New("Regular expression could not be compiled.")
		}
	}
	if r == "!" {
		p.Exclude = true
		b.addPass(location, p)
		return nil
	}
	if validBalancerName(r) {
		bal, _ := b.balancer(r)
		p.URL = r
		p.Balancer = bal.Name
		for _, kv := range params {
			if err := setBalancerParam(bal, kv[0], kv[1]); err != nil {
				return fmt.Errorf("ProxyPass %w", err)
			}
		}
		b.addPass(location, p)
		return nil
	}
	w, err := parseWorkerURL(r, regex)
	if err != nil {
		return fmt.Errorf("ProxyPass %w", err)
	}
	for _, kv := range params {
		if err := setWorkerParam(&w, kv[0], kv[1]); err != nil {
			return fmt.Errorf("ProxyPass %w", err)
		}
	}
	p.URL = r
	p.Worker = w
	b.addPass(location, p)
	return nil
}

func (b *ProxyBuilder) addPass(location string, p ProxyPass) {
	if location != "" {
		b.dir(location).Alias = &p
		return
	}
	b.srv.Passes = append(b.srv.Passes, p)
}

func passName(isRegex bool) string {
	if isRegex {
		return "ProxyPassMatch"
	}
	return "ProxyPass"
}

// validBalancerName is ap_proxy_valid_balancer_name: "balancer://" and a
// name.
func validBalancerName(s string) bool {
	return len(s) > len("balancer://") && strings.EqualFold(s[:len("balancer://")], "balancer://")
}

// balancerBase is "balancer://name" without any path after the name.
func balancerBase(s string) string {
	rest := s[len("balancer://"):]
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest = rest[:i]
	}
	return "balancer://" + rest
}

// parseWorkerURL checks a backend URL as ap_proxy_define_worker does and
// as gohttpd needs it: an absolute http(s) or ws(s) URL whose scheme and
// host come from the configuration only. In a ProxyPassMatch target a
// $N substitution may only appear in the path.
func parseWorkerURL(raw string, regex bool) (ProxyWorker, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || scheme == "" {
		return ProxyWorker{}, fmt.Errorf("URL must be absolute!: %s", raw)
	}
	scheme = strings.ToLower(scheme)
	authority, path := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	if authority == "" {
		return ProxyWorker{}, fmt.Errorf("URL must be absolute!: %s", raw)
	}
	switch scheme {
	case "http", "https", "ws", "wss":
	default:
		return ProxyWorker{}, fmt.Errorf("%s: scheme %s is not supported by gohttpd (http, https, ws, wss)", raw, scheme)
	}
	if regex && strings.ContainsAny(authority, "$") {
		return ProxyWorker{}, fmt.Errorf("%s: gohttpd takes the backend host from the configuration only, no $N in it", raw)
	}
	if strings.ContainsAny(authority, "@") {
		return ProxyWorker{}, fmt.Errorf("%s: user information in a backend URL is not supported by gohttpd", raw)
	}
	u, err := url.Parse(scheme + "://" + authority)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return ProxyWorker{}, fmt.Errorf("Unable to parse URL: %s", raw)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return ProxyWorker{}, fmt.Errorf("Unable to parse URL: %s", raw)
		}
	}
	if strings.ContainsAny(path, "?#") {
		return ProxyWorker{}, fmt.Errorf("%s: a query or fragment in a backend URL is not supported by gohttpd", raw)
	}
	if strings.ContainsFunc(path, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return ProxyWorker{}, fmt.Errorf("Unable to parse URL: %s", raw)
	}
	w := ProxyWorker{URL: scheme + "://" + strings.ToLower(u.Host) + path}
	if scheme == "ws" || scheme == "wss" {
		w.Upgrade = "websocket"
	}
	return w, nil
}

// ProxyHostPort returns the dial address (host:port, the scheme's default
// port when none is given) and the URL path of a worker URL built by conf.
func ProxyHostPort(workerURL string) (scheme, hostport, path string) {
	scheme, rest, _ := strings.Cut(workerURL, "://")
	hostport = rest
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		hostport, path = rest[:i], rest[i:]
	}
	if _, _, err := net.SplitHostPort(hostport); err != nil {
		port := "80"
		if scheme == "https" || scheme == "wss" {
			port = "443"
		}
		h := strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]")
		hostport = net.JoinHostPort(h, port)
	}
	return scheme, hostport, path
}

// setWorkerParam is set_worker_param for the keys gohttpd implements;
// Apache's other keys are refused by name, unknown ones with Apache's
// text.
func setWorkerParam(w *ProxyWorker, key, val string) error {
	switch strings.ToLower(key) {
	case "loadfactor":
		n := int(atof(val) * 100)
		if n < 100 || n > 10000 {
			return errors.New("LoadFactor must be a number between 1..100")
		}
		w.LoadFactor = n
	case "retry":
		// Apache 2.4: whole seconds (atoi), 0 allowed (retry at once).
		n := atoi(val)
		if n < 0 {
			return errors.New("Retry must be a positive value")
		}
		w.Retry, w.RetrySet = time.Duration(n)*time.Second, true
	case "ttl":
		n := atoi(val)
		if n < 1 {
			return errors.New("TTL must be at least one second")
		}
		w.TTL = time.Duration(n) * time.Second
	case "min":
		if atoi(val) < 0 {
			return errors.New("Min must be a positive number")
		}
	case "smax":
		if atoi(val) < 0 {
			return errors.New("Smax must be a positive number")
		}
	case "max":
		n := atoi(val)
		if n < 0 {
			return errors.New("Max must be a positive number")
		}
		w.Max = n
	case "timeout":
		// Apache 2.4: whole seconds (atoi), at least 1.
		n := atoi(val)
		if n < 1 {
			return errors.New("Timeout must be at least one second")
		}
		w.Timeout = time.Duration(n) * time.Second
	case "connectiontimeout":
		t, ok := parseTimeout(val, "s")
		if !ok {
			return errors.New("Connectiontimeout has wrong format")
		}
		if t < time.Millisecond {
			return errors.New("Connectiontimeout must be at least one millisecond.")
		}
		w.ConnectionTimeout = t
	case "keepalive":
		on, err := onOffParam(val, "KeepAlive must be On|Off")
		if err != nil {
			return err
		}
		w.KeepAlive = on
	case "disablereuse", "enablereuse":
		msg := "DisableReuse must be On|Off"
		if strings.EqualFold(key, "enablereuse") {
			msg = "EnableReuse must be On|Off"
		}
		on, err := onOffParam(val, msg)
		if err != nil {
			return err
		}
		w.DisableReuse = on == strings.EqualFold(key, "disablereuse")
	case "upgrade":
		if len(val) >= 16 {
			return errors.New("upgrade protocol length must be < 16 characters")
		}
		if strings.EqualFold(val, "ANY") {
			val = "*"
		}
		w.Upgrade = strings.ToLower(val)
	case "acquire":
		t, ok := parseTimeout(val, "ms")
		if !ok {
			return errors.New("Acquire timeout has wrong format")
		}
		if t < time.Millisecond {
			return errors.New("Acquire must be at least one millisecond")
		}
		w.Acquire = t
	case "iobuffersize", "receivebuffersize", "addressttl", "route",
		"redirect", "status", "flushpackets", "flushwait", "ping", "lbset",
		"flusher", "secret", "responsefieldsize", "multipathtcp",
		"hcmethod", "hcexpr", "hcinterval", "hcpasses", "hcfails", "hcuri", "hctemplate":
		return fmt.Errorf("parameter %s= is not supported by gohttpd", strings.ToLower(key))
	default:
		return errors.New("unknown Worker parameter")
	}
	return nil
}

func onOffParam(val, msg string) (bool, error) {
	switch {
	case strings.EqualFold(val, "on"):
		return true, nil
	case strings.EqualFold(val, "off"):
		return false, nil
	}
	return false, errors.New(msg)
}

// setBalancerParam is set_balancer_param for lbmethod and maxattempts.
func setBalancerParam(bal *ProxyBalancer, key, val string) error {
	switch strings.ToLower(key) {
	case "lbmethod":
		switch m := ProxyLBMethod(strings.ToLower(val)); m {
		case LBByRequests, LBByBusyness:
			bal.LBMethod = m
		default:
			return errors.New("unknown lbmethod")
		}
	case "maxattempts":
		n := atoi(val)
		if n < 0 {
			return errors.New("maximum number of attempts must be a positive number")
		}
		bal.MaxAttempts = n
	case "forcerecovery":
		on, err := onOffParam(val, "forcerecovery must be On|Off")
		if err != nil {
			return err
		}
		bal.NoForceRecovery = !on
	case "stickysession", "stickysessionsep", "nofailover", "timeout",
		"scolonpathdelim", "failonstatus", "failontimeout", "nonce",
		"growth":
		return fmt.Errorf("parameter %s= is not supported by gohttpd", strings.ToLower(key))
	default:
		return errors.New("unknown Balancer parameter")
	}
	return nil
}

// member is add_member.
func (b *ProxyBuilder) member(location string, args []string) error {
	var path, name string
	path = b.inProxy
	if location != "" {
		path = location
	}
	var params [][2]string
	for _, word := range args {
		key, val, ok := strings.Cut(word, "=")
		if !ok {
			switch {
			case path == "":
				path = word
			case name == "":
				name = word
			case location != "":
				return errors.New("BalancerMember can not have a balancer name when defined in a location")
			default:
				return errors.New("Invalid BalancerMember parameter. Parameter must be in the form 'key=value'")
			}
			continue
		}
		params = append(params, [2]string{key, val})
	}
	if path == "" {
		return errors.New("BalancerMember must define balancer name when outside <Proxy > section")
	}
	if name == "" {
		return errors.New("BalancerMember must define remote proxy server")
	}
	if strings.HasPrefix(strings.ToLower(name), "unix:") {
		return errors.New("BalancerMember to a unix: socket is not supported by gohttpd")
	}
	if !validBalancerName(path) {
		return fmt.Errorf("BalancerMember %s: not a balancer:// name", path)
	}
	bal, _ := b.balancer(path)
	w, err := parseWorkerURL(name, false)
	if err != nil {
		return fmt.Errorf("BalancerMember %w", err)
	}
	for _, kv := range params {
		if err := setWorkerParam(&w, kv[0], kv[1]); err != nil {
			return fmt.Errorf("BalancerMember %w", err)
		}
	}
	for _, m := range bal.Members {
		if m.URL == w.URL {
			return nil // Apache shares the worker and ignores the parameters (AH01150)
		}
	}
	bal.Members = append(bal.Members, w)
	return nil
}

// set is set_proxy_param for balancers.
func (b *ProxyBuilder) set(args []string) error {
	name := b.inProxy
	var params [][2]string
	for _, word := range args {
		key, val, ok := strings.Cut(word, "=")
		if !ok {
			if name == "" {
				name = word
				continue
			}
			return errors.New("Invalid ProxySet parameter. Parameter must be in the form 'key=value'")
		}
		params = append(params, [2]string{key, val})
	}
	if name == "" {
		return errors.New("ProxySet needs a balancer name when outside <Proxy >")
	}
	if !validBalancerName(name) {
		return fmt.Errorf("ProxySet %s: only balancer:// names are supported by gohttpd", name)
	}
	if b.inProxy == "" && b.srv.Balancer(balancerBase(name)) == nil {
		return fmt.Errorf("ProxySet can not find '%s' Balancer.", name)
	}
	bal, _ := b.balancer(name)
	for _, kv := range params {
		if err := setBalancerParam(bal, kv[0], kv[1]); err != nil {
			return fmt.Errorf("ProxySet: %w %s=%s; %s", err, kv[0], kv[1], bal.Name)
		}
	}
	return nil
}

// passReverse is add_pass_reverse.
func (b *ProxyBuilder) passReverse(location string, args []string) error {
	if len(args) < 1 || len(args) > 3 {
		return errors.New("ProxyPassReverse takes one to three arguments")
	}
	f := args[0]
	var r, i string
	if len(args) > 1 {
		r = args[1]
	}
	if len(args) > 2 {
		i = args[2]
	}
	var e ProxyReverse
	interp := false
	if location == "" {
		if r == "" || strings.EqualFold(r, "interpolate") {
			return errors.New("ProxyPassReverse needs a path when not defined in a location")
		}
		e = ProxyReverse{Fake: f, Real: r}
		interp = i != ""
	} else {
		if r != "" && !strings.EqualFold(r, "interpolate") {
			return errors.New("ProxyPassReverse can not have a path when defined in a location")
		}
		e = ProxyReverse{Fake: location, Real: f}
		interp = r != ""
	}
	if interp {
		return errors.New("ProxyPassReverse interpolate is not supported by gohttpd")
	}
	d := b.dir(location)
	d.Reverse = append(d.Reverse, e)
	return nil
}

// atof is C's atof: the longest leading decimal number, 0 when none.
func atof(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	end := 0
	for end < len(s) && strings.IndexByte("+-.0123456789eE", s[end]) >= 0 {
		end++
	}
	for ; end > 0; end-- {
		if f, err := strconv.ParseFloat(s[:end], 64); err == nil {
			return f
		}
	}
	return 0
}
