package tlsconf

import (
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
)

func TestCheck(t *testing.T) {
	testKeys(t)
	dir := t.TempDir()
	ca := newCA(t, "Test CA")
	rsaC, rsaK := pair(t, dir, "rsa", nil, rsaKey, "a.test")
	ecC, ecK := pair(t, dir, "ec", ca, ecKey, "a.test")
	// A leaf alone, with its CA in a chain file.
	leafOnly := write(t, dir, "leaf.crt", pemCert(issue(t, ca, ecKey2, pkix.Name{CommonName: "c.test"}, false, "c.test")), 0o644)
	ecK2 := write(t, dir, "leaf.key", pemKey(t, ecKey2), 0o600)
	chain := write(t, dir, "chain.pem", pemCert(ca.der), 0o644)
	// Key in the certificate file (no SSLCertificateKeyFile).
	combined := write(t, dir, "combined.pem", append(pemCert(issue(t, nil, rsaKey2, pkix.Name{CommonName: "d.test"}, false, "d.test")), pemKey(t, rsaKey2)...), 0o600)
	worldKey := write(t, dir, "world.key", pemKey(t, rsaKey), 0o644)
	encPKCS8 := write(t, dir, "enc8.key", pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{0x30, 0}}), 0o600)
	encLegacy := write(t, dir, "enclegacy.key", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY",
		Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00112233445566778899AABBCCDDEEFF"}, Bytes: []byte{1, 2, 3}}), 0o600)
	garbage := write(t, dir, "garbage.crt", []byte("not a certificate\n"), 0o644)
	missing := conf.SSLFile{Path: filepath.Join(dir, "gone.crt"), File: "httpd.conf", Line: 9}

	for _, tc := range []struct {
		name       string
		s          *conf.SSLServer
		ncerts     int
		errs, warn []string
	}{
		{"rsa+ecdsa", enabled([]conf.SSLFile{rsaC, ecC}, []conf.SSLFile{rsaK, ecK}), 2, nil, nil},
		{"chain file", func() *conf.SSLServer {
			s := enabled([]conf.SSLFile{leafOnly}, []conf.SSLFile{ecK2})
			s.ChainFile = chain
			return s
		}(), 1, nil, nil},
		{"key in cert file", enabled([]conf.SSLFile{combined}, nil), 1, nil, nil},
		{"same type twice: last wins", enabled([]conf.SSLFile{ecC, leafOnly}, []conf.SSLFile{ecK, ecK2}), 1, nil, nil},
		{"mismatch", enabled([]conf.SSLFile{rsaC}, []conf.SSLFile{ecK}), 0,
			[]string{"httpd.conf:7: SSLCertificateKeyFile: AH02565: Certificate and private key a.test:443:0 from " + rsaC.Path + " and " + ecK.Path + " do not match"}, nil},
		{"world-readable key", enabled([]conf.SSLFile{rsaC}, []conf.SSLFile{worldKey}), 1, nil,
			[]string{"httpd.conf:7: SSLCertificateKeyFile: private key file '" + worldKey.Path + "' is readable by group or others (mode 0644); chmod 600 it"}},
		{"encrypted pkcs8", enabled([]conf.SSLFile{rsaC}, []conf.SSLFile{encPKCS8}), 0,
			[]string{"AH02564: Failed to configure encrypted (?) private key a.test:443:0, check " + encPKCS8.Path + ": private key is encrypted with a pass phrase"}, nil},
		{"encrypted legacy", enabled([]conf.SSLFile{rsaC}, []conf.SSLFile{encLegacy}), 0, []string{"is encrypted with a pass phrase"}, nil},
		{"not a certificate", enabled([]conf.SSLFile{garbage}, []conf.SSLFile{rsaK}), 0,
			[]string{"SSLCertificateFile: AH02562: Failed to configure certificate a.test:443:0 (with chain), check " + garbage.Path}, nil},
		{"missing", enabled([]conf.SSLFile{missing}, []conf.SSLFile{rsaK}), 0, []string{"httpd.conf:9: SSLCertificateFile: open " + missing.Path}, nil},
		{"no certificate", enabled(nil, nil), 0, []string{"AH02572: Failed to configure at least one certificate and key for a.test:443"}, nil},
		{"CA file without certificates", func() *conf.SSLServer {
			s := enabled([]conf.SSLFile{rsaC}, []conf.SSLFile{rsaK})
			s.CACertificateFile = garbage
			return s
		}(), 1, []string{"httpd.conf:7: SSLCACertificateFile: no PEM certificate in '" + garbage.Path + "'"}, nil},
	} {
		probs := Check("a.test:443", tc.s)
		var errs, warns []string
		for _, p := range probs {
			if p.Warning {
				warns = append(warns, p.Error())
			} else {
				errs = append(errs, p.Error())
			}
		}
		match := func(got, want []string) bool {
			if len(got) != len(want) {
				return false
			}
			for i := range want {
				if !strings.Contains(got[i], want[i]) {
					return false
				}
			}
			return true
		}
		if !match(errs, tc.errs) || !match(warns, tc.warn) {
			t.Errorf("%s:\n errs %q\nwant %q\n warns %q\nwant %q", tc.name, errs, tc.errs, warns, tc.warn)
		}
		certs, err := LoadCertificates("a.test:443", tc.s)
		if (err != nil) != (len(tc.errs) > 0 && tc.ncerts == 0) || len(certs) != tc.ncerts {
			t.Errorf("%s: LoadCertificates %d certs, %v", tc.name, len(certs), err)
		}
		if tc.name == "chain file" && len(certs) == 1 && len(certs[0].Certificate) != 2 {
			t.Errorf("chain file: %d certificates in the chain", len(certs[0].Certificate))
		}
	}
	if !errors.Is(func() error { _, err := parseKey(mustRead(t, encPKCS8.Path)); return err }(), ErrEncryptedKey) {
		t.Error("encrypted key not ErrEncryptedKey")
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sniSetup is two name-based vhosts on one address: a.test with an RSA
// and an ECDSA certificate, c.test with RSA only; index 0 is the main
// server (no TLS).
func sniSetup(t *testing.T) (servers []Server, sel Selector) {
	testKeys(t)
	dir := t.TempDir()
	aRSA, aRSAKey := pair(t, dir, "a-rsa", nil, rsaKey, "a.test")
	aEC, aECKey := pair(t, dir, "a-ec", nil, ecKey, "a.test")
	cRSA, cRSAKey := pair(t, dir, "c-rsa", nil, rsaKey2, "c.test")
	servers = []Server{
		{ID: "main"},
		{ID: "a.test:443", SSL: enabled([]conf.SSLFile{aRSA, aEC}, []conf.SSLFile{aRSAKey, aECKey})},
		{ID: "c.test:443", SSL: enabled([]conf.SSLFile{cRSA}, []conf.SSLFile{cRSAKey})},
	}
	// As vhost.Table.SelectSNI: a.test and c.test by name, else the
	// first vhost of the set (a.test).
	sel = func(_ netip.AddrPort, name string) (int, bool) {
		switch strings.ToLower(name) {
		case "plain.test": // a vhost without SSLEngine on
			return 0, true
		case "a.test":
			return 1, true
		case "c.test":
			return 2, true
		}
		return 1, false
	}
	return servers, sel
}

func TestSNIAndCertificateType(t *testing.T) {
	servers, sel := sniSetup(t)
	set, err := Build(Options{Servers: servers, Select: sel})
	if err != nil {
		t.Fatal(err)
	}
	addr := serve(t, set.Config())
	ecdsaOnly := []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}
	rsaOnly := []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}
	for _, tc := range []struct {
		sni     string
		suites  []uint16
		max     uint16
		wantCN  string
		wantKey string
		fail    bool
	}{
		{"a.test", ecdsaOnly, tls.VersionTLS12, "a.test", "ECDSA", false},
		{"a.test", rsaOnly, tls.VersionTLS12, "a.test", "RSA", false},
		{"A.TEST", rsaOnly, tls.VersionTLS12, "a.test", "RSA", false},
		{"a.test", nil, tls.VersionTLS13, "a.test", "", false},
		{"c.test", rsaOnly, tls.VersionTLS12, "c.test", "RSA", false},
		{"c.test", ecdsaOnly, tls.VersionTLS12, "", "", true},   // c.test has no ECDSA certificate
		{"", rsaOnly, tls.VersionTLS12, "a.test", "RSA", false}, // no SNI: the default vhost
		{"other.test", ecdsaOnly, tls.VersionTLS12, "a.test", "ECDSA", false},
		{"plain.test", rsaOnly, tls.VersionTLS12, "a.test", "RSA", false}, // the default's certificate
	} {
		cc := &tls.Config{ServerName: tc.sni, InsecureSkipVerify: true, CipherSuites: tc.suites, MaxVersion: tc.max}
		st, err := dial(t, addr, cc)
		if tc.fail {
			if err == nil {
				t.Errorf("%s %v: handshake succeeded", tc.sni, tc.suites)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %v: %v", tc.sni, tc.suites, err)
			continue
		}
		leaf := st.PeerCertificates[0]
		kt := "RSA"
		if _, ok := leaf.PublicKey.(*ecdsa.PublicKey); ok {
			kt = "ECDSA"
		}
		if leaf.Subject.CommonName != tc.wantCN || (tc.wantKey != "" && kt != tc.wantKey) {
			t.Errorf("%s %v: got %s %s, want %s %s", tc.sni, tc.suites, leaf.Subject.CommonName, kt, tc.wantCN, tc.wantKey)
		}
		if got := set.HandshakeServer(netip.AddrPort{}, st.ServerName); tc.sni == "c.test" && got != 2 {
			t.Errorf("HandshakeServer(%s) = %d", tc.sni, got)
		}
	}
}

func TestProtocolsAndCiphers(t *testing.T) {
	servers, sel := sniSetup(t)
	a := *servers[1].SSL
	a.Protocols, a.ProtocolsSet = conf.ProtoTLSv12, true // SSLProtocol -all +TLSv1.2
	ids, _, err := conf.ParseSSLCipherSuite("ECDHE+AESGCM:!aNULL:!eNULL:!EXP")
	if err != nil {
		t.Fatal(err)
	}
	a.Ciphers = ids
	servers[1].SSL = &a
	set, err := Build(Options{Servers: servers, Select: sel})
	if err != nil {
		t.Fatal(err)
	}
	addr := serve(t, set.Config())
	for _, tc := range []struct {
		min, max uint16
		suites   []uint16
		want     uint16 // negotiated suite, 0: handshake fails
	}{
		{tls.VersionTLS13, tls.VersionTLS13, nil, 0},
		{tls.VersionTLS12, tls.VersionTLS13, nil, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}, // ECDSA certificate first
		{tls.VersionTLS12, tls.VersionTLS12, []uint16{tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}, 0},
		{tls.VersionTLS12, tls.VersionTLS12, []uint16{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384},
		{tls.VersionTLS10, tls.VersionTLS11, nil, 0},
	} {
		st, err := dial(t, addr, &tls.Config{ServerName: "a.test", InsecureSkipVerify: true,
			MinVersion: tc.min, MaxVersion: tc.max, CipherSuites: tc.suites})
		if tc.want == 0 {
			if err == nil {
				t.Errorf("%x-%x %v: negotiated %s", tc.min, tc.max, tc.suites, conf.CipherSuiteName(st.CipherSuite))
			}
			continue
		}
		if err != nil || st.CipherSuite != tc.want {
			t.Errorf("%x-%x %v: %s %v, want %s", tc.min, tc.max, tc.suites, conf.CipherSuiteName(st.CipherSuite), err, conf.CipherSuiteName(tc.want))
		}
	}
	// A hole Go cannot express is refused by Build.
	b := a
	b.Protocols, b.SecLevel0 = conf.ProtoTLSv1|conf.ProtoTLSv12, true
	servers[1].SSL = &b
	if _, err := Build(Options{Servers: servers, Select: sel}); err == nil || !strings.Contains(err.Error(), "TLSv1 TLSv1.2 without TLSv1.1") {
		t.Errorf("hole: %v", err)
	}
}

func TestClientCertificates(t *testing.T) {
	testKeys(t)
	dir := t.TempDir()
	ca := newCA(t, "Client CA")
	caFile := write(t, dir, "ca.pem", pemCert(ca.der), 0o644)
	crt, key := pair(t, dir, "srv", nil, rsaKey, "a.test")
	subject := pkix.Name{Country: []string{"DE"}, Province: []string{"Berlin"}, Organization: []string{"Acme, Inc."},
		OrganizationalUnit: []string{"Dev+Ops"}, CommonName: "Jane Doe",
		ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: "jane@example.com"}}}
	clientDER := issue(t, ca, ecKey2, subject, true)
	clientCert := tls.Certificate{Certificate: [][]byte{clientDER}, PrivateKey: ecKey2}
	otherCA := newCA(t, "Other CA")
	selfSigned := tls.Certificate{Certificate: [][]byte{issue(t, nil, ecKey, pkix.Name{CommonName: "stranger"}, true)}, PrivateKey: ecKey}
	strangerCert := tls.Certificate{Certificate: [][]byte{issue(t, otherCA, ecKey2, pkix.Name{CommonName: "x"}, true)}, PrivateKey: ecKey2}

	for _, tc := range []struct {
		mode   conf.SSLVerifyMode
		cert   *tls.Certificate
		ok     bool
		depth  int
		verify string // SSL_CLIENT_VERIFY
	}{
		{conf.VerifyRequire, &clientCert, true, -1, "SUCCESS"},
		{conf.VerifyRequire, nil, false, -1, ""},
		{conf.VerifyRequire, &strangerCert, false, -1, ""},
		{conf.VerifyOptional, nil, true, -1, "NONE"},
		{conf.VerifyOptional, &clientCert, true, -1, "SUCCESS"},
		{conf.VerifyOptional, &strangerCert, false, -1, ""},
		{conf.VerifyOptionalNoCA, &strangerCert, true, -1, "FAILED:unable to get local issuer certificate"},
		{conf.VerifyOptionalNoCA, &selfSigned, true, -1, "FAILED:self-signed certificate"}, // Apache 2.4.71's value
		{conf.VerifyOptionalNoCA, &clientCert, true, -1, "SUCCESS"},
		{conf.VerifyRequire, &clientCert, false, 0, ""}, // depth 0: self-signed only
	} {
		s := enabled([]conf.SSLFile{crt}, []conf.SSLFile{key})
		s.VerifyClient, s.CACertificateFile, s.VerifyDepth = tc.mode, caFile, tc.depth
		set, err := Build(Options{Servers: []Server{{ID: "a.test:443", SSL: s}}})
		if err != nil {
			t.Fatal(err)
		}
		var got *x509.Certificate
		var verify string
		cfg := set.Config().Clone()
		inner := cfg.GetConfigForClient
		cfg.GetConfigForClient = func(h *tls.ClientHelloInfo) (*tls.Config, error) {
			c, err := inner(h)
			if err != nil {
				return nil, err
			}
			c = c.Clone()
			c.VerifyConnection = func(cs tls.ConnectionState) error {
				if len(cs.PeerCertificates) > 0 {
					got = cs.PeerCertificates[0]
				}
				verify = ClientVerify(&cs, c.ClientCAs)
				return nil
			}
			return c, nil
		}
		addr := serve(t, cfg)
		cc := &tls.Config{ServerName: "a.test", InsecureSkipVerify: true}
		if tc.cert != nil {
			// Send it even when its issuer is not among the server's
			// acceptable CAs (a Go client would otherwise send none).
			c := tc.cert
			cc.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return c, nil }
		}
		_, err = dial(t, addr, cc)
		if (err == nil) != tc.ok {
			t.Errorf("%v cert=%v depth=%d: %v, want ok=%v", tc.mode, tc.cert != nil, tc.depth, err, tc.ok)
		}
		if tc.ok && verify != tc.verify {
			t.Errorf("%v cert=%v: SSL_CLIENT_VERIFY %s, want %s", tc.mode, tc.cert != nil, verify, tc.verify)
		}
		if tc.ok && tc.cert == &clientCert {
			if got == nil {
				t.Errorf("%v: no client certificate seen", tc.mode)
				continue
			}
			// Apache 2.4.71's %{SSL_CLIENT_S_DN}x and, with SSLOptions
			// +LegacyDNStringFormat, the same certificate (made with
			// openssl req -subj, see testdata/apache/README.md).
			if dn := SubjectDN(got, false); dn != `emailAddress=jane@example.com,CN=Jane Doe,OU=Dev\+Ops,O=Acme\, Inc.,ST=Berlin,C=DE` {
				t.Errorf("SubjectDN %q", dn)
			}
			if dn := SubjectDN(got, true); dn != `/C=DE/ST=Berlin/O=Acme, Inc./OU=Dev\+Ops/CN=Jane Doe/emailAddress=jane@example.com` {
				t.Errorf("legacy SubjectDN %q", dn)
			}
			if dn := IssuerDN(got, false); dn != "CN=Client CA,O=Test CA" {
				t.Errorf("IssuerDN %q", dn)
			}
		}
	}
	// require without a CA file is an error.
	s := enabled([]conf.SSLFile{crt}, []conf.SSLFile{key})
	s.VerifyClient = conf.VerifyRequire
	if _, err := Build(Options{Servers: []Server{{ID: "x", SSL: s}}}); err == nil {
		t.Error("require without SSLCACertificateFile accepted")
	}
}

