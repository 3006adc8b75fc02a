package load

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2session is one HTTP/2 connection's framing state: a Framer over
// buffered I/O, the HPACK encoder of requests and decoder of responses.
type h2session struct {
	cfg  *H2Config
	conn net.Conn
	br   *bufio.Reader
	bw   *bufio.Writer
	fr   *http2.Framer
	hbuf bytes.Buffer
	enc  *hpack.Encoder
	dec  *hpack.Decoder
	// status is the :status of the header block being decoded (0: none).
	status int
	scheme string
	// serverMax is the server's SETTINGS_MAX_CONCURRENT_STREAMS (0: none
	// announced, unlimited).
	serverMax uint32
}

// newH2Session sends the client preface, its SETTINGS (push off, the
// stream window) and the connection's WINDOW_UPDATE, and reads the
// server's first frame, which must be SETTINGS: anything else (an
// HTTP/1.x answer to the preface, say) means the server does not speak
// HTTP/2. deadline bounds the exchange.
func newH2Session(cfg *H2Config, conn net.Conn, deadline time.Time) (*h2session, error) {
	s := &h2session{cfg: cfg, conn: conn, scheme: "http"}
	if cfg.TLS != nil {
		s.scheme = "https"
	}
	s.br = bufio.NewReaderSize(conn, 64<<10)
	s.bw = bufio.NewWriterSize(conn, 16<<10)
	s.fr = http2.NewFramer(s.bw, s.br)
	s.fr.SetReuseFrames()
	s.enc = hpack.NewEncoder(&s.hbuf)
	s.dec = hpack.NewDecoder(4096, func(f hpack.HeaderField) {
		if f.Name == ":status" {
			s.status = atoi3(f.Value)
		}
	})
	s.dec.SetMaxStringLength(64 << 10)
	conn.SetDeadline(deadline)
	if _, err := s.bw.WriteString(http2.ClientPreface); err != nil {
		return nil, err
	}
	if err := s.fr.WriteSettings(
		http2.Setting{ID: http2.SettingEnablePush, Val: 0},
		http2.Setting{ID: http2.SettingInitialWindowSize, Val: cfg.StreamWindow},
	); err != nil {
		return nil, err
	}
	if cfg.ConnWindow > 65535 {
		if err := s.fr.WriteWindowUpdate(0, cfg.ConnWindow-65535); err != nil {
			return nil, err
		}
	}
	if err := s.bw.Flush(); err != nil {
		return nil, err
	}
	if head, err := s.br.Peek(5); err == nil && string(head) == "HTTP/" {
		line, _, _ := bytes.Cut(peekAll(s.br), []byte("\r\n"))
		return nil, fmt.Errorf("load: %s answered the HTTP/2 preface with %q: %w", cfg.Addr, line, ErrNotH2)
	}
	f, err := s.fr.ReadFrame()
	if err != nil {
		var ce http2.ConnectionError
		if errors.As(err, &ce) || errors.Is(err, http2.ErrFrameTooLarge) {
			return nil, fmt.Errorf("load: %s: first frame: %v: %w", cfg.Addr, err, ErrNotH2)
		}
		return nil, err
	}
	sf, ok := f.(*http2.SettingsFrame)
	if !ok || sf.IsAck() {
		return nil, fmt.Errorf("load: %s: the server's first frame is %v, not SETTINGS: %w", cfg.Addr, f.Header(), ErrNotH2)
	}
	if err := s.applySettings(sf); err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	return s, nil
}

// peekAll returns what the reader holds.
func peekAll(br *bufio.Reader) []byte {
	b, _ := br.Peek(br.Buffered())
	return b
}

