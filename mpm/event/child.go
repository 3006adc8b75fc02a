package event

import (
	"errors"

	"github.com/gohttpd/gohttpd/mpm"
)

// Child is the event engine's child-side half: one epoll loop over the
// child's listeners and every parked connection, and ThreadsPerChild
// workers that read requests and answer them with fasthttp. An idle
// keep-alive connection costs a small record and no goroutine or buffer;
// a response the client is slow to take is finished by the loop (write
// completion); closing connections drain in the loop (lingering close).
// Admission follows Apache's AsyncRequestWorkerFactor.
//
// It implements mpm.ChildServer. On systems other than Linux, New fails
// with an error wrapping errors.ErrUnsupported.
type Child struct {
	e *engine
}

var _ mpm.ChildServer = (*Child)(nil)

// New builds a child from cfg (which must pass Validate) and deps. The
// child owns deps.Listeners from then on: Serve takes their descriptors
// and closes them, and Serve closes its own copies when it stops.
// deps.Board must have room for ThreadsPerChild workers in slot deps.Slot,
// and deps.Server must have a Handler.
func New(cfg Config, deps mpm.ChildDeps) (*Child, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch {
	case deps.Server == nil || deps.Server.Handler == nil:
		return nil, errors.New("event: ChildDeps.Server with a Handler is required")
	case deps.Board == nil:
		return nil, errors.New("event: ChildDeps.Board is required")
	case len(deps.Listeners) == 0:
		return nil, errors.New("event: no listeners")
	}
	e, err := newEngine(cfg, deps)
	if err != nil {
		return nil, err
	}
	return &Child{e: e}, nil
}

// Serve runs the loop in the calling goroutine until Stop, calling ready
// (if not nil) once the listeners are polled and the workers are running.
// It returns nil after a requested stop (or after MaxConnectionsPerChild
// connections), and an error wrapping mpm.ErrChildSick if the loop itself
// failed. After a graceful Stop it returns once no connection is left;
// after StopImmediate, at once, or when busy workers have finished their
// handler (waiting at most a second for them). It may be called only once.
func (c *Child) Serve(ready func()) error {
	return c.e.serve(ready)
}

// Stop implements mpm.ChildServer: StopGraceful (stop accepting, set
// Draining, finish in-flight requests with Connection: close, keep idle
// keep-alive connections until their next request, answered with
// Connection: close, or until KeepAliveTimeout), StopGracefulIdle (the
// same, but idle keep-alive connections, and new ones that have not sent a
// request, are closed at once with a short lingering close, as Apache's
// event MPM does for a graceful stop of the whole server) or
// StopImmediate (close every connection).
//
// Threading: any goroutine, before or during Serve, more than once; a
// stronger mode upgrades a weaker one.
func (c *Child) Stop(mode mpm.StopMode) {
	c.e.stop(mode)
}
