package conf

import (
	"crypto/tls"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseSSLProtocol(t *testing.T) {
	for _, tc := range []struct {
		in       string
		want     SSLProtocols
		warn     bool
		err      string
		rangeErr string
		lo, hi   uint16
	}{
		{in: "all", want: ProtoAll, lo: tls.VersionTLS10, hi: tls.VersionTLS13},
		{in: "all -SSLv3", want: ProtoAll, lo: tls.VersionTLS10, hi: tls.VersionTLS13},
		{in: "all -TLSv1 -TLSv1.1", want: ProtoTLSv12 | ProtoTLSv13, lo: tls.VersionTLS12, hi: tls.VersionTLS13},
		{in: "-all +TLSv1.2", want: ProtoTLSv12, lo: tls.VersionTLS12, hi: tls.VersionTLS12},
		{in: "+TLSv1.3", want: ProtoTLSv13, lo: tls.VersionTLS13, hi: tls.VersionTLS13},
		{in: "TLSv1.2 +TLSv1.3", want: ProtoTLSv12 | ProtoTLSv13, lo: tls.VersionTLS12, hi: tls.VersionTLS13},
		{in: "TLSv1.2 TLSv1.3", want: ProtoTLSv13, warn: true, lo: tls.VersionTLS13, hi: tls.VersionTLS13},
		{in: "-SSLv2 TLSv1.2", want: ProtoTLSv12, lo: tls.VersionTLS12, hi: tls.VersionTLS12},
		{in: "TLSv1 +TLSv1.2", want: ProtoTLSv1 | ProtoTLSv12,
			rangeErr: "SSLProtocol: TLSv1 TLSv1.2 without TLSv1.1: Go's crypto/tls has only a minimum and a maximum version and cannot leave a version out between two others"},
		{in: "all -TLSv1.2", want: ProtoTLSv1 | ProtoTLSv11 | ProtoTLSv13, rangeErr: "without TLSv1.2"},
		{in: "-all", want: 0, rangeErr: "No SSL protocols available [hint: SSLProtocol]"},
		// Apache 2.4.71's texts (apache2 -t, see internal/tlsconf/testdata/apache).
		{in: "SSLv2", err: "SSLProtocol: SSLv2 is no longer supported"},
		{in: "+SSLv3", err: "SSLv3 not supported by this version of OpenSSL"},
		{in: "TLSv1.4", err: "SSLProtocol: Illegal protocol 'TLSv1.4'"},
		{in: "tlsv1.2", want: ProtoTLSv12, lo: tls.VersionTLS12, hi: tls.VersionTLS12},
		{in: "ALL -tlsv1", want: ProtoTLSv11 | ProtoTLSv12 | ProtoTLSv13, lo: tls.VersionTLS11, hi: tls.VersionTLS13},
	} {
		p, warns, err := ParseSSLProtocol("SSLProtocol", strings.Fields(tc.in))
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: err %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || p != tc.want || (len(warns) > 0) != tc.warn {
			t.Errorf("%q: %v %v %v, want %v warn=%v", tc.in, p, warns, err, tc.want, tc.warn)
			continue
		}
		lo, hi, err := p.VersionRange()
		if tc.rangeErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.rangeErr) {
				t.Errorf("%q: range err %v, want %q", tc.in, err, tc.rangeErr)
			}
			continue
		}
		if err != nil || lo != tc.lo || hi != tc.hi {
			t.Errorf("%q: range %x-%x %v, want %x-%x", tc.in, lo, hi, err, tc.lo, tc.hi)
		}
	}
}

func TestEffectiveProtocols(t *testing.T) {
	s := NewSSLServer()
	if got := s.EffectiveProtocols(); got != ProtoTLSv12|ProtoTLSv13 {
		t.Errorf("default: %v", got)
	}
	s.Protocols, s.ProtocolsSet = ProtoAll, true
	if got := s.EffectiveProtocols(); got != ProtoTLSv12|ProtoTLSv13 {
		t.Errorf("all: %v (Debian's OpenSSL refuses TLS 1.0/1.1 at security level 2)", got)
	}
	s.SecLevel0 = true
	if got := s.EffectiveProtocols(); got != ProtoAll {
		t.Errorf("all @SECLEVEL=0: %v", got)
	}
}

