package conf

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// loadText loads text as an httpd.conf with -T (no DocumentRoot check).
func loadText(t *testing.T, text string) (*Config, string, error) {
	t.Helper()
	file := writeConf(t, "httpd.conf", text)
	cfg, err := Load(Options{File: file, SkipDocumentRootCheck: true})
	return cfg, file, err
}

// refusedCase is a configuration with one refused directive or section.
type refusedCase struct {
	name, text string
	line       int    // where the refused directive is
	directive  string // the directive or section tag the error names
	want       string // a piece of the message
}

// warnedCase is a configuration whose line 2 is accepted and ignored.
type warnedCase struct{ name, text, want string }

// refusedCases are configurations with one refused directive or section:
// the line it is on, the directive or section tag the error names, and a
// piece of the message.
var refusedCases = []refusedCase{
	{"AuthzDBDQuery", "Listen 80\nAuthzDBDQuery x\n", 2, "AuthzDBDQuery", "AuthzDBDQuery"},
	{"SetHandler at top", "Listen 80\nSetHandler server-status\n", 2, "SetHandler", "'SetHandler server-status'"},
	{"SetHandler in FilesMatch", "Listen 80\n<FilesMatch \\.php$>\nSetHandler application/x-httpd-php\n</FilesMatch>\n", 3, "SetHandler", "inside <FilesMatch"},
	{"unsupported handler in Location", "Listen 80\n<Location /info>\nSetHandler server-info\n</Location>\n", 3, "SetHandler", "'SetHandler server-info' inside <Location /info>"},
	{"AddHandler", "Listen 80\nAddHandler cgi-script .cgi\n", 2, "AddHandler", "'AddHandler cgi-script .cgi'"},
	{"Action", "Listen 80\nAction x /cgi-bin/x\n", 2, "Action", "Action"},
	{"ScriptAlias", "Listen 80\nScriptAlias /cgi-bin/ /srv/cgi/\n", 2, "ScriptAlias", "ScriptAlias"},
	{"Alias", "Listen 80\nAlias /icons/ /usr/share/icons/\n", 2, "Alias", "'Alias /icons/ /usr/share/icons/'"},
	{"AliasMatch", "Listen 80\nAliasMatch ^/x /y\n", 2, "AliasMatch", "AliasMatch"},
	{"Redirect", "Listen 80\nRedirect /old http://example.com/new\n", 2, "Redirect", "Redirect"},
	{"RedirectMatch", "Listen 80\nRedirectMatch ^/x /y\n", 2, "RedirectMatch", "RedirectMatch"},
	{"RedirectPermanent", "Listen 80\nRedirectPermanent /x /y\n", 2, "RedirectPermanent", "RedirectPermanent"},
	{"ErrorDocument", "Listen 80\nErrorDocument 404 /missing.html\n", 2, "ErrorDocument", "ErrorDocument"},
	{"RewriteRule", "Listen 80\nRewriteEngine On\n", 2, "RewriteEngine", "'RewriteEngine On'"},
	{"RewriteRule in LoadModule'd IfModule", "Listen 80\nLoadModule rewrite_module modules/mod_rewrite.so\n<IfModule mod_rewrite.c>\nRewriteRule ^/secret - [F]\n</IfModule>\n", 4, "RewriteRule", "RewriteRule"},
	{"ProxyErrorOverride", "Listen 80\nProxyErrorOverride On\n", 2, "ProxyErrorOverride", "ProxyErrorOverride"},
	{"Proxy http section", "Listen 80\n<Proxy http://example.com/>\n</Proxy>\n", 2, "<Proxy>", "<Proxy http://example.com/>"},
	{"SSLRequireSSL", "Listen 80\n<Directory /srv>\nSSLRequireSSL\n</Directory>\n", 3, "SSLRequireSSL", "'SSLRequireSSL' inside <Directory /srv>"},
	{"SSLOptions +FakeBasicAuth", "Listen 80\n<Location />\nSSLOptions +FakeBasicAuth\n</Location>\n", 3, "SSLOptions", "'SSLOptions +FakeBasicAuth'"},
	{"Options Indexes", "Listen 80\n<Directory /srv>\nOptions Indexes FollowSymLinks\n</Directory>\n", 3, "Options", "'Options Indexes FollowSymLinks'"},
	{"Options +Indexes", "Listen 80\nOptions +Indexes\n", 2, "Options", "+Indexes"},
	{"Options MultiViews", "Listen 80\nOptions FollowSymLinks MultiViews\n", 2, "Options", "MultiViews"},
	{"Options All", "Listen 80\nOptions All\n", 2, "Options", "'Options All'"},
	{"Options ExecCGI", "Listen 80\n<Directory /srv>\nOptions ExecCGI\n</Directory>\n", 3, "Options", "'Options ExecCGI' inside <Directory /srv>"},
	{"Options +Includes", "Listen 80\nOptions +Includes\n", 2, "Options", "+Includes"},
	{"Files in Files", "Listen 80\n<Files a>\n<Files b>\n</Files>\n</Files>\n", 3, "<Files>", "<Files b>"},
	{"Protocols in Directory", "Listen 80\n<Directory /x>\nProtocols h2 http/1.1\n</Directory>\n", 3, "Protocols", "Protocols h2 http/1.1"},
	{"H2Foo", "Listen 80\nH2Foo on\n", 2, "H2Foo", "H2Foo"},
	{"ServerTokens Full", "Listen 80\nServerTokens Full\n", 2, "ServerTokens", "'ServerTokens Full'"},
	{"ServerSignature On", "Listen 80\nServerSignature On\n", 2, "ServerSignature", "'ServerSignature On'"},
	{"HostnameLookups On", "Listen 80\nHostnameLookups On\n", 2, "HostnameLookups", "'HostnameLookups On'"},
	{"TraceEnable On", "Listen 80\nTraceEnable On\n", 2, "TraceEnable", "'TraceEnable On'"},
	{"UseCanonicalName On", "Listen 80\nUseCanonicalName On\n", 2, "UseCanonicalName", "'UseCanonicalName On'"},
	{"FileETag INode", "Listen 80\nFileETag INode MTime Size\n", 2, "FileETag", "INode"},
	{"FileETag None", "Listen 80\nFileETag None\n", 2, "FileETag", "'FileETag None'"},
	{"AcceptPathInfo On", "Listen 80\nAcceptPathInfo On\n", 2, "AcceptPathInfo", "'AcceptPathInfo On'"},
	{"AllowEncodedSlashes On", "Listen 80\nAllowEncodedSlashes NoDecode\n", 2, "AllowEncodedSlashes", "NoDecode"},
	{"DirectorySlash Off", "Listen 80\nDirectorySlash Off\n", 2, "DirectorySlash", "'DirectorySlash Off'"},
	{"FallbackResource", "Listen 80\nFallbackResource /index.php\n", 2, "FallbackResource", "FallbackResource"},
	{"UserDir public_html", "Listen 80\nUserDir public_html\n", 2, "UserDir", "public_html"},
	{"DirectoryIndex in Directory", "Listen 80\n<Directory /srv>\nDirectoryIndex start.html\n</Directory>\n", 3, "DirectoryIndex", "'DirectoryIndex start.html' inside <Directory /srv>"},
	{"KeepAliveTimeout in VirtualHost", "Listen 80\n<VirtualHost *:80>\nServerName a.example.com\nKeepAliveTimeout 3\n</VirtualHost>\n", 4, "KeepAliveTimeout", "'KeepAliveTimeout 3' inside <VirtualHost *:80>"},
	{"If", "Listen 80\n<If \"%{HTTPS} != 'on'\">\n</If>\n", 2, "<If>", "<If"},
	{"Proxy section", "Listen 80\n<Proxy \"*\">\n</Proxy>\n", 2, "<Proxy>", "<Proxy"},
	{"UseCanonicalPhysicalPort On", "Listen 80\nUseCanonicalPhysicalPort On\n", 2, "UseCanonicalPhysicalPort", "On"},
	{"MaxRanges unlimited", "Listen 80\nMaxRanges unlimited\n", 2, "MaxRanges", "unlimited"},
	{"MaxRangeOverlaps 5", "Listen 80\nMaxRangeOverlaps 5\n", 2, "MaxRangeOverlaps", "5"},
	{"MaxRangeReversals none", "Listen 80\nMaxRangeReversals none\n", 2, "MaxRangeReversals", "none"},
	{"DirectoryCheckHandler On", "Listen 80\nDirectoryCheckHandler On\n", 2, "DirectoryCheckHandler", "On"},
	{"ContentDigest On", "Listen 80\nContentDigest On\n", 2, "ContentDigest", "On"},
	{"XBitHack On", "Listen 80\nXBitHack on\n", 2, "XBitHack", "on"},
	{"Use macro", "Listen 80\nUse VHost example.com\n", 2, "Use", "'Use VHost example.com'"},
}

