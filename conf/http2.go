package conf

// mod_http2 and core's Protocols / ProtocolsHonorOrder: built by
// HTTP2Builder for the server and each <VirtualHost>, combined by
// MergeHTTP2 (a vhost's settings win where set, as Apache's
// h2_config_merge). Their behaviour is in internal/h2bridge; the engines
// choose h2 by ALPN, sniff the h2c preface (H2Direct) and hand an
// "Upgrade: h2c" request to the bridge (H2Upgrade).
//
// Wired by wire_http2.go (Config.HTTP2, Server.HTTP2) and, for the
// engines, cmd/gohttpd/h2.go and mpm/h2.go. Every name in HTTP2Directives is RSRC_CONF
// (server config and <VirtualHost> only, never .htaccess: Apache lets
// H2Upgrade and H2Push into directory sections through OR_AUTHCFG, here
// they are server/vhost only and a directory use is refused); build with
// HTTP2Builder.Directive per server/vhost, MergeHTTP2(server, vhost), print
// Warnings() under -t/-S, and map the Effective() values to
// h2bridge.Options:
//
//	H2MaxSessionStreams  → MaxConcurrentStreams (prefork: OneStreamAtATime)
//	H2WindowSize         → InitialWindowSize
//	H2StreamMaxMemSize   → StreamBufferSize (the bounded copy buffer of a
//	                       streamed response body)
//	H2StreamTimeout      → ReadTimeout and WriteTimeout (else Timeout)
//	H2ModernTLSOnly off  → the tls.Config may keep weaker suites; x/net's
//	                       PermitProhibitedCipherSuites
//	KeepAliveTimeout     → IdleTimeout (MaxKeepAliveRequests: not mapped,
//	                       as Apache 2.4.71, which does not limit streams by it)
//	LimitRequestFields/FieldSize/Line/Body → MaxRequestFields/FieldSize/Line/BodySize
//
// H2MinWorkers and H2MaxWorkers are accepted and not honoured: the bridge
// runs each stream on its own goroutine, bounded per connection by
// H2MaxSessionStreams and per child by the engine's connection limit, so
// there is no separate h2 worker pool to size (a warning says so).

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// HTTP2Config is one server's or vhost's HTTP/2 configuration. Unset
// fields (nil, 0) inherit; Effective fills Apache's defaults.
type HTTP2Config struct {
	// Protocols are the Protocols arguments lower-cased, in order; nil
	// when unset (Apache's default: "http/1.1" only). Unknown names are
	// kept and never offered, as Apache does.
	Protocols []string `json:",omitempty"`
	// HonorOrder is ProtocolsHonorOrder (default on: the server's order
	// wins in ALPN).
	HonorOrder *bool `json:",omitempty"`
	// Direct is H2Direct (default: on for h2c, off over TLS).
	Direct *bool `json:",omitempty"`
	// Upgrade is H2Upgrade (default: on for h2c; never over TLS).
	Upgrade *bool `json:",omitempty"`
	// ModernTLSOnly is H2ModernTLSOnly (default on).
	ModernTLSOnly *bool `json:",omitempty"`
	// MaxSessionStreams is H2MaxSessionStreams (default 100).
	MaxSessionStreams int `json:",omitempty"`
	// WindowSize is H2WindowSize (default 65535).
	WindowSize int `json:",omitempty"`
	// StreamMaxMemSize is H2StreamMaxMemSize (default 65536).
	StreamMaxMemSize int `json:",omitempty"`
	// StreamTimeout is H2StreamTimeout (default: Timeout).
	StreamTimeout time.Duration `json:",omitempty"`
	// MinWorkers, MaxWorkers are H2MinWorkers and H2MaxWorkers: kept for
	// -S, not honoured.
	MinWorkers, MaxWorkers int `json:",omitempty"`
	// Warn are the warnings for -t/-S, one per accepted-but-ignored use.
	Warn []string `json:",omitempty"`
}

