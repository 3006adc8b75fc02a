package main

import "github.com/gohttpd/gohttpd/conf"

// configProxies reports whether a server of cfg proxies requests (a
// ProxyPass or ProxyPassMatch line, or a <Location>'s one-argument
// ProxyPass): the event engine's loop then waits in Go's netpoller, with
// the backends' connections (event.Config.NetpollWait).
func configProxies(cfg *conf.Config) bool {
	if siteProxies(&cfg.Site) {
		return true
	}
	for i := range cfg.Servers {
		if siteProxies(&cfg.Servers[i].Site) {
			return true
		}
	}
	return false
}

func siteProxies(s *conf.SiteConfig) bool {
	if s.Proxy != nil && len(s.Proxy.Passes) > 0 {
		return true
	}
	for _, l := range s.Sections.Locations {
		if l.Dir != nil && l.Dir.Proxy != nil && l.Dir.Proxy.Alias != nil {
			return true
		}
	}
	return false
}
