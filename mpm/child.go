package mpm

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Child exit codes, Apache's APEXIT_* values (os/unix/unixd.h). The master
// classifies a child's exit by them.
const (
	ExitOK         = 0  // planned: stop order, MaxConnectionsPerChild, retirement
	ExitInit       = 2  // the child could not initialise (configuration, listeners)
	ExitChildInit  = 3  // APEXIT_CHILDINIT
	ExitChildSick  = 7  // resource shortage (EMFILE on accept...): respawn at rate 1
	ExitChildFatal = 15 // the whole server must stop (APEXIT_CHILDFATAL)
)

// Stop orders written on a child's pipe of death (Apache's POD characters).
const (
	PodGraceful  = '!' // finish current connections, refuse keep-alive, exit
	PodImmediate = '$' // close everything and exit now
	// PodGracefulStop is PodGraceful for a graceful stop of the whole
	// server (WINCH): StopGracefulIdle. Restarts and retirements keep
	// PodGraceful (StopGraceful), which answers the next request with
	// Connection: close instead (no request lost).
	PodGracefulStop = '.'
)

// The descriptors a child inherits, in exec.Cmd.ExtraFiles order
// (descriptor 3 onwards). Listeners come last, one per Listen, in the order
// of the configuration snapshot.
const (
	fdScoreboard = 3 + iota // the scoreboard memfd
	fdSnapshot              // the configuration snapshot (a sealed memfd)
	fdPod                   // read end of this child's pipe of death
	fdReady                 // write end of the readiness pipe
	fdFirstListener
)

// ChildArg is the hidden first argument that makes the gohttpd binary run
// as a child (Tailscale's be-child pattern), and envChild carries the
// child's identity: "slot:generation:listeners".
const (
	ChildArg = "__gohttpd-child"
	envChild = "GOHTTPD_CHILD"
)

// IsChild reports whether this process was started by a master as a child.
func IsChild(args []string) bool {
	return len(args) > 1 && args[1] == ChildArg && os.Getenv(envChild) != ""
}

// ChildEnv is what a child process inherited from its master.
type ChildEnv struct {
	Slot       int
	Generation uint64
	// Snapshot is the serialized configuration the master resolved; a child
	// never parses the configuration file itself.
	Snapshot   []byte
	Scoreboard *Scoreboard
	// Listeners are the inherited listening sockets (non-blocking), in the
	// configuration's order. The receiver owns them.
	Listeners []*os.File
	pod       *os.File
	ready     *os.File
}

// InheritChild collects the descriptors of a child started by Master. It
// fails with a clear error if the process was not started that way.
func InheritChild() (*ChildEnv, error) {
	id := os.Getenv(envChild)
	parts := strings.Split(id, ":")
	if len(parts) != 3 {
		return nil, fmt.Errorf("mpm: %s=%q: want slot:generation:listeners", envChild, id)
	}
	slot, err1 := strconv.Atoi(parts[0])
	gen, err2 := strconv.ParseUint(parts[1], 10, 64)
	nl, err3 := strconv.Atoi(parts[2])
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, fmt.Errorf("mpm: %s=%q: %w", envChild, id, err)
	}
	env := &ChildEnv{Slot: slot, Generation: gen}
	snap := os.NewFile(fdSnapshot, "snapshot")
	var err error
	env.Snapshot, err = io.ReadAll(snap)
	snap.Close()
	if err != nil {
		return nil, fmt.Errorf("mpm: read configuration snapshot: %w", err)
	}
	env.Scoreboard, err = Attach(os.NewFile(fdScoreboard, "scoreboard"))
	if err != nil {
		return nil, err
	}
	env.pod = os.NewFile(fdPod, "pod")
	env.ready = os.NewFile(fdReady, "ready")
	for i := range nl {
		env.Listeners = append(env.Listeners, os.NewFile(uintptr(fdFirstListener+i), "listener"+strconv.Itoa(i)))
	}
	return env, nil
}

