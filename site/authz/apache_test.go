package authz

import (
	"encoding/base64"
	"errors"
	"log/slog"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
)

// apacheSections are the <Location> sections of the configuration the
// expected answers below were recorded with, from Apache 2.4.71 (Debian)
// run as its own instance:
//
//	apache2 -f /tmp/authz-ap/httpd.conf -D FOREGROUND
//
// with mpm_event, authz_core, authz_host, authz_user, authn_core,
// authn_file, auth_basic, access_compat, authz_groupfile and setenvif
// ("SetEnvIf X-Pass yes let_me_in"), Listen 127.0.0.1:18089, DocumentRoot
// /tmp/authz-ap/htdocs, AuthUserFile/AuthGroupFile being testdata/htpasswd
// and testdata/groups (made with htpasswd -nbB, -nbm, -nbs, -nbd, -nbp and
// perl's crypt for $1$, $5$, $6$ and $2b$; password "secret"), and each
// request sent from 127.0.0.1 with
//
//	curl -s -D - -o /dev/null [-u user:pw | -H 'Authorization: ...'] http://127.0.0.1:18089/PATH
//
// recording the status line, WWW-Authenticate and the new error-log lines.
const apacheSections = `
<Location /granted>
  Require all granted
</Location>
<Location /requireall-not>
  <RequireAll>
    Require all granted
    Require not ip 127.0.0.1
  </RequireAll>
</Location>
<Location /partial>
  Require ip 127.0
</Location>
<Location /partial-no>
  Require ip 10.1
</Location>
<Location /netmask>
  Require ip 127.0.0.0/255.0.0.0
</Location>
<Location /basic>
  AuthType Basic
  AuthName "Private \"Area\""
  AuthUserFile /tmp/authz-ap/htpasswd
  Require valid-user
</Location>
<Location /satisfy-any>
  Order deny,allow
  Deny from all
  Allow from 127.0.0.1
  AuthType Basic
  AuthName "SA"
  AuthUserFile /tmp/authz-ap/htpasswd
  Require valid-user
  Satisfy Any
</Location>
<Location /satisfy-any-noip>
  Order deny,allow
  Deny from all
  Allow from 10.1
  AuthType Basic
  AuthName "SA"
  AuthUserFile /tmp/authz-ap/htpasswd
  Require valid-user
  Satisfy Any
</Location>
<Location /satisfy-all>
  Order deny,allow
  Deny from all
  Allow from 127.0.0.1
  AuthType Basic
  AuthName "SAll"
  AuthUserFile /tmp/authz-ap/htpasswd
  Require valid-user
  Satisfy All
</Location>
<Location /satisfy-all-noip>
  Order deny,allow
  Deny from all
  Allow from 10.1
  AuthType Basic
  AuthName "SAll"
  AuthUserFile /tmp/authz-ap/htpasswd
  Require valid-user
  Satisfy All
</Location>
<Location /compat-only-deny>
  Order allow,deny
  Allow from 10.1
</Location>
<Location /valid-user-no-authtype>
  Require valid-user
</Location>
<Location /authtype-no-require>
  AuthType Basic
  AuthName "X"
  AuthUserFile /tmp/authz-ap/htpasswd
</Location>
<Location /group>
  AuthType Basic
  AuthName "G"
  AuthUserFile /tmp/authz-ap/htpasswd
  AuthGroupFile /tmp/authz-ap/groups
  Require group admins
</Location>
<Location /user-bob>
  AuthType Basic
  AuthName "U"
  AuthUserFile /tmp/authz-ap/htpasswd
  Require user bob
</Location>
<Location /user-bob-403>
  AuthType Basic
  AuthName "U"
  AuthUserFile /tmp/authz-ap/htpasswd
  AuthzSendForbiddenOnFailure On
  Require user bob
</Location>
<Location /none-in-all>
  <RequireAll>
    Require all granted
    <RequireNone>
      Require ip 10.1
      Require ip 127.0.0.1
    </RequireNone>
  </RequireAll>
</Location>
<Location /method>
  Require method POST
</Location>
<Location /env>
  Require env let_me_in
</Location>
<Location /ip-or-user>
  AuthType Basic
  AuthName "IU"
  AuthUserFile /tmp/authz-ap/htpasswd
  Require ip 10.1
  Require valid-user
</Location>
<Location /all-ip-user>
  AuthType Basic
  AuthName "AIU"
  AuthUserFile /tmp/authz-ap/htpasswd
  <RequireAll>
    Require ip 127.0.0.1
    Require valid-user
  </RequireAll>
</Location>
<Location /notuser>
  AuthType Basic
  AuthName "NU"
  AuthUserFile /tmp/authz-ap/htpasswd
  <RequireAll>
    Require valid-user
    Require not user md5u
  </RequireAll>
</Location>
<Location /merge>
  Require ip 127.0.0.1
</Location>
<Location /merge/and>
  AuthType Basic
  AuthName "M"
  AuthUserFile /tmp/authz-ap/htpasswd
  AuthMerging And
  Require user shau
</Location>
<Location /merge/off>
  AuthMerging Off
</Location>
<Location /neutral>
  <RequireAll>
    Require all granted
    Require not env let_me_in
  </RequireAll>
</Location>
<Location /host>
  Require host localhost
</Location>
<Location /host-no>
  Require host example.org
</Location>
<Location /host-comment>
  Require host example.org localhost # later
</Location>
<Location /host-only-comment>
  Require host #nothing
</Location>
<Location /allow-host>
  Order deny,allow
  Deny from all
  Allow from localhost
</Location>
<Location /local>
  Require local
</Location>
<Location /ip6>
  Require ip ::1
</Location>
<Location /ip6net>
  Require ip 2001:db8::/32 10.1
</Location>
<Location /limit>
  AuthType Basic
  AuthName "L"
  AuthUserFile /tmp/authz-ap/htpasswd
  <Limit POST>
    Require valid-user
  </Limit>
</Location>
<Location /limit-mixed>
  AuthType Basic
  AuthName "LM"
  AuthUserFile /tmp/authz-ap/htpasswd
  Require ip 10.1
  <Limit POST>
    Require valid-user
  </Limit>
</Location>
<Location /limit-order>
  <Limit POST>
    Order allow,deny
  </Limit>
</Location>
<Location /nofile>
  AuthType Basic
  AuthName "NF"
  AuthUserFile /tmp/authz-ap/missing
  Require valid-user
</Location>
<Location /noname>
  AuthType Basic
  AuthUserFile /tmp/authz-ap/htpasswd
  Require valid-user
</Location>
<Location /nouserfile>
  AuthType Basic
  AuthName "NUF"
  Require valid-user
</Location>
<Location /nogroupfile>
  AuthType Basic
  AuthName "NGF"
  AuthUserFile /tmp/authz-ap/htpasswd
  Require group admins
</Location>
<Location /missinggroupfile>
  AuthType Basic
  AuthName "MGF"
  AuthUserFile /tmp/authz-ap/htpasswd
  AuthGroupFile /tmp/authz-ap/nogroups
  Require group admins
</Location>
<Location /nonauthoritative>
  AuthType Basic
  AuthName "NA"
  AuthUserFile /tmp/authz-ap/htpasswd
  AuthBasicAuthoritative Off
  Require valid-user
</Location>
<Location /authtype-none>
  AuthType None
  Require valid-user
</Location>
<Location /merge2>
  Require ip 10.1
</Location>
<Location /merge2/or>
  AuthType Basic
  AuthName "MO"
  AuthUserFile /tmp/authz-ap/htpasswd
  AuthMerging Or
  Require user shau
</Location>
<Location /merge2/plain>
  AuthType Basic
  AuthName "MP"
  AuthUserFile /tmp/authz-ap/htpasswd
</Location>
<Location /merge2/and>
  AuthType Basic
  AuthName "MA"
  AuthUserFile /tmp/authz-ap/htpasswd
  AuthMerging And
  Require valid-user
</Location>
<Location /longline>
  AuthType Basic
  AuthName "LL"
  AuthUserFile /tmp/authz-ap/htpasswd-long
  Require valid-user
</Location>
<Location /edge>
  AuthType Basic
  AuthName "E"
  AuthUserFile /tmp/authz-ap/htpasswd-edge
  Require valid-user
</Location>
`

