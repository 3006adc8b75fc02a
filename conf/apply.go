package conf

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Built-in log formats (mod_log_config's DEFAULT_LOG_FORMAT and the shipped
// httpd.conf's "common" and "combined").
const (
	FormatCommon   = `%h %l %u %t "%r" %>s %b`
	FormatCombined = `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`
)

// builder applies occurrences to a Config, then finishes it: defaults that
// depend on the whole configuration, path resolution, checks and clamping.
type builder struct {
	cfg    *Config
	engine string
	file   string // main configuration file, "" for none
	errs   []error

	listenKeys       map[string]bool // "host|port" of every Listen, for duplicates
	docRootPos       pos
	serverRootSet    bool
	errorLogSet      bool
	logLevelSet      bool
	defaultFormat    string // LogFormat without a nickname
	defaultFormatSet bool
	logs             []pendingLog
	dirIndex         []string
	dirIndexSet      bool
	notices          []notice
	current          int // seq of the occurrence being applied
	h2               HTTP2Builder
}

// pendingLog is a CustomLog or TransferLog whose format is resolved once
// every LogFormat is known (mod_log_config resolves nicknames when it opens
// the logs).
type pendingLog struct {
	path     string
	format   string // nickname or format string; "" for TransferLog
	transfer bool
	pos      pos
}

func newBuilder(engine, root, file string) *builder {
	return &builder{
		cfg:        defaultConfig(engine, root, file),
		engine:     engine,
		file:       file,
		listenKeys: make(map[string]bool),
	}
}

// defaultConfig is the configuration before any directive: Apache's
// defaults for engine.
func defaultConfig(engine, root, file string) *Config {
	return &Config{
		File:          file,
		ServerRoot:    root,
		MPM:           engine,
		Engine:        engineDefaults(engine),
		ListenBacklog: 511,
		AcceptFilter:  map[string]string{"http": "data", "https": "data"},
		HTTP: HTTPConfig{
			KeepAlive:            true,
			KeepAliveTimeout:     5 * time.Second,
			MaxKeepAliveRequests: 100,
			Timeout:              60 * time.Second,
			RequestReadTimeout: RequestReadTimeout{
				Header: ReadStage{Timeout: 20 * time.Second, MaxTimeout: 40 * time.Second, MinRate: 500},
				Body:   ReadStage{Timeout: 20 * time.Second, MinRate: 500},
			},
			LimitRequestLine:      8190,
			LimitRequestFieldSize: 8190,
			LimitRequestFields:    100,
			LimitRequestBody:      1 << 30,
		},
		Site: SiteConfig{
			ServerName:     hostname(),
			ExtendedStatus: true,
		},
		Log: LogConfig{
			LogLevel: "warn",
			Formats:  map[string]string{"common": FormatCommon, "combined": FormatCombined},
		},
		PidFile: "logs/httpd.pid",
	}
}

// engineDefaults are the compiled-in MPM defaults (mpm_default.h and the
// *_pre_config hooks).
func engineDefaults(engine string) MPMConfig {
	switch engine {
	case Prefork:
		return MPMConfig{
			StartServers:      5,
			MinSpareServers:   5,
			MaxSpareServers:   10,
			ThreadsPerChild:   1,
			ThreadLimit:       1,
			ServerLimit:       256,
			MaxRequestWorkers: 256,
		}
	case Worker:
		return MPMConfig{
			StartServers:      3,
			MinSpareThreads:   75,
			MaxSpareThreads:   250,
			ThreadsPerChild:   25,
			ThreadLimit:       64,
			ServerLimit:       16,
			MaxRequestWorkers: 400,
		}
	default:
		return MPMConfig{
			StartServers:             3,
			MinSpareThreads:          75,
			MaxSpareThreads:          250,
			ThreadsPerChild:          25,
			ThreadLimit:              64,
			ServerLimit:              16,
			MaxRequestWorkers:        400,
			AsyncRequestWorkerFactor: 2,
			EpollTrigger:             TriggerEdge,
		}
	}
}

// hostname is the default ServerName.
func hostname() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "localhost"
}

func (b *builder) notice(p pos, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if s := p.String(); s != "" {
		msg = s + ": " + msg
	}
	b.notices = append(b.notices, notice{order: 2 * b.current, text: msg})
}

