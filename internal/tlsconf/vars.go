package tlsconf

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"time"
)

// ProtocolName is %{SSL_PROTOCOL}x: OpenSSL's name of a TLS version
// ("TLSv1.2", "TLSv1.3"; "TLSv1" for 1.0).
func ProtocolName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "TLSv1"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS13:
		return "TLSv1.3"
	}
	return "Unknown"
}

// ClientVerify is %{SSL_CLIENT_VERIFY}x: "NONE" without a client
// certificate, "SUCCESS" when it verifies (against roots, the server's
// ClientCAs, when crypto/tls did not verify it: SSLVerifyClient
// optional_no_ca), else "FAILED:" and OpenSSL's reason, as Apache 2.4.71
// logs it for optional_no_ca ("FAILED:self-signed certificate",
// "FAILED:unable to get local issuer certificate", "FAILED:certificate
// has expired", "FAILED:certificate is not yet valid").
func ClientVerify(cs *tls.ConnectionState, roots *x509.CertPool) string {
	if len(cs.PeerCertificates) == 0 {
		return "NONE"
	}
	if len(cs.VerifiedChains) > 0 {
		return "SUCCESS"
	}
	leaf := cs.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	if roots == nil {
		roots = x509.NewCertPool()
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err == nil {
		return "SUCCESS"
	}
	var inv x509.CertificateInvalidError
	switch {
	case errors.As(err, &inv) && inv.Reason == x509.Expired:
		if time.Now().Before(inv.Cert.NotBefore) {
			return "FAILED:certificate is not yet valid"
		}
		return "FAILED:certificate has expired"
	case bytes.Equal(leaf.RawIssuer, leaf.RawSubject) &&
		leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) == nil:
		return "FAILED:self-signed certificate"
	default:
		return "FAILED:unable to get local issuer certificate"
	}
}
