package event

import (
	"bufio"
	"errors"
	"net"
	"os"
	"runtime/debug"
	"time"
	"unsafe"

	"github.com/valyala/fasthttp"
	"golang.org/x/sys/unix"

	"github.com/gohttpd/gohttpd/internal/h1"
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
	// check sits between the shim and br: a connection parks only at a
	// request boundary, so one Validator per worker, reset for each
	// dispatch, serves every connection and a parked one keeps no state.
	check h1.Validator
	in    checkedShim
	br    *bufio.Reader
	bw    *bufio.Writer
	ctx   *fasthttp.RequestCtx
	// client and line are scratch space for the scoreboard strings.
	client, line []byte
	clientOf     *conn
}

func newWorker(e *engine, j int) *worker {
	w := &worker{
		e:    e,
		slot: e.deps.Board.Worker(e.deps.Slot, j),
		ch:   make(chan *conn, 1),
		ctx:  e.acquireCtx(),
		line: make([]byte, 0, 64),
	}
	w.sh.w = w
	w.in.w = w
	w.check.SetOptions(e.deps.Protocol)
	rbs, wbs := e.srv.ReadBufferSize, e.srv.WriteBufferSize
	if rbs <= 0 {
		rbs = 4096
	}
	if wbs <= 0 {
		wbs = 4096
	}
	w.br = bufio.NewReaderSize(&w.in, rbs)
	w.bw = bufio.NewWriterSize(&w.sh, wbs)
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
	out, busy := w.process(c)
	if busy {
		switch out {
		case outPark:
			w.slot.SetState(mpm.StateBusyKeepAlive)
		case outLinger:
			w.slot.SetState(mpm.StateClosing)
		}
		if w.e.stopReq.Load() != stopNone {
			w.slot.SetState(mpm.StateGraceful)
		} else {
			w.slot.SetState(mpm.StateReady)
		}
	}
	drained := w.sh.drained
	w.sh.c = nil
	w.clientOf = nil
	return w.e.handBack(w, c, out, drained)
}

// process reads and answers requests on c, pipelined ones in order, and
// reports what to do with c next and whether it read a request.
func (w *worker) process(c *conn) (out outcome, busy bool) {
	e, sh, br := w.e, &w.sh, w.br
	sh.reset(c)
	w.check.Reset()
	br.Reset(&w.in)
	w.bw.Reset(sh)
	defer func() {
		if r := recover(); r != nil {
			e.log.Error("event: panic serving a connection", "panic", r, "stack", string(debug.Stack()))
			if j := sh.takeJob(); j != nil {
				j.release(nil)
			}
			// The context may be half-used: leave it to the collector.
			w.ctx = e.acquireCtx()
			out, busy = outClose, true
		}
	}()
	if c.flags&flagExpired != 0 {
		c.flags &^= flagExpired
		return w.writeError(errNothingRead), true
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
		if out, more := w.serveRequest(c); !more {
			return out, busy
		}
	}
}