// applySettings takes the server's SETTINGS and acknowledges them.
func (s *h2session) applySettings(sf *http2.SettingsFrame) error {
	err := sf.ForeachSetting(func(st http2.Setting) error {
		switch st.ID {
		case http2.SettingMaxConcurrentStreams:
			s.serverMax = st.Val
		case http2.SettingHeaderTableSize:
			s.enc.SetMaxDynamicTableSizeLimit(st.Val)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.fr.WriteSettingsAck()
}

// writeRequest writes a GET of the configured path on stream id.
func (s *h2session) writeRequest(id uint32) error { return s.writeRequestPath(id, s.cfg.Path) }

// writeRequestPath writes a GET of path on stream id.
func (s *h2session) writeRequestPath(id uint32, path string) error {
	s.hbuf.Reset()
	s.enc.WriteField(hpack.HeaderField{Name: ":method", Value: "GET"})
	s.enc.WriteField(hpack.HeaderField{Name: ":scheme", Value: s.scheme})
	s.enc.WriteField(hpack.HeaderField{Name: ":authority", Value: s.cfg.Authority})
	s.enc.WriteField(hpack.HeaderField{Name: ":path", Value: path})
	s.enc.WriteField(hpack.HeaderField{Name: "user-agent", Value: "gohttpd-bench"})
	return s.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: s.hbuf.Bytes(), EndStream: true, EndHeaders: true})
}

// atoi3 parses a 3-digit status (0 if it is not one).
func atoi3(v string) int {
	if len(v) != 3 {
		return 0
	}
	n := 0
	for i := range 3 {
		if v[i] < '0' || v[i] > '9' {
			return 0
		}
		n = n*10 + int(v[i]-'0')
	}
	return n
}

// h2stream is a request in flight.
type h2stream struct {
	t0     time.Time
	status int
	// unacked counts DATA bytes received since the stream's last
	// WINDOW_UPDATE.
	unacked uint32
}

// h2conn is one connection slot of a run: its goroutine dials, runs
// streams until the connection ends, and dials again. Fields below mu are
// written only by that goroutine and read after it returned.
type h2conn struct {
	r     *H2Runner
	shard *shard

	completed atomic.Int64
	failed    atomic.Int64
	_         [48]byte

	mu   sync.Mutex // guards conn against interrupt
	conn net.Conn

	bytes, connects, resumed, unfinished int64
	goaways, resets, windowUpdates       int64
	errs                                 Errors
	tlsState                             *tls.ConnectionState
	maxInFlight                          int
	stalls                               int64
	serverMax                            uint32
}

// errBudget ends a connection whose run has no requests left.
var errBudget = errors.New("load: request budget spent")

// errRunOver ends a connection at the end of the run.
var errRunOver = errors.New("load: run over")

func (c *h2conn) interrupt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		c.conn.SetDeadline(time.Unix(1, 0))
	}
}

func (c *h2conn) run(ctx context.Context) {
	r := c.r
	for ctx.Err() == nil && time.Now().Before(r.end) {
		err := c.session(ctx)
		switch {
		case err == nil: // GOAWAY: dial again
		case errors.Is(err, ErrNotH2):
			r.fail(err)
			return
		case errors.Is(err, errBudget), errors.Is(err, errRunOver):
			return
		default:
			if k := Classify(err); k == KindRefused || k == KindOther {
				sleepCtx(ctx, 10*time.Millisecond) // no spinning on a server that is not there
			}
		}
	}
}

// setConn publishes the connection for interrupt (nil clears it).
func (c *h2conn) setConn(nc net.Conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if nc != nil && c.r.stopped.Load() {
		return false
	}
	c.conn = nc
	return true
}

// failN counts n failed requests of kind k.
func (c *h2conn) failN(k ErrKind, n int) {
	if n > 0 {
		c.errs.add(k, int64(n))
		c.failed.Add(int64(n))
	}
}

// session runs one connection: nil after a GOAWAY whose streams finished,
// errBudget or errRunOver when the run is done for it, else the error
// that ended the connection (its streams in flight counted as failed).
func (c *h2conn) session(ctx context.Context) error {
	r, cfg := c.r, &c.r.cfg
	deadline := time.Now().Add(cfg.Timeout)
	if deadline.After(r.end) {
		deadline = r.end
	}
	nc, cs, err := dialH2(cfg, deadline)
	if err != nil {
		if ctx.Err() != nil || !time.Now().Before(r.end) {
			return errRunOver
		}
		if !errors.Is(err, ErrNotH2) {
			c.failN(Classify(err), 1)
		}
		return err
	}
	if !c.setConn(nc) {
		nc.Close()
		return errRunOver
	}
	defer func() {
		c.setConn(nil)
		nc.Close()
	}()
	c.connects++
	if cs != nil {
		if c.tlsState == nil {
			c.tlsState = cs
		}
		if cs.DidResume {
			c.resumed++
		}
	}
	s, err := newH2Session(cfg, nc, deadline)
	if err != nil {
		if ctx.Err() != nil || !time.Now().Before(r.end) {
			return errRunOver
		}
		if !errors.Is(err, ErrNotH2) {
			c.failN(Classify(err), 1)
		}
		return err
	}
	return c.streams(ctx, s)
}