// apacheRoot is where Apache's instance kept its files; testdata holds
// the same htpasswd and groups files.
const apacheRoot = "/tmp/authz-ap/"

func testdataDir(t testing.TB) string {
	d, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return d + "/"
}

// apacheLine renders an entry as Apache's error log shows it, after the
// [module:level] field: "(2)No such file or directory: AH01620: ...".
func apacheLine(e Entry) string {
	msg := e.Module + ": "
	var errno syscall.Errno
	if errors.As(e.Err, &errno) {
		text := errno.Error()
		msg += "(" + strconv.Itoa(int(errno)) + ")" + strings.ToUpper(text[:1]) + text[1:] + ": "
	}
	return msg + e.Msg
}

// splitArgs splits a directive line with Apache's quoting (ap_getword_conf).
func splitArgs(l string) []string {
	var out []string
	for {
		l = strings.TrimLeft(l, " \t")
		if l == "" {
			return out
		}
		if l[0] == '"' {
			var b strings.Builder
			i := 1
			for ; i < len(l) && l[i] != '"'; i++ {
				if l[i] == '\\' && i+1 < len(l) && (l[i+1] == '"' || l[i+1] == '\\') {
					i++
				}
				b.WriteByte(l[i])
			}
			out = append(out, b.String())
			l = l[min(i+1, len(l)):]
			continue
		}
		i := strings.IndexAny(l, " \t")
		if i < 0 {
			i = len(l)
		}
		out = append(out, l[:i])
		l = l[i:]
	}
}

