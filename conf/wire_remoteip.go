package conf

// Wiring of mod_remoteip's directives (RemoteIPBuilder) into the walk:
// one builder per server (main and each <VirtualHost>), the result in
// SiteConfig.RemoteIP (a vhost's merged onto the main server's with
// MergeRemoteIP), and RemoteIPProxyProtocol/-Exceptions gathered for the
// engines in Config.ProxyProtocol.

import (
	"net/netip"
	"strings"
)

// ProxyProtocolConfig is where connections must start with a PROXY
// protocol header (RemoteIPProxyProtocol), for the engines; nil when no
// server turns it on.
type ProxyProtocolConfig struct {
	// Table holds the addresses RemoteIPProxyProtocol is On and Off for.
	Table RemoteIPProxyProtocolTable `json:"table"`
	// Exceptions is Apache's global RemoteIPProxyProtocolExceptions list.
	Exceptions []netip.Prefix `json:"exceptions,omitempty"`
}

// remoteIPKeys are RemoteIPDirectives with their canonical names.
var remoteIPKeys = map[string]string{
	"remoteipheader": "RemoteIPHeader", "remoteipproxiesheader": "RemoteIPProxiesHeader",
	"remoteiptrustedproxy": "RemoteIPTrustedProxy", "remoteipinternalproxy": "RemoteIPInternalProxy",
	"remoteiptrustedproxylist": "RemoteIPTrustedProxyList", "remoteipinternalproxylist": "RemoteIPInternalProxyList",
	"remoteipproxyprotocol": "RemoteIPProxyProtocol", "remoteipproxyprotocolexceptions": "RemoteIPProxyProtocolExceptions",
}

// remoteIPDirective applies a mod_remoteip directive (RSRC_CONF: server
// config and <VirtualHost> only).
func (w *walker) remoteIPDirective(n *node, key string, ctx *walkCtx) error {
	if ctx.skipped() {
		return nil
	}
	p := n.pos()
	name := remoteIPKeys[key]
	if !ctx.server() || ctx.section == "<Proxy" {
		return w.soft(errAt(p, name, name+" not allowed in "+ctx.section+"> context"))
	}
	if w.detect != nil {
		return nil
	}
	b := &w.remoteIP
	if w.cur != nil {
		b = &w.cur.remoteIP
	}
	b.ServerRoot = w.root
	if err := b.Directive(name, w.args(n)); err != nil {
		return w.soft(errAt(p, name, err.Error()))
	}
	return nil
}

// remoteIPMain puts the main server's mod_remoteip settings into cfg and
// starts the PROXY protocol table with them.
func (b *builder) remoteIPMain(w *walker) {
	rc := w.remoteIP.Finish()
	b.cfg.Site.RemoteIP = rc
	if rc != nil && rc.ProxyProtocol != 0 {
		b.cfg.ProxyProtocol = &ProxyProtocolConfig{}
		// The main server's addresses: any address, any port.
		b.cfg.ProxyProtocol.Table.Set([]netip.AddrPort{netip.AddrPortFrom(netip.IPv4Unspecified(), 0)}, rc.ProxyProtocol == RemoteIPOn)
	}
}

// remoteIPVHost merges a virtual host's mod_remoteip settings onto the
// main server's and records its RemoteIPProxyProtocol for its addresses.
func (b *builder) remoteIPVHost(raw *vhostRaw, srv *Server, addrs []VHostAddr) {
	main := b.cfg.Site.RemoteIP
	own := raw.remoteIP.Finish()
	if wl := RemoteIPMergeWarning(main, own, raw.pos.String()); wl != "" {
		b.cfg.Notices = append(b.cfg.Notices, wl)
	}
	srv.Site.RemoteIP = MergeRemoteIP(main, own)
	if own == nil || own.ProxyProtocol == 0 {
		return
	}
	if b.cfg.ProxyProtocol == nil {
		b.cfg.ProxyProtocol = &ProxyProtocolConfig{}
	}
	ap := make([]netip.AddrPort, 0, len(addrs))
	for _, a := range addrs {
		ip := a.IP
		if !ip.IsValid() {
			ip = netip.IPv4Unspecified()
		}
		ap = append(ap, netip.AddrPortFrom(ip, uint16(a.Port)))
	}
	b.cfg.ProxyProtocol.Table.Set(ap, own.ProxyProtocol == RemoteIPOn)
}

// remoteIPFinish computes the global exception list once every server is
// known; it drops the table when no address has the protocol on.
func (b *builder) remoteIPFinish() {
	pp := b.cfg.ProxyProtocol
	if pp == nil {
		return
	}
	if len(pp.Table.Enabled) == 0 {
		b.cfg.ProxyProtocol = nil
		return
	}
	servers := []*RemoteIPServer{b.cfg.Site.RemoteIP}
	for i := range b.cfg.Servers {
		servers = append(servers, b.cfg.Servers[i].Site.RemoteIP)
	}
	ex, err := ExceptionPrefixes(servers...)
	if err != nil {
		b.errs = append(b.errs, &Error{Directive: "RemoteIPProxyProtocolExceptions", Err: err})
		return
	}
	pp.Exceptions = ex
}

// isRemoteIPKey reports whether key (lower case) is a mod_remoteip
// directive.
func isRemoteIPKey(key string) bool {
	return strings.HasPrefix(key, "remoteip") && remoteIPKeys[key] != ""
}
