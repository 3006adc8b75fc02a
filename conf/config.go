package conf

import (
	"encoding/json"
	"time"
)

// Engine names accepted by the MPM directive (and implied by
// "LoadModule mpm_<name>_module ...").
const (
	Prefork = "prefork"
	Worker  = "worker"
	Event   = "event"
)

// Config is the frozen, fully resolved configuration snapshot. It is built
// once by Load, never changed afterwards, and holds only plain data so that
// the master can serialize it (encoding/json) and hand it to its children.
// Every duration is a time.Duration; every size is in bytes.
type Config struct {
	// File is the main configuration file ("" when running on built-in
	// defaults only). ServerRoot is the directory relative paths resolve
	// against (Apache's ServerRoot; default: the directory of File, or the
	// working directory).
	File       string `json:"file"`
	ServerRoot string `json:"serverRoot"`
	// Defines are the -D names and Define directives in force.
	Defines []string `json:"defines,omitempty"`

	// MPM is the selected engine: Prefork, Worker or Event (default Event).
	MPM string `json:"mpm"`
	// ProxyProtocol is where connections start with a PROXY protocol
	// header (RemoteIPProxyProtocol On); nil for nowhere.
	ProxyProtocol *ProxyProtocolConfig `json:"proxyProtocol,omitempty"`
	// Engine holds the MPM directives after Apache's per-engine defaults and
	// clamping (prefork_check_config / worker_check_config / event_check_config).
	Engine MPMConfig `json:"engine"`

	// Listen lists the listening addresses in the order given.
	Listen []Listen `json:"listen"`
	// ListenBacklog is passed to listen(2) (default 511; the kernel caps it
	// at net.core.somaxconn).
	ListenBacklog int `json:"listenBacklog"`
	// AcceptFilter maps a protocol ("http", "https") to its filter name;
	// on Linux any name but "none" enables TCP_DEFER_ACCEPT of 30 s.
	// Defaults: http → data, https → data.
	AcceptFilter map[string]string `json:"acceptFilter"`
	// ListenCoresBucketsRatio > 0 asks for SO_REUSEPORT listener buckets
	// (0 = off, the default).
	ListenCoresBucketsRatio int `json:"listenCoresBucketsRatio"`
	// SendBufferSize / ReceiveBufferSize set SO_SNDBUF / SO_RCVBUF on the
	// listeners (0 = system default).
	SendBufferSize    int `json:"sendBufferSize"`
	ReceiveBufferSize int `json:"receiveBufferSize"`
	// ListenBuckets is Apache's number of listener buckets (nb): 1, or
	// online CPUs / ListenCoresBucketsRatio on Linux when that is more
	// than 1. Engine was adjusted for it (MinSpareThreads ≥ TPC·(nb−1)+nb,
	// ...); each bucket gets its own SO_REUSEPORT copy of every listener.
	ListenBuckets int `json:"listenBuckets"`

	HTTP HTTPConfig `json:"http"`
	Site SiteConfig `json:"site"`
	Log  LogConfig  `json:"log"`

	// PidFile is where the master writes its pid (default logs/httpd.pid
	// under ServerRoot; "" never happens after Load).
	PidFile string `json:"pidFile"`
	// User and Group are mod_unixd's: whom the children serve as when the
	// master runs as root (see unixd.go for the defaults).
	User  Account `json:"user"`
	Group Account `json:"group"`

	// VHosts are the <VirtualHost> sections' identities (addresses,
	// names, aliases) and the main server's name, as site/vhost's
	// selection table takes them; nil when the configuration has no
	// <VirtualHost>. Servers[i] holds the settings of VHosts.Hosts[i].
	VHosts  *VHosts  `json:"vhosts,omitempty"`
	Servers []Server `json:"servers,omitempty"`
	// MD is mod_md's settings (conf/md.go); nil without MD* directives.
	MD *MDConfig `json:"md,omitempty"`

	// HTTP2 is the main server's Protocols and H2* settings (nil: none
	// given; Effective gives Apache's defaults). wire_http2.go.
	HTTP2 *HTTP2Config `json:"http2,omitempty"`

	// GracefulShutdownTimeout bounds a graceful stop (0 = wait forever).
	GracefulShutdownTimeout time.Duration `json:"gracefulShutdownTimeout"`
	// GracefulStopDrainDelay is how long a graceful stop keeps accepting
	// after the health handler turned to 503 (gohttpd extension, 0 none).
	GracefulStopDrainDelay time.Duration `json:"gracefulStopDrainDelay,omitempty"`

	// Warnings are the clamping warnings, in Apache's order and wording
	// (for example "WARNING: MaxRequestWorkers of 150 is not an integer
	// multiple of ThreadsPerChild of 16, decreasing to nearest multiple 144,
	// for a maximum of 9 servers."). Notices are informational lines, each
	// starting with file and line where it has one: directives accepted and
	// ignored because they change nothing a client gets ("ignored: ..."),
	// deprecated aliases, MPM directives of another engine. gohttpd -t and
	// -S print them as warnings.
	Warnings []string `json:"warnings,omitempty"`
	Notices  []string `json:"notices,omitempty"`

	// MimeTypes is TypesConfig's table (extension, lower case without
	// the dot, to media type); nil without TypesConfig: the site's
	// built-in table of web types.
	MimeTypes map[string]string `json:"mimeTypes,omitempty"`
}

