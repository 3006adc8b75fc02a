package acme

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"strings"
	"sync"

	"github.com/caddyserver/certmagic"
)

// Several names in one MDomain: one certificate whose subject
// alternative names are all the domain's names, as mod_md orders.
//
// certmagic manages certificates by one name each: it generates a key
// (Config.KeySource), makes a CSR for that one name and hands it to the
// issuer. It manages the domain's first name only, and sanIssuer, between
// certmagic and its ACMEIssuer, makes a new CSR for all the domain's
// names with the same key (which keySource remembers from its
// generation to its use), so the ACME order covers every name: the CA
// checks each of them (a challenge per name, answered as usual). The
// certificate lands under the first name in certmagic's store, where
// CertFiles looks, and renews the same way.

// keySource is certmagic's key generator that remembers each key it made
// until sanIssuer takes it, by public key.
type keySource struct {
	certmagic.StandardKeyGenerator
	mu   sync.Mutex
	keys map[string]crypto.Signer
}

func (k *keySource) GenerateKey() (crypto.PrivateKey, error) {
	key, err := k.StandardKeyGenerator.GenerateKey()
	if err != nil {
		return nil, err
	}
	s, ok := key.(crypto.Signer)
	if !ok {
		return key, nil
	}
	id, err := x509.MarshalPKIXPublicKey(s.Public())
	if err != nil {
		return key, nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys == nil {
		k.keys = map[string]crypto.Signer{}
	}
	if len(k.keys) > 64 {
		clear(k.keys) // keys of orders that never reached the issuer
	}
	k.keys[string(id)] = s
	return key, nil
}

// take returns (and forgets) the private key of pub.
func (k *keySource) take(pub any) crypto.Signer {
	id, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	s := k.keys[string(id)]
	delete(k.keys, string(id))
	return s
}

// sanIssuer is certmagic's ACMEIssuer with CSRs widened to the whole
// managed domain.
type sanIssuer struct {
	*certmagic.ACMEIssuer
	keys *keySource
	// names maps a domain's first name to all its names.
	names map[string][]string
}

// Issue orders the certificate of csr's name, for all the names of its
// domain when it has several.
func (s *sanIssuer) Issue(ctx context.Context, csr *x509.CertificateRequest) (*certmagic.IssuedCertificate, error) {
	key := s.keys.take(csr.PublicKey)
	if len(csr.DNSNames) != 1 {
		return s.ACMEIssuer.Issue(ctx, csr)
	}
	names := s.names[strings.ToLower(csr.DNSNames[0])]
	if len(names) < 2 {
		return s.ACMEIssuer.Issue(ctx, csr)
	}
	if key == nil {
		return nil, errors.New("mod_md: the key of the certificate request for " + csr.DNSNames[0] + " is unknown")
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{DNSNames: names}, key)
	if err != nil {
		return nil, err
	}
	wide, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, err
	}
	return s.ACMEIssuer.Issue(ctx, wide)
}

// PreCheck checks all the names of the domain.
func (s *sanIssuer) PreCheck(ctx context.Context, names []string, interactive bool) error {
	if len(names) == 1 {
		if all := s.names[strings.ToLower(names[0])]; len(all) > 1 {
			names = all
		}
	}
	return s.ACMEIssuer.PreCheck(ctx, names, interactive)
}