// cipherNames turns IDs back into OpenSSL names.
func cipherNames(ids []uint16) string {
	var n []string
	for _, id := range ids {
		n = append(n, CipherSuiteName(id))
	}
	return strings.Join(n, " ")
}

// cipherCases are OpenSSL 3.0.19's answers, restricted to the suites Go
// implements:
//
//	openssl ciphers -s -tls1_2 'SPEC' | tr : '\n' | grep -xE '<the 14 names>'
var cipherCases = []struct{ spec, want string }{
	{"HIGH:!aNULL:!MD5", "ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-RSA-CHACHA20-POLY1305 ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-RSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-SHA ECDHE-RSA-AES256-SHA ECDHE-ECDSA-AES128-SHA ECDHE-RSA-AES128-SHA AES256-GCM-SHA384 AES128-GCM-SHA256 AES256-SHA AES128-SHA"},
	{"HIGH:!aNULL:!MD5:@STRENGTH", "ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-RSA-CHACHA20-POLY1305 ECDHE-ECDSA-AES256-SHA ECDHE-RSA-AES256-SHA AES256-GCM-SHA384 AES256-SHA ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-RSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES128-SHA ECDHE-RSA-AES128-SHA AES128-GCM-SHA256 AES128-SHA"},
	{"ECDHE+AESGCM", "ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES256-GCM-SHA384 ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-RSA-AES128-GCM-SHA256"},
	{"AES128+ECDHE:AES256", "ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-RSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES128-SHA ECDHE-RSA-AES128-SHA ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES256-GCM-SHA384 ECDHE-ECDSA-AES256-SHA ECDHE-RSA-AES256-SHA AES256-GCM-SHA384 AES256-SHA"},
	{"HIGH:-AES128:+AES128", "ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-RSA-CHACHA20-POLY1305 ECDHE-ECDSA-AES256-SHA ECDHE-RSA-AES256-SHA AES256-GCM-SHA384 AES256-SHA"},
	{"ALL:!RSA:RSA", "ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-RSA-CHACHA20-POLY1305 ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-RSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-SHA ECDHE-RSA-AES256-SHA ECDHE-ECDSA-AES128-SHA ECDHE-RSA-AES128-SHA"},
	{"kECDHE+SHA1:RSA", "ECDHE-ECDSA-AES256-SHA ECDHE-RSA-AES256-SHA ECDHE-ECDSA-AES128-SHA ECDHE-RSA-AES128-SHA AES256-GCM-SHA384 AES128-GCM-SHA256 AES256-SHA AES128-SHA"},
	{"aRSA", "ECDHE-RSA-AES256-GCM-SHA384 ECDHE-RSA-CHACHA20-POLY1305 ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-SHA ECDHE-RSA-AES128-SHA AES256-GCM-SHA384 AES128-GCM-SHA256 AES256-SHA AES128-SHA"},
	{"ECDSA", "ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-SHA ECDHE-ECDSA-AES128-SHA"},
	{"TLSv1.2", "ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-RSA-CHACHA20-POLY1305 ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-RSA-AES128-GCM-SHA256 AES256-GCM-SHA384 AES128-GCM-SHA256"},
	{"TLSv1", "ECDHE-ECDSA-AES256-SHA ECDHE-RSA-AES256-SHA ECDHE-ECDSA-AES128-SHA ECDHE-RSA-AES128-SHA"},
	{"SSLv3", "AES256-SHA AES128-SHA"},
	{"CHACHA20", "ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-RSA-CHACHA20-POLY1305"},
	{"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES128-GCM-SHA256"},
	{"DHE-RSA-AES256-GCM-SHA384:AES128-SHA", "AES128-SHA"},
	{"EECDH+AESGCM:EDH+AESGCM", "ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES256-GCM-SHA384 ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-RSA-AES128-GCM-SHA256"},
	// Mozilla's intermediate list (2024).
	{"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305",
		"ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-RSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-RSA-CHACHA20-POLY1305"},
	{"MEDIUM", ""},
	{"SHA256", ""},
}

