package acme

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/caddyserver/certmagic"
	"github.com/mholt/acmez/v3"
	"github.com/mholt/acmez/v3/acme"

	"github.com/gohttpd/gohttpd/conf"
)

// ChallengePrefix is the path of HTTP-01 answers.
const ChallengePrefix = "/.well-known/acme-challenge/"

// challengeDir holds the challenges the children answer.
func challengeDir(store string) string { return filepath.Join(store, "challenges") }

// challengeFile is the file of name's current challenge.
func challengeFile(store, name string) string {
	return filepath.Join(challengeDir(store), certmagic.StorageKeys.Safe(strings.ToLower(name))+".json")
}

// issuerKey is certmagic's storage key of the CA.
func issuerKey(md *conf.MDConfig) string {
	return (&certmagic.ACMEIssuer{CA: md.CA}).IssuerKey()
}

// storedPaths are where certmagic keeps name's certificate and key.
func storedPaths(md *conf.MDConfig, name string) (cert, key string) {
	ik := issuerKey(md)
	return filepath.Join(md.StoreDir, filepath.FromSlash(certmagic.StorageKeys.SiteCert(ik, name))),
		filepath.Join(md.StoreDir, filepath.FromSlash(certmagic.StorageKeys.SitePrivateKey(ik, name)))
}

// CertFiles are the certificate and key files to serve for managed
// domain d: the CA's certificate when the store has a valid one, else
// (fallback true) a self-signed one made for the purpose (as mod_md,
// which also answers 503 over https then). The master calls it (as
// root) for each generation.
func CertFiles(md *conf.MDConfig, d *conf.MDomain) (cert, key string, fallback bool, err error) {
	name := d.Names[0]
	cert, key = storedPaths(md, name)
	if leaf, err := loadLeaf(cert, key); err == nil && time.Now().Before(leaf.NotAfter) {
		return cert, key, false, nil
	}
	dir := filepath.Join(md.StoreDir, "fallback", certmagic.StorageKeys.Safe(name))
	cert, key = filepath.Join(dir, "pubcert.pem"), filepath.Join(dir, "privkey.pem")
	if leaf, err := loadLeaf(cert, key); err == nil && time.Now().Add(time.Hour).Before(leaf.NotAfter) {
		return cert, key, true, nil
	}
	if err := writeFallback(dir, cert, key, d.Names); err != nil {
		return "", "", true, err
	}
	return cert, key, true, nil
}

func loadLeaf(cert, key string) (*x509.Certificate, error) {
	c, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(c.Certificate[0])
}

// FallbackCN is the common name of mod_md's fallback certificate.
const FallbackCN = "Apache Managed Domain Fallback"

// writeFallback makes mod_md's fallback: a self-signed certificate for
// names, valid for 14 days, with mod_md's subject (Apache 2.4.71 makes an
// RSA 2048 key; this one is ECDSA P-256).
func writeFallback(dir, certPath, keyPath string, names []string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("mkdir %s: %w", dir, err)
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: FallbackCN},
		DNSNames:     names,
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(14 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		return err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return err
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", keyPath, err)
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", certPath, err)
	}
	return nil
}

// challengeStorage is certmagic's file storage that also publishes each
// challenge certmagic presents for the children (challenges/<name>.json,
// world-readable) and removes it when certmagic cleans up.
type challengeStorage struct {
	*certmagic.FileStorage
	dir string
}

func isChallengeKey(key string) bool {
	return strings.Contains(key, "/challenge_tokens/") && strings.HasSuffix(key, ".json")
}

func (s *challengeStorage) Store(ctx context.Context, key string, value []byte) error {
	if err := s.FileStorage.Store(ctx, key, value); err != nil {
		return err
	}
	if !isChallengeKey(key) {
		return nil
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return fmt.Errorf("mkdir %s: %w", s.dir, err)
	}
	p := filepath.Join(s.dir, path.Base(key))
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, value, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	return nil
}

func (s *challengeStorage) Delete(ctx context.Context, key string) error {
	if isChallengeKey(key) {
		_ = os.Remove(filepath.Join(s.dir, path.Base(key)))
	}
	return s.FileStorage.Delete(ctx, key)
}

// readChallenge reads name's current challenge from the store.
func readChallenge(store, name string) (acme.Challenge, error) {
	var c acme.Challenge
	b, err := os.ReadFile(challengeFile(store, name))
	if err != nil {
		return c, err
	}
	err = json.Unmarshal(b, &c)
	return c, err
}

// HTTPChallenge is the HTTP-01 answer for token on host (from the store
// the master writes), and whether there is one.
func HTTPChallenge(store, host, token string) (keyAuth string, ok bool) {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	c, err := readChallenge(store, host)
	if err != nil || c.Token == "" || c.Token != token {
		return "", false
	}
	return c.KeyAuthorization, true
}

// WrapALPN makes cfg (the root config the engines handshake with) answer
// TLS-ALPN-01: a ClientHello that offers "acme-tls/1" gets the challenge
// certificate for its SNI name from the store.
func WrapALPN(cfg *tls.Config, store string) {
	inner := cfg.GetConfigForClient
	cfg.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		for _, p := range hello.SupportedProtos {
			if p == acmez.ACMETLS1Protocol {
				c, err := readChallenge(store, hello.ServerName)
				if err != nil {
					return nil, fmt.Errorf("acme-tls/1 for %q: no challenge: %w", hello.ServerName, err)
				}
				cert, err := acmez.TLSALPN01ChallengeCert(c)
				if err != nil {
					return nil, err
				}
				return &tls.Config{Certificates: []tls.Certificate{*cert}, NextProtos: []string{acmez.ACMETLS1Protocol}, MinVersion: tls.VersionTLS12}, nil
			}
		}
		if inner != nil {
			return inner(hello)
		}
		return nil, nil
	}
}
