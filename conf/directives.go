package conf

import (
	"errors"
	"strings"
)

// arity is how many arguments a directive takes (Apache's cmd_how).
type arity int

const (
	take1    arity = iota // exactly one
	take2                 // exactly two
	take12                // one or two
	take23                // two or three
	iterate               // one or more, each handled alone
	iterate2              // a first argument and one or more others
	takeFlag              // On or Off
	rawArgs               // anything, the directive checks
)

// spec describes one directive gohttpd implements.
type spec struct {
	name  string // canonical spelling, used in messages
	arity arity
	// global directives are Apache's GLOBAL_ONLY ones: an error inside
	// <VirtualHost> ("cannot occur within <VirtualHost> section") and in
	// directory context ("not allowed here").
	global bool
	// engines lists the engines that use an MPM directive ("" = all);
	// elsewhere the directive is accepted with a notice and has no effect.
	engines string
	// multi directives may be given several times in one GOHTTPD_*
	// variable, separated by ';'. reset ones (lists) are replaced, not
	// extended, by an environment variable.
	multi, reset bool
	// structuredOnly directives exist only as keys of YAML/TOML/JSON files
	// ("Location"); in httpd syntax they are sections.
	structuredOnly bool
	// apply stores the directive into the configuration being built; nil
	// for directives handled entirely while walking (Include, Define, ...).
	apply func(b *builder, o occurrence) error
}

// directives maps lower-case directive names to their specs.
var directives map[string]*spec

