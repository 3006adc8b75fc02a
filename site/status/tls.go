package status

import (
	"bytes"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/mpm"
)

// The worker table's SSL columns: beyond mod_status, which shows neither
// (Apache 2.4.71 with mod_ssl adds only the "SSL/TLS Session Cache
// Status" section, and ?auto's TLSSessionCacheStatus keys, for a
// configured SSLSessionCache; gohttpd has no server-side session cache,
// Go's crypto/tls resumes with tickets, so those keys are left out, as
// Apache leaves them out with "SSLSessionCache none"). The columns appear
// when some server has SSLEngine on, so a plain site's page stays
// Apache's; a plain request's cells there are "-". The values are
// mod_ssl's SSL_PROTOCOL and SSL_CIPHER names, as %{SSL_PROTOCOL}x and
// %{SSL_CIPHER}x log them.

// configHasTLS reports whether the main server or a virtual host has
// SSLEngine on.
func configHasTLS(c *conf.Config) bool {
	if c.Site.SSL.Enabled() {
		return true
	}
	for i := range c.Servers {
		if c.Servers[i].Site.SSL.Enabled() {
			return true
		}
	}
	return false
}

// sslColumns are a worker's SSL protocol and cipher ("" on plain HTTP).
func sslColumns(ws mpm.WorkerStatus) (protocol, cipher string) {
	if ws.TLSVersion == 0 {
		return "", ""
	}
	return sslProtocolName(ws.TLSVersion), conf.CipherSuiteName(ws.TLSCipher)
}

// sslProtocolName is OpenSSL's name of a TLS version (SSL_PROTOCOL).
func sslProtocolName(v uint16) string {
	switch v {
	case 0x0301:
		return "TLSv1"
	case 0x0302:
		return "TLSv1.1"
	case 0x0303:
		return "TLSv1.2"
	case 0x0304:
		return "TLSv1.3"
	}
	return "Unknown"
}

func sslHeads(tls bool) string {
	if !tls {
		return ""
	}
	return "<th>SSL Protocol</th><th>SSL Cipher</th>"
}

func sslCells(r workerRow, tls bool) string {
	if !tls {
		return ""
	}
	return "<td>" + dash(r.SSLProtocol) + "</td><td nowrap>" + dash(r.SSLCipher) + "</td>"
}

func sslKey(tls bool) string {
	if !tls {
		return ""
	}
	return " <tr><th>SSL Protocol</th><td>TLS version of the connection (SSL_PROTOCOL)</td></tr>\n" +
		" <tr><th>SSL Cipher</th><td>Cipher suite of the connection (SSL_CIPHER)</td></tr>\n"
}

// writeSSLNotable appends a TLS request's protocol and cipher to its
// "Server Details" entry.
func writeSSLNotable(b *bytes.Buffer, r workerRow) {
	if r.SSLProtocol != "" {
		b.WriteString(" <i>[" + r.SSLProtocol + " " + r.SSLCipher + "]</i><br />\n\n")
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
