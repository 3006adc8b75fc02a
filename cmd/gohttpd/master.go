package main

import (
	"encoding/json"
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

// listenerSet keeps the master's listening sockets across restarts: a
// Listen that stays the same keeps its socket (so no connection is
// refused during a restart), a new one is opened, a removed one closed.
type listenerSet struct {
	log    *slog.Logger
	bySpec map[listener.Spec]*listener.Listener
}

func newListenerSet(log *slog.Logger) *listenerSet {
	return &listenerSet{log: log, bySpec: make(map[listener.Spec]*listener.Listener)}
}

// open returns the listeners of cfg in its order, reusing open ones.
// On error nothing that was already open is closed, and nothing new
// stays open.
func (s *listenerSet) open(cfg *conf.Config) ([]*listener.Listener, error) {
	var lns []*listener.Listener
	var opened []*listener.Listener
	for _, l := range cfg.Listen {
		spec := listenSpec(cfg, l)
		if ln, ok := s.bySpec[spec]; ok {
			lns = append(lns, ln)
			continue
		}
		ln, err := listener.Open(spec)
		if err != nil {
			for _, o := range opened {
				o.Close()
			}
			return nil, fmt.Errorf("%w\nno listening sockets available, shutting down", err)
		}
		for _, w := range ln.Warnings() {
			s.log.Warn(w)
		}
		somax, _ := listener.Somaxconn()
		notice(s.log, "listening", "addr", ln.Addr().String(), "proto", l.Proto,
			"ListenBacklog", spec.Backlog, "effective_backlog", ln.EffectiveBacklog(),
			"somaxconn", somax, "defer_accept", spec.DeferAccept.String())
		opened = append(opened, ln)
		lns = append(lns, ln)
	}
	// Keyed by the spec asked for, not the address the kernel filled in
	// (port 0), so an unchanged Listen finds its socket again.
	next := make(map[listener.Spec]*listener.Listener, len(lns))
	for i, l := range cfg.Listen {
		next[listenSpec(cfg, l)] = lns[i]
	}
	for spec, ln := range s.bySpec {
		if _, ok := next[spec]; !ok {
			ln.Close()
		}
	}
	s.bySpec = next
	return lns, nil
}

// forget drops the set's claim on its sockets (their new owner closes them).
func (s *listenerSet) forget() { s.bySpec = nil }

func (s *listenerSet) closeAll() {
	for _, ln := range s.bySpec {
		ln.Close()
	}
	s.bySpec = nil
}

// buildGeneration opens cfg's listeners and packs what children of a new
// generation inherit.
func buildGeneration(cfg *conf.Config, set *listenerSet, log *slog.Logger) (*mpm.Generation, error) {
	lns, err := set.open(cfg)
	if err != nil {
		return nil, err
	}
	snap, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("serialize configuration: %w", err)
	}
	g := &mpm.Generation{
		Snapshot:                snap,
		Policy:                  policyFor(cfg, log),
		GracefulShutdownTimeout: cfg.GracefulShutdownTimeout,
	}
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
	return g, nil
}

// serveMaster runs the master: it opens the listeners and the scoreboard,
// starts the children and supervises them until a stop signal.
func serveMaster(cfg *conf.Config, o *options, stderr io.Writer) error {
	lg, err := openLogs(cfg, stderr, false)
	if err != nil {
		return err
	}
	defer lg.close()
	log := lg.logger
	for _, n := range cfg.Notices {
		log.Info(n)
	}
	set := newListenerSet(log)
	defer set.closeAll()
	first, err := buildGeneration(cfg, set, log)
	if err != nil {
		return err
	}
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

	sigc := make(chan os.Signal, 8)
	signal.Notify(sigc, syscall.SIGTERM, syscall.SIGINT, syscall.SIGWINCH, syscall.SIGUSR1, syscall.SIGHUP)
	defer signal.Stop(sigc)
	signal.Ignore(syscall.SIGPIPE)

	m := &mpm.Master{
		Args:    []string{mpm.ChildArg},
		Board:   board,
		Log:     log,
		Signals: sigc,
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
			if next.Engine.ServerLimit != serverLimit {
				log.Warn(fmt.Sprintf("changing ServerLimit to %d from original value of %d not allowed during restart", next.Engine.ServerLimit, serverLimit))
				next.Engine.ServerLimit = serverLimit
			}
			if threadLimit(next) != tl {
				log.Warn(fmt.Sprintf("changing ThreadLimit to %d from original value of %d not allowed during restart", next.Engine.ThreadLimit, tl))
				next.Engine.ThreadLimit = tl
			}
			for _, w := range next.Warnings {
				log.Warn(w)
			}
			return buildGeneration(next, set, log)
		},
	}
	notice(log, serverVersion()+" configured -- resuming normal operations")
	notice(log, "Command line: '"+commandLine()+"'")
	return m.Run(first)
}

// commandLine is os.Args joined, for Apache's AH00094 line.
func commandLine() string { return strings.Join(os.Args, " ") }

// runChild is a child process: it serves with the engine's child loop on
// the descriptors and the configuration snapshot its master passed.
func runChild(stderr io.Writer) int {
	env, err := mpm.InheritChild()
	if err != nil {
		fmt.Fprintf(stderr, "gohttpd child: %v\n", err)
		return mpm.ExitInit
	}
	var cfg conf.Config
	if err := json.Unmarshal(env.Snapshot, &cfg); err != nil {
		fmt.Fprintf(stderr, "gohttpd child: configuration snapshot: %v\n", err)
		return mpm.ExitChildFatal
	}
	// Ignore what the terminal's process group gets: the master decides.
	signal.Ignore(syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGWINCH, syscall.SIGPIPE)
	lg, err := openLogs(&cfg, stderr, true)
	if err != nil {
		fmt.Fprintf(stderr, "gohttpd child: %v\n", err)
		return mpm.ExitChildFatal
	}
	defer lg.close()
	log := lg.logger
	if len(env.Listeners) != len(cfg.Listen) {
		log.Error("child: listener count does not match the configuration", "got", len(env.Listeners), "want", len(cfg.Listen))
		return mpm.ExitChildFatal
	}
	lns := make([]*listener.Listener, len(env.Listeners))
	for i, f := range env.Listeners {
		ln, err := listener.FromFile(f, listenSpec(&cfg, cfg.Listen[i]))
		f.Close()
		if err != nil {
			log.Error("child: listener", "err", err)
			return mpm.ExitChildFatal
		}
		lns[i] = ln
	}
	cs, st, err := newEngine(&cfg, lg, env.Scoreboard, lns, env.Slot, env.Generation)
	if err != nil {
		log.Error("child: engine", "err", err)
		return mpm.ExitChildFatal
	}
	defer st.Close()
	return mpm.RunChild(env, cs, log)
}
