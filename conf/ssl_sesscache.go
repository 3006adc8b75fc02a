package conf

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// SSLSessionCache: mod_ssl's inter-process session cache. Its only use
// here is resumption with "SSLSessionTickets off": the session then stays
// on the server and the client holds only an opaque ID (crypto/tls's
// WrapSession and UnwrapSession), in a file every child maps (shmcb's
// role). With tickets on, tickets resume sessions and the cache is not
// used (as with OpenSSL, whose cache then serves only TLS 1.2 session
// IDs, which Go's server does not offer).

// SSLSessionCacheSpec is a parsed SSLSessionCache argument.
type SSLSessionCacheSpec struct {
	// Type is "none", "shmcb", or another socache provider's name
	// (dbm, memcache, redis, dc, shmht: kept in a shmcb-style file
	// instead, with a warning).
	Type string `json:"type"`
	// Path is the shared file (absolute: relative paths are resolved
	// against DefaultRuntimeDir, ServerRoot's logs/ by default, as
	// mod_socache_shmcb does), "" for none.
	Path string `json:"path,omitempty"`
	// Size is the file's size in bytes (shmcb's "(size)", default
	// DefaultSessionCacheSize).
	Size int `json:"size,omitempty"`
}

// DefaultSessionCacheSize is the size of a shmcb cache given no
// "(size)": mod_socache_shmcb's default (512000 bytes).
const DefaultSessionCacheSize = 512000

// Enabled reports whether sessions are cached.
func (s *SSLSessionCacheSpec) Enabled() bool { return s != nil && s.Type != "none" && s.Path != "" }

// ParseSSLSessionCache parses SSLSessionCache's argument: "none",
// "nonenotnull", "shmcb:PATH[(SIZE)]", or "TYPE:ARGS" of another
// provider (mapped to a shmcb file named after it under runtimeDir).
// foreign reports such a mapping, for a warning.
func ParseSSLSessionCache(arg, runtimeDir string) (spec SSLSessionCacheSpec, foreign bool, err error) {
	low := strings.ToLower(arg)
	if low == "none" || low == "nonenotnull" {
		return SSLSessionCacheSpec{Type: "none"}, false, nil
	}
	typ, rest, ok := strings.Cut(arg, ":")
	typ = strings.ToLower(typ)
	if !ok && typ != "shmcb" {
		return spec, false, fmt.Errorf("SSLSessionCache: Invalid argument: session cache type '%s' not supported", arg)
	}
	spec = SSLSessionCacheSpec{Type: typ, Size: DefaultSessionCacheSize}
	if typ != "shmcb" {
		spec.Path = filepath.Join(runtimeDir, "ssl_scache_"+typ)
		return spec, true, nil
	}
	path := rest
	if i := strings.IndexByte(rest, '('); i >= 0 {
		if !strings.HasSuffix(rest, ")") {
			return spec, false, errors.New("SSLSessionCache: Invalid argument: Invalid cache file argument (missing ')')")
		}
		n, err := strconv.Atoi(rest[i+1 : len(rest)-1])
		if err != nil || n < 8192 || n > 1<<30 {
			return spec, false, fmt.Errorf("SSLSessionCache: Invalid argument: Invalid cache size '%s' (between 8192 and 1073741824 bytes)", rest[i+1:len(rest)-1])
		}
		spec.Size, path = n, rest[:i]
	}
	if path == "" {
		path = "ssl_scache"
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(runtimeDir, path)
	}
	spec.Path = path
	return spec, false, nil
}
