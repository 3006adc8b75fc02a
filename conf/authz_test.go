package conf

import (
	"net/netip"
	"strings"
	"testing"
)

// authzLine is one line of a section body for buildAuth: a directive with
// its arguments, "<RequireAll>" style openers, or "</RequireAll>".
func buildAuth(t testing.TB, lines ...string) (*AuthConfig, error) {
	t.Helper()
	var b AuthBuilder
	b.ServerRoot = "/srv"
	for _, l := range lines {
		f := strings.Fields(l)
		switch {
		case strings.HasPrefix(f[0], "</"):
			if err := b.Close(); err != nil {
				return nil, err
			}
		case strings.HasPrefix(f[0], "<"):
			name := strings.TrimSuffix(f[0], ">")
			var args []string
			if len(f) > 1 {
				args = []string{strings.TrimSuffix(strings.Join(f[1:], " "), ">")}
			}
			if err := b.Open(name, args); err != nil {
				return nil, err
			}
		default:
			if err := b.Directive(f[0], f[1:]); err != nil {
				return nil, err
			}
		}
	}
	return b.Finish()
}

// treeString prints a tree compactly: Any(All(ip 10.1,!ip 10.1.2)).
func treeString(r *Require) string {
	if r == nil {
		return "<nil>"
	}
	neg := ""
	if r.Negate {
		neg = "!"
	}
	if !r.IsContainer() {
		return neg + strings.TrimSpace(r.Provider+" "+r.ArgLine())
	}
	op := "Any"
	if r.Op == RequireAnd {
		op = "All"
	}
	if r.Merged {
		op = "M" + op
	}
	parts := make([]string, len(r.Children))
	for i, c := range r.Children {
		parts[i] = treeString(c)
	}
	return neg + op + "(" + strings.Join(parts, ",") + ")"
}

