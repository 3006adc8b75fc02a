package conf

import (
	"fmt"
	"strings"
)

// ProtocolOptions is HttpProtocolOptions: how strictly requests are read.
// The zero value is Apache's default, "Strict LenientMethods Allow0.9".
type ProtocolOptions struct {
	// Unsafe relaxes the RFC 9110/9112 syntax checks that Strict applies
	// (request line, field names and values, request target, Host); the
	// framing checks stay.
	Unsafe bool `json:"unsafe"`
	// RegisteredMethods answers 501 to methods that are not registered.
	RegisteredMethods bool `json:"registeredMethods"`
	// Require10 refuses HTTP/0.9 requests (Require1.0).
	Require10 bool `json:"require10"`
}

// applyHTTPProtocolOptions is core.c's set_http_protocol_options: each
// argument sets one of the three choices, the last one given winning.
func applyHTTPProtocolOptions(b *builder, o occurrence) error {
	p := &b.cfg.HTTP.ProtocolOptions
	for _, a := range o.args {
		switch strings.ToLower(a) {
		case "":
		case "strict":
			p.Unsafe = false
		case "unsafe":
			p.Unsafe = true
		case "registeredmethods":
			p.RegisteredMethods = true
		case "lenientmethods":
			p.RegisteredMethods = false
		case "allow0.9":
			p.Require10 = false
		case "require1.0":
			p.Require10 = true
		default:
			return fmt.Errorf("HttpProtocolOptions: Illegal option %s", a)
		}
	}
	return nil
}
