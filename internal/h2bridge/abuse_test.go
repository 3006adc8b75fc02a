package h2bridge

import (
	"bytes"
	"io"
	"net"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// rawClient speaks frames to the bridge with x/net's Framer.
type rawClient struct {
	c   net.Conn
	fr  *http2.Framer
	enc *hpack.Encoder
	hb  bytes.Buffer
	dec *hpack.Decoder // the server's header blocks (readResponses)
}

func dialRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	rc := &rawClient{c: c, fr: http2.NewFramer(c, c)}
	rc.enc = hpack.NewEncoder(&rc.hb)
	if _, err := io.WriteString(c, http2.ClientPreface); err != nil {
		t.Fatal(err)
	}
	if err := rc.fr.WriteSettings(); err != nil {
		t.Fatal(err)
	}
	return rc
}

func (rc *rawClient) headerBlock(path string, extra ...hpack.HeaderField) []byte {
	rc.hb.Reset()
	for _, f := range append([]hpack.HeaderField{
		{Name: ":method", Value: "GET"}, {Name: ":scheme", Value: "http"},
		{Name: ":authority", Value: "abuse.example"}, {Name: ":path", Value: path},
	}, extra...) {
		_ = rc.enc.WriteField(f)
	}
	return append([]byte(nil), rc.hb.Bytes()...)
}

// drain reads frames until the connection ends; it reports the GOAWAY
// error code seen (or -1) and the frame counts by type.
func (rc *rawClient) drain() (goAway int, counts map[http2.FrameType]int, err error) {
	goAway = -1
	counts = map[http2.FrameType]int{}
	for {
		f, err := rc.fr.ReadFrame()
		if err != nil {
			return goAway, counts, err
		}
		counts[f.Header().Type]++
		if ga, ok := f.(*http2.GoAwayFrame); ok {
			goAway = int(ga.ErrCode)
		}
	}
}

// settle waits for the goroutine count to come back near base.
func settle(t *testing.T, base int) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base+2 || time.Now().After(deadline) {
			return n
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRapidReset is CVE-2023-44487: open and cancel streams as fast as
// possible. x/net runs at most MaxConcurrentStreams handlers per
// connection and queues a bounded number more; a client that keeps
// resetting past that is cut off (GOAWAY ENHANCE_YOUR_CALM).
func TestRapidReset(t *testing.T) {
	var cur, peak, started atomic.Int64
	release := make(chan struct{})
	h := func(ctx *fasthttp.RequestCtx) {
		started.Add(1)
		n := cur.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		select {
		case <-release:
		case <-time.After(200 * time.Millisecond):
		}
		cur.Add(-1)
	}
	s := startServer(t, Options{}, h, false)
	base := runtime.NumGoroutine()
	rc := dialRaw(t, s.addr())
	type res struct {
		goAway int
		err    error
	}
	done := make(chan res, 1)
	go func() { ga, _, err := rc.drain(); done <- res{ga, err} }()
	const attempts = 20000
	sent := 0
	var werr error
	for i := range attempts {
		id := uint32(2*i + 1)
		if werr = rc.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: rc.headerBlock("/"), EndStream: true, EndHeaders: true}); werr != nil {
			break
		}
		if werr = rc.fr.WriteRSTStream(id, http2.ErrCodeCancel); werr != nil {
			break
		}
		sent++
	}
	r := <-done
	close(release)
	t.Logf("rapid reset: %d of %d HEADERS+RST sent (write error %v); %d handlers started, peak %d concurrent; GOAWAY code %d, read end %v",
		sent, attempts, werr, started.Load(), peak.Load(), r.goAway, r.err)
	if peak.Load() > DefaultMaxConcurrentStreams {
		t.Errorf("peak %d concurrent handlers > MaxConcurrentStreams %d", peak.Load(), DefaultMaxConcurrentStreams)
	}
	if r.goAway != int(http2.ErrCodeEnhanceYourCalm) {
		t.Errorf("GOAWAY code %d, want ENHANCE_YOUR_CALM", r.goAway)
	}
	if n := settle(t, base); n > base+2 {
		t.Errorf("goroutines %d after the attack, %d before", n, base)
	}
}

// TestContinuationFlood is CVE-2023-45288: HEADERS without END_HEADERS,
// then CONTINUATION frames forever. x/net stops reading the block once it
// exceeds SETTINGS_MAX_HEADER_LIST_SIZE (MaxHeaderBytes) and closes.
func TestContinuationFlood(t *testing.T) {
	s := startServer(t, Options{}, testHandler(""), false)
	base := runtime.NumGoroutine()
	rc := dialRaw(t, s.addr())
	done := make(chan error, 1)
	go func() { _, _, err := rc.drain(); done <- err }()
	block := rc.headerBlock("/")
	if err := rc.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block, EndStream: true}); err != nil {
		t.Fatal(err)
	}
	junk := rc.headerBlock("/", hpack.HeaderField{Name: "x-junk", Value: strings.Repeat("j", 8000)})[len(block):]
	sent := 0
	var werr error
	for sent < 64<<20 {
		if werr = rc.fr.WriteContinuation(1, false, junk); werr != nil {
			break
		}
		sent += len(junk)
	}
	err := <-done
	t.Logf("CONTINUATION flood: server closed after %d bytes of header block (MaxHeaderBytes %d); write error %v, read end %v", sent, New(Options{}, nil).opts.MaxHeaderBytes, werr, err)
	if werr == nil {
		t.Errorf("server read 64 MiB of CONTINUATION without closing")
	}
	if n := settle(t, base); n > base+2 {
		t.Errorf("goroutines %d after the attack, %d before", n, base)
	}
}

