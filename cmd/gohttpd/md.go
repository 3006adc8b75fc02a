package main

// mod_md: automatic certificates (internal/acme). Every configuration
// load (start, -t, graceful restart) gives each TLS server whose
// ServerName is a managed domain the certificate from the store, or the
// self-signed fallback until the CA issued one (applyMD, before the
// certificate checks). The master runs the one Manager that orders and
// renews; when it stored a new certificate, the master restarts its own
// generation gracefully (SIGUSR1 to itself, as mod_md asks for a
// graceful restart): the new children get the certificate in their
// snapshot, the old ones finish their connections.

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/internal/acme"
)

// applyMD points each managed server's certificate at the store (or the
// fallback), and marks the domains still waiting for their certificate.
func applyMD(cfg *conf.Config) error {
	md := cfg.MD
	if md == nil || len(md.Domains) == 0 {
		return nil
	}
	mdMembers(cfg)
	names := []string{cfg.Site.ServerName}
	for i := range cfg.Servers {
		n := cfg.Servers[i].Site.ServerName
		if cfg.VHosts != nil && i < len(cfg.VHosts.Hosts) {
			n = cfg.VHosts.Hosts[i].Name.Host
		}
		names = append(names, n)
	}
	type files struct {
		cert, key string
		fallback  bool
	}
	got := map[string]files{}
	for id, name := range names {
		s := cfg.SSLOf(id)
		d := md.DomainOf(name)
		if d == nil || !s.Enabled() {
			continue
		}
		f, ok := got[d.Names[0]]
		if !ok {
			cert, key, fallback, err := acme.CertFiles(md, d)
			if err != nil {
				return err
			}
			f = files{cert, key, fallback}
			got[d.Names[0]] = f
		}
		if f.fallback && len(s.CertFiles) > 0 {
			// The server's own SSLCertificateFile serves until the CA's
			// certificate exists (Apache 2.4.71: no fallback, no 503).
			continue
		}
		d.Pending = d.Pending || f.fallback
		// mod_md's certificate replaces the server's own
		// SSLCertificateFile/KeyFile once it exists.
		c := *s
		c.CertFiles = []conf.SSLFile{{Path: f.cert, File: d.File, Line: d.Line}}
		c.KeyFiles = []conf.SSLFile{{Path: f.key, File: d.File, Line: d.Line}}
		c.ChainFile = conf.SSLFile{}
		if id == 0 {
			cfg.Site.SSL = &c
		} else {
			cfg.Servers[id-1].Site.SSL = &c
		}
	}
	return nil
}

// mdMembers is mod_md's "MDMembers auto" (its default): a virtual host
// whose ServerName or ServerAlias is one of a managed domain's names
// brings its other names into the domain (one certificate for the whole
// vhost). Wildcard aliases do not join (they need DNS-01), nor names
// already in another domain, nor anything for a domain with
// "MDMembers manual".
func mdMembers(cfg *conf.Config) {
	if cfg.VHosts == nil {
		return
	}
	md := cfg.MD
	for _, h := range cfg.VHosts.Hosts {
		names := append([]string{h.Name.Host}, h.Aliases...)
		var d *conf.MDomain
		for _, n := range names {
			if d = md.DomainOf(n); d != nil {
				break
			}
		}
		if d == nil || d.ManualMembers {
			continue
		}
		for _, n := range names {
			n = strings.ToLower(strings.TrimSuffix(n, "."))
			if n != "" && md.DomainOf(n) == nil {
				d.Names = append(d.Names, n)
			}
		}
	}
}

// mdManager is the master's ACME manager, restarted with each
// generation's settings.
type mdManager struct {
	mu  sync.Mutex
	m   *acme.Manager
	log *slog.Logger
}

// update (re)starts the manager for cfg (nil MD: stops it).
func (mm *mdManager) update(cfg *conf.Config) {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	mm.m.Stop()
	mm.m = nil
	if cfg.MD == nil || len(cfg.MD.Domains) == 0 {
		return
	}
	var httpAddr, tlsAddr string
	for _, l := range cfg.Listen {
		if l.Port == 0 {
			continue // not known before binding: certmagic would bind another
		}
		host := l.Host
		if host == "*" {
			host = ""
		}
		a := net.JoinHostPort(host, strconv.Itoa(l.Port))
		if cfg.TLSListener(l) {
			if tlsAddr == "" || l.Port == 443 {
				tlsAddr = a
			}
		} else if httpAddr == "" || l.Port == 80 {
			httpAddr = a
		}
	}
	m, err := acme.Start(cfg.MD, acme.Options{
		HTTPAddr:   httpAddr,
		TLSAddr:    tlsAddr,
		Log:        mm.log,
		RenewCheck: mdRenewCheck(mm.log),
		OnNew: func(string) {
			// A graceful restart of this master's generation.
			_ = syscall.Kill(os.Getpid(), syscall.SIGUSR1)
		},
	})
	if err != nil {
		mm.log.Error("AH10072: mod_md: "+err.Error(), "module", "md")
		return
	}
	mm.m = m
}

func (mm *mdManager) stop() {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	mm.m.Stop()
	mm.m = nil
}

// envTestMDRenewCheck is a test hook (see testhooks.go): how often the
// manager checks certificates for renewal, a Go duration from 100ms to
// 10m (certmagic's default, 10 minutes, otherwise), so a test can watch
// a short-lived certificate being renewed.
const envTestMDRenewCheck = "GOHTTPD_TEST_MD_RENEW_CHECK"

func mdRenewCheck(log *slog.Logger) time.Duration {
	v, ok := os.LookupEnv(envTestMDRenewCheck)
	if !ok {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 100*time.Millisecond || d > 10*time.Minute {
		log.Warn(fmt.Sprintf("%s=%q ignored: want a duration from 100ms to 10m", envTestMDRenewCheck, v))
		return 0
	}
	log.Info(fmt.Sprintf("mod_md renewal check every %s (%s, a test hook)", d, envTestMDRenewCheck))
	return d
}