// HTTP2Directives are the directives HTTP2Builder.Directive takes.
var HTTP2Directives = []string{
	"Protocols", "ProtocolsHonorOrder",
	"H2Direct", "H2Upgrade", "H2MaxSessionStreams", "H2WindowSize", "H2StreamMaxMemSize",
	"H2MinWorkers", "H2MaxWorkers", "H2MaxWorkerIdleSeconds", "H2StreamTimeout",
	"H2ModernTLSOnly", "H2Push", "H2PushResource", "H2PushPriority", "H2PushDiarySize",
	"H2EarlyHints", "H2EarlyHint", "H2Padding", "H2MaxDataFrameLen", "H2MaxHeaderBlockLen",
	"H2TLSWarmUpSize", "H2TLSCoolDownSecs", "H2OutputBuffering", "H2CopyFiles",
	"H2SerializeHeaders", "H2SessionExtraFiles", "H2ProxyRequests", "H2WebSockets",
}

// HTTP2Builder builds one server's or vhost's HTTP2Config; the zero value
// is ready.
type HTTP2Builder struct {
	cfg  HTTP2Config
	used bool
}

// Finish returns the configuration, nil when no directive was given.
func (b *HTTP2Builder) Finish() *HTTP2Config {
	if !b.used {
		return nil
	}
	c := b.cfg
	return &c
}

// aprAtoi is (int)apr_atoi64(s): leading blanks and sign, digits up to the
// first non-digit, 0 for none, then truncated to a C int as mod_http2 does.
func aprAtoi(s string) int {
	s = strings.TrimLeft(s, " \t\n\r\f\v")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var v int64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if v > (1<<63-1)/10 {
			v = 1<<63 - 1
			break
		}
		v = v*10 + int64(s[i]-'0')
	}
	if neg {
		v = -v
	}
	return int(int32(v))
}

func h2OnOff(args []string) (bool, error) {
	switch {
	case strings.EqualFold(args[0], "on"):
		return true, nil
	case strings.EqualFold(args[0], "off"):
		return false, nil
	}
	return false, errors.New("value must be On or Off")
}

// parseAprTimeout is ap_timeout_parameter_parse with default unit "s":
// digits, then an optional unit ms, s, mi(n), h.
func parseAprTimeout(s string) (time.Duration, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return 0, false
	}
	unit := map[string]time.Duration{"": time.Second, "s": time.Second, "ms": time.Millisecond, "mi": time.Minute, "min": time.Minute, "h": time.Hour}
	u, ok := unit[strings.ToLower(s[i:])]
	if !ok {
		return 0, false
	}
	return time.Duration(n) * u, true
}

