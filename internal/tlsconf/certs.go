package tlsconf

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/gohttpd/gohttpd/conf"
)

// Problem is one finding of Check: an error that stops the server, or a
// warning (Warning true). It names the file and the directive that gave
// it, as `gohttpd -t` prints it.
type Problem struct {
	Warning   bool
	Where     string // "file:line" of the directive
	Directive string
	Path      string // the certificate or key file
	Msg       string
}

func (p Problem) Error() string {
	return p.Where + ": " + p.Directive + ": " + p.Msg
}

// ErrEncryptedKey is wrapped by the error for a private key protected by
// a pass phrase: gohttpd cannot ask for one (SSLPassPhraseDialog builtin
// prompts on the terminal in Apache).
var ErrEncryptedKey = errors.New("private key is encrypted with a pass phrase, which gohttpd cannot ask for; " +
	"decrypt it (openssl pkey -in KEY -out KEY.plain) and keep it readable by root only")

// LoadCertificates reads the certificate/key pairs of a merged server
// (SSLCertificateFile i with SSLCertificateKeyFile i, or the key in the
// certificate file when there is no i-th key file, as mod_ssl), each
// with the chain that follows the leaf in its file and then the
// SSLCertificateChainFile certificates, and checks that each key matches
// its certificate. For one key type (RSA, ECDSA, Ed25519) the last pair
// wins, as OpenSSL keeps one certificate per type. id names the server in
// messages (mod_ssl's vhost_id, "name:port"). Problems are errors only;
// Check adds the warnings.
func LoadCertificates(id string, s *conf.SSLServer) ([]tls.Certificate, error) {
	certs, probs := load(id, s)
	if err := problemsError(probs); err != nil {
		return nil, err
	}
	return certs, nil
}

// problemsError joins the errors among probs (nil when there are none).
func problemsError(probs []Problem) error {
	var errs []error
	for _, p := range probs {
		if !p.Warning {
			errs = append(errs, p)
		}
	}
	return errors.Join(errs...)
}

// Check is what `gohttpd -t` does for one TLS server besides parsing:
// every certificate and key file must exist, be readable, parse and
// match (errors naming file and directive; an encrypted key is an error
// that says so), a server with SSLEngine on needs at least one pair
// (Apache's AH02572), and a key readable by group or others gets a
// warning. Apache's own -t only checks that the files exist and are not
// empty; the rest fails at start-up there.
func Check(id string, s *conf.SSLServer) []Problem {
	_, probs := load(id, s)
	if f := s.CACertificateFile; s.Enabled() && f.Path != "" {
		raw, err := os.ReadFile(f.Path)
		if err != nil {
			probs = append(probs, fileProblem(f, "SSLCACertificateFile", err))
		} else if ders, _ := certBlocks(raw); len(ders) == 0 {
			probs = append(probs, Problem{Where: f.Where(), Directive: "SSLCACertificateFile", Path: f.Path,
				Msg: "no PEM certificate in '" + f.Path + "'"})
		}
	}
	return probs
}

func load(id string, s *conf.SSLServer) (out []tls.Certificate, probs []Problem) {
	return loadWith(os.ReadFile, id, s)
}

