package mpm

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

func newTestBoard(t testing.TB, serverLimit, threadLimit int) *Scoreboard {
	t.Helper()
	s, err := NewScoreboard(serverLimit, threadLimit)
	if err != nil {
		t.Fatalf("NewScoreboard(%d, %d) = %v", serverLimit, threadLimit, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	return s
}

// TestLayout pins the documented offsets of the shared-memory format.
func TestLayout(t *testing.T) {
	var h header
	var p Process
	var w Worker
	tests := []struct {
		name string
		got  uintptr
		want uintptr
	}{
		{"header.magic", unsafe.Offsetof(h.magic), 0},
		{"header.version", unsafe.Offsetof(h.version), 8},
		{"header.headerSize", unsafe.Offsetof(h.headerSize), 12},
		{"header.serverLimit", unsafe.Offsetof(h.serverLimit), 16},
		{"header.threadLimit", unsafe.Offsetof(h.threadLimit), 20},
		{"header.processSize", unsafe.Offsetof(h.processSize), 24},
		{"header.workerSize", unsafe.Offsetof(h.workerSize), 28},
		{"header.totalSize", unsafe.Offsetof(h.totalSize), 32},
		{"header.generation", unsafe.Offsetof(h.generation), 40},
		{"header.restartTime", unsafe.Offsetof(h.restartTime), 48},
		{"header size", unsafe.Sizeof(h), 128},
		{"process.pid", unsafe.Offsetof(p.pid), 0},
		{"process.generation", unsafe.Offsetof(p.generation), 8},
		{"process.quiescing", unsafe.Offsetof(p.quiescing), 16},
		{"process.notAccepting", unsafe.Offsetof(p.notAccepting), 20},
		{"process.connections", unsafe.Offsetof(p.connections), 24},
		{"process.keepAlive", unsafe.Offsetof(p.keepAlive), 32},
		{"process.writeCompletion", unsafe.Offsetof(p.writeCompletion), 40},
		{"process.lingering", unsafe.Offsetof(p.lingering), 48},
		{"process.suspended", unsafe.Offsetof(p.suspended), 56},
		{"process.started", unsafe.Offsetof(p.started), 64},
		{"process size", unsafe.Sizeof(p), 128},
		{"worker.seq", unsafe.Offsetof(w.seq), 0},
		{"worker.status", unsafe.Offsetof(w.status), 8},
		{"worker.pid", unsafe.Offsetof(w.pid), 16},
		{"worker.generation", unsafe.Offsetof(w.generation), 24},
		{"worker.accessCount", unsafe.Offsetof(w.accessCount), 32},
		{"worker.myAccessCount", unsafe.Offsetof(w.myAccessCount), 40},
		{"worker.connCount", unsafe.Offsetof(w.connCount), 48},
		{"worker.bytesServed", unsafe.Offsetof(w.bytesServed), 56},
		{"worker.myBytesServed", unsafe.Offsetof(w.myBytesServed), 64},
		{"worker.connBytes", unsafe.Offsetof(w.connBytes), 72},
		{"worker.lastUsed", unsafe.Offsetof(w.lastUsed), 80},
		{"worker.startTime", unsafe.Offsetof(w.startTime), 88},
		{"worker.stopTime", unsafe.Offsetof(w.stopTime), 96},
		{"worker.duration", unsafe.Offsetof(w.duration), 104},
		{"worker.client", unsafe.Offsetof(w.client), 112},
		{"worker.vhost", unsafe.Offsetof(w.vhost), 176},
		{"worker.request", unsafe.Offsetof(w.request), 208},
		{"worker size", unsafe.Sizeof(w), 320},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("offset of %s = %d, want %d", tt.name, tt.got, tt.want)
			}
		})
	}
}

// TestSlotAddresses checks where slots sit in the memory and that every one
// is 8-byte aligned.
func TestSlotAddresses(t *testing.T) {
	const sl, tl = 3, 5
	s := newTestBoard(t, sl, tl)
	if len(s.mem) != 128+sl*128+sl*tl*320 {
		t.Fatalf("board size = %d, want %d", len(s.mem), 128+sl*128+sl*tl*320)
	}
	base := uintptr(unsafe.Pointer(&s.mem[0]))
	if base%8 != 0 {
		t.Fatalf("board base %#x is not 8-byte aligned", base)
	}
	for i := range sl {
		t.Run(fmt.Sprintf("process%d", i), func(t *testing.T) {
			off := uintptr(unsafe.Pointer(s.Process(i))) - base
			if want := uintptr(128 + i*128); off != want {
				t.Errorf("Process(%d) offset = %d, want %d", i, off, want)
			}
			for j := range tl {
				off := uintptr(unsafe.Pointer(s.Worker(i, j))) - base
				if want := uintptr(128 + sl*128 + (i*tl+j)*320); off != want {
					t.Errorf("Worker(%d, %d) offset = %d, want %d", i, j, off, want)
				}
			}
		})
	}
}