// Directive applies one directive (name in any case) with Apache 2.4.71's
// error texts (checked with apache2 -t).
func (b *HTTP2Builder) Directive(name string, args []string) error {
	lname := strings.ToLower(name)
	canon := name
	for _, d := range HTTP2Directives {
		if strings.EqualFold(d, name) {
			canon = d
		}
	}
	if lname == "protocols" {
		if len(args) == 0 {
			return errors.New("Protocols requires at least one argument, Controls which protocols are allowed")
		}
		ps := make([]string, len(args))
		for i, a := range args {
			ps[i] = strings.ToLower(a)
		}
		b.cfg.Protocols = append(b.cfg.Protocols, ps...)
		b.used = true
		return nil
	}
	nargs := map[string][2]int{"h2pushresource": {1, 3}, "h2pushpriority": {2, 3}, "h2earlyhint": {2, 2}}
	want, ok := nargs[lname]
	if !ok {
		want = [2]int{1, 1}
	}
	if len(args) < want[0] || len(args) > want[1] {
		switch want {
		case [2]int{1, 1}:
			return fmt.Errorf("%s takes one argument", canon)
		case [2]int{2, 2}:
			return fmt.Errorf("%s takes two arguments", canon)
		}
		return fmt.Errorf("%s takes %d-%d arguments", canon, want[0], want[1])
	}
	c := &b.cfg
	warn := func(format string, a ...any) { c.Warn = append(c.Warn, fmt.Sprintf(format, a...)) }
	flag := func(dst **bool) error {
		v, err := h2OnOff(args)
		if err != nil {
			return err
		}
		*dst = &v
		return nil
	}
	switch lname {
	case "protocolshonororder":
		if !strings.EqualFold(args[0], "on") && !strings.EqualFold(args[0], "off") {
			return errors.New("ProtocolsHonorOrder must be 'on' or 'off'")
		}
		v := strings.EqualFold(args[0], "on")
		c.HonorOrder = &v
	case "h2direct":
		if err := flag(&c.Direct); err != nil {
			return err
		}
	case "h2upgrade":
		if err := flag(&c.Upgrade); err != nil {
			return err
		}
	case "h2moderntlsonly":
		if err := flag(&c.ModernTLSOnly); err != nil {
			return err
		}
	case "h2maxsessionstreams":
		v := aprAtoi(args[0])
		if v < 1 {
			return errors.New("value must be > 0")
		}
		c.MaxSessionStreams = v
	case "h2windowsize", "h2streammaxmemsize":
		v := aprAtoi(args[0])
		if v < 1024 {
			return errors.New("value must be >= 1024")
		}
		if lname == "h2windowsize" {
			c.WindowSize = v
		} else {
			c.StreamMaxMemSize = v
		}
	case "h2minworkers", "h2maxworkers":
		v := aprAtoi(args[0])
		if v < 1 {
			return errors.New("value must be > 0")
		}
		if lname == "h2minworkers" {
			c.MinWorkers = v
		} else {
			c.MaxWorkers = v
		}
		warn("%s: not honoured: each HTTP/2 stream runs on its own goroutine, bounded by H2MaxSessionStreams per connection; there is no h2 worker pool", canon)
	case "h2maxworkeridleseconds":
		if _, ok := parseAprTimeout(args[0]); !ok {
			return errors.New("Invalid idle limit value")
		}
		warn("%s: ignored: there is no h2 worker pool", canon)
	case "h2streamtimeout":
		d, ok := parseAprTimeout(args[0])
		if !ok {
			return errors.New("Invalid timeout value")
		}
		c.StreamTimeout = d
	case "h2push":
		v, err := h2OnOff(args)
		if err != nil {
			return err
		}
		if v {
			warn("H2Push on: server push is not done (browsers removed support for it); directive ignored")
		}
	case "h2pushresource", "h2pushpriority", "h2pushdiarysize":
		if lname == "h2pushdiarysize" {
			v := aprAtoi(args[0])
			switch {
			case v < 0:
				return errors.New("value must be >= 0")
			case v > 0 && v&(v-1) != 0:
				return errors.New("value must a power of 2")
			case v > 1<<15:
				return errors.New("value must <= 65536")
			}
		}
		warn("%s: ignored: server push is not done", canon)
	case "h2earlyhints":
		v, err := h2OnOff(args)
		if err != nil {
			return err
		}
		if v {
			// A client would see 103 responses: refused, not ignored.
			return errors.New("H2EarlyHints On: 103 Early Hints responses are not supported")
		}
	case "h2earlyhint":
		warn("%s: ignored: 103 Early Hints are not sent (H2EarlyHints cannot be on)", canon)
	case "h2padding":
		v := aprAtoi(args[0])
		if v < 0 {
			return errors.New("number of bits must be >= 0")
		}
		if v > 8 {
			return errors.New("number of bits must be <= 8")
		}
		if v > 0 {
			warn("%s: ignored: frames are not padded", canon)
		}
	case "h2maxdataframelen", "h2maxheaderblocklen":
		if aprAtoi(args[0]) < 0 {
			return errors.New("value must be 0 or larger")
		}
		warn("%s: ignored: frame sizes are the HTTP/2 library's (at most the client's SETTINGS_MAX_FRAME_SIZE)", canon)
	case "h2tlswarmupsize", "h2tlscooldownsecs":
		warn("%s: ignored: TLS record sizes are crypto/tls's", canon)
	case "h2outputbuffering", "h2copyfiles":
		if _, err := h2OnOff(args); err != nil {
			return err
		}
		warn("%s: ignored: response bodies are copied through a bounded buffer", canon)
	case "h2serializeheaders":
		if strings.EqualFold(args[0], "on") {
			// Apache's AH10307 text.
			warn("%s: this feature has been disabled and the directive to enable it is ignored.", canon)
		}
	case "h2sessionextrafiles":
		warn("H2SessionExtraFiles is obsolete and will be ignored")
	case "h2proxyrequests":
		v, err := h2OnOff(args)
		if err != nil {
			return err
		}
		if v {
			return errors.New("H2ProxyRequests On: forward proxy requests over HTTP/2 are not supported")
		}
	case "h2websockets":
		v, err := h2OnOff(args)
		if err != nil {
			return err
		}
		if v {
			// mod_http2's own text for a build without WebSockets support.
			return errors.New("HTTP/2 WebSockets are not supported in this server version")
		}
	default:
		return fmt.Errorf("Invalid command '%s'", name)
	}
	b.used = true
	return nil
}