// TestRefused: each refused directive or section fails Load with an
// *Error naming file, line and directive, worded as one line.
func TestRefused(t *testing.T) {
	for _, tt := range refusedCases {
		t.Run(tt.name, func(t *testing.T) {
			_, file, err := loadText(t, tt.text)
			if err == nil {
				t.Fatalf("Load(%q) = nil error, want a refusal", tt.text)
			}
			e := findError(t, err, tt.line, tt.directive, tt.want)
			if e == nil {
				t.Fatalf("Load(%q) = %q, want an error at line %d for %s containing %q", tt.text, err, tt.line, tt.directive, tt.want)
			}
			if e.File != file {
				t.Errorf("error file = %q, want %q", e.File, file)
			}
			msg := e.Err.Error()
			if !strings.Contains(msg, "gohttpd does not implement") || !strings.HasSuffix(msg, "yet; ignoring it would change what clients get") || strings.Contains(msg, "\n") {
				t.Errorf("message %q is not the one-line refusal", msg)
			}
			want := file + ":" + strconv.Itoa(tt.line) + ": " + tt.directive + ": "
			if !strings.HasPrefix(e.Error(), want) {
				t.Errorf("Error() = %q, want it to start with %q", e.Error(), want)
			}
		})
	}
}

// warnedCases are configurations whose line 2 is accepted and ignored with
// a notice containing want.
var warnedCases = []warnedCase{
	{"EnableSendfile", "Listen 80\nEnableSendfile Off\n", "ignored: EnableSendfile Off"},
	{"EnableMMAP", "Listen 80\nEnableMMAP On\n", "ignored: EnableMMAP On"},
	{"Mutex", "Listen 80\nMutex file:/var/lock default\n", "ignored: Mutex"},
	{"ThreadStackSize", "Listen 80\nThreadStackSize 8388608\n", "ignored: ThreadStackSize"},
	{"MaxMemFree", "Listen 80\nMaxMemFree 2048\n", "ignored: MaxMemFree 2048"},
	{"CoreDumpDirectory", "Listen 80\nCoreDumpDirectory /tmp\n", "ignored: CoreDumpDirectory"},
	{"ScoreBoardFile", "Listen 80\nScoreBoardFile logs/sb\n", "ignored: ScoreBoardFile"},
	{"DefaultRuntimeDir", "Listen 80\nDefaultRuntimeDir run\n", "ignored: DefaultRuntimeDir"},
	{"BufferedLogs", "Listen 80\nBufferedLogs On\n", "ignored: BufferedLogs"},
	{"LoadModule", "Listen 80\nLoadModule rewrite_module modules/mod_rewrite.so\n", "ignored: LoadModule rewrite_module"},
	{"ServerTokens Prod", "Listen 80\nServerTokens Prod\n", "ignored: ServerTokens Prod"},
	{"ServerTokens ProductOnly", "Listen 80\nServerTokens productonly\n", "ignored: ServerTokens productonly"},
	{"ServerSignature Off", "Listen 80\nServerSignature Off\n", "ignored: ServerSignature Off"},
	{"HostnameLookups Off", "Listen 80\nHostnameLookups off\n", "ignored: HostnameLookups off"},
	{"TraceEnable Off", "Listen 80\nTraceEnable Off\n", "ignored: TraceEnable Off"},
	{"UseCanonicalName Off", "Listen 80\nUseCanonicalName Off\n", "ignored: UseCanonicalName Off"},
	{"FileETag default", "Listen 80\nFileETag MTime Size\n", "ignored: FileETag MTime Size"},
	{"FileETag -INode", "Listen 80\nFileETag -INode\n", "ignored: FileETag -INode"},
	{"H2Push On", "Listen 80\nH2Push on\n", "H2Push on: server push is not done"},
	{"MaxRanges default", "Listen 80\nMaxRanges 200\n", "ignored: MaxRanges 200"},
	{"SetHandler None", "Listen 80\nSetHandler None\n", "ignored: SetHandler None"},
	{"IndexOptions", "Listen 80\nIndexOptions FancyIndexing\n", "ignored: IndexOptions"},
	{"NameVirtualHost", "Listen 80\nNameVirtualHost *:80\n", "ignored: NameVirtualHost"},
	{"WatchdogInterval", "Listen 80\nWatchdogInterval 1\n", "ignored: WatchdogInterval"},
	{"UseCanonicalPhysicalPort Off", "Listen 80\nUseCanonicalPhysicalPort Off\n", "ignored: UseCanonicalPhysicalPort Off"},
	{"MaxRangeOverlaps default", "Listen 80\nMaxRangeOverlaps default\n", "ignored: MaxRangeOverlaps default"},
	{"MaxRangeReversals 20", "Listen 80\nMaxRangeReversals 20\n", "ignored: MaxRangeReversals 20"},
	{"DirectoryCheckHandler Off", "Listen 80\nDirectoryCheckHandler Off\n", "ignored: DirectoryCheckHandler Off"},
	{"AcceptPathInfo Default", "Listen 80\nAcceptPathInfo Default\n", "ignored: AcceptPathInfo Default"},
	{"AllowEncodedSlashes Off", "Listen 80\nAllowEncodedSlashes Off\n", "ignored: AllowEncodedSlashes Off"},
	{"DirectorySlash On", "Listen 80\nDirectorySlash On\n", "ignored: DirectorySlash On"},
	{"ContentDigest Off", "Listen 80\nContentDigest Off\n", "ignored: ContentDigest Off"},
	{"SSLEngine optional", "Listen 80\nSSLEngine optional\n", "SSLEngine: AH10510: 'SSLEngine optional' is no longer supported"},
	{"SSLOptions", "Listen 80\nSSLOptions +StdEnvVars\n", "ignored: SSLOptions +StdEnvVars"},
	{"FallbackResource disabled", "Listen 80\nFallbackResource disabled\n", "ignored: FallbackResource disabled"},
	{"XBitHack Off", "Listen 80\nXBitHack Off\n", "ignored: XBitHack Off"},
	{"UserDir disabled", "Listen 80\nUserDir disabled\n", "ignored: UserDir disabled"},
	{"RewriteEngine Off", "Listen 80\nRewriteEngine Off\n", "ignored: RewriteEngine Off"},
	{"Macro", "Listen 80\n<Macro M $x>\nRequire all denied\n</Macro>\n", "ignored: <Macro M $x>"},
}

