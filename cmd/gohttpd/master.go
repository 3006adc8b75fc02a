package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/listener"
	"github.com/gohttpd/gohttpd/mpm"
)

// newListenerSet returns the master's listener.Set, which logs each
// socket it opens.
func newListenerSet(log *slog.Logger) *listener.Set {
	return &listener.Set{Opened: func(ln *listener.Listener, bucket, buckets int) {
		for _, w := range ln.Warnings() {
			log.Warn(w)
		}
		spec := ln.Spec()
		somax, _ := listener.Somaxconn()
		args := []any{"addr", ln.Addr().String(), "proto", spec.Proto,
			"ListenBacklog", spec.Backlog, "effective_backlog", ln.EffectiveBacklog(),
			"somaxconn", somax, "defer_accept", spec.DeferAccept.String()}
		if buckets > 1 {
			args = append(args, "bucket", bucket)
		}
		notice(log, "listening", args...)
	}}
}

// listenSpecs maps cfg's Listen directives onto listener specs.
func listenSpecs(cfg *conf.Config) []listener.Spec {
	specs := make([]listener.Spec, len(cfg.Listen))
	for i, l := range cfg.Listen {
		specs[i] = listenSpec(cfg, l)
	}
	return specs
}

// buildGeneration opens cfg's listeners and packs what children of a new
// generation inherit.
//
// Every child inherits every bucket's sockets, bucket after bucket: it
// serves on those of its own bucket (slot % ListenBuckets, as Apache's
// make_child) and its status page reads the others' accept queues. The
// master maintains each bucket's children with a policy of its own.
func buildGeneration(cfg *conf.Config, set *listener.Set, log *slog.Logger) (*mpm.Generation, error) {
	buckets, err := set.Open(listenSpecs(cfg), cfg.ListenBuckets)
	if err != nil {
		return nil, err
	}
	snap, err := generationSnapshot(cfg) // with the TLS ticket keys (tls.go)
	if err != nil {
		return nil, err
	}
	g := &mpm.Generation{
		Snapshot:                snap,
		Policies:                policiesFor(cfg, len(buckets), log),
		GracefulShutdownTimeout: cfg.GracefulShutdownTimeout,
	}
	for _, lns := range buckets {
		for _, ln := range lns {
			f, err := ln.File()
			if err != nil {
				for _, f := range g.Listeners {
					f.Close()
				}
				return nil, err
			}
			g.Listeners = append(g.Listeners, f)
		}
	}
	return g, nil
}

// serveMaster runs the master: it opens the listeners and the scoreboard,
// starts the children and supervises them until a stop signal.
func serveMaster(cfg *conf.Config, o *options, stderr io.Writer) error {
	svc, err := startService(cfg) // LISTEN_FDS, NOTIFY_SOCKET: before children exist
	if err != nil {
		return err
	}
	defer svc.close()
	lg, err := startLogging(cfg, stderr, false)
	if err != nil {
		return err
	}
	defer lg.close()
	log := lg.logger
	set := newListenerSet(log)
	defer set.Close()
	set.Activation = svc.act
	first, err := buildGeneration(cfg, set, log)
	if err != nil {
		return err
	}
	if err := svc.act.Unclaimed(); err != nil {
		return err
	}
	set.Running = true
	serverLimit, tl := cfg.Engine.ServerLimit, threadLimit(cfg)
	board, err := mpm.NewScoreboard(serverLimit, tl)
	if err != nil {
		return err
	}
	defer board.Close()
	board.SetGeneration(0)
	if err := writePidFile(cfg.PidFile); err != nil {
		return err
	}
	defer removePidFile(cfg.PidFile)
	stateFile := statePath(cfg.PidFile)
	defer removeState(stateFile)

	sigc := make(chan os.Signal, 8)
	signal.Notify(sigc, syscall.SIGTERM, syscall.SIGINT, syscall.SIGWINCH, syscall.SIGUSR1, syscall.SIGHUP)
	defer signal.Stop(sigc)
	signal.Ignore(syscall.SIGPIPE)
	mdm := &mdManager{log: log} // mod_md's orders and renewals (md.go); after Notify: it sends SIGUSR1
	defer mdm.stop()
	mdm.update(cfg)

	m := &mpm.Master{
		Args:    []string{mpm.ChildArg},
		Env:     childEnv(cfg),
		Board:   board,
		Log:     log,
		Signals: svc.relay(sigc, board, log),
		OnState: svc.onState(stateWriter(stateFile, log)),
		Tick:    maintenanceTick(log),
		Reload: func() (*mpm.Generation, error) {
			next, err := loadConfig(o)
			if err != nil {
				return nil, err
			}
			// Reopen the master's error log, so a rotated file is let go
			// (the children of the new generation open theirs afresh).
			if lg.errorLog != nil {
				if err := lg.errorLog.Reopen(); err != nil {
					log.Error("reopen ErrorLog", "err", err)
				}
			}
			if next.MPM != cfg.MPM {
				return nil, fmt.Errorf("changing the MPM from %s to %s needs a full stop and start", cfg.MPM, next.MPM)
			}
			// ServerLimit and ThreadLimit size the scoreboard; Apache keeps
			// the first values across restarts (AH00179 / AH00309).
			next = next.KeepLimits(serverLimit, tl)
			for _, w := range next.Warnings {
				log.Warn(w)
			}
			g, err := buildGeneration(next, set, log)
			if err == nil {
				mdm.update(next)
				svc.running.Store(next)
			}
			return g, err
		},
	}
	logProxyProtocol(log, cfg)
	svc.statusLoop(board, threadLimit(cfg))
	notice(log, serverVersion()+" configured -- resuming normal operations")
	notice(log, "Command line: '"+commandLine()+"'")
	return m.Run(first)
}