func TestNewScoreboardLimits(t *testing.T) {
	tests := []struct {
		name                     string
		serverLimit, threadLimit int
		wantErr                  bool
	}{
		{"prefork default", 256, 1, false},
		{"event default", 16, 64, false},
		{"smallest", 1, 1, false},
		{"zero servers", 0, 1, true},
		{"negative servers", -1, 1, true},
		{"zero threads", 1, 0, true},
		{"servers over limit", MaxServerLimit + 1, 1, true},
		{"threads over limit", 1, MaxThreadLimit + 1, true},
		{"too large", 20000, 100000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewScoreboard(tt.serverLimit, tt.threadLimit)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidScoreboard) {
					t.Errorf("NewScoreboard(%d, %d) = %v, want an error wrapping ErrInvalidScoreboard",
						tt.serverLimit, tt.threadLimit, err)
				}
				if s != nil {
					s.Close()
				}
				return
			}
			if err != nil {
				t.Fatalf("NewScoreboard(%d, %d) = %v, want nil error", tt.serverLimit, tt.threadLimit, err)
			}
			defer s.Close()
			if s.ServerLimit() != tt.serverLimit || s.ThreadLimit() != tt.threadLimit {
				t.Errorf("limits = %d, %d, want %d, %d", s.ServerLimit(), s.ThreadLimit(), tt.serverLimit, tt.threadLimit)
			}
			if got := s.Snapshot(); len(got.Processes) != tt.serverLimit || len(got.Workers) != tt.serverLimit ||
				len(got.Workers[tt.serverLimit-1]) != tt.threadLimit {
				t.Errorf("Snapshot() has %d processes, %d worker rows, want %d × %d",
					len(got.Processes), len(got.Workers), tt.serverLimit, tt.threadLimit)
			}
		})
	}
}

func TestSlotBounds(t *testing.T) {
	s := newTestBoard(t, 2, 3)
	tests := []struct {
		name string
		call func()
	}{
		{"process -1", func() { s.Process(-1) }},
		{"process 2", func() { s.Process(2) }},
		{"worker (0, 3)", func() { s.Worker(0, 3) }},
		{"worker (2, 0)", func() { s.Worker(2, 0) }},
		{"worker (1, -1)", func() { s.Worker(1, -1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", tt.name)
				}
			}()
			tt.call()
		})
	}
}

func TestHeader(t *testing.T) {
	s := newTestBoard(t, 2, 2)
	if g := s.Generation(); g != 0 {
		t.Errorf("Generation() = %d, want 0", g)
	}
	if rt := s.RestartTime(); !rt.IsZero() {
		t.Errorf("RestartTime() = %v, want zero", rt)
	}
	now := time.Unix(1700000000, 123456789)
	s.SetGeneration(7)
	s.SetRestartTime(now)
	if g := s.Generation(); g != 7 {
		t.Errorf("Generation() = %d, want 7", g)
	}
	if rt := s.RestartTime(); !rt.Equal(now) {
		t.Errorf("RestartTime() = %v, want %v", rt, now)
	}
}

func TestProcessFields(t *testing.T) {
	s := newTestBoard(t, 3, 1)
	p := s.Process(1)
	started := time.Unix(1700000000, 42)
	p.SetPID(4242)
	p.SetGeneration(3)
	p.SetQuiescing(2)
	p.SetNotAccepting(true)
	p.SetConnections(10)
	p.SetKeepAlive(20)
	p.SetWriteCompletion(30)
	p.SetLingering(40)
	p.SetSuspended(50)
	p.SetStarted(started)
	tests := []struct {
		name string
		add  func(int) int
		get  func() int
		base int
	}{
		{"Connections", p.AddConnections, p.Connections, 10},
		{"KeepAlive", p.AddKeepAlive, p.KeepAlive, 20},
		{"WriteCompletion", p.AddWriteCompletion, p.WriteCompletion, 30},
		{"Lingering", p.AddLingering, p.Lingering, 40},
		{"Suspended", p.AddSuspended, p.Suspended, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.get(); got != tt.base {
				t.Errorf("%s() = %d, want %d", tt.name, got, tt.base)
			}
			if got := tt.add(5); got != tt.base+5 {
				t.Errorf("Add%s(5) = %d, want %d", tt.name, got, tt.base+5)
			}
			if got := tt.add(-7); got != tt.base-2 {
				t.Errorf("Add%s(-7) = %d, want %d", tt.name, got, tt.base-2)
			}
		})
	}
	want := ProcessStatus{
		PID: 4242, Generation: 3, Quiescing: 2, NotAccepting: true,
		Connections: 8, KeepAlive: 18, WriteCompletion: 28, Lingering: 38, Suspended: 48,
		Started: started,
	}
	if got := p.Snapshot(); !sameProcess(got, want) {
		t.Errorf("Snapshot() = %+v, want %+v", got, want)
	}
	if got := s.Process(0).Snapshot(); !sameProcess(got, ProcessStatus{}) {
		t.Errorf("untouched Process(0).Snapshot() = %+v, want zero", got)
	}
	p.SetNotAccepting(false)
	if p.NotAccepting() {
		t.Errorf("NotAccepting() after SetNotAccepting(false) = true, want false")
	}
	if got := s.FindPID(4242); got != 1 {
		t.Errorf("FindPID(4242) = %d, want 1", got)
	}
	if got := s.FindPID(1); got != -1 {
		t.Errorf("FindPID(1) = %d, want -1", got)
	}
	if got := s.FindPID(0); got != -1 {
		t.Errorf("FindPID(0) = %d, want -1", got)
	}
}

