package event

import (
	"bufio"
	"net"
	"os"
	"runtime/debug"
	"time"
	"unsafe"

	"github.com/valyala/fasthttp"
	"golang.org/x/sys/unix"

	"github.com/gohttpd/gohttpd/internal/h1"
	"github.com/gohttpd/gohttpd/internal/h1serve"
	"github.com/gohttpd/gohttpd/mpm"
)

// outcome is what a worker does with a connection when it lets go of it.
type outcome uint8

const (
	outPark    outcome = iota // keep-alive: park it for the next request
	outParkNew                // a new connection with nothing to read yet: park it
	outWrite                  // the loop finishes the response (write completion)
	outLinger                 // lingering close
	outClose                  // close at once
)

// worker is one of the ThreadsPerChild workers: a goroutine with a
// scoreboard slot, a reader, a writer and a RequestCtx it reuses for every
// connection it serves. A connection holds none of them while parked.
type worker struct {
	e    *engine
	slot *mpm.Worker
	// ch receives the connection the loop dispatches to this worker; it
	// holds at most one, sent only while the worker is in e.idle.
	ch chan *conn
	sh shim
	// check sits between the shim and l.BR: a connection parks only at a
	// request boundary, so one Validator per worker, reset for each
	// dispatch, serves every connection and a parked one keeps no state.
	check h1.Validator
	in    checkedShim
	// l is the shared request loop: the RequestCtx the worker reuses and
	// its reader (over in) and writer (over sh).
	l h1serve.Loop
	// before is the shim's byte count when the response began.
	before int64
	// client and line are scratch space for the scoreboard strings.
	client, line []byte
	clientOf     *conn
	// end is when the last request of the dispatch ended (endRequest's
	// clock reading, reused for the scoreboard and the park deadline).
	end time.Time
	// hs is for waits inside TLS handshakes (tls_wait_linux.go).
	hs hsWait
}

func newWorker(e *engine, j int) *worker {
	w := &worker{
		e:    e,
		slot: e.deps.Board.Worker(e.deps.Slot, j),
		ch:   make(chan *conn, 1),
		line: make([]byte, 0, 64),
	}
	w.l = h1serve.Loop{S: e.hs, Ctx: e.acquireCtx(), OnPanic: func(v any) {
		e.log.Error("event: handler panic", "panic", v, "stack", string(debug.Stack()))
	}}
	w.sh.w = w
	w.in.w = w
	w.check.SetOptions(e.deps.Protocol)
	rbs, wbs := e.deps.Server.ReadBufferSize, e.deps.Server.WriteBufferSize
	if rbs <= 0 {
		rbs = 4096
	}
	if wbs <= 0 {
		wbs = 4096
	}
	w.l.BR = bufio.NewReaderSize(&w.in, rbs)
	w.l.BW = bufio.NewWriterSize(&w.sh, wbs)
	return w
}

// run serves what the loop dispatches until the loop has ended.
func (w *worker) run() {
	e := w.e
	defer func() {
		w.slot.SetState(mpm.StateDead)
		e.running.Add(-1)
		e.unref()
	}()
	drain := e.drain
	for {
		select {
		case c := <-w.ch:
			e.started()
			for c != nil {
				c = w.serve(c)
			}
		case <-drain:
			drain = nil
			w.slot.SetState(mpm.StateGraceful)
		case <-e.quit:
			select {
			case c := <-w.ch:
				e.closeOrphan(c)
			default:
			}
			return
		}
	}
}

// serve serves c until it parks, closes or goes to the loop, and returns
// the next connection waiting for a worker, if any.
func (w *worker) serve(c *conn) *conn {
	w.end = time.Time{}
	out, busy := w.process(c)
	if w.end.IsZero() {
		w.end = time.Now() // no request ended in this dispatch
	}
	if busy {
		switch out {
		case outPark:
			w.slot.SetState(mpm.StateBusyKeepAlive)
		case outLinger:
			w.slot.SetState(mpm.StateClosing)
		}
		if w.e.stopReq.Stopping() {
			w.slot.SetState(mpm.StateGraceful)
		} else {
			w.slot.SetStateAt(mpm.StateReady, w.end)
		}
	}
	drained := w.sh.drained
	if c.tls != nil {
		if out == outLinger || out == outClose {
			c.tls.closeNotify(&w.sh, false)
		}
		c.tls.raw.sh = nil
	}
	w.sh.c = nil
	w.clientOf = nil
	return w.e.handBack(w, c, out, drained, int64(w.end.Sub(epoch)))
}

