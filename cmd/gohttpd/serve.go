package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/listener"
	"github.com/gohttpd/gohttpd/mpm"
	"github.com/gohttpd/gohttpd/site"
	"github.com/gohttpd/gohttpd/site/accesslog"
	"github.com/gohttpd/gohttpd/site/errorlog"
	"github.com/gohttpd/gohttpd/site/logfile"
)

// listenSpec maps one Listen directive and the listener directives onto
// a listener.Spec.
func listenSpec(cfg *conf.Config, l conf.Listen) listener.Spec {
	spec := listener.Spec{
		Host:          l.Host,
		Port:          l.Port,
		Proto:         l.Proto,
		Backlog:       cfg.ListenBacklog,
		ReusePort:     cfg.ListenCoresBucketsRatio > 0,
		SendBuffer:    cfg.SendBufferSize,
		ReceiveBuffer: cfg.ReceiveBufferSize,
	}
	if f, ok := cfg.AcceptFilter[l.Proto]; ok && f != "none" {
		spec.DeferAccept = listener.ApacheDeferAccept
	}
	return spec
}

// logs are the open error and access logs of one process.
type logs struct {
	errorLog *logfile.File
	access   []*logfile.File
	logger   *slog.Logger
	accessFn site.AccessLogger
	// servers are the virtual hosts' logs (site.Options.Servers), with
	// the files they opened; files holds each vhost's own ErrorLog.
	servers []site.ServerLogs
	files   []*logfile.File
}

// openLogs opens ErrorLog and, if withAccess (a serving process), every
// CustomLog of cfg and the virtual hosts' own logs.
// module names the process in error-log lines ("mpm_event" ...).
func openLogs(cfg *conf.Config, stderr io.Writer, withAccess bool) (*logs, error) {
	level, err := errorlog.ParseLevel(cfg.Log.LogLevel)
	if err != nil {
		return nil, fmt.Errorf("LogLevel: %w", err)
	}
	l := &logs{}
	var ew io.Writer = stderr
	if cfg.Log.ErrorLog != "stderr" {
		f, err := logfile.Open(cfg.Log.ErrorLog)
		if err != nil {
			return nil, fmt.Errorf("ErrorLog: %w", err)
		}
		l.errorLog = f
		ew = f
	}
	l.logger = slog.New(errorlog.NewHandler(ew, errorlog.Options{
		Level: level, Module: "mpm_" + cfg.MPM, Threaded: cfg.MPM != conf.Prefork,
	}))
	if !withAccess {
		// The master logs nothing for a vhost; the children open the
		// vhosts' logs (and fail at start if one cannot be opened).
		return l, nil
	}
	for i := range cfg.Servers {
		srv := &cfg.Servers[i]
		var sl site.ServerLogs
		if srv.OwnErrorLog || srv.Log.LogLevel != cfg.Log.LogLevel {
			lvl, err := errorlog.ParseLevel(srv.Log.LogLevel)
			if err != nil {
				l.close()
				return nil, fmt.Errorf("LogLevel: %w", err)
			}
			var w io.Writer = ew
			if srv.OwnErrorLog && srv.Log.ErrorLog != "stderr" {
				f, err := logfile.Open(srv.Log.ErrorLog)
				if err != nil {
					l.close()
					return nil, fmt.Errorf("ErrorLog: %w", err)
				}
				l.files = append(l.files, f)
				w = f
			} else if srv.OwnErrorLog {
				w = stderr
			}
			sl.Logger = slog.New(errorlog.NewHandler(w, errorlog.Options{
				Level: lvl, Module: "mpm_" + cfg.MPM, Threaded: cfg.MPM != conf.Prefork,
			}))
		}
		l.servers = append(l.servers, sl)
	}
	fn, err := l.openAccess(cfg.Log.Access, cfg.Site.ServerName)
	if err != nil {
		l.close()
		return nil, err
	}
	l.accessFn = fn
	for i := range cfg.Servers {
		if srv := &cfg.Servers[i]; srv.OwnAccess {
			fn, err := l.openAccess(srv.Log.Access, srv.Site.ServerName)
			if err != nil {
				l.close()
				return nil, err
			}
			l.servers[i].Access = fn
		}
	}
	return l, nil
}

