package prefork

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"sync"

	"github.com/gohttpd/gohttpd/internal/h1"
	"github.com/gohttpd/gohttpd/mpm"
)

// Child is prefork's child-side half: one goroutine that accepts a
// connection, serves it through its whole keep-alive life, and only then
// accepts the next. While it is busy it does not accept, so other
// children, or the kernel's accept queue, take new clients: never a 503.
type Child struct {
	cfg    Config
	deps   mpm.ChildDeps
	acc    acceptor
	worker *mpm.Worker
	// check reads the connection being served: one Validator, reset for
	// each connection.
	check *h1.Validator

	stopping mpm.StopState // how far Stop went
	mu       sync.Mutex    // guards conn
	conn     net.Conn      // the connection being served, if any
	h2       *mpm.H2Server // HTTP/2 (nil: HTTP/1.1 only)
}

var _ mpm.ChildServer = (*Child)(nil)

// New returns prefork's child loop over deps; cfg must pass Validate.
func New(cfg Config, deps mpm.ChildDeps) (*Child, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	acc, err := newAcceptor(deps.Listeners)
	if err != nil {
		return nil, err
	}
	h2 := mpm.NewH2(&deps, true) // one stream at a time, as mod_http2 on prefork
	mpm.Track(deps.Server, deps.VHost)
	return &Child{cfg: cfg, deps: deps, acc: acc, worker: deps.Board.Worker(deps.Slot, 0),
		check: h1.New(deps.Protocol), h2: h2}, nil
}

// Serve implements mpm.ChildServer. It runs with GOMAXPROCS 1: a prefork
// child is one process serving one connection.
func (c *Child) Serve(ready func()) error {
	runtime.GOMAXPROCS(1)
	defer c.acc.Close()
	defer c.h2.Wait()
	c.worker.SetPID(os.Getpid())
	c.worker.SetGeneration(c.deps.Generation)
	c.worker.SetState(mpm.StateReady)
	ready()
	for served := 0; ; served++ {
		// MaxConnectionsPerChild is checked before each accept, so exactly
		// that many connections are served (prefork.c).
		if c.cfg.MaxConnectionsPerChild > 0 && served >= c.cfg.MaxConnectionsPerChild {
			return nil
		}
		if c.stopping.Stopping() {
			return nil
		}
		conn, err := c.acc.Accept()
		if err != nil {
			switch {
			case c.stopping.Stopping() || errors.Is(err, mpm.ErrAcceptorClosed):
				return nil
			case mpm.IsTemporary(err):
				served--
				continue
			default:
				return fmt.Errorf("%w: %w", mpm.ErrChildSick, err)
			}
		}
		c.serve(conn)
	}
}

// serve serves one connection to its end.
func (c *Child) serve(conn *net.TCPConn) {
	c.check.Reset()
	tc := &mpm.Conn{TCPConn: conn, Worker: c.worker, Validator: c.check}
	if rio := newRawIO(conn); rio != nil {
		tc.IO = rio // rawio_linux.go
	}
	c.mu.Lock()
	c.conn = tc
	immediate := c.stopping.Immediate()
	c.mu.Unlock()
	if immediate {
		conn.Close()
	} else {
		// Reading from accept on, as Apache: a silent client shows as R.
		tc.Worker.SetState(mpm.StateBusyRead)
		if !mpm.ReadProxyHeader(&c.deps, tc) {
			conn.Close()
		} else {
			mpm.ServeConn(c.deps, c.h2, tc)
		}
	}
	c.mu.Lock()
	c.conn = nil
	c.mu.Unlock()
	if c.stopping.Stopping() {
		c.worker.SetState(mpm.StateGraceful)
	} else {
		c.worker.SetState(mpm.StateReady)
	}
}

// Stop implements mpm.ChildServer. A graceful stop closes the listeners
// and lets the current connection run until its next response, which
// carries Connection: close, or its keep-alive timeout (StopGracefulIdle
// is StopGraceful here).
func (c *Child) Stop(mode mpm.StopMode) {
	c.stopping.Raise(mode)
	if c.deps.Draining != nil {
		c.deps.Draining.Store(true)
	}
	c.acc.Close()
	c.h2.Stop(mode)
	if mode == mpm.StopImmediate {
		c.mu.Lock()
		if c.conn != nil {
			c.conn.Close()
		}
		c.mu.Unlock()
	}
}
