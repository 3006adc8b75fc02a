package conf

// Virtual hosts: the identity of a <VirtualHost> (its addresses, ServerName,
// ServerAlias, where it was written) with Apache's parsing, name resolution
// and defaults (server/vhost.c, server/core.c), UseCanonicalName, and the
// check that every address of a <VirtualHost> can be reached through a
// Listen. Selection at run time is in site/vhost.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// VHostAddr is one address of a <VirtualHost> after resolution (Apache's
// server_addr_rec). A host name that resolves to several addresses gives
// one VHostAddr per address, all with the same Host.
type VHostAddr struct {
	// Host is the host part as written, without brackets and port
	// (sar->virthost): "*", "_default_", "127.0.0.1", "::1",
	// "www.example.com". A request whose Host header equals it selects
	// the vhost when no ServerName or ServerAlias matched.
	Host string `json:"host"`
	// IP is the address connections must arrive on; the unspecified
	// address 0.0.0.0 for "*" and "_default_" (and for a literal 0.0.0.0
	// or [::]), which matches any local address.
	IP netip.Addr `json:"ip"`
	// Port is the port; 0 means any port (":*", or no port while no
	// ServerName with a port preceded the <VirtualHost> line).
	Port int `json:"port"`
}

// Wildcard reports whether the address is "*", "_default_" or an
// all-zero literal: such addresses go to Apache's default list and match
// any local address that no exact address claims.
func (a VHostAddr) Wildcard() bool { return a.IP.IsUnspecified() || !a.IP.IsValid() }

// String formats the address as `apache2 -S` does: "*:80", "127.0.0.1:80",
// "[::1]:80", with "*" for any port.
func (a VHostAddr) String() string {
	port := "*"
	if a.Port != 0 {
		port = strconv.Itoa(a.Port)
	}
	switch {
	case a.Wildcard():
		return "*:" + port
	case a.IP.Is6() && !a.IP.Is4In6():
		return "[" + a.IP.String() + "]:" + port
	}
	return a.IP.Unmap().String() + ":" + port
}

// ServerName is a parsed ServerName argument:
// [scheme://]fully-qualified-domain-name[:port].
type ServerName struct {
	// Scheme is lower-cased ("https"), "" when not given.
	Scheme string `json:"scheme,omitempty"`
	// Host is the name as written (case kept: %v and -S print it so).
	Host string `json:"host"`
	// Port is 1..65535, or 0 when not given.
	Port int `json:"port,omitempty"`
}

// ParseServerName parses a ServerName argument as server_hostname_port
// does, with Apache's error texts.
func ParseServerName(arg string) (ServerName, error) {
	if strings.ContainsAny(arg, "*?[") { // apr_fnmatch_test
		return ServerName{}, fmt.Errorf("Invalid ServerName \"%s\" use ServerAlias to set multiple server names.", arg)
	}
	var sn ServerName
	part := arg
	if scheme, rest, ok := strings.Cut(arg, "://"); ok {
		sn.Scheme = strings.ToLower(scheme)
		part = rest
	}
	host, portStr, hasPort := strings.Cut(part, ":")
	sn.Host = host
	if hasPort {
		if sn.Port = cAtoi(portStr); sn.Port <= 0 || sn.Port >= 65536 {
			return ServerName{}, fmt.Errorf("The port number \"%s\" is outside the appropriate range (i.e., 1..65535).", arg)
		}
	}
	return sn, nil
}

// cAtoi is C's atoi for the values that matter here: leading blanks and a
// sign, then digits up to the first non-digit; values beyond the int range
// saturate (atoi's overflow is undefined; every such value is out of the
// port range anyway).
func cAtoi(s string) int {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n < 1<<30 {
			n = n*10 + int(s[i]-'0')
		}
	}
	if neg {
		return -n
	}
	return n
}