func init() {
	list := []*spec{
		// Read-time directives (handled by the walker).
		{name: "MPM", arity: take1, global: true},
		{name: "LoadModule", arity: take2, global: true, multi: true},
		{name: "Define", arity: take12, multi: true},
		{name: "UnDefine", arity: take1, multi: true},
		{name: "Include", arity: take1, multi: true},
		{name: "IncludeOptional", arity: take1, multi: true},
		{name: "SetHandler", arity: take1},

		// Listeners (server/listen.c, core.c).
		{name: "Listen", arity: rawArgs, global: true, multi: true, reset: true, apply: applyListen},
		{name: "ListenBacklog", arity: take1, global: true, apply: applyListenBacklog},
		{name: "AcceptFilter", arity: take2, global: true, multi: true, apply: applyAcceptFilter},
		{name: "ListenCoresBucketsRatio", arity: take1, global: true, apply: applyBucketsRatio},
		{name: "SendBufferSize", arity: take1, global: true, apply: applyBufferSize},
		{name: "ReceiveBufferSize", arity: take1, global: true, apply: applyBufferSize},

		// MPM directives: C atoi, clamped later.
		{name: "StartServers", arity: take1, global: true, apply: mpmInt(func(m *MPMConfig) *int { return &m.StartServers })},
		{name: "MinSpareServers", arity: take1, global: true, engines: Prefork, apply: mpmInt(func(m *MPMConfig) *int { return &m.MinSpareServers })},
		{name: "MaxSpareServers", arity: take1, global: true, engines: Prefork, apply: mpmInt(func(m *MPMConfig) *int { return &m.MaxSpareServers })},
		{name: "MinSpareThreads", arity: take1, global: true, engines: Worker + "," + Event, apply: mpmInt(func(m *MPMConfig) *int { return &m.MinSpareThreads })},
		{name: "MaxSpareThreads", arity: take1, global: true, engines: Worker + "," + Event, apply: mpmInt(func(m *MPMConfig) *int { return &m.MaxSpareThreads })},
		{name: "ThreadsPerChild", arity: take1, global: true, engines: Worker + "," + Event, apply: mpmInt(func(m *MPMConfig) *int { return &m.ThreadsPerChild })},
		{name: "ThreadLimit", arity: take1, global: true, engines: Worker + "," + Event, apply: mpmInt(func(m *MPMConfig) *int { return &m.ThreadLimit })},
		{name: "ServerLimit", arity: take1, global: true, apply: mpmInt(func(m *MPMConfig) *int { return &m.ServerLimit })},
		{name: "MaxRequestWorkers", arity: take1, global: true, apply: mpmInt(func(m *MPMConfig) *int { return &m.MaxRequestWorkers })},
		{name: "MaxClients", arity: take1, global: true, apply: mpmInt(func(m *MPMConfig) *int { return &m.MaxRequestWorkers })},
		{name: "MaxConnectionsPerChild", arity: take1, global: true, apply: mpmInt(func(m *MPMConfig) *int { return &m.MaxConnectionsPerChild })},
		{name: "MaxRequestsPerChild", arity: take1, global: true, apply: mpmInt(func(m *MPMConfig) *int { return &m.MaxConnectionsPerChild })},
		{name: "AsyncRequestWorkerFactor", arity: take1, global: true, engines: Event, apply: applyWorkerFactor},
		{name: "EpollTrigger", arity: take1, global: true, engines: Event, apply: applyEpollTrigger},
		{name: "GracefulShutdownTimeout", arity: take1, global: true, apply: applyGracefulShutdownTimeout},
		{name: GracefulStopDrainDelayDirective, arity: take1, global: true, apply: applyGracefulStopDrainDelay},

		// HTTP protocol.
		{name: "KeepAlive", arity: takeFlag, apply: applyFlag(func(b *builder) *bool { return &b.cfg.HTTP.KeepAlive })},
		{name: "KeepAliveTimeout", arity: take1, apply: applyKeepAliveTimeout},
		{name: "MaxKeepAliveRequests", arity: take1, apply: applyMaxKeepAliveRequests},
		{name: "Timeout", arity: take1, apply: applyTimeout},
		{name: "RequestReadTimeout", arity: rawArgs, apply: applyRequestReadTimeout},
		{name: "HttpProtocolOptions", arity: iterate, apply: applyHTTPProtocolOptions},
		{name: "LimitRequestLine", arity: take1, apply: applyLimit(func(b *builder) *int { return &b.cfg.HTTP.LimitRequestLine }, "LimitRequestLine", "")},
		{name: "LimitRequestFieldSize", arity: take1, apply: applyLimit(func(b *builder) *int { return &b.cfg.HTTP.LimitRequestFieldSize }, "LimitRequestFieldsize", "")},
		{name: "LimitRequestFields", arity: take1, apply: applyLimit(func(b *builder) *int { return &b.cfg.HTTP.LimitRequestFields }, "LimitRequestFields", " (0 = no limit)")},
		{name: "LimitRequestBody", arity: take1, apply: applyLimitRequestBody},

		// Server and site.
		{name: "ServerRoot", arity: take1, global: true, apply: applyServerRoot},
		{name: "ServerName", arity: take1, apply: applyServerName},
		{name: "StrictHostCheck", arity: takeFlag, apply: applyFlag(func(b *builder) *bool { return &b.cfg.Site.StrictHostCheck })},
		{name: "ServerAdmin", arity: take1, apply: func(b *builder, o occurrence) error { b.cfg.Site.ServerAdmin = o.args[0]; return nil }},
		{name: "DocumentRoot", arity: take1, apply: applyDocumentRoot},
		{name: "DirectoryIndex", arity: rawArgs, multi: true, reset: true, apply: applyDirectoryIndex},
		{name: "AccessFileName", arity: iterate, apply: applyAccessFileName},
		{name: "ExtendedStatus", arity: takeFlag, global: true, apply: applyFlag(func(b *builder) *bool { return &b.cfg.Site.ExtendedStatus })},
		{name: "Location", arity: take12, structuredOnly: true, apply: applyLocation},

		// Logs.
		{name: "ErrorLog", arity: take1, apply: applyErrorLog},
		{name: "LogLevel", arity: iterate, apply: applyLogLevel},
		{name: "LogFormat", arity: take12, multi: true, apply: applyLogFormat},
		{name: "CustomLog", arity: take23, multi: true, reset: true, apply: applyCustomLog},
		{name: "TransferLog", arity: take1, multi: true, reset: true, apply: applyTransferLog},
		{name: "PidFile", arity: take1, global: true, apply: applyPidFile},

		// mod_unixd: whom children serve as (see unixd.go).
		{name: "User", arity: take1, global: true, apply: applyUser},
		{name: "Group", arity: take1, global: true, apply: applyGroup},
	}
	directives = make(map[string]*spec, len(list))
	for _, s := range list {
		directives[strings.ToLower(s.name)] = s
	}
}

