package event

import (
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/internal/h1serve/tlstest"
	"github.com/gohttpd/gohttpd/mpm"
)

func TestTLS(t *testing.T) {
	for _, oneshot := range []bool{false, true} {
		name := "edge"
		if oneshot {
			name = "oneshot"
		}
		t.Run(name, func(t *testing.T) {
			tlstest.Run(t, tlstest.Options{Threads: 4, New: func(d mpm.ChildDeps) (mpm.ChildServer, error) {
				return New(Config{ThreadsPerChild: 4, OneShot: oneshot, KeepAliveTimeout: 5 * time.Second, Timeout: 10 * time.Second}, d)
			}})
		})
	}
}