// TestRequireBuilder: the error texts were checked with Apache 2.4.71,
// each case inside <Location /x> of a minimal configuration loading the
// authz/authn/access_compat modules:
//
//	apache2 -t -f /tmp/authz-ap/t.conf
//
// (Apache prefixes "AH00526: Syntax error on line N of FILE:"; AH01624
// comes after parsing, with "AH00014: Configuration check failed".)
func TestRequireBuilder(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []string
		tree  string
		err   string
	}{
		{"single", []string{"Require all granted"}, "Any(all granted)", ""},
		{"several lines are RequireAny", []string{"Require ip 10.1", "Require host example.org"}, "Any(ip 10.1,host example.org)", ""},
		// mod_authz_core documentation, "Authorization Containers".
		{"doc RequireAll with not", []string{
			"<RequireAll>", "Require all granted", "Require not ip 10.252.46.165", "</RequireAll>",
		}, "Any(All(all granted,!ip 10.252.46.165))", ""},
		{"doc nested", []string{
			"<RequireAll>",
			"<RequireAny>", "Require user superadmin", "<RequireAll>", "Require group admins", "Require ldap-group cn=Administrators,o=Airius", "</RequireAll>", "</RequireAny>",
			"</RequireAll>",
		}, "", "Unknown Authz provider: ldap-group"},
		{"doc nested groups", []string{
			"<RequireAll>",
			"<RequireAny>", "Require user superadmin", "<RequireAll>", "Require group admins", "Require group sales", "</RequireAll>", "</RequireAny>",
			"<RequireNone>", "Require group temps", "Require group LameUsers", "</RequireNone>",
			"</RequireAll>",
		}, "Any(All(Any(user superadmin,All(group admins,group sales)),!group temps,!group LameUsers))", ""},
		{"RequireAny is associative", []string{"Require ip 1.2.3.4", "<RequireAny>", "Require ip 5.6.7.8", "</RequireAny>"}, "Any(ip 1.2.3.4,ip 5.6.7.8)", ""},
		{"not at top level", []string{"Require not ip 1.2.3.4"}, "", "negative Require directive has no effect in <RequireAny> directive"},
		{"not in RequireAny", []string{"<RequireAny>", "Require all granted", "Require not host x", "</RequireAny>"}, "", "negative Require directive has no effect in <RequireAny> directive"},
		{"not in RequireNone", []string{"<RequireAll>", "Require all granted", "<RequireNone>", "Require not ip 1.2.3.4", "</RequireNone>", "</RequireAll>"}, "", "negative Require directive has no effect in <RequireNone> directive"},
		{"RequireNone at top", []string{"<RequireNone>", "Require ip 1.2.3.4", "</RequireNone>"}, "", "<RequireNone> directive has no effect in <RequireAny> directive"},
		{"empty container", []string{"<RequireAll>", "</RequireAll>"}, "", "<RequireAll> directive contains no authorization directives"},
		{"container args", []string{"<RequireAll foo>"}, "", "<RequireAll> directive doesn't take additional arguments"},
		{"only negative", []string{"<RequireAll>", "Require not ip 1.2.3.4", "</RequireAll>"}, "", "AH01624: <RequireAll> directive contains only negative authorization directives"},
		{"only negative via De Morgan", []string{"<RequireAll>", "<RequireNone>", "Require ip 1.2.3.4", "</RequireNone>", "</RequireAll>"}, "", "AH01624: <RequireAll> directive contains only negative authorization directives"},
		{"unknown provider", []string{"Require foo bar"}, "", "Unknown Authz provider: foo"},
		{"no provider", []string{"Require"}, "", "Unknown Authz provider: "},
		{"not alone", []string{"Require not"}, "", "Unknown Authz provider: "},
		{"not all denied at top", []string{"Require all granted", "Require not all denied"}, "", "negative Require directive has no effect in <RequireAny> directive"},
		{"ip leading zeros", []string{"Require ip 010.1.2.3"}, "Any(ip 010.1.2.3)", ""},
		{"ip zone", []string{"Require ip fe80::1%eth0"}, "", "ip address 'fe80::1%eth0' appears to be invalid: The specified IP address is invalid."},
		{"provider names are case-sensitive", []string{"Require All granted"}, "", "Unknown Authz provider: All"},
		{"not is case-insensitive", []string{"<RequireAll>", "Require valid-user", "Require NOT user bob", "</RequireAll>"}, "Any(All(valid-user,!user bob))", ""},
		{"all bad arg", []string{"Require all maybe"}, "", "Argument for 'Require all' must be 'granted' or 'denied'"},
		{"all two args", []string{"Require all granted denied"}, "", "Argument for 'Require all' must be 'granted' or 'denied'"},
		{"all case", []string{"Require all GRANTED"}, "Any(all GRANTED)", ""},
		{"ip no arg", []string{"Require ip"}, "", "'require ip' requires an argument"},
		{"ip hostname", []string{"Require ip example.org"}, "", "ip address 'example.org' appears to be invalid"},
		{"ip bad", []string{"Require ip 10.1.2.3.4"}, "", "ip address '10.1.2.3.4' appears to be invalid: The specified IP address is invalid."},
		{"ip partial with mask", []string{"Require ip 10.1/16"}, "", "ip address '10.1/16' appears to be invalid: The specified IP address is invalid."},
		{"ip bad mask", []string{"Require ip 10.1.0.0/33"}, "", "ip address '10.1.0.0/33' appears to be invalid: The specified network mask is invalid."},
		{"ip zero mask", []string{"Require ip 0.0.0.0/0"}, "", "ip address '0.0.0.0/0' appears to be invalid: The specified network mask is invalid."},
		{"ip v4-mapped", []string{"Require ip ::ffff:10.0.0.1"}, "", "ip address '::ffff:10.0.0.1' appears to be invalid: The specified IP address is invalid."},
		{"ip v6 netmask", []string{"Require ip 2001:db8::/ffff::"}, "", "ip address '2001:db8::/ffff::' appears to be invalid: The specified network mask is invalid."},
		{"method", []string{"Require method GET POST OPTIONS"}, "Any(method GET POST OPTIONS)", ""},
		{"method invalid", []string{"Require method GET FOO"}, "", "Invalid Method 'FOO'"},
		{"method lower case", []string{"Require method get"}, "", "Invalid Method 'get'"},
		{"expr refused", []string{"Require expr %{TIME_HOUR} -ge 9"}, "", "'Require expr' not supported"},
		{"user expr refused", []string{"Require user %{HTTP_HOST}"}, "", "Require user %{HTTP_HOST}: expressions (%{...}) in Require lines are not supported"},
		{"env", []string{"Require env let_me_in"}, "Any(env let_me_in)", ""},
		{"local", []string{"Require local"}, "Any(local)", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := buildAuth(t, tc.lines...)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := treeString(cfg.Require); got != tc.tree {
				t.Errorf("tree = %s, want %s", got, tc.tree)
			}
		})
	}
}

