package conf

// mod_remoteip directives: the types of RemoteIPHeader,
// RemoteIPProxiesHeader, RemoteIPTrustedProxy, RemoteIPInternalProxy, their
// -List forms, RemoteIPProxyProtocol and RemoteIPProxyProtocolExceptions,
// built by RemoteIPBuilder (one per server or virtual host; every
// directive is RSRC_CONF: server config and <VirtualHost> only, no
// .htaccess class) and combined by MergeRemoteIP (virtual host onto main
// server). The header algorithm is in site/remoteip, the PROXY protocol
// reader in internal/proxyproto (which takes plain options; see
// RemoteIPProxyProtocolTable and RemoteIPServer.ExceptionPrefixes).

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// RemoteIPProxy is one RemoteIPTrustedProxy or RemoteIPInternalProxy
// pattern (a host name is resolved when the configuration is read, one
// entry per address, as Apache's proxies_set).
type RemoteIPProxy struct {
	Match    IPMatch
	Internal bool `json:",omitempty"`
}

// RemoteIPServer is mod_remoteip's configuration of one server or virtual
// host (remoteip_config_t).
type RemoteIPServer struct {
	// Header is RemoteIPHeader ("" = unset: no header processing).
	Header string `json:",omitempty"`
	// ProxiesHeader is RemoteIPProxiesHeader.
	ProxiesHeader string `json:",omitempty"`
	// Proxies are the trusted and internal proxies in configuration order
	// (the first match decides). nil is unset (inherited); with none
	// configured every peer is trusted as an external proxy, as Apache.
	Proxies []RemoteIPProxy `json:",omitempty"`
	// ProxyProtocol is RemoteIPProxyProtocol in this server: 0 unset,
	// RemoteIPOn or RemoteIPOff. It is not merged: it applies to this
	// server's addresses (RemoteIPProxyProtocolTable).
	ProxyProtocol int8 `json:",omitempty"`
	// Exceptions are RemoteIPProxyProtocolExceptions written in this
	// server. Apache keeps one global list: the wiring concatenates every
	// server's (ExceptionPrefixes).
	Exceptions []IPMatch `json:",omitempty"`
}

// RemoteIPProxyProtocol values.
const (
	RemoteIPOn  int8 = 1
	RemoteIPOff int8 = -1
)

// MergeRemoteIP is merge_remoteip_server_config as Apache 2.4.71 does it:
// Header and ProxiesHeader are the virtual host's when set, else the main
// server's; Proxies are the virtual host's followed by the main server's
// (observed, testdata/remoteip: a vhost's RemoteIPTrustedProxy 127.0.0.1
// wins over the main server's RemoteIPInternalProxy 127.0.0.0/8, and the
// main server's entries still apply; Apache warns with AH10633, see
// RemoteIPMergeWarning). ProxyProtocol and Exceptions are the virtual
// host's own (they are global in Apache). nil means no directive.
func MergeRemoteIP(main, vhost *RemoteIPServer) *RemoteIPServer {
	if vhost == nil {
		return main
	}
	if main == nil {
		return vhost
	}
	c := *vhost
	if c.Header == "" {
		c.Header = main.Header
	}
	if c.ProxiesHeader == "" {
		c.ProxiesHeader = main.ProxiesHeader
	}
	switch {
	case c.Proxies == nil:
		c.Proxies = main.Proxies
	case main.Proxies != nil:
		c.Proxies = append(append(make([]RemoteIPProxy, 0, len(c.Proxies)+len(main.Proxies)), c.Proxies...), main.Proxies...)
	}
	return &c
}

// RemoteIPMergeWarning is the warning Apache 2.4.71 logs at startup when
// both the main server and a virtual host list proxies (where is the
// <VirtualHost>'s file:line); "" when there is nothing to say.
func RemoteIPMergeWarning(main, vhost *RemoteIPServer, where string) string {
	if main == nil || vhost == nil || main.Proxies == nil || vhost.Proxies == nil {
		return ""
	}
	return "AH10633: RemoteIP proxy entries are configured in both the main server and the virtual host defined at " + where + ", they are merged"
}

// ExceptionPrefixes returns the global RemoteIPProxyProtocolExceptions
// list of the given servers (main server first, then the virtual hosts)
// as prefixes for proxyproto.Options. A non-contiguous IPv4 netmask
// (apr_ipsubnet_create accepts "10.0.0.0/255.0.255.0") has no prefix form
// and is an error.
func ExceptionPrefixes(servers ...*RemoteIPServer) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range servers {
		if s == nil {
			continue
		}
		for _, m := range s.Exceptions {
			if m.Mask.IsValid() {
				return nil, fmt.Errorf("RemoteIPProxyProtocolExceptions: %s: gohttpd does not support a non-contiguous netmask here", m)
			}
			out = append(out, m.Prefix)
		}
	}
	return out, nil
}

