package main

// HTTPS: mod_ssl's settings (conf: Site.SSL of each server) become the
// *tls.Config of every TLS listener (internal/tlsconf). The master reads
// the certificate and key files once per generation (as root: keys are
// often readable by root only), builds the configuration to check them,
// and hands their contents to the children in the snapshot (a sealed
// memfd), so every child of a generation, respawned ones too, serves the
// same certificates whatever happens to the files until the next
// graceful restart, and a child never fails on a file being replaced.
// With them go the session-ticket keys the master generated once, so a
// client resumes its session on any child, also across graceful
// restarts.

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"sync"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/internal/acme"
	"github.com/gohttpd/gohttpd/internal/tlsconf"
	"github.com/gohttpd/gohttpd/site"
	"github.com/gohttpd/gohttpd/site/vhost"
)

// defaultALPN is what every TLS server offers in ALPN unless
// serverProtos says otherwise.
var defaultALPN = []string{"http/1.1"}

// serverProtos is the hook for HTTP/2: the ALPN protocols of server id
// (0 main, i+1 the i-th <VirtualHost>), from its Protocols directive
// ("h2" first when HTTP/2 is on); nil offers defaultALPN. The
// engines see the result in the tls.Config's NextProtos of the server a
// handshake selected.
var serverProtos = func(cfg *conf.Config, id int) []string { return nil }

// tlsState is one process's TLS: the built configuration set and the
// servers it was built from (indexed by vhost ID).
type tlsState struct {
	set     *tlsconf.Set
	servers []tlsconf.Server
	stop    context.CancelFunc
	// sessions is the session cache of servers with tickets off
	// (tls_sesscache.go), nil without one.
	sessions *tlsconf.SessionCache
	// files are the certificate and key files' contents the master
	// handed this process (nil: read from disk), for md-status.
	files map[string][]byte
}

// hasTLS reports whether any listener of cfg speaks TLS.
func hasTLS(cfg *conf.Config) bool {
	for _, l := range cfg.Listen {
		if cfg.TLSListener(l) {
			return true
		}
	}
	return false
}

// sslID is mod_ssl's vhost_id: the ServerName and its port, or 443 when
// the name has none.
func sslID(name conf.ServerName) string {
	port := name.Port
	if port == 0 {
		port = 443
	}
	return name.Host + ":" + strconv.Itoa(port)
}

// tlsServers are cfg's servers as tlsconf sees them, by vhost ID.
func tlsServers(cfg *conf.Config) []tlsconf.Server {
	mainName := conf.ServerName{Host: cfg.Site.ServerName}
	if cfg.VHosts != nil {
		mainName = cfg.VHosts.Main
	}
	servers := []tlsconf.Server{{ID: sslID(mainName), SSL: cfg.Site.SSL, NextProtos: serverProtos(cfg, 0)}}
	for i := range cfg.Servers {
		name := conf.ServerName{Host: cfg.Servers[i].Site.ServerName}
		if cfg.VHosts != nil && i < len(cfg.VHosts.Hosts) {
			name = cfg.VHosts.Hosts[i].Name
		}
		servers = append(servers, tlsconf.Server{ID: sslID(name), SSL: cfg.Servers[i].Site.SSL, NextProtos: serverProtos(cfg, i+1)})
	}
	return servers
}

// buildTLS builds cfg's TLS configuration with the shared ticket keys
// (nil: keys of this process only, for -t) from files, the contents of
// the certificate and key files (nil: read them). It returns nil when no
// listener speaks TLS.
func buildTLS(cfg *conf.Config, keys *tlsconf.TicketKeys, files map[string][]byte) (*tlsState, error) {
	if !hasTLS(cfg) {
		return nil, nil
	}
	servers := tlsServers(cfg)
	var sel tlsconf.Selector
	if cfg.VHosts != nil && len(cfg.VHosts.Hosts) > 0 {
		table := vhost.NewTable(cfg.VHosts.Main, cfg.VHosts.Hosts, vhost.Options{})
		sel = func(local netip.AddrPort, name string) (int, bool) {
			id, ok := table.SelectSNI(local, []byte(name))
			return int(id), ok
		}
	}
	var read func(string) ([]byte, error)
	if files != nil {
		read = tlsconf.FileReader(files)
	}
	set, err := tlsconf.Build(tlsconf.Options{Servers: servers, Select: sel, Keys: keys, NextProtos: defaultALPN, ReadFile: read})
	if err != nil {
		return nil, err
	}
	if cfg.MD != nil && cfg.MD.Allows(conf.ChallengeTLSALPN01) {
		acme.WrapALPN(set.Config(), cfg.MD.StoreDir) // mod_md's tls-alpn-01 (md.go)
	}
	return &tlsState{set: set, servers: servers, files: files}, nil
}