// TestResumptionAcrossChildren builds two Sets separately ("two
// children") from the same key material, handed over as the master
// would (MarshalText in the JSON snapshot), and resumes on the second a
// session made on the first, over TLS 1.2 and 1.3.
func TestResumptionAcrossChildren(t *testing.T) {
	servers, sel := sniSetup(t)
	master, err := GenerateTicketKeys(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	snapshot, err := json.Marshal(struct{ Keys *TicketKeys }{master})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(master.String(), "=") || !strings.Contains(string(snapshot), `"Keys":"`) {
		t.Fatalf("snapshot %s, String %s", snapshot, master)
	}
	child := func(keys *TicketKeys) string {
		set, err := Build(Options{Servers: servers, Select: sel, Keys: keys})
		if err != nil {
			t.Fatal(err)
		}
		return serve(t, set.Config())
	}
	var got struct{ Keys *TicketKeys }
	if err := json.Unmarshal(snapshot, &got); err != nil {
		t.Fatal(err)
	}
	addr1, addr2 := child(master), child(got.Keys)
	other, _ := GenerateTicketKeys(time.Hour)
	addr3 := child(other)

	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		cc := &tls.Config{ServerName: "a.test", InsecureSkipVerify: true, MaxVersion: v,
			ClientSessionCache: tls.NewLRUClientSessionCache(8)}
		st, err := dial(t, addr1, cc)
		if err != nil || st.DidResume {
			t.Fatalf("v%x first: %v resumed=%v", v, err, st.DidResume)
		}
		st, err = dial(t, addr2, cc)
		if err != nil || !st.DidResume {
			t.Errorf("v%x on the other child: %v resumed=%v, want a resumption", v, err, st.DidResume)
		}
		cc.ClientSessionCache = tls.NewLRUClientSessionCache(8)
		if _, err := dial(t, addr1, cc); err != nil {
			t.Fatal(err)
		}
		st, err = dial(t, addr3, cc)
		if err != nil || st.DidResume {
			t.Errorf("v%x with other keys: %v resumed=%v, want a full handshake", v, err, st.DidResume)
		}
	}
}

