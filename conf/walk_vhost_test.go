package conf

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestVirtualHosts: each <VirtualHost> gets its own settings on the main
// server's, as ap_fixup_virtual_hosts makes them.
func TestVirtualHosts(t *testing.T) {
	const main = "Listen 127.0.0.1:8080\nServerName main.example\nServerAdmin root@main\nDocumentRoot /srv/main\n" +
		"ErrorLog /var/log/main.err\nLogLevel info\nCustomLog /var/log/main.log common\n" +
		"<Directory /srv>\nRequire all granted\n</Directory>\n"
	tests := []struct {
		name  string
		text  string
		check func(t *testing.T, c *Config)
	}{
		{"inherits everything", "<VirtualHost 127.0.0.1:8080>\nServerName a.example\n</VirtualHost>\n", func(t *testing.T, c *Config) {
			s := c.Servers[0]
			if s.Site.ServerName != "a.example" || s.Site.DocumentRoot != "/srv/main" || s.Site.ServerAdmin != "root@main" {
				t.Errorf("site = %+v", s.Site)
			}
			if s.Log.ErrorLog != "/var/log/main.err" || s.Log.LogLevel != "info" || s.OwnAccess || s.OwnErrorLog {
				t.Errorf("log = %+v own %v %v", s.Log, s.OwnAccess, s.OwnErrorLog)
			}
			if len(s.Log.Access) != 1 || s.Log.Access[0].Path != "/var/log/main.log" {
				t.Errorf("access = %+v", s.Log.Access)
			}
			if len(s.Site.Sections.Directories) != 1 {
				t.Errorf("sections = %+v", s.Site.Sections)
			}
		}},
		{"own settings", "<VirtualHost 127.0.0.1:8080>\nServerName b.example\nServerAlias *.b.example b2.example\n" +
			"DocumentRoot /srv/b\nServerAdmin web@b\nErrorLog /var/log/b.err\nLogLevel debug\n" +
			"LogFormat \"%v %h\" vh\nCustomLog /var/log/b.log vh\nDirectoryIndex start.html\n" +
			"<Directory /srv/b/private>\nRequire all denied\n</Directory>\n<Files x>\nRequire all denied\n</Files>\n</VirtualHost>\n",
			func(t *testing.T, c *Config) {
				s := c.Servers[0]
				if s.Site.DocumentRoot != "/srv/b" || s.Site.ServerAdmin != "web@b" || !reflect.DeepEqual(s.Site.DirectoryIndex, []string{"start.html"}) {
					t.Errorf("site = %+v", s.Site)
				}
				if s.Log.ErrorLog != "/var/log/b.err" || s.Log.LogLevel != "debug" || !s.OwnAccess || !s.OwnErrorLog {
					t.Errorf("log = %+v", s.Log)
				}
				if len(s.Log.Access) != 1 || s.Log.Access[0].Format != "%v %h" {
					t.Errorf("access = %+v", s.Log.Access)
				}
				d := s.Site.Sections.Directories
				if len(d) != 2 || !strings.Contains(d[0].Tag, "/srv>") || !strings.Contains(d[1].Tag, "/srv/b/private") {
					t.Errorf("directories = %v", d)
				}
				if len(s.Site.Dir.Files) != 1 {
					t.Errorf("vhost Files = %v", s.Site.Dir.Files)
				}
				if len(c.Site.Sections.Directories) != 1 || len(c.Site.Dir.Files) != 0 {
					t.Errorf("main server changed: %+v", c.Site)
				}
				h := c.VHosts.Hosts[0]
				if h.Name.Host != "b.example" || !reflect.DeepEqual(h.Aliases, []string{"b2.example"}) || !reflect.DeepEqual(h.WildAliases, []string{"*.b.example"}) {
					t.Errorf("identity = %+v", h)
				}
			}},
		{"variables in section arguments", "Define VH 127.0.0.1:8080\nDefine ROOT /srv/v\n<VirtualHost ${VH}>\nDocumentRoot ${ROOT}\n<Directory ${ROOT}>\nRequire all denied\n</Directory>\n</VirtualHost>\n",
			func(t *testing.T, c *Config) {
				s := c.Servers[0]
				if s.Site.DocumentRoot != "/srv/v" || c.VHosts.Hosts[0].Addrs[0].String() != "127.0.0.1:8080" {
					t.Errorf("site = %+v, addrs %v", s.Site, c.VHosts.Hosts[0].Addrs)
				}
				if d := s.Site.Sections.Directories; len(d) != 2 || !strings.Contains(d[1].Tag, "/srv/v") {
					t.Errorf("directories = %v", d)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := loadText(t, main+tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if c.VHosts == nil || len(c.Servers) != len(c.VHosts.Hosts) || len(c.Servers) == 0 {
				t.Fatalf("VHosts = %+v, %d servers", c.VHosts, len(c.Servers))
			}
			tt.check(t, c)
			data, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			var back Config
			if err := json.Unmarshal(data, &back); err != nil {
				t.Fatal(err)
			}
			if len(back.Servers) != len(c.Servers) || back.VHosts.Hosts[0].Name != c.VHosts.Hosts[0].Name {
				t.Errorf("JSON round trip lost the vhosts")
			}
			for i := range c.Servers {
				if !reflect.DeepEqual(back.Servers[i].Site, c.Servers[i].Site) {
					t.Errorf("JSON round trip: server %d\n%+v\nwant\n%+v", i, back.Servers[i].Site, c.Servers[i].Site)
				}
			}
		})
	}
}

// TestVirtualHostErrors: errors inside or about a <VirtualHost> name
// file, line and directive.
func TestVirtualHostErrors(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
		directive  string
		want       string
	}{
		{"not listened", "Listen 127.0.0.1:8080\n<VirtualHost 127.0.0.1:9090>\n</VirtualHost>\n", 2, "<VirtualHost>", "9090"},
		{"nested", "Listen 127.0.0.1:8080\n<VirtualHost *:8080>\n<VirtualHost *:8080>\n</VirtualHost>\n</VirtualHost>\n", 3, "<VirtualHost>", "cannot occur within <VirtualHost> section"},
		{"ServerAlias outside", "Listen 127.0.0.1:8080\nServerAlias a.example\n", 2, "ServerAlias", "ServerAlias"},
		{"global inside", "Listen 127.0.0.1:8080\n<VirtualHost *:8080>\nListen 9000\n</VirtualHost>\n", 3, "Listen", "cannot occur within <VirtualHost> section"},
		{"per-server refused", "Listen 127.0.0.1:8080\n<VirtualHost *:8080>\nTimeout 3\n</VirtualHost>\n", 3, "Timeout", "inside <VirtualHost *:8080>"},
		{"Require at vhost level", "Listen 127.0.0.1:8080\n<VirtualHost *:8080>\nRequire all denied\n</VirtualHost>\n", 3, "Require", "Require not allowed in <VirtualHost> context"},
		{"AllowOverride at vhost level", "Listen 127.0.0.1:8080\n<VirtualHost *:8080>\nAllowOverride All\n</VirtualHost>\n", 3, "AllowOverride", "AllowOverride not allowed in <VirtualHost> context"},
		{"bad log level", "Listen 127.0.0.1:8080\n<VirtualHost *:8080>\nLogLevel loud\n</VirtualHost>\n", 3, "LogLevel", "Log level keyword"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, file, err := loadText(t, tt.text)
			if err == nil {
				t.Fatal("no error")
			}
			prefix := file + ":" + itoa(tt.line) + ": " + tt.directive + ": "
			if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want %q...%q", err, prefix, tt.want)
			}
		})
	}
}

// TestEnvironmentVariables: ${VAR} takes a Define, else the environment;
// an undefined one stays as written with AH00111.
func TestEnvironmentVariables(t *testing.T) {
	file := writeConf(t, "httpd.conf", "Listen ${PORT}\nServerAdmin ${ADMIN}\nDefine ADMIN defined@x\nServerName ${NOPE}.example\n")
	c, err := Load(Options{File: file, SkipDocumentRootCheck: true, Environ: []string{"PORT=127.0.0.1:8081", "ADMIN=env@x"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen[0].Port != 8081 || c.Site.ServerAdmin != "env@x" || c.Site.ServerName != "${NOPE}.example" {
		t.Errorf("listen %v admin %q name %q", c.Listen, c.Site.ServerAdmin, c.Site.ServerName)
	}
	if !strings.Contains(strings.Join(c.Notices, "\n"), "AH00111: Config variable ${NOPE} is not defined") {
		t.Errorf("notices = %q", c.Notices)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
