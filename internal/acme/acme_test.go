package acme

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/caddyserver/certmagic"
	"github.com/mholt/acmez/v3/acme"

	"github.com/gohttpd/gohttpd/conf"
)

// TestChallengeStorage: a challenge certmagic stores is published
// world-readable for the children, answered for its token and host only,
// and removed with certmagic's clean-up; other keys stay private.
func TestChallengeStorage(t *testing.T) {
	store := t.TempDir()
	s := &challengeStorage{FileStorage: &certmagic.FileStorage{Path: store}, dir: challengeDir(store)}
	ctx := context.Background()
	chal := acme.Challenge{Type: acme.ChallengeTypeHTTP01, Token: "tok123", KeyAuthorization: "tok123.thumb",
		Identifier: acme.Identifier{Type: "dns", Value: "a.test"}}
	raw, _ := json.Marshal(chal)
	key := "acme/ca.test-dir/challenge_tokens/a.test.json"
	if err := s.Store(ctx, key, raw); err != nil {
		t.Fatal(err)
	}
	if err := s.Store(ctx, "certificates/ca/a.test/a.test.key", []byte("secret")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(challengeFile(store, "a.test"))
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("published challenge: %v %v", fi, err)
	}
	if _, err := os.Stat(filepath.Join(challengeDir(store), "a.test.key")); err == nil {
		t.Error("a private key was published")
	}
	for _, c := range []struct {
		host, token string
		ok          bool
	}{{"a.test", "tok123", true}, {"A.TEST:80", "tok123", true}, {"a.test", "other", false}, {"b.test", "tok123", false}, {"a.test", "", false}} {
		got, ok := HTTPChallenge(store, c.host, c.token)
		if ok != c.ok || (ok && got != "tok123.thumb") {
			t.Errorf("HTTPChallenge(%q, %q) = %q %v", c.host, c.token, got, ok)
		}
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, ok := HTTPChallenge(store, "a.test", "tok123"); ok {
		t.Error("challenge still answered after clean-up")
	}
}

// TestWrapALPN: a ClientHello offering acme-tls/1 gets the TLS-ALPN-01
// certificate of its name; others go to the server's own config.
func TestWrapALPN(t *testing.T) {
	store := t.TempDir()
	if err := os.MkdirAll(challengeDir(store), 0o755); err != nil {
		t.Fatal(err)
	}
	chal := acme.Challenge{Type: acme.ChallengeTypeTLSALPN01, Token: "t", KeyAuthorization: "t.k",
		Identifier: acme.Identifier{Type: "dns", Value: "a.test"}}
	raw, _ := json.Marshal(chal)
	if err := os.WriteFile(challengeFile(store, "a.test"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	own := &tls.Config{}
	cfg := &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) { return own, nil }}
	WrapALPN(cfg, store)
	got, err := cfg.GetConfigForClient(&tls.ClientHelloInfo{ServerName: "a.test", SupportedProtos: []string{"acme-tls/1"}})
	if err != nil || len(got.Certificates) != 1 || got.NextProtos[0] != "acme-tls/1" {
		t.Fatalf("acme-tls/1: %+v %v", got, err)
	}
	if _, err := cfg.GetConfigForClient(&tls.ClientHelloInfo{ServerName: "b.test", SupportedProtos: []string{"acme-tls/1"}}); err == nil {
		t.Error("acme-tls/1 for a name without a challenge: no error")
	}
	if got, _ := cfg.GetConfigForClient(&tls.ClientHelloInfo{ServerName: "a.test", SupportedProtos: []string{"h2", "http/1.1"}}); got != own {
		t.Error("an ordinary hello did not reach the server's config")
	}
}

// TestCertFiles: without a certificate from the CA the fallback is made
// once (self-signed, for the domain, key 0600) and reused; a stored
// certificate wins.
func TestCertFiles(t *testing.T) {
	md := &conf.MDConfig{StoreDir: t.TempDir(), CA: "https://ca.test/dir"}
	d := &conf.MDomain{Names: []string{"a.test"}}
	cert, key, fallback, err := CertFiles(md, d)
	if err != nil || !fallback {
		t.Fatalf("first: %v %v", fallback, err)
	}
	leaf, err := loadLeaf(cert, key)
	if err != nil || leaf.DNSNames[0] != "a.test" || leaf.Subject.CommonName != FallbackCN || leaf.NotAfter.Before(time.Now().Add(24*time.Hour)) {
		t.Fatalf("fallback: %v %v", leaf, err)
	}
	if fi, _ := os.Stat(key); fi.Mode().Perm() != 0o600 {
		t.Errorf("fallback key mode %v", fi.Mode())
	}
	cert2, _, _, _ := CertFiles(md, d)
	if l2, _ := loadLeaf(cert2, key); l2 == nil || l2.SerialNumber.Cmp(leaf.SerialNumber) != 0 {
		t.Error("fallback made again")
	}
	// A stored certificate (here: the fallback's, copied where certmagic
	// keeps the CA's).
	sc, sk := storedPaths(md, "a.test")
	if err := os.MkdirAll(filepath.Dir(sc), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, p := range [][2]string{{cert, sc}, {key, sk}} {
		b, _ := os.ReadFile(p[0])
		if err := os.WriteFile(p[1], b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if c, k, fb, err := CertFiles(md, d); err != nil || fb || c != sc || k != sk {
		t.Errorf("with a stored certificate: %s %s %v %v", c, k, fb, err)
	}
}
