package vhost_test

import (
	"bufio"
	"net/netip"
	"os"
	"regexp"
	"testing"

	"github.com/gohttpd/gohttpd/site/vhost"
)

// TestApacheServerPath replays the requests of the manual's ServerPath
// example (testdata/serverpath/httpd.conf: a primary vhost and two with
// ServerPath /sub1/ and /sub2 on one address, and an IP-based vhost)
// and compares the vhost with the %v Apache 2.4.71 logged for each
// (testdata/serverpath/access_log: "GET <path>" over loopback, HTTP/1.0
// without Host, and HTTP/1.1 with Host www.sub2.domain.tld).
func TestApacheServerPath(t *testing.T) {
	s := loadSite(t, "testdata/serverpath/httpd.conf", "@CONF@")
	if !s.table.HasServerPath() {
		t.Fatal("HasServerPath = false")
	}
	f, err := os.Open("testdata/serverpath/access_log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	re := regexp.MustCompile(`^(\S+) (\S+) H=(\S+) v=(\S+) \d+$`)
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		g := re.FindStringSubmatch(sc.Text())
		if g == nil {
			t.Fatalf("bad line %q", sc.Text())
		}
		n++
		var m vhost.Match
		local := netip.MustParseAddrPort(g[1])
		if g[3] == "-" {
			s.table.Select(&m, local, nil, false)
		} else {
			s.table.Select(&m, local, []byte(g[3]), true)
		}
		s.table.ApplyServerPath(&m, []byte(g[2]))
		if got := s.table.ServerName(m.Server); got != g[4] {
			t.Errorf("%s: v=%s", sc.Text(), got)
		}
	}
	if n != 36 {
		t.Errorf("%d lines, want 36", n)
	}
}
