package vhost_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/vhost"
)

// none in a row's host column means the request had no Host header.
const none = "\x00none"

type apacheRow struct {
	local    string
	host     string
	http11   bool
	status   int
	id       int // -1: not checked by body (a 301 or 400)
	v, vv    string
	p        int
	location string
}

// fakeResolver answers as this machine's resolver did when the rows were
// recorded: /etc/hosts has "127.0.0.1 localhost" and nothing for
// 127.0.0.2; nonexistent.invalid does not resolve.
type fakeResolver struct{}

var errNoHost = errors.New("name or service not known")

func (fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	switch strings.ToLower(host) {
	case "localhost":
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	case "dual.test":
		return []netip.Addr{netip.MustParseAddr("127.0.0.9"), netip.MustParseAddr("::9")}, nil
	}
	return nil, errNoHost
}

func (fakeResolver) LookupAddr(_ context.Context, addr string) ([]string, error) {
	if addr == "127.0.0.1" {
		return []string{"localhost."}, nil
	}
	return nil, errNoHost
}

// site is a configuration read the way the integrator reads it: the main
// server's ServerName, then every <VirtualHost> with its ServerName,
// ServerAlias and UseCanonicalName.
type site struct {
	table    *vhost.Table
	vhosts   []*conf.VirtualHost
	ucn      []conf.UseCanonicalName // per server ID
	phys     []bool                  // UseCanonicalPhysicalPort per server ID
	warnings []string
}

// loadSite reads the few directives that matter here from an Apache
// configuration file with conf.VHostBuilder, as the integrator does;
// file is the name the vhosts record.
func loadSite(t testing.TB, path, file string) *site {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	b := conf.VHostBuilder{Resolver: fakeResolver{}}
	var listen []conf.Listen
	s := &site{ucn: []conf.UseCanonicalName{conf.CanonicalUnset}, phys: []bool{false}}
	strict := []string{""} // StrictHostCheck per server ID: "", "on", "off"
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		words := strings.Fields(sc.Text())
		if len(words) == 0 {
			continue
		}
		var err error
		switch d := strings.ToLower(words[0]); {
		case strings.HasPrefix(d, "<virtualhost"):
			args := strings.Fields(strings.TrimSuffix(strings.TrimSpace(sc.Text())[len("<VirtualHost"):], ">"))
			err = b.Open(ctx, file, line, args)
			s.ucn = append(s.ucn, conf.CanonicalUnset)
			s.phys = append(s.phys, false)
			strict = append(strict, "")
		case d == "</virtualhost>":
			b.Close()
		case d == "servername", d == "serveralias", d == "serverpath":
			err = b.Directive(file, line, words[0], words[1:])
		case d == "listen":
			ap := netip.MustParseAddrPort(words[1])
			listen = append(listen, conf.Listen{Host: ap.Addr().String(), Port: int(ap.Port())})
		case d == "usecanonicalname":
			s.ucn[len(s.ucn)-1], err = conf.ParseUseCanonicalName(words[1])
		case d == "usecanonicalphysicalport":
			s.phys[len(s.phys)-1], err = conf.ParseUseCanonicalPhysicalPort(words[1])
		case d == "stricthostcheck":
			strict[len(strict)-1] = strings.ToLower(words[1])
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	vh, warns, err := b.Finish(ctx, listen)
	if err != nil {
		t.Fatal(err)
	}
	s.vhosts, s.warnings = vh.Hosts, warns
	opts := vhost.Options{}
	if slices.Contains(strict, "on") {
		opts.StrictHostCheck = func(id vhost.ID) bool {
			if strict[id] == "" {
				return strict[0] == "on"
			}
			return strict[id] == "on"
		}
	}
	s.table = vhost.NewTable(vh.Main, vh.Hosts, opts)
	return s
}

// TestApacheSelection replays the requests of apacheRows (recorded
// against Apache, see apache_rows_test.go) through Select and the
// canonical-name functions.
func TestApacheSelection(t *testing.T) {
	s := loadSite(t, "testdata/apache/httpd.conf", "@CONF@")
	for _, r := range apacheRows {
		name := r.local + " Host=" + strconv.Quote(r.host)
		if !r.http11 {
			name += " HTTP/1.0"
		}
		t.Run(name, func(t *testing.T) {
			local := netip.MustParseAddrPort(r.local)
			var host []byte
			if r.host != none {
				host = []byte(r.host)
			}
			var m vhost.Match
			s.table.Select(&m, local, host, r.http11)
			wantStatus := 0
			if r.status == 400 {
				wantStatus = 400
			}
			if m.Status != wantStatus {
				t.Errorf("Status = %d, want %d", m.Status, wantStatus)
			}
			if r.id >= 0 && m.Server != vhost.ID(r.id) {
				t.Errorf("Server = %d, want %d", m.Server, r.id)
			}
			if got := s.table.ServerName(m.Server); got != r.v {
				t.Errorf("%%v = %q, want %q", got, r.v)
			}
			c := &vhost.Canon{UseCanonicalName: s.ucn[m.Server]}
			if c.UseCanonicalName == conf.CanonicalDNS {
				c.LocalName = vhost.LocalName(context.Background(), fakeResolver{}, local.Addr())
			}
			if got := string(s.table.AppendServerName(nil, &m, c)); got != r.vv {
				t.Errorf("%%V = %q, want %q", got, r.vv)
			}
			p := s.table.CanonicalPort(&m, c)
			if p != r.p {
				t.Errorf("%%p = %d, want %d", p, r.p)
			}
			if r.location != "" {
				if got := string(s.table.AppendURL(nil, &m, c, []byte("/sub/"))); got != r.location {
					t.Errorf("Location = %q, want %q", got, r.location)
				}
			}
		})
	}
}

// TestApacheDump compares WriteTable with `apache2 -S` on the same
// configuration (testdata/apache/S.golden, the file name replaced by
// @CONF@), and the warnings with what Apache logged.
func TestApacheDump(t *testing.T) {
	s := loadSite(t, "testdata/apache/httpd.conf", "@CONF@")
	golden, err := os.ReadFile("testdata/apache/S.golden")
	if err != nil {
		t.Fatal(err)
	}
	want, _, _ := strings.Cut(string(golden), "ServerRoot:")
	var b strings.Builder
	if err := s.table.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	if b.String() != want {
		t.Errorf("WriteTable:\n%s\nwant (apache2 -S):\n%s", b.String(), want)
	}
	wantWarn := []string{
		"@CONF@:93: AH00547: Could not resolve host name nonexistent.invalid -- ignoring!",
		"@CONF@:68: AH00549: Failed to resolve server name for 127.0.0.2 (check DNS) -- or specify an explicit ServerName",
	}
	if strings.Join(s.warnings, "\n") != strings.Join(wantWarn, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(s.warnings, "\n"), strings.Join(wantWarn, "\n"))
	}
}
