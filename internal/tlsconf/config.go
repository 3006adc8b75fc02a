package tlsconf

import (
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"time"

	"github.com/gohttpd/gohttpd/conf"
)

// Server is one TLS server as Build sees it: a vhost (or the main
// server) with its merged mod_ssl settings.
type Server struct {
	// ID names the server in messages (mod_ssl's vhost_id,
	// "name:port").
	ID string
	// SSL is the merged configuration (conf.MergeSSLServer(main,
	// vhost)); nil or not Enabled: this server does not speak TLS.
	SSL *conf.SSLServer
	// NextProtos are this server's ALPN protocols (its Protocols
	// directive, "h2" first when HTTP/2 is on); nil: Options.NextProtos.
	NextProtos []string
}

// Selector maps a handshake to a server: the index into Options.Servers
// of the server whose certificate to present for the SNI name (empty when
// the client sent none) on a connection to local, and whether the name
// matched. site/vhost's (*Table).SelectSNI is one (with vhost.ID as
// index).
type Selector func(local netip.AddrPort, serverName string) (index int, found bool)

// Options are Build's inputs.
type Options struct {
	// Servers are indexed as Selector answers (for site/vhost: index 0
	// is the main server, i+1 the i-th <VirtualHost>).
	Servers []Server
	// Select picks a server for a handshake; nil always picks 0.
	Select Selector
	// Keys are the shared session-ticket keys (the master's, handed to
	// every child); nil generates keys for this process only, which
	// breaks resumption across children: the integrator must pass them.
	// A server with its own SSLSessionTicketKeyFile uses that file.
	Keys *TicketKeys
	// NextProtos are the ALPN protocols offered ("h2", "http/1.1").
	NextProtos []string
	// Now is the clock (nil: time.Now), for tests.
	Now func() time.Time
	// ReadFile reads the certificate, key, chain, CA and ticket key
	// files (nil: os.ReadFile). A master that read them once hands
	// their contents to its children with it, so every child of a
	// generation serves the same certificates whatever happens to the
	// files meanwhile (ReadFiles).
	ReadFile func(path string) ([]byte, error)
}

// Set is the built TLS configuration of all servers: one *tls.Config per
// TLS server and a root config whose GetConfigForClient picks among them.
// A Set is immutable except for its ticket keys, which RunRotation
// replaces in place.
type Set struct {
	root    *tls.Config
	configs []*tls.Config // by server index; nil: not a TLS server
	keys    []*TicketKeys // by server index
	servers []Server
	sel     Selector
	now     func() time.Time
}

