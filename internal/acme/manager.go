package acme

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/caddyserver/certmagic"

	"github.com/gohttpd/gohttpd/conf"
)

// Options are what the master's Manager needs besides the settings.
type Options struct {
	// HTTPAddr and TLSAddr are the host:port of the listeners that
	// answer HTTP-01 (a plain listener, port 80 in production) and
	// TLS-ALPN-01 (a TLS listener, 443): the master holds them bound, so
	// certmagic does not start servers of its own there. "": that
	// challenge type is off.
	HTTPAddr, TLSAddr string
	// Log receives mod_md-like messages.
	Log *slog.Logger
	// OnNew is called after a certificate was obtained or renewed and
	// stored: the master restarts its generation gracefully.
	OnNew func(name string)
	// RenewCheck is how often certificates are checked for renewal (0:
	// certmagic's 10 minutes; a test hook sets less).
	RenewCheck time.Duration
}

// Manager orders and renews the managed domains' certificates (in the
// master). Stop ends it.
type Manager struct {
	cancel context.CancelFunc
	cache  *certmagic.Cache
}

// Start begins managing md's domains (not those marked manual).
func Start(md *conf.MDConfig, opt Options) (*Manager, error) {
	if err := os.MkdirAll(md.StoreDir, 0o755); err != nil {
		return nil, fmt.Errorf("MDStoreDir: mkdir %s: %w", md.StoreDir, err)
	}
	// The children (User) read the challenges below it.
	if err := os.Chmod(md.StoreDir, 0o755); err != nil {
		return nil, fmt.Errorf("MDStoreDir: chmod %s: %w", md.StoreDir, err)
	}
	if err := os.MkdirAll(challengeDir(md.StoreDir), 0o755); err != nil {
		return nil, fmt.Errorf("MDStoreDir: mkdir %s: %w", challengeDir(md.StoreDir), err)
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// certmagic manages each domain by its first name; sanIssuer
	// orders the certificate for all its names (san.go).
	var names []string
	sans := map[string][]string{}
	for _, d := range md.Domains {
		if !d.Manual {
			names = append(names, d.Names[0])
			sans[d.Names[0]] = d.Names
		}
	}
	var roots *x509.CertPool
	if md.CACertificateFile != "" {
		raw, err := os.ReadFile(md.CACertificateFile)
		if err != nil {
			return nil, fmt.Errorf("MDCACertificateFile: %w", err)
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(raw) {
			return nil, fmt.Errorf("MDCACertificateFile: no PEM certificate in '%s'", md.CACertificateFile)
		}
	}
	ratio := float64(md.RenewPercent) / 100
	if md.RenewDays > 0 && len(names) > 0 {
		// certmagic renews by a ratio of the lifetime: take the current
		// certificate's (90 days, Let's Encrypt's, without one).
		life := 90 * 24 * time.Hour
		if c, k := storedPaths(md, names[0]); c != "" {
			if leaf, err := loadLeaf(c, k); err == nil {
				life = leaf.NotAfter.Sub(leaf.NotBefore)
			}
		}
		ratio = float64(md.RenewWindow(life)) / float64(life)
		if ratio >= 1 {
			ratio = 0.99
		}
	}
	logger := zapToSlog(log)
	var cfg *certmagic.Config
	cache := certmagic.NewCache(certmagic.CacheOptions{
		GetConfigForCert:   func(certmagic.Certificate) (*certmagic.Config, error) { return cfg, nil },
		Logger:             logger,
		RenewCheckInterval: opt.RenewCheck,
	})
	keys := &keySource{StandardKeyGenerator: certmagic.StandardKeyGenerator{KeyType: certmagic.P256}}
	cfg = certmagic.New(cache, certmagic.Config{
		KeySource:          keys,
		Storage:            &challengeStorage{FileStorage: &certmagic.FileStorage{Path: md.StoreDir}, dir: challengeDir(md.StoreDir)},
		RenewalWindowRatio: ratio,
		OCSP:               certmagic.OCSPConfig{DisableStapling: true},
		Logger:             logger,
		OnEvent: func(ctx context.Context, event string, data map[string]any) error {
			name, _ := data["identifier"].(string)
			switch event {
			case "cert_obtained":
				log.Info(fmt.Sprintf("AH10059: The Managed Domain %s has been setup and changes will be activated on next (graceful) server restart.", name), "module", "md")
				if opt.OnNew != nil {
					opt.OnNew(name)
				}
			case "cert_failed":
				log.Error(fmt.Sprintf("AH10056: processing %s: %v", name, data["error"]), "module", "md")
			}
			return nil
		},
	})
	tmpl := certmagic.ACMEIssuer{
		CA:                      md.CA,
		Email:                   md.Contact,
		Agreed:                  md.Agreed,
		TrustedRoots:            roots,
		DisableHTTPChallenge:    opt.HTTPAddr == "" || !md.Allows(conf.ChallengeHTTP01),
		DisableTLSALPNChallenge: opt.TLSAddr == "" || !md.Allows(conf.ChallengeTLSALPN01),
		Logger:                  logger,
	}
	if tmpl.DisableHTTPChallenge && tmpl.DisableTLSALPNChallenge {
		cache.Stop()
		return nil, errors.New("MDCAChallenges: no allowed challenge type can be answered (http-01 needs a plain Listen, tls-alpn-01 an https one)")
	}
	if h, p, err := net.SplitHostPort(opt.HTTPAddr); err == nil {
		tmpl.ListenHost = h
		tmpl.AltHTTPPort, _ = strconv.Atoi(p)
	}
	if h, p, err := net.SplitHostPort(opt.TLSAddr); err == nil {
		if tmpl.ListenHost == "" || tmpl.DisableHTTPChallenge {
			tmpl.ListenHost = h
		}
		tmpl.AltTLSALPNPort, _ = strconv.Atoi(p)
	}
	cfg.Issuers = []certmagic.Issuer{&sanIssuer{ACMEIssuer: certmagic.NewACMEIssuer(cfg, tmpl), keys: keys, names: sans}}
	ctx, cancel := context.WithCancel(context.Background())
	m := &Manager{cancel: cancel, cache: cache}
	if len(names) > 0 {
		if err := cfg.ManageAsync(ctx, names); err != nil {
			m.Stop()
			return nil, fmt.Errorf("MDomain: %w", err)
		}
	}
	// A domain whose names changed since its certificate was issued
	// gets a new one now (mod_md orders again when an MD's domains
	// change); the old certificate serves until then.
	for _, d := range md.Domains {
		if d.Manual {
			continue
		}
		c, k := storedPaths(md, d.Names[0])
		leaf, err := loadLeaf(c, k)
		if err != nil || coversAll(leaf, d.Names) {
			continue
		}
		log.Info(fmt.Sprintf("mod_md: the names of %s changed: ordering a new certificate for %s", d.Names[0], strings.Join(d.Names, " ")), "module", "md")
		if err := cfg.RenewCertAsync(ctx, d.Names[0], true); err != nil {
			log.Error(fmt.Sprintf("AH10056: processing %s: %v", d.Names[0], err), "module", "md")
		}
	}
	return m, nil
}

// Stop ends ordering and renewing.
func (m *Manager) Stop() {
	if m == nil {
		return
	}
	m.cancel()
	m.cache.Stop()
}

// coversAll reports whether leaf names every one of names.
func coversAll(leaf *x509.Certificate, names []string) bool {
	for _, n := range names {
		if !slices.Contains(leaf.DNSNames, n) {
			return false
		}
	}
	return true
}