// stateWriter returns the master's OnState: it keeps the status file the
// -k commands read, and logs the first failure to write it.
func stateWriter(path string, log *slog.Logger) func(mpm.MasterState) {
	reported := false
	return func(st mpm.MasterState) {
		if err := writeState(path, os.Getpid(), st); err != nil && !reported {
			log.Warn("the -k commands cannot learn the server's state", "err", err)
			reported = true
		}
	}
}

// commandLine is os.Args joined, for Apache's AH00094 line.
func commandLine() string { return strings.Join(os.Args, " ") }

// startFailure is the exit code of a child that could not set up: a
// resource shortage (out of descriptors or memory) may pass, so the
// child is sick (the master respawns it, throttled if it keeps failing);
// anything else (a CustomLog that cannot be opened) would fail in every
// child, so it is fatal and the server stops.
func startFailure(err error) int {
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOMEM, syscall.ENOBUFS, syscall.EAGAIN} {
		if errors.Is(err, e) {
			return mpm.ExitChildSick
		}
	}
	return mpm.ExitChildFatal
}

// logStartFailure puts why a child could not open its logs in the
// ErrorLog too, when that one opens: stderr is a closed pipe once -k
// start has returned.
func logStartFailure(cfg *conf.Config, err error) {
	if cfg.Log.ErrorLog == "stderr" {
		return
	}
	lg, oerr := openLogs(cfg, io.Discard, false)
	if oerr != nil {
		return
	}
	lg.logger.Error(fmt.Sprintf("child: cannot start: %v", err))
	lg.close()
}

// flushOnTerm writes out the buffered log lines when the master's
// SIGTERM (an immediate stop) arrives, then dies of that signal as
// before: Apache's logs are unbuffered, so no line it wrote is lost.
func flushOnTerm(lg *logs) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM)
	go func() {
		<-c
		lg.flush()
		signal.Reset(syscall.SIGTERM)
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
	}()
}

// runChild is a child process: it serves with the engine's child loop on
// the descriptors and the configuration snapshot its master passed.
func runChild(stderr io.Writer) int {
	env, err := mpm.InheritChild()
	if err != nil {
		fmt.Fprintf(stderr, "gohttpd child: %v\n", err)
		return mpm.ExitInit
	}
	snap, ticketKeys, tlsFiles, err := decodeSnapshot(env.Snapshot)
	if err != nil {
		fmt.Fprintf(stderr, "gohttpd child: %v\n", err)
		return mpm.ExitChildFatal
	}
	cfg := *snap
	// Ignore what the terminal's process group gets: the master decides.
	signal.Ignore(syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGWINCH, syscall.SIGPIPE)
	lg, err := openLogs(&cfg, stderr, true)
	if err != nil {
		fmt.Fprintf(stderr, "gohttpd child: %v\n", err)
		logStartFailure(&cfg, err)
		return startFailure(err)
	}
	defer lg.close()
	flushOnTerm(lg)
	log := lg.logger
	nb, nl := max(cfg.ListenBuckets, 1), len(cfg.Listen)
	if len(env.Listeners) != nb*nl {
		log.Error("child: listener count does not match the configuration", "got", len(env.Listeners), "want", nb*nl)
		return mpm.ExitChildFatal
	}
	all := make([]*listener.Listener, len(env.Listeners))
	for i, f := range env.Listeners {
		ln, err := listener.FromFile(f, listenSpec(&cfg, cfg.Listen[i%nl]))
		f.Close()
		if err != nil {
			log.Error("child: listener", "err", err)
			return startFailure(err)
		}
		all[i] = ln
	}
	// This child serves its bucket's sockets; the others are only
	// observed by its status page.
	b := env.Slot % nb
	own := all[b*nl : (b+1)*nl]
	others := append(all[:b*nl:b*nl], all[(b+1)*nl:]...)
	prepareCompressCache(&cfg, log)
	// TLS from the files the master read (tls.go).
	tl, err := buildTLS(&cfg, ticketKeys, tlsFiles)
	if err != nil {
		log.Error("child: TLS", "err", err)
		return mpm.ExitChildFatal
	}
	tl.useSessionCache(&cfg, true, log)
	tl.rotate()
	defer tl.close()
	if err := dropPrivileges(&cfg, log); err != nil {
		return mpm.ExitChildFatal
	}
	cs, st, err := newEngine(&cfg, lg, env.Scoreboard, own, others, env.Slot, env.Generation, tl)
	if err != nil {
		log.Error("child: engine", "err", userHint(&cfg, err))
		return startFailure(err)
	}
	defer st.Close()
	return mpm.RunChild(env, cs, log)
}