// apply stores one occurrence, collecting its error.
func (b *builder) apply(o occurrence) {
	sp := directives[o.key]
	if sp == nil || sp.apply == nil {
		return
	}
	b.current = o.seq
	if o.reset {
		b.reset(o.key)
		return
	}
	if err := checkArity(sp, o.args); err != nil {
		b.errs = append(b.errs, errAt(o.pos, sp.name, err.Error()))
		return
	}
	if err := sp.apply(b, o); err != nil {
		if e, ok := err.(*Error); ok {
			b.errs = append(b.errs, e)
			return
		}
		b.errs = append(b.errs, &Error{File: o.pos.file, Line: o.pos.line, Directive: sp.name, Err: err})
	}
}

// reset forgets what earlier sources gave a list directive (an environment
// override replaces the list rather than extending it).
func (b *builder) reset(key string) {
	switch key {
	case "listen":
		b.cfg.Listen = nil
		b.listenKeys = make(map[string]bool)
	case "customlog", "transferlog":
		b.logs = nil
	case "directoryindex":
		b.dirIndex, b.dirIndexSet = nil, false
	}
}

func applyListen(b *builder, o occurrence) error {
	if len(o.args) < 1 || len(o.args) > 2 {
		return errors.New("Listen requires 1 or 2 arguments.")
	}
	// gohttpd extension: an explicit port 0 ("Listen 127.0.0.1:0") lets
	// the kernel pick a free port, for tests and the bench; the bound
	// address is logged at start-up.
	arg := o.args[0]
	ephemeral := arg == "0" || strings.HasSuffix(arg, ":0")
	if ephemeral {
		arg = arg[:len(arg)-1] + "1"
	}
	host, port, ok := parseAddrPort(arg)
	if !ok {
		return errors.New("Invalid address or port")
	}
	if host == "*" {
		host = ""
	}
	if ephemeral {
		port = 0
	} else if port == 0 {
		return errors.New("Port must be specified")
	}
	proto := "http"
	if len(o.args) == 2 {
		proto = strings.ToLower(o.args[1])
	} else if port == 443 {
		proto = "https"
	}
	key := host + "|" + strconv.Itoa(port)
	if b.listenKeys[key] && port != 0 {
		return errors.New("Cannot define multiple Listeners on the same IP:port")
	}
	b.listenKeys[key] = true
	b.cfg.Listen = append(b.cfg.Listen, Listen{Host: host, Port: port, Proto: proto})
	return nil
}

