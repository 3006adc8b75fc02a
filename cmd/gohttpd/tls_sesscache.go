package main

// Stateful TLS resumption for servers with "SSLSessionTickets off": the
// sessions live in SSLSessionCache's file (internal/tlsconf's
// SessionCache), which the master creates and every child maps before it
// drops root, so a session resumes on any child (Apache's shmcb). With
// SSLSessionCache unset or none, tickets off means no resumption, as in
// Apache (mod_ssl turns OpenSSL's cache off then).

import (
	"fmt"
	"log/slog"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/internal/tlsconf"
)

// sessionCacheSpec is cfg's session cache when a TLS server needs one
// (SSLSessionTickets off), else nil.
func sessionCacheSpec(cfg *conf.Config) *conf.SSLSessionCacheSpec {
	if cfg.Site.SSL == nil || !cfg.Site.SSL.SessionCache.Enabled() {
		return nil
	}
	for _, srv := range tlsServers(cfg) {
		if srv.SSL.Enabled() && srv.SSL.SessionTicketsSet && srv.SSL.NoSessionTickets {
			return cfg.Site.SSL.SessionCache
		}
	}
	return nil
}

// prepareSessionCache creates the session cache file in the master
// unless one of the right layout is there (sessions then survive a
// graceful restart).
func prepareSessionCache(cfg *conf.Config) error {
	spec := sessionCacheSpec(cfg)
	if spec == nil {
		return nil
	}
	if c, err := tlsconf.OpenSessionCache(spec.Path); err == nil && c.Size() == spec.Size {
		return c.Close()
	} else if c != nil {
		c.Close()
	}
	if err := tlsconf.CreateSessionCacheFile(spec.Path, spec.Size); err != nil {
		return fmt.Errorf("SSLSessionCache: %w", err)
	}
	return nil
}

// useSessionCache gives the servers with tickets off the shared cache
// (shared false: a cache of this process only, for a single-process
// server). A child that cannot map the file keeps its sessions to
// itself, and says so.
func (t *tlsState) useSessionCache(cfg *conf.Config, shared bool, log *slog.Logger) {
	spec := sessionCacheSpec(cfg)
	if t == nil || spec == nil {
		return
	}
	if shared {
		c, err := tlsconf.OpenSessionCache(spec.Path)
		if err == nil {
			t.sessions = c
			t.set.UseSessionCache(c)
			return
		}
		log.Warn("SSLSessionCache: sessions are cached by this process only", "err", err)
	}
	t.sessions = tlsconf.NewMemorySessionCache(spec.Size)
	t.set.UseSessionCache(t.sessions)
}
