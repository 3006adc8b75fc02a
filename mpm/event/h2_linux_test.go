package event

import (
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/internal/h1serve/tlstest"
	"github.com/gohttpd/gohttpd/mpm"
)

// TestH2TLS: ALPN h2 over TLS (ChildDeps.TLS with a test certificate); the
// handshaken connection leaves the epoll loop for an H2Server goroutine.
func TestH2TLS(t *testing.T) {
	for _, oneshot := range []bool{false, true} {
		name := "edge"
		if oneshot {
			name = "oneshot"
		}
		t.Run(name, func(t *testing.T) {
			tlstest.RunH2(t, tlstest.Options{Threads: 4, New: func(d mpm.ChildDeps) (mpm.ChildServer, error) {
				return New(complete(Config{ThreadsPerChild: 4, OneShot: oneshot, KeepAliveTimeout: 5 * time.Second, Timeout: 10 * time.Second}), d)
			}})
		})
	}
}