// MPMConfig holds the MPM directives. Fields that do not apply to the
// selected engine keep that engine's meaning (for prefork ThreadsPerChild
// and ThreadLimit are 1, as Apache's HARD_THREAD_LIMIT).
type MPMConfig struct {
	StartServers             int     `json:"startServers"`
	MinSpareServers          int     `json:"minSpareServers"`
	MaxSpareServers          int     `json:"maxSpareServers"`
	MinSpareThreads          int     `json:"minSpareThreads"`
	MaxSpareThreads          int     `json:"maxSpareThreads"`
	ThreadsPerChild          int     `json:"threadsPerChild"`
	ThreadLimit              int     `json:"threadLimit"`
	ServerLimit              int     `json:"serverLimit"`
	MaxRequestWorkers        int     `json:"maxRequestWorkers"`
	MaxConnectionsPerChild   int     `json:"maxConnectionsPerChild"`
	AsyncRequestWorkerFactor float64 `json:"asyncRequestWorkerFactor"`
	// EpollTrigger is the event engine's registration of connections:
	// "Edge" (once, edge-triggered, the default) or "OneShot"
	// (level-triggered, EPOLLONESHOT, re-armed per request). A gohttpd
	// directive; "" for the other engines.
	EpollTrigger string `json:"epollTrigger,omitempty"`
}

// Listen is one Listen directive after parsing: Host is "" for the
// wildcard (dual-stack [::] on Linux), an IPv4 or IPv6 literal, or a name.
type Listen struct {
	Host  string `json:"host"`
	Port  int    `json:"port"`
	Proto string `json:"proto"` // "http" unless given ("https" for port 443)
}

// HTTPConfig holds the protocol directives shared by every engine.
type HTTPConfig struct {
	KeepAlive            bool          `json:"keepAlive"`            // default On
	KeepAliveTimeout     time.Duration `json:"keepAliveTimeout"`     // default 5s; accepts "ms" suffix
	MaxKeepAliveRequests int           `json:"maxKeepAliveRequests"` // default 100; 0 = unlimited
	Timeout              time.Duration `json:"timeout"`              // default 60s

	RequestReadTimeout RequestReadTimeout `json:"requestReadTimeout"`

	LimitRequestLine      int   `json:"limitRequestLine"`      // default 8190
	LimitRequestFieldSize int   `json:"limitRequestFieldSize"` // default 8190
	LimitRequestFields    int   `json:"limitRequestFields"`    // default 100
	LimitRequestBody      int64 `json:"limitRequestBody"`      // default 1 GiB (Apache 2.4.54+); 0 = unlimited

	ProtocolOptions ProtocolOptions `json:"httpProtocolOptions"` // default Strict LenientMethods Allow0.9
}