// openAccess opens access logs for a server whose ServerName is name.
func (l *logs) openAccess(list []conf.AccessLog, name string) (site.AccessLogger, error) {
	var multi multiAccess
	for _, a := range list {
		f, err := logfile.Open(a.Path)
		if err != nil {
			return nil, fmt.Errorf("CustomLog: %w", err)
		}
		l.access = append(l.access, f)
		al, err := accesslog.New(f, a.Format, accesslog.Options{ServerName: name})
		if err != nil {
			return nil, fmt.Errorf("CustomLog %s: %w", a.Path, err)
		}
		multi = append(multi, al)
	}
	switch len(multi) {
	case 0:
		return nil, nil
	case 1:
		return multi[0], nil
	}
	return multi, nil
}

// startLogging opens cfg's logs (see openLogs) and logs the
// configuration's notices, as a serving process starts.
func startLogging(cfg *conf.Config, stderr io.Writer, withAccess bool) (*logs, error) {
	lg, err := openLogs(cfg, stderr, withAccess)
	if err != nil {
		return nil, err
	}
	for _, n := range cfg.Notices {
		lg.logger.Info(n)
	}
	return lg, nil
}

// flush writes out what the logs buffer.
func (l *logs) flush() {
	for _, f := range l.access {
		f.Flush()
	}
	for _, f := range l.files {
		f.Flush()
	}
	if l.errorLog != nil {
		l.errorLog.Flush()
	}
}

func (l *logs) close() {
	for _, f := range l.access {
		f.Close()
	}
	for _, f := range l.files {
		f.Close()
	}
	if l.errorLog != nil {
		l.errorLog.Close()
	}
}

// multiAccess fans one request out to several access logs.
type multiAccess []site.AccessLogger

func (m multiAccess) Log(ctx *fasthttp.RequestCtx, start time.Time) {
	for _, a := range m {
		a.Log(ctx, start)
	}
}

// notice logs at Apache's notice level.
func notice(log *slog.Logger, msg string, args ...any) {
	log.Log(context.Background(), errorlog.LevelNotice, msg, args...)
}

// newSite builds the request chain of one serving process.
func newSite(cfg *conf.Config, lg *logs, board *mpm.Scoreboard, lns []*listener.Listener, draining *atomic.Bool, tl *tlsState) (*site.Site, error) {
	stopping := stoppingFunc(draining, board)
	return site.New(cfg, site.Options{
		Logger:   lg.logger,
		Access:   lg.accessFn,
		Servers:  lg.servers,
		SetVHost: mpm.SetRequestVHost,
		OnClient: mpm.SetRequestClient,
		Stopping: stopping,
		Handlers: withHealth(withMDStatus(statusHandlers(cfg, board, lns), cfg, tl), stopping),
		TLS:      tl.siteTLS(),
	})
}

