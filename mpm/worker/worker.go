package worker

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"

	"github.com/gohttpd/gohttpd/internal/h1"
	"github.com/gohttpd/gohttpd/mpm"
)

// Config holds the worker directives, after conf applied Apache's
// defaults and worker_check_config's clamping and rounding (the defaults
// are conf's; Validate only checks, and refuses a zero Config).
type Config struct {
	StartServers      int // children at start
	MinSpareThreads   int // fewest idle workers over all children
	MaxSpareThreads   int // most idle workers over all children
	ThreadsPerChild   int // workers per child
	MaxRequestWorkers int // most workers over all children
	// MaxConnectionsPerChild is how many connections a child serves before
	// it retires gracefully (0 = never).
	MaxConnectionsPerChild int
}

// Validate reports every impossible value as an *mpm.ConfigError.
func (cfg Config) Validate() error {
	c := mpm.ConfigCheck{Engine: "worker"}
	c.Check(cfg.StartServers >= 1, "StartServers", cfg.StartServers, "must be at least 1")
	c.Check(cfg.MinSpareThreads >= 1, "MinSpareThreads", cfg.MinSpareThreads, "must be at least 1")
	c.Check(cfg.MaxSpareThreads >= cfg.MinSpareThreads, "MaxSpareThreads", cfg.MaxSpareThreads, "must be at least MinSpareThreads")
	c.Check(cfg.ThreadsPerChild >= 1, "ThreadsPerChild", cfg.ThreadsPerChild, "must be at least 1")
	c.Check(cfg.MaxRequestWorkers >= cfg.ThreadsPerChild, "MaxRequestWorkers", cfg.MaxRequestWorkers, "must be at least ThreadsPerChild")
	c.Check(cfg.MaxConnectionsPerChild >= 0, "MaxConnectionsPerChild", cfg.MaxConnectionsPerChild, "must not be negative")
	return c.Err()
}

// NewPolicy returns the worker engine's maintenance policy: Apache's
// spare-thread algorithm at whole-child granularity.
func NewPolicy(cfg Config, log *slog.Logger) mpm.Policy {
	return &mpm.SpareThreads{
		StartServers:      cfg.StartServers,
		MinSpareThreads:   cfg.MinSpareThreads,
		MaxSpareThreads:   cfg.MaxSpareThreads,
		Threads:           cfg.ThreadsPerChild,
		MaxRequestWorkers: cfg.MaxRequestWorkers,
		Log:               log,
		Module:            "mpm_worker",
	}
}

// Child is the worker engine's child-side half: ThreadsPerChild workers
// and one accepter. The accepter first reserves an idle worker and only
// then accepts (Apache's ap_queue_info_wait_for_idler), so while every
// worker is busy new connections wait in the kernel's accept queue. A
// worker owns its connection until it closes, idle keep-alive included:
// that is the model's cost, kept visible on purpose.
type Child struct {
	cfg  Config
	deps mpm.ChildDeps
	acc  *mpm.Acceptor

	idle     chan int            // indexes of idle workers (the idler reservation)
	handoff  []chan *net.TCPConn // one per worker
	stopping mpm.StopState       // how far Stop went
	served   atomic.Int64        // connections accepted (MaxConnectionsPerChild)

	mu    sync.Mutex         // guards conns
	conns map[*mpm.Conn]bool // connections being served
	h2    *mpm.H2Server      // HTTP/2 (nil: HTTP/1.1 only)
}

var _ mpm.ChildServer = (*Child)(nil)

// New returns the worker engine's child loop over deps; cfg must pass
// Validate.
func New(cfg Config, deps mpm.ChildDeps) (*Child, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	acc, err := mpm.NewAcceptor(deps.Listeners)
	if err != nil {
		return nil, err
	}
	h2 := mpm.NewH2(&deps, false)
	mpm.Track(deps.Server, deps.VHost)
	c := &Child{
		h2:   h2,
		cfg:  cfg,
		deps: deps,
		acc:  acc,
		// One token per worker plus Stop's wake-up token.
		idle:    make(chan int, cfg.ThreadsPerChild+1),
		handoff: make([]chan *net.TCPConn, cfg.ThreadsPerChild),
		conns:   make(map[*mpm.Conn]bool),
	}
	for j := range c.handoff {
		c.handoff[j] = make(chan *net.TCPConn, 1)
	}
	return c, nil
}