// RemoteIPBuilder builds one server's RemoteIPServer.
//
//	b := conf.RemoteIPBuilder{ServerRoot: root}
//	err := b.Directive(name, args) // for each mod_remoteip directive
//	cfg := b.Finish()               // nil when there was none
type RemoteIPBuilder struct {
	// ServerRoot resolves relative -List file names.
	ServerRoot string
	// Resolve looks a proxy host name up (nil: the system resolver,
	// IPv4 addresses first, as APR_IPV4_ADDR_OK).
	Resolve func(host string) ([]netip.Addr, error)
	cfg     RemoteIPServer
	used    bool
}

// RemoteIPDirectives are the directive names Directive takes (lower case).
var RemoteIPDirectives = []string{
	"remoteipheader", "remoteipproxiesheader", "remoteiptrustedproxy",
	"remoteipinternalproxy", "remoteiptrustedproxylist",
	"remoteipinternalproxylist", "remoteipproxyprotocol",
	"remoteipproxyprotocolexceptions",
}

// Finish returns the server's configuration, nil when it had no
// mod_remoteip directive.
func (b *RemoteIPBuilder) Finish() *RemoteIPServer {
	if !b.used {
		return nil
	}
	c := b.cfg
	return &c
}

// Directive applies one mod_remoteip directive (name in any case) with
// Apache's error texts.
func (b *RemoteIPBuilder) Directive(name string, args []string) error {
	if err := b.directive(name, args); err != nil {
		return err
	}
	b.used = true
	return nil
}

func (b *RemoteIPBuilder) directive(name string, args []string) error {
	switch strings.ToLower(name) {
	case "remoteipheader":
		if len(args) != 1 {
			return errors.New("RemoteIPHeader takes one argument, Specifies a request header to trust as the client IP, e.g. X-Forwarded-For")
		}
		b.cfg.Header = args[0]
	case "remoteipproxiesheader":
		if len(args) != 1 {
			return errors.New("RemoteIPProxiesHeader takes one argument, Specifies a request header to record proxy IP's, e.g. X-Forwarded-By; if not given then do not record")
		}
		b.cfg.ProxiesHeader = args[0]
	case "remoteiptrustedproxy", "remoteipinternalproxy":
		internal := strings.EqualFold(name, "remoteipinternalproxy")
		if len(args) == 0 {
			if internal {
				return errors.New("RemoteIPInternalProxy requires at least one argument, Specifies one or more internal (transparent) proxies which are trusted to present IP headers")
			}
			return errors.New("RemoteIPTrustedProxy requires at least one argument, Specifies one or more proxies which are trusted to present IP headers")
		}
		cmd := "RemoteIPTrustedProxy"
		if internal {
			cmd = "RemoteIPInternalProxy"
		}
		for _, a := range args {
			if err := b.proxy(cmd, a, internal); err != nil {
				return err
			}
		}
	case "remoteiptrustedproxylist", "remoteipinternalproxylist":
		internal := strings.EqualFold(name, "remoteipinternalproxylist")
		cmd := "RemoteIPTrustedProxyList"
		desc := "The filename to read the list of trusted proxies, see the RemoteIPTrustedProxy directive"
		if internal {
			cmd = "RemoteIPInternalProxyList"
			desc = "The filename to read the list of internal proxies, see the RemoteIPInternalProxy directive"
		}
		if len(args) != 1 {
			return errors.New(cmd + " takes one argument, " + desc)
		}
		return b.proxyList(cmd, args[0], internal)
	case "remoteipproxyprotocol":
		if len(args) != 1 || (!strings.EqualFold(args[0], "on") && !strings.EqualFold(args[0], "off")) {
			return errors.New("RemoteIPProxyProtocol must be On or Off")
		}
		b.cfg.ProxyProtocol = RemoteIPOff
		if strings.EqualFold(args[0], "on") {
			b.cfg.ProxyProtocol = RemoteIPOn
		}
	case "remoteipproxyprotocolexceptions":
		if len(args) == 0 {
			return errors.New("RemoteIPProxyProtocolExceptions requires an argument")
		}
		for _, a := range args {
			ip, mask, has := strings.Cut(a, "/")
			m, err := parseIPMatch(ip, mask, has)
			if errors.Is(err, errNotIP) {
				return fmt.Errorf("ip address '%s' appears to be invalid", ip)
			}
			if err != nil {
				return fmt.Errorf("ip address '%s' appears to be invalid: %w", ip, err)
			}
			b.cfg.Exceptions = append(b.cfg.Exceptions, m)
		}
	default:
		return errors.New("not a mod_remoteip directive: " + name)
	}
	return nil
}

// proxy is proxies_set for one argument.
func (b *RemoteIPBuilder) proxy(cmd, arg string, internal bool) error {
	ip, mask, has := strings.Cut(arg, "/")
	if looksLikeIP(ip) {
		m, err := parseIPMatch(ip, mask, has)
		if err != nil {
			return fmt.Errorf("RemoteIP: Error parsing IP %s (%w error) for %s", arg, err, cmd)
		}
		b.cfg.Proxies = append(b.cfg.Proxies, RemoteIPProxy{Match: m, Internal: internal})
		return nil
	}
	if has {
		return fmt.Errorf("RemoteIP: Error parsing IP %s the subnet /%s is invalid for %s", arg, mask, cmd)
	}
	addrs, err := b.resolve(ip)
	if err != nil {
		return fmt.Errorf("RemoteIP: Error parsing IP %s (%w error) for %s", arg, err, cmd)
	}
	for _, a := range ipv4First(addrs) {
		a = a.Unmap().WithZone("")
		b.cfg.Proxies = append(b.cfg.Proxies, RemoteIPProxy{Match: IPMatch{Prefix: netip.PrefixFrom(a, a.BitLen())}, Internal: internal})
	}
	return nil
}