// RequestReadTimeout is mod_reqtimeout's setting. Zero Timeout disables a
// stage. Defaults: handshake=0 header=20-40,MinRate=500 body=20,MinRate=500.
type RequestReadTimeout struct {
	Handshake ReadStage `json:"handshake"`
	Header    ReadStage `json:"header"`
	Body      ReadStage `json:"body"`
}

// ReadStage is one stage of RequestReadTimeout.
type ReadStage struct {
	Timeout    time.Duration `json:"timeout"`
	MaxTimeout time.Duration `json:"maxTimeout"` // 0 = no cap
	MinRate    int           `json:"minRate"`    // bytes/s that extend the deadline; 0 = none
}

// SiteConfig describes what a request meets.
type SiteConfig struct {
	ServerName   string `json:"serverName"`   // default: the host name
	ServerAdmin  string `json:"serverAdmin"`  // shown on error pages when set
	DocumentRoot string `json:"documentRoot"` // absolute; "" = the built-in default site
	// DirectoryIndex lists index file names (default index.html); "disabled"
	// in the file gives an empty list.
	DirectoryIndex []string `json:"directoryIndex"`
	// StrictHostCheck is core's StrictHostCheck (default Off): with it, a
	// name-based request whose host name no ServerName or ServerAlias of
	// its set matches is 400 (AH10156/AH10157). A vhost without its own
	// has the main server's.
	StrictHostCheck bool `json:"strictHostCheck,omitempty"`
	// ExtendedStatus is On by default (Apache turns it on when mod_status
	// is loaded).
	ExtendedStatus bool `json:"extendedStatus"`
	// Locations are handler locations given by the structured "Location"
	// key (YAML/TOML/JSON) and the built-in site; <Location> sections of
	// an httpd.conf are in Sections.
	Locations []Location `json:"locations,omitempty"`

	// SiteConfig is one server's configuration: the main server's today,
	// each virtual host's later (a vhost then holds its own copy of these
	// fields, its sections included).

	// Dir is the server's own per-directory configuration: Apache's
	// defaults (Options FollowSymLinks, AllowOverride None) with the
	// access control and Options directives of the top level, and the
	// top-level <Files> sections. nil means the defaults
	// (ServerDirDefaults).
	Dir *DirConfig `json:"dir,omitempty"`
	// Sections are the server's <Directory>, <DirectoryMatch>,
	// <Location> and <LocationMatch> sections in Apache's merge order.
	Sections SectionTree `json:"sections"`
	// AccessFileName lists the names of the per-directory configuration
	// files read where AllowOverride allows (default ".htaccess").
	AccessFileName []string `json:"accessFileName,omitempty"`
	// Map holds the server's mod_alias and mod_rewrite lines, ServerTokens
	// and UseCanonicalName (wire_map.go).
	Map *MapServer `json:"map,omitempty"`
	// Proxy is the server's ProxyPass lines, balancers and ProxyTimeout
	// (a vhost's merged onto the main server's, MergeProxyServer); nil
	// when nothing is proxied. The server-level ProxyPassReverse & co.
	// are in Dir.Proxy.
	Proxy *ProxyServer `json:"proxy,omitempty"`
	// RemoteIP is mod_remoteip's configuration (a vhost's merged onto the
	// main server's, MergeRemoteIP); nil without its directives.
	RemoteIP *RemoteIPServer `json:"remoteIP,omitempty"`
	// SSL is the server's mod_ssl settings, merged with the main
	// server's for a virtual host (MergeSSLServer); nil when the
	// configuration has no SSL directive (conf/wire_ssl.go).
	SSL *SSLServer `json:"ssl,omitempty"`
}

