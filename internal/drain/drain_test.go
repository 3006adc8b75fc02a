package drain

import (
	"os"
	"sync"
	"syscall"
	"testing"
	"time"
)

type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(e string) func() {
	return func() { r.mu.Lock(); r.events = append(r.events, e); r.mu.Unlock() }
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func start(t *testing.T, delay time.Duration) (chan os.Signal, chan os.Signal, *recorder) {
	t.Helper()
	in, out := make(chan os.Signal, 8), make(chan os.Signal, 8)
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		Relay(in, out, func() time.Duration { return delay }, Hooks{Drain: r.add("drain"), Stop: r.add("stop"), Reload: r.add("reload")})
		close(done)
	}()
	t.Cleanup(func() {
		close(in)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("Relay did not return after its input closed")
		}
	})
	return in, out, r
}

func next(t *testing.T, out chan os.Signal, within time.Duration) os.Signal {
	t.Helper()
	select {
	case s := <-out:
		return s
	case <-time.After(within):
		t.Fatalf("nothing forwarded within %v", within)
		return nil
	}
}

func none(t *testing.T, out chan os.Signal, during time.Duration) {
	t.Helper()
	select {
	case s := <-out:
		t.Fatalf("%v forwarded, want nothing yet", s)
	case <-time.After(during):
	}
}

func TestPassThrough(t *testing.T) {
	in, out, r := start(t, time.Hour)
	for _, s := range []os.Signal{syscall.SIGUSR1, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT} {
		in <- s
		if got := next(t, out, 5*time.Second); got != s {
			t.Fatalf("forwarded %v, want %v", got, s)
		}
	}
	want := []string{"reload", "reload", "stop", "stop"}
	if got := r.get(); len(got) != len(want) {
		t.Fatalf("hooks %v, want %v", got, want)
	}
}

func TestDrainDelaysWinch(t *testing.T) {
	const delay = 300 * time.Millisecond
	in, out, r := start(t, delay)
	began := time.Now()
	in <- syscall.SIGWINCH
	in <- syscall.SIGUSR1 // dropped: stopping
	in <- syscall.SIGWINCH
	none(t, out, delay/2)
	if got := r.get(); len(got) != 1 || got[0] != "drain" {
		t.Fatalf("hooks during the delay %v, want [drain] at once", got)
	}
	if got := next(t, out, 5*time.Second); got != syscall.SIGWINCH {
		t.Fatalf("forwarded %v, want SIGWINCH", got)
	}
	if el := time.Since(began); el < delay {
		t.Errorf("WINCH forwarded after %v, want at least %v", el, delay)
	}
	none(t, out, 50*time.Millisecond)
}

func TestTermCutsDrainShort(t *testing.T) {
	in, out, r := start(t, time.Hour)
	in <- syscall.SIGWINCH
	in <- syscall.SIGTERM
	if got := next(t, out, 5*time.Second); got != syscall.SIGTERM {
		t.Fatalf("forwarded %v, want SIGTERM", got)
	}
	if got := r.get(); len(got) != 2 || got[0] != "drain" || got[1] != "stop" {
		t.Errorf("hooks %v, want [drain stop]", got)
	}
	none(t, out, 50*time.Millisecond)
}

func TestNoDelay(t *testing.T) {
	in, out, _ := start(t, 0)
	in <- syscall.SIGWINCH
	if got := next(t, out, 5*time.Second); got != syscall.SIGWINCH {
		t.Fatalf("forwarded %v", got)
	}
}
