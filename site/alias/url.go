package alias

import (
	"net"
	"strconv"
	"strings"
)

// URLOptions is what ap_construct_url needs about a request and its
// server (UseCanonicalName On or Off; DNS is not supported).
type URLOptions struct {
	// HTTPS: the request came over TLS ("https", default port 443).
	HTTPS bool
	// Host is the request's Host header as sent ("" for none).
	Host string
	// ServerName and ServerPort are the (virtual) server's ServerName,
	// split ("www.example.com", 0 when ServerName has no port).
	ServerName string
	ServerPort int
	// UseCanonicalName On: always ServerName (and its port, else the
	// client's, else the default).
	UseCanonicalName bool
}

// URL is ap_construct_url: scheme "://" host [":" port] path, the port
// left out when it is the scheme's default. With UseCanonicalName Off
// (Apache's default) the host is the Host header's, lower-cased, and the
// port the Host header's, else ServerPort; observed with Apache 2.4.71:
// "Host: Foo.Example:80" gives "http://foo.example/multi/", "Host:
// 127.0.0.1:18480" gives "http://127.0.0.1:18480/multi/", an HTTP/1.0
// request without Host gets ServerName. Pass the method value as
// Request.ConstructURL (keep the URLOptions in per-connection storage to
// avoid an allocation per request).
func (o *URLOptions) URL(path string) string {
	scheme, def := "http", 80
	if o.HTTPS {
		scheme, def = "https", 443
	}
	host, port := o.ServerName, 0
	reqHost, reqPort := splitHost(o.Host)
	if o.UseCanonicalName {
		port = o.ServerPort
		if port == 0 {
			port = reqPort
		}
	} else {
		if reqHost != "" {
			host = reqHost
		}
		port = reqPort
		if port == 0 {
			port = o.ServerPort
		}
	}
	if port == 0 {
		port = def
	}
	if strings.IndexByte(host, ':') >= 0 {
		host = "[" + host + "]"
	}
	if port == def {
		return scheme + "://" + host + path
	}
	return scheme + "://" + host + ":" + strconv.Itoa(port) + path
}

// splitHost splits a Host header into its lower-cased host (IPv6
// without brackets) and port (0 when absent or invalid).
func splitHost(h string) (string, int) {
	if h == "" {
		return "", 0
	}
	host, portStr, err := net.SplitHostPort(h)
	if err != nil {
		return strings.ToLower(strings.Trim(h, "[]")), 0
	}
	p, err := strconv.Atoi(portStr)
	if err != nil || p <= 0 || p > 65535 {
		p = 0
	}
	return strings.ToLower(host), p
}