// TestControlFrameFloods sends SETTINGS and PING frames without reading the
// ACKs. x/net queues at most 10000 control frames and then closes (seen
// for PING); otherwise it stops reading once its ACK writes block, and TCP
// flow control stops the client (seen for SETTINGS). Either way the
// client's writes end and the server's memory stays bounded.
func TestControlFrameFloods(t *testing.T) {
	s := startServer(t, Options{}, testHandler(""), false)
	for _, kind := range []string{"SETTINGS", "PING"} {
		t.Run(kind, func(t *testing.T) {
			base := runtime.NumGoroutine()
			var ms0, ms1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms0)
			rc := dialRaw(t, s.addr())
			// Shrink our receive buffer so the server's ACKs back up.
			if tc, ok := rc.c.(*net.TCPConn); ok {
				_ = tc.SetReadBuffer(4096)
			}
			_ = rc.c.SetWriteDeadline(time.Now().Add(3 * time.Second))
			const max = 2_000_000
			sent := 0
			var werr error
			for sent < max {
				if kind == "SETTINGS" {
					werr = rc.fr.WriteSettings()
				} else {
					werr = rc.fr.WritePing(false, [8]byte{1})
				}
				if werr != nil {
					break
				}
				sent++
			}
			runtime.ReadMemStats(&ms1)
			t.Logf("%s flood: client stopped after %d frames (write error %v); heap in use %+d KiB", kind, sent, werr, (int64(ms1.HeapInuse)-int64(ms0.HeapInuse))/1024)
			if werr == nil {
				t.Errorf("server accepted %d %s frames without closing", sent, kind)
			}
			if grow := int64(ms1.HeapInuse) - int64(ms0.HeapInuse); grow > 16<<20 {
				t.Errorf("heap grew %d MiB", grow>>20)
			}
			rc.c.Close()
			if n := settle(t, base); n > base+2 {
				t.Errorf("goroutines %d after the attack, %d before", n, base)
			}
		})
	}
}

// TestHPACKBomb adds one 4 KiB field to the dynamic table, then refers to
// it 4000 times (1 byte each): 16 MiB decoded from a 4 KiB block. x/net
// stops decoding at MaxHeaderBytes and answers 431 without calling the
// handler.
func TestHPACKBomb(t *testing.T) {
	var called atomic.Int64
	s := startServer(t, Options{}, func(ctx *fasthttp.RequestCtx) { called.Add(1) }, false)
	base := runtime.NumGoroutine()
	rc := dialRaw(t, s.addr())
	rc.hb.Reset()
	rc.enc.SetMaxDynamicTableSizeLimit(4096)
	block := rc.headerBlock("/", hpack.HeaderField{Name: "x-bomb", Value: strings.Repeat("b", 4000)})
	// Index 62 is the newest dynamic entry: 0x80|62 = an indexed field.
	block = append(block, bytes.Repeat([]byte{0x80 | 62}, 4000)...)
	if len(block) > 16000 {
		t.Fatalf("block of %d bytes does not fit one frame", len(block))
	}
	if err := rc.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block, EndStream: true, EndHeaders: true}); err != nil {
		t.Fatal(err)
	}
	status := ""
	dec := hpack.NewDecoder(4096, func(f hpack.HeaderField) {
		if f.Name == ":status" {
			status = f.Value
		}
	})
	var readErr error
	for status == "" && readErr == nil {
		var f http2.Frame
		f, readErr = rc.fr.ReadFrame()
		switch f := f.(type) {
		case *http2.HeadersFrame:
			_, _ = dec.Write(f.HeaderBlockFragment())
		case *http2.RSTStreamFrame:
			status = "RST " + f.ErrCode.String()
		case *http2.GoAwayFrame:
			status = "GOAWAY " + f.ErrCode.String()
		}
	}
	t.Logf("HPACK bomb (%d-byte block, ~16 MiB decoded): %s %v", len(block), status, readErr)
	if status != "431" {
		t.Errorf("answer %q, want 431", status)
	}
	if called.Load() != 0 {
		t.Error("the handler ran for a header list over the limit")
	}
	rc.c.Close()
	if n := settle(t, base); n > base+2 {
		t.Errorf("goroutines %d after the attack, %d before", n, base)
	}
}
