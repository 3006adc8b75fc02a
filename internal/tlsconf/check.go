package tlsconf

import (
	"slices"

	"github.com/gohttpd/gohttpd/conf"
)

// Request is what CheckRequest needs to know about one request on a TLS
// connection.
type Request struct {
	// SNI is the handshake's server name (ConnectionState().ServerName),
	// "" when the client sent none.
	SNI string
	// Hostname is the request's host name (vhost.Match.Hostname()), nil
	// or empty when it has none.
	Hostname []byte
	// Handshake is the index of the server that did the handshake
	// (Set.HandshakeServer), Server the index of the request's server
	// (vhost.Match.Server).
	Handshake, Server int
	// NameBased is true when the connection's address has a name-based
	// set of vhosts (mod_ssl's r->connection->vhost_lookup_data).
	NameBased bool
}

// Verdict is CheckRequest's answer: Status 0 lets the request through;
// otherwise answer Status, log LogLine at Level in the error log and,
// for 403, put Note in the error page ("error-notes").
type Verdict struct {
	Status  int
	Level   string
	LogLine string
	Note    string
}

// CheckRequest is mod_ssl's ssl_hook_ReadReq SNI check for the initial
// request (not for an ErrorDocument's internal redirect):
//
//   - SNI given, no Host: 400 (AH02031).
//   - SNI given, the Host selects another server whose TLS settings are
//     not compatible with the handshake server's (Compatible): 421
//     Misdirected Request (AH02032).
//   - No SNI on a name-based address while SSLStrictSNIVHostCheck is on
//     for the handshake server or the request's: 403 (AH02033).
//
// servers is indexed as Options.Servers (merged configurations).
func CheckRequest(servers []Server, r Request) Verdict {
	get := func(i int) *conf.SSLServer {
		if i < 0 || i >= len(servers) {
			return nil
		}
		return servers[i].SSL
	}
	if r.SNI != "" {
		if len(r.Hostname) == 0 {
			return Verdict{Status: 400, Level: "error", LogLine: "AH02031: Hostname " + r.SNI +
				" provided via SNI, but no hostname provided in HTTP request"}
		}
		if r.Server != r.Handshake && !Compatible(get(r.Handshake), get(r.Server)) {
			return Verdict{Status: 421, Level: "error", LogLine: "AH02032: Hostname " + r.SNI +
				" provided via SNI and hostname " + string(r.Hostname) + " provided via HTTP have no compatible SSL setup"}
		}
		return Verdict{}
	}
	strict := func(s *conf.SSLServer) bool { return s != nil && s.StrictSNISet && s.StrictSNI }
	if (strict(get(r.Server)) || strict(get(r.Handshake))) && r.NameBased {
		return Verdict{Status: 403, Level: "info",
			LogLine: "AH02033: No hostname was provided via SNI for a name based virtual host",
			Note: "Reason: The client software did not provide a hostname using Server Name Indication (SNI), " +
				"which is required to access this server.<br />\n"}
	}
	return Verdict{}
}

// Compatible is ssl_server_compatible: same protocols, client
// verification (mode, depth, CA file), cipher strings and the same sets
// of certificate and key files. A nil server is compatible with nothing.
func Compatible(a, b *conf.SSLServer) bool {
	if a == nil || b == nil {
		return false
	}
	return a.Protocols == b.Protocols && a.ProtocolsSet == b.ProtocolsSet &&
		a.VerifyDepth == b.VerifyDepth && a.VerifyClient == b.VerifyClient &&
		a.CACertificateFile.Path == b.CACertificateFile.Path &&
		a.CipherSuite == b.CipherSuite && a.TLS13CipherSuite == b.TLS13CipherSuite &&
		sameSet(a.CertFiles, b.CertFiles) && sameSet(a.KeyFiles, b.KeyFiles)
}

// sameSet is ap_array_same_str_set on the paths.
func sameSet(a, b []conf.SSLFile) bool {
	pa := make([]string, len(a))
	for i := range a {
		pa[i] = a[i].Path
	}
	pb := make([]string, len(b))
	for i := range b {
		pb[i] = b[i].Path
	}
	slices.Sort(pa)
	slices.Sort(pb)
	return slices.Equal(slices.Compact(pa), slices.Compact(pb))
}
