package h2bridge

// The native HTTP/2 connection loop: what ServeConn runs unless
// Options.XNet is set. It is built on x/net/http2's Framer and hpack and
// replaces x/net's serverConn for the bridge, which cost the site three
// times nginx's CPU per 1 KB request (h2load -c10 -m10; see the package
// comment's Costs): x/net reads every frame with two unbuffered reads,
// flushes every response on its own (five write syscalls per request),
// runs a select loop and a goroutine per stream whose stack grows through
// the site chain, and builds an http.Request and http.Header the bridge
// then copies into a fasthttp.RequestCtx.
//
// Here one goroutine per connection (the caller of ServeConn) reads frames
// through a bufio.Reader and owns the connection's protocol state. Each
// request's headers are decoded straight into a pooled RequestCtx and the
// stream goes to a worker goroutine (pooled per Bridge, idle ones exit
// after workerIdle) that runs the site handler and writes HEADERS and DATA
// into the connection's write buffer under one mutex. The buffer is
// written to the socket once per batch: by the reader before it blocks, or
// by the last stream of a batch to finish (a stream with others still
// pending yields once, then flushes what is still unflushed, so a slow
// handler never holds back another stream's response).
//
// Limits, as x/net's server: SETTINGS_MAX_CONCURRENT_STREAMS open streams
// (REFUSED_STREAM past it), at most that many handlers running and four
// times as many queued behind them, counting streams the client reset
// while their handlers run (rapid reset, CVE-2023-44487: past the queue,
// GOAWAY ENHANCE_YOUR_CALM); SETTINGS_MAX_HEADER_LIST_SIZE enforced by the
// Framer while decoding (431; a CONTINUATION flood or an HPACK bomb stops
// there); SETTINGS frames of more than 100 settings are refused; the write
// buffer is flushed, blocking the reader, once it holds writeBufMax bytes,
// so a client that floods PING or SETTINGS without reading its ACKs stops
// being read. Flow control in both directions: the client may send a
// stream InitialWindowSize bytes of body before the handler reads them, the
// connection ConnWindowSize; responses wait for the client's window.

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

const (
	// writeBufMax is the write buffer size past which frames are flushed
	// at once.
	writeBufMax = 64 << 10
	// workerIdle is how long a stream worker waits for another stream
	// before it exits.
	workerIdle = 2 * time.Second
	// goAwayLinger is how long a connection closed by an error keeps
	// reading (and discarding) after its GOAWAY, so the client reads the
	// GOAWAY instead of a reset.
	goAwayLinger = time.Second
	readBufSize  = 4096
	// idleBufMax is the write buffer capacity an idle connection keeps.
	idleBufMax        = 4096
	defaultConnWindow = 1 << 20
	maxSettings       = 100
)

// nconn is one HTTP/2 connection served by the native loop.
type nconn struct {
	b   *Bridge
	c   net.Conn
	cs  *connState
	br  *bufio.Reader
	rfr *http2.Framer

	// Reader goroutine only (maxClientID: written under wmu too).
	maxClientID uint32
	sawSettings bool
	connWindow  int32 // the receive window the connection advertises

	// Under wmu.
	wmu          sync.Mutex
	wcond        sync.Cond // send window opened, a stream reset, the connection closed
	wbuf         *[]byte   // frames to write; pooled (nil) while idle
	wfr          *http2.Framer
	henc         *hpack.Encoder
	hbuf         bytes.Buffer
	streams      map[uint32]*nstream
	sendWin      int64 // connection send window
	peerInitWin  int64
	peerMaxFrame uint32
	connIn       int32 // receive window left for the connection
	running      int   // handlers running
	queue        []*nstream
	pending      int  // streams dispatched whose response is not written
	readerBusy   bool // the reader has frames buffered to process
	ctrl         bool // the reader wrote frames not yet flushed
	wseq         uint64
	flushedSeq   uint64
	closed       bool
	goingAway    bool   // GOAWAY sent: no new streams past lastID
	lastID       uint32 // the last stream id of that GOAWAY
	deadline     bool   // an idle read deadline is set
	started      int    // streams started (MaxStreamsPerConn)
	vals         map[string]string
	scratch      []byte
}

// nstream is one request stream.
type nstream struct {
	nc         *nconn
	id         uint32
	ctx        *fasthttp.RequestCtx
	status     int // answered without the handler (limits); statusReset: reset
	head       bool
	body       *bodyPipe
	declLen    int64 // content-length, -1 unknown
	gotLen     int64
	inflow     int32 // receive window left
	sendWin    int64
	remoteEnd  bool // END_STREAM received
	localEnd   bool // response written (or abandoned)
	reset      bool // RST_STREAM sent or received
	expect     bool // "expect: 100-continue"
	started    bool // StreamStart was called
	doneCalled bool // StreamDone was called
	timer      *time.Timer
}

// serveNative serves c with the native loop; it returns once the
// connection is done (it closes c).
func (b *Bridge) serveNative(c net.Conn) {
	nc := &nconn{
		b:            b,
		c:            c,
		cs:           newConnState(b, c),
		br:           bufio.NewReaderSize(c, readBufSize),
		streams:      make(map[uint32]*nstream),
		sendWin:      65535,
		peerInitWin:  65535,
		peerMaxFrame: 16384,
		connIn:       65535,
		vals:         make(map[string]string),
	}
	nc.wcond.L = &nc.wmu
	nc.rfr = http2.NewFramer(nil, nc.br)
	nc.rfr.SetReuseFrames()
	nc.rfr.SetMaxReadFrameSize(b.opts.MaxReadFrameSize)
	nc.rfr.MaxHeaderListSize = uint32(b.opts.MaxHeaderBytes)
	nc.rfr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	nc.wfr = http2.NewFramer(frameSink{nc}, nil)
	nc.henc = hpack.NewEncoder(&nc.hbuf)
	b.trackNative(nc)
	defer b.untrackNative(nc)
	nc.serve()
}

