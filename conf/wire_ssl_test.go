package conf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSSLWalk: mod_ssl's directives of the main server and of each
// <VirtualHost> reach the snapshot merged (the vhost's over the main
// server's, certificate lists concatenated), relative files resolve
// against ServerRoot, and TLSListener follows the SSLEngine of the
// servers a Listen's address selects (not the Listen's protocol).
func TestSSLWalk(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"main.pem", "main.key", "a.pem", "a.key"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	text := strings.Join([]string{
		"ServerRoot " + dir,
		"Listen 127.0.0.1:8080",
		"Listen 127.0.0.1:8443 https",
		"Listen 127.0.0.1:9443",
		"SSLProtocol all -TLSv1 -TLSv1.1",
		"SSLCertificateFile main.pem",
		"SSLCertificateKeyFile main.key",
		"SSLSessionCache shmcb:/tmp/x(512000)",
		"<VirtualHost *:8443>",
		"ServerName a.test",
		"SSLEngine on",
		"SSLCertificateFile a.pem",
		"SSLCertificateKeyFile a.key",
		"SSLCipherSuite HIGH:!aNULL",
		"</VirtualHost>",
		"<VirtualHost *:8080>",
		"ServerName plain.test",
		"</VirtualHost>",
		"<VirtualHost *:9443>",
		"ServerName off.test",
		"SSLEngine off",
		"</VirtualHost>",
	}, "\n") + "\n"
	cfg, file, err := loadText(t, text)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Site.SSL == nil || cfg.Site.SSL.Enabled() || len(cfg.Site.SSL.CertFiles) != 1 {
		t.Fatalf("main SSL = %+v", cfg.Site.SSL)
	}
	a := cfg.SSLOf(1)
	if !a.Enabled() || len(a.CertFiles) != 2 || a.CertFiles[1].Path != filepath.Join(dir, "a.pem") ||
		a.CertFiles[1].Where() != file+":12" || !a.ProtocolsSet || a.CipherSuite == "" {
		t.Errorf("a.test SSL = %+v", a)
	}
	if cfg.SSLOf(2).Enabled() || cfg.SSLOf(3).Enabled() {
		t.Errorf("plain.test / off.test have SSLEngine on")
	}
	for i, want := range []bool{false, true, false} {
		if got := cfg.TLSListener(cfg.Listen[i]); got != want {
			t.Errorf("TLSListener(%+v) = %v, want %v", cfg.Listen[i], got, want)
		}
	}
	if strings.Contains(strings.Join(cfg.Notices, "\n"), "SSLSessionCache") {
		t.Errorf("notices %q warn about SSLSessionCache shmcb", cfg.Notices)
	}
	if sc := cfg.Site.SSL.SessionCache; !sc.Enabled() || sc.Path != "/tmp/x" || sc.Size != 512000 {
		t.Errorf("SessionCache = %+v", sc)
	}
	// The snapshot carries it.
	b, err := cfg.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	back, err := FromSnapshot(b)
	if err != nil || !back.SSLOf(1).Enabled() || len(back.SSLOf(1).CertFiles) != 2 {
		t.Errorf("snapshot round trip: %v %+v", err, back.SSLOf(1))
	}

	// SSLEngine on in the main server: every listener no vhost takes.
	cfg, _, err = loadText(t, "Listen 127.0.0.1:8443\nSSLEngine on\nSSLCertificateFile "+dir+"/main.pem\n")
	if err != nil || !cfg.TLSListener(cfg.Listen[0]) {
		t.Errorf("main SSLEngine on: %v", err)
	}
	// Errors name file and line.
	_, file, err = loadText(t, "Listen 80\n<VirtualHost *:80>\nSSLCertificateFile /nonexistent.pem\n</VirtualHost>\n")
	if err == nil || !strings.Contains(err.Error(), file+":3: SSLCertificateFile: file '/nonexistent.pem' does not exist or is empty") {
		t.Errorf("missing file: %v", err)
	}
	_, _, err = loadText(t, "Listen 80\n<Directory /srv>\nSSLVerifyClient require\n</Directory>\n")
	if err == nil || !strings.Contains(err.Error(), "renegotiation") {
		t.Errorf("SSLVerifyClient in <Directory>: %v", err)
	}
}