// checkArity checks a directive's argument count the way Apache's
// invoke_cmd does, with its messages.
func checkArity(sp *spec, args []string) error {
	first := len(args) > 0 && args[0] != ""
	var msg string
	switch sp.arity {
	case take1:
		if !first || len(args) != 1 {
			msg = " takes one argument"
		}
	case take2:
		if !first || len(args) != 2 || args[1] == "" {
			msg = " takes two arguments"
		}
	case take12:
		if !first || len(args) > 2 {
			msg = " takes 1-2 arguments"
		}
	case take23:
		if !first || len(args) < 2 || len(args) > 3 || args[1] == "" {
			msg = " takes two or three arguments"
		}
	case iterate:
		if !first {
			msg = " requires at least one argument"
		}
	case iterate2:
		if !first || len(args) < 2 {
			msg = " requires at least two arguments"
		}
	case takeFlag:
		if !first || (!strings.EqualFold(args[0], "on") && !strings.EqualFold(args[0], "off")) {
			msg = " must be On or Off"
		}
	}
	if msg == "" {
		return nil
	}
	return errors.New(sp.name + msg)
}

// appliesTo reports whether an MPM directive is used by engine.
func (sp *spec) appliesTo(engine string) bool {
	if sp.engines == "" {
		return true
	}
	for _, e := range strings.Split(sp.engines, ",") {
		if e == engine {
			return true
		}
	}
	return false
}

