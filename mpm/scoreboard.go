package mpm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"
)

// The scoreboard is one block of memory shared by the master and every child
// (Apache's scoreboard.h): a header, ServerLimit process slots, then
// ServerLimit×ThreadLimit worker slots. It holds integers only, never a Go
// pointer, and every field is read and written with sync/atomic. Offsets are
// in bytes; integers are in the machine's byte order; every slot is 8-byte
// aligned and a multiple of 64 bytes (whole cache lines, as the mapping is
// page aligned).
//
//	header, 128 bytes at offset 0
//	    0 magic        uint64  scoreboardMagic ("GOHTTPSB")
//	    8 version      uint32  scoreboardVersion
//	   12 headerSize   uint32  128
//	   16 serverLimit  uint32
//	   20 threadLimit  uint32
//	   24 processSize  uint32  128
//	   28 workerSize   uint32  320
//	   32 totalSize    uint64  bytes of the whole board
//	   40 generation   uint64  the master's running generation
//	   48 restartTime  int64   Unix nanoseconds
//	   56 reserved     9×uint64
//
//	process slot i, 128 bytes at 128 + i×128
//	    0 pid              int64
//	    8 generation       uint64
//	   16 quiescing        uint32  0 no, 1 graceful, 2 event's second meaning
//	   20 notAccepting     uint32  0 or 1
//	   24 connections      int64   (event)
//	   32 keepAlive        int64   (event)
//	   40 writeCompletion  int64   (event)
//	   48 lingering        int64   (event)
//	   56 suspended        int64   (event)
//	   64 started          int64   Unix nanoseconds
//	   72 h2Conns          int64   open HTTP/2 connections (scoreboard_h2.go)
//	   80 h2Streams        int64   HTTP/2 streams being answered
//	   88 h2Requests       int64   HTTP/2 requests served without a worker slot (event)
//	   96 reserved         4×uint64
//
//	worker slot (i, j), 320 bytes at 128 + ServerLimit×128 + (i×ThreadLimit+j)×320
//	    0 seq              uint64  seqlock: odd while a multi-field write is in progress
//	    8 status           uint32  State
//	   12 reserved         uint32
//	   16 pid              int64
//	   24 generation       uint64
//	   32 accessCount      uint64  requests served by this slot
//	   40 myAccessCount    uint64  ... by this slot's current process (reset when Dead)
//	   48 connCount        uint64  ... on the current connection (reset when Ready or Dead)
//	   56 bytesServed      uint64
//	   64 myBytesServed    uint64  (reset when Dead)
//	   72 connBytes        uint64  (reset when Ready or Dead)
//	   80 lastUsed         int64   Unix nanoseconds
//	   88 startTime        int64   Unix nanoseconds, start of the last request
//	   96 stopTime         int64   Unix nanoseconds, end of the last request
//	  104 duration         uint64  microseconds, sum over all requests
//	  112 client           [64]byte  NUL-padded, at most 63 bytes
//	  176 vhost            [32]byte  NUL-padded, at most 31 bytes
//	  208 request          [64]byte  NUL-padded, at most 63 bytes
//	  272 reserved         5×uint64
//	  312 tls              uint64  version<<16 | cipher suite of the
//	                               connection's TLS, 0 on plain HTTP
//
// A field is written only by its owner: the header by the master, a process
// slot by its child (pid, generation and quiescing by whoever the engine
// decides, one writer at a time), a worker slot by the goroutine that owns it,
// or by the master when it marks a reaped child's slots Dead. A worker slot's
// multi-field updates run under its seqlock, so Worker.Snapshot never returns
// a torn string or a request line paired with another request's counters.
const (
	scoreboardMagic   = 0x4253505454484f47 // "GOHTTPSB" read as a little-endian uint64
	scoreboardVersion = 1

	headerSize  = 128
	processSize = 128
	workerSize  = 320

	clientSize  = 64
	vhostSize   = 32
	requestSize = 64

	// MaxServerLimit and MaxThreadLimit are the largest limits a scoreboard
	// accepts: Apache's compile-time maxima (prefork's ServerLimit 200000,
	// event's ThreadLimit 100000).
	MaxServerLimit = 200000
	MaxThreadLimit = 100000

	// maxBoardSize bounds the mapping (4 GiB, about 13 million worker slots).
	maxBoardSize = 4 << 30
)

// ErrInvalidScoreboard is wrapped by every error that rejects a file or a
// size as a scoreboard.
var ErrInvalidScoreboard = errors.New("mpm: invalid scoreboard")