func (nc *nconn) serve() {
	o := &nc.b.opts
	defer nc.teardown()
	if ts, ok := nc.cs.sc.(*tlsStreamConn); ok && !nc.tlsAdequate(ts.state) {
		// RFC 9113 §9.2: TLS 1.2 or later, without the prohibited
		// cipher suites (H2ModernTLSOnly Off permits them), as x/net.
		nc.goAway(http2.ErrCodeInadequateSecurity)
		return
	}
	_ = nc.c.SetReadDeadline(time.Now().Add(o.IdleTimeout))
	var pre [len(http2.ClientPreface)]byte
	if _, err := io.ReadFull(nc.br, pre[:]); err != nil || string(pre[:]) != http2.ClientPreface {
		return
	}
	nc.connWindow = o.ConnWindowSize
	if nc.connWindow == 0 {
		nc.connWindow = max(defaultConnWindow, o.InitialWindowSize)
	}
	nc.wmu.Lock()
	settings := []http2.Setting{
		{ID: http2.SettingMaxFrameSize, Val: o.MaxReadFrameSize},
		{ID: http2.SettingMaxConcurrentStreams, Val: o.MaxConcurrentStreams},
		{ID: http2.SettingMaxHeaderListSize, Val: uint32(o.MaxHeaderBytes)},
	}
	if o.InitialWindowSize != 65535 {
		settings = append(settings, http2.Setting{ID: http2.SettingInitialWindowSize, Val: uint32(o.InitialWindowSize)})
	}
	_ = nc.wfr.WriteSettings(settings...)
	if nc.connWindow > 65535 {
		_ = nc.wfr.WriteWindowUpdate(0, uint32(nc.connWindow-65535))
		nc.connIn = nc.connWindow
	}
	nc.flushLocked()
	nc.deadline = true
	nc.wmu.Unlock()
	for {
		if nc.br.Buffered() == 0 {
			nc.wmu.Lock()
			nc.readerBusy = false
			if nc.ctrl || nc.pending == 0 {
				nc.flushLocked()
			}
			idle := len(nc.streams) == 0 && nc.running == 0 && len(nc.queue) == 0
			if idle && nc.wbuf != nil && len(*nc.wbuf) == 0 {
				// An idle connection holds no write buffer.
				if cap(*nc.wbuf) <= 4*writeBufMax {
					writeBufPool.Put(nc.wbuf)
				}
				nc.wbuf = nil
			}
			if idle && !nc.deadline {
				nc.deadline = true
				_ = nc.c.SetReadDeadline(time.Now().Add(o.IdleTimeout))
			} else if !idle && nc.deadline {
				nc.deadline = false
				_ = nc.c.SetReadDeadline(time.Time{})
			}
			closed := nc.closed
			nc.wmu.Unlock()
			if closed {
				nc.linger()
				return
			}
		}
		f, err := nc.rfr.ReadFrame()
		if err != nil {
			if err == http2.ErrFrameTooLarge {
				nc.goAway(http2.ErrCodeFrameSize)
				return
			}
			if _, ok := err.(http2.StreamError); !ok {
				if ce, ok := err.(http2.ConnectionError); ok {
					nc.count("read_frame")
					nc.goAway(http2.ErrCode(ce))
					return
				}
				if errors.Is(err, os.ErrDeadlineExceeded) {
					// Idle (KeepAliveTimeout), or the end of a GOAWAY
					// drain that woke the reader.
					nc.goAway(http2.ErrCodeNo)
				}
				return
			}
		}
		nc.wmu.Lock()
		nc.readerBusy = true
		nc.wmu.Unlock()
		if err == nil {
			err = nc.process(f)
		}
		if err == nil {
			continue
		}
		switch e := err.(type) {
		case http2.StreamError:
			nc.wmu.Lock()
			nc.resetLocked(e.StreamID, e.Code)
			nc.wmu.Unlock()
		case http2.ConnectionError:
			nc.goAway(http2.ErrCode(e))
			return
		default:
			return
		}
	}
}

// tlsAdequate reports whether st may carry HTTP/2.
func (nc *nconn) tlsAdequate(st tls.ConnectionState) bool {
	if st.Version < tls.VersionTLS12 {
		return false
	}
	if st.Version >= tls.VersionTLS13 || nc.b.opts.PermitProhibitedCipherSuites {
		return true
	}
	switch st.CipherSuite {
	case tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:
		return true
	}
	return false
}

func (nc *nconn) count(what string) {
	if f := nc.b.opts.CountError; f != nil {
		f(what)
	}
}

