package target

//lint:file-ignore SA1019 x/net/http2's client on purpose: h2c prior knowledge and h2 over TLS with one Transport

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/http2"
)

func TestNginxHTTP2On(t *testing.T) {
	for v, want := range map[string]bool{"1.22.1": false, "nginx/1.25.0": false, "1.25.1": true, "1.27.3 (Ubuntu)": true, "2.0.0": true, "1.9.5": false} {
		if got := nginxHTTP2On(v); got != want {
			t.Errorf("nginxHTTP2On(%q) = %v", v, got)
		}
	}
}

func TestNginxConfigH2(t *testing.T) {
	for _, tc := range []struct {
		version string
		want    []string
	}{
		{"1.22.1", []string{"listen 127.0.0.1:8443 ssl http2;", "listen 127.0.0.1:8082 http2;"}},
		{"1.26.2", []string{"listen 127.0.0.1:8443 ssl;\n        http2 on;", "listen 127.0.0.1:8082;\n        http2 on;"}},
	} {
		lines, ignored := NginxDirectives([]string{"Protocols h2 h2c http/1.1", "H2MaxSessionStreams 100"})
		if len(ignored) != 0 || strings.Join(lines, " ") != "http2_max_concurrent_streams 100;" {
			t.Errorf("NginxDirectives = %q, ignored %q", lines, ignored)
		}
		conf := NginxConfig(ForeignSpec{Name: "nginx", Dir: "/x", Installed: Installed{Version: tc.version}, Directives: lines,
			TLS: true, TLSPort: 8443, H2: true, H2CPort: 8082}, 8080)
		for _, w := range append(tc.want, "listen 127.0.0.1:8080;\n", "ssl_certificate /x/bench-cert.pem;") {
			if !strings.Contains(conf, w) {
				t.Errorf("nginx %s: config lacks %q:\n%s", tc.version, w, conf)
			}
		}
	}
	// Without H2 nothing of HTTP/2 is in it.
	conf := NginxConfig(ForeignSpec{Name: "nginx", Dir: "/x", TLS: true, TLSPort: 8443}, 8080)
	if strings.Contains(conf, "http2") {
		t.Errorf("config without H2 speaks http2:\n%s", conf)
	}
}

func TestApacheConfigH2(t *testing.T) {
	spec := ForeignSpec{Name: "apache-event", MPM: "event", Dir: "/x", Installed: Installed{Modules: "/m"},
		Directives: []string{"Protocols h2 h2c http/1.1"}}
	conf := ApacheConfig(spec, 8081)
	i := strings.Index(conf, "LoadModule http2_module /m/mod_http2.so\n")
	if i < 0 || i > strings.Index(conf, "Protocols h2") {
		t.Errorf("mod_http2 not loaded before Protocols:\n%s", conf)
	}
	spec.Directives = nil
	if conf := ApacheConfig(spec, 8081); strings.Contains(conf, "http2") {
		t.Errorf("mod_http2 loaded without HTTP/2 directives:\n%s", conf)
	}
	if err := ApacheHasHTTP2(Installed{Modules: t.TempDir()}); err == nil {
		t.Error("ApacheHasHTTP2 without mod_http2.so = nil")
	}
}

func TestExternalH2C(t *testing.T) {
	s, err := External("h2c://127.0.0.1:8080/x", 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if !s.H2COnly() || s.TLSOnly() || s.H2CAddr != "127.0.0.1:8080" || s.Prefix != "/x/" {
		t.Errorf("h2c target = %+v", s)
	}
	if _, err := External("h2c://10.1.1.1:80/", 0, ""); err == nil {
		t.Error("a non-loopback h2c:// target was accepted")
	}
	if s, _ := External("https://127.0.0.1:8443/", 0, ""); s.H2COnly() {
		t.Error("an https:// target is H2COnly")
	}
}

// TestStartForeignH2 starts Apache's event MPM with mod_http2 and nginx
// with HTTP/2 and fetches a file over h2 (TLS) and h2c from each. It
// needs apache2 and nginx installed.
func TestStartForeignH2(t *testing.T) {
	apache, err := FindApache("", "")
	if err != nil {
		t.Fatalf("FindApache: %v (install apache2)", err)
	}
	nginx, err := FindNginx("")
	if err != nil {
		t.Fatalf("FindNginx: %v (install nginx)", err)
	}
	specs := []ForeignSpec{
		{Kind: KindApache, Name: "apache-event", MPM: "event", Installed: apache, Directives: []string{"Protocols h2 h2c http/1.1"}},
		{Kind: KindNginx, Name: "nginx", Installed: nginx},
	}
	for _, spec := range specs {
		t.Run(spec.Name, func(t *testing.T) {
			spec.Dir = t.TempDir()
			spec.TLS, spec.H2 = true, true
			os.Chmod(filepath.Dir(spec.Dir), 0o711)
			s, err := StartForeign(context.Background(), spec)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Stop()
			h2c := s.H2CAddr
			if h2c == "" {
				h2c = s.Addr
			}
			for _, u := range []string{"https://" + s.TLSAddr + "/1k.bin", "http://" + h2c + "/1k.bin"} {
				tr := &http2.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, AllowHTTP: true}
				resp, err := (&http.Client{Transport: h2cOr(tr, strings.HasPrefix(u, "http:"))}).Get(u)
				if err != nil {
					t.Fatalf("GET %s: %v\n%s", u, err, s.Logs())
				}
				resp.Body.Close()
				if resp.StatusCode != 200 || resp.ProtoMajor != 2 {
					t.Errorf("GET %s = %d over %s", u, resp.StatusCode, resp.Proto)
				}
			}
		})
	}
}

// h2cOr makes tr dial plain TCP for h2c (prior knowledge) when plain.
func h2cOr(tr *http2.Transport, plain bool) http.RoundTripper {
	if plain {
		tr.DialTLSContext = func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}
	}
	return tr
}