// serveRequest reads one request from the worker's reader, calls the
// handler and writes the response. more is set when the connection stays
// open and a pipelined request is already buffered.
func (w *worker) serveRequest(c *conn) (out outcome, more bool) {
	e, sh, br, bw, ctx, srv := w.e, &w.sh, w.br, w.bw, w.ctx, w.e.srv
	w.slot.SetState(mpm.StateBusyRead)
	ctx.Init2(sh, e.fhLog, srv.ReduceMemoryUsage)
	if srv.DisableHeaderNamesNormalizing {
		ctx.Request.Header.DisableNormalizing()
		ctx.Response.Header.DisableNormalizing()
	}
	ctx.Response.Header.SetNoDefaultContentType(srv.NoDefaultContentType)

	// The request's first byte is here: ReadTimeout bounds the rest of its
	// header (fasthttp's semantics; the site sets it to the
	// RequestReadTimeout header stage), besides Timeout for each wait.
	sh.readDeadline = time.Time{}
	if srv.ReadTimeout > 0 {
		sh.readDeadline = time.Now().Add(srv.ReadTimeout)
	}
	maxBody := e.maxBody
	err := ctx.Request.Header.Read(br)
	if err == nil && srv.HeaderReceived != nil {
		// The body gets its own deadline and limit (mod_reqtimeout's body
		// stage, LimitRequestBody), as under fasthttp.Server.
		rc := srv.HeaderReceived(&ctx.Request.Header)
		if rc.ReadTimeout > 0 {
			sh.readDeadline = time.Now().Add(rc.ReadTimeout)
		}
		if rc.MaxRequestBodySize > 0 {
			maxBody = rc.MaxRequestBodySize
		}
	}
	if err == nil && srv.GetOnly && !ctx.IsGet() && !ctx.IsHead() {
		err = fasthttp.ErrGetOnly
	}
	if err == nil && !ctx.Request.MayContinue() {
		err = ctx.Request.ContinueReadBody(br, maxBody, !srv.DisablePreParseMultipartForm)
	}
	if err != nil {
		return w.writeError(err), false
	}
	c.reqs++
	w.beginRequest(c, ctx)

	closeConn, handle := false, true
	if ctx.Request.MayContinue() {
		switch {
		case srv.ExpectHandler != nil:
			if st := srv.ExpectHandler(ctx); st != fasthttp.StatusContinue {
				handle, closeConn = false, true
				ctx.SetStatusCode(st)
			}
		case srv.ContinueHandler != nil:
			if !srv.ContinueHandler(&ctx.Request.Header) {
				handle, closeConn = false, true
				ctx.SetStatusCode(fasthttp.StatusExpectationFailed)
			}
		}
		if handle {
			// The write's own error: an earlier version shadowed it and
			// lost the Flush error (staticcheck SA4006).
			_, err := bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
			if err == nil {
				err = bw.Flush()
			}
			if err == nil {
				err = ctx.Request.ContinueReadBody(br, maxBody, !srv.DisablePreParseMultipartForm)
			}
			if err != nil {
				return w.writeError(err), false
			}
		}
	}
	closeConn = closeConn || ctx.Request.Header.ConnectionClose()
	http11 := ctx.Request.Header.IsHTTP11()

	w.slot.SetState(mpm.StateBusyWrite)
	if handle && w.callHandler(ctx) {
		closeConn = true
	}
	if ctx.IsHead() {
		ctx.Response.SkipBody = true
	}
	if e.serverName != "" && len(ctx.Response.Header.Server()) == 0 {
		ctx.Response.Header.SetServer(e.serverName)
	}
	closeConn = closeConn || sh.closeReq || ctx.Response.ConnectionClose() ||
		e.kat == 0 || e.stopReq.Load() != stopNone || srv.DisableKeepalive ||
		(srv.MaxRequestsPerConn > 0 && int(c.reqs) >= srv.MaxRequestsPerConn)
	if closeConn {
		ctx.Response.SetConnectionClose()
	} else if !http11 {
		ctx.Response.Header.Set(fasthttp.HeaderConnection, "keep-alive")
	}

	// The last response of this dispatch may be left to the loop when the
	// client does not take it at once.
	last := closeConn || br.Buffered() == 0
	if last && e.stopReq.Load() != stopNow {
		sh.mayDefer = true
		if !ctx.Response.IsBodyStream() {
			sh.body = ctx.Response.Body()
		}
	}
	before := sh.written
	err = ctx.Response.Write(bw)
	if err == nil && last {
		err = bw.Flush()
	}
	job := sh.takeJob()
	w.endRequest(ctx, sh.written-before)
	if err != nil {
		if job != nil {
			job.release(nil)
		}
		w.resetCtx()
		return outClose, false
	}
	if job != nil {
		job.keepAlive = !closeConn
		if job.holdsCtx {
			job.ctx = ctx
			w.ctx = e.acquireCtx()
		} else {
			w.resetCtx()
		}
		c.job = job
		return outWrite, false
	}
	w.resetCtx()
	switch {
	case closeConn:
		return outLinger, false
	case br.Buffered() == 0:
		if !w.check.AtBoundary() {
			// fasthttp and the Validator disagree on where the request
			// ended: never park a connection mid-request.
			return outLinger, false
		}
		return outPark, false
	}
	return outPark, true
}

// checkedShim is the reader under a worker's bufio.Reader: the shim,
// read through the worker's Validator.
type checkedShim struct{ w *worker }

func (r *checkedShim) Read(p []byte) (int, error) { return r.w.check.Read(&r.w.sh, p) }

// callHandler runs the site's handler; a panic is logged and answered
// with 500, and the connection then closes.
func (w *worker) callHandler(ctx *fasthttp.RequestCtx) (panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			panicked = true
			w.e.log.Error("event: handler panic", "panic", r, "stack", string(debug.Stack()))
			ctx.Response.Reset()
			ctx.Error(fasthttp.StatusMessage(fasthttp.StatusInternalServerError), fasthttp.StatusInternalServerError)
		}
	}()
	w.e.srv.Handler(ctx)
	return false
}