// observers returns independent copies of lns (each its own descriptor
// of the same socket) for the status page to read queue statistics from:
// the engine owns the originals and may close them when it stops.
func observers(lns []*listener.Listener) ([]*listener.Listener, error) {
	out := make([]*listener.Listener, 0, len(lns))
	for _, ln := range lns {
		f, err := ln.File()
		if err != nil {
			return nil, err
		}
		o, err := listener.FromFile(f, ln.Spec())
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// newEngine builds one serving process: its request chain and its
// engine's child loop over lns, which the engine owns from then on. The
// status page reads the accept queues of lns (through copies) and of
// others, other buckets' sockets, which it owns. Close the site once the
// loop has stopped.
func newEngine(cfg *conf.Config, lg *logs, board *mpm.Scoreboard, lns, others []*listener.Listener, slot int, gen uint64, tl *tlsState) (mpm.ChildServer, *site.Site, error) {
	obs, err := observers(lns)
	if err != nil {
		return nil, nil, err
	}
	if b := slot % max(cfg.ListenBuckets, 1); len(others) > 0 {
		// In bucket order, as the status page names them (#0, #1 ...).
		n := len(lns)
		obs = append(append(others[:b*n:b*n], obs...), others[b*n:]...)
	}
	draining := &atomic.Bool{}
	st, err := newSite(cfg, lg, board, obs, draining, tl)
	if err != nil {
		return nil, nil, err
	}
	netLns := make([]net.Listener, len(lns))
	for i, ln := range lns {
		netLns[i] = ln
	}
	cs, err := childFor(cfg, mpm.ChildDeps{
		Listeners: netLns, Server: st.NewServer(), Protocol: protocolOptions(cfg), Board: board, Slot: slot,
		Generation: gen, Draining: draining, VHost: boardVHost(cfg), Log: lg.logger,
		TLS: tl.listenerTLS(cfg, cfg.Listen), HandshakeTimeout: cfg.HTTP.RequestReadTimeout.Handshake.Timeout,
		PlainHTTP:     st.PlainHTTP,
		ProxyProtocol: proxyProtocolOptions(cfg),
		H2:            h2Config(cfg),
	})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return cs, st, nil
}

// serve runs the server: a master and its children, or with -X one
// process that runs the engine's child loop itself, as httpd -X does.
func serve(cfg *conf.Config, o *options, stderr io.Writer) error {
	if o.oneProcess {
		return serveOneProcess(cfg, stderr)
	}
	return serveMaster(cfg, o, stderr)
}

// serveOneProcess is -X: no children; the engine's serving loop runs in
// this process with one process slot. TERM/INT stop at once, WINCH stops
// gracefully; HUP and USR1 are not caught, as in Apache's -X. Under
// systemd it behaves as the master does (systemd.go, oneprocess.go):
// passed sockets, READY=1 and STOPPING=1, and WINCH drains for
// GracefulStopDrainDelay first.
func serveOneProcess(cfg *conf.Config, stderr io.Writer) error {
	svc, err := startService(cfg) // LISTEN_FDS, NOTIFY_SOCKET
	if err != nil {
		return err
	}
	defer svc.close()
	lg, err := startLogging(cfg, stderr, true)
	if err != nil {
		return err
	}
	defer lg.close()
	log := lg.logger
	set := newListenerSet(log)
	defer set.Close()
	set.Activation = svc.act
	// One process serves one bucket (Apache's -X too).
	buckets, err := set.Open(listenSpecs(cfg), 1)
	if err != nil {
		return err
	}
	if err := svc.act.Unclaimed(); err != nil {
		return err
	}
	lns := buckets[0]
	board, err := mpm.NewScoreboard(1, threadLimit(cfg))
	if err != nil {
		return err
	}
	defer board.Close()
	board.SetRestartTime(time.Now())
	board.Process(0).SetPID(os.Getpid())
	board.Process(0).SetStarted(time.Now())
	if err := writePidFile(cfg.PidFile); err != nil {
		return err
	}
	defer removePidFile(cfg.PidFile)
	tl, err := buildTLS(cfg, nil, nil) // before dropping root: keys (tls.go)
	if err != nil {
		return err
	}
	tl.useSessionCache(cfg, false, log)
	tl.rotate()
	defer tl.close()
	// As Apache's -X, the one process switches users too.
	prepareCompressCache(cfg, log)
	if err := dropPrivileges(cfg, log); err != nil {
		return err
	}

	set.Forget() // the engine owns and closes them now
	cs, st, err := newEngine(cfg, lg, board, lns, nil, 0, 0, tl)
	if err != nil {
		return err
	}
	defer st.Close()
	sigc := make(chan os.Signal, 4)
	signal.Notify(sigc, syscall.SIGTERM, syscall.SIGINT, syscall.SIGWINCH)
	defer signal.Stop(sigc)
	signal.Ignore(syscall.SIGPIPE)
	notice(log, serverVersion()+" configured -- resuming normal operations")
	notice(log, "running in one process (-X)", "mpm", cfg.MPM)
	svc.statusLoop(board, threadLimit(cfg))
	return mpm.ServeOrders(cs, svc.oneProcessReady(), svc.relay(sigc, board, log), func(sig os.Signal) mpm.StopMode {
		if sig == syscall.SIGWINCH {
			notice(log, "caught SIGWINCH, shutting down gracefully")
			return mpm.StopGracefulIdle
		}
		notice(log, "caught SIGTERM, shutting down")
		return mpm.StopImmediate
	}, nil)
}

// boardVHost is the scoreboard's vhost column for the main server.
func boardVHost(cfg *conf.Config) string {
	port := 0
	if len(cfg.Listen) > 0 {
		port = cfg.Listen[0].Port
	}
	return mpm.VHost(cfg.Site.ServerName, port)
}
