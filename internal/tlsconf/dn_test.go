package tlsconf

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"
)

// TestFormatDN: expected values are OpenSSL 3.0.19's
// `openssl req -noout -subject -nameopt RFC2253` (what mod_ssl prints by
// default) and `-nameopt compat` (X509_NAME_oneline, SSLOptions
// +LegacyDNStringFormat) for names made with `openssl req -subj`.
func TestFormatDN(t *testing.T) {
	email := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	for _, tc := range []struct {
		rdns           pkix.RDNSequence
		rfc2253, oneln string
	}{
		{pkix.RDNSequence{
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 6}, Value: "DE"}},
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: `a/b;c=d\e #x`}},
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: " lead"}},
		}, `CN=\ lead,O=a/b\;c=d\\e #x,C=DE`, `/C=DE/O=a\/b;c=d\e #x/CN= lead`},
		{pkix.RDNSequence{
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 6}, Value: "DE"}},
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 8}, Value: "Berlin"}},
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: "Acme, Inc."}},
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 11}, Value: "Dev+Ops"}},
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "Jane Doe"}},
			{{Type: email, Value: "jane@example.com"}},
		}, `emailAddress=jane@example.com,CN=Jane Doe,OU=Dev\+Ops,O=Acme\, Inc.,ST=Berlin,C=DE`,
			`/C=DE/ST=Berlin/O=Acme, Inc./OU=Dev\+Ops/CN=Jane Doe/emailAddress=jane@example.com`},
		// A multi-valued RDN (-multivalue-rdn -subj '/O=O/OU=a+CN=b'; DER
		// sorts the set: CN, OU).
		{pkix.RDNSequence{
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: "O"}},
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 11}, Value: "a"}, {Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "b"}},
		}, `OU=a+CN=b,O=O`, `/O=O/CN=b+OU=a`},
	} {
		raw, err := asn1.Marshal(tc.rdns)
		if err != nil {
			t.Fatal(err)
		}
		if got := formatDN(raw, false); got != tc.rfc2253 {
			t.Errorf("RFC 2253: %q, want %q", got, tc.rfc2253)
		}
		if got := formatDN(raw, true); got != tc.oneln {
			t.Errorf("oneline: %q, want %q", got, tc.oneln)
		}
	}
	if formatDN([]byte{1, 2}, false) != "" {
		t.Error("garbage DN formatted")
	}
}

func FuzzFormatDN(f *testing.F) {
	raw, _ := asn1.Marshal(pkix.Name{CommonName: "x", Organization: []string{"y"}}.ToRDNSequence())
	f.Add(raw)
	f.Fuzz(func(t *testing.T, raw []byte) {
		_ = formatDN(raw, false)
		_ = formatDN(raw, true)
	})
}

func TestProtocolName(t *testing.T) {
	for v, want := range map[uint16]string{0x0301: "TLSv1", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3", 0: "Unknown"} {
		if got := ProtocolName(v); got != want {
			t.Errorf("%x: %s", v, got)
		}
	}
}