// Build loads every TLS server's certificates and builds its *tls.Config.
// It fails when a server's certificates do not load (see Check) or its
// SSLProtocol has a hole Go cannot express. It reads files: call it in
// the master for -t and before starting children (to fail early), and in
// each child from the snapshot (the files are read again, so a graceful
// restart serves replaced certificates).
func Build(opt Options) (*Set, error) {
	s := &Set{servers: opt.Servers, sel: opt.Select, now: opt.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.sel == nil {
		s.sel = func(netip.AddrPort, string) (int, bool) { return 0, false }
	}
	read := opt.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	keys := opt.Keys
	if keys == nil {
		var err error
		if keys, err = GenerateTicketKeys(0); err != nil {
			return nil, err
		}
	}
	s.configs = make([]*tls.Config, len(opt.Servers))
	s.keys = make([]*TicketKeys, len(opt.Servers))
	fileKeys := map[string]*TicketKeys{}
	var errs []error
	first := -1
	for i, srv := range opt.Servers {
		if !srv.SSL.Enabled() {
			continue
		}
		protos := opt.NextProtos
		if srv.NextProtos != nil {
			protos = srv.NextProtos
		}
		cfg, err := serverConfig(srv, protos, read)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		k := keys
		if p := srv.SSL.TicketKeyFile.Path; p != "" {
			if k = fileKeys[p]; k == nil {
				if k, err = loadTicketKeyFile(read, p); err != nil {
					errs = append(errs, fmt.Errorf("%s: SSLSessionTicketKeyFile: %w", srv.SSL.TicketKeyFile.Where(), err))
					continue
				}
				fileKeys[p] = k
			}
		}
		s.keys[i] = k
		k.Install(cfg, s.now())
		if lifetime := srv.SSL.TicketLifetime(); !cfg.SessionTicketsDisabled {
			wrapTickets(cfg, lifetime, s.now)
		}
		s.configs[i] = cfg
		if first < 0 {
			first = i
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if first < 0 {
		return nil, errors.New("tlsconf: no server has SSLEngine on")
	}
	// The root config only dispatches; its own settings matter for
	// nothing but a handshake GetConfigForClient cannot place.
	s.root = s.configs[first].Clone()
	keys.Install(s.root, s.now())
	s.root.GetConfigForClient = s.configForClient
	return s, nil
}

// Config is the *tls.Config to give the engines: wrap each accepted
// connection of a "https" Listen with tls.Server(conn, set.Config()).
func (s *Set) Config() *tls.Config { return s.root }

// ServerConfig is the config of server i (nil when it has no TLS).
func (s *Set) ServerConfig(i int) *tls.Config { return s.configs[i] }

// HandshakeServer is the index of the server that did the handshake of
// a connection to local with SNI name serverName (ConnectionState's
// ServerName), for CheckRequest: the same answer configForClient gave.
func (s *Set) HandshakeServer(local netip.AddrPort, serverName string) int {
	i, _ := s.pick(local, serverName)
	return i
}

func (s *Set) pick(local netip.AddrPort, name string) (int, bool) {
	ok := func(i int) bool { return i >= 0 && i < len(s.configs) && s.configs[i] != nil }
	i, found := s.sel(local, name)
	if ok(i) {
		return i, found
	}
	// mod_ssl switches to the vhost the name picked only when it has TLS
	// on; else the handshake stays with the connection's default server.
	if i, _ = s.sel(local, ""); ok(i) {
		return i, false
	}
	return -1, false
}

func (s *Set) configForClient(hello *tls.ClientHelloInfo) (*tls.Config, error) {
	var local netip.AddrPort
	if hello.Conn != nil {
		if a, ok := hello.Conn.LocalAddr().(interface{ AddrPort() netip.AddrPort }); ok {
			local = a.AddrPort()
		}
	}
	i, _ := s.pick(local, hello.ServerName)
	if i < 0 {
		return nil, fmt.Errorf("tlsconf: no TLS server for %q on %v", hello.ServerName, local)
	}
	return s.configs[i], nil
}

// RotateTicketKeys installs the ticket keys for now on every config.
func (s *Set) RotateTicketKeys(now time.Time) {
	for i, cfg := range s.configs {
		if cfg != nil {
			s.keys[i].Install(cfg, now)
		}
	}
	for _, k := range s.keys {
		if k != nil {
			k.Install(s.root, now)
			break
		}
	}
}

// RunRotation rotates the ticket keys at each period boundary until ctx
// ends (a child runs it in a goroutine; keys from a file never change).
func (s *Set) RunRotation(ctx context.Context) {
	for {
		var next time.Time
		for _, k := range s.keys {
			if k != nil && !k.Fixed() {
				if n := k.NextRotation(s.now()); next.IsZero() || n.Before(next) {
					next = n
				}
			}
		}
		if next.IsZero() {
			return
		}
		t := time.NewTimer(time.Until(next) + time.Second)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
			s.RotateTicketKeys(s.now())
		}
	}
}

// serverConfig builds one server's *tls.Config.
func serverConfig(srv Server, nextProtos []string, read func(string) ([]byte, error)) (*tls.Config, error) {
	ssl := srv.SSL
	certs, probs := loadWith(read, srv.ID, ssl)
	if err := problemsError(probs); err != nil {
		return nil, err
	}
	lo, hi, err := ssl.EffectiveProtocols().VersionRange()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", srv.ID, err)
	}
	cfg := &tls.Config{
		Certificates: certs,
		MinVersion:   lo,
		MaxVersion:   hi,
		// nil keeps Go's defaults (no kRSA suites, unlike OpenSSL's
		// DEFAULT); a configured SSLCipherSuite is used as given.
		CipherSuites:           slices.Clone(ssl.Ciphers),
		SessionTicketsDisabled: ssl.SessionTicketsSet && ssl.NoSessionTickets,
		NextProtos:             nextProtos,
		CurvePreferences:       slices.Clone(ssl.Curves),
	}
	// With several certificates, pick as OpenSSL does: by what the
	// client supports (signature algorithms, curves and, in TLS 1.2, the
	// offered suites), ECDSA before RSA (clients list ECDHE-ECDSA suites
	// first, and OpenSSL follows the client's order). crypto/tls's own
	// choice (SupportsCertificate over Certificates) also requires the
	// certificate to be valid for the SNI name and else falls back to the
	// first one; mod_ssl does not look at names here, so neither does
	// this.
	if len(certs) > 1 {
		slices.SortStableFunc(certs, func(a, b tls.Certificate) int {
			_, ea := a.PrivateKey.(*ecdsa.PrivateKey)
			_, eb := b.PrivateKey.(*ecdsa.PrivateKey)
			switch {
			case ea && !eb:
				return -1
			case eb && !ea:
				return 1
			}
			return 0
		})
		cfg.Certificates = certs
		cfg.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			h := *hello
			h.ServerName = ""
			for i := range certs {
				if h.SupportsCertificate(&certs[i]) == nil {
					return &certs[i], nil
				}
			}
			return &certs[0], nil
		}
	}
	if err := clientAuth(cfg, ssl, read); err != nil {
		return nil, fmt.Errorf("%s: %w", srv.ID, err)
	}
	return cfg, nil
}

