package load

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram bounds: latencies are recorded in microseconds, from 1 µs to
// 60 s, with three significant digits.
const (
	histMin    = 1
	histMax    = 60_000_000
	histDigits = 3
	// maxShards bounds the histograms a run keeps (each is about 140 KB);
	// connections share them under a mutex.
	maxShards = 16
)

// NewHistogram returns an empty latency histogram in this package's units
// (microseconds, 1 µs to 60 s, three significant digits).
func NewHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(histMin, histMax, histDigits)
}

// Runner is one load run. Start it with Run; Completed and Failed may be
// called from other goroutines while it runs.
type Runner struct {
	cfg     Config
	batch   []byte // cfg.Pipeline requests
	single  []byte // one request
	workers []*worker
	shards  []shard
	// left is the request budget when cfg.MaxRequests > 0.
	left atomic.Int64
	// stopped is set when the run ends early (context done); dials check it.
	stopped atomic.Bool
	start   time.Time
	end     time.Time
}

type shard struct {
	mu sync.Mutex // guards h
	h  *hdrhistogram.Histogram
}

// New checks cfg and prepares a run.
func New(cfg Config) (*Runner, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	r := &Runner{cfg: cfg, batch: cfg.request(cfg.Pipeline), single: cfg.request(1)}
	r.left.Store(cfg.MaxRequests)
	r.shards = make([]shard, min(cfg.Connections, maxShards))
	for i := range r.shards {
		r.shards[i].h = NewHistogram()
	}
	r.workers = make([]*worker, cfg.Connections)
	for i := range r.workers {
		w := &worker{r: r, id: i, shard: &r.shards[i%len(r.shards)]}
		w.rr = newRespReader(nil, cfg.BufferSize)
		w.dialer = net.Dialer{Timeout: cfg.Timeout}
		if n := len(cfg.SourceAddrs); n > 0 {
			w.dialer.LocalAddr = &net.TCPAddr{IP: cfg.SourceAddrs[i%n].AsSlice()}
			w.dialer.Control = controlNoPort
		}
		r.workers[i] = w
	}
	return r, nil
}

// Config returns the run's configuration with defaults filled in.
func (r *Runner) Config() Config { return r.cfg }

// Completed returns the number of successful responses so far.
func (r *Runner) Completed() int64 {
	var n int64
	for _, w := range r.workers {
		n += w.completed.Load()
	}
	return n
}

// Failed returns the number of failed requests so far.
func (r *Runner) Failed() int64 {
	var n int64
	for _, w := range r.workers {
		n += w.failed.Load()
	}
	return n
}

// Run runs the load until Duration passes, MaxRequests were sent, or ctx
// is done, and returns what it measured. A request still in flight when
// the run ends is counted as unfinished, not as an error. Run may be
// called once.
func (r *Runner) Run(ctx context.Context) *Result {
	r.start = time.Now()
	r.end = r.start.Add(r.cfg.Duration)
	runCtx, cancel := context.WithDeadline(ctx, r.end)
	defer cancel()

	var workers sync.WaitGroup
	for _, w := range r.workers {
		workers.Go(func() { w.run(runCtx) })
	}
	// The watcher unblocks every connection when ctx ends early; the
	// deadline case needs no help (every I/O deadline is at most r.end).
	watchDone := make(chan struct{})
	var watcher sync.WaitGroup
	watcher.Go(func() {
		select {
		case <-runCtx.Done():
			if ctx.Err() != nil {
				r.stopped.Store(true)
				for _, w := range r.workers {
					w.interrupt()
				}
			}
		case <-watchDone:
		}
	})
	workers.Wait()
	close(watchDone)
	watcher.Wait()
	return r.result(time.Since(r.start))
}

