package tlsconf

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"strings"
	"unicode/utf8"
)

// OpenSSL's short names (OBJ_nid2sn) of the attributes seen in
// certificate names.
var attrShortNames = map[string]string{
	"2.5.4.3": "CN", "2.5.4.4": "SN", "2.5.4.5": "serialNumber", "2.5.4.6": "C", "2.5.4.7": "L",
	"2.5.4.8": "ST", "2.5.4.9": "street", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.12": "title",
	"2.5.4.13": "description", "2.5.4.17": "postalCode", "2.5.4.41": "name", "2.5.4.42": "GN",
	"2.5.4.43": "initials", "2.5.4.44": "generationQualifier", "2.5.4.46": "dnQualifier",
	"2.5.4.65": "pseudonym", "2.5.4.97": "organizationIdentifier",
	"1.2.840.113549.1.9.1": "emailAddress", "0.9.2342.19200300.100.1.25": "DC",
	"0.9.2342.19200300.100.1.1": "UID", "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionC",
	"2.5.4.15": "businessCategory",
}

// SubjectDN is %{SSL_CLIENT_S_DN}x (and the SSL_CLIENT_S_DN variable):
// the certificate's subject as mod_ssl prints it. By default that is
// X509_NAME_print_ex with XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB: RDNs
// last to first, joined with ',' (multi-valued ones with '+'), OpenSSL's
// short names ("emailAddress=..." included), RFC 2253 escaping with UTF-8
// kept as is ("CN=Jane Doe,OU=Dev\+Ops,O=Acme\, Inc.,ST=Berlin,C=DE").
// With SSLOptions +LegacyDNStringFormat (legacy true) it is OpenSSL's
// X509_NAME_oneline: first to last, each "/name=value"
// ("/C=DE/ST=Berlin/O=Acme, Inc./OU=Dev\+Ops/CN=Jane Doe"). Both were
// compared with Apache 2.4.71 and OpenSSL 3.0.19 (dn_test.go).
func SubjectDN(cert *x509.Certificate, legacy bool) string {
	return formatDN(cert.RawSubject, legacy)
}

// IssuerDN is %{SSL_CLIENT_I_DN}x, formatted as SubjectDN.
func IssuerDN(cert *x509.Certificate, legacy bool) string {
	return formatDN(cert.RawIssuer, legacy)
}

func formatDN(raw []byte, legacy bool) string {
	var rdns pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &rdns); err != nil {
		return ""
	}
	var b strings.Builder
	if legacy {
		for _, rdn := range rdns {
			for j, atv := range rdn {
				if j == 0 {
					b.WriteByte('/')
				} else {
					b.WriteByte('+')
				}
				b.WriteString(attrName(atv.Type))
				b.WriteByte('=')
				v, ok := atv.Value.(string)
				if !ok {
					b.WriteString("#" + hexDER(atv.Value))
					continue
				}
				// X509_NAME_oneline (OpenSSL 3) puts a backslash before
				// '/' and '+' and writes bytes outside printable ASCII as
				// \xXX.
				for i := 0; i < len(v); i++ {
					c := v[i]
					if c == '/' || c == '+' {
						b.WriteByte('\\')
						b.WriteByte(c)
					} else if c < ' ' || c > '~' {
						b.WriteString(`\x`)
						b.WriteString(strings.ToUpper(hex.EncodeToString([]byte{c})))
					} else {
						b.WriteByte(c)
					}
				}
			}
		}
		return b.String()
	}
	for i := len(rdns) - 1; i >= 0; i-- {
		if i != len(rdns)-1 {
			b.WriteByte(',')
		}
		// OpenSSL reverses the entries, also within a multi-valued RDN.
		for j := len(rdns[i]) - 1; j >= 0; j-- {
			atv := rdns[i][j]
			if j != len(rdns[i])-1 {
				b.WriteByte('+')
			}
			b.WriteString(attrName(atv.Type))
			b.WriteByte('=')
			v, ok := atv.Value.(string)
			if !ok {
				b.WriteString("#" + hexDER(atv.Value))
				continue
			}
			escape2253(&b, v)
		}
	}
	return b.String()
}

func attrName(oid asn1.ObjectIdentifier) string {
	if n, ok := attrShortNames[oid.String()]; ok {
		return n
	}
	return oid.String()
}

func hexDER(v any) string {
	der, err := asn1.Marshal(v)
	if err != nil {
		return ""
	}
	return hex.EncodeToString(der)
}

// escape2253 is OpenSSL's do_esc_char for ASN1_STRFLGS_ESC_2253 |
// ESC_CTRL (without ESC_MSB): ',', '+', '"', '\', '<', '>', ';' get a
// backslash, so do a leading '#' or space and a trailing space; control
// bytes become \XX.
func escape2253(b *strings.Builder, v string) {
	if !utf8.ValidString(v) {
		v = strings.ToValidUTF8(v, "\uFFFD")
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' || c == ';':
			b.WriteByte('\\')
			b.WriteByte(c)
		case (c == '#' || c == ' ') && i == 0, c == ' ' && i == len(v)-1:
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c == 0x7f:
			b.WriteByte('\\')
			b.WriteString(strings.ToUpper(hex.EncodeToString([]byte{c})))
		default:
			b.WriteByte(c)
		}
	}
}