// loadSections builds each <Location>'s AuthConfig, and merges each one
// onto the sections whose paths are its prefixes, as Apache's location
// walk does for these paths.
func loadSections(t testing.TB, text string) map[string]*conf.AuthConfig {
	t.Helper()
	text = strings.ReplaceAll(text, apacheRoot, testdataDir(t))
	own := map[string]*conf.AuthConfig{}
	var order []string
	var b *conf.AuthBuilder
	var loc string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "":
		case strings.HasPrefix(l, "<Location "):
			loc = strings.TrimSuffix(strings.TrimPrefix(l, "<Location "), ">")
			b = &conf.AuthBuilder{}
		case l == "</Location>":
			cfg, err := b.Finish()
			if err != nil {
				t.Fatalf("%s: %v", loc, err)
			}
			own[loc] = cfg
			order = append(order, loc)
		case strings.HasPrefix(l, "<Limit "):
			b.Limited = conf.MethodMaskOf(strings.Fields(strings.TrimSuffix(l[len("<Limit "):], ">"))...)
		case l == "</Limit>":
			b.Limited = 0
		case strings.HasPrefix(l, "</"):
			if err := b.Close(); err != nil {
				t.Fatalf("%s: %v", loc, err)
			}
		case strings.HasPrefix(l, "<"):
			if err := b.Open(strings.TrimSuffix(l, ">"), nil); err != nil {
				t.Fatalf("%s: %v", loc, err)
			}
		default:
			f := splitArgs(l)
			if err := b.Directive(f[0], f[1:]); err != nil {
				t.Fatalf("%s: %s: %v", loc, l, err)
			}
		}
	}
	merged := map[string]*conf.AuthConfig{}
	for _, loc := range order {
		var m *conf.AuthConfig
		for _, p := range order {
			if p == loc || strings.HasPrefix(loc, p+"/") {
				m = conf.MergeAuth(m, own[p])
			}
		}
		merged[loc] = m
	}
	return merged
}

// hostsFile is a HostLookup knowing /etc/hosts' localhost (for 127.0.0.1
// only: ::1 is ip6-localhost on Debian).
type hostsFile struct{}

func (hostsFile) RemoteHost() (string, bool) { return "localhost", true }

type envSet map[string]bool

func (e envSet) Has(n string) bool { return e[n] }

func basicHeader(userpw string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(userpw))
}