// process handles one frame on the reader goroutine.
func (nc *nconn) process(f http2.Frame) error {
	if !nc.sawSettings {
		if _, ok := f.(*http2.SettingsFrame); !ok {
			nc.count("first_settings")
			return http2.ConnectionError(http2.ErrCodeProtocol)
		}
		nc.sawSettings = true
	}
	nc.wmu.Lock()
	goingAway, lastID := nc.goingAway, nc.lastID
	nc.wmu.Unlock()
	if goingAway && f.Header().StreamID > lastID {
		if d, ok := f.(*http2.DataFrame); ok {
			nc.wmu.Lock()
			nc.refundConnLocked(d.Length)
			nc.wmu.Unlock()
		}
		return nil
	}
	switch f := f.(type) {
	case *http2.SettingsFrame:
		return nc.processSettings(f)
	case *http2.MetaHeadersFrame:
		return nc.processHeaders(f)
	case *http2.DataFrame:
		return nc.processData(f)
	case *http2.WindowUpdateFrame:
		return nc.processWindowUpdate(f)
	case *http2.PingFrame:
		if f.IsAck() {
			return nil
		}
		if f.StreamID != 0 {
			return http2.ConnectionError(http2.ErrCodeProtocol)
		}
		nc.wmu.Lock()
		_ = nc.wfr.WritePing(true, f.Data)
		nc.ctrlLocked()
		nc.wmu.Unlock()
		return nil
	case *http2.RSTStreamFrame:
		nc.wmu.Lock()
		defer nc.wmu.Unlock()
		st, idle := nc.stateLocked(f.StreamID)
		if idle {
			return http2.ConnectionError(http2.ErrCodeProtocol)
		}
		if st != nil {
			st.reset = true
			nc.closeStreamLocked(st, errStreamReset)
		}
		return nil
	case *http2.PriorityFrame:
		if f.StreamID == f.StreamDep {
			return http2.StreamError{StreamID: f.StreamID, Code: http2.ErrCodeProtocol}
		}
		return nil
	case *http2.GoAwayFrame:
		nc.wmu.Lock()
		nc.startGoAwayLocked(http2.ErrCodeNo)
		nc.wmu.Unlock()
		return nil
	case *http2.PushPromiseFrame:
		return http2.ConnectionError(http2.ErrCodeProtocol)
	}
	return nil // unknown frame types are ignored
}

// stateLocked returns the open stream id, or whether id is idle (never
// opened).
func (nc *nconn) stateLocked(id uint32) (st *nstream, idle bool) {
	if st := nc.streams[id]; st != nil {
		return st, false
	}
	return nil, id%2 == 1 && id > nc.maxClientID || id%2 == 0 && id != 0
}

func (nc *nconn) processSettings(f *http2.SettingsFrame) error {
	if f.IsAck() {
		return nil
	}
	if f.NumSettings() > maxSettings {
		nc.count("settings_big")
		return http2.ConnectionError(http2.ErrCodeProtocol)
	}
	nc.wmu.Lock()
	defer nc.wmu.Unlock()
	err := f.ForeachSetting(func(s http2.Setting) error {
		if err := s.Valid(); err != nil {
			return err
		}
		switch s.ID {
		case http2.SettingHeaderTableSize:
			nc.henc.SetMaxDynamicTableSizeLimit(s.Val)
		case http2.SettingInitialWindowSize:
			delta := int64(s.Val) - nc.peerInitWin
			nc.peerInitWin = int64(s.Val)
			for _, st := range nc.streams {
				st.sendWin += delta
				if st.sendWin > 1<<31-1 {
					return http2.ConnectionError(http2.ErrCodeFlowControl)
				}
			}
			nc.wcond.Broadcast()
		case http2.SettingMaxFrameSize:
			nc.peerMaxFrame = s.Val
		}
		return nil
	})
	if err != nil {
		return err
	}
	_ = nc.wfr.WriteSettingsAck()
	nc.ctrlLocked()
	return nil
}

func (nc *nconn) processWindowUpdate(f *http2.WindowUpdateFrame) error {
	nc.wmu.Lock()
	defer nc.wmu.Unlock()
	if f.StreamID == 0 {
		nc.sendWin += int64(f.Increment)
		if nc.sendWin > 1<<31-1 {
			return http2.ConnectionError(http2.ErrCodeFlowControl)
		}
		nc.wcond.Broadcast()
		return nil
	}
	st, idle := nc.stateLocked(f.StreamID)
	if idle {
		return http2.ConnectionError(http2.ErrCodeProtocol)
	}
	if st == nil {
		return nil
	}
	st.sendWin += int64(f.Increment)
	if st.sendWin > 1<<31-1 {
		return http2.StreamError{StreamID: f.StreamID, Code: http2.ErrCodeFlowControl}
	}
	nc.wcond.Broadcast()
	return nil
}

var errStreamReset = errors.New("h2bridge: stream reset")

func (nc *nconn) processData(f *http2.DataFrame) error {
	id := f.StreamID
	nc.wmu.Lock()
	defer nc.wmu.Unlock()
	st, idle := nc.stateLocked(id)
	if id == 0 || idle {
		return http2.ConnectionError(http2.ErrCodeProtocol)
	}
	if st == nil || st.remoteEnd || st.reset {
		if int32(f.Length) > nc.connIn {
			return http2.StreamError{StreamID: id, Code: http2.ErrCodeFlowControl}
		}
		nc.connIn -= int32(f.Length)
		nc.refundConnLocked(f.Length)
		return http2.StreamError{StreamID: id, Code: http2.ErrCodeStreamClosed}
	}
	data := f.Data()
	if st.declLen >= 0 && st.gotLen+int64(len(data)) > st.declLen {
		nc.connIn -= min(int32(f.Length), nc.connIn)
		nc.refundConnLocked(f.Length)
		return http2.StreamError{StreamID: id, Code: http2.ErrCodeProtocol}
	}
	if f.Length > 0 {
		if int32(f.Length) > nc.connIn || int32(f.Length) > st.inflow {
			return http2.StreamError{StreamID: id, Code: http2.ErrCodeFlowControl}
		}
		nc.connIn -= int32(f.Length)
		st.inflow -= int32(f.Length)
		st.gotLen += int64(len(data))
		if len(data) > 0 {
			st.body.write(data)
		}
		if pad := f.Length - uint32(len(data)); pad > 0 {
			nc.refundLocked(st, pad)
		}
	}
	if f.StreamEnded() {
		if st.declLen >= 0 && st.gotLen != st.declLen {
			return http2.StreamError{StreamID: id, Code: http2.ErrCodeProtocol}
		}
		st.remoteEnd = true
		st.body.close(io.EOF)
		if st.localEnd {
			nc.closeStreamLocked(st, nil)
		}
	}
	return nil
}