// Server is one virtual host's own configuration after Apache's
// ap_fixup_virtual_hosts: what it does not set is the main server's
// (DocumentRoot, ServerAdmin, DirectoryIndex, AccessFileName, ErrorLog,
// LogLevel, and the access logs when it has no CustomLog/TransferLog of
// its own), its per-directory settings are MergeDir(main, its own) and
// its sections are the main server's followed by its own
// (SectionTree.ForVirtualHost). A module's per-server settings are one
// more field here, filled the same way.
type Server struct {
	Site SiteConfig `json:"site"`
	// Log holds ErrorLog, LogLevel and Access (Formats is not used: the
	// formats are resolved). OwnAccess reports CustomLog/TransferLog
	// lines of the vhost itself: without them Access is the main
	// server's logs, which the vhost shares (mod_log_config).
	Log       LogConfig `json:"log"`
	OwnAccess bool      `json:"ownAccess,omitempty"`
	// OwnErrorLog reports an ErrorLog of the vhost itself.
	OwnErrorLog bool `json:"ownErrorLog,omitempty"`
	// OwnDir and OwnSections are the vhost's own per-directory settings
	// and sections, from which Site.Dir and Site.Sections are made. The
	// JSON snapshot holds only these (the main server's sections are not
	// repeated once per vhost); decoding a Config merges them again.
	OwnDir      *DirConfig  `json:"ownDir,omitempty"`
	OwnSections SectionTree `json:"ownSections"`
	// HTTP2 is the vhost's Protocols and H2* settings merged over the
	// main server's (MergeHTTP2).
	HTTP2 *HTTP2Config `json:"http2,omitempty"`
}

// MarshalJSON writes the server without its merged Site.Dir and
// Site.Sections (see OwnDir).
func (s Server) MarshalJSON() ([]byte, error) {
	type plain Server
	p := plain(s)
	p.Site.Dir, p.Site.Sections = nil, SectionTree{}
	return json.Marshal(p)
}

// UnmarshalJSON reads a Config and merges each virtual host's own
// settings and sections onto the main server's again.
func (c *Config) UnmarshalJSON(b []byte) error {
	type plain Config
	if err := json.Unmarshal(b, (*plain)(c)); err != nil {
		return err
	}
	for i := range c.Servers {
		c.Servers[i].merge(&c.Site)
	}
	return nil
}

// merge makes the server's Site.Dir and Site.Sections from its own and
// the main server's (ap_fixup_virtual_hosts).
func (s *Server) merge(main *SiteConfig) {
	s.Site.Dir = main.Dir
	if s.OwnDir != nil {
		s.Site.Dir = MergeDir(main.Dir, s.OwnDir)
	}
	s.Site.Sections = main.Sections.ForVirtualHost(s.OwnSections)
}

// Location is a <Location path> section with its handler
// ("server-status", "metrics", or "" for none).
type Location struct {
	Path    string `json:"path"`
	Handler string `json:"handler"`
}

// LogConfig holds the error and access log settings.
type LogConfig struct {
	// ErrorLog is a file path (absolute after Load), or "stderr".
	// Default logs/error_log under ServerRoot when a file was given,
	// "stderr" for the built-in configuration.
	ErrorLog string `json:"errorLog"`
	// LogLevel is Apache's level name: emerg alert crit error warn notice
	// info debug trace1..trace8 (default warn).
	LogLevel string `json:"logLevel"`
	// Formats maps LogFormat nicknames to format strings; "common" and
	// "combined" are always defined.
	Formats map[string]string `json:"formats"`
	// Access lists the CustomLog/TransferLog directives with their format
	// resolved (a nickname is replaced by its format string).
	Access []AccessLog `json:"access,omitempty"`
}

// AccessLog is one CustomLog: Path is absolute after Load, or "stdout",
// "stderr".
type AccessLog struct {
	Path   string `json:"path"`
	Format string `json:"format"`
}
