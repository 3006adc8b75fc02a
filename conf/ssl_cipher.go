package conf

// SSLCipherSuite: OpenSSL's cipher-list language (ssl_create_cipher_list
// in ssl/ssl_ciph.c) evaluated over the TLS 1.2 suites crypto/tls offers.

import (
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// cipher attribute bits, as OpenSSL's algorithm masks.
const (
	kRSA uint32 = 1 << iota
	kECDHE
	aRSA
	aECDSA
	encAES128
	encAES256
	encAES128GCM
	encAES256GCM
	encCHACHA20
	macSHA1
	macAEAD
	verSSLv3  // minimum protocol of the suite: SSLv3 (kRSA CBC suites)
	verTLSv1  // TLSv1 (ECDHE CBC suites)
	verTLSv12 // TLSv1.2 (AEAD suites)
	levelHigh
)

// sslCipher is one TLS 1.2 suite both OpenSSL and crypto/tls know.
type sslCipher struct {
	name     string // OpenSSL's name
	id       uint16
	bits     int // strength bits
	attrs    uint32
	insecure bool
}

// sslCiphers are the TLS 1.2 suites of tls.CipherSuites() (the ones Go
// calls secure), in the order OpenSSL 3.0 starts its list with (the order
// of `openssl ciphers -v ALL` filtered to these suites), which is the
// order rules add them in. The CBC-SHA256 suites of
// tls.InsecureCipherSuites (no Lucky13 countermeasures in Go), 3DES and
// RC4 (absent from OpenSSL 3's ALL) are left out: a cipher string naming
// them selects nothing for Go. The kRSA suites are in: Go 1.22+ leaves
// them out by default, but a configured list is used as given, as OpenSSL
// does with "HIGH".
var sslCiphers = []sslCipher{
	{"ECDHE-ECDSA-AES256-GCM-SHA384", tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, 256, kECDHE | aECDSA | encAES256GCM | macAEAD | verTLSv12 | levelHigh, false},
	{"ECDHE-RSA-AES256-GCM-SHA384", tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, 256, kECDHE | aRSA | encAES256GCM | macAEAD | verTLSv12 | levelHigh, false},
	{"ECDHE-ECDSA-CHACHA20-POLY1305", tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, 256, kECDHE | aECDSA | encCHACHA20 | macAEAD | verTLSv12 | levelHigh, false},
	{"ECDHE-RSA-CHACHA20-POLY1305", tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, 256, kECDHE | aRSA | encCHACHA20 | macAEAD | verTLSv12 | levelHigh, false},
	{"ECDHE-ECDSA-AES128-GCM-SHA256", tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 128, kECDHE | aECDSA | encAES128GCM | macAEAD | verTLSv12 | levelHigh, false},
	{"ECDHE-RSA-AES128-GCM-SHA256", tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, 128, kECDHE | aRSA | encAES128GCM | macAEAD | verTLSv12 | levelHigh, false},
	{"ECDHE-ECDSA-AES256-SHA", tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, 256, kECDHE | aECDSA | encAES256 | macSHA1 | verTLSv1 | levelHigh, false},
	{"ECDHE-RSA-AES256-SHA", tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, 256, kECDHE | aRSA | encAES256 | macSHA1 | verTLSv1 | levelHigh, false},
	{"ECDHE-ECDSA-AES128-SHA", tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, 128, kECDHE | aECDSA | encAES128 | macSHA1 | verTLSv1 | levelHigh, false},
	{"ECDHE-RSA-AES128-SHA", tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, 128, kECDHE | aRSA | encAES128 | macSHA1 | verTLSv1 | levelHigh, false},
	{"AES256-GCM-SHA384", tls.TLS_RSA_WITH_AES_256_GCM_SHA384, 256, kRSA | aRSA | encAES256GCM | macAEAD | verTLSv12 | levelHigh, false},
	{"AES128-GCM-SHA256", tls.TLS_RSA_WITH_AES_128_GCM_SHA256, 128, kRSA | aRSA | encAES128GCM | macAEAD | verTLSv12 | levelHigh, false},
	{"AES256-SHA", tls.TLS_RSA_WITH_AES_256_CBC_SHA, 256, kRSA | aRSA | encAES256 | macSHA1 | verSSLv3 | levelHigh, false},
	{"AES128-SHA", tls.TLS_RSA_WITH_AES_128_CBC_SHA, 128, kRSA | aRSA | encAES128 | macSHA1 | verSSLv3 | levelHigh, false},
}

// sslCipherAliases are OpenSSL's cipher_aliases restricted to what the
// suites above can match: an alias is the OR of the bits of one class
// (key exchange, authentication, encryption, MAC, protocol, level); a
// suite matches when it has one of them. Aliases that exist in OpenSSL
// but match none of these suites (MEDIUM, LOW, aNULL, eNULL, EXP, MD5,
// DHE, CAMELLIA, SHA256, PSK, ...) map to 0: they select nothing.
var sslCipherAliases = map[string]uint32{
	"ALL": allCipherBits, "DEFAULT": allCipherBits, "HIGH": levelHigh,
	"MEDIUM": 0, "LOW": 0, "EXP": 0, "EXPORT": 0, "COMPLEMENTOFALL": 0, "COMPLEMENTOFDEFAULT": 0,
	"aNULL": 0, "eNULL": 0, "NULL": 0, "ADH": 0, "AECDH": 0,
	"kRSA": kRSA, "RSA": kRSA, "aRSA": aRSA,
	"kECDHE": kECDHE, "kEECDH": kECDHE, "ECDHE": kECDHE, "EECDH": kECDHE, "ECDH": kECDHE,
	"aECDSA": aECDSA, "ECDSA": aECDSA,
	"kDHE": 0, "kEDH": 0, "DHE": 0, "EDH": 0, "DH": 0, "aDSS": 0, "DSS": 0,
	"kPSK": 0, "PSK": 0, "aPSK": 0, "kECDHEPSK": 0, "kDHEPSK": 0, "kRSAPSK": 0, "SRP": 0, "kSRP": 0,
	"aGOST": 0, "kGOST": 0, "GOST94": 0, "GOST89MAC": 0,
	"AES":    encAES128 | encAES256 | encAES128GCM | encAES256GCM,
	"AES128": encAES128 | encAES128GCM, "AES256": encAES256 | encAES256GCM,
	"AESGCM": encAES128GCM | encAES256GCM, "AESCCM": 0, "AESCCM8": 0,
	"CHACHA20": encCHACHA20, "CAMELLIA": 0, "CAMELLIA128": 0, "CAMELLIA256": 0, "ARIA": 0,
	"ARIA128": 0, "ARIA256": 0, "ARIAGCM": 0, "3DES": 0, "DES": 0, "RC4": 0, "RC2": 0, "IDEA": 0, "SEED": 0,
	"MD5": 0, "SHA1": macSHA1, "SHA": macSHA1, "SHA256": 0, "SHA384": 0,
	"SSLv3": verSSLv3, "TLSv1": verTLSv1, "TLSv1.0": verTLSv1, "TLSv1.2": verTLSv12,
	"FIPS": levelHigh,
}

const allCipherBits = ^uint32(0)

// cipher attribute classes: a rule "A+B" matches suites that match A and
// B; within one class the bits are ORed as OpenSSL does.
var cipherClasses = []uint32{
	kRSA | kECDHE, aRSA | aECDSA,
	encAES128 | encAES256 | encAES128GCM | encAES256GCM | encCHACHA20,
	macSHA1 | macAEAD, verSSLv3 | verTLSv1 | verTLSv12, levelHigh,
}

// CipherSuiteName is OpenSSL's name of a TLS 1.2 suite crypto/tls
// negotiated ("ECDHE-RSA-AES128-GCM-SHA256", as %{SSL_CIPHER}x logs),
// or Go's name (tls.CipherSuiteName) for the TLS 1.3 suites, whose IANA
// names OpenSSL also uses.
func CipherSuiteName(id uint16) string {
	for i := range sslCiphers {
		if sslCiphers[i].id == id {
			return sslCiphers[i].name
		}
	}
	return tls.CipherSuiteName(id)
}

// CipherSuiteBits is the strength of a suite (%{SSL_CIPHER_USEKEYSIZE}x):
// 256 or 128, 0 when unknown.
func CipherSuiteBits(id uint16) int {
	for i := range sslCiphers {
		if sslCiphers[i].id == id {
			return sslCiphers[i].bits
		}
	}
	switch id {
	case tls.TLS_AES_128_GCM_SHA256:
		return 128
	case tls.TLS_AES_256_GCM_SHA384, tls.TLS_CHACHA20_POLY1305_SHA256:
		return 256
	}
	return 0
}

// ErrNoCipher is Apache's start-up failure (AH01898) when a cipher string
// selects no suite at all.
var ErrNoCipher = errors.New("Unable to configure permitted SSL ciphers")

// ParseSSLCipherSuite evaluates an OpenSSL cipher string (the argument of
// SSLCipherSuite, to which Apache appends ":!aNULL:!eNULL:!EXP") and
// returns the TLS 1.2 suites it selects, in order, as crypto/tls IDs
// (for tls.Config.CipherSuites). The language is OpenSSL's: elements
// separated by ':' (also ',' ' ' ';'), each a suite name or aliases
// joined with '+' (all must match), prefixed by '!' (remove for good),
// '-' (remove; a later element may add it back), '+' (move the selected
// ones to the end) or nothing (append those not yet selected), and the
// commands @STRENGTH (stable sort by strength, strongest first) and
// @SECLEVEL=n (no Go equivalent: a warning). Names OpenSSL knows but
// crypto/tls does not implement (DHE, CAMELLIA, CCM, ...) select nothing,
// as an unknown name does in OpenSSL; an unknown name gets a warning too.
// A string that selects nothing is ErrNoCipher.
func ParseSSLCipherSuite(spec string) (ids []uint16, warnings []string, err error) {
	type entry struct {
		c      *sslCipher
		active bool
		dead   bool
	}
	list := make([]*entry, len(sslCiphers))
	for i := range sslCiphers {
		list[i] = &entry{c: &sslCiphers[i]}
	}
	moveTail := func(e *entry) {
		i := slices.Index(list, e)
		list = append(slices.Delete(list, i, i+1), e)
	}
	moveHead := func(e *entry) {
		i := slices.Index(list, e)
		list = slices.Insert(slices.Delete(list, i, i+1), 0, e)
	}
	for _, elem := range strings.FieldsFunc(spec, func(r rune) bool {
		return r == ':' || r == ',' || r == ' ' || r == ';'
	}) {
		op := byte(0)
		if c := elem[0]; c == '!' || c == '-' || c == '+' {
			op, elem = c, elem[1:]
		}
		if strings.HasPrefix(elem, "@") {
			switch {
			case elem == "@STRENGTH":
				active := make([]*entry, 0, len(list))
				var rest []*entry
				for _, e := range list {
					if e.active {
						active = append(active, e)
					} else {
						rest = append(rest, e)
					}
				}
				slices.SortStableFunc(active, func(a, b *entry) int { return b.c.bits - a.c.bits })
				list = append(rest, active...)
			case strings.HasPrefix(elem, "@SECLEVEL="):
				warnings = append(warnings, fmt.Sprintf(
					"SSLCipherSuite: %s has no equivalent in Go's crypto/tls and is ignored", elem))
			default:
				warnings = append(warnings, fmt.Sprintf("SSLCipherSuite: unknown command '%s' ignored (as OpenSSL)", elem))
			}
			continue
		}
		match, known := cipherMatcher(elem)
		if !known {
			warnings = append(warnings, fmt.Sprintf(
				"SSLCipherSuite: '%s' is not a cipher or alias OpenSSL knows; it selects nothing", elem))
		}
		// Iterate over a snapshot: moves change list.
		snap := slices.Clone(list)
		switch op {
		case 0:
			for _, e := range snap {
				if match(e.c) && !e.active && !e.dead {
					e.active = true
					moveTail(e)
				}
			}
		case '+':
			for _, e := range snap {
				if match(e.c) && e.active {
					moveTail(e)
				}
			}
		case '-':
			for i := len(snap) - 1; i >= 0; i-- {
				if e := snap[i]; match(e.c) && e.active {
					e.active = false
					moveHead(e)
				}
			}
		case '!':
			for _, e := range snap {
				if match(e.c) {
					e.active, e.dead = false, true
				}
			}
		}
	}
	for _, e := range list {
		if e.active {
			ids = append(ids, e.c.id)
		}
	}
	if len(ids) == 0 {
		return nil, warnings, ErrNoCipher
	}
	return ids, warnings, nil
}

// cipherMatcher compiles one element ("ECDHE+AESGCM", a suite name, an
// alias). known is false when a part is neither a suite OpenSSL 3 knows
// nor an alias.
func cipherMatcher(elem string) (match func(*sslCipher) bool, known bool) {
	if i := slices.IndexFunc(sslCiphers, func(c sslCipher) bool { return c.name == elem }); i >= 0 {
		id := sslCiphers[i].id
		return func(c *sslCipher) bool { return c.id == id }, true
	}
	known = true
	var masks []uint32
	for _, part := range strings.Split(elem, "+") {
		m, ok := sslCipherAliases[part]
		if !ok {
			if !opensslOnlyCipher(part) {
				known = false
			}
			m = 0
		}
		masks = append(masks, m)
	}
	return func(c *sslCipher) bool {
		for _, m := range masks {
			if m == allCipherBits {
				continue
			}
			// Each alias tests one class: the suite must have one of its
			// bits within that class.
			hit := false
			for _, cl := range cipherClasses {
				if m&cl != 0 && c.attrs&m&cl != 0 {
					hit = true
				}
			}
			if !hit {
				return false
			}
		}
		return true
	}, known
}

// opensslOnlyCipher reports whether name looks like an OpenSSL suite name
// crypto/tls does not implement (DHE-RSA-AES256-GCM-SHA384,
// ECDHE-ECDSA-AES256-CCM, ...): such a name selects nothing, without a
// warning that it is unknown.
func opensslOnlyCipher(name string) bool {
	if strings.Count(name, "-") < 1 {
		return false
	}
	for _, part := range strings.Split(name, "-") {
		switch part {
		case "AES128", "AES256", "SHA", "SHA256", "SHA384", "GCM", "CCM", "CCM8", "CHACHA20", "POLY1305",
			"DES", "CBC3", "RC4", "MD5", "CAMELLIA128", "CAMELLIA256", "ARIA128", "ARIA256", "SEED", "IDEA", "NULL":
			return true
		}
	}
	return false
}