// parseAddrPort is apr_parse_addr_port: "port", "host:port", "[v6]:port",
// "[v6%scope]:port" or a bare host (port 0). ok is false where APR returns
// APR_EINVAL.
func parseAddrPort(s string) (host string, port int, ok bool) {
	i := len(s) - 1
	for i >= 0 && s[i] >= '0' && s[i] <= '9' {
		i--
	}
	if i < 0 { // the entire string is the port
		p, ok := portNumber(s)
		return "", p, ok
	}
	last := len(s) - 1
	if s[i] == ':' && i < last {
		if i == 0 {
			return "", 0, false
		}
		p, ok := portNumber(s[i+1:])
		if !ok {
			return "", 0, false
		}
		port, last = p, i-1
	}
	h := s[:last+1]
	if !strings.HasPrefix(h, "[") {
		return h, port, true
	}
	end := strings.IndexByte(h, ']')
	if end != len(h)-1 {
		return "", 0, false
	}
	inner := h[1:end]
	addr, scope, hasScope := strings.Cut(inner, "%")
	if hasScope && scope == "" {
		return "", 0, false
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil || !ip.Is6() {
		return "", 0, false
	}
	return inner, port, true
}

// portNumber converts a string of digits to a port in 1..65535.
func portNumber(digits string) (int, bool) {
	if digits == "" || len(digits) > 5 {
		return 0, false
	}
	p, err := strconv.Atoi(digits)
	if err != nil || p < 1 || p > 65535 {
		return 0, false
	}
	return p, true
}

func applyListenBacklog(b *builder, o occurrence) error {
	n := atoi(o.args[0])
	if n < 1 {
		return errors.New("ListenBacklog must be > 0")
	}
	b.cfg.ListenBacklog = n
	return nil
}

func applyAcceptFilter(b *builder, o occurrence) error {
	b.cfg.AcceptFilter[strings.ToLower(o.args[0])] = strings.ToLower(o.args[1])
	return nil
}

func applyBucketsRatio(b *builder, o occurrence) error {
	n := atoi(o.args[0])
	if n < 1 {
		return errors.New("ListenCoresBucketsRatio must be > 0")
	}
	b.cfg.ListenCoresBucketsRatio = n
	return nil
}

func applyBufferSize(b *builder, o occurrence) error {
	n := atoi(o.args[0])
	name := directives[o.key].name
	if n < 512 && n != 0 {
		return fmt.Errorf("%s must be >= 512 bytes, or 0 for system default.", name)
	}
	if o.key == "sendbuffersize" {
		b.cfg.SendBufferSize = n
	} else {
		b.cfg.ReceiveBufferSize = n
	}
	return nil
}

// mpmInt applies an MPM directive parsed with atoi; the value is clamped
// later, in Apache's check_config order.
func mpmInt(field func(*MPMConfig) *int) func(*builder, occurrence) error {
	return func(b *builder, o occurrence) error {
		sp := directives[o.key]
		if !sp.appliesTo(b.engine) {
			b.notice(o.pos, "%s has no effect with the %s MPM", sp.name, b.engine)
			return nil
		}
		switch o.key {
		case "maxclients":
			b.notice(o.pos, "MaxClients is deprecated, use MaxRequestWorkers instead.")
		case "maxrequestsperchild":
			b.notice(o.pos, "MaxRequestsPerChild is deprecated, use MaxConnectionsPerChild instead.")
		}
		*field(&b.cfg.Engine) = atoi(o.args[0])
		return nil
	}
}

// applyWorkerFactor is set_worker_factor: strtod, positive, stored in
// sixteenths (WORKER_FACTOR_SCALE) with a minimum of 1.
func applyWorkerFactor(b *builder, o occurrence) error {
	if !directives[o.key].appliesTo(b.engine) {
		b.notice(o.pos, "AsyncRequestWorkerFactor has no effect with the %s MPM", b.engine)
		return nil
	}
	v, err := strtod(o.args[0])
	if err != nil {
		return err
	}
	if v <= 0 {
		return errors.New("AsyncRequestWorkerFactor argument must be a positive number")
	}
	scaled := math.Min(v*16, math.MaxInt32)
	wf := max(int(scaled), 16)
	b.cfg.Engine.AsyncRequestWorkerFactor = float64(wf) / 16
	return nil
}

// The values of EpollTrigger.
const (
	TriggerEdge    = "Edge"
	TriggerOneShot = "OneShot"
)

// applyEpollTrigger takes Edge or OneShot (any case).
func applyEpollTrigger(b *builder, o occurrence) error {
	if !directives[o.key].appliesTo(b.engine) {
		b.notice(o.pos, "EpollTrigger has no effect with the %s MPM", b.engine)
		return nil
	}
	switch {
	case strings.EqualFold(o.args[0], TriggerEdge):
		b.cfg.Engine.EpollTrigger = TriggerEdge
	case strings.EqualFold(o.args[0], TriggerOneShot):
		b.cfg.Engine.EpollTrigger = TriggerOneShot
	default:
		return fmt.Errorf("EpollTrigger must be Edge or OneShot, not %q", o.args[0])
	}
	return nil
}

func applyGracefulShutdownTimeout(b *builder, o occurrence) error {
	b.cfg.GracefulShutdownTimeout = time.Duration(atoi(o.args[0])) * time.Second
	return nil
}

func applyFlag(field func(*builder) *bool) func(*builder, occurrence) error {
	return func(b *builder, o occurrence) error {
		*field(b) = strings.EqualFold(o.args[0], "on")
		return nil
	}
}

func applyKeepAliveTimeout(b *builder, o occurrence) error {
	d, ok := parseTimeout(o.args[0], "s")
	if !ok {
		return errors.New("KeepAliveTimeout has wrong format")
	}
	if d < 0 {
		return errors.New("KeepAliveTimeout must not be negative")
	}
	b.cfg.HTTP.KeepAliveTimeout = d
	return nil
}

func applyMaxKeepAliveRequests(b *builder, o occurrence) error {
	n, ok := strictInt(o.args[0])
	if !ok || n > math.MaxInt32 {
		return fmt.Errorf("MaxKeepAliveRequests argument %q is not a number", o.args[0])
	}
	if n < 0 {
		return errors.New("MaxKeepAliveRequests must be a non-negative integer (0 = unlimited)")
	}
	b.cfg.HTTP.MaxKeepAliveRequests = int(n)
	return nil
}

func applyTimeout(b *builder, o occurrence) error {
	n, ok := strictInt(o.args[0])
	if !ok || n > math.MaxInt32 {
		return fmt.Errorf("Timeout argument %q is not a number of seconds", o.args[0])
	}
	if n < 0 {
		return errors.New("Timeout must not be negative")
	}
	b.cfg.HTTP.Timeout = time.Duration(n) * time.Second
	return nil
}

// applyRequestReadTimeout is mod_reqtimeout's set_reqtimeouts: each
// "stage=timeout[-maxtimeout][,MinRate=rate]" word replaces that stage.
func applyRequestReadTimeout(b *builder, o occurrence) error {
	rt := &b.cfg.HTTP.RequestReadTimeout
	for _, word := range o.args {
		key, val, ok := strings.Cut(word, "=")
		if !ok {
			return errors.New("Invalid RequestReadTimeout parameter. Parameter must be in the form 'key=value'")
		}
		if err := setReadStage(rt, key, val); err != nil {
			return fmt.Errorf("RequestReadTimeout: %s=%s: %w", key, val, err)
		}
	}
	return nil
}

func setReadStage(rt *RequestReadTimeout, key, val string) error {
	var stage *ReadStage
	switch strings.ToLower(key) {
	case "handshake":
		stage = &rt.Handshake
	case "header":
		stage = &rt.Header
	case "body":
		stage = &rt.Body
	default:
		return errors.New("Unknown RequestReadTimeout parameter")
	}
	var s ReadStage
	var timeout, maxTimeout int
	if i := indexASCIIFold(val, ",minrate="); i >= 0 {
		rate, err := reqtimeoutInt(val[i+len(",minrate="):])
		if err != nil {
			return err
		}
		if rate == 0 {
			return errors.New("Minimum data rate must be larger than 0")
		}
		s.MinRate = rate
		initial := val[:i]
		if lo, hi, ok := strings.Cut(initial, "-"); ok {
			initial = lo
			if maxTimeout, err = reqtimeoutInt(hi); err != nil {
				return err
			}
		}
		if timeout, err = reqtimeoutInt(initial); err != nil {
			return err
		}
	} else {
		if strings.Contains(val, "-") {
			return errors.New("Must set MinRate option if using timeout range")
		}
		var err error
		if timeout, err = reqtimeoutInt(val); err != nil {
			return err
		}
	}
	if maxTimeout != 0 && timeout >= maxTimeout {
		return errors.New("Maximum timeout must be larger than initial timeout")
	}
	s.Timeout = time.Duration(timeout) * time.Second
	s.MaxTimeout = time.Duration(maxTimeout) * time.Second
	*stage = s
	return nil
}

// indexASCIIFold is strings.Index ignoring ASCII case (ap_strcasestr); sub
// must be lower-case ASCII.
func indexASCIIFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for j < len(sub) {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
			j++
		}
		if j == len(sub) {
			return i
		}
	}
	return -1
}

