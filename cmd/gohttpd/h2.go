package main

import (
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/internal/h2bridge"
	"github.com/gohttpd/gohttpd/mpm"
	"github.com/gohttpd/gohttpd/site/vhost"
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
	// The TLS configurations the master builds (tls.go) offer "h2" per
	// server chosen by SNI (serverProtos): the engines add nothing.
	hc := &mpm.H2Config{Listeners: make([]mpm.H2Listener, len(cfg.Listen)), TLSOffersH2: true}
	on := false
	for id := range len(cfg.Servers) + 1 {
		if e := cfg.H2For(id - 1); e.H2 && hasTLS(cfg) {
			on = true // some SNI-selected server speaks h2
		}
	}
	for i, l := range cfg.Listen {
		e := cfg.H2For(ownerOf(cfg, l))
		hc.Listeners[i] = mpm.H2Listener{H2: e.H2, Direct: e.DirectClear, DirectTLS: e.DirectTLS, Upgrade: e.UpgradeClear, ClientOrder: !e.HonorOrder}
		on = on || e.H2 || e.DirectClear || e.UpgradeClear
	}
	if cfg.VHosts != nil && len(cfg.VHosts.Hosts) > 0 {
		// "Upgrade: h2c" follows the server the request selects.
		up := false
		for id := range len(cfg.Servers) + 1 {
			up = up || cfg.H2For(id-1).UpgradeClear
		}
		if up {
			t := vhost.NewTable(cfg.VHosts.Main, cfg.VHosts.Hosts, vhost.Options{Unsafe: cfg.HTTP.ProtocolOptions.Unsafe})
			hc.UpgradeFor = func(ctx *fasthttp.RequestCtx) bool {
				var m vhost.Match
				t.SelectCtx(&m, ctx)
				return cfg.H2For(int(m.Server) - 1).UpgradeClear
			}
			on = true
		}
	}
	if !on {
		return nil
	}
	main := cfg.H2For(-1)
	hc.Options = h2Options(cfg, main)
	if cfg.MPM == conf.Event {
		// Apache's event MPM counts an HTTP/2 connection among the
		// process's connections, at most ThreadsPerChild +
		// AsyncRequestWorkerFactor × ThreadsPerChild; the event engine
		// hands h2 connections off its loop, so the bound is applied here.
		e := cfg.Engine
		hc.MaxOwned = e.ThreadsPerChild + int(e.AsyncRequestWorkerFactor*float64(e.ThreadsPerChild))
	}
	for i, l := range cfg.Listen {
		// A vhost's own session settings (Apache: the base server's).
		e := cfg.H2For(ownerOf(cfg, l))
		if e.MaxSessionStreams != main.MaxSessionStreams || e.WindowSize != main.WindowSize ||
			e.StreamBuf != main.StreamBuf || e.StreamTimeout != main.StreamTimeout || e.ModernTLSOnly != main.ModernTLSOnly {
			own := h2Options(cfg, e)
			hc.Listeners[i].Options = &own
		}
	}
	return hc
}

// h2Options are the bridge's limits for a server's HTTP/2 settings e.
func h2Options(cfg *conf.Config, e conf.HTTP2Effective) h2bridge.Options {
	h := &cfg.HTTP
	o := h2bridge.Options{
		MaxConcurrentStreams: uint32(e.MaxSessionStreams),
		InitialWindowSize:    int32(min(e.WindowSize, 1<<31-1)),
		StreamBufferSize:     e.StreamBuf,
		MaxRequestFields:     h2Limit(h.LimitRequestFields),
		MaxRequestFieldSize:  h2Limit(h.LimitRequestFieldSize),
		MaxRequestLine:       h2Limit(h.LimitRequestLine),
		MaxRequestBodySize:   h.LimitRequestBody,
		// H2ModernTLSOnly Off: TLS 1.2 suites RFC 9113 prohibits are served.
		PermitProhibitedCipherSuites: !e.ModernTLSOnly,
		IdleTimeout:                  h.KeepAliveTimeout,
		ReadTimeout:                  h.Timeout,
		WriteTimeout:                 h.Timeout,
		// Apache 2.4.71's mod_http2 applies neither MaxKeepAliveRequests
		// nor KeepAlive Off to streams (h2load: 2500 streams on one
		// connection with MaxKeepAliveRequests 5, and with KeepAlive Off):
		// MaxStreamsPerConn stays unlimited.
	}
	if e.StreamTimeout > 0 {
		o.ReadTimeout, o.WriteTimeout = e.StreamTimeout, e.StreamTimeout
	}
	return o
}

func init() { serverProtos = h2ServerProtos }

// h2ServerProtos is tls.go's serverProtos: the ALPN protocols of server
// id (0 main, i+1 the i-th <VirtualHost>) in the order of its Protocols
// ("h2", "http/1.1"); nil (http/1.1 only) without h2.
func h2ServerProtos(cfg *conf.Config, id int) []string {
	if e := cfg.H2For(id - 1); e.H2 {
		return e.ALPN
	}
	return nil
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

// printH2 is -S's HTTP/2 part: what each listener offers (the Protocols of
// the server owning it) and the limits of the HTTP/2 connections, with
// prefork's one stream at a time. Nothing when no server enables HTTP/2.
func printH2(w io.Writer, cfg *conf.Config) {
	hc := h2Config(cfg)
	if hc == nil {
		return
	}
	fmt.Fprintln(w, "HTTP/2:")
	for i, l := range cfg.Listen {
		owner := ownerOf(cfg, l)
		name := "main server"
		if owner >= 0 {
			vh := cfg.VHosts.Hosts[owner]
			name = fmt.Sprintf("<VirtualHost %s> %s:%d", vh.Args, vh.File, vh.Line)
		}
		hl := hc.Listeners[i]
		var offers []string
		if hl.H2 {
			offers = append(offers, "h2 by ALPN (TLS)")
		}
		if hl.DirectTLS {
			offers = append(offers, "h2 prior knowledge (TLS, H2Direct)")
		}
		if hl.Direct {
			offers = append(offers, "h2c prior knowledge")
		}
		if hl.Upgrade {
			offers = append(offers, "h2c Upgrade")
		}
		if len(offers) == 0 {
			offers = []string{"HTTP/1.1 only"}
		}
		own := ""
		if o := hl.Options; o != nil {
			own = fmt.Sprintf("; its own H2MaxSessionStreams %d, H2WindowSize %d, H2StreamMaxMemSize %d, stream timeout %s",
				o.MaxConcurrentStreams, o.InitialWindowSize, o.StreamBufferSize, seconds(o.ReadTimeout))
		}
		fmt.Fprintf(w, "  %-24s %s (Protocols of the %s)%s\n", displayAddr(l), strings.Join(offers, ", "), name, own)
	}
	o := hc.Options
	fmt.Fprintf(w, "  H2MaxSessionStreams: %d, H2WindowSize: %d, H2StreamMaxMemSize: %d, stream timeout: %s, idle timeout (KeepAliveTimeout): %s\n",
		o.MaxConcurrentStreams, o.InitialWindowSize, o.StreamBufferSize, seconds(o.ReadTimeout), seconds(o.IdleTimeout))
	if cfg.MPM == conf.Prefork {
		fmt.Fprintf(w, "  prefork: one stream at a time per connection (as mod_http2 on prefork); SETTINGS still advertise %d\n", o.MaxConcurrentStreams)
	} else {
		fmt.Fprintf(w, "  %s: up to %d streams at once per connection, each on its own goroutine\n", cfg.MPM, o.MaxConcurrentStreams)
	}
}