func TestParseSSLCipherSuite(t *testing.T) {
	for _, tc := range cipherCases {
		ids, _, err := ParseSSLCipherSuite(tc.spec + ":!aNULL:!eNULL:!EXP")
		if tc.want == "" {
			if err != ErrNoCipher {
				t.Errorf("%q: %v %v, want ErrNoCipher", tc.spec, cipherNames(ids), err)
			}
			continue
		}
		if got := cipherNames(ids); err != nil || got != tc.want {
			t.Errorf("%q:\n got %s (%v)\nwant %s", tc.spec, got, err, tc.want)
		}
	}
}

// TestParseSSLCipherSuiteOpenSSL asks the openssl binary, when there is
// one, about every spec of cipherCases and a few more.
func TestParseSSLCipherSuiteOpenSSL(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("no openssl")
	}
	specs := []string{"DEFAULT", "ALL:@STRENGTH", "HIGH:!kRSA", "AES:-SHA1:+AES256", "!ECDSA:HIGH", "ECDH:RSA:-AES128+SHA1",
		"AESGCM+aECDSA:CHACHA20:AES128", "HIGH:+SHA1:@STRENGTH", "AES:-ALL:AES256-SHA:AES128-SHA"}
	for _, tc := range cipherCases {
		specs = append(specs, tc.spec)
	}
	known := map[string]bool{}
	for _, c := range sslCiphers {
		known[c.name] = true
	}
	for _, spec := range specs {
		out, err := exec.Command("openssl", "ciphers", "-s", "-tls1_2", spec+":!aNULL:!eNULL:!EXP").Output()
		var want []string
		if err == nil {
			for _, n := range strings.Split(strings.TrimSpace(string(out)), ":") {
				if known[n] {
					want = append(want, n)
				}
			}
		}
		ids, _, _ := ParseSSLCipherSuite(spec + ":!aNULL:!eNULL:!EXP")
		if got := cipherNames(ids); got != strings.Join(want, " ") {
			t.Errorf("%q:\n got %s\nwant %s (openssl)", spec, got, strings.Join(want, " "))
		}
	}
}