// reqtimeoutInt is mod_reqtimeout's parse_int (strtol with checks).
func reqtimeoutInt(s string) (int, error) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	j := i
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	k := j
	for k < len(s) && s[k] >= '0' && s[k] <= '9' {
		k++
	}
	if k == j {
		return 0, fmt.Errorf("Value '%s' not numerical", s)
	}
	if k != len(s) {
		return 0, fmt.Errorf("Cannot parse '%s'", s[k:])
	}
	n, err := strconv.ParseInt(s[i:k], 10, 32)
	if err != nil {
		return 0, fmt.Errorf("Cannot parse '%s'", s)
	}
	if n < 0 {
		return 0, errors.New("Value must be non-negative")
	}
	return int(n), nil
}

// applyLimit handles LimitRequestLine, LimitRequestFieldSize and
// LimitRequestFields (non-negative integers; apacheName and suffix give
// Apache's message).
func applyLimit(field func(*builder) *int, apacheName, suffix string) func(*builder, occurrence) error {
	return func(b *builder, o occurrence) error {
		n, ok := strictInt(o.args[0])
		if !ok || n > math.MaxInt32 {
			return fmt.Errorf("%s argument %q is not a number", directives[o.key].name, o.args[0])
		}
		if n < 0 {
			return fmt.Errorf("%s \"%s\" must be a non-negative integer%s", apacheName, o.args[0], suffix)
		}
		*field(b) = int(n)
		return nil
	}
}

