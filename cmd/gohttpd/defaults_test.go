package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/mpm/mpmtest"
	"github.com/gohttpd/gohttpd/site"
)

// engineConfigErr validates the engine Configs cmd/gohttpd makes of cfg:
// the child's, and the master's policy's.
func engineConfigErr(cfg *conf.Config) error {
	switch cfg.MPM {
	case conf.Prefork:
		return preforkConfig(cfg).Validate()
	case conf.Worker:
		return workerConfig(cfg).Validate()
	}
	return errors.Join(eventConfig(cfg).Validate(),
		eventPolicyConfig(cfg).Validate())
}

// TestConfSnapshotsValidate: every configuration conf accepts (the
// built-in ones and conf's golden files) gives each engine a Config its
// Validate accepts: the engines take no defaults, so conf must fill them
// all.
func TestConfSnapshotsValidate(t *testing.T) {
	for _, engine := range []string{conf.Prefork, conf.Worker, conf.Event} {
		if err := engineConfigErr(conf.Default(engine)); err != nil {
			t.Errorf("built-in %s configuration: %v", engine, err)
		}
		for _, post := range [][]string{{"Timeout 0"}, {"KeepAlive Off"}, {"KeepAliveTimeout 0"}, {"MaxConnectionsPerChild 3"}} {
			cfg, err := conf.Load(conf.Options{Post: append([]string{"MPM " + engine}, post...), SkipDocumentRootCheck: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := engineConfigErr(cfg); err != nil {
				t.Errorf("%s with %q: %v", engine, post, err)
			}
		}
	}
	files, err := filepath.Glob("../../conf/testdata/*.conf")
	if err != nil {
		t.Fatal(err)
	}
	loaded := 0
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "err-") {
			continue
		}
		abs, _ := filepath.Abs(f)
		cfg, err := conf.Load(conf.Options{File: abs, SkipDocumentRootCheck: true, Environ: os.Environ()})
		if err != nil {
			continue // needs a -D or an environment of its own test
		}
		loaded++
		if err := engineConfigErr(cfg); err != nil {
			t.Errorf("%s (%s): %v", f, cfg.MPM, err)
		}
	}
	if loaded < 10 {
		t.Errorf("only %d of conf's golden configurations loaded", loaded)
	}
}

// TestKeepAliveOffDecidedOnce: the site's fasthttp.Server and the event
// engine's Config follow conf's one keep-alive decision, and the event
// engine's Timeout is conf's WaitTimeout.
func TestKeepAliveOffDecidedOnce(t *testing.T) {
	tests := []struct {
		post    []string
		on      bool
		park    time.Duration
		timeout time.Duration
	}{
		{nil, true, 5 * time.Second, 60 * time.Second},
		{[]string{"KeepAlive Off"}, false, 0, 60 * time.Second},
		{[]string{"KeepAliveTimeout 0"}, false, 0, 60 * time.Second},
		{[]string{"KeepAliveTimeout 300ms", "Timeout 7"}, true, 300 * time.Millisecond, 7 * time.Second},
		{[]string{"Timeout 0"}, true, 5 * time.Second, 60 * time.Second},
	}
	for _, tt := range tests {
		cfg, err := conf.Load(conf.Options{Post: append([]string{"MPM event"}, tt.post...), SkipDocumentRootCheck: true})
		if err != nil {
			t.Fatal(err)
		}
		s, err := site.New(cfg, site.Options{})
		if err != nil {
			t.Fatal(err)
		}
		srv := s.NewServer()
		ec := eventConfig(cfg)
		if srv.DisableKeepalive == tt.on || (ec.KeepAliveTimeout != 0) != tt.on || ec.KeepAliveTimeout != tt.park || ec.Timeout != tt.timeout {
			t.Errorf("%q: site DisableKeepalive %v, event KeepAliveTimeout %v Timeout %v; want keep-alive %v, %v, %v",
				tt.post, srv.DisableKeepalive, ec.KeepAliveTimeout, ec.Timeout, tt.on, tt.park, tt.timeout)
		}
	}
}

// TestRestartKeepsScoreboardLimits: a graceful restart that raises
// ThreadLimit (with ThreadsPerChild above the first ThreadLimit) keeps the
// first ThreadLimit, which sizes the scoreboard, and clamps
// ThreadsPerChild to it with Apache's warnings, as Apache's
// event_check_config does on a restart; the new generation serves. (The
// master used to reset ThreadLimit alone in the loaded snapshot, and the
// event children of the new generation refused their ThreadsPerChild.)
func TestRestartKeepsScoreboardLimits(t *testing.T) {
	s := mpmtest.Start(t, mpmtest.Options{MPM: "event", Directives: []string{
		"ServerLimit 4", "ThreadLimit 8", "ThreadsPerChild 8", "MaxRequestWorkers 32", "StartServers 1",
		"MinSpareThreads 1", "MaxSpareThreads 32",
	}})
	f, err := os.OpenFile(s.Conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "ThreadLimit 16\nThreadsPerChild 16\nMaxRequestWorkers 64")
	f.Close()
	s.Signal(syscall.SIGUSR1)
	mpmtest.WaitFor(t, 20*time.Second, "generation 1 to serve", func() bool {
		auto, err := s.StatusAuto()
		return err == nil && auto["ParentServerMPMGeneration"] == "1"
	})
	// The master's log is buffered: wait for its lines.
	for _, want := range []string{
		"changing ThreadLimit to 16 from original value of 8 not allowed during restart",
		"WARNING: ThreadsPerChild of 16 exceeds ThreadLimit of 8 threads, decreasing to 8.",
	} {
		mpmtest.WaitFor(t, 10*time.Second, fmt.Sprintf("%q in the error log", want), func() bool {
			return strings.Contains(s.ErrorLog(), want)
		})
	}
	mpmtest.WaitFor(t, 10*time.Second, "a generation-1 child to answer", func() bool {
		code, _, err := s.Get("/index.html")
		return err == nil && code == 200
	})
	if strings.Contains(s.ErrorLog(), "exceeds the scoreboard's ThreadLimit") {
		t.Errorf("a child refused its ThreadsPerChild:\n%s", s.Logs())
	}
}

// TestMasterLeavesSnapshotFrozen: what the master makes of a loaded
// snapshot (the restart check of the scoreboard limits, the policies per
// listener bucket, the engines' Configs) leaves the snapshot as it was.
func TestMasterLeavesSnapshotFrozen(t *testing.T) {
	for _, engine := range []string{conf.Prefork, conf.Worker, conf.Event} {
		cfg, err := conf.Load(conf.Options{Post: []string{"MPM " + engine, "ServerLimit 32", "ThreadLimit 128",
			"ThreadsPerChild 100", "MaxRequestWorkers 800"}, SkipDocumentRootCheck: true})
		if err != nil {
			t.Fatal(err)
		}
		before, err := cfg.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		next := cfg.KeepLimits(16, min(cfg.Engine.ThreadLimit, 64))
		policiesFor(next, 2, slog.New(slog.DiscardHandler))
		policiesFor(cfg, 3, slog.New(slog.DiscardHandler))
		_, _, _ = preforkConfig(cfg), workerConfig(cfg), eventConfig(cfg)
		after, err := cfg.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		if string(before) != string(after) {
			t.Errorf("%s: the snapshot changed:\nbefore %s\nafter  %s", engine, before, after)
		}
		if next == cfg {
			t.Errorf("%s: KeepLimits with other limits returned the snapshot itself", engine)
		}
	}
}
