package conf

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestMDWalk: the main server's MD* directives reach Config.MD with
// mod_md's defaults (ServerRoot/md, Let's Encrypt, 33%, tls-alpn-01 and
// http-01, ServerAdmin as the contact), and the settings round-trip
// through the snapshot's JSON.
func TestMDWalk(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		dirs []string
		want MDConfig
	}{
		{"defaults", []string{"ServerAdmin mailto:web@a.test", "MDomain a.test"}, MDConfig{
			Domains: []MDomain{{Names: []string{"a.test"}, Line: 4}}, CA: DefaultMDCA, Contact: "web@a.test",
			StoreDir: filepath.Join(dir, "md"), RenewPercent: 33, Challenges: []string{"tls-alpn-01", "http-01"}}},
		{"all", []string{
			"ServerAdmin web@a.test",
			"MDomain A.test www.A.test auto",
			"MDomain b.test manual",
			"MDCertificateAuthority https://acme.internal/dir",
			"MDContactEmail ops@a.test",
			"MDCertificateAgreement accepted",
			"MDStoreDir /var/lib/md",
			"MDCACertificateFile ca.pem",
			"MDRenewWindow 30d",
			"MDCAChallenges http-01",
		}, MDConfig{
			Domains: []MDomain{{Names: []string{"a.test", "www.a.test"}, Line: 4}, {Names: []string{"b.test"}, Manual: true, Line: 5}},
			CA:      "https://acme.internal/dir", Contact: "ops@a.test", Agreed: true, StoreDir: "/var/lib/md",
			CACertificateFile: filepath.Join(dir, "ca.pem"), RenewDays: 30, Challenges: []string{"http-01"}}},
		{"MDomainSet", []string{"<MDomainSet a.test auto>", "MDMember www.a.test B.test", "MDMembers manual", "</MDomainSet>"}, MDConfig{
			Domains: []MDomain{{Names: []string{"a.test", "www.a.test", "b.test"}, ManualMembers: true, Line: 3}}, CA: DefaultMDCA,
			StoreDir: filepath.Join(dir, "md"), RenewPercent: 33, Challenges: []string{"tls-alpn-01", "http-01"}}},
		{"letsencrypt-test and plain days", []string{"MDomain a.test", "MDCertificateAuthority letsencrypt-test", "MDRenewWindow 14"}, MDConfig{
			Domains: []MDomain{{Names: []string{"a.test"}, Line: 3}}, CA: "https://acme-staging-v02.api.letsencrypt.org/directory",
			StoreDir: filepath.Join(dir, "md"), RenewDays: 14, Challenges: []string{"tls-alpn-01", "http-01"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, file, err := loadText(t, "ServerRoot "+dir+"\nListen 127.0.0.1:8080\n"+strings.Join(c.dirs, "\n")+"\n")
			if err != nil {
				t.Fatal(err)
			}
			for i := range c.want.Domains {
				c.want.Domains[i].File = file
			}
			if cfg.MD == nil || !reflect.DeepEqual(*cfg.MD, c.want) {
				t.Fatalf("MD = %+v\nwant %+v", cfg.MD, c.want)
			}
			raw, err := cfg.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			back, err := FromSnapshot(raw)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back.MD, cfg.MD) {
				b, _ := json.Marshal(back.MD)
				t.Errorf("after the snapshot: %s", b)
			}
		})
	}
	cfg, _, err := loadText(t, "ServerRoot "+dir+"\nListen 127.0.0.1:8080\n")
	if err != nil || cfg.MD != nil {
		t.Errorf("without MD*: MD = %+v, %v", cfg.MD, err)
	}
}

// TestMDErrors: bad MD* directives give mod_md's texts (checked with
// apache2 -t 2.4) where Apache refuses them too, and what gohttpd cannot
// do (wildcards, dns-01, MD* in a <VirtualHost>,
// <MDomainSet>, other MD* directives) is refused naming file and line.
func TestMDErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		// Apache's own texts.
		{"MDRenewWindow foo", "MDRenewWindow: MDRenewWindow has unrecognized format"},
		{"MDRenewWindow 120%", "MDRenewWindow a length of 100% or more is not allowed."},
		{"MDomain", "MDomain: needs at least one domain name"},
		{"MDStoreDir a b", "MDStoreDir takes one argument, the directory for file system storage of managed domain data."},
		{"MDContactEmail", "MDContactEmail takes one argument, Email address used for account registration"},
		// gohttpd's limits.
		{"MDomain a.test\nMDomain www.a.test A.test", "already part of another MDomain"},
		{"MDomain *.a.test", "wildcards need DNS-01"},
		{"MDCAChallenges dns-01", "challenge type 'dns-01' is not supported"},
		{"MDomain a.test\nMDomain a.test", "already part of another MDomain"},
		{"MDCertificateAuthority ftp://x", "is not an http(s) URL"},
		{"<VirtualHost *:80>\nMDomain a.test\n</VirtualHost>", "main server only"},
		{"<MDomainSet a.test>\nMDContactEmail a@b\n</MDomainSet>", "MDContactEmail: gohttpd applies mod_md's settings to every domain"},
		{"<VirtualHost *:80>\n<MDomainSet a.test>\n</MDomainSet>\n</VirtualHost>", "<MDomainSet>: gohttpd reads mod_md's directives in the main server only"},
		{"MDPortMap 80:8080", "MDPortMap: gohttpd does not implement"},
	} {
		_, file, err := loadText(t, "ServerRoot "+t.TempDir()+"\nListen 127.0.0.1:8080\n"+c.text+"\n")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), file+":") {
			t.Errorf("%q: %v, want %q with the file and line", c.text, err, c.want)
		}
	}
}

// TestMDRenewWindow: mod_md's duration units and percentages.
func TestMDRenewWindow(t *testing.T) {
	for _, c := range []struct {
		in        string
		days, pct int
		bad       bool
	}{
		{"33%", 0, 33, false}, {"30", 30, 0, false}, {"30d", 30, 0, false}, {"48h", 2, 0, false},
		{"25h", 2, 0, false}, {"10mi", 1, 0, false}, {"100%", 0, 0, true}, {"0%", 0, 0, true},
		{"x", 0, 0, true}, {"-3", 0, 0, true}, {"", 0, 0, true}, {"%", 0, 0, true},
	} {
		d, p, msg := parseRenewWindow(c.in)
		if (msg != "") != c.bad || (!c.bad && (d != c.days || p != c.pct)) {
			t.Errorf("%q: %d days %d%% %q", c.in, d, p, msg)
		}
	}
}

func FuzzMDRenewWindow(f *testing.F) {
	for _, s := range []string{"33%", "30", "30d", "10mi", "99%", "1s", "9999999999999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, p, msg := parseRenewWindow(s)
		if msg == "" && (d < 0 || p < 0 || p >= 100 || (d == 0) == (p == 0)) {
			t.Errorf("%q: %d days %d%%", s, d, p)
		}
	})
}