// MergeHTTP2 is h2_config_merge for a vhost over the server: the vhost's
// set values win; Protocols is replaced, not appended (core's
// merge_core_server_configs). Warnings of both are kept.
func MergeHTTP2(base, child *HTTP2Config) *HTTP2Config {
	if child == nil {
		return base
	}
	if base == nil {
		return child
	}
	out := *base
	if child.Protocols != nil {
		out.Protocols = child.Protocols
	}
	for _, p := range []struct{ dst, src **bool }{
		{&out.HonorOrder, &child.HonorOrder}, {&out.Direct, &child.Direct},
		{&out.Upgrade, &child.Upgrade}, {&out.ModernTLSOnly, &child.ModernTLSOnly},
	} {
		if *p.src != nil {
			*p.dst = *p.src
		}
	}
	for _, p := range []struct{ dst, src *int }{
		{&out.MaxSessionStreams, &child.MaxSessionStreams}, {&out.WindowSize, &child.WindowSize},
		{&out.StreamMaxMemSize, &child.StreamMaxMemSize}, {&out.MinWorkers, &child.MinWorkers},
		{&out.MaxWorkers, &child.MaxWorkers},
	} {
		if *p.src != 0 {
			*p.dst = *p.src
		}
	}
	if child.StreamTimeout != 0 {
		out.StreamTimeout = child.StreamTimeout
	}
	out.Warn = append(append([]string(nil), base.Warn...), child.Warn...)
	return &out
}

// Warnings returns the -t/-S warnings.
func (c *HTTP2Config) Warnings() []string {
	if c == nil {
		return nil
	}
	return c.Warn
}

// HTTP2Effective is an HTTP2Config with Apache's defaults filled in.
type HTTP2Effective struct {
	H2, H2C, HonorOrder, ModernTLSOnly bool
	// Direct and Upgrade are per transport: DirectTLS is only true when
	// H2Direct On is given (Apache's default is off over TLS).
	DirectClear, DirectTLS, UpgradeClear bool
	// ALPN is the tls.Config NextProtos for this vhost's addresses: the
	// Protocols that ALPN can carry ("h2", "http/1.1"), in order.
	ALPN                                     []string
	MaxSessionStreams, WindowSize, StreamBuf int
	StreamTimeout                            time.Duration
}

// NextProtos is the ALPN choice for one ClientHello: the server's ALPN list
// as is when ProtocolsHonorOrder is on (crypto/tls picks the first server
// protocol the client offers), else reordered to the client's preference,
// for a tls.Config.GetConfigForClient. nil when nothing is in common
// (crypto/tls then lets the handshake go on without ALPN, as Apache).
func (e HTTP2Effective) NextProtos(client []string) []string {
	if e.HonorOrder {
		return e.ALPN
	}
	var out []string
	for _, c := range client {
		for _, s := range e.ALPN {
			if c == s {
				out = append(out, s)
			}
		}
	}
	return out
}

// Effective resolves c (nil: nothing set) against Apache's defaults.
func (c *HTTP2Config) Effective() HTTP2Effective {
	if c == nil {
		c = &HTTP2Config{}
	}
	protos := c.Protocols
	if protos == nil {
		protos = []string{"http/1.1"}
	}
	e := HTTP2Effective{HonorOrder: true, ModernTLSOnly: true, MaxSessionStreams: 100, WindowSize: 65535, StreamBuf: 65536, StreamTimeout: c.StreamTimeout}
	for _, p := range protos {
		switch p {
		case "h2":
			e.H2 = true
			e.ALPN = append(e.ALPN, p)
		case "h2c":
			e.H2C = true
		case "http/1.1":
			e.ALPN = append(e.ALPN, p)
		}
	}
	get := func(p *bool, def bool) bool {
		if p == nil {
			return def
		}
		return *p
	}
	e.HonorOrder = get(c.HonorOrder, true)
	e.ModernTLSOnly = get(c.ModernTLSOnly, true)
	e.DirectClear = e.H2C && get(c.Direct, true)
	e.DirectTLS = e.H2 && get(c.Direct, false)
	e.UpgradeClear = e.H2C && get(c.Upgrade, true)
	if c.MaxSessionStreams > 0 {
		e.MaxSessionStreams = c.MaxSessionStreams
	}
	if c.WindowSize > 0 {
		e.WindowSize = c.WindowSize
	}
	if c.StreamMaxMemSize > 0 {
		e.StreamBuf = c.StreamMaxMemSize
	}
	return e
}
