package main

// systemd and draining for load balancers (docs/deploy.md): socket
// activation (LISTEN_FDS → the listener set), sd_notify from the master
// (READY=1, RELOADING=1, STOPPING=1, a STATUS= line every second), the
// GracefulStopDrainDelay relay between the signal channel and the master,
// and the health handler of the children.

import (
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/internal/drain"
	"github.com/gohttpd/gohttpd/internal/sdnotify"
	"github.com/gohttpd/gohttpd/listener"
	"github.com/gohttpd/gohttpd/mpm"
	"github.com/gohttpd/gohttpd/site/health"
)

// service is the master's systemd side: the sockets systemd passed and
// the notification socket, either nil when not under systemd.
type service struct {
	act *listener.Activation
	sd  *sdnotify.Notifier
	// running is the configuration of the running generation (for the
	// drain delay).
	running atomic.Pointer[conf.Config]
	// stop ends the goroutines the service started.
	stop chan struct{}
}

// startService reads LISTEN_FDS and NOTIFY_SOCKET and removes them from
// the environment, so that re-executed children never see them. Call it
// first in the master, before children exist.
func startService(cfg *conf.Config) (*service, error) {
	act, err := listener.ActivationFromEnv(true)
	if err != nil {
		return nil, err
	}
	s := &service{act: act, sd: sdnotify.FromEnv(true), stop: make(chan struct{})}
	s.running.Store(cfg)
	return s, nil
}

// close ends the relay and the status ticker.
func (s *service) close() { close(s.stop) }

// relay puts drain.Relay between the signal channel and the master: a
// graceful stop (WINCH) first sets the scoreboard's drain flag (health
// checks answer 503) and says STOPPING=1, then waits
// GracefulStopDrainDelay before the master hears it.
func (s *service) relay(sigc <-chan os.Signal, board *mpm.Scoreboard, log *slog.Logger) <-chan os.Signal {
	in := make(chan os.Signal, 8)
	out := make(chan os.Signal, 8)
	go func() { // owner: the service; ends when stop closes (in is then closed)
		defer close(in)
		for {
			select {
			case sig := <-sigc:
				select {
				case in <- sig:
				case <-s.stop:
					return
				}
			case <-s.stop:
				return
			}
		}
	}()
	go drain.Relay(in, out, func() time.Duration { return s.running.Load().GracefulStopDrainDelay }, drain.Hooks{
		Drain:  func() { board.SetDraining(true); _ = s.sd.Stopping() },
		Stop:   func() { _ = s.sd.Stopping() },
		Reload: func() { _ = s.sd.Reloading() },
		Log:    log,
	})
	return out
}

// onState wraps the master's OnState: READY=1 when the first generation
// serves and after each restart signal handled.
func (s *service) onState(write func(mpm.MasterState)) func(mpm.MasterState) {
	tr := &sdnotify.Tracker{N: s.sd}
	return func(st mpm.MasterState) {
		write(st)
		_ = tr.Update(st.Ready, st.Reloads, st.ReloadError)
	}
}

// statusLoop sends mod_systemd's STATUS= line every second while under
// systemd.
func (s *service) statusLoop(board *mpm.Scoreboard, threadsPerChild int) {
	if s.sd == nil {
		return
	}
	go func() { // owner: the service; ends when stop closes
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				c := board.Counts(threadsPerChild)
				_ = s.sd.Status(sdnotify.StatusLine(c.Accesses, c.Idle, c.Busy, time.Since(board.RestartTime()), c.BytesServed))
			case <-s.stop:
				return
			}
		}
	}()
}

// stoppingFunc is what the site and the health handler ask: this child is
// stopping, or the master began a server-wide drain.
func stoppingFunc(draining *atomic.Bool, board *mpm.Scoreboard) func() bool {
	return func() bool { return draining.Load() || (board != nil && board.Draining()) }
}

// withHealth adds the health handler (SetHandler health) to handlers.
func withHealth(handlers map[string]fasthttp.RequestHandler, stopping func() bool) map[string]fasthttp.RequestHandler {
	handlers[health.Name] = health.New(stopping)
	return handlers
}