// TestSSLBuilder: the error texts are Apache 2.4.71's (apache2 -t with
// each line in a file; see internal/tlsconf/testdata/apache/README.md),
// after the position and directive gohttpd puts first.
func TestSSLBuilder(t *testing.T) {
	dir := t.TempDir()
	must := func(name string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	must("a.crt")
	must("a.key")
	if err := os.WriteFile(filepath.Join(dir, "empty"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		vhost bool
		err   string
	}{
		{"SSLEngine", []string{"maybe"}, false, "c:3: SSLEngine: Argument must be On or Off"},
		{"SSLCertificateFile", []string{"missing.crt"}, false, "c:3: SSLCertificateFile: file '" + dir + "/missing.crt' does not exist or is empty"},
		{"SSLCertificateKeyFile", []string{"empty"}, false, "c:3: SSLCertificateKeyFile: file '" + dir + "/empty' does not exist or is empty"},
		{"SSLProtocol", []string{"all", "-TLSv9"}, false, "c:3: SSLProtocol: Illegal protocol 'TLSv9'"},
		{"SSLCipherSuite", []string{"NONSENSE"}, false, "c:3: SSLCipherSuite: AH01898: Unable to configure permitted SSL ciphers: 'NONSENSE' selects none of the TLS 1.2 cipher suites Go implements"},
		{"SSLCipherSuite", []string{"TLSv1.1", "HIGH"}, false, "c:3: SSLCipherSuite: protocol 'TLSv1.1' not supported"},
		{"SSLVerifyClient", []string{"maybe"}, false, "c:3: SSLVerifyClient: Invalid argument 'maybe'"},
		{"SSLVerifyDepth", []string{"-1"}, false, "c:3: SSLVerifyDepth: Invalid argument '-1'"},
		{"SSLSessionTickets", []string{"yes"}, false, "c:3: SSLSessionTickets: SSLSessionTickets must be On or Off"},
		{"SSLSessionCache", []string{"none"}, true, "c:3: SSLSessionCache: SSLSessionCache cannot occur within <VirtualHost> section"},
		{"SSLCompression", []string{"on"}, false, "c:3: SSLCompression: This version of OpenSSL does not have any compression methods available, cannot enable SSLCompression."},
		{"SSLPassPhraseDialog", []string{"exec:/bin/true"}, true, "SSLPassPhraseDialog cannot occur within <VirtualHost> section"},
		{"SSLPassPhraseDialog", []string{"exec:/nonexist"}, false, "c:3: SSLPassPhraseDialog: file '/nonexist' does not exist"},
		{"SSLPassPhraseDialog", []string{"foo"}, false, "c:3: SSLPassPhraseDialog: Invalid argument"},
		{"SSLHonorCipherOrder", []string{"maybe"}, false, "c:3: SSLHonorCipherOrder: SSLHonorCipherOrder must be On or Off"},
		{"SSLSessionCacheTimeout", []string{"-5"}, false, "c:3: SSLSessionCacheTimeout: Invalid argument"},
		{"SSLOptions", []string{"+Bogus"}, false, "c:3: SSLOptions: Illegal option 'Bogus'"},
		{"SSLOpenSSLConfCmd", []string{"MinProtocol", "TLSv1.2"}, false, "c:3: SSLOpenSSLConfCmd: SSLOpenSSLConfCmd MinProtocol is not supported by gohttpd: use SSLProtocol"},
		{"SSLOpenSSLConfCmd", []string{"Curves", "brainpoolP256r1"}, false, "group 'brainpoolP256r1' is not one Go's crypto/tls implements"},
		{"SSLEngine", []string{"on", "off"}, false, "c:3: SSLEngine: SSLEngine takes one argument, SSL switch for the protocol engine ('on', 'off')"},
	} {
		b := SSLBuilder{ServerRoot: dir, InVHost: tc.vhost}
		err := b.Directive("c", 3, tc.name, tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s %v: %v, want %q", tc.name, tc.args, err, tc.err)
		}
	}

	b := SSLBuilder{ServerRoot: dir, InVHost: true}
	for _, d := range [][]string{
		{"sslengine", "on"}, {"SSLCertificateFile", "a.crt"}, {"SSLCertificateKeyFile", dir + "/a.key"},
		{"SSLProtocol", "all -TLSv1 -TLSv1.1"}, {"SSLCipherSuite", "HIGH:!aNULL:!MD5"},
		{"SSLCipherSuite", "TLSv1.3", "TLS_AES_256_GCM_SHA384"}, {"SSLHonorCipherOrder", "on"},
		{"SSLSessionTickets", "off"}, {"SSLVerifyClient", "require"}, {"SSLVerifyDepth", "3"},
		{"SSLStrictSNIVHostCheck", "on"}, {"SSLSessionCacheTimeout", "600"}, {"SSLUseStapling", "on"},
		{"SSLOpenSSLConfCmd", "Curves", "X25519:prime256v1"}, {"SSLOpenSSLConfCmd", "SignatureAlgorithms", "ECDSA+SHA256"},
	} {
		if err := b.Directive("c", 1, d[0], d[1:]); err != nil {
			t.Fatal(err)
		}
	}
	s, warns := b.Finish()
	if len(warns) != 4 {
		t.Errorf("warnings %q, want TLSv1.3, HonorCipherOrder, Stapling, SignatureAlgorithms", warns)
	}
	if !s.Enabled() || s.CertFiles[0].Path != dir+"/a.crt" || s.KeyFiles[0].Path != dir+"/a.key" ||
		s.Protocols != ProtoTLSv12|ProtoTLSv13 || len(s.Ciphers) != 14 || !s.NoSessionTickets ||
		s.VerifyClient != VerifyRequire || s.Depth() != 3 || !s.StrictSNI || s.TicketLifetime().Seconds() != 600 ||
		!slices.Equal(s.Curves, []tls.CurveID{tls.X25519, tls.CurveP256}) {
		t.Errorf("built %+v", s)
	}
	// JSON round trip (the snapshot children get).
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back SSLServer
	if err := json.Unmarshal(raw, &back); err != nil || !reflect.DeepEqual(&back, s) {
		t.Errorf("round trip: %+v %v\n%s", back, err, raw)
	}

	// Merge: the vhost inherits, certificates are the main server's then
	// the vhost's.
	main := NewSSLServer()
	main.CertFiles = []SSLFile{{Path: "/m.crt"}}
	main.VerifyDepth = 5
	main.Protocols, main.ProtocolsSet = ProtoTLSv13, true
	vh := NewSSLServer()
	vh.Engine = SSLEngineOn
	vh.CertFiles = []SSLFile{{Path: "/v.crt"}}
	m := MergeSSLServer(main, vh)
	if !slices.Equal(m.CertFiles, []SSLFile{{Path: "/m.crt"}, {Path: "/v.crt"}}) || m.Depth() != 5 ||
		m.EffectiveProtocols() != ProtoTLSv13 || !m.Enabled() {
		t.Errorf("merged %+v", m)
	}
}

func TestSSLOptions(t *testing.T) {
	base, err := ParseSSLOptions([]string{"+StdEnvVars", "+ExportCertData"})
	if err != nil {
		t.Fatal(err)
	}
	child, _ := ParseSSLOptions([]string{"-ExportCertData", "+LegacyDNStringFormat"})
	m := MergeSSLDir(base, child)
	if !m.Has(SSLOptStdEnvVars) || m.Has(SSLOptExportCertData) || !m.Has(SSLOptLegacyDNStringFormat) {
		t.Errorf("merged %+v", m)
	}
	repl, _ := ParseSSLOptions([]string{"FakeBasicAuth"})
	m = MergeSSLDir(base, repl)
	if m.Has(SSLOptStdEnvVars) || !m.Has(SSLOptFakeBasicAuth) {
		t.Errorf("replace %+v", m)
	}
	var b SSLBuilder
	if _, err := b.DirDirective("f", 2, "SSLVerifyClient", []string{"require"}); err == nil ||
		!strings.Contains(err.Error(), "renegotiation") {
		t.Errorf("per-dir SSLVerifyClient: %v", err)
	}
}

func FuzzParseSSLCipherSuite(f *testing.F) {
	for _, tc := range cipherCases {
		f.Add(tc.spec)
	}
	f.Add("!ALL:+:-:@:@STRENGTH:@SECLEVEL=0::,; ")
	f.Fuzz(func(t *testing.T, spec string) {
		ids, _, err := ParseSSLCipherSuite(spec)
		if (err == nil) != (len(ids) > 0) {
			t.Fatalf("%q: %v %v", spec, ids, err)
		}
		seen := map[uint16]bool{}
		for _, id := range ids {
			if seen[id] || CipherSuiteBits(id) == 0 {
				t.Fatalf("%q: duplicate or unknown %x", spec, id)
			}
			seen[id] = true
		}
	})
}

func FuzzParseSSLProtocol(f *testing.F) {
	for _, s := range []string{"all -TLSv1 -TLSv1.1", "+TLSv1.3", "-all +TLSv1.2", "TLSv1 +TLSv1.2", "SSLv2", "-SSLv3 all"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, _, err := ParseSSLProtocol("SSLProtocol", strings.Fields(s))
		if err != nil {
			return
		}
		if p&^ProtoAll != 0 {
			t.Fatalf("%q: %b", s, p)
		}
		lo, hi, err := p.VersionRange()
		if err != nil {
			return
		}
		// Every version between lo and hi must be in the set.
		for _, n := range protoNames {
			in := n.ver >= lo && n.ver <= hi
			if in != (p&n.p != 0) {
				t.Fatalf("%q: %v range %x-%x", s, p, lo, hi)
			}
		}
	})
}
