package vhost_test

import (
	"bufio"
	"context"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/vhost"
)

// TestApacheCanonical compares %v, %V, %p and the Location of mod_dir's
// DirectorySlash redirect with Apache's, for UseCanonicalName On, Off and
// DNS, UseCanonicalPhysicalPort On, ServerName with a port and with
// https://, and a vhost without ServerName. testdata/canon/access_log was
// written by Apache 2.4.71 running testdata/canon/httpd.conf, for
// "GET /sub" sent over loopback to each vhost without Host (HTTP/1.0) and
// with Host x.example, x.example:81, :443, :80 and [::1]:8080.
func TestApacheCanonical(t *testing.T) {
	s := loadSite(t, "testdata/canon/httpd.conf", "@CONF@")
	f, err := os.Open("testdata/canon/access_log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	re := regexp.MustCompile(`^(\S+) v=(\S+) V=(\S+) p=(\d+) H="(.*)" 301 L=(\S+)$`)
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		g := re.FindStringSubmatch(sc.Text())
		if g == nil {
			t.Fatalf("bad line %q", sc.Text())
		}
		n++
		local := netip.MustParseAddrPort(g[1])
		var m vhost.Match
		if g[5] == "-" {
			s.table.Select(&m, local, nil, false)
		} else {
			s.table.Select(&m, local, []byte(g[5]), true)
		}
		c := &vhost.Canon{UseCanonicalName: s.ucn[m.Server], PhysicalPort: s.phys[m.Server]}
		if c.UseCanonicalName == conf.CanonicalDNS {
			c.LocalName = vhost.LocalName(context.Background(), fakeResolver{}, local.Addr())
		}
		p := s.table.CanonicalPort(&m, c)
		got := []string{s.table.ServerName(m.Server), string(s.table.AppendServerName(nil, &m, c)),
			strconv.Itoa(p), string(s.table.AppendURL(nil, &m, c, []byte("/sub/")))}
		want := []string{g[2], g[3], g[4], g[6]}
		// mod_status's VHost column showed "off-phys.example:28481" for a
		// request to 127.0.20.2:28481 with Host x.example:81.
		if got, want := string(s.table.AppendStatusVHost(nil, &m)), g[2]+":"+strconv.Itoa(int(local.Port())); got != want {
			t.Errorf("%s: status VHost %q, want %q", sc.Text(), got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: got v=%s V=%s p=%s L=%s", sc.Text(), got[0], got[1], got[2], got[3])
				break
			}
		}
	}
	if n != 36 {
		t.Errorf("%d lines, want 36", n)
	}
}