// checkTLS is what -t (and every start, -k command and graceful restart,
// through loadConfig) checks besides the syntax: every certificate and
// key of a server with SSLEngine on exists, parses and matches (errors
// name file:line and directive), and the TLS configuration builds.
// Warnings (a key readable by others) join cfg.Notices.
func checkTLS(cfg *conf.Config) error {
	if cfg.Site.SSL == nil {
		return nil
	}
	var errs []error
	seen := map[string]bool{}
	for _, srv := range tlsServers(cfg) {
		if !srv.SSL.Enabled() {
			continue
		}
		for _, p := range tlsconf.Check(srv.ID, srv.SSL) {
			key := p.Error()
			if seen[key] {
				continue // the main server's files, inherited by each vhost
			}
			seen[key] = true
			if p.Warning {
				cfg.Notices = append(cfg.Notices, key)
			} else {
				errs = append(errs, p)
			}
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if _, err := buildTLS(cfg, nil, nil); err != nil {
		return err
	}
	return nil
}

// listenerTLS is ChildDeps.TLS for listens (the Listen directives of the
// listeners in order): the set's config for each TLS listener.
func (t *tlsState) listenerTLS(cfg *conf.Config, listens []conf.Listen) []*tls.Config {
	if t == nil {
		return nil
	}
	out := make([]*tls.Config, len(listens))
	for i, l := range listens {
		if cfg.TLSListener(l) {
			out[i] = t.set.Config()
		}
	}
	return out
}

// siteTLS is site.Options.TLS.
func (t *tlsState) siteTLS() *site.TLSOptions {
	if t == nil {
		return nil
	}
	return &site.TLSOptions{Servers: t.servers, Set: t.set}
}

// rotate starts the ticket key rotation of a serving process; close
// stops it.
func (t *tlsState) rotate() {
	if t == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.stop = cancel
	go t.set.RunRotation(ctx)
}

func (t *tlsState) close() {
	if t != nil && t.stop != nil {
		t.stop()
	}
}

// masterTicketKeys are the master's session-ticket keys: made once, kept
// across graceful restarts, so every child of every generation resumes
// every session (rotated by period: tlsconf.DefaultRotation).
var masterTicketKeys = sync.OnceValues(func() (*tlsconf.TicketKeys, error) {
	return tlsconf.GenerateTicketKeys(0)
})

// childSnapshot is what a child inherits: the configuration and, when a
// listener speaks TLS, the ticket keys and the contents of the
// certificate and key files (secrets: only in the sealed memfd, never
// in argv, the environment or a log).
type childSnapshot struct {
	Config     json.RawMessage     `json:"config"`
	TicketKeys *tlsconf.TicketKeys `json:"ticketKeys,omitempty"`
	TLSFiles   map[string][]byte   `json:"tlsFiles,omitempty"`
}

// generationSnapshot encodes cfg for the children of a generation, with
// what TLS needs: the master reads the certificate and key files here
// and builds the configuration from what it read, so a file that
// changed since -t or the reload's check fails the generation (the
// running one keeps serving) rather than its children.
func generationSnapshot(cfg *conf.Config) ([]byte, error) {
	raw, err := cfg.Snapshot()
	if err != nil {
		return nil, err
	}
	s := childSnapshot{Config: raw}
	if hasTLS(cfg) {
		if s.TicketKeys, err = masterTicketKeys(); err != nil {
			return nil, err
		}
		if s.TLSFiles, err = tlsconf.ReadFiles(tlsServers(cfg)); err != nil {
			return nil, err
		}
		if _, err := buildTLS(cfg, s.TicketKeys, s.TLSFiles); err != nil {
			return nil, err
		}
		if err := prepareSessionCache(cfg); err != nil {
			return nil, err
		}
	}
	return json.Marshal(s)
}

// decodeSnapshot reads what generationSnapshot wrote.
func decodeSnapshot(b []byte) (*conf.Config, *tlsconf.TicketKeys, map[string][]byte, error) {
	var s childSnapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, nil, nil, fmt.Errorf("configuration snapshot: %w", err)
	}
	cfg, err := conf.FromSnapshot(s.Config)
	return cfg, s.TicketKeys, s.TLSFiles, err
}
