package target

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// HTTP/2 targets (the bench's h2 scenario). A server started with H2
// (ForeignSpec.H2; gohttpd takes "Protocols h2 h2c http/1.1" as a
// directive) speaks h2 on its HTTPS listener (ALPN) and h2c with prior
// knowledge on Server.H2CAddr:
//
//   - gohttpd and Apache (mod_http2, loaded when the directives name
//     Protocols or H2*): h2c on the plain listener (H2Direct is on there
//     by default), so H2CAddr is Addr.
//   - nginx: "http2 on;" (1.25.1 and later) or "listen ... ssl http2"
//     (earlier) on the HTTPS listener, and h2c on a third listener of
//     its own ("listen ... http2"): before 1.25.1 a plain listener with
//     http2 speaks nothing but HTTP/2, and the bench's plain listener
//     must keep HTTP/1.1.
//   - an h2c:// --target: Addr speaks h2c; only the h2 scenario runs on
//     it.

// H2COnly reports whether the server is an h2c:// --target.
func (s *Server) H2COnly() bool { return s.Kind == KindExternal && s.H2CAddr != "" }

// needsHTTP2 reports whether Apache directives need mod_http2.
func needsHTTP2(dirs []string) bool {
	for _, d := range dirs {
		name, _, _ := strings.Cut(strings.TrimSpace(d), " ")
		if strings.EqualFold(name, "Protocols") || strings.HasPrefix(strings.ToLower(name), "h2") {
			return true
		}
	}
	return false
}

// apacheH2Lines loads mod_http2 when the directives need it and the
// module is installed (Debian: /usr/lib/apache2/modules/mod_http2.so).
func apacheH2Lines(spec ForeignSpec) []string {
	if !spec.H2 && !needsHTTP2(spec.Directives) {
		return nil
	}
	return []string{"LoadModule http2_module " + quote(filepath.Join(spec.Installed.Modules, "mod_http2.so"))}
}

// ApacheHasHTTP2 reports whether Apache's modules directory holds
// mod_http2, with an error wrapping ErrNotInstalled when it does not.
func ApacheHasHTTP2(inst Installed) error {
	p := filepath.Join(inst.Modules, "mod_http2.so")
	if _, err := os.Stat(p); err != nil {
		return fmt.Errorf("apache: %s: %w", p, ErrNotInstalled)
	}
	return nil
}

// nginxHTTP2On reports whether nginx's version ("1.22.1") has the
// "http2 on;" directive (1.25.1 and later).
func nginxHTTP2On(version string) bool {
	v := strings.TrimPrefix(strings.TrimSpace(version), "nginx/")
	v, _, _ = strings.Cut(v, " ")
	var n [3]int
	for i, p := range strings.SplitN(v, ".", 3) {
		n[i], _ = strconv.Atoi(p)
	}
	return n[0] > 1 || n[0] == 1 && (n[1] > 25 || n[1] == 25 && n[2] >= 1)
}

// nginxTLSListen is the HTTPS server block's listen parameters and
// http2 line for spec.
func nginxTLSListen(spec ForeignSpec) (params string, extra []string) {
	switch {
	case !spec.H2:
		return " ssl", nil
	case nginxHTTP2On(spec.Installed.Version):
		return " ssl", []string{"        http2 on;"}
	}
	return " ssl http2", nil
}

// nginxH2CLines are the lines of nginx's h2c server block on port:
// HTTP/2 with prior knowledge.
func nginxH2CLines(spec ForeignSpec, port int) []string {
	listen := "        listen 127.0.0.1:" + strconv.Itoa(port) + " http2;"
	var on []string
	if nginxHTTP2On(spec.Installed.Version) {
		listen = "        listen 127.0.0.1:" + strconv.Itoa(port) + ";"
		on = []string{"        http2 on;"}
	}
	lines := append([]string{"    server {", listen}, on...)
	return append(lines,
		"        root "+filepath.Join(spec.Dir, "htdocs")+";",
		"        index index.html;",
		"    }",
	)
}