func TestRequireString(t *testing.T) {
	cfg, err := buildAuth(t, "<RequireAll>", "Require all granted", "Require not ip 10.1 10.2", "</RequireAll>")
	if err != nil {
		t.Fatal(err)
	}
	all := cfg.Require.Children[0]
	for _, tc := range []struct {
		r    *Require
		want string
	}{
		{cfg.Require, "<RequireAny>"},
		{all, "<RequireAll>"},
		{all.Children[1], "Require not ip 10.1 10.2"},
		{&Require{Op: RequireOr, Negate: true}, "<RequireNone>"},
		{&Require{Op: RequireAnd, Merged: true}, "AuthMerging All"},
	} {
		if got := tc.r.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestIPMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		in, out []string
		str     string
	}{
		{"10.1", []string{"10.1.0.1", "10.1.255.255", "::ffff:10.1.2.3"}, []string{"10.2.0.1", "11.1.0.1", "::1"}, "10.1.0.0/16"},
		{"10.1.", []string{"10.1.9.9"}, []string{"10.10.0.1"}, "10.1.0.0/16"},
		{"10", []string{"10.200.0.1"}, []string{"100.0.0.1"}, "10.0.0.0/8"},
		{"192.168.1.7", []string{"192.168.1.7"}, []string{"192.168.1.8"}, "192.168.1.7/32"},
		{"010.001.0.1", []string{"10.1.0.1"}, nil, "10.1.0.1/32"},
		{"10.1.0.0/255.255.0.0", []string{"10.1.3.4"}, []string{"10.2.3.4"}, "10.1.0.0/16"},
		{"10.1.2.3/16", []string{"10.1.200.1"}, []string{"10.2.0.1"}, "10.1.0.0/16"},
		{"10.0.0.1/255.0.0.255", []string{"10.9.9.1"}, []string{"10.9.9.2", "::1"}, "10.0.0.1/255.0.0.255"},
		{"2001:db8::/32", []string{"2001:db8:1::5"}, []string{"2001:db9::1", "10.0.0.1"}, "2001:db8::/32"},
		{"::1", []string{"::1"}, []string{"127.0.0.1"}, "::1/128"},
		{"fe80::1", []string{"fe80::1%eth0"}, nil, "fe80::1/128"},
	} {
		t.Run(tc.pattern, func(t *testing.T) {
			ip, mask, has := strings.Cut(tc.pattern, "/")
			m, err := parseIPMatch(ip, mask, has)
			if err != nil {
				t.Fatal(err)
			}
			if m.String() != tc.str {
				t.Errorf("String() = %s, want %s", m, tc.str)
			}
			for _, a := range tc.in {
				if !m.Contains(netip.MustParseAddr(a)) {
					t.Errorf("%s does not contain %s", tc.pattern, a)
				}
			}
			for _, a := range tc.out {
				if m.Contains(netip.MustParseAddr(a)) {
					t.Errorf("%s contains %s", tc.pattern, a)
				}
			}
		})
	}
}

