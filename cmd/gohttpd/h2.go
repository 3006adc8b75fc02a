package main

import (
	"net/netip"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/internal/h2bridge"
	"github.com/gohttpd/gohttpd/mpm"
)

// h2Config is the engines' HTTP/2 setup from the configuration: per
// listener, the Protocols of the server that owns its address (its first
// <VirtualHost>, Apache's base server of a connection, else the main
// server), and the bridge's limits from the main server's H2* values and
// the core directives (see mpm/h2.go for their meaning on h2). nil when no
// server enables HTTP/2. KeepAliveTimeout is the idle time after which a
// connection with no open stream gets GOAWAY (Apache: the same, once a
// stream was served).
func h2Config(cfg *conf.Config) *mpm.H2Config {
	hc := &mpm.H2Config{Listeners: make([]mpm.H2Listener, len(cfg.Listen))}
	on := false
	for i, l := range cfg.Listen {
		e := cfg.H2For(ownerOf(cfg, l))
		hc.Listeners[i] = mpm.H2Listener{H2: e.H2, Direct: e.DirectClear, Upgrade: e.UpgradeClear}
		on = on || e.H2 || e.DirectClear || e.UpgradeClear
	}
	if !on {
		return nil
	}
	e := cfg.H2For(-1)
	h := &cfg.HTTP
	o := h2bridge.Options{
		MaxConcurrentStreams: uint32(e.MaxSessionStreams),
		InitialWindowSize:    int32(min(e.WindowSize, 1<<31-1)),
		StreamBufferSize:     e.StreamBuf,
		MaxRequestFields:     h2Limit(h.LimitRequestFields),
		MaxRequestFieldSize:  h2Limit(h.LimitRequestFieldSize),
		MaxRequestLine:       h2Limit(h.LimitRequestLine),
		MaxRequestBodySize:   h.LimitRequestBody,
		IdleTimeout:          h.KeepAliveTimeout,
		ReadTimeout:          h.Timeout,
		WriteTimeout:         h.Timeout,
		// Apache 2.4.71's mod_http2 applies neither MaxKeepAliveRequests
		// nor KeepAlive Off to streams (h2load: 2500 streams on one
		// connection with MaxKeepAliveRequests 5, and with KeepAlive Off):
		// MaxStreamsPerConn stays unlimited.
	}
	if e.StreamTimeout > 0 {
		o.ReadTimeout, o.WriteTimeout = e.StreamTimeout, e.StreamTimeout
	}
	hc.Options = o
	return hc
}

// h2Limit maps a LimitRequest* value of 0 (Apache: no limit) to the
// bridge's "none" (<0).
func h2Limit(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

// ownerOf is the index in cfg.Servers of the server that owns Listen l's
// connections (Apache's base server: the first <VirtualHost> of the
// address, an exact address before a wildcard one), -1 for the main
// server.
func ownerOf(cfg *conf.Config, l conf.Listen) int {
	if cfg.VHosts == nil {
		return -1
	}
	ip, err := netip.ParseAddr(l.Host)
	wild := -1
	for i, vh := range cfg.VHosts.Hosts {
		for _, a := range vh.Addrs {
			if a.Port != 0 && a.Port != l.Port {
				continue
			}
			switch {
			case !a.Wildcard() && err == nil && a.IP.Unmap() == ip.Unmap():
				return i
			case (a.Wildcard() || l.Host == "") && wild < 0:
				wild = i
			}
		}
	}
	return wild
}
