package status

import (
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/mpm"
)

// Metrics returns the handler for "SetHandler metrics": the figures of the
// status page in Prometheus's text exposition format (version 0.0.4), read
// from the board, the listeners and the kernel at scrape time. It answers
// GET and HEAD; others get 405 with Allow.
//
// Families (all gauges unless named _total, which are counters):
//
//	gohttpd_workers{state}                    drawn scoreboard slots by state:
//	                                          dead starting ready read write keepalive
//	                                          logging dns closing graceful idle_kill
//	gohttpd_busy_workers, gohttpd_idle_workers, gohttpd_graceful_workers
//	                                          mod_status's BusyWorkers, IdleWorkers,
//	                                          GracefulWorkers
//	gohttpd_processes{state}                  live processes: serving, stopping
//	gohttpd_connections                       open connections (event)
//	gohttpd_async_connections{state}          event's writing, keepalive, closing
//	gohttpd_accesses_total                    requests served (Total Accesses)
//	gohttpd_bytes_total                       bytes served
//	gohttpd_request_duration_seconds_total    summed request time (Total Duration)
//	gohttpd_generation                        the running generation
//	gohttpd_restart_time_seconds              last (re)start, Unix time
//	gohttpd_uptime_seconds                    seconds since then
//	gohttpd_tcp_sockets{state}                the server's sockets by TCP state
//	                                          (established ... closing)
//	gohttpd_listen_queue_length{listener}     accept queue now (ss -lnt Recv-Q)
//	gohttpd_listen_backlog{listener}          accept queue limit (Send-Q)
//	gohttpd_listen_overflows_total            kernel TcpExt ListenOverflows
//	gohttpd_listen_drops_total                kernel TcpExt ListenDrops
//	gohttpd_syncookies_sent_total             kernel TcpExt SyncookiesSent
//	gohttpd_status_source_up{source}          1 if the source could be read:
//	                                          scoreboard, tcp_sockets,
//	                                          listen_queues, kernel_counters
//
// A source that cannot be read (sockets on a system without netlink and
// /proc, for example) leaves its families out and reports 0 in
// gohttpd_status_source_up, so one failure does not fail the scrape.
func (s *Status) Metrics() fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		if !allowMethod(ctx) {
			return
		}
		mfs, err := s.registry.Gather()
		if err != nil {
			ctx.Error("metrics: "+err.Error(), fasthttp.StatusInternalServerError)
			return
		}
		ctx.SetContentType(string(expfmt.FmtText))
		enc := expfmt.NewEncoder(ctx, expfmt.FmtText)
		for _, mf := range mfs {
			if err := enc.Encode(mf); err != nil {
				ctx.ResetBody()
				ctx.Error("metrics: "+err.Error(), fasthttp.StatusInternalServerError)
				return
			}
		}
	}
}

// Metric descriptions, by family name.
var (
	descWorkers = prometheus.NewDesc("gohttpd_workers",
		"Worker slots drawn on the scoreboard, by state.", []string{"state"}, nil)
	descBusy = prometheus.NewDesc("gohttpd_busy_workers",
		"Workers handling a connection (mod_status BusyWorkers).", nil, nil)
	descIdle = prometheus.NewDesc("gohttpd_idle_workers",
		"Idle workers of the running generation (mod_status IdleWorkers).", nil, nil)
	descGraceful = prometheus.NewDesc("gohttpd_graceful_workers",
		"Workers finishing after a graceful restart or stop (mod_status GracefulWorkers).", nil, nil)
	descProcesses = prometheus.NewDesc("gohttpd_processes",
		"Live child processes, serving or stopping.", []string{"state"}, nil)
	descConnections = prometheus.NewDesc("gohttpd_connections",
		"Open connections of the live processes (event engine).", nil, nil)
	descAsync = prometheus.NewDesc("gohttpd_async_connections",
		"Connections held by the event loop, by state: writing, keepalive, closing.", []string{"state"}, nil)
	descAccesses = prometheus.NewDesc("gohttpd_accesses_total",
		"Requests served (mod_status Total Accesses).", nil, nil)
	descBytes = prometheus.NewDesc("gohttpd_bytes_total",
		"Response bytes served.", nil, nil)
	descDuration = prometheus.NewDesc("gohttpd_request_duration_seconds_total",
		"Time spent processing requests, summed (mod_status Total Duration).", nil, nil)
	descGeneration = prometheus.NewDesc("gohttpd_generation",
		"The running generation, advanced by every restart.", nil, nil)
	descRestart = prometheus.NewDesc("gohttpd_restart_time_seconds",
		"When the server was last started or restarted, in Unix seconds.", nil, nil)
	descUptime = prometheus.NewDesc("gohttpd_uptime_seconds",
		"Seconds since the server was last started or restarted.", nil, nil)
	descTCP = prometheus.NewDesc("gohttpd_tcp_sockets",
		"The server's TCP sockets (local port one of its listeners'), by state.", []string{"state"}, nil)
	descQueue = prometheus.NewDesc("gohttpd_listen_queue_length",
		"Connections waiting in the listener's accept queue (ss -lnt Recv-Q).", []string{"listener"}, nil)
	descBacklog = prometheus.NewDesc("gohttpd_listen_backlog",
		"The listener's accept queue limit (ss -lnt Send-Q).", []string{"listener"}, nil)
	descOverflows = prometheus.NewDesc("gohttpd_listen_overflows_total",
		"Times an accept queue was full (kernel TcpExt ListenOverflows, whole network namespace).", nil, nil)
	descDrops = prometheus.NewDesc("gohttpd_listen_drops_total",
		"Connections dropped by listening sockets (kernel TcpExt ListenDrops, whole network namespace).", nil, nil)
	descSyncookies = prometheus.NewDesc("gohttpd_syncookies_sent_total",
		"SYN cookies sent because a SYN queue was full (kernel TcpExt SyncookiesSent).", nil, nil)
	descSourceUp = prometheus.NewDesc("gohttpd_status_source_up",
		"Whether a source of these metrics could be read (1) or not (0).", []string{"source"}, nil)
)