func TestAccessCompatDirectives(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		err   string
	}{
		{[]string{"Order allow,deny", "Allow from all"}, ""},
		{[]string{"Order Deny,Allow", "Deny from all", "Allow from 10.1 env=let_me_in env=!no"}, ""},
		{[]string{"Order sideways"}, "unknown order"},
		{[]string{"Allow to all"}, "allow and deny must be followed by 'from'"},
		{[]string{"Allow from"}, "allow requires at least two arguments"},
		{[]string{"Deny from foo/24"}, "An IP address was expected"},
		{[]string{"Deny from 10.1/24"}, "The specified IP address is invalid."},
		{[]string{"Deny from 10.1.2.3.4"}, "The specified IP address is invalid."},
		{[]string{"Deny from #comment"}, "No comments are allowed here"},
		{[]string{"Satisfy some"}, "Satisfy either 'any' or 'all'."},
		{[]string{"Satisfy Any"}, ""},
	} {
		_, err := buildAuth(t, tc.lines...)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || err.Error() != tc.err) {
			t.Errorf("%q: err = %v, want %q", tc.lines, err, tc.err)
		}
	}
	cfg, err := buildAuth(t, "Order Allow,Deny", "Allow from 10.1 example.org env=A env=!B all", "Satisfy any")
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Compat
	if c.OrderFor(MethodNumber("GET")) != AllowDeny || c.SatisfyFor(MethodNumber("POST")) != SatisfyAny {
		t.Errorf("order/satisfy = %v/%v", c.OrderFor(0), c.SatisfyFor(2))
	}
	kinds := []AccessRuleKind{AccessIP, AccessHost, AccessEnv, AccessNotEnv, AccessAll}
	if len(c.Allow) != len(kinds) {
		t.Fatalf("allow = %+v", c.Allow)
	}
	for i, k := range kinds {
		if c.Allow[i].Kind != k {
			t.Errorf("allow[%d] kind = %v, want %v", i, c.Allow[i].Kind, k)
		}
	}
	if c.Allow[2].Value != "A" || c.Allow[3].Value != "B" || c.Allow[1].Value != "example.org" {
		t.Errorf("values = %+v", c.Allow)
	}
}

func TestAuthDirectives(t *testing.T) {
	cfg, err := buildAuth(t, "AuthType Basic", `AuthName Members`, "AuthBasicProvider file",
		"AuthUserFile conf/htpasswd", "AuthGroupFile /etc/groups", "Require valid-user",
		"AuthMerging And", "AuthzSendForbiddenOnFailure On", "AuthBasicAuthoritative Off")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Type() != "Basic" || cfg.UserFile != "/srv/conf/htpasswd" || cfg.GroupFile != "/etc/groups" ||
		cfg.Merging != MergingAnd || !cfg.ForbiddenOnFailure || cfg.BasicAuthoritative || !cfg.BasicAuthoritativeSet {
		t.Errorf("cfg = %+v", cfg)
	}
	if r, ok := cfg.Realm(); !ok || r != "Members" {
		t.Errorf("realm = %q %v", r, ok)
	}
	for _, tc := range []struct{ line, err string }{
		{"AuthType Digest", "AuthType Digest is not supported by gohttpd (Basic or None)"},
		{"AuthType", "AuthType takes one argument"},
		{"AuthName a b", "AuthName takes one argument"},
		{"AuthBasicProvider file dbm", "Unknown Authn provider: dbm"},
		{"AuthMerging Xor", "AuthMerging must be one of: Off | And | Or"},
		{"AuthzSendForbiddenOnFailure yes", "AuthzSendForbiddenOnFailure must be On or Off"},
		{"AuthName %{HTTP_HOST}", "Cannot parse expression '%{HTTP_HOST}' in AuthName: expressions (%{...}) are not supported by gohttpd"},
	} {
		if _, err := buildAuth(t, tc.line); err == nil || err.Error() != tc.err {
			t.Errorf("%s: err = %v, want %q", tc.line, err, tc.err)
		}
	}
	none, _ := buildAuth(t, "AuthType None")
	if none.Type() != "" {
		t.Errorf("AuthType None: Type() = %q", none.Type())
	}
}

