package main

import (
	"log/slog"
	"net/netip"
	"strconv"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/internal/proxyproto"
)

// proxyProtocolOptions are the engines' PROXY protocol options from the
// snapshot (RemoteIPProxyProtocol, -Exceptions); nil when no address has
// it on. The header is read under RequestReadTimeout's handshake stage,
// else its header stage, else Timeout, as mod_remoteip reads it under the
// connection's first timeout.
func proxyProtocolOptions(cfg *conf.Config) *proxyproto.Options {
	pp := cfg.ProxyProtocol
	if pp == nil {
		return nil
	}
	t := cfg.HTTP.Timeout
	rrt := cfg.HTTP.RequestReadTimeout
	switch {
	case rrt.Handshake.Timeout > 0:
		t = rrt.Handshake.Timeout
	case rrt.Header.Timeout > 0:
		t = rrt.Header.Timeout
	}
	table := pp.Table
	return &proxyproto.Options{RequiredAt: table.On, Exceptions: pp.Exceptions, Timeout: t}
}

// logProxyProtocol logs Apache's start-up lines for RemoteIPProxyProtocol
// (AH03492 enabled / AH03494 disabled, notice).
func logProxyProtocol(log *slog.Logger, cfg *conf.Config) {
	pp := cfg.ProxyProtocol
	if pp == nil {
		return
	}
	for _, a := range pp.Table.Enabled {
		notice(log, "AH03492: RemoteIPProxyProtocol: enabled on "+addrPortText(a), "module", "remoteip")
	}
	for _, a := range pp.Table.Disabled {
		notice(log, "AH03494: RemoteIPProxyProtocol: disabled on "+addrPortText(a), "module", "remoteip")
	}
}

func addrPortText(a netip.AddrPort) string {
	ip := a.Addr()
	if !ip.IsValid() {
		ip = netip.IPv4Unspecified()
	}
	if ip.Is6() && !ip.Is4In6() {
		return "[" + ip.String() + "]:" + strconv.Itoa(int(a.Port()))
	}
	return ip.Unmap().String() + ":" + strconv.Itoa(int(a.Port()))
}
