package mpm

import (
	"sync/atomic"
	"testing"
	"time"
)

// stopServer is a ChildServer whose Serve blocks until Stop.
type stopServer struct {
	stopped chan StopMode
	modes   atomic.Int32 // how many Stop calls
	last    atomic.Int32 // the last mode
}

func newStopServer() *stopServer { return &stopServer{stopped: make(chan StopMode, 8)} }

func (s *stopServer) Serve(ready func()) error {
	ready()
	<-s.stopped
	return nil
}

func (s *stopServer) Stop(m StopMode) {
	s.modes.Add(1)
	s.last.Store(int32(m))
	s.stopped <- m
}

func TestServeOrders(t *testing.T) {
	defer func(d time.Duration) { orphanCheckInterval = d }(orphanCheckInterval)
	orphanCheckInterval = 50 * time.Millisecond
	tests := []struct {
		name     string
		order    int // sent on orders; -1: none
		closeOrd bool
		orphan   bool
		want     StopMode
	}{
		{"order graceful", int(StopGraceful), false, false, StopGraceful},
		{"order immediate", int(StopImmediate), false, false, StopImmediate},
		{"closed orders, then orphaned", -1, true, true, StopImmediate},
		{"orphaned", -1, false, true, StopImmediate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newStopServer()
			orders := make(chan int, 1)
			var orphaned atomic.Bool
			readied := false
			errc := make(chan error, 1)
			go func() {
				errc <- ServeOrders(srv, func() { readied = true }, orders,
					func(o int) StopMode { return StopMode(o) }, orphaned.Load)
			}()
			if tt.closeOrd {
				close(orders)
			}
			if tt.order >= 0 {
				orders <- tt.order
			}
			if tt.orphan {
				orphaned.Store(true)
			}
			select {
			case err := <-errc:
				if err != nil {
					t.Fatalf("ServeOrders = %v, want nil", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("ServeOrders did not return after a stop order")
			}
			if !readied {
				t.Error("ready was not called")
			}
			if n := srv.modes.Load(); n != 1 {
				t.Fatalf("Stop called %d times, want 1", n)
			}
			if got := StopMode(srv.last.Load()); got != tt.want {
				t.Errorf("Stop(%v), want Stop(%v)", got, tt.want)
			}
		})
	}
}
