package status

import (
	"bytes"
	"encoding/json"
	"html"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/listener"
	"github.com/gohttpd/gohttpd/mpm"
)

// Options are what a Status reads. Config and Board are required for the
// status page; Listeners may be empty.
type Options struct {
	// Config supplies ServerName, the engine and its limits (which slots
	// the board draws), ExtendedStatus and the Listen ports.
	Config *conf.Config
	// Board is the shared scoreboard, read on every request.
	Board *mpm.Scoreboard
	// Listeners are the server's listening sockets: their accept queues
	// are shown, and their ports (with Config.Listen's) select the sockets
	// counted by TCP state.
	Listeners []*listener.Listener
	// Version is the Server Version line, for example
	// "gohttpd/0.1.0 (Unix)".
	Version string
	// Built is the Server Built line (build time text).
	Built string
	// Now returns the current time; nil means time.Now (tests inject).
	Now func() time.Time
}

// Status renders the server-status page and the metrics exposition. Its
// handlers read the scoreboard, the listeners and the kernel on every
// request; they are safe for concurrent use.
type Status struct {
	cfg       *conf.Config
	board     *mpm.Scoreboard
	listeners []*listener.Listener
	version   string
	built     string
	now       func() time.Time
	created   time.Time // restart time when the board has none

	// Sources of the figures that do not come from the board; tests
	// replace them.
	loadavg  func() ([3]float64, error)
	cpuTimes func(pids []int) (cpuTimes, error)
	sockets  func(ports ...int) (listener.StateCounts, error)
	kernel   func() (listener.Counters, error)

	registry *prometheus.Registry
}

// New returns a Status for opts. It does not read anything yet.
func New(opts Options) *Status {
	s := &Status{
		cfg:       opts.Config,
		board:     opts.Board,
		listeners: opts.Listeners,
		version:   opts.Version,
		built:     opts.Built,
		now:       opts.Now,
		loadavg:   loadAverage,
		cpuTimes:  processCPUTimes,
		sockets:   listener.CountLocal,
		kernel:    listener.KernelCounters,
	}
	if s.cfg == nil {
		s.cfg = &conf.Config{}
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.created = s.now()
	s.registry = prometheus.NewPedanticRegistry()
	s.registry.MustRegister(collector{s})
	return s
}

// Content types of the three renderings, as mod_status sends them (JSON is
// gohttpd's own).
const (
	contentHTML = "text/html; charset=ISO-8859-1"
	contentAuto = "text/plain; charset=ISO-8859-1"
	contentJSON = "application/json"
)

// Handler returns the handler for "SetHandler server-status". It answers
// GET and HEAD (others get 405 with Allow) with mod_status's page. The
// query string selects, by substring anywhere in it as mod_status does:
// "refresh" or "refresh=N" (a Refresh: N header, 10 when N < 1 or absent),
// "notable" (no HTML tables), "auto" (the machine-readable text format) and
// "json" (the same facts as one JSON object; it wins over "auto").
func (s *Status) Handler() fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		if !allowMethod(ctx) {
			return
		}
		if s.board == nil {
			// Apache's AH01237 "Server status unavailable in inetd mode".
			ctx.Error("server status unavailable: no scoreboard", fasthttp.StatusInternalServerError)
			return
		}
		q := parseQuery(ctx.URI().QueryString())
		if q.refresh > 0 {
			ctx.Response.Header.Set("Refresh", strconv.Itoa(q.refresh))
		}
		v := s.gather(s.serverName(ctx), localIP(ctx))
		var buf bytes.Buffer
		switch {
		case q.json:
			ctx.SetContentType(contentJSON)
			enc := json.NewEncoder(&buf)
			enc.SetIndent("", "  ")
			if err := enc.Encode(v); err != nil {
				ctx.Error("server status: "+err.Error(), fasthttp.StatusInternalServerError)
				return
			}
		case q.auto:
			ctx.SetContentType(contentAuto)
			writeAuto(&buf, v)
		default:
			ctx.SetContentType(contentHTML)
			writeHTML(&buf, v, q.notable)
		}
		ctx.SetBody(buf.Bytes())
	}
}

// allowMethod lets GET and HEAD through and answers anything else with 405
// and an Allow header.
func allowMethod(ctx *fasthttp.RequestCtx) bool {
	if ctx.IsGet() || ctx.IsHead() {
		return true
	}
	ctx.Response.Header.Set("Allow", "GET, HEAD")
	ctx.SetStatusCode(fasthttp.StatusMethodNotAllowed)
	ctx.SetContentType("text/html; charset=iso-8859-1")
	ctx.SetBodyString("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n" +
		"<html><head>\n<title>405 Method Not Allowed</title>\n</head><body>\n" +
		"<h1>Method Not Allowed</h1>\n<p>The requested method " +
		html.EscapeString(string(ctx.Method())) + " is not allowed for this URL.</p>\n</body></html>\n")
	return false
}

// serverName is the host the page is about: ServerName, else the request's
// Host without its port, else the machine's host name. (Apache's
// ap_get_server_name with UseCanonicalName On.)
func (s *Status) serverName(ctx *fasthttp.RequestCtx) string {
	if n := s.cfg.Site.ServerName; n != "" {
		return n
	}
	if h := string(ctx.Host()); h != "" {
		if host, _, err := net.SplitHostPort(h); err == nil {
			return host
		}
		return h
	}
	if h, err := os.Hostname(); err == nil {
		return h
	}
	return "localhost"
}

// localIP is the address the request came in on (Apache's
// r->connection->local_ip).
func localIP(ctx *fasthttp.RequestCtx) string {
	if ip := ctx.LocalIP(); ip != nil && !ip.IsUnspecified() {
		return ip.String()
	}
	return "-"
}

// query holds the options of a status request.
type query struct {
	refresh             int // seconds; 0 = no Refresh header
	notable, auto, json bool
}

// parseQuery reads mod_status's options from a raw query string. Like
// mod_status it matches each option name anywhere in the string (so
// "?auto", "?x=auto" and "?autox" all select auto) and takes "refresh"'s
// value only from the "=" right after its first occurrence, as atol would
// read it; a missing or non-positive value means 10 seconds.
func parseQuery(raw []byte) query {
	var q query
	if i := bytes.Index(raw, []byte("refresh")); i >= 0 {
		q.refresh = 10
		if rest := raw[i+len("refresh"):]; len(rest) > 0 && rest[0] == '=' {
			if n := atol(rest[1:]); n >= 1 {
				q.refresh = n
			}
		}
	}
	q.notable = bytes.Contains(raw, []byte("notable"))
	q.auto = bytes.Contains(raw, []byte("auto"))
	q.json = bytes.Contains(raw, []byte("json"))
	return q
}

// maxRefresh caps a Refresh value (atol would overflow; a day is plenty).
const maxRefresh = 86400

// atol parses a decimal number as C's atol does: leading white space, an
// optional sign, then digits up to the first non-digit; nothing parsable
// gives 0. The result is capped at maxRefresh.
func atol(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	n := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		n = min(n*10+int(b[i]-'0'), maxRefresh)
	}
	if neg {
		return -n
	}
	return n
}