// result merges the workers' figures.
func (r *Runner) result(elapsed time.Duration) *Result {
	res := &Result{Config: r.cfg, Elapsed: elapsed, Latency: NewHistogram()}
	for i := range r.shards {
		res.Latency.Merge(r.shards[i].h)
	}
	for _, w := range r.workers {
		res.Requests += w.completed.Load()
		res.Bytes += w.bytes
		res.Connects += w.connects
		res.Resumed += w.resumed
		if res.TLS == nil {
			res.TLS = w.tlsState
		}
		res.LocalAddrs = append(res.LocalAddrs, w.locals...)
		res.Retries += w.retries
		res.Unfinished += w.unfinished
		res.Errors.Merge(w.errs)
		res.MaxLag = max(res.MaxLag, w.maxLag)
	}
	return res
}

// claim takes up to n requests from the budget and returns how many it
// got (n when there is no budget).
func (r *Runner) claim(n int) int {
	if r.cfg.MaxRequests == 0 {
		return n
	}
	left := r.left.Add(-int64(n))
	if left >= 0 {
		return n
	}
	got := int64(n) + left
	if got < 0 {
		got = 0
	}
	return int(got)
}

// worker is one connection's loop. Fields below mu are written only by the
// worker's goroutine and read after it returned.
type worker struct {
	r      *Runner
	id     int
	shard  *shard
	rr     *respReader
	dialer net.Dialer

	completed atomic.Int64
	failed    atomic.Int64
	_         [48]byte // keep the counters of two workers off one cache line

	mu     sync.Mutex // guards conn against interrupt
	conn   net.Conn
	reused bool // conn has carried a whole response

	locals                               []netip.AddrPort // with cfg.RecordConns
	bytes, connects, retries, unfinished int64
	resumed                              int64                // TLS connections that resumed a session
	tlsState                             *tls.ConnectionState // the first TLS connection's
	errs                                 Errors
	maxLag                               time.Duration
}

// interrupt makes the worker's blocked I/O return now.
func (w *worker) interrupt() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn != nil {
		w.conn.SetDeadline(time.Unix(1, 0))
	}
}

func (w *worker) run(ctx context.Context) {
	defer w.closeConn()
	if w.r.cfg.Rate > 0 {
		w.openLoop(ctx)
		return
	}
	w.closedLoop(ctx)
}

// closedLoop sends the next request (or batch) as soon as the previous
// response arrived.
func (w *worker) closedLoop(ctx context.Context) {
	cfg := &w.r.cfg
	for ctx.Err() == nil {
		n := w.r.claim(cfg.Pipeline)
		if n == 0 {
			return
		}
		req := w.r.batch
		if n != cfg.Pipeline {
			req = w.r.single
			n = 1
		}
		if !w.roundTrip(ctx, time.Now(), req, n) {
			return
		}
	}
}

// openLoop sends requests on a fixed schedule: with C connections and a
// total rate R, this connection's k-th request is due at start + (id/C +
// k)·C/R. Latency counts from the due time, however late the request is
// sent (wrk2's coordinated-omission correction).
func (w *worker) openLoop(ctx context.Context) {
	cfg := &w.r.cfg
	interval := time.Duration(float64(cfg.Connections) / cfg.Rate * float64(time.Second))
	if interval <= 0 {
		interval = 1
	}
	due := w.r.start.Add(time.Duration(float64(interval) * float64(w.id) / float64(cfg.Connections)))
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for ctx.Err() == nil && due.Before(w.r.end) {
		if wait := time.Until(due); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
		} else {
			w.maxLag = max(w.maxLag, -wait)
		}
		if w.r.claim(1) == 0 {
			return
		}
		if !w.roundTrip(ctx, due, w.r.single, 1) {
			return
		}
		due = due.Add(interval)
	}
}