// VirtualHost is the identity of one <VirtualHost> section: what decides
// which requests it gets. The other directives inside it (DocumentRoot,
// logs, sections, access control) are the site's; they are not here.
type VirtualHost struct {
	// File and Line are where the <VirtualHost> line is (defn_name,
	// defn_line_number): -S and log lines print them.
	File string `json:"file"`
	Line int    `json:"line"`
	// Args is the section's argument text, for messages
	// ("127.0.0.1:80 [::1]:80").
	Args string `json:"args"`
	// Addrs are the resolved addresses in the order written. It may be
	// empty when every name failed to resolve (Apache's AH00547): such a
	// vhost is never selected.
	Addrs []VHostAddr `json:"addrs"`

	// Name is the ServerName; Name.Host is "" when the section has none
	// (see FinishVirtualHosts). NameSet reports a ServerName directive.
	Name    ServerName `json:"name"`
	NameSet bool       `json:"nameSet,omitempty"`
	// Port is the vhost's port (server_rec->port): the ServerName's port
	// when the section has a ServerName (0 if it has none), else the port
	// of the first address, else the main server's port at the time the
	// <VirtualHost> line was read. 0 means the scheme's default port.
	Port int `json:"port"`

	// ServerPath is the ServerPath directive ("" none): a request without
	// a Host header whose path starts with it goes to this vhost of its
	// name-based set.
	ServerPath string `json:"serverPath,omitempty"`

	// Aliases are the ServerAlias names without wildcards, WildAliases
	// those with '*' or '?', each in the order written.
	Aliases     []string `json:"aliases,omitempty"`
	WildAliases []string `json:"wildAliases,omitempty"`
}

// Pos is "file:line" of the <VirtualHost> line, as -S prints it.
func (v *VirtualHost) Pos() string { return v.File + ":" + strconv.Itoa(v.Line) }

// Resolver looks up names as Apache does at startup: the addresses of a
// name in <VirtualHost> (apr_sockaddr_info_get) and the name of an
// address (apr_getnameinfo with NI_NAMEREQD). *net.Resolver implements it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

func resolverOr(r Resolver) Resolver {
	if r == nil {
		return net.DefaultResolver
	}
	return r
}

// NewVirtualHost parses the arguments of a <VirtualHost> line at file:line
// as ap_init_virtual_host does. args are the words of the line (Apache
// splits them with ap_getword_conf); mainPort is the main server's port at
// that point of the configuration: the port of a ServerName given before
// the line, else 0. Names are resolved with r (nil: net.DefaultResolver).
//
// An invalid address is an error with Apache's text ("The address or port
// is invalid", "Missing address for VirtualHost"), wrapped in an *Error
// naming file, line and "<VirtualHost>". A name that does not resolve is
// Apache's AH00547 error-level message, returned as a warning: the address
// is dropped and the section is kept, as Apache does.
func NewVirtualHost(ctx context.Context, file string, line int, args []string, mainPort int, r Resolver) (*VirtualHost, []string, error) {
	v := &VirtualHost{File: file, Line: line, Args: strings.Join(args, " "), Port: mainPort}
	fail := func(err error) (*VirtualHost, []string, error) {
		return nil, nil, &Error{File: file, Line: line, Directive: "<VirtualHost>", Err: err}
	}
	if len(args) == 0 {
		return fail(errors.New("<VirtualHost> directive requires additional arguments"))
	}
	var warnings []string
	for _, w := range args {
		if w == "" {
			continue
		}
		addrs, warn, err := ParseVHostAddr(ctx, w, mainPort, r)
		if err != nil {
			return fail(err)
		}
		if warn != "" {
			warnings = append(warnings, v.Pos()+": "+warn)
		}
		v.Addrs = append(v.Addrs, addrs...)
	}
	if len(v.Addrs) > 0 && v.Addrs[0].Port != 0 {
		v.Port = v.Addrs[0].Port
	}
	return v, warnings, nil
}

// Errors of ParseVHostAddr, in Apache's words.
var (
	ErrVHostAddrInvalid = errors.New("The address or port is invalid")
	ErrVHostAddrMissing = errors.New("Missing address for VirtualHost")
)