// workerStateLabels are gohttpd_workers' state label values, by mpm.State.
var workerStateLabels = [numStates]string{
	mpm.StateDead:          "dead",
	mpm.StateStarting:      "starting",
	mpm.StateReady:         "ready",
	mpm.StateBusyRead:      "read",
	mpm.StateBusyWrite:     "write",
	mpm.StateBusyKeepAlive: "keepalive",
	mpm.StateBusyLog:       "logging",
	mpm.StateBusyDNS:       "dns",
	mpm.StateClosing:       "closing",
	mpm.StateGraceful:      "graceful",
	mpm.StateIdleKill:      "idle_kill",
}

// collector reads a Status's sources at scrape time.
type collector struct{ s *Status }

var _ prometheus.Collector = collector{}

// Describe sends every family's description.
func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		descWorkers, descBusy, descIdle, descGraceful, descProcesses, descConnections, descAsync,
		descAccesses, descBytes, descDuration, descGeneration, descRestart, descUptime,
		descTCP, descQueue, descBacklog, descOverflows, descDrops, descSyncookies, descSourceUp,
	} {
		ch <- d
	}
}

// Collect reads the board and the network sources once and sends their
// metrics.
func (c collector) Collect(ch chan<- prometheus.Metric) {
	s := c.s
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	up := func(source string, ok bool) {
		var v float64
		if ok {
			v = 1
		}
		gauge(descSourceUp, v, source)
	}

	up("scoreboard", s.board != nil)
	if s.board != nil {
		s.collectBoard(gauge, counter)
	}

	n := s.gatherNetwork()
	up("tcp_sockets", n.tcpOK)
	if n.tcpOK {
		for _, st := range tcpStates {
			gauge(descTCP, float64(n.tcp[st]), strings.ToLower(st.String()))
		}
	}
	queuesOK := true
	for _, l := range n.Listeners {
		if l.Error != "" {
			queuesOK = false
			continue
		}
		gauge(descQueue, float64(l.QueueLen), l.Address)
		gauge(descBacklog, float64(l.Backlog), l.Address)
	}
	up("listen_queues", queuesOK)
	up("kernel_counters", n.Kernel != nil)
	if k := n.Kernel; k != nil {
		counter(descOverflows, float64(k.ListenOverflows))
		counter(descDrops, float64(k.ListenDrops))
		counter(descSyncookies, float64(k.SyncookiesSent))
	}
}

// collectBoard sends the scoreboard's families.
func (s *Status) collectBoard(gauge func(*prometheus.Desc, float64, ...string), counter func(*prometheus.Desc, float64)) {
	v := s.gatherBoard("", "", false)
	for st, name := range workerStateLabels {
		gauge(descWorkers, float64(v.drawn[st]), name)
	}
	gauge(descBusy, float64(v.BusyWorkers))
	gauge(descIdle, float64(v.IdleWorkers))
	gauge(descGraceful, float64(v.GracefulWorkers))

	var serving, stopping, conns, writing, keepAlive, closing int
	for _, p := range v.Processes {
		if p.Stopping {
			stopping++
		} else {
			serving++
		}
		conns += p.Connections
		writing += p.Writing
		keepAlive += p.KeepAlive
		closing += p.Closing
	}
	gauge(descProcesses, float64(serving), "serving")
	gauge(descProcesses, float64(stopping), "stopping")
	gauge(descConnections, float64(conns))
	gauge(descAsync, float64(writing), "writing")
	gauge(descAsync, float64(keepAlive), "keepalive")
	gauge(descAsync, float64(closing), "closing")

	// Totals over every slot, whatever ExtendedStatus says: the board
	// keeps the counters either way.
	counter(descAccesses, float64(v.sums.Accesses))
	counter(descBytes, float64(v.sums.Bytes))
	counter(descDuration, v.sums.duration.Seconds())
	gauge(descGeneration, float64(v.MPMGeneration))
	gauge(descRestart, float64(v.RestartTime.UnixNano())/float64(time.Second))
	gauge(descUptime, float64(v.UptimeSeconds))
}