// refundConnLocked gives n bytes of connection window back at once.
func (nc *nconn) refundConnLocked(n uint32) {
	if n == 0 {
		return
	}
	nc.connIn += int32(n)
	_ = nc.wfr.WriteWindowUpdate(0, n)
	nc.ctrlLocked()
}

// refundLocked gives n bytes back to the stream's and the connection's
// windows (the handler read them, or they were padding).
func (nc *nconn) refundLocked(st *nstream, n uint32) {
	nc.refundConnLocked(n)
	if !st.remoteEnd && !st.reset {
		st.inflow += int32(n)
		_ = nc.wfr.WriteWindowUpdate(st.id, n)
	}
}

// ctrlLocked marks that the reader wrote a frame to flush before it
// blocks.
func (nc *nconn) ctrlLocked() {
	nc.ctrl = true
	if nc.wbufLen() >= writeBufMax {
		nc.flushLocked()
	}
}

// resetLocked sends RST_STREAM for id and closes the stream.
func (nc *nconn) resetLocked(id uint32, code http2.ErrCode) {
	if st := nc.streams[id]; st != nil {
		if st.reset {
			return
		}
		st.reset = true
		nc.closeStreamLocked(st, errStreamReset)
	}
	_ = nc.wfr.WriteRSTStream(id, code)
	nc.ctrlLocked()
}

// closeStreamLocked forgets st; its handler, if running, finds it reset
// (writes are dropped) or done.
func (nc *nconn) closeStreamLocked(st *nstream, err error) {
	if nc.streams[st.id] != st {
		return
	}
	delete(nc.streams, st.id)
	if st.body != nil {
		if err == nil {
			err = errStreamReset
		}
		st.body.close(err)
	}
	if st.timer != nil {
		st.timer.Stop()
	}
	nc.wcond.Broadcast()
	nc.idleCheckLocked()
}

// idleCheckLocked arms the idle timeout (KeepAliveTimeout) once no stream
// is left, and closes a connection that sent GOAWAY once its streams are
// done.
func (nc *nconn) idleCheckLocked() {
	if nc.closed || len(nc.streams) != 0 || nc.running != 0 || len(nc.queue) != 0 {
		return
	}
	if nc.goingAway {
		nc.flushLocked()
		nc.closed = true
		_ = nc.c.SetReadDeadline(time.Now()) // wakes the reader
		return
	}
	if !nc.deadline {
		nc.deadline = true
		_ = nc.c.SetReadDeadline(time.Now().Add(nc.b.opts.IdleTimeout))
	}
}

// startGoAwayLocked sends GOAWAY naming the last stream started: the
// connection ends once those streams are done.
func (nc *nconn) startGoAwayLocked(code http2.ErrCode) {
	if nc.goingAway || nc.closed {
		return
	}
	nc.goingAway = true
	nc.lastID = nc.maxClientID
	_ = nc.wfr.WriteGoAway(nc.lastID, code, nil)
	nc.flushLocked()
	nc.idleCheckLocked()
}

// Shutdown is the Bridge's graceful stop for this connection.
func (nc *nconn) shutdown() {
	nc.wmu.Lock()
	nc.startGoAwayLocked(http2.ErrCodeNo)
	nc.wmu.Unlock()
}

// goAway ends the connection for an error (or idleness): GOAWAY, then the
// reader lingers a moment so the client reads it.
func (nc *nconn) goAway(code http2.ErrCode) {
	nc.wmu.Lock()
	if !nc.closed {
		_ = nc.wfr.WriteGoAway(nc.maxClientID, code, nil)
		nc.flushLocked()
	}
	nc.closed = true
	nc.wcond.Broadcast()
	nc.wmu.Unlock()
	nc.linger()
}

// linger reads and discards what the client still sends, for at most
// goAwayLinger, so that closing does not reset the connection before the
// client read the GOAWAY (unread input makes the kernel send RST).
func (nc *nconn) linger() {
	_ = nc.c.SetReadDeadline(time.Now().Add(goAwayLinger))
	_, _ = io.Copy(io.Discard, io.LimitReader(nc.br, 1<<20))
}

// teardown runs when the reader returns: streams still open see the
// connection gone.
func (nc *nconn) teardown() {
	nc.wmu.Lock()
	nc.closed = true
	for _, st := range nc.streams {
		st.reset = true
		nc.closeStreamLocked(st, errStreamReset)
	}
	for _, st := range nc.queue {
		nc.b.release(st.ctx)
	}
	nc.queue = nil
	nc.wcond.Broadcast()
	nc.wmu.Unlock()
}

// writeBufPool holds the write buffers of connections between bursts.
var writeBufPool = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// frameSink is the write Framer's writer: it appends to the connection's
// buffer (under wmu), taking one from the pool if it has none.
type frameSink struct{ nc *nconn }

func (w frameSink) Write(p []byte) (int, error) {
	nc := w.nc
	if nc.wbuf == nil {
		nc.wbuf = writeBufPool.Get().(*[]byte)
	}
	*nc.wbuf = append(*nc.wbuf, p...)
	return len(p), nil
}

func (nc *nconn) wbufLen() int {
	if nc.wbuf == nil {
		return 0
	}
	return len(*nc.wbuf)
}