func applyLimitRequestBody(b *builder, o occurrence) error {
	n, ok := strictInt(o.args[0])
	if !ok {
		return errors.New("LimitRequestBody argument is not parsable.")
	}
	if n < 0 {
		return errors.New("LimitRequestBody requires a non-negative integer.")
	}
	b.cfg.HTTP.LimitRequestBody = n
	return nil
}

func applyServerRoot(b *builder, o occurrence) error {
	root := absPath(o.args[0], "")
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return errors.New("ServerRoot must be a valid directory")
	}
	b.cfg.ServerRoot = root
	b.serverRootSet = true
	return nil
}

// applyServerName is server_hostname_port's validation; the value is kept
// as written ([scheme://]host[:port]).
func applyServerName(b *builder, o occurrence) error {
	arg := o.args[0]
	if strings.ContainsAny(arg, "*?[") {
		return fmt.Errorf("Invalid ServerName \"%s\" use ServerAlias to set multiple server names.", arg)
	}
	part := arg
	if _, after, ok := strings.Cut(arg, "://"); ok {
		part = after
	}
	if _, portStr, ok := strings.Cut(part, ":"); ok {
		if p := atoi(portStr); p <= 0 || p >= 65536 {
			return fmt.Errorf("The port number \"%s\" is outside the appropriate range (i.e., 1..65535).", arg)
		}
	}
	b.cfg.Site.ServerName = arg
	return nil
}

func applyDocumentRoot(b *builder, o occurrence) error {
	b.cfg.Site.DocumentRoot = o.args[0]
	b.docRootPos = o.pos
	return nil
}

// applyDirectoryIndex is mod_dir's add_index: names add to the list;
// "disabled" alone empties it.
func applyDirectoryIndex(b *builder, o occurrence) error {
	b.dirIndexSet = true
	if len(o.args) == 1 && strings.EqualFold(o.args[0], "disabled") {
		b.dirIndex = []string{}
		return nil
	}
	for _, w := range o.args {
		if w == "" {
			break
		}
		b.dirIndex = append(b.dirIndex, w)
	}
	return nil
}

// applyLocation records a <Location path> with its SetHandler (or the
// structured "Location" key: path and handler).
func applyLocation(b *builder, o occurrence) error {
	path := o.args[0]
	handler, ok := supportedHandler(optArg(o.args, 1))
	if !ok {
		return errors.New(notImplemented("SetHandler "+handler,
			&walkCtx{section: "<Location", sectionText: "<Location " + path + ">"}))
	}
	b.cfg.Site.Locations = append(b.cfg.Site.Locations, Location{Path: path, Handler: handler})
	return nil
}

func applyErrorLog(b *builder, o occurrence) error {
	arg := o.args[0]
	switch {
	case strings.HasPrefix(arg, "|"):
		return errors.New("piped logs are not supported")
	case arg == "syslog" || strings.HasPrefix(arg, "syslog:"):
		return errors.New("logging to syslog is not supported")
	}
	b.cfg.Log.ErrorLog = arg
	b.errorLogSet = true
	return nil
}

// logLevels are Apache's level names (server/log.c priorities[]).
var logLevels = []string{"emerg", "alert", "crit", "error", "warn", "notice", "info", "debug",
	"trace1", "trace2", "trace3", "trace4", "trace5", "trace6", "trace7", "trace8"}

const errLogLevel = "Log level keyword must be one of emerg/alert/crit/error/warn/notice/info/debug/trace1/.../trace8"