func TestTicketLifetimeAndRotation(t *testing.T) {
	servers, sel := sniSetup(t)
	keys, _ := GenerateTicketKeys(time.Hour)
	now := time.Unix(1_800_000_000, 0) // on an hour boundary
	clock := func() time.Time { return now }
	set, err := Build(Options{Servers: servers, Select: sel, Keys: keys, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	addr := serve(t, set.Config())
	cc := &tls.Config{ServerName: "a.test", InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12,
		ClientSessionCache: tls.NewLRUClientSessionCache(8)}
	if _, err := dial(t, addr, cc); err != nil {
		t.Fatal(err)
	}
	// 200 s later, after a rotation: the previous key still decrypts.
	now = now.Add(200 * time.Second)
	set.RotateTicketKeys(now.Add(time.Hour))
	if st, err := dial(t, addr, cc); err != nil || !st.DidResume {
		t.Errorf("after one rotation: %v resumed=%v", err, st.DidResume)
	}
	// Past SSLSessionCacheTimeout (300 s) since the ticket was issued (a
	// resumption with an old key got a new ticket, issued now): a full
	// handshake.
	now = now.Add(301 * time.Second)
	if st, err := dial(t, addr, cc); err != nil || st.DidResume {
		t.Errorf("after the lifetime: %v resumed=%v", err, st.DidResume)
	}
	// Two rotations later the key is gone: a full handshake.
	now = now.Add(10 * time.Second)
	set.RotateTicketKeys(now.Add(3 * time.Hour))
	if st, err := dial(t, addr, cc); err != nil || st.DidResume {
		t.Errorf("two rotations later: %v resumed=%v", err, st.DidResume)
	}

	if k := keys.Keys(now); len(k) != 3 || k[0] == k[1] || keys.Keys(now.Add(time.Minute))[0] != k[0] ||
		keys.Keys(now.Add(time.Hour))[1] != k[0] {
		t.Error("rotation schedule")
	}
	if got := keys.NextRotation(time.Unix(1_800_000_001, 0)); !got.Equal(time.Unix(1_800_003_600, 0)) {
		t.Errorf("NextRotation %v", got)
	}
	b, _ := keys.MarshalBinary()
	var back TicketKeys
	if err := back.UnmarshalBinary(b); err != nil || back.Keys(now)[0] != keys.Keys(now)[0] {
		t.Errorf("binary round trip: %v", err)
	}
	if back.UnmarshalBinary(b[:10]) == nil || back.UnmarshalText([]byte("!!")) == nil {
		t.Error("bad encodings accepted")
	}
}

func TestTicketKeyFile(t *testing.T) {
	dir := t.TempDir()
	raw := make([]byte, 48)
	for i := range raw {
		raw[i] = byte(i)
	}
	p := filepath.Join(dir, "ticket.key")
	if err := os.WriteFile(p, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := LoadTicketKeyFile(p)
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := LoadTicketKeyFile(p)
	if !k.Fixed() || len(k.Keys(time.Now())) != 1 || k.Keys(time.Now())[0] != k2.Keys(time.Unix(0, 0))[0] {
		t.Error("file keys are not one fixed key")
	}
	if err := os.WriteFile(p, raw[:40], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTicketKeyFile(p); err == nil || !strings.Contains(err.Error(), "AH02287: Failed to read 48 bytes from") {
		t.Errorf("short file: %v", err)
	}

	// Two "instances" with the same file resume each other's sessions.
	if err := os.WriteFile(p, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	servers, sel := sniSetup(t)
	a := *servers[1].SSL
	a.TicketKeyFile = conf.SSLFile{Path: p}
	servers[1].SSL = &a
	var addrs []string
	for range 2 {
		set, err := Build(Options{Servers: servers, Select: sel}) // no shared Keys
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, serve(t, set.Config()))
	}
	cc := &tls.Config{ServerName: "a.test", InsecureSkipVerify: true, ClientSessionCache: tls.NewLRUClientSessionCache(8)}
	if _, err := dial(t, addrs[0], cc); err != nil {
		t.Fatal(err)
	}
	if st, err := dial(t, addrs[1], cc); err != nil || !st.DidResume {
		t.Errorf("key file shared by two instances: %v resumed=%v", err, st.DidResume)
	}
}

// TestGracefulReload: a new Build (the next generation) reads replaced
// certificate files; a Set already built keeps serving the old one.
func TestGracefulReload(t *testing.T) {
	testKeys(t)
	dir := t.TempDir()
	crt, key := pair(t, dir, "srv", nil, rsaKey, "old.test")
	servers := []Server{{ID: "a", SSL: enabled([]conf.SSLFile{crt}, []conf.SSLFile{key})}}
	old, err := Build(Options{Servers: servers})
	if err != nil {
		t.Fatal(err)
	}
	pair(t, dir, "srv", nil, rsaKey, "new.test") // overwrite the files
	next, err := Build(Options{Servers: servers})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		set  *Set
		want string
	}{{old, "old.test"}, {next, "new.test"}} {
		st, err := dial(t, serve(t, tc.set.Config()), &tls.Config{InsecureSkipVerify: true})
		if err != nil || st.PeerCertificates[0].Subject.CommonName != tc.want {
			t.Errorf("want %s: %v", tc.want, err)
		}
	}
}

func TestCheckRequest(t *testing.T) {
	base := enabled([]conf.SSLFile{{Path: "/a.crt"}}, []conf.SSLFile{{Path: "/a.key"}})
	same := *base // another vhost with the same certificate and settings
	strict := *base
	strict.StrictSNI, strict.StrictSNISet = true, true
	other := enabled([]conf.SSLFile{{Path: "/c.crt"}}, []conf.SSLFile{{Path: "/c.key"}})
	servers := []Server{{}, {SSL: base}, {SSL: &same}, {SSL: other}, {SSL: &strict}}
	for _, tc := range []struct {
		r    Request
		want int
	}{
		{Request{SNI: "a.test", Hostname: []byte("a.test"), Handshake: 1, Server: 1, NameBased: true}, 0},
		{Request{SNI: "a.test", Hostname: []byte("b.test"), Handshake: 1, Server: 2, NameBased: true}, 0},
		{Request{SNI: "a.test", Hostname: []byte("c.test"), Handshake: 1, Server: 3, NameBased: true}, 421},
		{Request{SNI: "a.test", Hostname: []byte(""), Handshake: 1, Server: 1, NameBased: true}, 400},
		{Request{SNI: "", Hostname: []byte("c.test"), Handshake: 1, Server: 3, NameBased: true}, 0},
		{Request{SNI: "", Hostname: []byte("a.test"), Handshake: 4, Server: 4, NameBased: true}, 403},
		{Request{SNI: "", Hostname: []byte("a.test"), Handshake: 4, Server: 4, NameBased: false}, 0},
		{Request{SNI: "", Hostname: []byte("x.test"), Handshake: 1, Server: 4, NameBased: true}, 403},
	} {
		v := CheckRequest(servers, tc.r)
		if v.Status != tc.want {
			t.Errorf("%+v: %d %q, want %d", tc.r, v.Status, v.LogLine, tc.want)
		}
	}
	v := CheckRequest(servers, Request{SNI: "a.test", Hostname: []byte("c.test"), Handshake: 1, Server: 3})
	if v.LogLine != "AH02032: Hostname a.test provided via SNI and hostname c.test provided via HTTP have no compatible SSL setup" {
		t.Errorf("log line %q", v.LogLine)
	}
}

// TestCurves: "SSLOpenSSLConfCmd Curves X25519" leaves a client that
// offers only P-384 without a common group.
func TestCurves(t *testing.T) {
	servers, sel := sniSetup(t)
	a := *servers[1].SSL
	a.Curves = []tls.CurveID{tls.X25519}
	servers[1].SSL = &a
	set, err := Build(Options{Servers: servers, Select: sel})
	if err != nil {
		t.Fatal(err)
	}
	addr := serve(t, set.Config())
	for _, tc := range []struct {
		curve tls.CurveID
		ok    bool
	}{{tls.X25519, true}, {tls.CurveP384, false}} {
		_, err := dial(t, addr, &tls.Config{ServerName: "a.test", InsecureSkipVerify: true, CurvePreferences: []tls.CurveID{tc.curve}})
		if (err == nil) != tc.ok {
			t.Errorf("client curve %v: %v, want ok=%v", tc.curve, err, tc.ok)
		}
	}
}