// flushLocked writes the buffered frames to the socket.
func (nc *nconn) flushLocked() {
	nc.ctrl = false
	nc.flushedSeq = nc.wseq
	if nc.wbufLen() == 0 {
		return
	}
	if nc.closed {
		*nc.wbuf = (*nc.wbuf)[:0]
		return
	}
	if d := nc.b.opts.WriteTimeout; d > 0 {
		_ = nc.c.SetWriteDeadline(time.Now().Add(d))
	}
	_, err := nc.c.Write(*nc.wbuf)
	*nc.wbuf = (*nc.wbuf)[:0]
	if err != nil {
		nc.closed = true
		nc.wcond.Broadcast()
		_ = nc.c.SetReadDeadline(time.Now()) // wakes the reader
	}
}

func (nc *nconn) processHeaders(f *http2.MetaHeadersFrame) error {
	id := f.StreamID
	if id%2 != 1 {
		return http2.ConnectionError(http2.ErrCodeProtocol)
	}
	nc.wmu.Lock()
	if st := nc.streams[id]; st != nil {
		defer nc.wmu.Unlock()
		if st.reset {
			return nil
		}
		if st.remoteEnd {
			return http2.StreamError{StreamID: id, Code: http2.ErrCodeStreamClosed}
		}
		// Trailers: they end the stream; their fields are dropped (as
		// the x/net bridge did: fasthttp's request has no trailers the
		// chain reads).
		if !f.StreamEnded() || len(f.PseudoFields()) > 0 {
			return http2.StreamError{StreamID: id, Code: http2.ErrCodeProtocol}
		}
		if st.declLen >= 0 && st.gotLen != st.declLen {
			return http2.StreamError{StreamID: id, Code: http2.ErrCodeProtocol}
		}
		st.remoteEnd = true
		st.body.close(io.EOF)
		if st.localEnd {
			nc.closeStreamLocked(st, nil)
		}
		return nil
	}
	if id <= nc.maxClientID {
		nc.wmu.Unlock()
		return http2.ConnectionError(http2.ErrCodeProtocol)
	}
	nc.maxClientID = id // under wmu: a Shutdown's GOAWAY reads it
	nc.wmu.Unlock()
	if f.HasPriority() && f.Priority.StreamDep == id {
		return http2.StreamError{StreamID: id, Code: http2.ErrCodeProtocol}
	}
	o := &nc.b.opts
	nc.wmu.Lock()
	full := uint32(len(nc.streams)) >= o.MaxConcurrentStreams
	nc.wmu.Unlock()
	if full {
		nc.count("over_max_streams")
		return http2.StreamError{StreamID: id, Code: http2.ErrCodeRefusedStream}
	}
	method := f.PseudoValue("method")
	path := f.PseudoValue("path")
	scheme := f.PseudoValue("scheme")
	authority := f.PseudoValue("authority")
	if f.PseudoValue("protocol") != "" {
		return http2.StreamError{StreamID: id, Code: http2.ErrCodeProtocol}
	}
	if method == "CONNECT" {
		if path != "" || scheme != "" || authority == "" {
			return http2.StreamError{StreamID: id, Code: http2.ErrCodeProtocol}
		}
		path = authority
	} else if method == "" || path == "" || scheme != "https" && scheme != "http" {
		return http2.StreamError{StreamID: id, Code: http2.ErrCodeProtocol}
	}
	// Connection-specific fields make a request malformed (RFC 9113
	// §8.2.2): a stream error, as h2spec 8.1.2.2 expects.
	for _, hf := range f.RegularFields() {
		if hopByHopString(hf.Name) || hf.Name == "te" && hf.Value != "trailers" {
			return http2.StreamError{StreamID: id, Code: http2.ErrCodeProtocol}
		}
	}
	st := &nstream{nc: nc, id: id, declLen: -1, head: method == "HEAD", remoteEnd: f.StreamEnded()}
	ctx := nc.b.ctxPool.Get().(*fasthttp.RequestCtx)
	st.ctx = ctx
	if f.Truncated {
		st.status = fasthttp.StatusRequestHeaderFieldsTooLarge
	} else {
		st.status = nc.fillNative(&ctx.Request, f, method, path, authority, st)
	}
	nc.wmu.Lock()
	defer nc.wmu.Unlock()
	if nc.closed {
		nc.b.release(ctx)
		return nil
	}
	st.sendWin = nc.peerInitWin
	st.inflow = o.InitialWindowSize
	if !st.remoteEnd {
		st.body = newBodyPipe(st)
		if d := o.ReadTimeout; d > 0 {
			p := st.body
			st.timer = time.AfterFunc(d, func() { p.close(os.ErrDeadlineExceeded) })
		}
	}
	nc.streams[id] = st
	if nc.deadline {
		nc.deadline = false
		_ = nc.c.SetReadDeadline(time.Time{})
	}
	if !st.remoteEnd && st.status == 0 && st.expect {
		// The client waits for this before it sends the body.
		_ = nc.wfr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: continueBlock, EndHeaders: true})
		nc.ctrlLocked()
	}
	nc.pending++
	nc.started++
	if max := o.MaxStreamsPerConn; max > 0 && nc.started >= max {
		nc.startGoAwayLocked(http2.ErrCodeNo)
	}
	if uint32(nc.running) < o.MaxConcurrentStreams {
		nc.running++
		nc.b.dispatch(st)
		return nil
	}
	if len(nc.queue) > 4*int(o.MaxConcurrentStreams) {
		nc.count("too_many_early_resets")
		return http2.ConnectionError(http2.ErrCodeEnhanceYourCalm)
	}
	nc.queue = append(nc.queue, st)
	return nil
}

func hopByHopString(k string) bool {
	switch k {
	case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade":
		return true
	}
	return false
}