type header struct {
	magic       uint64
	version     uint32
	headerSize  uint32
	serverLimit uint32
	threadLimit uint32
	processSize uint32
	workerSize  uint32
	totalSize   uint64
	generation  atomic.Uint64
	restartTime atomic.Int64
	_           [9]uint64
}

// Process is one process slot in shared memory (Apache's process_score). The
// pointer stays valid until the Scoreboard is closed; every method is atomic.
type Process struct {
	pid             atomic.Int64
	generation      atomic.Uint64
	quiescing       atomic.Uint32
	notAccepting    atomic.Uint32
	connections     atomic.Int64
	keepAlive       atomic.Int64
	writeCompletion atomic.Int64
	lingering       atomic.Int64
	suspended       atomic.Int64
	started         atomic.Int64
	h2Conns         atomic.Int64
	h2Streams       atomic.Int64
	h2Requests      atomic.Int64
	_               [4]uint64
}

// Worker is one worker slot in shared memory (Apache's worker_score). The
// pointer stays valid until the Scoreboard is closed. It has one writer at a
// time (its owner, or the master marking it Dead) and any number of readers.
type Worker struct {
	seq           atomic.Uint64
	status        atomic.Uint32
	_             uint32
	pid           atomic.Int64
	generation    atomic.Uint64
	accessCount   atomic.Uint64
	myAccessCount atomic.Uint64
	connCount     atomic.Uint64
	bytesServed   atomic.Uint64
	myBytesServed atomic.Uint64
	connBytes     atomic.Uint64
	lastUsed      atomic.Int64
	startTime     atomic.Int64
	stopTime      atomic.Int64
	duration      atomic.Uint64
	client        [clientSize / 8]atomic.Uint64
	vhost         [vhostSize / 8]atomic.Uint64
	request       [requestSize / 8]atomic.Uint64
	_             [5]uint64
	tls           atomic.Uint64
}

// The layout above is part of the format: these fail to compile if a struct
// no longer has its documented size.
var (
	_ [unsafe.Sizeof(header{}) - headerSize]byte
	_ [headerSize - unsafe.Sizeof(header{})]byte
	_ [unsafe.Sizeof(Process{}) - processSize]byte
	_ [processSize - unsafe.Sizeof(Process{})]byte
	_ [unsafe.Sizeof(Worker{}) - workerSize]byte
	_ [workerSize - unsafe.Sizeof(Worker{})]byte
)

// Scoreboard is the shared status table of every process and worker. The
// master creates it with NewScoreboard and passes File to each child, which
// maps the same memory with Attach. Its methods are safe for concurrent use,
// except Close, which must be the last call.
type Scoreboard struct {
	mem         []byte   // the mapping (heap memory where memfd is unsupported)
	file        *os.File // the memfd; nil when heap-backed
	hdr         *header
	procs       []Process
	workers     []Worker
	serverLimit int
	threadLimit int
}

// boardSize returns the size in bytes of a scoreboard with these limits.
func boardSize(serverLimit, threadLimit int) (int, error) {
	if serverLimit < 1 || serverLimit > MaxServerLimit {
		return 0, fmt.Errorf("mpm: scoreboard ServerLimit %d out of range 1..%d: %w",
			serverLimit, MaxServerLimit, ErrInvalidScoreboard)
	}
	if threadLimit < 1 || threadLimit > MaxThreadLimit {
		return 0, fmt.Errorf("mpm: scoreboard ThreadLimit %d out of range 1..%d: %w",
			threadLimit, MaxThreadLimit, ErrInvalidScoreboard)
	}
	size := uint64(headerSize) + uint64(serverLimit)*processSize +
		uint64(serverLimit)*uint64(threadLimit)*workerSize
	if size > maxBoardSize {
		return 0, fmt.Errorf("mpm: scoreboard of ServerLimit %d × ThreadLimit %d needs %d bytes, more than %d: %w",
			serverLimit, threadLimit, size, uint64(maxBoardSize), ErrInvalidScoreboard)
	}
	return int(size), nil
}