// streams keeps the configured streams in flight on s until the run ends,
// the budget is spent, or the connection ends.
func (c *h2conn) streams(ctx context.Context, s *h2session) error {
	r, cfg := c.r, &c.r.cfg
	inflight := make(map[uint32]*h2stream, cfg.Streams)
	var free []*h2stream // finished streams, reused
	nextID := uint32(1)
	stallID := uint32(0) // the stalled stream's (Stall)
	goaway, spent := false, false
	var connUnacked uint32
	// headersFor is the stream of a header block continued in
	// CONTINUATION frames, endStream whether that block ends the stream.
	var headersFor uint32
	var endStream bool

	limit := func() int {
		l := cfg.Streams
		if s.serverMax > 0 && int64(s.serverMax) < int64(l) {
			l = int(s.serverMax)
			if stallID != 0 {
				l-- // the stalled stream takes one
			}
		}
		return l
	}
	open := func() error {
		for !goaway && !spent && len(inflight) < limit() {
			if nextID > 1<<31-1 {
				goaway = true // stream ids exhausted: finish and dial again
				break
			}
			if !r.claim() {
				spent = true
				break
			}
			if err := s.writeRequest(nextID); err != nil {
				return err
			}
			var st *h2stream
			if n := len(free); n > 0 {
				st, free = free[n-1], free[:n-1]
				*st = h2stream{}
			} else {
				st = &h2stream{}
			}
			st.t0 = time.Now()
			inflight[nextID] = st
			nextID += 2
		}
		c.maxInFlight = max(c.maxInFlight, len(inflight))
		return nil
	}
	finish := func(id uint32, st *h2stream) {
		delete(inflight, id)
		c.record(time.Since(st.t0))
		if st.status == cfg.ExpectStatus {
			c.completed.Add(1)
		} else {
			c.failN(KindStatus, 1)
		}
		free = append(free, st)
	}
	// giveBack returns unserved requests to the budget (a refused stream
	// or one above a GOAWAY's last stream id is sent again).
	giveBack := func(n int) {
		if cfg.MaxRequests > 0 {
			r.left.Add(int64(n))
			spent = false
		}
	}
	// fail ends the connection: its streams in flight are unfinished when
	// the run is over, else failed with err's kind.
	fail := func(err error) error {
		if ctx.Err() != nil || !time.Now().Before(r.end) {
			c.unfinished += int64(len(inflight))
			return errRunOver
		}
		c.failN(Classify(err), len(inflight))
		return err
	}

	// The stalled stream (Stall) goes first; its window is never
	// returned, and it does not count as a request.
	if cfg.Stall != "" {
		stallID, nextID = 1, 3
		if err := s.writeRequestPath(stallID, cfg.Stall); err != nil {
			return fail(err)
		}
		c.stalls++
	}
	if err := open(); err != nil {
		return fail(err)
	}
	var readDeadline time.Time
	for {
		if len(inflight) == 0 {
			switch {
			case spent:
				return errBudget
			case goaway:
				return nil
			case ctx.Err() != nil || !time.Now().Before(r.end):
				return errRunOver
			}
		}
		if s.br.Buffered() == 0 {
			if s.bw.Buffered() > 0 {
				if err := s.bw.Flush(); err != nil {
					return fail(err)
				}
			}
			// Refresh the read deadline now and then (not per frame):
			// no frame within Timeout fails the streams in flight.
			if now := time.Now(); readDeadline.Sub(now) < cfg.Timeout*9/10 {
				readDeadline = now.Add(cfg.Timeout)
				if readDeadline.After(r.end) {
					readDeadline = r.end
				}
				s.conn.SetReadDeadline(readDeadline)
			}
		}
		f, err := s.fr.ReadFrame()
		if err != nil {
			if r.stopped.Load() {
				c.unfinished += int64(len(inflight))
				return errRunOver
			}
			return fail(err)
		}
		h := f.Header()
		c.bytes += int64(h.Length) + 9
		switch f := f.(type) {
		case *http2.DataFrame:
			connUnacked += h.Length
			if connUnacked >= cfg.ConnWindow/2 {
				if err := s.fr.WriteWindowUpdate(0, connUnacked); err != nil {
					return fail(err)
				}
				c.windowUpdates++
				connUnacked = 0
			}
			st := inflight[h.StreamID]
			if st == nil {
				break
			}
			if f.StreamEnded() {
				finish(h.StreamID, st)
				if err := open(); err != nil {
					return fail(err)
				}
				break
			}
			st.unacked += h.Length
			if st.unacked >= cfg.StreamWindow/2 {
				if err := s.fr.WriteWindowUpdate(h.StreamID, st.unacked); err != nil {
					return fail(err)
				}
				c.windowUpdates++
				st.unacked = 0
			}
		case *http2.HeadersFrame:
			s.status = 0
			if _, err := s.dec.Write(f.HeaderBlockFragment()); err != nil {
				return fail(fmt.Errorf("load: hpack: %w", err))
			}
			headersFor, endStream = h.StreamID, f.StreamEnded()
			if !f.HeadersEnded() {
				break
			}
			if err := c.endHeaders(s, inflight, headersFor, endStream, finish, open); err != nil {
				return fail(err)
			}
		case *http2.ContinuationFrame:
			if _, err := s.dec.Write(f.HeaderBlockFragment()); err != nil {
				return fail(fmt.Errorf("load: hpack: %w", err))
			}
			if f.HeadersEnded() {
				if err := c.endHeaders(s, inflight, headersFor, endStream, finish, open); err != nil {
					return fail(err)
				}
			}
		case *http2.SettingsFrame:
			if f.IsAck() {
				break
			}
			if err := s.applySettings(f); err != nil {
				return fail(err)
			}
			if err := open(); err != nil {
				return fail(err)
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				if err := s.fr.WritePing(true, f.Data); err != nil {
					return fail(err)
				}
			}
		case *http2.RSTStreamFrame:
			c.resets++
			st := inflight[h.StreamID]
			if st == nil {
				break
			}
			delete(inflight, h.StreamID)
			free = append(free, st)
			if f.ErrCode == http2.ErrCodeRefusedStream {
				giveBack(1) // not processed: sent again
			} else {
				c.failN(KindReset, 1)
			}
			if err := open(); err != nil {
				return fail(err)
			}
		case *http2.GoAwayFrame:
			c.goaways++
			goaway = true
			// Streams above the last one the server processes were not
			// processed: they are sent again on the next connection.
			for id, st := range inflight {
				if id > f.LastStreamID {
					delete(inflight, id)
					free = append(free, st)
					giveBack(1)
				}
			}
		case *http2.PushPromiseFrame:
			return fail(fmt.Errorf("load: PUSH_PROMISE although push is off"))
		}
		if s.serverMax > 0 {
			c.serverMax = s.serverMax
		}
	}
}

// endHeaders completes a response header block: its status is recorded
// (informational 1xx blocks are skipped) and, when the block ends the
// stream, the request finishes.
func (c *h2conn) endHeaders(s *h2session, inflight map[uint32]*h2stream, id uint32, endStream bool,
	finish func(uint32, *h2stream), open func() error) error {
	if err := s.dec.Close(); err != nil {
		return fmt.Errorf("load: hpack: %w", err)
	}
	st := inflight[id]
	if st == nil {
		return nil
	}
	if s.status >= 200 && st.status == 0 {
		st.status = s.status
	}
	if endStream {
		finish(id, st)
		return open()
	}
	return nil
}

// record adds one latency to the connection's histogram shard.
func (c *h2conn) record(d time.Duration) {
	us := d.Microseconds()
	if us < histMin {
		us = histMin
	}
	if us > histMax {
		us = histMax
	}
	c.shard.mu.Lock()
	c.shard.h.RecordValue(us)
	c.shard.mu.Unlock()
}