// apacheCases are Apache's answers (see apacheSections). log lists the
// warn and error lines as "module: message".
var apacheCases = []struct {
	loc, file string
	auth      string // Authorization header, "" for none
	method    string
	xpass     bool // X-Pass: yes (SetEnvIf sets let_me_in)
	v6        bool // sent to and from [::1] (curl http://[::1]:18089/...)
	status    int
	www       string
	user      string // %u in the access log, "-" for none
	log       []string
}{
	{loc: "/granted", status: 0, user: "-"},
	{loc: "/requireall-not", status: 403, user: "-", log: []string{"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/requireall-not/f.txt"}},
	{loc: "/partial", status: 0, user: "-"},
	{loc: "/partial-no", status: 403, user: "-", log: []string{"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/partial-no/f.txt"}},
	{loc: "/netmask", status: 0, user: "-"},
	{loc: "/basic", status: 401, www: `Basic realm="Private \"Area\""`, user: "-"},
	{loc: "/basic", auth: basicHeader("bcryptu:secret"), status: 0, user: "bcryptu"},
	{loc: "/basic", auth: basicHeader("bcryptu:wrong"), status: 401, www: `Basic realm="Private \"Area\""`, user: "bcryptu",
		log: []string{`auth_basic: AH01617: user bcryptu: authentication failure for "/basic/f.txt": Password Mismatch`}},
	{loc: "/basic", auth: basicHeader("nobody:x"), status: 401, www: `Basic realm="Private \"Area\""`, user: "nobody",
		log: []string{"auth_basic: AH01618: user nobody not found: /basic/f.txt"}},
	{loc: "/basic", auth: basicHeader("md5u:secret"), status: 0, user: "md5u"},
	{loc: "/basic", auth: basicHeader("shau:secret"), status: 0, user: "shau"},
	{loc: "/basic", auth: basicHeader("cryptu:secret"), status: 0, user: "cryptu"},
	{loc: "/basic", auth: basicHeader("plainu:secret"), status: 401, www: `Basic realm="Private \"Area\""`, user: "plainu",
		log: []string{`auth_basic: AH01617: user plainu: authentication failure for "/basic/f.txt": Password Mismatch`}},
	{loc: "/basic", auth: basicHeader("md5cu:secret"), status: 0, user: "md5cu"},
	{loc: "/basic", auth: basicHeader("sha256u:secret"), status: 0, user: "sha256u"},
	{loc: "/basic", auth: basicHeader("sha512u:secret"), status: 0, user: "sha512u"},
	{loc: "/basic", auth: basicHeader("y2b:secret"), status: 0, user: "y2b"},
	{loc: "/basic", auth: "Digest foo", status: 401, www: `Basic realm="Private \"Area\""`, user: "-",
		log: []string{"auth_basic: AH01614: client used wrong authentication scheme: /basic/f.txt"}},
	{loc: "/basic", auth: "Basic !!!!", status: 401, www: `Basic realm="Private \"Area\""`, user: `""`,
		log: []string{"auth_basic: AH01618: user  not found: /basic/f.txt"}},
	{loc: "/basic", auth: "basic   " + base64.StdEncoding.EncodeToString([]byte("shau:secret")), status: 0, user: "shau"},
	{loc: "/basic", auth: basicHeader("shau"), status: 401, www: `Basic realm="Private \"Area\""`, user: "shau",
		log: []string{`auth_basic: AH01617: user shau: authentication failure for "/basic/f.txt": Password Mismatch`}},
	{loc: "/basic", auth: "Basic", status: 401, www: `Basic realm="Private \"Area\""`, user: `""`,
		log: []string{"auth_basic: AH01618: user  not found: /basic/f.txt"}},

	{loc: "/satisfy-any", status: 0, user: "-"},
	{loc: "/satisfy-any-noip", status: 401, www: `Basic realm="SA"`, user: "-",
		log: []string{"access_compat: AH01797: client denied by server configuration: /tmp/authz-ap/htdocs/satisfy-any-noip/f.txt"}},
	{loc: "/satisfy-any-noip", auth: basicHeader("shau:secret"), status: 0, user: "shau",
		log: []string{"access_compat: AH01797: client denied by server configuration: /tmp/authz-ap/htdocs/satisfy-any-noip/f.txt"}},
	{loc: "/satisfy-any-noip", auth: basicHeader("shau:bad"), status: 401, www: `Basic realm="SA"`, user: "shau",
		log: []string{"access_compat: AH01797: client denied by server configuration: /tmp/authz-ap/htdocs/satisfy-any-noip/f.txt",
			`auth_basic: AH01617: user shau: authentication failure for "/satisfy-any-noip/f.txt": Password Mismatch`}},
	{loc: "/satisfy-all", status: 401, www: `Basic realm="SAll"`, user: "-"},
	{loc: "/satisfy-all", auth: basicHeader("shau:secret"), status: 0, user: "shau"},
	{loc: "/satisfy-all-noip", auth: basicHeader("shau:secret"), status: 403, user: "-",
		log: []string{"access_compat: AH01797: client denied by server configuration: /tmp/authz-ap/htdocs/satisfy-all-noip/f.txt"}},
	{loc: "/satisfy-all-noip", status: 403, user: "-",
		log: []string{"access_compat: AH01797: client denied by server configuration: /tmp/authz-ap/htdocs/satisfy-all-noip/f.txt"}},
	{loc: "/compat-only-deny", status: 403, user: "-",
		log: []string{"access_compat: AH01797: client denied by server configuration: /tmp/authz-ap/htdocs/compat-only-deny/f.txt"}},
	{loc: "/valid-user-no-authtype", status: 500, user: "-",
		log: []string{"core: AH00027: No authentication done but request not allowed without authentication for /valid-user-no-authtype/f.txt. Authentication not configured?"}},
	{loc: "/authtype-no-require", status: 500, user: "-",
		log: []string{"authz_core: AH01627: AuthType configured with no corresponding authorization directives"}},
	{loc: "/group", auth: basicHeader("bcryptu:secret"), status: 0, user: "bcryptu"},
	{loc: "/group", auth: basicHeader("shau:secret"), status: 401, www: `Basic realm="G"`, user: "shau",
		log: []string{`authz_core: AH01631: user shau: authorization failure for "/group/f.txt": `}},
	{loc: "/group", auth: basicHeader("cryptu:secret"), status: 401, www: `Basic realm="G"`, user: "cryptu",
		log: []string{`authz_core: AH01631: user cryptu: authorization failure for "/group/f.txt": `}},
	{loc: "/user-bob", auth: basicHeader("shau:secret"), status: 401, www: `Basic realm="U"`, user: "shau",
		log: []string{`authz_core: AH01631: user shau: authorization failure for "/user-bob/f.txt": `}},
	{loc: "/user-bob-403", auth: basicHeader("shau:secret"), status: 403, user: "shau",
		log: []string{`authz_core: AH01631: user shau: authorization failure for "/user-bob-403/f.txt": `}},
	{loc: "/user-bob", status: 401, www: `Basic realm="U"`, user: "-"},
	{loc: "/none-in-all", status: 403, user: "-",
		log: []string{"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/none-in-all/f.txt"}},
	{loc: "/method", status: 403, user: "-",
		log: []string{"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/method/f.txt"}},
	{loc: "/method", method: "POST", status: 0, user: "-"},
	{loc: "/env", status: 403, user: "-",
		log: []string{"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/env/f.txt"}},
	{loc: "/env", xpass: true, status: 0, user: "-"},
	{loc: "/ip-or-user", status: 401, www: `Basic realm="IU"`, user: "-"},
	{loc: "/ip-or-user", auth: basicHeader("shau:secret"), status: 0, user: "shau"},
	{loc: "/all-ip-user", status: 401, www: `Basic realm="AIU"`, user: "-"},
	{loc: "/all-ip-user", auth: basicHeader("shau:secret"), status: 0, user: "shau"},
	{loc: "/notuser", status: 401, www: `Basic realm="NU"`, user: "-"},
	{loc: "/notuser", auth: basicHeader("md5u:secret"), status: 401, www: `Basic realm="NU"`, user: "md5u",
		log: []string{`authz_core: AH01631: user md5u: authorization failure for "/notuser/f.txt": `}},
	{loc: "/notuser", auth: basicHeader("shau:secret"), status: 0, user: "shau"},
	{loc: "/merge", status: 0, user: "-"},
	{loc: "/merge/and", status: 401, www: `Basic realm="M"`, user: "-"},
	{loc: "/merge/and", auth: basicHeader("shau:secret"), status: 0, user: "shau"},
	{loc: "/merge/and", auth: basicHeader("md5u:secret"), status: 401, www: `Basic realm="M"`, user: "md5u",
		log: []string{`authz_core: AH01631: user md5u: authorization failure for "/merge/and/f.txt": `}},
	{loc: "/merge/off", status: 0, user: "-"},
	{loc: "/neutral", status: 0, user: "-"},
	{loc: "/neutral", xpass: true, status: 403, user: "-",
		log: []string{"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/neutral/f.txt"}},
	// Host names: 127.0.0.1 is "localhost" both ways (/etc/hosts).
	{loc: "/host", status: 0, user: "-"},
	{loc: "/host-no", status: 403, user: "-",
		log: []string{"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/host-no/f.txt"}},
	{loc: "/host-comment", status: 0, user: "-",
		log: []string{"authz_host: AH10121: authz_host authorize: ignoring comment in 'Require host example.org localhost # later'"}},
	{loc: "/host-only-comment", status: 403, user: "-",
		log: []string{"authz_host: AH10120: authz_host authorize: dubious empty 'Require host #nothing' with only comment",
			"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/host-only-comment/f.txt"}},
	{loc: "/allow-host", status: 0, user: "-"},
	{loc: "/local", status: 0, user: "-"},
	{loc: "/ip6", status: 403, user: "-",
		log: []string{"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/ip6/f.txt"}},
	{loc: "/ip6net", status: 403, user: "-",
		log: []string{"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/ip6net/f.txt"}},
	{loc: "/local", v6: true, status: 0, user: "-"},
	{loc: "/ip6", v6: true, status: 0, user: "-"},
	{loc: "/ip6net", v6: true, status: 403, user: "-",
		log: []string{"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/ip6net/f.txt"}},
	{loc: "/partial", v6: true, status: 403, user: "-",
		log: []string{"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/partial/f.txt"}},
	{loc: "/netmask", v6: true, status: 403, user: "-",
		log: []string{"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/netmask/f.txt"}},
	// <Limit POST>: other methods skip the Require lines inside.
	{loc: "/limit", status: 0, user: "-"},
	{loc: "/limit", method: "POST", status: 401, www: `Basic realm="L"`, user: "-"},
	{loc: "/limit-mixed", status: 403, user: "-",
		log: []string{"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/limit-mixed/f.txt"}},
	{loc: "/limit-mixed", method: "POST", status: 401, www: `Basic realm="LM"`, user: "-"},
	{loc: "/limit-order", status: 0, user: "-"},
	{loc: "/limit-order", method: "POST", status: 403, user: "-",
		log: []string{"access_compat: AH01797: client denied by server configuration: /tmp/authz-ap/htdocs/limit-order/f.txt"}},
	{loc: "/method", method: "HEAD", status: 403, user: "-",
		log: []string{"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/method/f.txt"}},
	{loc: "/method", method: "FOO", status: 403, user: "-",
		log: []string{"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/method/f.txt"}},
	{loc: "/basic", method: "FOO", status: 401, www: `Basic realm="Private \"Area\""`, user: "-"},
	// AuthMerging Or and And under a parent's "Require ip 10.1"; a child
	// without authz_core directives keeps the parent's tree.
	{loc: "/merge2/or", status: 401, www: `Basic realm="MO"`, user: "-"},
	{loc: "/merge2/or", auth: basicHeader("shau:secret"), status: 0, user: "shau"},
	{loc: "/merge2/or", auth: basicHeader("md5u:secret"), status: 401, www: `Basic realm="MO"`, user: "md5u",
		log: []string{`authz_core: AH01631: user md5u: authorization failure for "/merge2/or/f.txt": `}},
	{loc: "/merge2/plain", status: 403, user: "-",
		log: []string{"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/merge2/plain/f.txt"}},
	{loc: "/merge2/plain", auth: basicHeader("shau:secret"), status: 403, user: "-",
		log: []string{"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/merge2/plain/f.txt"}},
	{loc: "/merge2/and", auth: basicHeader("shau:secret"), status: 403, user: "-",
		log: []string{"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/merge2/and/f.txt"}},
	// htpasswd reading: a line over 8191 bytes ends the file; lines are
	// trimmed of ASCII blanks only and continued by a final backslash.
	{loc: "/longline", auth: basicHeader("shau:secret"), status: 0, user: "shau"},
	{loc: "/longline", auth: basicHeader("after:secret"), status: 401, www: `Basic realm="LL"`, user: "after",
		log: []string{"auth_basic: AH01618: user after not found: /longline/f.txt"}},
	{loc: "/edge", auth: basicHeader("spaced:secret"), status: 0, user: "spaced"},
	{loc: "/edge", auth: basicHeader("cont:secret"), status: 0, user: "cont"},
	{loc: "/edge", auth: basicHeader("nbsp:secret"), status: 401, www: `Basic realm="E"`, user: "nbsp",
		log: []string{`auth_basic: AH01617: user nbsp: authentication failure for "/edge/f.txt": Password Mismatch`}},
	// Configuration gaps and missing files.
	{loc: "/nofile", auth: basicHeader("shau:secret"), status: 500, user: "shau",
		log: []string{"authn_file: (2)No such file or directory: AH01620: Could not open password file: /tmp/authz-ap/missing"}},
	{loc: "/nofile", status: 401, www: `Basic realm="NF"`, user: "-"},
	{loc: "/noname", auth: basicHeader("shau:secret"), status: 500, user: "-",
		log: []string{"auth_basic: AH01615: need AuthName: /noname/f.txt"}},
	{loc: "/noname", status: 500, user: "-", log: []string{"auth_basic: AH01615: need AuthName: /noname/f.txt"}},
	{loc: "/nouserfile", auth: basicHeader("shau:secret"), status: 500, user: "shau",
		log: []string{"authn_file: AH01619: AuthUserFile not specified in the configuration"}},
	{loc: "/nogroupfile", auth: basicHeader("shau:secret"), status: 401, www: `Basic realm="NGF"`, user: "shau",
		log: []string{"authz_groupfile: AH01664: No group file was specified in the configuration",
			`authz_core: AH01631: user shau: authorization failure for "/nogroupfile/f.txt": `}},
	{loc: "/missinggroupfile", auth: basicHeader("shau:secret"), status: 401, www: `Basic realm="MGF"`, user: "shau",
		log: []string{"authz_groupfile: (2)No such file or directory: AH01665: Could not open group file: /tmp/authz-ap/nogroups",
			`authz_core: AH01631: user shau: authorization failure for "/missinggroupfile/f.txt": `}},
	{loc: "/nonauthoritative", auth: basicHeader("nobody:x"), status: 500, user: "nobody",
		log: []string{"authn_core: AH01796: AuthType Basic configured without corresponding module"}},
	{loc: "/nonauthoritative", auth: basicHeader("shau:bad"), status: 401, www: `Basic realm="NA"`, user: "shau",
		log: []string{`auth_basic: AH01617: user shau: authentication failure for "/nonauthoritative/f.txt": Password Mismatch`}},
	{loc: "/authtype-none", auth: basicHeader("shau:secret"), status: 500, user: "-",
		log: []string{"core: AH00027: No authentication done but request not allowed without authentication for /authtype-none/f.txt. Authentication not configured?"}},
	// A directory and a missing file: r->filename as mapped.
	{loc: "/requireall-not", file: "/", status: 403, user: "-",
		log: []string{"authz_core: AH01630: client denied by server configuration: /tmp/authz-ap/htdocs/requireall-not/"}},
}