// clientAuth sets SSLVerifyClient, SSLVerifyDepth and
// SSLCACertificateFile.
func clientAuth(cfg *tls.Config, ssl *conf.SSLServer, read func(string) ([]byte, error)) error {
	mode := ssl.VerifyClient
	if mode == conf.VerifyUnset || mode == conf.VerifyNone {
		return nil
	}
	if mode == conf.VerifyOptionalNoCA {
		// Ask for a certificate, accept any (the application looks at
		// SSL_CLIENT_VERIFY: ClientVerify with cfg.ClientCAs). The CA
		// names, when there is a CA file, go in the request as in Apache.
		cfg.ClientAuth = tls.RequestClientCert
		if ssl.CACertificateFile.Path == "" {
			return nil
		}
	} else if ssl.CACertificateFile.Path == "" {
		// Apache: AH01895? It starts and fails every verification; an
		// error is kinder.
		return errors.New("SSLVerifyClient " + mode.String() + " needs SSLCACertificateFile")
	}
	raw, err := read(ssl.CACertificateFile.Path)
	if err != nil {
		return fmt.Errorf("%s: SSLCACertificateFile: %w", ssl.CACertificateFile.Where(), err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(raw) {
		return fmt.Errorf("%s: SSLCACertificateFile: no PEM certificate in '%s'", ssl.CACertificateFile.Where(), ssl.CACertificateFile.Path)
	}
	cfg.ClientCAs = pool
	if mode == conf.VerifyOptionalNoCA {
		return nil
	}
	if mode == conf.VerifyRequire {
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	} else {
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	}
	depth := ssl.Depth()
	cfg.VerifyPeerCertificate = func(_ [][]byte, chains [][]*x509.Certificate) error {
		// OpenSSL's verify depth counts the certificates above the
		// client's: depth 1 allows the client certificate and the CA
		// that signed it.
		for _, c := range chains {
			if len(c)-1 <= depth {
				return nil
			}
		}
		if len(chains) == 0 {
			return nil // no certificate (optional)
		}
		return fmt.Errorf("certificate chain too long (SSLVerifyDepth %d)", depth)
	}
	return nil
}

// wrapTickets bounds a resumed session's age by SSLSessionCacheTimeout:
// Go's tickets live up to 7 days; the issue time rides in the session's
// Extra field and an older ticket is ignored (full handshake).
func wrapTickets(cfg *tls.Config, lifetime time.Duration, now func() time.Time) {
	cfg.WrapSession = func(cs tls.ConnectionState, ss *tls.SessionState) ([]byte, error) {
		// A resumed session keeps its first issue time (as OpenSSL keeps
		// a session's time), so resumption does not extend it.
		if !slices.ContainsFunc(ss.Extra, isTag) {
			b := binary.BigEndian.AppendUint64([]byte(tag), uint64(now().Unix()))
			ss.Extra = append(ss.Extra, b)
		}
		return cfg.EncryptTicket(cs, ss)
	}
	cfg.UnwrapSession = func(identity []byte, cs tls.ConnectionState) (*tls.SessionState, error) {
		ss, err := cfg.DecryptTicket(identity, cs)
		if ss == nil || err != nil {
			return nil, err
		}
		for _, e := range ss.Extra {
			if isTag(e) {
				issued := time.Unix(int64(binary.BigEndian.Uint64(e[len(tag):])), 0)
				if now().Sub(issued) <= lifetime {
					return ss, nil
				}
			}
		}
		return nil, nil
	}
}

const tag = "gohttpd-t"

func isTag(e []byte) bool { return len(e) == len(tag)+8 && string(e[:len(tag)]) == tag }