// NewScoreboard creates a zeroed scoreboard for serverLimit processes of
// threadLimit workers each (prefork uses a ThreadLimit of 1). Both limits are
// fixed for the scoreboard's life, as in Apache.
//
// On Linux the memory is a memfd (memfd_create with MFD_CLOEXEC and
// MFD_ALLOW_SEALING), sized with ftruncate, sealed with F_SEAL_SHRINK,
// F_SEAL_GROW and F_SEAL_SEAL (so no process can truncate it and make the
// others fault) and mapped MAP_SHARED; File returns it for exec.Cmd.ExtraFiles.
// On other systems the scoreboard is heap memory private to the process: File
// returns nil and Attach fails with errors.ErrUnsupported, which is enough for
// single-process use and tests.
func NewScoreboard(serverLimit, threadLimit int) (*Scoreboard, error) {
	size, err := boardSize(serverLimit, threadLimit)
	if err != nil {
		return nil, err
	}
	mem, f, err := createMemory(size)
	if err != nil {
		return nil, err
	}
	h := (*header)(unsafe.Pointer(&mem[0]))
	h.magic = scoreboardMagic
	h.version = scoreboardVersion
	h.headerSize = headerSize
	h.serverLimit = uint32(serverLimit)
	h.threadLimit = uint32(threadLimit)
	h.processSize = processSize
	h.workerSize = workerSize
	h.totalSize = uint64(size)
	return newBoard(mem, f, serverLimit, threadLimit), nil
}

func newBoard(mem []byte, f *os.File, serverLimit, threadLimit int) *Scoreboard {
	procOff := headerSize
	workerOff := procOff + serverLimit*processSize
	return &Scoreboard{
		mem:         mem,
		file:        f,
		hdr:         (*header)(unsafe.Pointer(&mem[0])),
		procs:       unsafe.Slice((*Process)(unsafe.Pointer(&mem[procOff])), serverLimit),
		workers:     unsafe.Slice((*Worker)(unsafe.Pointer(&mem[workerOff])), serverLimit*threadLimit),
		serverLimit: serverLimit,
		threadLimit: threadLimit,
	}
}

// Attach maps the scoreboard in f, a file passed by the master (in a child,
// os.NewFile of the descriptor inherited through exec.Cmd.ExtraFiles). It
// checks that f is sealed against shrinking and growing (so no process can
// make the mapping fault), that the header carries this package's magic,
// version and slot sizes, and that the file's size matches the limits in the
// header; anything else is an error wrapping ErrInvalidScoreboard. On success
// the Scoreboard owns f and Close closes it; on error f is left open. On
// systems other than Linux, Attach fails with errors.ErrUnsupported.
func Attach(f *os.File) (*Scoreboard, error) {
	if f == nil {
		return nil, fmt.Errorf("mpm: attach scoreboard: nil file: %w", ErrInvalidScoreboard)
	}
	mem, err := attachMemory(f)
	if err != nil {
		return nil, err
	}
	serverLimit, threadLimit, err := checkHeader(mem, f.Name())
	if err != nil {
		_ = releaseMemory(mem)
		return nil, err
	}
	return newBoard(mem, f, serverLimit, threadLimit), nil
}

// checkHeader validates a mapped board (the whole file) and returns its
// limits. name names the file in errors.
func checkHeader(mem []byte, name string) (serverLimit, threadLimit int, err error) {
	if len(mem) < headerSize {
		return 0, 0, fmt.Errorf("mpm: attach scoreboard %s: size %d is smaller than the %d-byte header: %w",
			name, len(mem), headerSize, ErrInvalidScoreboard)
	}
	h := (*header)(unsafe.Pointer(&mem[0]))
	switch {
	case h.magic != scoreboardMagic:
		return 0, 0, fmt.Errorf("mpm: attach scoreboard %s: bad magic %#x, want %#x: %w",
			name, h.magic, uint64(scoreboardMagic), ErrInvalidScoreboard)
	case h.version != scoreboardVersion:
		return 0, 0, fmt.Errorf("mpm: attach scoreboard %s: version %d, want %d: %w",
			name, h.version, scoreboardVersion, ErrInvalidScoreboard)
	case h.headerSize != headerSize || h.processSize != processSize || h.workerSize != workerSize:
		return 0, 0, fmt.Errorf("mpm: attach scoreboard %s: slot sizes %d/%d/%d, want %d/%d/%d: %w",
			name, h.headerSize, h.processSize, h.workerSize, headerSize, processSize, workerSize, ErrInvalidScoreboard)
	}
	size, err := boardSize(int(h.serverLimit), int(h.threadLimit))
	if err != nil {
		return 0, 0, fmt.Errorf("mpm: attach scoreboard %s: %w", name, err)
	}
	if h.totalSize != uint64(size) || len(mem) != size {
		return 0, 0, fmt.Errorf("mpm: attach scoreboard %s: size %d (header says %d), want %d for ServerLimit %d × ThreadLimit %d: %w",
			name, len(mem), h.totalSize, size, h.serverLimit, h.threadLimit, ErrInvalidScoreboard)
	}
	return int(h.serverLimit), int(h.threadLimit), nil
}