// roundTrip sends req (n requests) and reads n responses, recording each
// response's latency from t0. It returns false when the run is over.
func (w *worker) roundTrip(ctx context.Context, t0 time.Time, req []byte, n int) bool {
	for attempt := 0; ; attempt++ {
		got, err := w.exchange(t0, req, n)
		if err == nil {
			return true
		}
		reused := w.reused
		w.closeConn()
		if ctx.Err() != nil || !time.Now().Before(w.r.end) {
			// Cut off by the end of the run: not the server's fault.
			w.unfinished += int64(n - got)
			return false
		}
		// A kept-alive connection that the server closed before the first
		// byte of the answer is retried once, as HTTP clients do
		// (RFC 9112 §9.3.1).
		kind := Classify(err)
		if attempt == 0 && got == 0 && reused && !w.rr.started && (kind == KindClosed || kind == KindReset) {
			w.retries++
			continue
		}
		w.errs.add(kind, int64(n-got))
		w.failed.Add(int64(n - got))
		if kind == KindRefused || kind == KindOther {
			// Do not spin against a server that is not there.
			sleepCtx(ctx, 10*time.Millisecond)
		}
		return ctx.Err() == nil
	}
}

// exchange writes req and reads n responses; got counts the responses
// fully read (successful or not).
func (w *worker) exchange(t0 time.Time, req []byte, n int) (got int, err error) {
	cfg := &w.r.cfg
	deadline := time.Now().Add(cfg.Timeout)
	if deadline.After(w.r.end) {
		deadline = w.r.end
	}
	if w.conn == nil {
		if err := w.dial(deadline); err != nil {
			return 0, err
		}
	}
	c := w.conn
	if err := c.SetDeadline(deadline); err != nil {
		return 0, err
	}
	if w.r.stopped.Load() { // interrupt may have run before SetDeadline
		return 0, context.Canceled
	}
	if _, err := c.Write(req); err != nil {
		return 0, err
	}
	var resp response
	for got < n {
		if err := w.rr.next(&resp); err != nil {
			return got, err
		}
		got++
		w.reused = true
		now := time.Now()
		w.bytes += resp.size
		w.record(now.Sub(t0))
		if resp.status != cfg.ExpectStatus {
			w.errs.add(KindStatus, 1)
			w.failed.Add(1)
		} else {
			w.completed.Add(1)
		}
		if resp.close && got < n {
			return got, errors.New("load: server closed a pipelined connection early")
		}
		if resp.close {
			if cfg.Close == ServerClose {
				// Let the server's FIN arrive first, so the close really
				// starts on the server side (and TIME_WAIT stays there).
				w.awaitEOF()
			}
			w.closeConn()
		}
	}
	if cfg.Close == ClientClose {
		w.closeConn()
	}
	return got, nil
}

// record adds one latency to the worker's histogram shard.
func (w *worker) record(d time.Duration) {
	us := d.Microseconds()
	if us < histMin {
		us = histMin
	}
	if us > histMax {
		us = histMax
	}
	w.shard.mu.Lock()
	w.shard.h.RecordValue(us)
	w.shard.mu.Unlock()
}

// dial opens the worker's connection.
func (w *worker) dial(deadline time.Time) error {
	d := w.dialer
	d.Deadline = deadline
	c, err := d.Dial("tcp", w.r.cfg.Addr)
	if err != nil {
		return err
	}
	if c, err = w.handshake(c, deadline); err != nil {
		return err
	}
	w.connects++
	if w.r.cfg.RecordConns {
		if a, ok := c.LocalAddr().(*net.TCPAddr); ok {
			w.locals = append(w.locals, a.AddrPort())
		}
	}
	w.mu.Lock()
	if w.r.stopped.Load() {
		w.mu.Unlock()
		c.Close()
		return context.Canceled
	}
	w.conn = c
	w.reused = false
	w.mu.Unlock()
	w.rr.reset(c)
	return nil
}

// awaitEOF reads from the connection until the peer closes it, for at
// most a second.
func (w *worker) awaitEOF() {
	w.mu.Lock()
	c := w.conn
	w.mu.Unlock()
	if c == nil {
		return
	}
	c.SetReadDeadline(time.Now().Add(time.Second))
	var buf [64]byte
	for range 16 {
		if _, err := c.Read(buf[:]); err != nil {
			return
		}
	}
}

// closeConn closes the worker's connection, if any.
func (w *worker) closeConn() {
	w.mu.Lock()
	c := w.conn
	w.conn = nil
	w.mu.Unlock()
	if c != nil {
		c.Close()
	}
	w.reused = false
}

// sleepCtx sleeps for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
