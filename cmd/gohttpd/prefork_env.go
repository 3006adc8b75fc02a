package main

import (
	"os"
	"strings"

	"github.com/gohttpd/gohttpd/conf"
)

// childEnv is the environment of cfg's children. A prefork child serves
// one connection in one goroutine, and a server runs hundreds of them: it
// starts with GOMAXPROCS=1, so its runtime creates one P and few threads
// from the first instruction on (runtime.GOMAXPROCS in the child only
// comes after initialisation has started the others; with 256 children
// that was 7 threads each). A GOMAXPROCS the administrator set is kept.
// nil means os.Environ().
func childEnv(cfg *conf.Config) []string {
	if cfg.MPM != conf.Prefork {
		return nil
	}
	env := os.Environ()
	for _, kv := range env {
		if strings.HasPrefix(kv, "GOMAXPROCS=") {
			return env
		}
	}
	return append(env, "GOMAXPROCS=1")
}