func validLevel(s string) bool {
	for _, l := range logLevels {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

// applyLogLevel is set_loglevel for each word: "level" sets the level,
// "module:level" is checked and ignored (no per-module levels).
func applyLogLevel(b *builder, o occurrence) error {
	for _, w := range o.args {
		if w == "" {
			break
		}
		i := strings.LastIndexByte(w, ':')
		if i < 0 {
			if !validLevel(w) {
				return errors.New(errLogLevel)
			}
			b.cfg.Log.LogLevel = strings.ToLower(w)
			b.logLevelSet = true
			continue
		}
		module, level := w[:i], w[i+1:]
		if level == "" {
			return fmt.Errorf("Module specifier '%s' must be followed by a log level keyword", module)
		}
		if !validLevel(level) {
			return fmt.Errorf("%s:%s: %s", module, level, errLogLevel)
		}
		b.notice(o.pos, "ignored: LogLevel %s (per-module levels are not supported by gohttpd)", w)
	}
	return nil
}

// applyLogFormat is mod_log_config's log_format: with a nickname it names
// a format, without one it sets the default for TransferLog.
func applyLogFormat(b *builder, o occurrence) error {
	format := o.args[0]
	if err := checkLogFormat(format); err != nil {
		return err
	}
	if len(o.args) < 2 || o.args[1] == "" {
		b.defaultFormat, b.defaultFormatSet = format, true
		return nil
	}
	nick := o.args[1]
	for k := range b.cfg.Log.Formats { // apr tables are case-insensitive
		if strings.EqualFold(k, nick) {
			delete(b.cfg.Log.Formats, k)
		}
	}
	b.cfg.Log.Formats[nick] = format
	return nil
}

func applyCustomLog(b *builder, o occurrence) error {
	if err := checkLogTarget(o.args[0]); err != nil {
		return err
	}
	if len(o.args) == 3 {
		cond := o.args[2]
		switch {
		case len(cond) >= 4 && strings.EqualFold(cond[:4], "env="):
			if cond[4:] == "" || cond[4:] == "!" {
				return errors.New("missing environment variable name")
			}
		case len(cond) >= 5 && strings.EqualFold(cond[:5], "expr="):
			if cond[5:] == "" {
				return errors.New("missing condition")
			}
		default:
			return errors.New("error in condition clause")
		}
		b.notice(o.pos, "ignored: CustomLog condition %s (conditional logging is not supported by gohttpd; every request is logged)", cond)
	}
	b.logs = append(b.logs, pendingLog{path: o.args[0], format: o.args[1], pos: o.pos})
	return nil
}

func applyTransferLog(b *builder, o occurrence) error {
	if err := checkLogTarget(o.args[0]); err != nil {
		return err
	}
	b.logs = append(b.logs, pendingLog{path: o.args[0], transfer: true, pos: o.pos})
	return nil
}

func checkLogTarget(path string) error {
	if strings.HasPrefix(path, "|") {
		return errors.New("piped logs are not supported")
	}
	return nil
}

func applyPidFile(b *builder, o occurrence) error {
	b.cfg.PidFile = o.args[0]
	return nil
}

// logItems are the single-letter LogFormat items mod_log_config registers,
// plus mod_logio's %I %O %S.
const logItems = "haAlutfbBionLeVvpPHmqFXCkrDTUsRIOSx" // x: mod_ssl's %{VAR}x

// checkLogFormat is mod_log_config's parse_log_string check: every %
// item must be known.
func checkLogFormat(s string) error {
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		i++
		if i < len(s) && s[i] == '%' {
			continue
		}
		done := false
		for i < len(s) && !done {
			switch c := s[i]; {
			case c == '!' || c == '<' || c == '>' || c == ',' || (c >= '0' && c <= '9'):
				i++
			case c == '{':
				j := strings.IndexByte(s[i:], '}')
				if j < 0 {
					i = len(s)
					continue
				}
				i += j + 1
			case strings.HasPrefix(s[i:], "^ti") || strings.HasPrefix(s[i:], "^to"):
				i += 2
				done = true
			case strings.IndexByte(logItems, c) >= 0:
				done = true
			default:
				return fmt.Errorf("Unrecognized LogFormat directive %%%c", c)
			}
		}
		if !done {
			return errors.New("Ran off end of LogFormat parsing args to some directive")
		}
	}
	return nil
}

// applyAccessFileName is core's set_access_name: the last line wins and
// gives the list of names.
func applyAccessFileName(b *builder, o occurrence) error {
	b.cfg.Site.AccessFileName = slices.Clone(o.args)
	return nil
}
