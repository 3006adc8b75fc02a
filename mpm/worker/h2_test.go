package worker

import (
	"testing"

	"github.com/gohttpd/gohttpd/internal/h1serve/tlstest"
	"github.com/gohttpd/gohttpd/mpm"
)

// TestH2TLS: ALPN h2 over TLS (ChildDeps.TLS with a test certificate).
func TestH2TLS(t *testing.T) {
	tlstest.RunH2(t, tlstest.Options{Threads: 4, New: func(d mpm.ChildDeps) (mpm.ChildServer, error) {
		return New(Config{StartServers: 1, MinSpareThreads: 1, MaxSpareThreads: 4, ThreadsPerChild: 4, MaxRequestWorkers: 4}, d)
	}})
}