// ParseVHostAddr parses one <VirtualHost> address (get_addresses):
// "addr[:port]" where addr is an IPv4 literal, "[IPv6]", "*", "_default_"
// or a host name, and port a number, "*" (any port) or absent (defPort,
// which may be 0 = any). A name is resolved with r and gives all its
// addresses; when it does not resolve, the result is empty and warning is
// Apache's AH00547 message.
func ParseVHostAddr(ctx context.Context, w string, defPort int, r Resolver) (addrs []VHostAddr, warning string, err error) {
	if w == "" {
		return nil, "", nil
	}
	wild := false
	if strings.HasSuffix(w, "*") {
		if len(w) < 2 {
			wild = true
		} else if w[len(w)-2] == ':' {
			w = w[:len(w)-2]
			wild = true
		}
	}
	host, port, ok := parseAddrPort(w)
	var scope string
	if strings.HasPrefix(w, "[") {
		host, scope, _ = strings.Cut(host, "%")
	}
	if !ok {
		return nil, "", ErrVHostAddrInvalid
	}
	if host == "" {
		return nil, "", ErrVHostAddrMissing
	}
	if port == 0 && !wild {
		port = defPort
	}
	if host == "*" || strings.EqualFold(host, "_default_") {
		return []VHostAddr{{Host: host, IP: netip.IPv4Unspecified(), Port: port}}, "", nil
	}
	var ips []netip.Addr
	if ip, perr := netip.ParseAddr(host); perr == nil {
		ips = []netip.Addr{ip}
	} else {
		ips, err = resolverOr(r).LookupNetIP(ctx, "ip", host)
		if err != nil || len(ips) == 0 {
			return nil, fmt.Sprintf("AH00547: Could not resolve host name %s -- ignoring!", host), nil
		}
	}
	for _, ip := range ips {
		ip = ip.Unmap()
		if scope != "" {
			if !ip.Is6() {
				return nil, "", ErrVHostAddrInvalid
			}
			ip = ip.WithZone(scope)
		}
		addrs = append(addrs, VHostAddr{Host: host, IP: ip, Port: port})
	}
	return addrs, "", nil
}

// SetServerName records a ServerName directive inside the section; like
// Apache it also sets the vhost's port (to 0 when the name has none).
func (v *VirtualHost) SetServerName(sn ServerName) {
	v.Name, v.NameSet, v.Port = sn, true, sn.Port
}

// ErrServerAliasOutsideVHost is set_server_alias's error for a ServerAlias
// in the main server.
var ErrServerAliasOutsideVHost = errors.New("ServerAlias only used in <VirtualHost>")

// AddServerAlias records a ServerAlias directive's names: those with '*'
// or '?' (ap_is_matchexp) are wildcard patterns, matched with
// ap_strcasecmp_match; the others are matched exactly, ignoring case.
func (v *VirtualHost) AddServerAlias(names ...string) {
	for _, n := range names {
		if strings.ContainsAny(n, "*?") {
			v.WildAliases = append(v.WildAliases, n)
		} else {
			v.Aliases = append(v.Aliases, n)
		}
	}
}

// FinishVirtualHosts gives every vhost without a ServerName the name
// Apache's ap_fini_vhost_config gives it: the main server's name
// (mainName) when one of its addresses is "*" or "_default_";
// "bogus_host_without_forward_dns" when it has no address left; else the
// name of its first address by reverse lookup with r, and when that fails
// "bogus_host_without_reverse_dns" with Apache's AH00549 message as a
// warning. Vhosts are changed in place.
func FinishVirtualHosts(ctx context.Context, vhosts []*VirtualHost, mainName string, r Resolver) (warnings []string) {
	for _, v := range vhosts {
		if v.NameSet || v.Name.Host != "" {
			continue
		}
		switch {
		case slices.ContainsFunc(v.Addrs, VHostAddr.Wildcard):
			v.Name.Host = mainName
		case len(v.Addrs) == 0:
			v.Name.Host = "bogus_host_without_forward_dns"
		default:
			if name, ok := reverseName(ctx, resolverOr(r), v.Addrs[0].IP); ok {
				v.Name.Host = name
			} else {
				v.Name.Host = "bogus_host_without_reverse_dns"
				warnings = append(warnings, fmt.Sprintf("%s: AH00549: Failed to resolve server name for %s (check DNS) -- or specify an explicit ServerName",
					v.Pos(), v.Addrs[0].IP.Unmap()))
			}
		}
	}
	return warnings
}

// reverseName is apr_getnameinfo with NI_NAMEREQD: the first name of ip,
// without the trailing dot Go's resolver adds.
func reverseName(ctx context.Context, r Resolver, ip netip.Addr) (string, bool) {
	names, err := r.LookupAddr(ctx, ip.Unmap().String())
	if err != nil || len(names) == 0 || strings.TrimSuffix(names[0], ".") == "" {
		return "", false
	}
	return strings.TrimSuffix(names[0], "."), true
}

// LocalHostName is ap_get_local_host, the main server's name when the
// configuration has no ServerName: the host name's reverse-resolved name
// when it has a dot, else the host name when it has a dot, else the host
// name's address; and Apache's AH00558 alert (which names the program as
// argv0) unless the first case applies.
func LocalHostName(ctx context.Context, hostname, argv0 string, r Resolver) (name, alert string) {
	r = resolverOr(r)
	if hostname != "" {
		if ips, err := r.LookupNetIP(ctx, "ip", hostname); err == nil && len(ips) > 0 {
			if n, ok := reverseName(ctx, r, ips[0]); ok && strings.Contains(n, ".") {
				return n, ""
			}
			if strings.Contains(hostname, ".") {
				name = hostname
			} else {
				name = ips[0].Unmap().String()
			}
		}
	}
	if name == "" {
		name = "127.0.0.1"
	}
	return name, fmt.Sprintf("AH00558: %s: Could not reliably determine the server's fully qualified domain name, using %s. Set the 'ServerName' directive globally to suppress this message", argv0, name)
}

