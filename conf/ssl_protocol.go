package conf

import (
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
)

// SSLProtocols is a set of TLS versions (mod_ssl's ssl_proto_t).
type SSLProtocols uint8

// The versions of SSLProtocol. SSLv2 and SSLv3 are not members: Apache
// refuses SSLv2 and Debian's OpenSSL has no SSLv3 (both: "-SSLv3" is
// accepted and does nothing, "+SSLv3" is an error).
const (
	ProtoTLSv1 SSLProtocols = 1 << iota
	ProtoTLSv11
	ProtoTLSv12
	ProtoTLSv13

	// ProtoAll is "all".
	ProtoAll = ProtoTLSv1 | ProtoTLSv11 | ProtoTLSv12 | ProtoTLSv13
	// ProtoDefault is what a server without SSLProtocol serves: TLS 1.2
	// and 1.3. Apache 2.4's default is "all -SSLv3", but Debian's
	// OpenSSL 3 (MinProtocol TLSv1.2 at security level 2) refuses TLS
	// 1.0 and 1.1 handshakes, and so does Go's server by default.
	ProtoDefault = ProtoTLSv12 | ProtoTLSv13
)

var protoNames = []struct {
	name string
	p    SSLProtocols
	ver  uint16
}{
	{"TLSv1", ProtoTLSv1, tls.VersionTLS10},
	{"TLSv1.1", ProtoTLSv11, tls.VersionTLS11},
	{"TLSv1.2", ProtoTLSv12, tls.VersionTLS12},
	{"TLSv1.3", ProtoTLSv13, tls.VersionTLS13},
}

// String lists the versions as mod_ssl's config dump does ("TLSv1.2
// TLSv1.3"), "none" for the empty set and "all" for ProtoAll.
func (p SSLProtocols) String() string {
	switch p {
	case 0:
		return "none"
	case ProtoAll:
		return "all"
	}
	var parts []string
	for _, n := range protoNames {
		if p&n.p != 0 {
			parts = append(parts, n.name)
		}
	}
	return strings.Join(parts, " ")
}

// ErrNoProtocols is Apache's start-up failure (AH02231) for an
// SSLProtocol that leaves no version.
var ErrNoProtocols = errors.New("No SSL protocols available [hint: SSLProtocol]")

// VersionRange is the set as crypto/tls's MinVersion and MaxVersion.
// Go cannot serve a set with a hole (TLSv1 and TLSv1.2 without TLSv1.1):
// that is an error that says so, as is the empty set.
func (p SSLProtocols) VersionRange() (lo, hi uint16, err error) {
	if p == 0 {
		return 0, 0, ErrNoProtocols
	}
	first, last := -1, -1
	for i, n := range protoNames {
		if p&n.p != 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	for i := first; i <= last; i++ {
		if p&protoNames[i].p == 0 {
			return 0, 0, fmt.Errorf("SSLProtocol: %s without %s: Go's crypto/tls has only a minimum and a maximum version and cannot leave a version out between two others",
				p, protoNames[i].name)
		}
	}
	return protoNames[first].ver, protoNames[last].ver, nil
}

// ParseSSLProtocol is ssl_cmd_protocol_parse: the words of SSLProtocol
// (or SSLProxyProtocol, named by directive), each "all", "TLSv1",
// "TLSv1.1", "TLSv1.2", "TLSv1.3", "SSLv3" or "SSLv2", optionally
// prefixed with '+' (add) or '-' (remove); a word without a prefix sets
// the whole set, with Apache's AH02532 warning when it overrides words
// before it. Names are case-insensitive, as in Apache 2.4.71. The error
// texts are Apache's. A hole in the result is reported by VersionRange,
// not here, so the value can still be merged and printed.
func ParseSSLProtocol(directive string, words []string) (p SSLProtocols, warnings []string, err error) {
	if len(words) == 0 {
		return 0, nil, fmt.Errorf("%s takes one argument, Enable or disable various SSL protocols "+
			"('[+-][TLSv1[.n]] ...' - see manual)", directive)
	}
	for _, w := range words {
		action := byte(0)
		if w != "" && (w[0] == '+' || w[0] == '-') {
			action, w = w[0], w[1:]
		}
		var this SSLProtocols
		// Apache 2.4.71 takes the names in any case ("SSLProtocol ALL
		// -tlsv1" passes apache2 -t).
		switch strings.ToLower(w) {
		case "sslv2":
			if action == '-' {
				continue
			}
			return 0, warnings, errors.New("SSLProtocol: SSLv2 is no longer supported")
		case "sslv3":
			if action != '-' {
				return 0, warnings, errors.New("SSLv3 not supported by this version of OpenSSL")
			}
			continue
		case "all":
			this = ProtoAll
		default:
			found := false
			for _, n := range protoNames {
				if strings.EqualFold(w, n.name) {
					this, found = n.p, true
				}
			}
			if !found {
				return 0, warnings, fmt.Errorf("%s: Illegal protocol '%s'", directive, w)
			}
		}
		switch action {
		case '-':
			p &^= this
		case '+':
			p |= this
		default:
			if p != 0 {
				warnings = append(warnings, fmt.Sprintf("AH02532: %s: Protocol '%s' overrides already set parameter(s). "+
					"Check if a +/- prefix is missing.", directive, w))
			}
			p = this
		}
	}
	return p, warnings, nil
}