// TestApacheComparison replays the requests sent to Apache and expects
// its answers: status (0 where Apache went on to serve the file), the
// WWW-Authenticate header, %u and the error-log lines.
func TestApacheComparison(t *testing.T) {
	sections := loadSections(t, apacheSections)
	c := NewChecker(nil)
	dir := testdataDir(t)
	for _, tc := range apacheCases {
		file := tc.file
		if file == "" {
			file = "/f.txt"
		}
		name := tc.loc + file + " " + tc.auth + " " + tc.method
		if tc.v6 {
			name += " v6"
		}
		t.Run(name, func(t *testing.T) {
			cfg, ok := sections[tc.loc]
			if !ok {
				t.Fatalf("no section %s", tc.loc)
			}
			method := tc.method
			if method == "" {
				method = "GET"
			}
			env := envSet{}
			if tc.xpass {
				env["let_me_in"] = true
			}
			ip := netip.MustParseAddr("127.0.0.1")
			if tc.v6 {
				ip = netip.IPv6Loopback()
			}
			req := &Request{
				ClientIP: ip,
				LocalIP:  ip,
				Host:     hostsFile{},
				Method:   conf.MethodNumber(method),
				URI:      tc.loc + file,
				Filename: "/tmp/authz-ap/htdocs" + tc.loc + file,
				Env:      env,
			}
			if tc.auth != "" {
				req.Authorization, req.HasAuthorization = []byte(tc.auth), true
			}
			d := c.Check(cfg, req)
			if d.Status != tc.status {
				t.Errorf("status = %d, want %d", d.Status, tc.status)
			}
			if d.WWWAuthenticate != tc.www {
				t.Errorf("WWW-Authenticate = %q, want %q", d.WWWAuthenticate, tc.www)
			}
			u := "-"
			if d.HasUser {
				u = d.User
				if u == "" {
					u = `""`
				}
			}
			if u != tc.user {
				t.Errorf("%%u = %s, want %s", u, tc.user)
			}
			var logs []string
			for _, e := range d.Log {
				if e.Level >= slog.LevelWarn {
					logs = append(logs, strings.ReplaceAll(apacheLine(e), dir, apacheRoot))
				}
			}
			if strings.Join(logs, "\n") != strings.Join(tc.log, "\n") {
				t.Errorf("log:\n%s\nwant:\n%s", strings.Join(logs, "\n"), strings.Join(tc.log, "\n"))
			}
		})
	}
}
