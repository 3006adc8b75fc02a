package mpm

import (
	"sync/atomic"
	"unsafe"
)

// The drain flag is the first reserved word of the scoreboard header
// (offset 56, see the layout in scoreboard.go): the master sets it to 1
// when a server-wide graceful stop begins (SIGWINCH, -k graceful-stop),
// GracefulStopDrainDelay before it sends the children PodGracefulStop, so
// that every child's health handler answers 503 at once while the
// listeners still accept. Children only read it. It lives in the header
// rather than in a pipe-of-death order because every child reads it on its
// next health probe with one atomic load, needs no reader goroutine, and a
// child started during the delay sees it too. Reset does not clear it;
// the master clears it with SetDraining(false) if a drain is abandoned.
const drainOffset = 56

// The flag must sit right after restartTime, in the reserved words.
var _ [unsafe.Offsetof(header{}.restartTime) + 8 - drainOffset]byte
var _ [drainOffset - unsafe.Offsetof(header{}.restartTime) - 8]byte

func (s *Scoreboard) drainWord() *atomic.Uint64 {
	return (*atomic.Uint64)(unsafe.Add(unsafe.Pointer(s.hdr), drainOffset))
}

// SetDraining sets (master) the server-wide drain flag.
func (s *Scoreboard) SetDraining(on bool) {
	var v uint64
	if on {
		v = 1
	}
	s.drainWord().Store(v)
}

// Draining reports whether the master began a server-wide graceful stop.
// Safe from any process that attached the scoreboard.
func (s *Scoreboard) Draining() bool { return s.drainWord().Load() != 0 }
