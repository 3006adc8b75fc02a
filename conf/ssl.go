package conf

// TLS directives: the types of mod_ssl, built by SSLBuilder from one
// server's (main or <VirtualHost>) directives and combined by
// MergeSSLServer as mod_ssl's ssl_config_server_merge does. The
// *tls.Config they describe is built by internal/tlsconf (master and
// children alike); the engines only ever see that *tls.Config.
//
// "Listen addr https" needs nothing here: Listen.Proto is "https" (also
// for port 443 without a protocol), which is how the integrator knows to
// wrap a listener's connections.

import (
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// SSLEngineMode is SSLEngine.
type SSLEngineMode uint8

// SSLEngine values.
const (
	SSLEngineUnset SSLEngineMode = iota
	SSLEngineOff
	SSLEngineOn
	// SSLEngineOptional is not produced: Apache 2.4.71 treats "SSLEngine
	// optional" as Off with its AH10510 notice, and so does SSLBuilder.
	SSLEngineOptional
)

// SSLVerifyMode is SSLVerifyClient.
type SSLVerifyMode uint8

// SSLVerifyClient values.
const (
	VerifyUnset SSLVerifyMode = iota
	VerifyNone
	VerifyOptional
	VerifyRequire
	VerifyOptionalNoCA
)

var verifyNames = [...]string{"unset", "none", "optional", "require", "optional_no_ca"}

// String is the directive's word for v.
func (v SSLVerifyMode) String() string {
	if int(v) < len(verifyNames) {
		return verifyNames[v]
	}
	return "?"
}

// SSLFile is a file named by a directive: Path is absolute (resolved
// against ServerRoot); File and Line are where the directive was written,
// for -t messages.
type SSLFile struct {
	Path string `json:"path"`
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

// Where is "file:line" of the directive.
func (f SSLFile) Where() string {
	if f.Line > 0 {
		return f.File + ":" + strconv.Itoa(f.Line)
	}
	return f.File
}

// SSLServer is what one server (the main server or a <VirtualHost>)
// says about TLS; MergeSSLServer gives a vhost's effective settings. Zero
// values mean unset. Values are immutable once built.
type SSLServer struct {
	Engine SSLEngineMode `json:"engine,omitempty"`

	// CertFiles and KeyFiles are SSLCertificateFile and
	// SSLCertificateKeyFile in order; the i-th key belongs to the i-th
	// certificate, and a certificate without a key file has its key in
	// the same file (mod_ssl's rule). A certificate file may hold the
	// chain after the leaf. Several pairs give several certificates (RSA
	// and ECDSA); for one key type the last pair wins, as in OpenSSL.
	CertFiles []SSLFile `json:"certFiles,omitempty"`
	KeyFiles  []SSLFile `json:"keyFiles,omitempty"`
	// ChainFile is SSLCertificateChainFile (appended to every
	// certificate's chain), Path "" when unset.
	ChainFile SSLFile `json:"chainFile"`

	// Protocols is SSLProtocol, meaningful when ProtocolsSet (else
	// ProtoDefault).
	Protocols    SSLProtocols `json:"protocols,omitempty"`
	ProtocolsSet bool         `json:"protocolsSet,omitempty"`

	// CipherSuite is the SSLCipherSuite string as Apache keeps it (with
	// ":!aNULL:!eNULL:!EXP" appended), "" when unset; Ciphers its TLS 1.2
	// suites as crypto/tls IDs, nil when unset (Go's defaults).
	CipherSuite string   `json:"cipherSuite,omitempty"`
	Ciphers     []uint16 `json:"ciphers,omitempty"`
	// TLS13CipherSuite is "SSLCipherSuite TLSv1.3 ..." (accepted, not
	// applied: Go's TLS 1.3 suites are fixed).
	TLS13CipherSuite string `json:"tls13CipherSuite,omitempty"`
	// SecLevel0 is true when the cipher string holds @SECLEVEL=0: only
	// then does Debian's OpenSSL allow TLS 1.0 and 1.1 (see
	// EffectiveProtocols).
	SecLevel0 bool `json:"secLevel0,omitempty"`

	// HonorCipherOrder is SSLHonorCipherOrder (no effect in Go since
	// 1.18), meaningful when HonorCipherOrderSet.
	HonorCipherOrder    bool `json:"honorCipherOrder,omitempty"`
	HonorCipherOrderSet bool `json:"honorCipherOrderSet,omitempty"`

	// NoSessionTickets is "SSLSessionTickets Off", meaningful when
	// SessionTicketsSet (default On).
	NoSessionTickets  bool `json:"noSessionTickets,omitempty"`
	SessionTicketsSet bool `json:"sessionTicketsSet,omitempty"`
	// TicketKeyFile is SSLSessionTicketKeyFile, Path "" when unset (then
	// the master's generated, rotated keys are used).
	TicketKeyFile SSLFile `json:"ticketKeyFile"`

	// CACertificateFile is SSLCACertificateFile, Path "" when unset.
	CACertificateFile SSLFile `json:"caCertificateFile"`
	// VerifyClient is SSLVerifyClient (unset means none).
	VerifyClient SSLVerifyMode `json:"verifyClient,omitempty"`
	// VerifyDepth is SSLVerifyDepth, -1 when unset (Apache's default 1).
	VerifyDepth int `json:"verifyDepth"`

	// StrictSNI is SSLStrictSNIVHostCheck, meaningful when StrictSNISet.
	StrictSNI    bool `json:"strictSNI,omitempty"`
	StrictSNISet bool `json:"strictSNISet,omitempty"`

	// Curves is "SSLOpenSSLConfCmd Curves" (or Groups, ECDHParameters):
	// the key-exchange groups in order, nil when unset (Go's defaults).
	Curves []tls.CurveID `json:"curves,omitempty"`

	// SessionCacheTimeout is SSLSessionCacheTimeout (0: unset, Apache's
	// 300 s): the lifetime of a session ticket issued by this server.
	SessionCacheTimeout time.Duration `json:"sessionCacheTimeout,omitempty"`

	// SessionCache is SSLSessionCache (main server only; nil: unset,
	// which is Apache's none): see ssl_sesscache.go.
	SessionCache *SSLSessionCacheSpec `json:"sessionCache,omitempty"`
}

// NewSSLServer is an SSLServer with nothing set.
func NewSSLServer() *SSLServer { return &SSLServer{VerifyDepth: -1} }

// Enabled is SSLEngine On.
func (s *SSLServer) Enabled() bool { return s != nil && s.Engine == SSLEngineOn }

// Depth is SSLVerifyDepth with Apache's default of 1.
func (s *SSLServer) Depth() int {
	if s.VerifyDepth < 0 {
		return 1
	}
	return s.VerifyDepth
}

// TicketLifetime is SSLSessionCacheTimeout with Apache's default of
// 300 s.
func (s *SSLServer) TicketLifetime() time.Duration {
	if s.SessionCacheTimeout <= 0 {
		return 300 * time.Second
	}
	return s.SessionCacheTimeout
}

// EffectiveProtocols is the set of versions served: SSLProtocol (default
// TLS 1.2 and 1.3) without TLS 1.0 and 1.1 unless the cipher string says
// @SECLEVEL=0. Measured with Apache 2.4.71 and OpenSSL 3.0.19 on Debian:
// "SSLProtocol all" answers a TLS 1.0 or 1.1 ClientHello with an
// internal_error alert (security level 2 refuses them), and serves TLS 1.0
// once SSLCipherSuite ends in @SECLEVEL=0.
func (s *SSLServer) EffectiveProtocols() SSLProtocols {
	p := ProtoDefault
	if s.ProtocolsSet {
		p = s.Protocols
	}
	if !s.SecLevel0 {
		p &^= ProtoTLSv1 | ProtoTLSv11
	}
	return p
}

// MergeSSLServer is ssl_config_server_merge: vhost's settings over the
// main server's, each unset one inherited; certificate and key files are
// the main server's followed by the vhost's (cfgMergeArray), so a vhost
// with its own RSA pair still gets the main server's ECDSA pair.
func MergeSSLServer(main, vhost *SSLServer) *SSLServer {
	if main == nil {
		return vhost
	}
	if vhost == nil {
		return main
	}
	m := *vhost
	if m.Engine == SSLEngineUnset {
		m.Engine = main.Engine
	}
	m.CertFiles = append(append([]SSLFile(nil), main.CertFiles...), vhost.CertFiles...)
	m.KeyFiles = append(append([]SSLFile(nil), main.KeyFiles...), vhost.KeyFiles...)
	if m.ChainFile.Path == "" {
		m.ChainFile = main.ChainFile
	}
	if !m.ProtocolsSet {
		m.Protocols, m.ProtocolsSet = main.Protocols, main.ProtocolsSet
	}
	if m.CipherSuite == "" {
		m.CipherSuite, m.Ciphers, m.SecLevel0 = main.CipherSuite, main.Ciphers, main.SecLevel0
	}
	if m.TLS13CipherSuite == "" {
		m.TLS13CipherSuite = main.TLS13CipherSuite
	}
	if !m.HonorCipherOrderSet {
		m.HonorCipherOrder, m.HonorCipherOrderSet = main.HonorCipherOrder, main.HonorCipherOrderSet
	}
	if !m.SessionTicketsSet {
		m.NoSessionTickets, m.SessionTicketsSet = main.NoSessionTickets, main.SessionTicketsSet
	}
	if m.TicketKeyFile.Path == "" {
		m.TicketKeyFile = main.TicketKeyFile
	}
	if m.CACertificateFile.Path == "" {
		m.CACertificateFile = main.CACertificateFile
	}
	if m.VerifyClient == VerifyUnset {
		m.VerifyClient = main.VerifyClient
	}
	if m.VerifyDepth < 0 {
		m.VerifyDepth = main.VerifyDepth
	}
	if !m.StrictSNISet {
		m.StrictSNI, m.StrictSNISet = main.StrictSNI, main.StrictSNISet
	}
	if m.Curves == nil {
		m.Curves = main.Curves
	}
	if m.SessionCacheTimeout == 0 {
		m.SessionCacheTimeout = main.SessionCacheTimeout
	}
	return &m
}

// SSL options of SSLOptions (per directory).
const (
	SSLOptStdEnvVars uint16 = 1 << iota
	SSLOptExportCertData
	SSLOptExportBase64CertData
	SSLOptFakeBasicAuth
	SSLOptStrictRequire
	SSLOptOptRenegotiate
	SSLOptLegacyDNStringFormat
)

var sslOptionNames = []struct {
	name string
	opt  uint16
}{
	{"StdEnvVars", SSLOptStdEnvVars}, {"ExportCertData", SSLOptExportCertData},
	{"ExportBase64CertData", SSLOptExportBase64CertData}, {"FakeBasicAuth", SSLOptFakeBasicAuth},
	{"StrictRequire", SSLOptStrictRequire}, {"OptRenegotiate", SSLOptOptRenegotiate},
	{"LegacyDNStringFormat", SSLOptLegacyDNStringFormat},
}

// SSLDir is SSLOptions of one section (mod_ssl's nOptions, nOptionsAdd,
// nOptionsDel); MergeSSLDir combines sections.
type SSLDir struct {
	Options uint16 `json:"options,omitempty"`
	Add     uint16 `json:"add,omitempty"`
	Del     uint16 `json:"del,omitempty"`
	// Set is true when the section has an option without +/- (it then
	// replaces its parent's options).
	Set bool `json:"set,omitempty"`
}

// Has reports whether option o is on.
func (d *SSLDir) Has(o uint16) bool { return d != nil && d.Options&o != 0 }

// ParseSSLOptions is ssl_cmd_SSLOptions.
func ParseSSLOptions(words []string) (*SSLDir, error) {
	d := &SSLDir{}
	first := true
	for _, w := range words {
		action := byte(0)
		if w != "" && (w[0] == '+' || w[0] == '-') {
			action, w = w[0], w[1:]
		} else if first {
			d.Options, d.Set, first = 0, true, false
		}
		var opt uint16
		for _, n := range sslOptionNames {
			if strings.EqualFold(w, n.name) {
				opt = n.opt
			}
		}
		if opt == 0 {
			return nil, fmt.Errorf("SSLOptions: Illegal option '%s'", w)
		}
		switch action {
		case '-':
			d.Add &^= opt
			d.Del |= opt
			d.Options &^= opt
		case '+':
			d.Add |= opt
			d.Del &^= opt
			d.Options |= opt
		default:
			d.Options = opt
		}
	}
	return d, nil
}

// MergeSSLDir is ssl_config_perdir_merge for SSLOptions: a child that
// set options without +/- replaces the parent's; else the parent's with
// the child's additions and removals.
func MergeSSLDir(base, child *SSLDir) *SSLDir {
	if base == nil {
		return child
	}
	if child == nil {
		return base
	}
	m := &SSLDir{Set: base.Set || child.Set}
	if child.Set {
		m.Options = child.Options
		m.Add, m.Del = child.Add, child.Del
	} else {
		m.Add = (base.Add &^ child.Del) | child.Add
		m.Del = (base.Del &^ child.Add) | child.Del
		m.Options = (base.Options &^ m.Del) | m.Add
	}
	return m
}

// SSLDirectives are the directives SSLBuilder.Directive takes.
var SSLDirectives = []string{
	"SSLEngine", "SSLCertificateFile", "SSLCertificateKeyFile", "SSLCertificateChainFile",
	"SSLProtocol", "SSLCipherSuite", "SSLHonorCipherOrder", "SSLSessionTickets",
	"SSLSessionTicketKeyFile", "SSLCACertificateFile", "SSLVerifyClient", "SSLVerifyDepth",
	"SSLStrictSNIVHostCheck", "SSLSessionCacheTimeout", "SSLOptions",
	// accepted with a warning (or refused where the value matters):
	"SSLSessionCache", "SSLRandomSeed", "SSLPassPhraseDialog", "SSLCompression",
	"SSLUseStapling", "SSLStaplingCache", "SSLOpenSSLConfCmd", "SSLInsecureRenegotiation",
	"SSLFIPS", "SSLCryptoDevice",
}

// SSLBuilder builds the SSLServer of one server from its directives, in
// order (use one for the main server, with InVHost false, and one per
// <VirtualHost>), then MergeSSLServer(main, vhost) for each vhost:
//
//	b := conf.SSLBuilder{ServerRoot: cfg.ServerRoot, InVHost: true}
//	err := b.Directive(file, line, "SSLCertificateFile", args) // each SSL* line
//	dir, err := b.DirDirective(file, line, "SSLOptions", args)  // in <Directory>/<Location>
//	srv, warnings := b.Finish()
//
// Errors are *Error values with file, line, directive and Apache's
// texts; warnings are lines for -t/-S and the error log. File checks are
// Apache's at parse time (exists, regular, not empty); that the files
// parse and match is internal/tlsconf.Check's job (-t).
type SSLBuilder struct {
	// ServerRoot resolves relative paths.
	ServerRoot string
	// InVHost: the directives are inside a <VirtualHost>.
	InVHost bool

	srv      *SSLServer
	warnings []string
}

func (b *SSLBuilder) server() *SSLServer {
	if b.srv == nil {
		b.srv = NewSSLServer()
	}
	return b.srv
}

// Finish returns the server's settings (never nil) and the warnings.
func (b *SSLBuilder) Finish() (*SSLServer, []string) {
	s := b.server()
	return s, b.warnings
}

var sslTake1Desc = map[string]string{
	"SSLEngine":               "SSL switch for the protocol engine ('on', 'off')",
	"SSLCertificateFile":      "SSL Server Certificate file ('/path/to/file' - PEM or DER encoded)",
	"SSLCertificateKeyFile":   "SSL Server Private Key file ('/path/to/file' - PEM or DER encoded)",
	"SSLCertificateChainFile": "SSL Server CA Certificate Chain file ('/path/to/file' - PEM encoded)",
	"SSLSessionTicketKeyFile": "TLS session ticket encryption/decryption key file (RFC 5077) ('/path/to/file' - file with 48 bytes of random data)",
	"SSLCACertificateFile":    "SSL CA Certificate file ('/path/to/file' - PEM encoded)",
	"SSLVerifyClient":         "SSL Client verify type ('none', 'optional', 'require', 'optional_no_ca')",
	"SSLVerifyDepth":          "SSL Client verify depth ('N' - number of intermediate certificates)",
	"SSLSessionCacheTimeout":  "SSL Session Cache object lifetime ('N' - number of seconds)",
	"SSLSessionCache":         "SSL Session Cache storage ('none', 'nonenotnull', 'dbm:/path/to/file')",
	"SSLPassPhraseDialog":     "SSL dialog mechanism for the pass phrase query ('builtin', '|/path/to/pipe_program', or 'exec:/path/to/cgi_program')",
	"SSLStaplingCache":        "SSL Stapling Response Cache storage ('dbm:/path/to/file')",
	"SSLCryptoDevice":         "SSL external Crypto Device usage ('builtin', '...')",
}

var sslFlagDirectives = map[string]bool{
	"SSLHonorCipherOrder": true, "SSLSessionTickets": true, "SSLStrictSNIVHostCheck": true,
	"SSLCompression": true, "SSLUseStapling": true, "SSLInsecureRenegotiation": true, "SSLFIPS": true,
}

var sslGlobalOnly = map[string]bool{
	"SSLSessionCache": true, "SSLPassPhraseDialog": true, "SSLRandomSeed": true,
	"SSLStaplingCache": true, "SSLFIPS": true, "SSLCryptoDevice": true,
}

func canonicalSSL(name string) string {
	for _, d := range SSLDirectives {
		if strings.EqualFold(d, name) {
			return d
		}
	}
	return name
}

func (b *SSLBuilder) warn(file string, line int, directive, msg string) {
	where := file
	if line > 0 {
		where += ":" + strconv.Itoa(line)
	}
	if where != "" {
		where += ": "
	}
	b.warnings = append(b.warnings, where+directive+": "+msg)
}

// checkFile is ssl_cmd_check_file: the path resolved against ServerRoot
// must exist, be a regular file and not be empty.
func (b *SSLBuilder) checkFile(directive, arg, file string, line int) (SSLFile, error) {
	p := arg
	if !filepath.IsAbs(p) {
		p = filepath.Join(b.ServerRoot, p)
	}
	if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
		return SSLFile{}, fmt.Errorf("%s: file '%s' does not exist or is empty", directive, p)
	}
	return SSLFile{Path: p, File: file, Line: line}, nil
}

// DirDirective applies an SSL directive found in a <Directory>,
// <Location> or <Files> section (or .htaccess, AllowOverride Options for
// SSLOptions). Only SSLOptions is accepted there; the per-directory
// SSLCipherSuite, SSLVerifyClient, SSLVerifyDepth and SSLCACertificateFile
// need a renegotiation (TLS 1.2) or post-handshake authentication (TLS
// 1.3), which crypto/tls's server does not do: refused.
func (b *SSLBuilder) DirDirective(file string, line int, name string, args []string) (*SSLDir, error) {
	name = canonicalSSL(name)
	if name == "SSLOptions" {
		d, err := ParseSSLOptions(args)
		if err != nil {
			return nil, &Error{File: file, Line: line, Directive: name, Err: err}
		}
		return d, nil
	}
	return nil, &Error{File: file, Line: line, Directive: name, Err: fmt.Errorf(
		"%s in a directory context needs a TLS renegotiation, which Go's crypto/tls server cannot do; set it in the <VirtualHost>", name)}
}

// Directive applies one server-level SSL directive (name in any case).
func (b *SSLBuilder) Directive(file string, line int, name string, args []string) error {
	name = canonicalSSL(name)
	err := b.directive(file, line, name, args)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return e
		}
		return &Error{File: file, Line: line, Directive: name, Err: err}
	}
	return nil
}