// Serve implements mpm.ChildServer.
func (c *Child) Serve(ready func()) error {
	var wg sync.WaitGroup
	for j := range c.cfg.ThreadsPerChild {
		w := c.deps.Board.Worker(c.deps.Slot, j)
		w.SetPID(os.Getpid())
		w.SetGeneration(c.deps.Generation)
		wg.Go(func() { c.work(j, w) })
	}
	ready()
	err := c.accept()
	c.acc.Close()
	for _, h := range c.handoff {
		close(h)
	}
	wg.Wait()
	c.h2.Wait()
	return err
}

// accept is the accepter: reserve an idle worker, accept, hand over.
func (c *Child) accept() error {
	for {
		if c.stopping.Stopping() {
			return nil
		}
		if n := c.cfg.MaxConnectionsPerChild; n > 0 && c.served.Load() >= int64(n) {
			// A planned retirement: stop accepting, finish, exit 0.
			c.Stop(mpm.StopGraceful)
			return nil
		}
		j := <-c.idle
		if c.stopping.Stopping() {
			return nil
		}
		conn, err := c.acc.Accept()
		if err != nil {
			c.idle <- j
			switch {
			case c.stopping.Stopping() || errors.Is(err, mpm.ErrAcceptorClosed):
				return nil
			case mpm.IsTemporary(err):
				continue
			default:
				return fmt.Errorf("%w: %w", mpm.ErrChildSick, err)
			}
		}
		c.served.Add(1)
		c.handoff[j] <- conn
	}
}

// work is worker j: announce itself idle, serve what it is handed, until
// its hand-off channel closes.
func (c *Child) work(j int, w *mpm.Worker) {
	check := h1.New(c.deps.Protocol) // reads each connection this worker serves
	for {
		if c.stopping.Stopping() {
			w.SetState(mpm.StateGraceful)
		} else {
			w.SetState(mpm.StateReady)
		}
		c.idle <- j
		conn, ok := <-c.handoff[j]
		if !ok {
			w.SetState(mpm.StateDead)
			return
		}
		c.serve(conn, w, check)
	}
}

func (c *Child) serve(conn *net.TCPConn, w *mpm.Worker, check *h1.Validator) {
	check.Reset()
	tc := &mpm.Conn{TCPConn: conn, Worker: w, Validator: check}
	c.mu.Lock()
	immediate := c.stopping.Immediate()
	if !immediate {
		c.conns[tc] = true
	}
	c.mu.Unlock()
	if immediate {
		conn.Close()
		return
	}
	// Reading from accept on, as Apache: a silent client shows as R.
	tc.Worker.SetState(mpm.StateBusyRead)
	if !mpm.ReadProxyHeader(&c.deps, tc) {
		conn.Close()
	} else {
		mpm.ServeConn(c.deps, c.h2, tc)
	}
	c.mu.Lock()
	delete(c.conns, tc)
	c.mu.Unlock()
}

// Stop implements mpm.ChildServer. A graceful stop closes the listeners;
// busy workers finish, answering their next response with Connection:
// close, and idle keep-alive connections end at their next request or
// keep-alive timeout. StopGracefulIdle is StopGraceful here: an idle
// keep-alive connection holds a worker, which answers its next request
// with Connection: close.
func (c *Child) Stop(mode mpm.StopMode) {
	c.stopping.Raise(mode)
	if c.deps.Draining != nil {
		c.deps.Draining.Store(true)
	}
	c.acc.Close()
	c.h2.Stop(mode)
	// Wake an accepter waiting for an idler.
	select {
	case c.idle <- -1:
	default:
	}
	if mode == mpm.StopImmediate {
		c.mu.Lock()
		for tc := range c.conns {
			tc.Close()
		}
		c.mu.Unlock()
	}
}
