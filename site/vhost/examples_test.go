package vhost_test

import (
	"bufio"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gohttpd/gohttpd/site/vhost"
)

// TestApacheManualExamples runs the configurations of the Apache manual's
// "VirtualHost Examples" (docs/manual/vhosts/examples.xml: name-based,
// IP-based, mixed, ports, _default_, *:*, migration) plus StrictHostCheck
// cases, moved to loopback addresses, and compares Select with what
// Apache 2.4.71 answered to each request (testdata/examples/results.tsv,
// recorded by testdata/examples/run.py, which writes the .conf files,
// runs `apache2 -S` on each and then sends the requests to a running
// instance) and WriteTable with its `apache2 -S`.
func TestApacheManualExamples(t *testing.T) {
	f, err := os.Open("testdata/examples/results.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sites := map[string]*site{}
	rows := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		col := strings.Split(sc.Text(), "\t")
		if len(col) != 5 {
			t.Fatalf("bad row %q", sc.Text())
		}
		ex, local, host, status, by := col[0], netip.MustParseAddrPort(col[1]), col[2], col[3], col[4]
		s := sites[ex]
		if s == nil {
			s = loadSite(t, filepath.Join("testdata/examples", ex+".conf"), "@CONF@")
			sites[ex] = s
			golden, err := os.ReadFile(filepath.Join("testdata/examples", ex+".S.golden"))
			if err != nil {
				t.Fatal(err)
			}
			want, _, _ := strings.Cut(string(golden), "ServerRoot:")
			var b strings.Builder
			if err := s.table.WriteTable(&b); err != nil {
				t.Fatal(err)
			}
			if b.String() != want {
				t.Errorf("%s: WriteTable:\n%s\nwant (apache2 -S):\n%s", ex, b.String(), want)
			}
		}
		var m vhost.Match
		if host == "-" {
			s.table.Select(&m, local, nil, false) // HTTP/1.0 without Host
		} else {
			s.table.Select(&m, local, []byte(host), true)
		}
		rows++
		if got := strconv.Itoa(statusOf(&m)); got != status {
			t.Errorf("%s: %v Host %s: status %s, Apache %s", ex, local, host, got, status)
			continue
		}
		if by == "-" {
			continue
		}
		want := vhost.Main
		if by != "main" {
			n, _ := strconv.Atoi(strings.TrimPrefix(by, "d"))
			want = vhost.ID(n)
		}
		if m.Server != want {
			t.Errorf("%s: %v Host %s: server %d, Apache %s", ex, local, host, m.Server, by)
		}
	}
	if rows < 3000 {
		t.Errorf("only %d rows", rows)
	}
}

func statusOf(m *vhost.Match) int {
	if m.Status != 0 {
		return m.Status
	}
	return 200
}