// fillNative is fillRequest for the native loop: the request's header
// fields go straight from the decoded block into req.
func (nc *nconn) fillNative(req *fasthttp.Request, f *http2.MetaHeadersFrame, method, uri, authority string, st *nstream) int {
	o := &nc.b.opts
	if o.MaxRequestLine > 0 && len(method)+1+len(uri)+1+len(protoHTTP2) > o.MaxRequestLine {
		return fasthttp.StatusRequestURITooLong
	}
	h := &req.Header
	h.SetMethod(method)
	h.SetRequestURI(uri)
	h.SetProtocol(protoHTTP2)
	fields := 0
	var cookies []string
	for _, hf := range f.RegularFields() {
		fields++
		if o.MaxRequestFieldSize > 0 && len(hf.Name)+2+len(hf.Value) > o.MaxRequestFieldSize {
			return fasthttp.StatusRequestHeaderFieldsTooLarge
		}
		switch hf.Name {
		case "host":
			if authority == "" {
				authority = hf.Value
			}
			continue
		case "cookie":
			// RFC 9113 §8.2.3: split cookie fields are joined.
			cookies = append(cookies, hf.Value)
			continue
		case "expect":
			if len(hf.Value) == len("100-continue") && strings.EqualFold(hf.Value, "100-continue") {
				st.expect = true
			}
		case "content-length":
			if n, err := strconv.ParseUint(hf.Value, 10, 63); err == nil {
				st.declLen = int64(n)
			}
		}
		h.Add(hf.Name, hf.Value)
	}
	h.SetHost(authority)
	if len(cookies) == 1 {
		h.Set("Cookie", cookies[0])
	} else if len(cookies) > 1 {
		n := len(cookies) - 1
		for _, c := range cookies {
			n += len(c) + 1
		}
		buf := make([]byte, 0, n)
		for i, c := range cookies {
			if i > 0 {
				buf = append(buf, "; "...)
			}
			buf = append(buf, c...)
		}
		h.SetBytesV("Cookie", buf)
	}
	if o.MaxRequestFields > 0 && fields > o.MaxRequestFields {
		if fields > 2*o.MaxRequestFields {
			return statusReset
		}
		return fasthttp.StatusRequestHeaderFieldsTooLarge
	}
	if st.remoteEnd {
		if st.declLen > 0 {
			// A declared body that never came (RFC 9113 §8.1.1).
			return statusMalformed
		}
		return 0
	}
	if max := o.MaxRequestBodySize; max > 0 && st.declLen > max {
		return fasthttp.StatusRequestEntityTooLarge
	}
	return 0
}

// dispatch runs st on an idle worker, or a new one.
func (b *Bridge) dispatch(st *nstream) {
	select {
	case b.work <- st:
	default:
		go b.worker(st)
	}
}

// worker runs streams until it has waited workerIdle for one, or the
// Bridge is closed.
func (b *Bridge) worker(st *nstream) {
	t := time.NewTimer(workerIdle)
	defer t.Stop()
	for {
		st.nc.run(st)
		t.Reset(workerIdle)
		select {
		case st = <-b.work:
		case <-t.C:
			return
		case <-b.quit:
			return
		}
	}
}

// run serves st and then the streams queued on its connection.
func (nc *nconn) run(st *nstream) {
	for st != nil {
		nc.serveStreamSafe(st)
		nc.wmu.Lock()
		st = nil
		for len(nc.queue) > 0 && st == nil {
			next := nc.queue[0]
			nc.queue[0] = nil
			nc.queue = nc.queue[1:]
			if next.reset || nc.closed {
				nc.pending--
				nc.b.release(next.ctx)
				continue
			}
			st = next
		}
		if st == nil {
			nc.running--
			nc.idleCheckLocked()
		}
		nc.wmu.Unlock()
	}
}

// serveStreamSafe is serveStream, a panicking handler resetting its
// stream (INTERNAL_ERROR) instead of ending the process, as x/net's server
// and net/http do; the panic is logged unless it is http.ErrAbortHandler.
func (nc *nconn) serveStreamSafe(st *nstream) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if r != http.ErrAbortHandler && nc.b.opts.ErrorLog != nil {
			buf := make([]byte, 16<<10)
			buf = buf[:runtime.Stack(buf, false)]
			nc.b.opts.ErrorLog.Printf("h2bridge: panic serving stream %d from %v: %v\n%s", st.id, nc.c.RemoteAddr(), r, buf)
		}
		nc.wmu.Lock()
		if !st.localEnd {
			nc.resetLocked(st.id, http2.ErrCodeInternal)
			nc.finishLocked(st)
		}
		nc.wmu.Unlock()
		if st.started && !st.doneCalled {
			nc.b.streamDone(st.ctx)
		}
		// st.ctx is not pooled again: the handler left it half-way.
	}()
	nc.serveStream(st)
}

// serveStream runs the handler for st and writes its response.
func (nc *nconn) serveStream(st *nstream) {
	b := nc.b
	cs := nc.cs
	ctx := st.ctx
	if cs.serial != nil {
		cs.serial <- struct{}{}
		defer func() { <-cs.serial }()
	}
	var lg fasthttp.Logger = discardLogger
	if b.opts.Logger != nil {
		lg = b.opts.Logger
	}
	ctx.Init2(cs.sc, lg, false)
	st.started = true
	if b.opts.StreamStart != nil {
		b.opts.StreamStart(ctx)
	}
	status := st.status
	if status == 0 && st.body != nil {
		status = nc.readBody(st)
	}
	switch {
	case status == statusReset || status == statusMalformed:
		// Over twice LimitRequestFields: ENHANCE_YOUR_CALM, as Apache
		// 2.4.71's mod_http2.
		code := http2.ErrCodeEnhanceYourCalm
		if status == statusMalformed {
			code = http2.ErrCodeProtocol
		}
		nc.wmu.Lock()
		nc.resetLocked(st.id, code)
		nc.finishLocked(st)
		nc.wmu.Unlock()
		st.doneCalled = true
		b.streamDone(ctx)
		b.release(ctx)
		return
	case status != 0:
		errorResponse(&ctx.Response, status)
	default:
		b.handler(ctx)
		if ctx.Hijacked() {
			ctx.Response.Reset()
			errorResponse(&ctx.Response, fasthttp.StatusInternalServerError)
		}
	}
	nc.writeResponse(st, &ctx.Response)
	st.doneCalled = true
	b.streamDone(ctx)
	b.release(ctx)
}