// errNoName is getaddrinfo's EAI_NONAME as apr_strerror words it.
var errNoName = errors.New("Name or service not known")

func (b *RemoteIPBuilder) resolve(host string) ([]netip.Addr, error) {
	if b.Resolve != nil {
		addrs, err := b.Resolve(host)
		if err == nil && len(addrs) == 0 {
			err = errNoName
		}
		return addrs, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		var de *net.DNSError
		if errors.As(err, &de) && !de.IsNotFound {
			return nil, errors.New(de.Err)
		}
		return nil, errNoName
	}
	return addrs, nil
}

// ipv4First orders addresses as APR_IPV4_ADDR_OK asks: IPv4 answers first.
func ipv4First(addrs []netip.Addr) []netip.Addr {
	out := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		if a.Unmap().Is4() {
			out = append(out, a)
		}
	}
	for _, a := range addrs {
		if !a.Unmap().Is4() {
			out = append(out, a)
		}
	}
	return out
}

// proxyList is proxylist_read: words of each line (ap_getword_conf), a
// word starting with '#' ends the line.
func (b *RemoteIPBuilder) proxyList(cmd, file string, internal bool) error {
	if !filepath.IsAbs(file) && b.ServerRoot != "" {
		file = filepath.Join(b.ServerRoot, file)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("%s: Could not open file %s: %w", cmd, file, strerror(unwrapPath(err)))
	}
	// ap_cfg_getline's lines: continuations joined, trimmed; comment
	// lines are dropped here, proxylist_read skips them word by word.
	for _, l := range logicalLines(data) {
		rest := l.text
		for {
			var w string
			w, rest = getWord(rest)
			if w == "" || w[0] == '#' {
				break
			}
			if err := b.proxy(cmd, w, internal); err != nil {
				return fmt.Errorf("%w at line %d of %s", err, l.num, file)
			}
		}
	}
	return nil
}

// strerror capitalises an errno text as strerror(3) does ("No such file
// or directory").
func strerror(err error) error {
	s := err.Error()
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return err
	}
	return errors.New(string(s[0]-'a'+'A') + s[1:])
}

// RemoteIPProxyProtocolTable is where RemoteIPProxyProtocol is on: the
// enabled and disabled address lists of remoteip_enable_proxy_protocol,
// kept in the main server's configuration in Apache. Build it once from
// every server in configuration order (main server first):
//
//	var t conf.RemoteIPProxyProtocolTable
//	t.Set(mainAddrs, on)          // main server: [0.0.0.0:0] (any address, any port)
//	t.Set(vhostAddrs, on)         // each <VirtualHost> with RemoteIPProxyProtocol
//
// An address with an unspecified IP (*, _default_) matches any local IP,
// port 0 any port (remoteip_sockaddr_compat).
type RemoteIPProxyProtocolTable struct {
	Enabled, Disabled []netip.AddrPort `json:",omitempty"`
}

// Set records RemoteIPProxyProtocol On (on) or Off for a server's
// addresses: each address leaves the opposite list (exact address and
// port) and joins its own unless an entry there already covers it.
func (t *RemoteIPProxyProtocolTable) Set(addrs []netip.AddrPort, on bool) {
	add, rem := &t.Enabled, &t.Disabled
	if !on {
		add, rem = rem, add
	}
	for _, a := range addrs {
		for i, r := range *rem {
			if r == a {
				*rem = append((*rem)[:i:i], (*rem)[i+1:]...)
				break
			}
		}
		if !addrInList(*add, a) {
			*add = append(*add, a)
		}
	}
}

// On reports whether a connection to local must carry a PROXY header
// (before RemoteIPProxyProtocolExceptions, which look at the peer). It
// does not allocate.
func (t *RemoteIPProxyProtocolTable) On(local netip.AddrPort) bool {
	return addrInList(t.Enabled, local) && !addrInList(t.Disabled, local)
}

func addrInList(list []netip.AddrPort, a netip.AddrPort) bool {
	for _, l := range list {
		if sockaddrCompat(l, a) {
			return true
		}
	}
	return false
}

// sockaddrCompat is remoteip_sockaddr_compat.
func sockaddrCompat(a, b netip.AddrPort) bool {
	aa, ba := a.Addr().Unmap(), b.Addr().Unmap()
	if aa == ba && (a.Port() == b.Port() || a.Port() == 0 || b.Port() == 0) {
		return true
	}
	if wildcard(aa) && (a.Port() == 0 || a.Port() == b.Port()) {
		return true
	}
	return wildcard(ba) && (b.Port() == 0 || b.Port() == a.Port())
}

func wildcard(a netip.Addr) bool { return !a.IsValid() || a.IsUnspecified() }