// UseCanonicalName is the UseCanonicalName setting of a section.
type UseCanonicalName uint8

const (
	// CanonicalUnset behaves as Off.
	CanonicalUnset UseCanonicalName = iota
	CanonicalOn
	CanonicalOff
	CanonicalDNS
)

// ParseUseCanonicalName parses UseCanonicalName's argument
// (set_use_canonical_name).
func ParseUseCanonicalName(arg string) (UseCanonicalName, error) {
	switch strings.ToLower(arg) {
	case "on":
		return CanonicalOn, nil
	case "off":
		return CanonicalOff, nil
	case "dns":
		return CanonicalDNS, nil
	}
	return CanonicalUnset, errors.New("parameter must be 'on', 'off', or 'dns'")
}

// MergeCanonicalName is the per-directory merge: the child's setting when
// it has one.
func MergeCanonicalName(base, child UseCanonicalName) UseCanonicalName {
	if child != CanonicalUnset {
		return child
	}
	return base
}

// String is the setting as written ("On", "Off", "DNS"; "" unset).
func (u UseCanonicalName) String() string {
	switch u {
	case CanonicalOn:
		return "On"
	case CanonicalOff:
		return "Off"
	case CanonicalDNS:
		return "DNS"
	}
	return ""
}

// ParseUseCanonicalPhysicalPort parses UseCanonicalPhysicalPort's
// argument (unset behaves as Off).
func ParseUseCanonicalPhysicalPort(arg string) (on bool, err error) {
	switch strings.ToLower(arg) {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, errors.New("parameter must be 'on' or 'off'")
}

// CheckVHostListen returns an *Error for every <VirtualHost> address that
// no Listen can deliver a connection to: an exact address needs a Listen
// on that address or on the wildcard, with the same port (any port for
// "addr:*"); "*:port" and "_default_:port" need a Listen on that port.
// Apache accepts such a vhost silently and it never gets a request;
// gohttpd refuses the configuration. Listen hosts that are names are
// resolved with r; addresses whose names did not resolve were already
// dropped by NewVirtualHost.
func CheckVHostListen(ctx context.Context, vhosts []*VirtualHost, listen []Listen, r Resolver) error {
	type lis struct {
		any  bool
		ips  []netip.Addr
		port int
	}
	ls := make([]lis, 0, len(listen))
	for _, l := range listen {
		x := lis{port: l.Port}
		switch ip, err := netip.ParseAddr(strings.Trim(l.Host, "[]")); {
		case l.Host == "":
			x.any = true
		case err == nil:
			x.ips = []netip.Addr{ip.Unmap()}
			x.any = ip.IsUnspecified()
		default:
			if ips, err := resolverOr(r).LookupNetIP(ctx, "ip", l.Host); err == nil {
				for _, ip := range ips {
					x.ips = append(x.ips, ip.Unmap())
				}
			}
		}
		ls = append(ls, x)
	}
	var errs []error
	for _, v := range vhosts {
		for _, a := range v.Addrs {
			reached := slices.ContainsFunc(ls, func(l lis) bool {
				if a.Port != 0 && a.Port != l.port {
					return false
				}
				return a.Wildcard() || l.any || slices.Contains(l.ips, a.IP.Unmap().WithZone(""))
			})
			if !reached {
				errs = append(errs, &Error{File: v.File, Line: v.Line, Directive: "<VirtualHost>",
					Err: fmt.Errorf("address %s of <VirtualHost %s> is not listened on: no Listen directive covers it, so it would never get a request (add \"Listen %s\" or fix the address)",
						a, v.Args, listenHint(a))})
			}
		}
	}
	return errors.Join(errs...)
}

// listenHint is the Listen argument that would make a reach.
func listenHint(a VHostAddr) string {
	switch {
	case a.Wildcard() && a.Port == 0:
		return "80"
	case a.Wildcard():
		return strconv.Itoa(a.Port)
	case a.Port == 0:
		return strings.TrimSuffix(a.String(), "*") + "80"
	}
	return a.String()
}