func sameProcess(a, b ProcessStatus) bool {
	ta, tb := a.Started, b.Started
	a.Started, b.Started = time.Time{}, time.Time{}
	return a == b && ta.Equal(tb)
}

func sameWorker(a, b WorkerStatus) bool {
	ta := [3]time.Time{a.LastUsed, a.StartTime, a.StopTime}
	tb := [3]time.Time{b.LastUsed, b.StartTime, b.StopTime}
	a.LastUsed, a.StartTime, a.StopTime = time.Time{}, time.Time{}, time.Time{}
	b.LastUsed, b.StartTime, b.StopTime = time.Time{}, time.Time{}, time.Time{}
	for k := range ta {
		if !ta[k].Equal(tb[k]) {
			return false
		}
	}
	return a == b
}

func TestWorkerRequest(t *testing.T) {
	s := newTestBoard(t, 1, 2)
	w := s.Worker(0, 1)
	w.SetPID(99)
	w.SetGeneration(4)
	base := time.Unix(1700000000, 0)
	w.BeginRequest(base, "127.0.0.1", "www.example.com:80", "GET / HTTP/1.1")
	if st := w.State(); st != StateBusyRead {
		t.Errorf("State() after BeginRequest = %v, want %v", st, StateBusyRead)
	}
	w.SetState(StateBusyWrite)
	w.EndRequest(base.Add(1500*time.Microsecond), 100)
	w.SetState(StateBusyKeepAlive)
	w.BeginRequest(base.Add(2*time.Second), "::1", "www.example.com:80", "HEAD /x HTTP/1.1")
	w.EndRequest(base.Add(2*time.Second+250*time.Microsecond+999), 0)
	w.BeginRequest(base.Add(3*time.Second), "::1", "www.example.com:80", "GET /neg HTTP/1.1")
	w.EndRequest(base.Add(3*time.Second), -5)
	want := WorkerStatus{
		State: StateBusyRead, PID: 99, Generation: 4,
		AccessCount: 3, MyAccessCount: 3, ConnCount: 3,
		BytesServed: 100, MyBytesServed: 100, ConnBytes: 100,
		LastUsed:  base.Add(3 * time.Second),
		StartTime: base.Add(3 * time.Second),
		StopTime:  base.Add(3 * time.Second),
		Duration:  1750 * time.Microsecond,
		Client:    "::1", VHost: "www.example.com:80", Request: "GET /neg HTTP/1.1",
	}
	if got := w.Snapshot(); !sameWorker(got, want) {
		t.Errorf("Snapshot() =\n%+v, want\n%+v", got, want)
	}
	if got := s.Worker(0, 0).Snapshot(); !sameWorker(got, WorkerStatus{}) {
		t.Errorf("untouched Worker(0, 0).Snapshot() = %+v, want zero", got)
	}
}

