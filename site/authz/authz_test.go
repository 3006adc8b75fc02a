package authz

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/errorlog"
)

func TestSatisfyAnyAlone(t *testing.T) {
	// Apache 2.4.71: "Satisfy Any" without Allow/Deny grants everyone,
	// since the default Order Deny,Allow passes (curl /satisfy-alone: 200).
	secs := loadSections(t, `
<Location /satisfy-alone>
  AuthType Basic
  AuthName "SAL"
  AuthUserFile /tmp/authz-ap/htpasswd
  Require valid-user
  Satisfy Any
</Location>`)
	d := NewChecker(nil).Check(secs["/satisfy-alone"], hotRequest())
	if d.Status != 0 || d.Log != nil {
		t.Errorf("decision = %+v", d)
	}
}

// TestDebugEntries compares the AH01626 lines with Apache's at
// "LogLevel authz_core:debug" (curl /debug with and without X-Pass).
func TestDebugEntries(t *testing.T) {
	secs := loadSections(t, `
<Location /debug>
  <RequireAll>
    Require ip 127.0.0.1
    Require not env let_me_in
  </RequireAll>
</Location>`)
	for _, tc := range []struct {
		env  envSet
		want []string
	}{
		{nil, []string{
			"AH01626: authorization result of Require ip 127.0.0.1: granted",
			"AH01626: authorization result of Require not env let_me_in: neutral",
			"AH01626: authorization result of <RequireAll>: granted",
			"AH01626: authorization result of <RequireAny>: granted",
		}},
		{envSet{"let_me_in": true}, []string{
			"AH01626: authorization result of Require ip 127.0.0.1: granted",
			"AH01626: authorization result of Require not env let_me_in: denied",
			"AH01626: authorization result of <RequireAll>: denied",
			"AH01626: authorization result of <RequireAny>: denied",
			"AH01630: client denied by server configuration: /srv/x",
		}},
	} {
		req := hotRequest()
		req.Env = tc.env
		req.MinLevel = slog.LevelDebug
		d := NewChecker(nil).Check(secs["/debug"], req)
		var got []string
		for _, e := range d.Log {
			got = append(got, e.Msg)
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

// TestAuthorize checks apply_authz_sections' combination rules directly.
func TestAuthorize(t *testing.T) {
	c := NewChecker(nil)
	for _, tc := range []struct {
		name    string
		lines   [][]string
		method  string
		user    string
		hasUser bool
		want    Status
	}{
		{"granted", [][]string{{"Require", "all", "granted"}}, "GET", "", false, Granted},
		{"denied", [][]string{{"Require", "all", "denied"}}, "GET", "", false, Denied},
		{"needs user", [][]string{{"Require", "valid-user"}}, "GET", "", false, DeniedNoUser},
		{"any: denied then no-user", [][]string{{"Require", "ip", "10.1"}, {"Require", "user", "bob"}}, "GET", "", false, DeniedNoUser},
		{"all: granted then no-user", [][]string{{"<", "RequireAll"}, {"Require", "all", "granted"}, {"Require", "valid-user"}, {">"}}, "GET", "", false, DeniedNoUser},
		{"all: no-user then denied", [][]string{{"<", "RequireAll"}, {"Require", "valid-user"}, {"Require", "ip", "10.1"}, {">"}}, "GET", "", false, Denied},
		{"not user without user is neutral", [][]string{{"<", "RequireAll"}, {"Require", "all", "granted"}, {"Require", "not", "user", "bob"}, {">"}}, "GET", "", false, Granted},
		{"not user bob with bob", [][]string{{"<", "RequireAll"}, {"Require", "all", "granted"}, {"Require", "not", "user", "bob"}, {">"}}, "GET", "bob", true, Denied},
		{"none: all denied is neutral", [][]string{{"<", "RequireAll"}, {"Require", "all", "granted"}, {"<", "RequireNone"}, {"Require", "ip", "10.1"}, {"Require", "ip", "10.2"}, {">"}, {">"}}, "GET", "", false, Granted},
		{"method", [][]string{{"Require", "method", "GET", "POST"}}, "HEAD", "", false, Granted},
		{"method no", [][]string{{"Require", "method", "GET", "POST"}}, "DELETE", "", false, Denied},
		{"local", [][]string{{"Require", "local"}}, "GET", "", false, Granted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := mustSection(t, tc.lines...)
			req := hotRequest()
			req.Method = conf.MethodNumber(tc.method)
			if got := c.Authorize(cfg, req, tc.user, tc.hasUser, nil); got != tc.want {
				t.Errorf("Authorize = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLocal(t *testing.T) {
	cfg := mustSection(t, []string{"Require", "local"})
	c := NewChecker(nil)
	for _, tc := range []struct {
		client, local string
		want          Status
	}{
		{"127.0.0.1", "127.0.0.1", Granted},
		{"127.9.9.9", "10.0.0.1", Granted},
		{"::1", "::1", Granted},
		{"::ffff:127.0.0.1", "::1", Granted},
		{"192.0.2.7", "192.0.2.7", Granted}, // same address as the server
		{"192.0.2.7", "192.0.2.8", Denied},
		{"2001:db8::1", "2001:db8::2", Denied},
	} {
		req := hotRequest()
		req.ClientIP, req.LocalIP = netip.MustParseAddr(tc.client), netip.MustParseAddr(tc.local)
		if got := c.Authorize(cfg, req, "", false, nil); got != tc.want {
			t.Errorf("%s -> %s: %v, want %v", tc.client, tc.local, got, tc.want)
		}
	}
}

type fakeResolver struct {
	ptr map[string][]string
	a   map[string][]netip.Addr
}

func (r fakeResolver) LookupAddr(_ context.Context, addr string) ([]string, error) {
	if n, ok := r.ptr[addr]; ok {
		return n, nil
	}
	return nil, errors.New("no PTR")
}

func (r fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := r.a[host]; ok {
		return a, nil
	}
	return nil, errors.New("no A")
}

func TestDoubleReverse(t *testing.T) {
	r := fakeResolver{
		ptr: map[string][]string{
			"192.0.2.1": {"Host.Example.ORG."}, "192.0.2.2": {"liar.example.org."}, "2001:db8::1": {"v6.example.org."},
		},
		a: map[string][]netip.Addr{
			"host.example.org": {netip.MustParseAddr("192.0.2.9"), netip.MustParseAddr("192.0.2.1")},
			"liar.example.org": {netip.MustParseAddr("192.0.2.99")},
			"v6.example.org":   {netip.MustParseAddr("2001:db8::1")},
		},
	}
	for ip, want := range map[string]string{
		"192.0.2.1": "host.example.org", "::ffff:192.0.2.1": "host.example.org", "192.0.2.2": "", "192.0.2.3": "",
		"2001:db8::1": "v6.example.org",
	} {
		got, ok := DoubleReverse(context.Background(), r, netip.MustParseAddr(ip))
		if got != want || ok != (want != "") {
			t.Errorf("DoubleReverse(%s) = %q %v, want %q", ip, got, ok, want)
		}
	}
}

func TestInDomain(t *testing.T) {
	for _, tc := range []struct {
		domain, host string
		want         bool
	}{
		{"example.org", "example.org", true},
		{"example.org", "www.Example.ORG", true},
		{"example.org", "badexample.org", false},
		{".example.org", "www.example.org", true},
		{"www.example.org", "example.org", false},
		{"org", "example.org", true},
	} {
		if got := inDomain(tc.domain, tc.host); got != tc.want {
			t.Errorf("inDomain(%q, %q) = %v", tc.domain, tc.host, got)
		}
	}
}

// TestEntryLog writes entries through the project's error-log handler:
// the line reads as Apache's.
func TestEntryLog(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(errorlog.NewHandler(&buf, errorlog.Options{PID: 7}))
	Entry{Level: slog.LevelError, Module: "authn_file", Msg: "AH01620: Could not open password file: /x", Err: syscall.ENOENT}.
		Log(context.Background(), l, "127.0.0.1:5555")
	line := buf.String()
	if i := strings.Index(line, "] "); i >= 0 {
		line = line[i+2:] // drop the time
	}
	want := "[authn_file:error] [pid 7] (2)No such file or directory: [client 127.0.0.1:5555] AH01620: Could not open password file: /x\n"
	if line != want {
		t.Errorf("got  %q\nwant %q", line, want)
	}
}

func TestUnsupportedHash(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "htpasswd")
	os.WriteFile(pw, []byte("y:$y$j9T$salt$hash\n"), 0o644)
	cfg := mustSection(t, []string{"AuthType", "Basic"}, []string{"AuthName", "R"}, []string{"AuthUserFile", pw}, []string{"Require", "valid-user"})
	req := hotRequest()
	req.Authorization, req.HasAuthorization = []byte(basicHeader("y:secret")), true
	d := NewChecker(nil).Check(cfg, req)
	if d.Status != 401 || len(d.Log) != 2 ||
		d.Log[0].Msg != "user y in "+pw+": unsupported password hash format" ||
		!strings.HasPrefix(d.Log[1].Msg, "AH01617: ") {
		t.Errorf("decision = %+v", d)
	}
}

type countingResolver struct {
	fakeResolver
	n *int
}

func (r countingResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	*r.n++
	return r.fakeResolver.LookupAddr(ctx, addr)
}

// TestLazyHost: "Require host" and "Allow from" names share one lookup.
func TestLazyHost(t *testing.T) {
	n := 0
	r := countingResolver{fakeResolver{
		ptr: map[string][]string{"192.0.2.1": {"www.example.org."}},
		a:   map[string][]netip.Addr{"www.example.org": {netip.MustParseAddr("192.0.2.1")}},
	}, &n}
	cfg := mustSection(t, []string{"Order", "Allow,Deny"}, []string{"Allow", "from", "example.org"},
		[]string{"Require", "host", "other.org", ".example.org"})
	req := hotRequest()
	req.ClientIP = netip.MustParseAddr("192.0.2.1")
	req.Host = &LazyHost{Resolver: r, IP: req.ClientIP}
	if d := NewChecker(nil).Check(cfg, req); d.Status != 0 {
		t.Errorf("decision %+v", d)
	}
	if n != 1 {
		t.Errorf("%d reverse lookups, want 1", n)
	}
	req.Host = &LazyHost{IP: req.ClientIP} // no resolver: no name
	d := NewChecker(nil).Check(cfg, req)
	if d.Status != 403 || d.Log[0].Msg != "AH01797: client denied by server configuration: /srv/x" {
		t.Errorf("decision %+v", d)
	}
}