// process reads and answers requests on c, pipelined ones in order, and
// reports what to do with c next and whether it read a request.
func (w *worker) process(c *conn) (out outcome, busy bool) {
	e, sh, br := w.e, &w.sh, w.l.BR
	sh.reset(c)
	if c.tls != nil {
		c.tls.raw.sh = sh
	}
	w.check.Reset()
	br.Reset(&w.in)
	w.l.BW.Reset(sh)
	defer func() {
		if r := recover(); r != nil {
			e.log.Error("event: panic serving a connection", "panic", r, "stack", string(debug.Stack()))
			if j := sh.takeJob(); j != nil {
				j.release(nil)
			}
			// The context may be half-used: leave it to the collector.
			w.l.Ctx = e.acquireCtx()
			out, busy = outClose, true
		}
	}()
	if c.flags&flagEncrypt != 0 {
		c.flags &^= flagEncrypt
		return w.encryptMore(c), false
	}
	if c.flags&flagExpired != 0 {
		c.flags &^= flagExpired
		if (c.tls != nil && !c.tls.done) || c.proxyPending() {
			// No handshake (or PROXY header) yet: nothing to answer in.
			return outClose, false
		}
		return w.writeError(h1serve.ErrNothingRead), true
	}
	if c.proxyPending() {
		if out, ok := w.proxyHeader(c); !ok {
			return out, false
		}
	}
	if c.tls != nil && !c.tls.done {
		if out, ok := w.handshake(c); !ok {
			return out, out != outParkNew
		}
		if w.negotiatedH2(c) {
			return w.h2TLS(c), true
		}
	} else if c.reqs == 0 && c.tls == nil && e.h2 != nil {
		if out, ok := w.h2Direct(c); ok {
			return out, out != outParkNew
		}
	}
	if c.reqs == 0 && c.tls != nil && e.h2 != nil { // H2Direct over TLS (h2direct_linux.go)
		if out, ok := w.h2DirectTLS(c); ok {
			return out, out != outParkNew
		}
	}
	for {
		if _, err := br.Peek(1); err != nil {
			switch {
			case err != errWouldPark && w.check.Err() != nil:
				// A request the Validator refused before passing any of
				// it (a run of empty lines, say): answer it.
				return w.writeError(err), true
			case err != errWouldPark:
				return outClose, busy
			case c.reqs == 0:
				return outParkNew, busy
			default:
				return outPark, busy
			}
		}
		sh.mayPark = false
		busy = true
		out, more := w.serveRequest(c)
		if !more {
			if out != outPark || c.tls == nil {
				return out, busy
			}
			// TLS: park only after a read that does not wait found
			// nothing, neither in the socket nor decrypted or buffered
			// in the tls.Conn (see tls_linux.go).
			sh.mayPark = true
		}
	}
}

// serveRequest serves one request with the shared loop (h1serve) and
// maps its result to what happens to c next. more is set when the
// connection stays open and a pipelined request is already buffered.
func (w *worker) serveRequest(c *conn) (out outcome, more bool) {
	e, sh := w.e, &w.sh
	var nc net.Conn = sh
	if c.tls != nil {
		nc = tlsShim{sh}
	}
	res := w.l.Serve(nc, uint64(c.reqs)+1, w)
	if c.tls != nil && res.Close && res.Err == nil && res.Hijack == nil {
		c.tls.closeNotify(sh, true)
	}
	job := sh.takeJob()
	switch {
	case res.Hijack != nil:
		return w.hijack(c, res.Hijack), false
	case res.Err != nil:
		if job != nil {
			job.release(nil)
		}
		w.l.ResetCtx()
		if res.Answered {
			return outLinger, false
		}
		return outClose, false
	}
	if job != nil {
		job.keepAlive = !res.Close
		if job.holdsCtx {
			job.ctx = w.l.Ctx
			w.l.Ctx = e.acquireCtx()
		} else {
			w.l.ResetCtx()
		}
		c.job = job
		return outWrite, false
	}
	w.l.ResetCtx()
	switch {
	case res.Close:
		return outLinger, false
	case !res.More:
		if !w.check.AtBoundary() {
			// fasthttp and the Validator disagree on where the request
			// ended: never park a connection mid-request.
			return outLinger, false
		}
		return outPark, false
	}
	return outPark, true
}

// The worker is the loop's h1serve.Hooks: the scoreboard, the engine's
// keep-alive vetoes and write completion.
var _ h1serve.Hooks = (*worker)(nil)

// Reading implements h1serve.Hooks.
func (w *worker) Reading() { w.slot.SetState(mpm.StateBusyRead) }

// Begin implements h1serve.Hooks: the request counts and shows.
func (w *worker) Begin(ctx *fasthttp.RequestCtx) {
	c := w.sh.c
	c.reqs++
	w.beginRequest(c, ctx)
}

// Writing implements h1serve.Hooks.
func (w *worker) Writing() {
	w.slot.SetState(mpm.StateBusyWrite)
	w.before = w.sh.written
}