func TestWorkerStringTruncation(t *testing.T) {
	long := strings.Repeat("abcdefghij", 10)
	tests := []struct {
		name                          string
		client, vhost, request        string
		wantClient, wantVHost, wantRq string
	}{
		{"empty", "", "", "", "", "", ""},
		{"short", "1.2.3.4", "a:80", "GET /", "1.2.3.4", "a:80", "GET /"},
		{"exact word", "12345678", "abcdefgh", "GET /abc", "12345678", "abcdefgh", "GET /abc"},
		{"at limit", long[:63], long[:31], long[:63], long[:63], long[:31], long[:63]},
		{"one over", long[:64], long[:32], long[:64], long[:63], long[:31], long[:63]},
		{"long", long, long, long, long[:63], long[:31], long[:63]},
		{"embedded NUL", "a\x00b", "v\x00", "GET\x00/", "a", "v", "GET"},
	}
	s := newTestBoard(t, 1, 1)
	w := s.Worker(0, 0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A longer previous value must not leak through.
			w.BeginRequest(time.Now(), long, long, long)
			w.BeginRequest(time.Now(), tt.client, tt.vhost, tt.request)
			got := w.Snapshot()
			if got.Client != tt.wantClient || got.VHost != tt.wantVHost || got.Request != tt.wantRq {
				t.Errorf("BeginRequest(%q, %q, %q) stored %q, %q, %q, want %q, %q, %q",
					tt.client, tt.vhost, tt.request, got.Client, got.VHost, got.Request,
					tt.wantClient, tt.wantVHost, tt.wantRq)
			}
		})
	}
}

func TestSetStateResets(t *testing.T) {
	s := newTestBoard(t, 1, 1)
	w := s.Worker(0, 0)
	base := time.Unix(1700000000, 0)
	serve := func() {
		for k := range 3 {
			w.BeginRequest(base.Add(time.Duration(k)*time.Second), "c", "v", "GET /")
			w.EndRequest(base.Add(time.Duration(k)*time.Second+time.Millisecond), 10)
		}
	}
	tests := []struct {
		name                            string
		state                           State
		wantConn, wantMy, wantAll       uint64 // access counts: connection, process, slot
		wantConnB, wantMyB, wantAllB    uint64 // bytes
		wantLastUsedNow, wantKeepString bool
	}{
		{"keepalive keeps counters", StateBusyKeepAlive, 3, 3, 3, 30, 30, 30, false, true},
		{"ready resets connection", StateReady, 0, 6, 6, 0, 60, 60, true, true},
		{"dead resets connection and process", StateDead, 0, 0, 9, 0, 0, 90, true, true},
		{"write keeps counters", StateBusyWrite, 3, 3, 12, 30, 30, 120, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			serve()
			before := time.Now()
			w.SetState(tt.state)
			got := w.Snapshot()
			if got.State != tt.state {
				t.Errorf("State = %v, want %v", got.State, tt.state)
			}
			if got.ConnCount != tt.wantConn || got.MyAccessCount != tt.wantMy || got.AccessCount != tt.wantAll {
				t.Errorf("access counts = %d/%d/%d, want %d/%d/%d",
					got.ConnCount, got.MyAccessCount, got.AccessCount, tt.wantConn, tt.wantMy, tt.wantAll)
			}
			if got.ConnBytes != tt.wantConnB || got.MyBytesServed != tt.wantMyB || got.BytesServed != tt.wantAllB {
				t.Errorf("bytes = %d/%d/%d, want %d/%d/%d",
					got.ConnBytes, got.MyBytesServed, got.BytesServed, tt.wantConnB, tt.wantMyB, tt.wantAllB)
			}
			if lastNow := !got.LastUsed.Before(before); lastNow != tt.wantLastUsedNow {
				t.Errorf("LastUsed = %v (set before %v: %t), want set now %t", got.LastUsed, before, !lastNow, tt.wantLastUsedNow)
			}
			if got.Request != "GET /" || got.Client != "c" || got.VHost != "v" {
				t.Errorf("strings = %q, %q, %q, want kept", got.Client, got.VHost, got.Request)
			}
			// Leave the connection closed for the next case.
			w.SetState(StateReady)
		})
	}
}