// loadWith is load reading the files with read (Options.ReadFile).
func loadWith(read func(string) ([]byte, error), id string, s *conf.SSLServer) (out []tls.Certificate, probs []Problem) {
	if !s.Enabled() {
		return nil, nil
	}
	var chain [][]byte
	if s.ChainFile.Path != "" {
		raw, err := read(s.ChainFile.Path)
		if err != nil {
			probs = append(probs, fileProblem(s.ChainFile, "SSLCertificateChainFile", err))
		} else if ders, _ := certBlocks(raw); len(ders) == 0 {
			probs = append(probs, Problem{Where: s.ChainFile.Where(), Directive: "SSLCertificateChainFile",
				Path: s.ChainFile.Path, Msg: "no PEM certificate in '" + s.ChainFile.Path + "'"})
		} else {
			chain = ders
		}
	}
	byType := map[string]int{}
	for i, cf := range s.CertFiles {
		keyID := id + ":" + strconv.Itoa(i)
		kf, keyDirective := cf, "SSLCertificateFile"
		if i < len(s.KeyFiles) {
			kf, keyDirective = s.KeyFiles[i], "SSLCertificateKeyFile"
		}
		craw, err := read(cf.Path)
		if err != nil {
			probs = append(probs, fileProblem(cf, "SSLCertificateFile", err))
			continue
		}
		ders, _ := certBlocks(craw)
		if len(ders) == 0 {
			probs = append(probs, Problem{Where: cf.Where(), Directive: "SSLCertificateFile", Path: cf.Path,
				Msg: fmt.Sprintf("AH02562: Failed to configure certificate %s (with chain), check %s: no certificate found", keyID, cf.Path)})
			continue
		}
		leaf, err := x509.ParseCertificate(ders[0])
		if err != nil {
			probs = append(probs, Problem{Where: cf.Where(), Directive: "SSLCertificateFile", Path: cf.Path,
				Msg: fmt.Sprintf("AH02562: Failed to configure certificate %s (with chain), check %s: %v", keyID, cf.Path, err)})
			continue
		}
		kraw := craw
		if kf.Path != cf.Path {
			if kraw, err = read(kf.Path); err != nil {
				probs = append(probs, fileProblem(kf, keyDirective, err))
				continue
			}
		}
		if fi, err := os.Stat(kf.Path); err == nil && fi.Mode().Perm()&0o044 != 0 {
			probs = append(probs, Problem{Warning: true, Where: kf.Where(), Directive: keyDirective, Path: kf.Path,
				Msg: fmt.Sprintf("private key file '%s' is readable by group or others (mode %04o); chmod 600 it", kf.Path, fi.Mode().Perm())})
		}
		key, err := parseKey(kraw)
		if err != nil {
			probs = append(probs, Problem{Where: kf.Where(), Directive: keyDirective, Path: kf.Path,
				Msg: fmt.Sprintf("AH02564: Failed to configure encrypted (?) private key %s, check %s: %v", keyID, kf.Path, err)})
			continue
		}
		if !keyMatches(leaf.PublicKey, key) {
			probs = append(probs, Problem{Where: kf.Where(), Directive: keyDirective, Path: kf.Path,
				Msg: fmt.Sprintf("AH02565: Certificate and private key %s from %s and %s do not match", keyID, cf.Path, kf.Path)})
			continue
		}
		c := tls.Certificate{Certificate: append(ders, chain...), PrivateKey: key, Leaf: leaf}
		kt := keyType(key)
		if j, ok := byType[kt]; ok {
			out[j] = c
			continue
		}
		byType[kt] = len(out)
		out = append(out, c)
	}
	if len(out) == 0 && len(probs) == 0 {
		probs = append(probs, Problem{Directive: "SSLEngine",
			Msg: fmt.Sprintf("AH02572: Failed to configure at least one certificate and key for %s", id)})
	}
	return out, probs
}

func fileProblem(f conf.SSLFile, directive string, err error) Problem {
	return Problem{Where: f.Where(), Directive: directive, Path: f.Path, Msg: err.Error()}
}

// certBlocks returns the DER of every CERTIFICATE block of raw, or raw
// itself when it is one DER certificate (mod_ssl takes PEM or DER).
func certBlocks(raw []byte) (ders [][]byte, other []*pem.Block) {
	rest := raw
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" || b.Type == "TRUSTED CERTIFICATE" {
			ders = append(ders, b.Bytes)
		} else {
			other = append(other, b)
		}
	}
	if len(ders) == 0 && !bytes.Contains(raw, []byte("-----BEGIN")) {
		if _, err := x509.ParseCertificate(raw); err == nil {
			ders = [][]byte{raw}
		}
	}
	return ders, other
}

// parseKey finds the private key in raw (PEM: PKCS#8, PKCS#1 or SEC 1;
// or DER PKCS#8).
func parseKey(raw []byte) (crypto.Signer, error) {
	rest := raw
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch b.Type {
		case "ENCRYPTED PRIVATE KEY":
			return nil, ErrEncryptedKey
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
			if b.Headers["Proc-Type"] == "4,ENCRYPTED" {
				return nil, ErrEncryptedKey
			}
			return parseDERKey(b.Bytes)
		}
	}
	if !bytes.Contains(raw, []byte("-----BEGIN")) {
		return parseDERKey(raw)
	}
	return nil, errors.New("no private key found")
}

func parseDERKey(der []byte) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		if s, ok := k.(crypto.Signer); ok {
			return s, nil
		}
		return nil, errors.New("unsupported private key type")
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("cannot parse the private key")
}

func keyMatches(pub crypto.PublicKey, key crypto.Signer) bool {
	p, ok := pub.(interface{ Equal(crypto.PublicKey) bool })
	return ok && p.Equal(key.Public())
}

func keyType(k crypto.Signer) string {
	switch k.(type) {
	case *rsa.PrivateKey:
		return "RSA"
	case *ecdsa.PrivateKey:
		return "ECDSA"
	case ed25519.PrivateKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", k)
}
