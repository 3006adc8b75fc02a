package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
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
