package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/listener"
	"github.com/gohttpd/gohttpd/site/vhost"
)

// Version is gohttpd's version, printed by -v and in the Server header's
// long form.
const Version = "0.1.0"

// serverVersion is the banner Apache prints as "Server version".
func serverVersion() string { return "gohttpd/" + Version + " (Unix)" }

// buildTime is the VCS commit time when the binary was built from a
// checkout, else the binary's modification time.
func buildTime() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.time" {
				if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
					return t.UTC().Format("Jan _2 2006 15:04:05")
				}
			}
		}
	}
	// Built without VCS stamping: the binary's modification time.
	if exe, err := os.Executable(); err == nil {
		if fi, err := os.Stat(exe); err == nil {
			return fi.ModTime().UTC().Format("Jan _2 2006 15:04:05")
		}
	}
	return "unknown"
}

// printVersion is -v.
func printVersion(w io.Writer) {
	fmt.Fprintf(w, "Server version: %s\n", serverVersion())
	fmt.Fprintf(w, "Server built:   %s\n", buildTime())
}

// printCompileSettings is -V. The engine shown is the one the
// configuration selects (Apache prints its compiled-in MPM).
func printCompileSettings(w io.Writer, o *options) {
	printVersion(w)
	mpm := conf.Event
	if cfg, err := loadConfig(o); err == nil {
		mpm = cfg.MPM
	}
	fmt.Fprintf(w, "Compiled using: %s\n", runtime.Version())
	fmt.Fprintf(w, "Architecture:   %d-bit\n", strconv.IntSize)
	fmt.Fprintf(w, "Server MPM:     %s\n", mpm)
	if mpm == conf.Prefork {
		fmt.Fprintln(w, "  threaded:     no")
	} else {
		fmt.Fprintln(w, "  threaded:     yes (fixed thread count)")
	}
	fmt.Fprintln(w, "    forked:     yes (variable process count)")
	fmt.Fprintln(w, "Server compiled with....")
	fmt.Fprintf(w, " -D GOOS=%q\n", runtime.GOOS)
	fmt.Fprintf(w, " -D GOARCH=%q\n", runtime.GOARCH)
	fmt.Fprintln(w, " -D HTTP_ENGINE=\"fasthttp\"")
	fmt.Fprintln(w, " -D HAVE_SENDFILE")
	fmt.Fprintln(w, " -D HAVE_TCP_DEFER_ACCEPT")
	fmt.Fprintln(w, " -D HAVE_SO_REUSEPORT")
	fmt.Fprintln(w, " -D HAVE_IPV6 (IPv4-mapped addresses enabled)")
	fmt.Fprintln(w, " -D DEFAULT_LISTEN=\"127.0.0.1:8080\"")
	fmt.Fprintln(w, " -D DEFAULT_PIDLOG=\"logs/httpd.pid\"")
	fmt.Fprintln(w, " -D DEFAULT_ERRORLOG=\"logs/error_log\"")
}

// printRunSettings is -S: what the server would run with, after defaults
// and clamping: listeners with their backlog, the engine and its settings.
func printRunSettings(w io.Writer, cfg *conf.Config) {
	somax, somaxErr := listener.Somaxconn()
	if cfg.VHosts != nil && len(cfg.VHosts.Hosts) > 0 {
		t := vhost.NewTable(cfg.VHosts.Main, cfg.VHosts.Hosts, vhost.Options{Unsafe: cfg.HTTP.ProtocolOptions.Unsafe})
		_ = t.WriteTable(w)
	} else {
		fmt.Fprintln(w, "VirtualHost configuration:")
	}
	fmt.Fprintf(w, "ServerRoot: %q\n", cfg.ServerRoot)
	docRoot := cfg.Site.DocumentRoot
	if docRoot == "" {
		docRoot = "(built-in default site)"
	}
	fmt.Fprintf(w, "Main DocumentRoot: %q\n", docRoot)
	fmt.Fprintf(w, "Main ErrorLog: %q\n", cfg.Log.ErrorLog)
	fmt.Fprintf(w, "PidFile: %q\n", cfg.PidFile)
	for _, d := range cfg.Defines {
		fmt.Fprintf(w, "Define: %s\n", d)
	}
	printUnixd(w, cfg)
	fmt.Fprintln(w, "Listeners:")
	for _, l := range cfg.Listen {
		spec := listenSpec(cfg, l)
		eff := spec.Backlog
		somaxText := "unknown"
		if somaxErr == nil {
			eff = min(spec.Backlog, somax)
			somaxText = strconv.Itoa(somax)
		}
		defer_ := "none"
		if spec.DeferAccept > 0 {
			defer_ = fmt.Sprintf("%s (TCP_DEFER_ACCEPT %ds)", cfg.AcceptFilter[l.Proto], int(spec.DeferAccept/time.Second))
		}
		fmt.Fprintf(w, "  %-24s proto %s, ListenBacklog %d, effective backlog %d (somaxconn %s), AcceptFilter %s, SO_REUSEPORT %s\n",
			displayAddr(l), l.Proto, spec.Backlog, eff, somaxText, defer_, onOff(spec.ReusePort))
	}
	if cfg.ListenBuckets > 1 {
		fmt.Fprintf(w, "  %d listener buckets (ListenCoresBucketsRatio %d): one socket per Listen in each; the child in slot s serves bucket s %% %d\n",
			cfg.ListenBuckets, cfg.ListenCoresBucketsRatio, cfg.ListenBuckets)
	}
	e := cfg.Engine
	fmt.Fprintf(w, "Server MPM: %s\n", cfg.MPM)
	rows := [][2]string{}
	add := func(k string, v any) { rows = append(rows, [2]string{k, fmt.Sprint(v)}) }
	add("StartServers", e.StartServers)
	if cfg.MPM == conf.Prefork {
		add("MinSpareServers", e.MinSpareServers)
		add("MaxSpareServers", e.MaxSpareServers)
	} else {
		add("MinSpareThreads", e.MinSpareThreads)
		add("MaxSpareThreads", e.MaxSpareThreads)
		add("ThreadsPerChild", e.ThreadsPerChild)
		add("ThreadLimit", e.ThreadLimit)
	}
	add("ServerLimit", e.ServerLimit)
	add("MaxRequestWorkers", e.MaxRequestWorkers)
	add("MaxConnectionsPerChild", e.MaxConnectionsPerChild)
	if cfg.MPM == conf.Event {
		add("AsyncRequestWorkerFactor", e.AsyncRequestWorkerFactor)
		add("EpollTrigger", e.EpollTrigger)
	}
	add("KeepAlive", onOff(cfg.HTTP.KeepAlive))
	add("KeepAliveTimeout", seconds(cfg.HTTP.KeepAliveTimeout))
	add("MaxKeepAliveRequests", cfg.HTTP.MaxKeepAliveRequests)
	add("Timeout", seconds(cfg.HTTP.Timeout))
	add("RequestReadTimeout", cfg.HTTP.RequestReadTimeout.String())
	add("GracefulShutdownTimeout", seconds(cfg.GracefulShutdownTimeout))
	for _, r := range rows {
		fmt.Fprintf(w, "  %-25s %s\n", r[0]+":", r[1])
	}
	printH2(w, cfg)
}

// seconds prints a duration the way Apache's directives take it.
func seconds(d time.Duration) string {
	if d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return d.String()
}

func displayAddr(l conf.Listen) string {
	host := l.Host
	switch {
	case host == "":
		host = "*"
	case strings.Contains(host, ":"):
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(l.Port)
}

func onOff(b bool) string {
	if b {
		return "On"
	}
	return "Off"
}