// writeError answers a request that could not be read, through the
// server's ErrorHandler, with Connection: close.
func (w *worker) writeError(err error) outcome {
	e, ctx := w.e, w.ctx
	w.slot.SetState(mpm.StateBusyWrite)
	eh := e.srv.ErrorHandler
	if eh == nil {
		eh = defaultErrorHandler
	}
	eh(ctx, err)
	if e.serverName != "" && len(ctx.Response.Header.Server()) == 0 {
		ctx.Response.Header.SetServer(e.serverName)
	}
	ctx.SetConnectionClose()
	before := w.sh.written
	err = ctx.Response.Write(w.bw)
	if err == nil {
		err = w.bw.Flush()
	}
	w.endRequest(ctx, w.sh.written-before)
	w.resetCtx()
	if err != nil {
		return outClose
	}
	return outLinger
}

// errNothingRead is the error a new connection that sent nothing within
// the read timeout is answered with: a timeout, as fasthttp.Server reports
// it for a first request.
var errNothingRead error = &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}

// defaultErrorHandler is fasthttp's, finding timeouts and small buffers
// through wrapping.
func defaultErrorHandler(ctx *fasthttp.RequestCtx, err error) {
	var small *fasthttp.ErrSmallBuffer
	var ne net.Error
	switch {
	case errors.As(err, &small):
		ctx.Error("Too big request header", fasthttp.StatusRequestHeaderFieldsTooLarge)
	case errors.As(err, &ne) && ne.Timeout():
		ctx.Error("Request timeout", fasthttp.StatusRequestTimeout)
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		ctx.Error("Request Entity Too Large", fasthttp.StatusRequestEntityTooLarge)
	default:
		ctx.Error("Error when parsing request", fasthttp.StatusBadRequest)
	}
}

// resetCtx readies the worker's RequestCtx for the next request.
func (w *worker) resetCtx() {
	w.ctx.Request.Reset()
	w.ctx.Response.Reset()
	w.ctx.ResetUserValues()
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
	w.slot.BeginRequest(time.Now(), unsafeString(w.client), w.e.deps.VHost, unsafeString(line))
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
	w.slot.EndRequest(time.Now(), n)
}

// appendCapped appends b to dst without growing it past its capacity.
func appendCapped(dst, b []byte) []byte {
	return append(dst, b[:min(len(b), cap(dst)-len(dst))]...)
}

// unsafeString views b as a string; the scoreboard copies it at once.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// handBack takes c back from worker w after process: it parks c or hands
// it to the loop, then returns the next connection waiting for a worker
// (w stays busy with it) or puts w on the idle list. drained tells whether
// the worker's last read emptied the socket; if not, or if the worker
// stopped reading for a lingering close, parking re-arms the connection,
// since bytes already queued raise no further edge.
func (e *engine) handBack(w *worker, c *conn, out outcome, drained bool) *conn {
	now := mono()
	if out == outLinger {
		if err := unix.Shutdown(int(c.fd), unix.SHUT_WR); err != nil {
			out = outClose
		}
	}
	wake := false
	e.mu.Lock()
	if e.loopGone {
		e.mu.Unlock()
		e.closeOrphan(c)
		return nil
	}
	if e.stopReq.Load() == stopNow {
		out = outClose
	}
	if !drained || out == outLinger {
		c.pend |= pendIn
	}
	ok := false
	switch out {
	case outPark:
		ok = e.parkLocked(c, stIdle, now)
	case outParkNew:
		ok = e.parkLocked(c, stNew, now)
	case outWrite:
		e.proc.AddWriteCompletion(1)
		ok = e.parkLocked(c, stWrite, now)
	case outLinger:
		ok = e.lingerLocked(c, now, false)
	}
	if !ok {
		c.state = stLoop
		e.closeq.pushBack(c)
		wake = true
	} else if c.deadline+int64(wakeFudge) < e.nextWake {
		wake = true
	}
	next := e.readyq.popFront()
	if next != nil {
		takeLocked(next)
	} else {
		e.idle = append(e.idle, w)
		wake = wake || e.admissionOff
	}
	e.mu.Unlock()
	if wake {
		e.p.wake()
	}
	return next
}