// File returns the memfd holding the scoreboard, to pass to a child in
// exec.Cmd.ExtraFiles (a regular file, so passing it changes no blocking
// mode). It is nil for a heap-backed scoreboard. The Scoreboard owns it.
func (s *Scoreboard) File() *os.File { return s.file }

// Close unmaps the scoreboard and closes its file. Every *Process and *Worker
// obtained from it becomes invalid; using one afterwards faults. Calling Close
// again does nothing.
func (s *Scoreboard) Close() error {
	if s.mem == nil {
		return nil
	}
	mem, f := s.mem, s.file
	s.mem, s.file, s.hdr, s.procs, s.workers = nil, nil, nil, nil, nil
	err := releaseMemory(mem)
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// ServerLimit returns the number of process slots.
func (s *Scoreboard) ServerLimit() int { return s.serverLimit }

// ThreadLimit returns the number of worker slots per process.
func (s *Scoreboard) ThreadLimit() int { return s.threadLimit }

// Generation returns the master's running generation (Apache's
// running_generation), advanced by the master on every restart.
func (s *Scoreboard) Generation() uint64 { return s.hdr.generation.Load() }

// SetGeneration sets the running generation; only the master calls it.
func (s *Scoreboard) SetGeneration(g uint64) { s.hdr.generation.Store(g) }

// RestartTime returns when the server was last started or restarted (the
// zero Time if never set).
func (s *Scoreboard) RestartTime() time.Time { return fromUnixNano(s.hdr.restartTime.Load()) }

// SetRestartTime sets the restart time; only the master calls it.
func (s *Scoreboard) SetRestartTime(t time.Time) { s.hdr.restartTime.Store(unixNano(t)) }

// Reset zeroes every process and worker slot, as Apache does on a
// non-graceful start or restart; the sizes, the generation and the restart
// time are kept (the master sets the last two itself, as Apache's
// ap_create_scoreboard updates restart_time). No child may be running.
func (s *Scoreboard) Reset() {
	words := unsafe.Slice((*atomic.Uint64)(unsafe.Pointer(&s.mem[headerSize])), (len(s.mem)-headerSize)/8)
	for i := range words {
		words[i].Store(0)
	}
}

// Process returns process slot i, 0 <= i < ServerLimit; it panics when i is
// out of range.
func (s *Scoreboard) Process(i int) *Process {
	if uint(i) >= uint(s.serverLimit) {
		panic(fmt.Sprintf("mpm: scoreboard process slot %d out of range [0,%d)", i, s.serverLimit))
	}
	return &s.procs[i]
}

// Worker returns worker slot j of process i, 0 <= i < ServerLimit and
// 0 <= j < ThreadLimit; it panics when either is out of range.
func (s *Scoreboard) Worker(i, j int) *Worker {
	if uint(i) >= uint(s.serverLimit) || uint(j) >= uint(s.threadLimit) {
		panic(fmt.Sprintf("mpm: scoreboard worker slot (%d, %d) out of range [0,%d)×[0,%d)",
			i, j, s.serverLimit, s.threadLimit))
	}
	return &s.workers[i*s.threadLimit+j]
}

// FindPID returns the slot of the live process pid, or -1.
func (s *Scoreboard) FindPID(pid int) int {
	if pid == 0 {
		return -1
	}
	for i := range s.procs {
		if int(s.procs[i].pid.Load()) == pid {
			return i
		}
	}
	return -1
}

// MarkDead clears process slot i after the master reaped its child: the pid,
// quiescing, not-accepting flag and connection counters become zero (the
// generation and start time stay, for the status page) and every worker slot
// of the process is set to StateDead. The pid is cleared first, so readers
// stop counting the slot before its workers change.
func (s *Scoreboard) MarkDead(i int) {
	p := s.Process(i)
	p.pid.Store(0)
	p.quiescing.Store(0)
	p.notAccepting.Store(0)
	p.connections.Store(0)
	p.keepAlive.Store(0)
	p.writeCompletion.Store(0)
	p.lingering.Store(0)
	p.suspended.Store(0)
	p.h2Conns.Store(0)
	p.h2Streams.Store(0)
	p.h2Requests.Store(0)
	for j := range s.threadLimit {
		s.Worker(i, j).SetState(StateDead)
	}
}

// ---- process slot ----

// PID returns the pid of the process in the slot, 0 for a free slot.
func (p *Process) PID() int { return int(p.pid.Load()) }

// SetPID sets the slot's pid (0 frees the slot).
func (p *Process) SetPID(pid int) { p.pid.Store(int64(pid)) }

// Generation returns the generation the process was started in.
func (p *Process) Generation() uint64 { return p.generation.Load() }

// SetGeneration sets the process's generation.
func (p *Process) SetGeneration(g uint64) { p.generation.Store(g) }

// Quiescing returns 0 while the process serves, 1 once it is stopping
// gracefully, 2 for event's second meaning (Apache's quiescing values).
func (p *Process) Quiescing() uint32 { return p.quiescing.Load() }

// SetQuiescing sets the quiescing value.
func (p *Process) SetQuiescing(q uint32) { p.quiescing.Store(q) }

// NotAccepting reports whether the process has stopped accepting new
// connections (event's admission control).
func (p *Process) NotAccepting() bool { return p.notAccepting.Load() != 0 }

// SetNotAccepting sets the not-accepting flag.
func (p *Process) SetNotAccepting(v bool) {
	var n uint32
	if v {
		n = 1
	}
	p.notAccepting.Store(n)
}

// Connections returns the process's open connections (event).
func (p *Process) Connections() int { return int(p.connections.Load()) }

// AddConnections adds delta to Connections and returns the new value.
func (p *Process) AddConnections(delta int) int { return int(p.connections.Add(int64(delta))) }

// SetConnections sets Connections.
func (p *Process) SetConnections(n int) { p.connections.Store(int64(n)) }

// KeepAlive returns the connections parked in keep-alive (event).
func (p *Process) KeepAlive() int { return int(p.keepAlive.Load()) }

// AddKeepAlive adds delta to KeepAlive and returns the new value.
func (p *Process) AddKeepAlive(delta int) int { return int(p.keepAlive.Add(int64(delta))) }

// SetKeepAlive sets KeepAlive.
func (p *Process) SetKeepAlive(n int) { p.keepAlive.Store(int64(n)) }

// WriteCompletion returns the connections in write completion (event).
func (p *Process) WriteCompletion() int { return int(p.writeCompletion.Load()) }

// AddWriteCompletion adds delta to WriteCompletion and returns the new value.
func (p *Process) AddWriteCompletion(delta int) int { return int(p.writeCompletion.Add(int64(delta))) }

// SetWriteCompletion sets WriteCompletion.
func (p *Process) SetWriteCompletion(n int) { p.writeCompletion.Store(int64(n)) }

// Lingering returns the connections in lingering close (event).
func (p *Process) Lingering() int { return int(p.lingering.Load()) }

// AddLingering adds delta to Lingering and returns the new value.
func (p *Process) AddLingering(delta int) int { return int(p.lingering.Add(int64(delta))) }

// SetLingering sets Lingering.
func (p *Process) SetLingering(n int) { p.lingering.Store(int64(n)) }

// Suspended returns the suspended connections (event).
func (p *Process) Suspended() int { return int(p.suspended.Load()) }

// AddSuspended adds delta to Suspended and returns the new value.
func (p *Process) AddSuspended(delta int) int { return int(p.suspended.Add(int64(delta))) }

// SetSuspended sets Suspended.
func (p *Process) SetSuspended(n int) { p.suspended.Store(int64(n)) }

// Started returns when the process was started (the zero Time if unset).
func (p *Process) Started() time.Time { return fromUnixNano(p.started.Load()) }

// SetStarted sets the process's start time.
func (p *Process) SetStarted(t time.Time) { p.started.Store(unixNano(t)) }

// ProcessStatus is a copy of one process slot.
type ProcessStatus struct {
	PID             int
	Generation      uint64
	Quiescing       uint32
	NotAccepting    bool
	Connections     int
	KeepAlive       int
	WriteCompletion int
	Lingering       int
	Suspended       int
	Started         time.Time
	// H2Conns and H2Streams are the open HTTP/2 connections and the
	// streams being answered on them; H2Requests the HTTP/2 requests
	// served without a worker slot (event).
	H2Conns, H2Streams, H2Requests int
}

// Snapshot copies the slot. Each field is read atomically; the fields are
// independent counters, so they are not read as one unit.
func (p *Process) Snapshot() ProcessStatus {
	return ProcessStatus{
		PID:             p.PID(),
		Generation:      p.Generation(),
		Quiescing:       p.Quiescing(),
		NotAccepting:    p.NotAccepting(),
		Connections:     p.Connections(),
		KeepAlive:       p.KeepAlive(),
		WriteCompletion: p.WriteCompletion(),
		Lingering:       p.Lingering(),
		Suspended:       p.Suspended(),
		Started:         p.Started(),
		H2Conns:         int(p.h2Conns.Load()),
		H2Streams:       int(p.h2Streams.Load()),
		H2Requests:      int(p.h2Requests.Load()),
	}
}

// ---- worker slot ----

// lock starts a multi-field write: it makes the sequence odd. Taking the
// value with |1 also repairs a slot whose previous writer died mid-write.
func (w *Worker) lock() uint64 {
	seq := w.seq.Load() | 1
	w.seq.Store(seq)
	return seq
}

// unlock ends a write started by lock: the sequence becomes even and new.
func (w *Worker) unlock(seq uint64) { w.seq.Store(seq + 1) }

// State returns the worker's state.
func (w *Worker) State() State { return State(w.status.Load()) }

// SetState sets the worker's state. Entering StateReady or StateDead also
// resets the per-connection counters and stamps LastUsed with the current
// time, as Apache does with ExtendedStatus; StateDead also resets the
// per-process counters (MyAccessCount, MyBytesServed). The client, vhost and
// request strings are kept, so an idle worker still shows its last request.
func (w *Worker) SetState(st State) {
	if st != StateReady && st != StateDead {
		w.status.Store(uint32(st))
		return
	}
	w.SetStateAt(st, time.Now())
}

// SetStateAt is SetState with the current time given (a worker that has
// just read the clock passes it on rather than read it again).
func (w *Worker) SetStateAt(st State, t time.Time) {
	if st != StateReady && st != StateDead {
		w.status.Store(uint32(st))
		return
	}
	now := t.UnixNano()
	seq := w.lock()
	w.status.Store(uint32(st))
	if st == StateDead {
		w.myAccessCount.Store(0)
		w.myBytesServed.Store(0)
	}
	w.connCount.Store(0)
	w.connBytes.Store(0)
	w.lastUsed.Store(now)
	w.unlock(seq)
}

// PID returns the pid of the process the worker belongs to.
func (w *Worker) PID() int { return int(w.pid.Load()) }

// SetPID sets the worker's pid (worker and event set it per thread).
func (w *Worker) SetPID(pid int) { w.pid.Store(int64(pid)) }

// Generation returns the worker's generation.
func (w *Worker) Generation() uint64 { return w.generation.Load() }

// SetGeneration sets the worker's generation.
func (w *Worker) SetGeneration(g uint64) { w.generation.Store(g) }

// BeginRequest marks the start of a request: the state becomes
// StateBusyRead, StartTime and LastUsed become now, and the strings are
// stored, each truncated as Apache's apr_cpystrn does to its buffer size
// less one: client (the client's address) to 63 bytes, vhost
// ("server_hostname:port") to 31 bytes and requestLine to its first 63 bytes.
// The caller strips any password from the request line first. It does not
// allocate.
func (w *Worker) BeginRequest(now time.Time, client, vhost, requestLine string) {
	ns := unixNano(now)
	seq := w.lock()
	w.status.Store(uint32(StateBusyRead))
	w.startTime.Store(ns)
	w.lastUsed.Store(ns)
	storeString(w.client[:], client)
	storeString(w.vhost[:], vhost)
	storeString(w.request[:], requestLine)
	w.unlock(seq)
}

// SetVHost replaces the vhost column of the request in progress, once
// the handler has selected the request's server (truncated as in
// BeginRequest). It does not allocate.
func (w *Worker) SetVHost(vhost string) {
	seq := w.lock()
	storeString(w.vhost[:], vhost)
	w.unlock(seq)
}

// EndRequest accounts a finished request that sent bytes bytes (0 for HEAD,
// negative counts as 0), as Apache's ap_increment_counts and
// ap_time_process_request: AccessCount, MyAccessCount and ConnCount grow by
// one, BytesServed, MyBytesServed and ConnBytes by bytes, StopTime and
// LastUsed become now and Duration grows by now − StartTime (whole
// microseconds). The state is left to the caller. It does not allocate.
func (w *Worker) EndRequest(now time.Time, bytes int64) {
	ns := unixNano(now)
	b := uint64(max(bytes, 0))
	seq := w.lock()
	w.accessCount.Add(1)
	w.myAccessCount.Add(1)
	w.connCount.Add(1)
	w.bytesServed.Add(b)
	w.myBytesServed.Add(b)
	w.connBytes.Add(b)
	w.stopTime.Store(ns)
	w.lastUsed.Store(ns)
	if start := w.startTime.Load(); start != 0 && ns > start {
		w.duration.Add(uint64(ns-start) / uint64(time.Microsecond))
	}
	w.unlock(seq)
}

// WorkerStatus is a consistent copy of one worker slot.
type WorkerStatus struct {
	State         State
	PID           int
	Generation    uint64
	AccessCount   uint64 // requests served by the slot
	MyAccessCount uint64 // ... by its current process
	ConnCount     uint64 // ... on its current connection
	BytesServed   uint64
	MyBytesServed uint64
	ConnBytes     uint64
	LastUsed      time.Time
	StartTime     time.Time     // start of the last request
	StopTime      time.Time     // end of the last request
	Duration      time.Duration // sum over all requests, in whole microseconds
	Client        string
	VHost         string
	Request       string
	TLSVersion    uint16 // the connection's TLS version; 0 on plain HTTP
	TLSCipher     uint16 // the connection's cipher suite
}

// Snapshot copies the slot. It retries while a write is in progress, so the
// copy is one the owner wrote as a whole; after snapshotAttempts tries (a
// writer that died mid-write, or one that never pauses) it returns the last
// copy read, which may mix two writes.
func (w *Worker) Snapshot() WorkerStatus {
	ws, _ := w.snapshot()
	return ws
}

// snapshotAttempts bounds Worker.Snapshot's retries; the first snapshotSpins
// retry at once, later ones yield the processor first.
const (
	snapshotAttempts = 1000
	snapshotSpins    = 8
)

// snapshot is Snapshot that also reports whether the copy is consistent.
func (w *Worker) snapshot() (ws WorkerStatus, ok bool) {
	var client [clientSize]byte
	var vhost [vhostSize]byte
	var request [requestSize]byte
	for attempt := range snapshotAttempts {
		if attempt >= snapshotSpins {
			runtime.Gosched()
		}
		seq := w.seq.Load()
		ws = WorkerStatus{
			State:         State(w.status.Load()),
			PID:           int(w.pid.Load()),
			Generation:    w.generation.Load(),
			AccessCount:   w.accessCount.Load(),
			MyAccessCount: w.myAccessCount.Load(),
			ConnCount:     w.connCount.Load(),
			BytesServed:   w.bytesServed.Load(),
			MyBytesServed: w.myBytesServed.Load(),
			ConnBytes:     w.connBytes.Load(),
			LastUsed:      fromUnixNano(w.lastUsed.Load()),
			StartTime:     fromUnixNano(w.startTime.Load()),
			StopTime:      fromUnixNano(w.stopTime.Load()),
			Duration:      time.Duration(w.duration.Load()) * time.Microsecond,
		}
		ws.TLSVersion, ws.TLSCipher = unpackTLS(w.tls.Load())
		loadString(w.client[:], client[:])
		loadString(w.vhost[:], vhost[:])
		loadString(w.request[:], request[:])
		if seq&1 == 0 && w.seq.Load() == seq {
			ok = true
			break
		}
	}
	ws.Client = cString(client[:])
	ws.VHost = cString(vhost[:])
	ws.Request = cString(request[:])
	return ws, ok
}

// storeString stores s, truncated to len(dst)×8−1 bytes and NUL-padded, into
// dst one word at a time. Only words that change are stored: a load is far
// cheaper than a store, and a keep-alive connection's client and vhost rarely
// change between requests.
func storeString(dst []atomic.Uint64, s string) {
	if n := len(dst)*8 - 1; len(s) > n {
		s = s[:n]
	}
	for k := range dst {
		var word [8]byte
		if off := k * 8; off < len(s) {
			copy(word[:], s[off:])
		}
		if v := binary.NativeEndian.Uint64(word[:]); dst[k].Load() != v {
			dst[k].Store(v)
		}
	}
}

// loadString copies the words of src into buf (len(buf) == len(src)×8).
func loadString(src []atomic.Uint64, buf []byte) {
	for k := range src {
		binary.NativeEndian.PutUint64(buf[k*8:], src[k].Load())
	}
}

// cString returns b up to its first NUL byte.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// ---- whole board ----

// Snapshot is a copy of the whole board, for the status page and the
// master's maintenance pass. Workers[i][j] is worker j of process i.
type Snapshot struct {
	ServerLimit int
	ThreadLimit int
	Generation  uint64
	RestartTime time.Time
	Processes   []ProcessStatus
	Workers     [][]WorkerStatus
}

// Snapshot copies the whole board, slot by slot (each worker slot is
// consistent in itself; the board is not frozen while it is copied).
func (s *Scoreboard) Snapshot() Snapshot {
	snap := Snapshot{
		ServerLimit: s.serverLimit,
		ThreadLimit: s.threadLimit,
		Generation:  s.Generation(),
		RestartTime: s.RestartTime(),
		Processes:   make([]ProcessStatus, s.serverLimit),
		Workers:     make([][]WorkerStatus, s.serverLimit),
	}
	all := make([]WorkerStatus, s.serverLimit*s.threadLimit)
	for i := range s.serverLimit {
		snap.Processes[i] = s.procs[i].Snapshot()
		row := all[i*s.threadLimit : (i+1)*s.threadLimit : (i+1)*s.threadLimit]
		for j := range row {
			row[j] = s.workers[i*s.threadLimit+j].Snapshot()
		}
		snap.Workers[i] = row
	}
	return snap
}

// Counts are totals over the board by mod_status's rules.
type Counts struct {
	// Idle counts StateReady workers of live (pid ≠ 0), non-quiescing
	// processes of the running generation (IdleWorkers). Busy counts the
	// workers of live, non-quiescing processes of any generation in any state
	// but Dead, Starting, IdleKill, Ready and Graceful (BusyWorkers);
	// Graceful counts their StateGraceful workers (GracefulWorkers).
	Idle, Busy, Graceful int
	// Starting counts StateStarting workers of live, non-quiescing processes
	// (Apache's maintenance counts them as idle; the status page does not).
	Starting int
	// Dead counts the '.' characters of the board: StateDead slots within
	// the first maxServers processes and threadsPerChild workers (slots
	// beyond those are "disabled" and not drawn).
	Dead int
	// Processes counts live process slots; Stopping those of them that are
	// quiescing.
	Processes, Stopping int
	// Connection counters summed over live processes (event's async table).
	Connections, KeepAlive, WriteCompletion, Lingering, Suspended int
	// H2Conns and H2Streams are the open HTTP/2 connections and their
	// streams being answered, summed over live processes.
	H2Conns, H2Streams int
	// Accesses, BytesServed and Duration are summed over every worker slot
	// (Total Accesses, Total kBytes, Total Duration).
	Accesses    uint64
	BytesServed uint64
	Duration    time.Duration
}

// Counts returns the board's totals, with every process slot within the
// limits (see CountsWithin).
func (s *Scoreboard) Counts(threadsPerChild int) Counts {
	return s.CountsWithin(s.serverLimit, threadsPerChild)
}

// CountsWithin returns the board's totals by mod_status's rules, where
// maxServers is the number of process slots in use (MaxRequestWorkers for
// prefork, MaxRequestWorkers/ThreadsPerChild for worker and event) and
// threadsPerChild the workers per process (1 for prefork). Only Dead depends
// on them.
func (s *Scoreboard) CountsWithin(maxServers, threadsPerChild int) Counts {
	var c Counts
	gen := s.Generation()
	for i := range s.serverLimit {
		p := &s.procs[i]
		pid, quiescing, pgen := p.pid.Load(), p.quiescing.Load(), p.generation.Load()
		if pid != 0 {
			c.Processes++
			if quiescing != 0 {
				c.Stopping++
			}
			c.Connections += p.Connections()
			c.KeepAlive += p.KeepAlive()
			c.WriteCompletion += p.WriteCompletion()
			c.Lingering += p.Lingering()
			c.Suspended += p.Suspended()
			c.H2Conns += int(p.h2Conns.Load())
			c.H2Streams += int(p.h2Streams.Load())
			c.Accesses += uint64(p.h2Requests.Load())
		}
		counting := pid != 0 && quiescing == 0
		for j := range s.threadLimit {
			w := &s.workers[i*s.threadLimit+j]
			st := w.State()
			c.Accesses += w.accessCount.Load()
			c.BytesServed += w.bytesServed.Load()
			c.Duration += time.Duration(w.duration.Load()) * time.Microsecond
			if st == StateDead {
				if i < maxServers && j < threadsPerChild {
					c.Dead++
				}
				continue
			}
			if !counting {
				continue
			}
			if st == StateStarting {
				c.Starting++
			}
			switch st.Class() {
			case ClassIdle:
				if pgen == gen {
					c.Idle++
				}
			case ClassGraceful:
				c.Graceful++
			case ClassBusy:
				c.Busy++
			}
		}
	}
	return c
}

// StateCounts counts worker slots by state, indexed by State.
type StateCounts [numStates]int

// StateCounts counts the first threadsPerChild worker slots of process i
// (all of them if threadsPerChild exceeds ThreadLimit) by state, whatever
// the process slot says: the raw material of Apache's maintenance loops.
// Values outside the defined states are not counted.
func (s *Scoreboard) StateCounts(i, threadsPerChild int) StateCounts {
	var c StateCounts
	n := min(max(threadsPerChild, 0), s.threadLimit)
	for j := range n {
		if st := s.Worker(i, j).State(); int(st) < numStates {
			c[st]++
		}
	}
	return c
}

// IdleCount returns the number of workers of process i in StateReady.
func (s *Scoreboard) IdleCount(i int) int {
	return s.StateCounts(i, s.threadLimit)[StateReady]
}