// TestWarned: each harmless directive is accepted with a notice naming
// file and line 2.
func TestWarned(t *testing.T) {
	for _, tt := range warnedCases {
		t.Run(tt.name, func(t *testing.T) {
			cfg, file, err := loadText(t, tt.text)
			if err != nil {
				t.Fatalf("Load(%q) = %v, want no error", tt.text, err)
			}
			want := file + ":2: " + tt.want
			if !slices.ContainsFunc(cfg.Notices, func(n string) bool { return strings.HasPrefix(n, want) }) {
				t.Errorf("Notices = %q, want one starting with %q", cfg.Notices, want)
			}
		})
	}
}

// TestSkippedConditionals: a refused directive in an <IfModule> of a
// module that is not loaded, or an <IfDefine> not defined, is not read.
func TestSkippedConditionals(t *testing.T) {
	for _, text := range []string{
		"Listen 80\n<IfModule mod_ssl.c>\nSSLEngine on\nListen 443 https\n</IfModule>\n",
		"Listen 80\n<IfModule rewrite_module>\nRewriteEngine On\n</IfModule>\n",
		"Listen 80\n<IfModule !authz_core_module>\nOrder deny,allow\nDeny from all\n</IfModule>\n",
		"Listen 80\n<IfDefine SSL>\n<VirtualHost *:443>\n</VirtualHost>\n</IfDefine>\n",
	} {
		if cfg, _, err := loadText(t, text); err != nil {
			t.Errorf("Load(%q) = %v, want no error", text, err)
		} else if len(cfg.Notices) != 0 {
			t.Errorf("Load(%q) notices = %q, want none", text, cfg.Notices)
		}
	}
}

