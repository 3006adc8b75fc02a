// Package drain sits between the master's signal channel and mpm.Master:
// it delays a server-wide graceful stop (SIGWINCH, which is what
// `gohttpd -k graceful-stop` sends) by GracefulStopDrainDelay, after
// calling a hook that makes the health handlers answer 503 and tells
// systemd STOPPING=1, so that load balancers take the instance out while
// its listeners still accept. Other signals pass at once, after their own
// hook (RELOADING=1 for USR1/HUP, STOPPING=1 for TERM/INT).
//
// Integration (cmd/gohttpd/master.go, serveMaster):
//
//	sigc := make(chan os.Signal, 8)
//	signal.Notify(sigc, ...) // as today
//	relayed := make(chan os.Signal, 8)
//	sd := sdnotify.FromEnv(true)
//	go drain.Relay(sigc, relayed, func() time.Duration { return current().GracefulStopDrainDelay }, drain.Hooks{
//		Drain:  func() { board.SetDraining(true); sd.Stopping() },
//		Stop:   func() { sd.Stopping() },
//		Reload: func() { sd.Reloading() },
//		Log:    log,
//	})
//	m := &mpm.Master{Signals: relayed, ...}
//
// where current() is the configuration of the running generation (Reload
// swaps it). Relay returns when sigc is closed; signal.Stop does not close
// it, so close it after m.Run returns (or leave the goroutine to exit with
// the process).
package drain

import (
	"log/slog"
	"os"
	"syscall"
	"time"
)

// Hooks are called from Relay's goroutine before a signal is forwarded.
// Any may be nil.
type Hooks struct {
	// Drain runs when a graceful stop (WINCH) arrives, before the delay.
	Drain func()
	// Stop runs for TERM and INT.
	Stop func()
	// Reload runs for USR1 and HUP.
	Reload func()
	// Log gets a notice when a drain begins (nil: none).
	Log *slog.Logger
}

func call(f func()) {
	if f != nil {
		f()
	}
}

// Relay forwards signals from in to out until in is closed. A SIGWINCH
// calls h.Drain, then waits delay() before it is forwarded; during the
// wait a TERM or INT is forwarded at once (an immediate stop overrides the
// drain, and the WINCH is dropped), and a repeated WINCH, USR1 or HUP is
// dropped (the server is stopping).
func Relay(in <-chan os.Signal, out chan<- os.Signal, delay func() time.Duration, h Hooks) {
	for sig := range in {
		switch sig {
		case syscall.SIGWINCH:
			call(h.Drain)
			d := time.Duration(0)
			if delay != nil {
				d = delay()
			}
			if d > 0 {
				if h.Log != nil {
					h.Log.Info("graceful stop: health checks answer 503; listeners close after GracefulStopDrainDelay", "delay", d.String())
				}
				forward, open := wait(in, out, d, h)
				if !open {
					return
				}
				if !forward {
					continue
				}
			}
			out <- sig
		case syscall.SIGTERM, syscall.SIGINT:
			call(h.Stop)
			out <- sig
		case syscall.SIGUSR1, syscall.SIGHUP:
			call(h.Reload)
			out <- sig
		default:
			out <- sig
		}
	}
}

// wait lets d pass while handling signals that arrive meanwhile. forward is
// false when a TERM or INT was forwarded instead of the WINCH; open is false
// when in was closed.
func wait(in <-chan os.Signal, out chan<- os.Signal, d time.Duration, h Hooks) (forward, open bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			return true, true
		case sig, ok := <-in:
			if !ok {
				return false, false
			}
			switch sig {
			case syscall.SIGTERM, syscall.SIGINT:
				call(h.Stop)
				out <- sig
				return false, true
			default:
				if h.Log != nil {
					h.Log.Info("graceful stop in progress: signal ignored", "signal", sig.String())
				}
			}
		}
	}
}