// statusMalformed asks serveStream to reset a malformed request's stream
// (PROTOCOL_ERROR).
const statusMalformed = -2

// readBody reads the request body as fillRequest does from x/net's pipe.
func (nc *nconn) readBody(st *nstream) int {
	o := &nc.b.opts
	req := &st.ctx.Request
	max := o.MaxRequestBodySize
	if o.StreamRequestBody {
		var body io.Reader = st.body
		if max > 0 {
			body = &limitReader{r: st.body, n: max}
		}
		req.SetBodyStream(body, int(st.declLen))
		return 0
	}
	var body io.Reader = st.body
	if max > 0 {
		body = io.LimitReader(st.body, max+1)
	}
	n, err := io.Copy(req.BodyWriter(), body)
	if err != nil {
		return fasthttp.StatusBadRequest
	}
	if max > 0 && n > max {
		return fasthttp.StatusRequestEntityTooLarge
	}
	req.Header.SetContentLength(int(n))
	return 0
}

// doneLocked marks st's response written: the stream closes if the
// request is complete too; otherwise the rest of its body is refused
// (RST_STREAM NO_ERROR, RFC 9113 §8.1).
func (nc *nconn) doneLocked(st *nstream) {
	st.localEnd = true
	nc.pending--
	if nc.streams[st.id] != st {
		return
	}
	if !st.remoteEnd && !st.reset {
		_ = nc.wfr.WriteRSTStream(st.id, http2.ErrCodeNo)
		st.reset = true
	}
	nc.closeStreamLocked(st, nil)
}

// writeResponse encodes resp as HEADERS and DATA frames for st.
func (nc *nconn) writeResponse(st *nstream, resp *fasthttp.Response) {
	status := resp.StatusCode()
	if status < 200 {
		status = fasthttp.StatusOK
	}
	allowed := bodyAllowed(status) && !resp.SkipBody
	nc.wmu.Lock()
	if st.reset || nc.closed {
		nc.doneLocked(st)
		nc.wmu.Unlock()
		if resp.IsBodyStream() {
			resp.CloseBodyStream()
		}
		return
	}
	var body []byte
	stream := resp.IsBodyStream()
	cl := -1
	if !stream {
		body = resp.Body()
		cl = len(body)
		if st.head && cl == 0 && resp.Header.ContentLength() > 0 {
			cl = resp.Header.ContentLength()
		}
	} else if n := resp.Header.ContentLength(); n >= 0 {
		cl = n
	}
	if !allowed {
		cl = -1
	}
	endHeaders := !allowed || st.head || (!stream && len(body) == 0)
	nc.writeHeadersLocked(st, status, resp, cl, endHeaders)
	if endHeaders {
		nc.finishLocked(st)
		nc.wmu.Unlock()
		if stream {
			resp.CloseBodyStream()
		}
		return
	}
	if !stream {
		nc.writeDataLocked(st, body, true)
		nc.finishLocked(st)
		nc.wmu.Unlock()
		return
	}
	nc.wmu.Unlock()
	defer resp.CloseBodyStream()
	bufp := nc.b.bufPool.Get().(*[]byte)
	defer nc.b.bufPool.Put(bufp)
	buf := *bufp
	src := resp.BodyStream()
	for {
		n, err := src.Read(buf)
		nc.wmu.Lock()
		if n > 0 && !nc.writeDataLocked(st, buf[:n], false) {
			nc.doneLocked(st)
			nc.wmu.Unlock()
			return
		}
		if err != nil {
			if err == io.EOF {
				nc.writeDataLocked(st, nil, true)
			} else {
				nc.resetLocked(st.id, http2.ErrCodeInternal)
			}
			nc.finishLocked(st)
			nc.wmu.Unlock()
			return
		}
		if cl < 0 {
			nc.flushLocked() // a stream of unknown length: each chunk as it comes
		}
		nc.wmu.Unlock()
	}
}

// finishLocked ends st's response and flushes it, now or after the other
// streams of the batch had their turn.
func (nc *nconn) finishLocked(st *nstream) {
	nc.doneLocked(st)
	nc.wseq++
	if nc.pending == 0 && !nc.readerBusy {
		nc.flushLocked()
		return
	}
	seq := nc.wseq
	nc.wmu.Unlock()
	runtime.Gosched()
	nc.wmu.Lock()
	if nc.flushedSeq < seq {
		nc.flushLocked()
	}
}

// writeDataLocked writes p as DATA frames within the flow-control windows,
// waiting (wmu released) for WINDOW_UPDATE; end sets END_STREAM on the
// last. It reports false if the stream or connection went away.
func (nc *nconn) writeDataLocked(st *nstream, p []byte, end bool) bool {
	for {
		if st.reset || nc.closed {
			return false
		}
		if len(p) == 0 {
			if end {
				_ = nc.wfr.WriteData(st.id, true, nil)
			}
			return true
		}
		n := int64(len(p))
		n = min(n, nc.sendWin, st.sendWin, int64(nc.peerMaxFrame))
		if n <= 0 {
			nc.flushLocked()
			nc.wcond.Wait()
			continue
		}
		last := end && n == int64(len(p))
		_ = nc.wfr.WriteData(st.id, last, p[:n])
		nc.sendWin -= n
		st.sendWin -= n
		p = p[n:]
		if last {
			return true
		}
		if nc.wbufLen() >= writeBufMax {
			// Let the other streams of the connection have their turn
			// between the chunks of a large body.
			nc.flushLocked()
			nc.wmu.Unlock()
			runtime.Gosched()
			nc.wmu.Lock()
		}
	}
}

