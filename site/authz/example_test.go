package authz_test

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/authz"
)

// section builds one section's configuration the way the section walker
// does: directives in order, Require containers opened and closed.
func section(serverRoot string, build func(b *conf.AuthBuilder) error) *conf.AuthConfig {
	b := &conf.AuthBuilder{ServerRoot: serverRoot}
	if err := build(b); err != nil {
		panic(err) // the walker reports it with file, line and directive
	}
	cfg, err := b.Finish()
	if err != nil {
		panic(err)
	}
	return cfg
}

func ExampleChecker_Check() {
	dir, _ := os.MkdirTemp("", "authz")
	defer os.RemoveAll(dir)
	// htpasswd -nbs alice secret
	os.WriteFile(filepath.Join(dir, "htpasswd"), []byte("alice:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n"), 0o644)

	// <Directory /srv/www>
	//     Require ip 10.1
	// </Directory>
	// <Location /private>
	//     AuthType Basic
	//     AuthName "Private"
	//     AuthUserFile htpasswd
	//     AuthMerging Or
	//     Require valid-user
	// </Location>
	dirCfg := section(dir, func(b *conf.AuthBuilder) error {
		return b.Directive("Require", []string{"ip", "10.1"})
	})
	locCfg := section(dir, func(b *conf.AuthBuilder) error {
		for _, d := range [][]string{
			{"AuthType", "Basic"}, {"AuthName", "Private"}, {"AuthUserFile", "htpasswd"},
			{"AuthMerging", "Or"}, {"Require", "valid-user"},
		} {
			if err := b.Directive(d[0], d[1:]); err != nil {
				return err
			}
		}
		return nil
	})
	merged := conf.MergeAuth(dirCfg, locCfg) // resolved once per (vhost, path), shared

	checker := authz.NewChecker(nil)
	for _, tc := range []struct {
		client, auth string
	}{
		{"10.1.2.3", ""},
		{"192.0.2.1", ""},
		{"192.0.2.1", "Basic YWxpY2U6c2VjcmV0"}, // alice:secret
		{"192.0.2.1", "Basic YWxpY2U6d3Jvbmc="}, // alice:wrong
	} {
		req := &authz.Request{
			ClientIP: netip.MustParseAddr(tc.client),
			Method:   conf.MethodNumber("GET"),
			URI:      "/private/a.html",
			Filename: "/srv/www/private/a.html",
		}
		if tc.auth != "" {
			req.Authorization, req.HasAuthorization = []byte(tc.auth), true
		}
		d := checker.Check(merged, req)
		fmt.Printf("%s: status %d user %q WWW-Authenticate %q\n", tc.client, d.Status, d.User, d.WWWAuthenticate)
		for _, e := range d.Log {
			fmt.Printf("  [%s] %s\n", e.Module, e.Msg)
		}
	}
	// Output:
	// 10.1.2.3: status 0 user "" WWW-Authenticate ""
	// 192.0.2.1: status 401 user "" WWW-Authenticate "Basic realm=\"Private\""
	// 192.0.2.1: status 0 user "alice" WWW-Authenticate ""
	// 192.0.2.1: status 401 user "alice" WWW-Authenticate "Basic realm=\"Private\""
	//   [auth_basic] AH01617: user alice: authentication failure for "/private/a.html": Password Mismatch
}
