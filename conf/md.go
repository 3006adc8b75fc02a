package conf

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// mod_md (automatic certificates over ACME): the directives gohttpd reads
// and the settings they give (Config.MD). Behaviour lives in
// internal/acme (the master's manager, the children's challenge answers)
// and cmd/gohttpd (md.go). Only the main server's MD* directives are
// read: in a <VirtualHost> (where Apache also takes them) they are
// refused, as are <MDomainSet> and every other MD* directive (the "md"
// prefix of unsupported.go).

// MDDirectives are the mod_md directives gohttpd implements.
var MDDirectives = []string{
	"MDomain", "MDCertificateAuthority", "MDContactEmail", "MDCertificateAgreement",
	"MDStoreDir", "MDCACertificateFile", "MDRenewWindow", "MDCAChallenges",
}

// Challenge types of MDCAChallenges.
const (
	ChallengeHTTP01    = "http-01"
	ChallengeTLSALPN01 = "tls-alpn-01"
)

// DefaultMDCA is mod_md's default MDCertificateAuthority (Let's Encrypt).
const DefaultMDCA = "https://acme-v02.api.letsencrypt.org/directory"

// MDomain is one managed domain: the names of one certificate.
type MDomain struct {
	// Names are the domain names, the first one the certificate's
	// common name (lower case, as written order).
	Names []string `json:"names"`
	// Manual is "MDomain ... manual" (MDRenewMode manual for this
	// domain): gohttpd does not order its certificate.
	Manual bool `json:"manual,omitempty"`
	// ManualMembers is "MDMembers manual" in its <MDomainSet>: the
	// names of virtual hosts that have one of the domain's names do not
	// join it (by default, mod_md's "auto", their ServerName and
	// ServerAlias names do: cmd/gohttpd's applyMD).
	ManualMembers bool `json:"manualMembers,omitempty"`
	// Pending: no certificate from the CA yet, the self-signed fallback
	// is served (set by the master for each generation); requests over
	// https for the domain get 503, as mod_md.
	Pending bool   `json:"pending,omitempty"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
}

// MDConfig is the main server's mod_md settings.
type MDConfig struct {
	Domains []MDomain `json:"domains"`
	// CA is the ACME directory URL (MDCertificateAuthority; default
	// DefaultMDCA).
	CA string `json:"ca"`
	// Contact is MDContactEmail, else the main server's ServerAdmin
	// (as mod_md does).
	Contact string `json:"contact,omitempty"`
	// Agreed is "MDCertificateAgreement accepted".
	Agreed bool `json:"agreed,omitempty"`
	// StoreDir is MDStoreDir resolved against ServerRoot (default
	// ServerRoot/md).
	StoreDir string `json:"storeDir"`
	// CACertificateFile is the PEM file of roots to trust for the ACME
	// server (MDCACertificateFile); "": the system's.
	CACertificateFile string `json:"caCertificateFile,omitempty"`
	// RenewWindow: renew when less than RenewDays of validity remain,
	// or, when RenewDays is 0, less than RenewPercent percent of the
	// certificate's lifetime (default 33%, as mod_md).
	RenewDays    int `json:"renewDays,omitempty"`
	RenewPercent int `json:"renewPercent,omitempty"`
	// Challenges are the allowed challenge types in preference order
	// (MDCAChallenges; default tls-alpn-01 and http-01).
	Challenges []string `json:"challenges"`
}

// RenewWindow is the window as a duration for a certificate valid for
// lifetime.
func (m *MDConfig) RenewWindow(lifetime time.Duration) time.Duration {
	if m.RenewDays > 0 {
		return time.Duration(m.RenewDays) * 24 * time.Hour
	}
	return lifetime * time.Duration(m.RenewPercent) / 100
}

// Allows reports whether challenge type t is allowed.
func (m *MDConfig) Allows(t string) bool {
	for _, c := range m.Challenges {
		if c == t {
			return true
		}
	}
	return false
}

// DomainOf is the managed domain one of whose names is host (case
// insensitive), or nil.
func (m *MDConfig) DomainOf(host string) *MDomain {
	if m == nil {
		return nil
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for i := range m.Domains {
		for _, n := range m.Domains[i].Names {
			if n == host {
				return &m.Domains[i]
			}
		}
	}
	return nil
}

// MDBuilder reads the MD* directives of the main server.
type MDBuilder struct {
	cfg        MDConfig
	seen       bool
	storeSet   bool
	renewSet   bool
	challenges bool
}

// Directive applies one MD* directive (name: one of MDDirectives).
// Errors are *Error with mod_md's texts where it has one.
func (b *MDBuilder) Directive(file string, line int, name string, args []string) error {
	b.seen = true
	fail := func(msg string) error {
		return &Error{File: file, Line: line, Directive: name, Err: errors.New(msg)}
	}
	one := func(what string) (string, error) {
		if len(args) != 1 {
			return "", fail(name + " takes one argument, " + what)
		}
		return args[0], nil
	}
	var err error
	switch name {
	case "MDomain":
		if len(args) == 0 {
			return fail("needs at least one domain name")
		}
		d := MDomain{File: file, Line: line}
		for _, a := range args {
			switch strings.ToLower(a) {
			case "auto":
				continue
			case "manual":
				d.Manual = true
				continue
			}
			n := strings.ToLower(a)
			if strings.ContainsAny(n, "/:@ \t") || strings.HasPrefix(n, "*") {
				return fail(fmt.Sprintf("'%s' is not a domain name gohttpd can manage (wildcards need DNS-01, which gohttpd does not do)", a))
			}
			if b.cfg.DomainOf(n) != nil {
				return fail(fmt.Sprintf("domain name '%s' is already part of another MDomain", a))
			}
			d.Names = append(d.Names, n)
		}
		if len(d.Names) == 0 {
			return fail("needs at least one domain name")
		}
		b.cfg.Domains = append(b.cfg.Domains, d)
	case "MDCertificateAuthority":
		if len(args) == 0 {
			return fail("needs the URL of the ACME server's directory")
		}
		// mod_md tries several CAs in turn; gohttpd uses the first.
		u := args[0]
		switch strings.ToLower(u) {
		case "letsencrypt":
			u = DefaultMDCA
		case "letsencrypt-test":
			u = "https://acme-staging-v02.api.letsencrypt.org/directory"
		}
		if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			return fail(fmt.Sprintf("'%s' is not an http(s) URL", args[0]))
		}
		b.cfg.CA = u
	case "MDContactEmail":
		if b.cfg.Contact, err = one("Email address used for account registration"); err != nil {
			return err
		}
	case "MDCertificateAgreement":
		v, err := one("the agreement ('accepted')")
		if err != nil {
			return err
		}
		// mod_md 2.x takes "accepted"; older ones took the terms' URL.
		b.cfg.Agreed = strings.EqualFold(v, "accepted") || strings.HasPrefix(v, "https://")
	case "MDStoreDir":
		v, err := one("the directory for file system storage of managed domain data.")
		if err != nil {
			return err
		}
		b.cfg.StoreDir, b.storeSet = v, true
	case "MDCACertificateFile":
		if b.cfg.CACertificateFile, err = one("a file with the root certificates of the ACME server"); err != nil {
			return err
		}
	case "MDRenewWindow":
		v, err := one("a duration or percentage")
		if err != nil {
			return err
		}
		days, pct, msg := parseRenewWindow(v)
		if msg != "" {
			return fail(name + " " + msg)
		}
		b.cfg.RenewDays, b.cfg.RenewPercent, b.renewSet = days, pct, true
	case "MDCAChallenges":
		if len(args) == 0 {
			return fail("needs at least one challenge type")
		}
		b.cfg.Challenges = nil
		for _, a := range args {
			t := strings.ToLower(a)
			if t != ChallengeHTTP01 && t != ChallengeTLSALPN01 {
				return fail(fmt.Sprintf("challenge type '%s' is not supported (gohttpd does http-01 and tls-alpn-01)", a))
			}
			b.cfg.Challenges = append(b.cfg.Challenges, t)
		}
		b.challenges = true
	default:
		return fail("not a mod_md directive gohttpd implements")
	}
	return nil
}

// parseRenewWindow reads mod_md's duration or percentage: "33%", "30"
// (days), "30d", "720h", "10mi", "3600s". It returns the window in days
// or percent, or mod_md's error text.
func parseRenewWindow(v string) (days, pct int, msg string) {
	if p, ok := strings.CutSuffix(v, "%"); ok {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return 0, 0, "has unrecognized format"
		}
		if n >= 100 {
			return 0, 0, "a length of 100% or more is not allowed."
		}
		if n == 0 {
			return 0, 0, "has unrecognized format"
		}
		return 0, n, ""
	}
	unit := 24 * time.Hour
	num := v
	for _, u := range []struct {
		s string
		d time.Duration
	}{{"mi", time.Minute}, {"ms", time.Millisecond}, {"d", 24 * time.Hour}, {"h", time.Hour}, {"s", time.Second}} {
		if n, ok := strings.CutSuffix(strings.ToLower(v), u.s); ok {
			num, unit = n, u.d
			break
		}
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 || int64(n) > int64(100*365*24*time.Hour/unit) {
		return 0, 0, "has unrecognized format" // negative, or over a century
	}
	d := time.Duration(n) * unit
	days = int((d + 24*time.Hour - 1) / (24 * time.Hour))
	if days == 0 {
		days = 1
	}
	return days, 0, ""
}

// Finish returns the settings (nil when no MD* directive was read),
// with defaults: serverRoot/md, Let's Encrypt, 33%, tls-alpn-01 and
// http-01, and serverAdmin as the contact when MDContactEmail is not
// given (mod_md).
func (b *MDBuilder) Finish(serverRoot, serverAdmin string) *MDConfig {
	if !b.seen {
		return nil
	}
	c := b.cfg
	if c.CA == "" {
		c.CA = DefaultMDCA
	}
	if c.Contact == "" {
		c.Contact = strings.TrimPrefix(serverAdmin, "mailto:")
	}
	if !b.storeSet {
		c.StoreDir = "md"
	}
	if !filepath.IsAbs(c.StoreDir) {
		c.StoreDir = filepath.Join(serverRoot, c.StoreDir)
	}
	if c.CACertificateFile != "" && !filepath.IsAbs(c.CACertificateFile) {
		c.CACertificateFile = filepath.Join(serverRoot, c.CACertificateFile)
	}
	if !b.renewSet {
		c.RenewPercent = 33
	}
	if !b.challenges {
		c.Challenges = []string{ChallengeTLSALPN01, ChallengeHTTP01}
	}
	return &c
}