// writeHeadersLocked encodes the response head (lower-case names, no
// connection-specific fields) and writes HEADERS and CONTINUATION frames.
func (nc *nconn) writeHeadersLocked(st *nstream, status int, resp *fasthttp.Response, cl int, end bool) {
	nc.hbuf.Reset()
	e := nc.henc
	_ = e.WriteField(hpack.HeaderField{Name: ":status", Value: statusString(status)})
	hasDate := false
	for k, v := range resp.Header.All() {
		if hopByHop(k) || bytes.EqualFold(k, []byte("content-length")) {
			continue
		}
		name := nc.lowerName(k)
		if name == "date" {
			hasDate = true
		}
		_ = e.WriteField(hpack.HeaderField{Name: name, Value: nc.value(v)})
	}
	if !hasDate {
		_ = e.WriteField(hpack.HeaderField{Name: "date", Value: httpDate()})
	}
	if cl >= 0 {
		nc.scratch = strconv.AppendInt(nc.scratch[:0], int64(cl), 10)
		_ = e.WriteField(hpack.HeaderField{Name: "content-length", Value: nc.value(nc.scratch)})
	}
	block := nc.hbuf.Bytes()
	max := int(nc.peerMaxFrame)
	first := block
	if len(first) > max {
		first = first[:max]
	}
	block = block[len(first):]
	_ = nc.wfr.WriteHeaders(http2.HeadersFrameParam{StreamID: st.id, BlockFragment: first, EndStream: end, EndHeaders: len(block) == 0})
	for len(block) > 0 {
		n := min(len(block), max)
		_ = nc.wfr.WriteContinuation(st.id, n == len(block), block[:n])
		block = block[n:]
	}
}

// lowerName returns k lower-cased as a string, the same string for the
// same name on a connection (the encoder keeps it in its table).
func (nc *nconn) lowerName(k []byte) string {
	nc.scratch = append(nc.scratch[:0], k...)
	for i, c := range nc.scratch {
		if 'A' <= c && c <= 'Z' {
			nc.scratch[i] = c + 'a' - 'A'
		}
	}
	return nc.value(nc.scratch)
}

// value returns v as a string, reusing the connection's earlier copy of
// the same bytes (header values repeat from response to response).
func (nc *nconn) value(v []byte) string {
	if s, ok := nc.vals[string(v)]; ok {
		return s
	}
	s := string(v)
	if len(nc.vals) >= 256 {
		clear(nc.vals)
	}
	nc.vals[s] = s
	return s
}

// continueBlock is ":status: 100" in HPACK (static table index 0x08 is
// 200; 100 is a literal without indexing, name index 8).
var continueBlock = []byte{0x08, 0x03, '1', '0', '0'}

var statusStrings [600]string

func statusString(code int) string {
	if code >= 0 && code < len(statusStrings) {
		if s := statusStrings[code]; s != "" {
			return s
		}
	}
	return strconv.Itoa(code)
}

func init() {
	for i := 100; i < len(statusStrings); i++ {
		statusStrings[i] = strconv.Itoa(i)
	}
}

// httpDate is the Date field, formatted once a second.
func httpDate() string {
	now := time.Now().Unix()
	if d := cachedDate.Load(); d != nil && d.sec == now {
		return d.s
	}
	d := &dateCache{sec: now, s: time.Unix(now, 0).UTC().Format(http2TimeFormat)}
	cachedDate.Store(d)
	return d.s
}

const http2TimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

type dateCache struct {
	sec int64
	s   string
}

var cachedDate atomic.Pointer[dateCache]

// bodyPipe carries a request body from the reader to the handler.
type bodyPipe struct {
	st      *nstream
	mu      sync.Mutex
	cond    sync.Cond
	buf     bytes.Buffer
	err     error
	unacked uint32
}

func newBodyPipe(st *nstream) *bodyPipe {
	p := &bodyPipe{st: st}
	p.cond.L = &p.mu
	return p
}

func (p *bodyPipe) write(b []byte) {
	p.mu.Lock()
	if p.err == nil {
		p.buf.Write(b)
		p.cond.Signal()
	}
	p.mu.Unlock()
}

func (p *bodyPipe) close(err error) {
	if p == nil {
		return
	}
	p.mu.Lock()
	if p.err == nil {
		p.err = err
		p.cond.Broadcast()
	}
	p.mu.Unlock()
}

func (p *bodyPipe) Read(b []byte) (int, error) {
	p.mu.Lock()
	for p.buf.Len() == 0 && p.err == nil {
		p.cond.Wait()
	}
	if p.buf.Len() == 0 {
		err := p.err
		p.mu.Unlock()
		return 0, err
	}
	n, _ := p.buf.Read(b)
	p.unacked += uint32(n)
	var refund uint32
	if p.buf.Len() == 0 || p.unacked >= uint32(p.st.nc.b.opts.InitialWindowSize)/2 {
		refund, p.unacked = p.unacked, 0
	}
	p.mu.Unlock()
	if refund > 0 {
		nc := p.st.nc
		nc.wmu.Lock()
		nc.refundLocked(p.st, refund)
		nc.flushLocked()
		nc.wmu.Unlock()
	}
	return n, nil
}