func (b *SSLBuilder) directive(file string, line int, name string, args []string) error {
	s := b.server()
	if desc, ok := sslTake1Desc[name]; ok && len(args) != 1 {
		return fmt.Errorf("%s takes one argument, %s", name, desc)
	}
	var flag bool
	if sslFlagDirectives[name] {
		if len(args) != 1 || (!strings.EqualFold(args[0], "on") && !strings.EqualFold(args[0], "off")) {
			return fmt.Errorf("%s must be On or Off", name)
		}
		flag = strings.EqualFold(args[0], "on")
	}
	if sslGlobalOnly[name] && b.InVHost {
		return fmt.Errorf("%s cannot occur within <VirtualHost> section", name)
	}
	switch name {
	case "SSLEngine":
		switch strings.ToLower(args[0]) {
		case "on":
			s.Engine = SSLEngineOn
		case "off":
			s.Engine = SSLEngineOff
		case "optional":
			// Apache 2.4.71: a notice, and the server speaks plain HTTP.
			s.Engine = SSLEngineOff
			b.warn(file, line, name, "AH10510: 'SSLEngine optional' is no longer supported")
		default:
			return errors.New("Argument must be On or Off")
		}
	case "SSLCertificateFile", "SSLCertificateKeyFile", "SSLCertificateChainFile",
		"SSLSessionTicketKeyFile", "SSLCACertificateFile":
		f, err := b.checkFile(name, args[0], file, line)
		if err != nil {
			return err
		}
		switch name {
		case "SSLCertificateFile":
			s.CertFiles = append(s.CertFiles, f)
		case "SSLCertificateKeyFile":
			s.KeyFiles = append(s.KeyFiles, f)
		case "SSLCertificateChainFile":
			s.ChainFile = f
			b.warn(file, line, name, "deprecated since Apache 2.4.8 (the manual: put the chain in SSLCertificateFile after the certificate); still applied")
		case "SSLSessionTicketKeyFile":
			s.TicketKeyFile = f
		case "SSLCACertificateFile":
			s.CACertificateFile = f
		}
	case "SSLProtocol":
		p, warns, err := ParseSSLProtocol(name, splitRawArgs(args))
		for _, w := range warns {
			b.warn(file, line, name, w)
		}
		if err != nil {
			return err
		}
		s.Protocols, s.ProtocolsSet = p, true
	case "SSLCipherSuite":
		if len(args) < 1 || len(args) > 2 {
			return errors.New("SSLCipherSuite takes 1-2 arguments, Colon-delimited list of permitted SSL Ciphers, " +
				"optional preceded by protocol identifier ('XXX:...:XXX' - see manual)")
		}
		proto, spec := "SSL", args[0]
		if len(args) == 2 {
			proto, spec = args[0], args[1]
		}
		switch proto {
		case "SSL":
			spec += ":!aNULL:!eNULL:!EXP"
			ids, warns, err := ParseSSLCipherSuite(spec)
			for _, w := range warns {
				b.warn(file, line, name, w)
			}
			if err != nil {
				return fmt.Errorf("AH01898: %w: '%s' selects none of the TLS 1.2 cipher suites Go implements", err, args[len(args)-1])
			}
			s.CipherSuite, s.Ciphers = spec, ids
			s.SecLevel0 = strings.Contains(spec, "@SECLEVEL=0")
		case "TLSv1.3":
			s.TLS13CipherSuite = spec
			b.warn(file, line, name, "TLSv1.3 cipher suites are fixed in Go's crypto/tls "+
				"(TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256); '"+spec+"' is ignored")
		default:
			return fmt.Errorf("protocol '%s' not supported", proto)
		}
	case "SSLHonorCipherOrder":
		s.HonorCipherOrder, s.HonorCipherOrderSet = flag, true
		b.warn(file, line, name, "ignored: Go's crypto/tls picks the cipher suite itself (by the client's hardware support) since Go 1.18")
	case "SSLSessionTickets":
		s.NoSessionTickets, s.SessionTicketsSet = !flag, true
	case "SSLVerifyClient":
		switch strings.ToLower(args[0]) {
		case "none", "off":
			s.VerifyClient = VerifyNone
		case "optional":
			s.VerifyClient = VerifyOptional
		case "require", "on":
			s.VerifyClient = VerifyRequire
		case "optional_no_ca":
			s.VerifyClient = VerifyOptionalNoCA
		default:
			return fmt.Errorf("SSLVerifyClient: Invalid argument '%s'", args[0])
		}
	case "SSLVerifyDepth":
		d := atoi(args[0])
		if d < 0 {
			return fmt.Errorf("SSLVerifyDepth: Invalid argument '%s'", args[0])
		}
		s.VerifyDepth = d
	case "SSLStrictSNIVHostCheck":
		s.StrictSNI, s.StrictSNISet = flag, true
	case "SSLSessionCacheTimeout":
		n := atoi(args[0])
		if n < 0 {
			return errors.New("SSLSessionCacheTimeout: Invalid argument")
		}
		s.SessionCacheTimeout = time.Duration(n) * time.Second
	case "SSLOptions":
		if _, err := ParseSSLOptions(args); err != nil {
			return err
		}
		b.warn(file, line, name, "at server level applies to the server's requests; give its result to the per-directory merge (DirDirective)")
	case "SSLSessionCache":
		spec, foreign, err := ParseSSLSessionCache(args[0], filepath.Join(b.ServerRoot, "logs"))
		if err != nil {
			return err
		}
		b.server().SessionCache = &spec
		if foreign {
			b.warn(file, line, name, "keeps sessions in a shared file, "+spec.Path+" (as shmcb): the "+spec.Type+" provider is not available")
		}
	case "SSLRandomSeed":
		if len(args) < 2 || len(args) > 3 {
			return errors.New("SSLRandomSeed takes 2-3 arguments, SSL Pseudo Random Number Generator (PRNG) seeding source " +
				"('startup|connect builtin|file:/path|exec:/path [bytes]')")
		}
		b.warn(file, line, name, "ignored: Go seeds from the kernel (crypto/rand), as OpenSSL 1.1.1+ does")
	case "SSLPassPhraseDialog":
		arg := args[0]
		switch {
		case strings.EqualFold(arg, "builtin"):
		case len(arg) > 5 && strings.HasPrefix(arg, "exec:"):
			p := arg[5:]
			if !filepath.IsAbs(p) {
				p = filepath.Join(b.ServerRoot, p)
			}
			if _, err := os.Stat(p); err != nil {
				return fmt.Errorf("SSLPassPhraseDialog: file '%s' does not exist", p)
			}
		case len(arg) > 1 && arg[0] == '|':
		default:
			return errors.New("SSLPassPhraseDialog: Invalid argument")
		}
		// The dialog only runs for an encrypted key, which gohttpd
		// refuses (-t says so), so accepting any dialog changes nothing
		// (Debian's stock ssl.conf names exec:/usr/share/apache2/ask-for-passphrase).
		b.warn(file, line, name, "ignored: gohttpd cannot ask for a pass phrase, so an encrypted key is an error")
	case "SSLCompression":
		if flag {
			return errors.New("This version of OpenSSL does not have any compression methods available, cannot enable SSLCompression.")
		}
	case "SSLUseStapling":
		if flag {
			b.warn(file, line, name, "ignored: gohttpd does not staple OCSP responses (Let's Encrypt stopped OCSP in 2025)")
		}
	case "SSLStaplingCache":
		b.warn(file, line, name, "ignored: gohttpd does not staple OCSP responses")
	case "SSLInsecureRenegotiation":
		// Accepted by Apache 2.4.71. Go's server never renegotiates, so
		// neither value changes anything.
		if flag {
			b.warn(file, line, name, "ignored: Go's crypto/tls server never renegotiates")
		}
	case "SSLFIPS":
		if flag {
			return errors.New("SSLFIPS invalid, rebuild httpd and openssl compiled for FIPS")
		}
	case "SSLCryptoDevice":
		if !strings.EqualFold(args[0], "builtin") {
			return fmt.Errorf("SSLCryptoDevice %s is not supported by gohttpd", args[0])
		}
	case "SSLOpenSSLConfCmd":
		if len(args) != 2 {
			return errors.New("SSLOpenSSLConfCmd takes two arguments, OpenSSL configuration command")
		}
		return b.openSSLConfCmd(file, line, s, args[0], args[1])
	default:
		return fmt.Errorf("%s is not supported by gohttpd", name)
	}
	return nil
}