// Ready tells the master that this child serves: it counts as started only
// from now on. Call it once every listener and worker is set up.
func (e *ChildEnv) Ready() error {
	if e.ready == nil {
		return nil
	}
	_, err := e.ready.Write([]byte{1})
	e.ready.Close()
	e.ready = nil
	if err != nil {
		return fmt.Errorf("mpm: write readiness pipe: %w", err)
	}
	return nil
}

// StopOrders delivers the master's stop orders: PodGraceful,
// PodGracefulStop or PodImmediate. When the master dies (the pipe's write end closes) it
// delivers PodImmediate and closes. The goroutine it starts ends then.
func (e *ChildEnv) StopOrders() <-chan byte {
	c := make(chan byte, 2)
	go func() {
		defer close(c)
		buf := make([]byte, 1)
		for {
			n, err := e.pod.Read(buf)
			if n == 1 {
				c <- buf[0]
				if buf[0] == PodImmediate {
					return
				}
				continue
			}
			if err != nil {
				c <- PodImmediate
				return
			}
		}
	}()
	return c
}

// Errors a ChildServer's Serve may wrap to pick the child's exit code.
var (
	// ErrChildSick: a resource shortage (EMFILE on accept ...); the master
	// respawns at the slowest rate (APEXIT_CHILDSICK).
	ErrChildSick = errors.New("mpm: child resource shortage")
	// ErrChildFatal: the whole server must stop (APEXIT_CHILDFATAL).
	ErrChildFatal = errors.New("mpm: child fatal error")
)

// ServeOrders runs srv.Serve(ready) and, from one goroutine it owns and
// joins before it returns, stops srv as orders say: for each order
// received, srv.Stop(mode(order)); a closed orders is ignored from then on. If watch is not nil it
// is called every tick (500 ms); when it returns true, srv stops at once
// and the goroutine stops watching. It is the stop loop of a child
// (RunChild: the pipe of death, the parent pid) and of a one-process server
// (gohttpd -X: signals).
func ServeOrders[T any](srv ChildServer, ready func(), orders <-chan T, mode func(T) StopMode, watch func() bool) error {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var tickC <-chan time.Time
		if watch != nil {
			tick := time.NewTicker(orphanCheckInterval)
			defer tick.Stop()
			tickC = tick.C
		}
		for {
			select {
			case o, ok := <-orders:
				if !ok {
					orders = nil
					continue
				}
				srv.Stop(mode(o))
			case <-tickC:
				if watch() {
					srv.Stop(StopImmediate)
					return
				}
			case <-done:
				return
			}
		}
	})
	defer wg.Wait()
	defer close(done)
	return srv.Serve(ready)
}

// orphanCheckInterval is how often a child checks that its master lives.
// Pdeathsig and the pipe of death's end of file stop a child whose master
// dies at once; this check is their backstop, so it may be rare: each tick
// wakes an idle child and its runtime's monitor thread, which with
// prefork's hundreds of idle children was thousands of context switches a
// second (500 ms: about 6,000/s for 256 children; 5 s: under 2,000/s).
var orphanCheckInterval = 5 * time.Second

// RunChild runs srv in this child process until the master orders a stop
// or dies, and returns the exit code for os.Exit. It watches the pipe of
// death and the parent pid (belt and braces to Pdeathsig).
func RunChild(env *ChildEnv, srv ChildServer, log *slog.Logger) int {
	ppid := os.Getppid()
	orphaned := func() bool {
		if os.Getppid() == ppid {
			return false
		}
		log.Warn("master process went away, child exiting")
		return true
	}
	err := ServeOrders(srv, func() {
		if err := env.Ready(); err != nil {
			log.Error("child readiness", "err", err)
		}
	}, env.StopOrders(), PodMode, orphaned)
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, ErrChildFatal):
		log.Error("child fatal error", "err", err)
		return ExitChildFatal
	case errors.Is(err, ErrChildSick):
		log.Error("child resource shortage", "err", err)
		return ExitChildSick
	default:
		log.Error("child stopped", "err", err)
		return ExitChildInit
	}
}