// TestRefusedAllAtOnce: one Load reports every refusal, in file order,
// and nothing is applied.
func TestRefusedAllAtOnce(t *testing.T) {
	_, file, err := loadText(t, "Listen 80\nOptions Indexes\nKeepAlive On\nAlias /a /b\n<VirtualHost *:80>\nTimeout 5\n</VirtualHost>\nAction foo /bar\n")
	if err == nil {
		t.Fatal("Load = nil error")
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{file + ":2: Options", file + ":4: Alias", file + ":6: Timeout", file + ":8: Action"}
	if len(lines) != len(want) {
		t.Fatalf("Load = %q, want %d errors", err, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("error %d = %q, want it to start with %q", i, lines[i], w)
		}
	}
}

// TestClassifyLists checks the lists against each other: every refused
// name is refused with any argument, every other name of
// ignoredDirectives without a value rule is warned, and every value rule
// has a harmless and a refused value in the tables above.
func TestClassifyLists(t *testing.T) {
	top := &walkCtx{kind: ctxTop}
	for name := range refusedDirectives {
		if _, ok := harmless[name]; ok {
			t.Errorf("%s is both in refusedDirectives and harmless", name)
		}
		if got := classify(name, []string{"x"}, top); got != refused {
			t.Errorf("classify(%s) = %d, want refused", name, got)
		}
	}
	for name := range ignoredDirectives {
		if _, ok := harmless[name]; ok || refusedDirectives[name] {
			continue
		}
		if got := classify(name, []string{"x"}, top); got != warned {
			t.Errorf("classify(%s) = %d, want warned", name, got)
		}
	}
	for _, p := range refusedPrefixes {
		if got := classify(p+"foo", []string{"x"}, top); got != refused {
			t.Errorf("classify(%sfoo) = %d, want refused", p, got)
		}
	}
	if got := classify("bogus", nil, top); got != unknown {
		t.Errorf("classify(bogus) = %d, want unknown", got)
	}
	lower := func(s string) string { return strings.ToLower(strings.Fields(s)[0]) }
	for name := range harmless {
		w := slices.ContainsFunc(warnedCases, func(c warnedCase) bool { return lower(c.want[len("ignored: "):]) == name })
		r := slices.ContainsFunc(refusedCases, func(c refusedCase) bool { return strings.ToLower(c.directive) == name })
		if !w || !r {
			t.Errorf("value rule %s: warned case %v, refused case %v; want both in the tables", name, w, r)
		}
	}
}

// TestRefusedEnvironment: a GOHTTPD_* variable naming a refused directive
// is refused; one naming nothing known stays a notice.
func TestRefusedEnvironment(t *testing.T) {
	file := writeConf(t, "httpd.conf", "Listen 80\n")
	_, err := Load(Options{File: file, Environ: []string{"GOHTTPD_REQUIRE=all denied"}})
	if err == nil {
		t.Fatal("Load(GOHTTPD_REQUIRE) = nil error, want a refusal")
	}
	if e := findError(t, err, 0, "REQUIRE", "'REQUIRE all denied'"); e == nil || e.File != "GOHTTPD_REQUIRE" {
		t.Errorf("Load(GOHTTPD_REQUIRE) = %v, want a refusal naming GOHTTPD_REQUIRE", err)
	}
	cfg, err := Load(Options{File: file, Environ: []string{"GOHTTPD_ENABLESENDFILE=Off", "GOHTTPD_BOGUS=1"}})
	if err != nil {
		t.Fatalf("Load = %v", err)
	}
	if len(cfg.Notices) != 2 {
		t.Errorf("Notices = %q, want two about the variables", cfg.Notices)
	}
}

// TestRefusedStructured: a YAML Location with a handler gohttpd lacks is
// refused; the structured file has no lines, so the error names the file.
func TestRefusedStructured(t *testing.T) {
	file := writeConf(t, "server.yaml", "Listen: 80\nLocation:\n  - Path: /info\n    SetHandler: server-info\n")
	_, err := Load(Options{File: file})
	if err == nil {
		t.Fatal("Load = nil error, want a refusal")
	}
	if e := findError(t, err, 0, "Location", "'SetHandler server-info' inside <Location /info>"); e == nil || e.File != file {
		t.Errorf("Load = %v, want the refusal of server-info naming %s", err, file)
	}
}

// TestListenPort443: Listen 443 without a protocol is accepted, as in
// Apache without mod_ssl (plain HTTP on that port unless a server there
// has SSLEngine on: Config.TLSListener).
func TestListenPort443(t *testing.T) {
	cfg, _, err := loadText(t, "Listen 443\n")
	if err != nil {
		t.Fatalf("Load(Listen 443) = %v", err)
	}
	if len(cfg.Listen) != 1 || cfg.Listen[0].Port != 443 {
		t.Errorf("Listen = %+v", cfg.Listen)
	}
}