// ignoredDirectives are directives of real httpd.conf files that gohttpd
// does not implement. Each is accepted and ignored with a warning unless
// classify (unsupported.go) refuses it: refusedDirectives and the values
// harmless rejects, because ignoring them would change what clients get.
var (
	ignoredDirectives = func() map[string]bool {
		m := make(map[string]bool)
		for _, d := range []string{
			// core and unixd
			"ServerSignature", "ServerTokens", "HostnameLookups",
			"EnableSendfile", "EnableMMAP", "AddDefaultCharset", "ErrorDocument", "Mutex", "MaxMemFree",
			"ThreadStackSize", "CoreDumpDirectory", "ScoreBoardFile", "UseCanonicalName",
			"UseCanonicalPhysicalPort", "TraceEnable", "FileETag",
			"ContentDigest", "SeeRequestTail", "DefaultRuntimeDir", "ServerAlias",
			"ServerPath", "NameVirtualHost", "MergeTrailers",
			"Protocols", "ProtocolsHonorOrder", "Protocol", "AcceptPathInfo",
			"AllowEncodedSlashes", "LimitXMLRequestBody", "LimitInternalRecursion",
			"MaxRanges", "MaxRangeOverlaps", "MaxRangeReversals", "RLimitCPU",
			"RLimitMEM", "RLimitNPROC", "EnableExceptionHook", "ErrorLogFormat",
			"QualifyRedirectURL", "RegisterHttpMethod", "StrictHostCheck",
			"DefaultType", "ForceType", "SetInputFilter", "SetOutputFilter",
			"LogIOTrackTTFB", "BufferedLogs", "GlobalLog",
			// authz / access
			"Require", "Order", "Allow", "Deny", "Satisfy",
			// alias, mime, dir, autoindex, headers, env, setenvif, filters
			"Alias", "AliasMatch", "ScriptAlias", "ScriptAliasMatch", "Redirect",
			"RedirectMatch", "RedirectPermanent", "RedirectTemp", "TypesConfig",
			"AddHandler", "AddOutputFilter", "AddOutputFilterByType", "AddInputFilter",
			"AddEncoding", "AddCharset", "AddLanguage", "DefaultLanguage",
			"LanguagePriority", "ForceLanguagePriority", "MultiviewsMatch",
			"ModMimeUsePathInfo", "RemoveType", "RemoveHandler", "RemoveEncoding",
			"RemoveCharset", "RemoveLanguage", "RemoveInputFilter", "RemoveOutputFilter",
			"MIMEMagicFile", "DirectorySlash", "DirectoryCheckHandler",
			"FallbackResource", "IndexOptions", "IndexIgnore", "IndexOrderDefault",
			"IndexStyleSheet", "IndexHeadInsert", "HeaderName", "ReadmeName",
			"AddIcon", "AddIconByType", "AddIconByEncoding", "DefaultIcon", "AddAlt",
			"AddAltByType", "AddAltByEncoding", "AddDescription", "Header",
			"RequestHeader", "SetEnv", "UnsetEnv", "PassEnv", "SetEnvIf",
			"SetEnvIfNoCase", "SetEnvIfExpr", "BrowserMatch", "BrowserMatchNoCase",
			"LoadFile", "ScriptLog", "ScriptLogLength", "ScriptLogBuffer", "ScriptSock",
			"CGIDScriptTimeout", "XBitHack", "UserDir", "ServerInfo", "ForensicLog",
			"DumpIOInput", "DumpIOOutput", "Action", "Script", "ImapMenu",
		} {
			m[strings.ToLower(d)] = true
		}
		return m
	}()
)

// loadedModules are the modules <IfModule> treats as loaded, by module
// name and by source file name (both forms appear in real configurations).
// The selected MPM is added through mpmModules, and modules named by
// LoadModule are added while walking. A module listed here has its
// <IfModule> blocks read, so the directives in them are implemented,
// warned or refused, never skipped: list a module only if gohttpd
// implements the directives its blocks usually hold, or refuses them
// (authz_core_module: Require).
var loadedModules = func() map[string]bool {
	m := make(map[string]bool)
	for _, mod := range [][2]string{
		{"core_module", "core.c"},
		{"http_module", "http_core.c"},
		{"so_module", "mod_so.c"},
		{"unixd_module", "mod_unixd.c"},
		{"mpm_common", "mpm_common.c"},
		{"status_module", "mod_status.c"},
		{"log_config_module", "mod_log_config.c"},
		{"mime_module", "mod_mime.c"},
		{"dir_module", "mod_dir.c"},
		{"reqtimeout_module", "mod_reqtimeout.c"},
		{"authz_core_module", "mod_authz_core.c"},
		// response shaping (wire_resp.go)
		{"setenvif_module", "mod_setenvif.c"}, {"env_module", "mod_env.c"},
		{"headers_module", "mod_headers.c"}, {"expires_module", "mod_expires.c"},
		{"filter_module", "mod_filter.c"}, {"deflate_module", "mod_deflate.c"},
		{"brotli_module", "mod_brotli.c"}, {"negotiation_module", "mod_negotiation.c"},
	} {
		m[mod[0]] = true
		m[mod[1]] = true
	}
	return m
}()

// mpmModules maps MPM module names and file names to their engine.
var mpmModules = map[string]string{
	"mpm_prefork_module": Prefork, "prefork.c": Prefork, "mod_mpm_prefork.c": Prefork,
	"mpm_worker_module": Worker, "worker.c": Worker, "mod_mpm_worker.c": Worker,
	"mpm_event_module": Event, "event.c": Event, "mod_mpm_event.c": Event,
}