func TestRealmEscape(t *testing.T) {
	for in, want := range map[string]string{
		`Members`: `Members`, `say "hi"`: `say \"hi\"`, `a\"b`: `a\"b`, `trail\`: `trail\`, `q"trail\`: `q\"trail\`,
		`a\\"b`: `a\\\"b`,
	} {
		c := &AuthConfig{AuthName: in, AuthNameSet: true}
		if got, _ := c.Realm(); got != want {
			t.Errorf("Realm(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMergeAuth follows the AuthMerging examples of mod_authz_core's
// documentation and merge_authz_core_dir_config.
func TestMergeAuth(t *testing.T) {
	sec := func(lines ...string) *AuthConfig {
		c, err := buildAuth(t, lines...)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	parent := sec("AuthType Basic", "AuthName Parent", "AuthUserFile /p", "Require user alice", "Order deny,allow", "Deny from 10.9")
	for _, tc := range []struct {
		name  string
		child *AuthConfig
		tree  string
	}{
		{"no child", nil, "Any(user alice)"},
		{"child without authz", sec("AuthName Child"), "Any(user alice)"},
		{"child replaces (default Off)", sec("Require ip 10.1"), "Any(ip 10.1)"},
		{"explicit Off replaces", sec("AuthMerging Off", "Require ip 10.1"), "Any(ip 10.1)"},
		{"Off alone drops the parent's", sec("AuthMerging Off"), "<nil>"},
		{"And", sec("AuthMerging And", "Require ip 10.1"), "MAll(Any(user alice),Any(ip 10.1))"},
		{"Or", sec("AuthMerging Or", "Require ip 10.1"), "MAny(Any(user alice),Any(ip 10.1))"},
		{"And without own Require keeps parent's", sec("AuthMerging And"), "Any(user alice)"},
		{"only forbidden-on-failure", sec("AuthzSendForbiddenOnFailure On"), "Any(user alice)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := MergeAuth(parent, tc.child)
			if got := treeString(m.Require); got != tc.tree {
				t.Errorf("tree = %s, want %s", got, tc.tree)
			}
			if m.Type() != "Basic" || m.UserFile != "/p" {
				t.Errorf("authn settings lost: %+v", m)
			}
		})
	}
	if m := MergeAuth(parent, sec("AuthName Child")); m.AuthName != "Child" || m.Compat != parent.Compat {
		t.Errorf("AuthName/Compat merge: %+v", m)
	}
	if m := MergeAuth(parent, sec("Allow from all")); m.Compat == parent.Compat || len(m.Compat.Deny) != 0 {
		t.Errorf("a child's Allow must replace the whole access_compat config: %+v", m.Compat)
	}
	// Grandchild with AuthMerging And onto an And-merged tree.
	m := MergeAuth(MergeAuth(parent, sec("AuthMerging And", "Require ip 10.1")), sec("AuthMerging Or", "Require local"))
	if got, want := treeString(m.Require), "MAny(MAll(Any(user alice),Any(ip 10.1)),Any(local))"; got != want {
		t.Errorf("tree = %s, want %s", got, want)
	}
	if got := m.Require.String(); got != "AuthMerging Any" {
		t.Errorf("String() = %q", got)
	}
}

func TestLimitMask(t *testing.T) {
	get, post := MethodMaskOf("GET"), MethodMaskOf("POST")
	for _, tc := range []struct {
		except  bool
		methods []string
		outer   MethodMask
		want    MethodMask
		err     string
	}{
		{false, []string{"GET", "POST"}, AllMethods, get | post, ""},
		{true, []string{"GET"}, AllMethods, ^get, ""},
		{false, nil, AllMethods, 0, "<Limit> directive requires additional arguments"},
		{false, []string{"TRACE"}, AllMethods, 0, "TRACE cannot be controlled by <Limit>, see TraceEnable"},
		{true, []string{"TRACE"}, AllMethods, ^MethodMaskOf("TRACE"), ""},
		{false, []string{"POST"}, get, 0, "<Limit> directive excludes all methods"},
		{false, []string{"GET", "POST"}, get, 0, "<Limit> directive specifies methods already excluded"},
		{false, []string{"FOO"}, AllMethods, 1 << MethodInvalid, ""},
	} {
		got, err := LimitMask(tc.except, tc.methods, tc.outer)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%v %q: err = %v, want %q", tc.except, tc.methods, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%v %q: %x, %v; want %x", tc.except, tc.methods, got, err, tc.want)
		}
	}
}
