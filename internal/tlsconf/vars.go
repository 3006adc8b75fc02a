package tlsconf

import "crypto/tls"

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