// splitRawArgs re-splits RAW_ARGS directives given as one word.
func splitRawArgs(args []string) []string {
	var out []string
	for _, a := range args {
		out = append(out, strings.Fields(a)...)
	}
	return out
}

// opensslGroups are the OpenSSL group names crypto/tls implements.
var opensslGroups = map[string]tls.CurveID{
	"x25519": tls.X25519, "p-256": tls.CurveP256, "prime256v1": tls.CurveP256, "secp256r1": tls.CurveP256,
	"p-384": tls.CurveP384, "secp384r1": tls.CurveP384, "p-521": tls.CurveP521, "secp521r1": tls.CurveP521,
	"x25519mlkem768": tls.X25519MLKEM768,
}

// openSSLConfCmd applies "SSLOpenSSLConfCmd cmd value". Curves/Groups map
// to Go's CurvePreferences; commands whose effect Go cannot reproduce
// and that change what a client gets (protocols, cipher strings,
// options) are refused with a pointer to the directive that does it;
// the others are accepted with a warning.
func (b *SSLBuilder) openSSLConfCmd(file string, line int, s *SSLServer, cmd, val string) error {
	switch strings.ToLower(cmd) {
	case "curves", "groups", "ecdhparameters":
		var out []tls.CurveID
		for _, g := range strings.Split(val, ":") {
			id, ok := opensslGroups[strings.ToLower(g)]
			if !ok {
				return fmt.Errorf("SSLOpenSSLConfCmd %s: group '%s' is not one Go's crypto/tls implements (X25519, P-256, P-384, P-521, X25519MLKEM768)", cmd, g)
			}
			out = append(out, id)
		}
		s.Curves = out
		return nil
	case "protocol", "minprotocol", "maxprotocol":
		return fmt.Errorf("SSLOpenSSLConfCmd %s is not supported by gohttpd: use SSLProtocol", cmd)
	case "cipherstring":
		return fmt.Errorf("SSLOpenSSLConfCmd %s is not supported by gohttpd: use SSLCipherSuite", cmd)
	case "ciphersuites":
		b.warn(file, line, "SSLOpenSSLConfCmd", "Ciphersuites '"+val+"' ignored: TLSv1.3 cipher suites are fixed in Go's crypto/tls")
		return nil
	case "options":
		for _, o := range strings.Split(val, ",") {
			switch strings.ToLower(strings.TrimLeft(strings.TrimSpace(o), "-")) {
			case "serverpreference", "prioritizechacha", "nocompression", "sessionticket", "nosslv2", "nosslv3":
			default:
				return fmt.Errorf("SSLOpenSSLConfCmd Options %s is not supported by gohttpd", o)
			}
			if strings.EqualFold(strings.TrimSpace(o), "-SessionTicket") {
				s.NoSessionTickets, s.SessionTicketsSet = true, true
			}
		}
		b.warn(file, line, "SSLOpenSSLConfCmd", "Options '"+val+"': only -SessionTicket has an effect in Go's crypto/tls")
		return nil
	}
	b.warn(file, line, "SSLOpenSSLConfCmd", "'"+cmd+" "+val+"' ignored: Go's crypto/tls has no equivalent")
	return nil
}