// KeepAlive implements h1serve.Hooks: not while stopping, not with
// KeepAliveTimeout 0, not after the handler closed the connection.
func (w *worker) KeepAlive() bool {
	return !w.sh.closeReq && w.e.kat != 0 && !w.e.stopReq.Stopping()
}

// Last implements h1serve.Hooks: the last response of this dispatch may be
// left to the loop when the client does not take it at once.
func (w *worker) Last(ctx *fasthttp.RequestCtx) {
	if w.e.stopReq.Immediate() {
		return
	}
	w.sh.mayDefer = true
	if !ctx.Response.IsBodyStream() {
		// (TLS defers the body's plaintext by reference, to be
		// encrypted by a worker when the loop reaches it.)
		w.sh.body = ctx.Response.Body()
	}
}

// End implements h1serve.Hooks.
func (w *worker) End(ctx *fasthttp.RequestCtx) { w.endRequest(ctx, w.sh.written-w.before) }

// checkedShim is the reader under a worker's bufio.Reader: the shim,
// read through the worker's Validator.
type checkedShim struct{ w *worker }

func (r *checkedShim) Read(p []byte) (int, error) { return r.w.check.Read(&r.w.sh, p) }

// writeError answers a request that could not be read, through the
// server's ErrorHandler, with Connection: close.
func (w *worker) writeError(err error) outcome {
	err = w.l.WriteError(err, w)
	w.l.ResetCtx()
	if err != nil {
		return outClose
	}
	return outLinger
}

// beginRequest records the request in the worker's scoreboard slot.
func (w *worker) beginRequest(c *conn, ctx *fasthttp.RequestCtx) {
	if w.clientOf != c {
		w.client = c.remoteAddrPort().Addr().AppendTo(w.client[:0])
		w.clientOf = c
	}
	line := appendCapped(w.line[:0], ctx.Method())
	line = appendCapped(line, []byte{' '})
	line = appendCapped(line, ctx.Request.Header.RequestURI())
	line = appendCapped(line, []byte{' '})
	line = appendCapped(line, ctx.Request.Header.Protocol())
	w.line = line
	// The request's time is the clock reading RequestCtx took for it.
	w.slot.BeginRequest(ctx.Time(), unsafeString(w.client), w.e.deps.VHost, unsafeString(line))
	w.slot.SetTLS(c.tlsParams())
}

// endRequest accounts the request's body bytes in the scoreboard.
func (w *worker) endRequest(ctx *fasthttp.RequestCtx, written int64) {
	n := int64(ctx.Response.Header.ContentLength())
	switch {
	case ctx.Response.SkipBody:
		n = 0
	case n < 0:
		n = written
	}
	w.end = time.Now()
	w.slot.EndRequest(w.end, n)
}

// appendCapped appends b to dst without growing it past its capacity.
func appendCapped(dst, b []byte) []byte {
	return append(dst, b[:min(len(b), cap(dst)-len(dst))]...)
}

// unsafeString views b as a string; the scoreboard copies it at once.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// hijack hands c to the handler's HijackHandler (fasthttp's Hijack): the
// handler gets a blocking net.Conn over a duplicate of the descriptor (the
// runtime's poller serves it), with the bytes the worker had read ahead in
// front; c leaves the epoll set now and the loop closes the engine's
// descriptor, without a lingering close, so the connection lives on in
// the duplicate. The worker (and its scoreboard slot) is free at once; the
// RequestCtx stays the handler's until it returns, as under fasthttp.
func (w *worker) hijack(c *conn, h fasthttp.HijackHandler) outcome {
	e := w.e
	ctx := w.l.Ctx
	w.l.Ctx = e.acquireCtx()
	if c.tls != nil {
		e.log.Error("event: hijacking a TLS connection is not supported; closing it")
		e.releaseCtx(ctx)
		return outClose
	}
	nc, err := dupConn(int(c.fd))
	if err != nil {
		e.log.Error("event: cannot hand a hijacked connection over", "err", err)
		e.releaseCtx(ctx)
		return outClose
	}
	hc := &h1serve.HijackedConn{Conn: nc, R: w.l.HijackReader(nc)}
	if c.flags&flagRegistered != 0 {
		if err := e.p.del(int(c.fd)); err != nil {
			e.log.Warn("event: hijacked connection stays in the epoll set", "err", err)
		}
		c.flags &^= flagRegistered
	}
	keep := e.deps.Server.KeepHijackedConns
	go func() {
		h(hc)
		if !keep {
			nc.Close()
		}
		e.releaseCtx(ctx)
	}()
	return outClose
}

// dupConn returns a net.Conn over a duplicate of the socket fd.
func dupConn(fd int) (net.Conn, error) {
	d, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("fcntl F_DUPFD_CLOEXEC", err)
	}
	f := os.NewFile(uintptr(d), "hijacked")
	defer f.Close()
	return net.FileConn(f)
}
