package vhost

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gohttpd/gohttpd/conf"
)

// Canon is what the canonical-name functions need to know about a
// request besides its Match: the request's merged per-directory settings
// and the connection's.
type Canon struct {
	// UseCanonicalName is the setting that applies to the request
	// (conf.CanonicalUnset behaves as Off).
	UseCanonicalName conf.UseCanonicalName
	// PhysicalPort is UseCanonicalPhysicalPort On.
	PhysicalPort bool
	// TLS is true on an HTTPS connection (mod_ssl's scheme and port).
	TLS bool
	// LocalName is, for UseCanonicalName DNS only, the name of the
	// connection's local address (LocalName; "" when it has none): look it
	// up once per connection, as Apache does.
	LocalName string
}

// AppendServerName appends ap_get_server_name: the name %V prints and
// SERVER_NAME holds. UseCanonicalName On: the server's name; DNS: c's
// LocalName, else the server's name; Off or unset: the request's host
// name when it has one, else the server's name.
func (t *Table) AppendServerName(dst []byte, m *Match, c *Canon) []byte {
	switch c.UseCanonicalName {
	case conf.CanonicalOn:
	case conf.CanonicalDNS:
		if c.LocalName != "" {
			return append(dst, c.LocalName...)
		}
	default:
		if h := m.Hostname(); h != nil {
			return append(dst, h...)
		}
	}
	return append(dst, t.servers[m.Server].name...)
}

// ServerPort is ap_get_server_port: the port SERVER_PORT holds and
// self-referential URLs use. UseCanonicalName Off, unset or DNS: the Host
// header's port, else (PhysicalPort) the local port, else the server's
// port, else the scheme's default; On: the server's port, else
// (PhysicalPort) the local port, else the default.
func (t *Table) ServerPort(m *Match, c *Canon) int {
	s := &t.servers[m.Server]
	local := int(m.Local.Port())
	if !c.PhysicalPort {
		local = 0
	}
	var candidates [3]int
	if c.UseCanonicalName == conf.CanonicalOn {
		candidates = [3]int{s.port, local, 0}
	} else {
		candidates = [3]int{m.Port, local, s.port}
	}
	for _, p := range candidates {
		if p != 0 {
			return p
		}
	}
	return t.DefaultPort(m, c)
}

// CanonicalPort is what %p (and %{canonical}p) logs: the server's port,
// else the scheme's default port.
func (t *Table) CanonicalPort(m *Match, c *Canon) int {
	if p := t.servers[m.Server].port; p != 0 {
		return p
	}
	return t.DefaultPort(m, c)
}

// Scheme is ap_http_scheme: "https" on a TLS connection or when the
// server's ServerName says https://, else "http".
func (t *Table) Scheme(m *Match, c *Canon) string {
	if c.TLS || t.servers[m.Server].scheme == "https" {
		return "https"
	}
	return "http"
}

// DefaultPort is ap_default_port: 443 for the https scheme, else 80.
func (t *Table) DefaultPort(m *Match, c *Canon) int {
	if t.Scheme(m, c) == "https" {
		return 443
	}
	return 80
}

// AppendURL appends ap_construct_url: scheme://name[:port]uri, the name
// in brackets when it is an IPv6 address and the port left out when it is
// the scheme's default. uri is the path (and query) as it should appear.
// mod_dir's DirectorySlash and other self-referential redirects use it.
func (t *Table) AppendURL(dst []byte, m *Match, c *Canon, uri []byte) []byte {
	dst = append(dst, t.Scheme(m, c)...)
	dst = append(dst, "://"...)
	start := len(dst)
	dst = t.AppendServerName(dst, m, c)
	for _, b := range dst[start:] {
		if b == ':' {
			dst = append(dst[:start+1], dst[start:]...)
			dst[start] = '['
			dst = append(dst, ']')
			break
		}
	}
	if port := t.ServerPort(m, c); port != t.DefaultPort(m, c) {
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, int64(port), 10)
	}
	return append(dst, uri...)
}

// AppendStatusVHost appends the status page's VHost column for a worker
// serving m, as Apache's scoreboard keeps it: "server_hostname:local
// port".
func (t *Table) AppendStatusVHost(dst []byte, m *Match) []byte {
	dst = append(dst, t.servers[m.Server].name...)
	dst = append(dst, ':')
	return strconv.AppendInt(dst, int64(m.Local.Port()), 10)
}

// AddrResolver is the reverse lookup LocalName needs; *net.Resolver has
// it.
type AddrResolver interface {
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// LocalName is the connection-level lookup UseCanonicalName DNS needs:
// the first name of the local address, lower-cased and without the
// trailing dot, or "" when it has none. r nil uses net.DefaultResolver.
// It blocks on DNS: call it once per connection, and only when
// UseCanonicalName DNS applies.
func LocalName(ctx context.Context, r AddrResolver, local netip.Addr) string {
	if r == nil {
		r = net.DefaultResolver
	}
	names, err := r.LookupAddr(ctx, local.Unmap().WithZone("").String())
	if err != nil || len(names) == 0 {
		return ""
	}
	return asciiLower(strings.TrimSuffix(names[0], "."))
}

// MatchesRequestVHost is ap_matches_request_vhost: whether a request for
// host:port (from an absolute URL, say) on the same connection would be
// for m's server. It is when one of the server's <VirtualHost>
// addresses is written as host and has that port or any port, or, when
// port is the server's port (Server.Port, 0 for the main server unless
// its ServerName has one), when host is its ServerName or one of its
// ServerAlias names or patterns. Case is ignored.
func (t *Table) MatchesRequestVHost(m *Match, host []byte, port int) bool {
	s := &t.servers[m.Server]
	var buf [255]byte
	lower := buf[:0]
	if len(host) > len(buf) {
		lower = make([]byte, 0, len(host))
	}
	for _, c := range host {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower = append(lower, c)
	}
	if m.Server == Main {
		// The main server's one address is "any address", written "".
		if len(lower) == 0 {
			return true
		}
	}
	for _, a := range s.addrs {
		if (a.Port == 0 || a.Port == port) && asciiEqualFold(lower, a.Host) {
			return true
		}
	}
	if port != s.port {
		return false
	}
	return t.matchesAliases(m.Server, lower)
}

// asciiEqualFold compares a lower-cased b with s, ignoring ASCII case.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if b[i] != c {
			return false
		}
	}
	return true
}
