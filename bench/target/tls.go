package target

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// HTTPS targets. A server started with TLS (Spec.TLS, ForeignSpec.TLS)
// gets a second listener speaking HTTPS with one generated self-signed
// ECDSA P-256 certificate for "bench" and 127.0.0.1 (the same kind of
// certificate for gohttpd, Apache and nginx); its plain listener stays
// for the status page. Server.TLSAddr is the HTTPS address.
//
//   - gohttpd: "Listen 127.0.0.2:0 https" and a <VirtualHost 127.0.0.2:*>
//     with SSLEngine on (127.0.0.2 tells the two listeners apart in the
//     "listening" log lines).
//   - Apache: mod_ssl and a <VirtualHost> on a second free port.
//   - nginx: a second server block, "listen ... ssl", with
//     ssl_protocols TLSv1.2 TLSv1.3 (nginx 1.22's default has no
//     TLSv1.3), session tickets on (its default).

// CertFiles are the bench's certificate and key under dir.
func CertFiles(dir string) (cert, key string) {
	return filepath.Join(dir, "bench-cert.pem"), filepath.Join(dir, "bench-key.pem")
}

// WriteCert writes a self-signed ECDSA P-256 certificate and its key
// under dir (CertFiles), unless they exist.
func WriteCert(dir string) (cert, key string, err error) {
	cert, key = CertFiles(dir)
	if _, err := os.Stat(cert); err == nil {
		return cert, key, nil
	}
	pk, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", fmt.Errorf("target: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "bench"},
		DNSNames:     []string{"bench", "localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv4(127, 0, 0, 2)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(30 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &pk.PublicKey, pk)
	if err != nil {
		return "", "", fmt.Errorf("target: %w", err)
	}
	kd, err := x509.MarshalPKCS8PrivateKey(pk)
	if err != nil {
		return "", "", fmt.Errorf("target: %w", err)
	}
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return "", "", fmt.Errorf("target: %w", err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}), 0o600); err != nil {
		return "", "", fmt.Errorf("target: %w", err)
	}
	return cert, key, nil
}

// gohttpdTLSLines are the directives of gohttpd's HTTPS listener.
func gohttpdTLSLines(dir string) ([]string, error) {
	cert, key, err := WriteCert(dir)
	if err != nil {
		return nil, err
	}
	return []string{
		"Listen 127.0.0.2:0 https",
		"<VirtualHost 127.0.0.2:*>",
		"    ServerName bench",
		"    DocumentRoot htdocs",
		"    SSLEngine on",
		"    SSLCertificateFile " + quote(cert),
		"    SSLCertificateKeyFile " + quote(key),
		"</VirtualHost>",
	}, nil
}

var tlsListenRE = regexp.MustCompile(`listening .*addr=(127\.0\.0\.2:[0-9]+)`)

// waitTLSAddr finds the HTTPS listener's address in the error log.
func (s *Server) waitTLSAddr(ctx context.Context, deadline time.Time) error {
	for s.wantTLS && s.TLSAddr == "" {
		b, _ := os.ReadFile(filepath.Join(s.Dir, "logs", "error_log"))
		if m := tlsListenRE.FindSubmatch(b); m != nil {
			s.TLSAddr = string(m[1])
			break
		}
		if err := s.pause(ctx, deadline, "its HTTPS listening address"); err != nil {
			return err
		}
	}
	return nil
}

// TLSPort is the port of TLSAddr (0 without one).
func (s *Server) TLSPort() int {
	_, p, _ := net.SplitHostPort(s.TLSAddr)
	n, _ := strconv.Atoi(p)
	return n
}

// TLSOnly reports whether the server is an https:// --target: only the
// https scenario can run on it.
func (s *Server) TLSOnly() bool { return s.TLSAddr != "" && s.TLSAddr == s.Addr }

// apacheTLSLines are the directives of Apache's HTTPS listener on port.
func apacheTLSLines(spec ForeignSpec, port int) []string {
	cert, key := CertFiles(spec.Dir)
	mod := func(name, file string) string {
		return "LoadModule " + name + " " + quote(filepath.Join(spec.Installed.Modules, file))
	}
	p := strconv.Itoa(port)
	return []string{
		mod("socache_shmcb_module", "mod_socache_shmcb.so"),
		mod("ssl_module", "mod_ssl.so"),
		"Listen 127.0.0.1:" + p + " https",
		"SSLSessionCache " + quote("shmcb:"+filepath.Join(spec.Dir, "logs", "ssl_scache(512000)")),
		"<VirtualHost 127.0.0.1:" + p + ">",
		"    ServerName bench",
		"    SSLEngine on",
		"    SSLCertificateFile " + quote(cert),
		"    SSLCertificateKeyFile " + quote(key),
		"</VirtualHost>",
	}
}

// nginxTLSLines are the lines of nginx's HTTPS server block on port.
func nginxTLSLines(spec ForeignSpec, port int) []string {
	cert, key := CertFiles(spec.Dir)
	params, h2 := nginxTLSListen(spec)
	return slices.Insert([]string{
		"    server {",
		"        listen 127.0.0.1:" + strconv.Itoa(port) + params + ";",
		"        ssl_certificate " + cert + ";",
		"        ssl_certificate_key " + key + ";",
		"        ssl_protocols TLSv1.2 TLSv1.3;",
		"        root " + filepath.Join(spec.Dir, "htdocs") + ";",
		"        index index.html;",
		"    }",
	}, 2, h2...)
}
