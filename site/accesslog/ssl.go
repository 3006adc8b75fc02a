package accesslog

import (
	"crypto/tls"
	"strconv"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/internal/tlsconf"
)

// %{VAR}x: mod_ssl's variables (ssl_var_log_handler_x), "-" on a plain
// HTTP connection and for a variable gohttpd does not know, as Apache
// logs an empty or unknown one.

// tlsStater is a connection with a TLS state (*tls.Conn, the engines'
// TLS connections).
type tlsStater interface {
	ConnectionState() tls.ConnectionState
}

// TLSState is the TLS state of the connection of ctx, ok false on a
// plain connection. It copies the state (no allocation for a caller that
// keeps it on the stack).
func TLSState(ctx *fasthttp.RequestCtx) (cs tls.ConnectionState, ok bool) {
	c, ok := ctx.Conn().(tlsStater)
	if !ok || !ctx.IsTLS() {
		return cs, false
	}
	return c.ConnectionState(), true
}

// appendSSLVar appends mod_ssl's variable name for the request in ctx.
func appendSSLVar(dst []byte, ctx *fasthttp.RequestCtx, name string) []byte {
	if name == "HTTPS" {
		if ctx.IsTLS() {
			return append(dst, "on"...)
		}
		return append(dst, "off"...)
	}
	cs, ok := TLSState(ctx)
	if !ok {
		return append(dst, '-')
	}
	switch name {
	case "SSL_PROTOCOL":
		return append(dst, tlsconf.ProtocolName(cs.Version)...)
	case "SSL_CIPHER":
		return append(dst, conf.CipherSuiteName(cs.CipherSuite)...)
	case "SSL_CIPHER_USEKEYSIZE", "SSL_CIPHER_ALGKEYSIZE":
		return strconv.AppendInt(dst, int64(conf.CipherSuiteBits(cs.CipherSuite)), 10)
	case "SSL_TLS_SNI":
		return appendValue(dst, cs.ServerName)
	case "SSL_SESSION_RESUMED":
		if cs.DidResume {
			return append(dst, "Resumed"...)
		}
		return append(dst, "Initial"...)
	case "SSL_CLIENT_VERIFY":
		return append(dst, tlsconf.ClientVerify(&cs, nil)...)
	case "SSL_CLIENT_S_DN", "SSL_CLIENT_I_DN":
		if len(cs.PeerCertificates) == 0 {
			return append(dst, '-')
		}
		if name == "SSL_CLIENT_S_DN" {
			return appendValue(dst, tlsconf.SubjectDN(cs.PeerCertificates[0], false))
		}
		return appendValue(dst, tlsconf.IssuerDN(cs.PeerCertificates[0], false))
	}
	return append(dst, '-')
}