// TestSnapshotBoundedRetries checks that a reader of a slot whose writer
// died mid-write gives up after a bounded number of tries, and that the next
// write repairs the sequence.
func TestSnapshotBoundedRetries(t *testing.T) {
	s := newTestBoard(t, 1, 1)
	w := s.Worker(0, 0)
	w.BeginRequest(time.Now(), "c", "v", "GET /")
	w.lock() // a writer that never finishes

	done := make(chan bool, 1)
	go func() {
		_, ok := w.snapshot()
		done <- ok
	}()
	select {
	case ok := <-done:
		if ok {
			t.Errorf("snapshot() of a slot locked mid-write reported consistent, want inconsistent")
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("snapshot() of a slot locked mid-write did not return within 10s")
	}
	if got := w.Snapshot(); got.Request != "GET /" {
		t.Errorf("Snapshot().Request of a locked slot = %q, want the last value %q", got.Request, "GET /")
	}

	s.MarkDead(0) // the master's write repairs the sequence
	if got, ok := w.snapshot(); !ok || got.State != StateDead {
		t.Errorf("snapshot() after MarkDead = %v, %t, want state %v, consistent", got.State, ok, StateDead)
	}
	if seq := w.seq.Load(); seq%2 != 0 {
		t.Errorf("seq after MarkDead = %d, want even", seq)
	}
}

// Strings written by the concurrent test: each encodes its writer and
// iteration, with a length that depends on the iteration, so a torn read
// (words of two writes) does not decode to the text it claims to be.
func pattern(k, n, length int) string {
	tok := strconv.Itoa(k) + "." + strconv.Itoa(n) + "|"
	return strings.Repeat(tok, length/len(tok)+1)[:length]
}

// Lengths are at least 8, so every string holds one whole token "k.n|".
func clientLen(n int) int  { return 8 + n%56 }      // 8..63
func vhostLen(n int) int   { return 8 + (n*3)%24 }  // 8..31
func requestLen(n int) int { return 10 + (n*7)%90 } // 10..99, stored as at most 63

// decode returns the writer and iteration a pattern string claims, checking
// that the whole string is that pattern of the expected length.
func decode(s string, wantLen func(int) int, limit int) (k, n int, err error) {
	head, _, ok := strings.Cut(s, "|")
	if !ok {
		return 0, 0, fmt.Errorf("no token in %q", s)
	}
	ks, ns, ok := strings.Cut(head, ".")
	if !ok {
		return 0, 0, fmt.Errorf("bad token in %q", s)
	}
	if k, err = strconv.Atoi(ks); err != nil {
		return 0, 0, fmt.Errorf("bad writer in %q", s)
	}
	if n, err = strconv.Atoi(ns); err != nil {
		return 0, 0, fmt.Errorf("bad iteration in %q", s)
	}
	if want := pattern(k, n, min(wantLen(n), limit)); s != want {
		return 0, 0, fmt.Errorf("torn string %q, want %q", s, want)
	}
	return k, n, nil
}

// TestConcurrentWriters runs writers that each own a worker slot against
// readers that copy slots and the whole board, and checks that every
// consistent copy is one a writer wrote as a whole (strings, times and
// counters of the same request) and that the final totals are exact.
func TestConcurrentWriters(t *testing.T) {
	const (
		sl, tl     = 4, 3
		writers    = 8
		iterations = 3000
		readers    = 2
		reqTime    = 3 * time.Microsecond
	)
	s := newTestBoard(t, sl, tl)
	base := time.Unix(1700000000, 0)
	slot := func(k int) (int, int) { return k % sl, k / sl }

	var failures atomic.Int32
	fail := func(format string, args ...any) {
		if failures.Add(1) <= 10 {
			t.Errorf(format, args...)
		}
	}
	check := func(k int, ws WorkerStatus) {
		if ws.AccessCount == 0 && ws.Client == "" {
			return // not written yet
		}
		kc, n, err := decode(ws.Client, clientLen, 63)
		if err != nil {
			fail("writer %d client: %v", k, err)
			return
		}
		kv, nv, err := decode(ws.VHost, vhostLen, 31)
		if err != nil {
			fail("writer %d vhost: %v", k, err)
			return
		}
		kr, nr, err := decode(ws.Request, requestLen, 63)
		if err != nil {
			fail("writer %d request: %v", k, err)
			return
		}
		if kc != k || kv != k || kr != k || nv != n || nr != n {
			fail("writer %d: strings of writers %d/%d/%d, iterations %d/%d/%d", k, kc, kv, kr, n, nv, nr)
			return
		}
		if want := base.Add(time.Duration(n) * time.Microsecond); !ws.StartTime.Equal(want) {
			fail("writer %d iteration %d: StartTime = %v, want %v", k, n, ws.StartTime, want)
		}
		a := ws.AccessCount
		if a != uint64(n) && a != uint64(n)+1 {
			fail("writer %d iteration %d: AccessCount = %d, want %d or %d", k, n, a, n, n+1)
		}
		if want := a * (a + 1) / 2; ws.BytesServed != want || ws.MyBytesServed != want {
			fail("writer %d: BytesServed, MyBytesServed = %d, %d after %d requests, want %d",
				k, ws.BytesServed, ws.MyBytesServed, a, want)
		}
		if ws.MyAccessCount != a {
			fail("writer %d: MyAccessCount = %d, want %d", k, ws.MyAccessCount, a)
		}
		if want := time.Duration(a) * reqTime; ws.Duration != want {
			fail("writer %d: Duration = %v after %d requests, want %v", k, ws.Duration, a, want)
		}
	}

	var writersWG, readersWG sync.WaitGroup
	done := make(chan struct{})
	for k := range writers {
		writersWG.Go(func() {
			w := s.Worker(slot(k))
			w.SetPID(1000 + k)
			for n := range iterations {
				start := base.Add(time.Duration(n) * time.Microsecond)
				w.BeginRequest(start,
					pattern(k, n, clientLen(n)), pattern(k, n, vhostLen(n)), pattern(k, n, requestLen(n)))
				w.SetState(StateBusyWrite)
				w.EndRequest(start.Add(reqTime), int64(n+1))
				if n%10 == 9 {
					w.SetState(StateReady)
				} else {
					w.SetState(StateBusyKeepAlive)
				}
			}
		})
	}
	var consistent, inconsistent atomic.Int64
	deadline := time.Now().Add(30 * time.Second)
	for r := range readers {
		readersWG.Go(func() {
			for pass := 0; ; pass++ {
				for k := range writers {
					ws, ok := s.Worker(slot(k)).snapshot()
					if !ok {
						inconsistent.Add(1)
						continue
					}
					consistent.Add(1)
					check(k, ws)
				}
				if r == 0 && pass%16 == 0 {
					snap := s.Snapshot()
					_ = s.Counts(tl)
					if len(snap.Workers) != sl {
						fail("Snapshot() has %d worker rows, want %d", len(snap.Workers), sl)
					}
				}
				select {
				case <-done:
					return
				default:
				}
				if time.Now().After(deadline) {
					fail("reader %d: writers not done by the deadline", r)
					return
				}
			}
		})
	}
	writersWG.Wait()
	close(done)
	readersWG.Wait()
	t.Logf("%d consistent and %d abandoned (retries exhausted) snapshots during the run",
		consistent.Load(), inconsistent.Load())

	for k := range writers {
		ws, ok := s.Worker(slot(k)).snapshot()
		if !ok {
			t.Errorf("writer %d: final snapshot not consistent", k)
			continue
		}
		check(k, ws)
		const m = iterations
		if ws.AccessCount != m || ws.BytesServed != m*(m+1)/2 || ws.Duration != m*reqTime {
			t.Errorf("writer %d final: AccessCount, BytesServed, Duration = %d, %d, %v, want %d, %d, %v",
				k, ws.AccessCount, ws.BytesServed, ws.Duration, m, m*(m+1)/2, m*reqTime)
		}
		if _, n, err := decode(ws.Request, requestLen, 63); err != nil || n != m-1 {
			t.Errorf("writer %d final request %q: iteration %d, %v, want %d", k, ws.Request, n, err, m-1)
		}
		if ws.State != StateReady || ws.PID != 1000+k {
			t.Errorf("writer %d final: State, PID = %v, %d, want %v, %d", k, ws.State, ws.PID, StateReady, 1000+k)
		}
	}
	c := s.Counts(tl)
	if want := uint64(writers * iterations); c.Accesses != want {
		t.Errorf("Counts().Accesses = %d, want %d", c.Accesses, want)
	}
}

func TestReset(t *testing.T) {
	const sl, tl = 3, 4
	s := newTestBoard(t, sl, tl)
	now := time.Unix(1700000000, 5)
	s.SetGeneration(9)
	s.SetRestartTime(now)
	for i := range sl {
		p := s.Process(i)
		p.SetPID(100 + i)
		p.SetGeneration(9)
		p.SetQuiescing(1)
		p.SetNotAccepting(true)
		p.SetConnections(1)
		p.SetKeepAlive(2)
		p.SetWriteCompletion(3)
		p.SetLingering(4)
		p.SetSuspended(5)
		p.SetStarted(now)
		for j := range tl {
			w := s.Worker(i, j)
			w.SetPID(100 + i)
			w.SetGeneration(9)
			w.BeginRequest(now, "client", "vhost:80", "GET / HTTP/1.1")
			w.EndRequest(now.Add(time.Second), 1234)
			w.SetState(StateGraceful)
		}
	}
	// Also dirty the reserved words, which Reset must clear too.
	for k := range s.mem[headerSize:] {
		if s.mem[headerSize+k] == 0 {
			s.mem[headerSize+k] = 0xA5
		}
	}
	s.Reset()

	for k, b := range s.mem[headerSize:] {
		if b != 0 {
			t.Fatalf("byte %d after Reset() = %#x, want 0", headerSize+k, b)
		}
	}
	snap := s.Snapshot()
	for i := range sl {
		if !sameProcess(snap.Processes[i], ProcessStatus{}) {
			t.Errorf("Processes[%d] after Reset() = %+v, want zero", i, snap.Processes[i])
		}
		for j := range tl {
			if !sameWorker(snap.Workers[i][j], WorkerStatus{}) {
				t.Errorf("Workers[%d][%d] after Reset() = %+v, want zero", i, j, snap.Workers[i][j])
			}
		}
	}
	if s.ServerLimit() != sl || s.ThreadLimit() != tl || s.hdr.magic != scoreboardMagic ||
		s.hdr.serverLimit != sl || s.hdr.threadLimit != tl || s.hdr.totalSize != uint64(len(s.mem)) {
		t.Errorf("Reset() changed the sizes or magic: %d × %d, header %+v", s.ServerLimit(), s.ThreadLimit(), s.hdr)
	}
	if s.Generation() != 9 || !s.RestartTime().Equal(now) {
		t.Errorf("Reset() changed Generation, RestartTime to %d, %v, want 9, %v", s.Generation(), s.RestartTime(), now)
	}
	if c := s.Counts(tl); c != (Counts{Dead: sl * tl}) {
		t.Errorf("Counts() after Reset() = %+v, want only Dead %d", c, sl*tl)
	}
}

func TestCounts(t *testing.T) {
	type proc struct {
		pid       int
		gen       uint64
		quiescing uint32
		states    string // one letter per worker slot
		conns     int
	}
	letter := map[byte]State{}
	for st := range State(numStates) {
		letter[st.Letter()] = st
	}
	tests := []struct {
		name            string
		gen             uint64
		procs           []proc
		maxServers, tpc int
		want            Counts
	}{
		{
			name: "empty board", gen: 1, maxServers: 3, tpc: 4,
			procs: []proc{{}, {}, {}},
			want:  Counts{Dead: 12},
		},
		{
			name: "dead beyond threadsPerChild are disabled", gen: 1, maxServers: 3, tpc: 2,
			procs: []proc{{}, {}, {}},
			want:  Counts{Dead: 6},
		},
		{
			name: "dead beyond maxServers are disabled", gen: 1, maxServers: 1, tpc: 4,
			procs: []proc{{}, {}, {}},
			want:  Counts{Dead: 4},
		},
		{
			name: "one live process", gen: 2, maxServers: 3, tpc: 4,
			procs: []proc{{pid: 10, gen: 2, states: "_RWK", conns: 3}, {}, {}},
			want:  Counts{Idle: 1, Busy: 3, Dead: 8, Processes: 1, Connections: 3},
		},
		{
			name: "old generation ready is not idle but busy counts", gen: 3, maxServers: 3, tpc: 4,
			procs: []proc{{pid: 10, gen: 2, states: "__LC"}, {pid: 11, gen: 3, states: "_S.."}, {}},
			want:  Counts{Idle: 1, Busy: 2, Starting: 1, Dead: 6, Processes: 2},
		},
		{
			name: "quiescing process counts nothing but Stopping", gen: 1, maxServers: 3, tpc: 4,
			procs: []proc{{pid: 10, gen: 1, quiescing: 1, states: "_RG.", conns: 2}, {pid: 11, gen: 1, states: "GG_D"}, {}},
			want:  Counts{Idle: 1, Busy: 1, Graceful: 2, Dead: 5, Processes: 2, Stopping: 1, Connections: 2},
		},
		{
			name: "dead process slot does not count its workers", gen: 1, maxServers: 3, tpc: 4,
			procs: []proc{{pid: 0, gen: 1, states: "_RWG", conns: 9}, {}, {}},
			want:  Counts{Dead: 8},
		},
		{
			name: "idle kill is neither idle nor busy", gen: 1, maxServers: 3, tpc: 4,
			procs: []proc{{pid: 10, gen: 1, states: "I_W."}, {}, {}},
			want:  Counts{Idle: 1, Busy: 1, Dead: 9, Processes: 1},
		},
		{
			name: "live slot above the limits still counts", gen: 1, maxServers: 1, tpc: 2,
			procs: []proc{{pid: 10, gen: 1, states: "__"}, {}, {pid: 12, gen: 1, states: "_WR."}},
			want:  Counts{Idle: 3, Busy: 2, Processes: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestBoard(t, len(tt.procs), 4)
			s.SetGeneration(tt.gen)
			for i, p := range tt.procs {
				ps := s.Process(i)
				ps.SetPID(p.pid)
				ps.SetGeneration(p.gen)
				ps.SetQuiescing(p.quiescing)
				ps.SetConnections(p.conns)
				for j := range len(p.states) {
					s.Worker(i, j).SetState(letter[p.states[j]])
				}
			}
			if got := s.CountsWithin(tt.maxServers, tt.tpc); got != tt.want {
				t.Errorf("CountsWithin(%d, %d) = %+v, want %+v", tt.maxServers, tt.tpc, got, tt.want)
			}
			if tt.maxServers == len(tt.procs) {
				if got := s.Counts(tt.tpc); got != tt.want {
					t.Errorf("Counts(%d) = %+v, want %+v", tt.tpc, got, tt.want)
				}
			}
		})
	}
}

func TestCountsTotals(t *testing.T) {
	s := newTestBoard(t, 2, 2)
	now := time.Unix(1700000000, 0)
	for i := range 2 {
		for j := range 2 {
			w := s.Worker(i, j)
			w.BeginRequest(now, "c", "v", "r")
			w.EndRequest(now.Add(time.Millisecond), 1000)
		}
	}
	s.Worker(1, 1).SetState(StateDead) // totals keep what a dead slot served
	c := s.Counts(2)
	if c.Accesses != 4 || c.BytesServed != 4000 || c.Duration != 4*time.Millisecond {
		t.Errorf("Counts() totals = %d, %d, %v, want 4, 4000, 4ms", c.Accesses, c.BytesServed, c.Duration)
	}
}

func TestStateCountsAndMarkDead(t *testing.T) {
	s := newTestBoard(t, 2, 5)
	p := s.Process(1)
	p.SetPID(77)
	p.SetGeneration(2)
	p.SetQuiescing(1)
	p.SetNotAccepting(true)
	p.SetConnections(4)
	p.SetKeepAlive(3)
	p.AddH2Conns(2) // an event child's HTTP/2 connections and streams
	p.AddH2Streams(3)
	states := []State{StateReady, StateReady, StateBusyWrite, StateStarting, StateReady}
	for j, st := range states {
		s.Worker(1, j).SetState(st)
	}
	tests := []struct {
		name string
		tpc  int
		want StateCounts
	}{
		{"all", 5, StateCounts{StateReady: 3, StateBusyWrite: 1, StateStarting: 1}},
		{"first three", 3, StateCounts{StateReady: 2, StateBusyWrite: 1}},
		{"more than ThreadLimit", 9, StateCounts{StateReady: 3, StateBusyWrite: 1, StateStarting: 1}},
		{"none", 0, StateCounts{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.StateCounts(1, tt.tpc); got != tt.want {
				t.Errorf("StateCounts(1, %d) = %v, want %v", tt.tpc, got, tt.want)
			}
		})
	}
	if got := s.IdleCount(1); got != 3 {
		t.Errorf("IdleCount(1) = %d, want 3", got)
	}
	if got := s.IdleCount(0); got != 0 {
		t.Errorf("IdleCount(0) = %d, want 0", got)
	}

	s.MarkDead(1)
	if got := s.StateCounts(1, 5); got != (StateCounts{StateDead: 5}) {
		t.Errorf("StateCounts(1, 5) after MarkDead(1) = %v, want all Dead", got)
	}
	want := ProcessStatus{Generation: 2}
	if got := p.Snapshot(); !sameProcess(got, want) {
		t.Errorf("Process(1).Snapshot() after MarkDead(1) = %+v, want %+v", got, want)
	}
	if got := s.FindPID(77); got != -1 {
		t.Errorf("FindPID(77) after MarkDead = %d, want -1", got)
	}
	if p.H2Conns() != 0 || p.H2Streams() != 0 {
		t.Errorf("HTTP/2 counts after MarkDead = %d connections, %d streams, want 0 (a dead child's are gone)", p.H2Conns(), p.H2Streams())
	}
}

func TestCloseTwice(t *testing.T) {
	s, err := NewScoreboard(1, 1)
	if err != nil {
		t.Fatalf("NewScoreboard(1, 1) = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close() = %v, want nil", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close() = %v, want nil", err)
	}
}

func TestBeginEndRequestAllocs(t *testing.T) {
	s := newTestBoard(t, 1, 1)
	w := s.Worker(0, 0)
	now := time.Now()
	allocs := testing.AllocsPerRun(100, func() {
		w.BeginRequest(now, "127.0.0.1", "www.example.com:80", "GET /index.html HTTP/1.1")
		w.SetState(StateBusyWrite)
		w.EndRequest(now, 512)
		w.SetState(StateReady)
	})
	if allocs != 0 {
		t.Errorf("BeginRequest+SetState+EndRequest allocate %v times per request, want 0", allocs)
	}
}

func BenchmarkBeginEndRequest(b *testing.B) {
	s := newTestBoard(b, 1, 1)
	w := s.Worker(0, 0)
	b.ReportAllocs()
	for b.Loop() {
		w.BeginRequest(time.Now(), "127.0.0.1", "www.example.com:80", "GET /index.html HTTP/1.1")
		w.EndRequest(time.Now(), 512)
	}
}

func BenchmarkWorkerSnapshot(b *testing.B) {
	s := newTestBoard(b, 1, 1)
	w := s.Worker(0, 0)
	w.BeginRequest(time.Now(), "127.0.0.1", "www.example.com:80", "GET /index.html HTTP/1.1")
	b.ReportAllocs()
	for b.Loop() {
		_ = w.Snapshot()
	}
}
