package h2bridge

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// readResponses reads frames until want streams ended; it returns each
// stream's status and body, and the order in which they ended.
func (rc *rawClient) readResponses(t *testing.T, want int) (status map[uint32]string, body map[uint32][]byte, order []uint32) {
	t.Helper()
	status, body = map[uint32]string{}, map[uint32][]byte{}
	if rc.dec == nil {
		rc.dec = hpack.NewDecoder(4096, nil)
	}
	dec := rc.dec
	for len(order) < want {
		f, err := rc.fr.ReadFrame()
		if err != nil {
			t.Fatalf("after %v: %v", order, err)
		}
		id := f.Header().StreamID
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				_ = rc.fr.WriteSettingsAck()
			}
		case *http2.HeadersFrame:
			fields, err := dec.DecodeFull(f.HeaderBlockFragment())
			if err != nil {
				t.Fatal(err)
			}
			for _, hf := range fields {
				if hf.Name == ":status" && status[id] != "200" {
					status[id] = hf.Value
				}
			}
			if f.StreamEnded() {
				order = append(order, id)
			}
		case *http2.DataFrame:
			body[id] = append(body[id], f.Data()...)
			if f.StreamEnded() {
				order = append(order, id)
			}
		case *http2.RSTStreamFrame:
			t.Fatalf("stream %d reset: %v", id, f.ErrCode)
		case *http2.GoAwayFrame:
			t.Fatalf("GOAWAY %v", f.ErrCode)
		}
	}
	return status, body, order
}

// block encodes fields as one header block.
func (rc *rawClient) block(fields ...hpack.HeaderField) []byte {
	rc.hb.Reset()
	for _, f := range fields {
		_ = rc.enc.WriteField(f)
	}
	return append([]byte(nil), rc.hb.Bytes()...)
}

// TestNativeSlowStreamDoesNotHoldOthers: the native loop batches the
// responses of a connection into few writes, but a stream whose handler
// is slow must not hold back the responses of the others.
func TestNativeSlowStreamDoesNotHoldOthers(t *testing.T) {
	release := make(chan struct{})
	h := func(ctx *fasthttp.RequestCtx) {
		if string(ctx.Path()) == "/slow" {
			select {
			case <-release:
			case <-time.After(10 * time.Second):
			}
		}
		ctx.SetBodyString(string(ctx.Path()))
	}
	s := startServer(t, Options{}, h, false)
	rc := dialRaw(t, s.addr())
	_ = rc.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: rc.headerBlock("/slow"), EndStream: true, EndHeaders: true})
	for i := uint32(3); i <= 11; i += 2 {
		_ = rc.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: i, BlockFragment: rc.headerBlock("/fast"), EndStream: true, EndHeaders: true})
	}
	_, body, order := rc.readResponses(t, 5)
	for _, id := range order {
		if id == 1 || string(body[id]) != "/fast" {
			t.Fatalf("stream %d ended with %q among the first five (order %v)", id, body[id], order)
		}
	}
	close(release)
	_, body, _ = rc.readResponses(t, 1)
	if string(body[1]) != "/slow" {
		t.Errorf("slow stream: %q", body[1])
	}
}

// TestNativeRequests covers what the native loop builds from a header
// block: split cookies joined, the body read with and without
// content-length, "expect: 100-continue" answered before the body, a
// response larger than the client's window, and many streams at once.
func TestNativeRequests(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320000 bytes
	h := func(ctx *fasthttp.RequestCtx) {
		switch string(ctx.Path()) {
		case "/cookie":
			ctx.SetBody(ctx.Request.Header.Peek("Cookie"))
		case "/echo":
			ctx.SetBodyString(strconv.Itoa(len(ctx.Request.Body())) + " " + string(ctx.Request.Header.Peek("Content-Length")))
		case "/big":
			ctx.SetBody(big)
		default:
			ctx.SetBodyString("ok")
		}
	}
	s := startServer(t, Options{}, h, false)

	t.Run("cookies", func(t *testing.T) {
		rc := dialRaw(t, s.addr())
		block := rc.headerBlock("/cookie", hpack.HeaderField{Name: "cookie", Value: "a=1"}, hpack.HeaderField{Name: "cookie", Value: "b=2"})
		_ = rc.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block, EndStream: true, EndHeaders: true})
		_, body, _ := rc.readResponses(t, 1)
		if string(body[1]) != "a=1; b=2" {
			t.Errorf("cookie %q", body[1])
		}
	})
	t.Run("body", func(t *testing.T) {
		rc := dialRaw(t, s.addr())
		for i, cl := range []string{"", "5"} {
			id := uint32(2*i + 1)
			var extra []hpack.HeaderField
			if cl != "" {
				extra = append(extra, hpack.HeaderField{Name: "content-length", Value: cl})
			}
			block := rc.block(append([]hpack.HeaderField{
				{Name: ":method", Value: "POST"}, {Name: ":scheme", Value: "http"},
				{Name: ":authority", Value: "native.example"}, {Name: ":path", Value: "/echo"},
			}, extra...)...)
			_ = rc.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: block, EndHeaders: true})
			_ = rc.fr.WriteData(id, false, []byte("he"))
			_ = rc.fr.WriteData(id, true, []byte("llo"))
		}
		_, body, _ := rc.readResponses(t, 2)
		if string(body[1]) != "5 5" || string(body[3]) != "5 5" {
			t.Errorf("bodies %q %q", body[1], body[3])
		}
	})
	t.Run("expect", func(t *testing.T) {
		rc := dialRaw(t, s.addr())
		block := rc.headerBlock("/echo", hpack.HeaderField{Name: "expect", Value: "100-continue"}, hpack.HeaderField{Name: "content-length", Value: "3"})
		_ = rc.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block, EndHeaders: true})
		rc.dec = hpack.NewDecoder(4096, nil)
		dec := rc.dec
		for {
			f, err := rc.fr.ReadFrame()
			if err != nil {
				t.Fatal(err)
			}
			if hf, ok := f.(*http2.HeadersFrame); ok {
				fields, _ := dec.DecodeFull(hf.HeaderBlockFragment())
				if len(fields) != 1 || fields[0].Value != "100" || hf.StreamEnded() {
					t.Fatalf("first HEADERS %v, want :status 100", fields)
				}
				break
			}
		}
		_ = rc.fr.WriteData(1, true, []byte("abc"))
		_, body, _ := rc.readResponses(t, 1)
		if string(body[1]) != "3 3" {
			t.Errorf("body %q", body[1])
		}
	})
	t.Run("flow-control", func(t *testing.T) {
		rc := dialRaw(t, s.addr())
		// A 1000-byte stream window: the server must wait for each
		// WINDOW_UPDATE.
		_ = rc.fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1000})
		_ = rc.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: rc.headerBlock("/big"), EndStream: true, EndHeaders: true})
		var got []byte
		for {
			f, err := rc.fr.ReadFrame()
			if err != nil {
				t.Fatalf("after %d bytes: %v", len(got), err)
			}
			if d, ok := f.(*http2.DataFrame); ok {
				if len(d.Data()) > 1000 {
					t.Fatalf("DATA of %d bytes past a 1000-byte window", len(d.Data()))
				}
				got = append(got, d.Data()...)
				if d.StreamEnded() {
					break
				}
				if n := uint32(len(d.Data())); n > 0 {
					_ = rc.fr.WriteWindowUpdate(1, n)
					_ = rc.fr.WriteWindowUpdate(0, n)
				}
			}
		}
		if !bytes.Equal(got, big) {
			t.Errorf("body of %d bytes, want %d", len(got), len(big))
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		c := h2cClient()
		var wg sync.WaitGroup
		errs := make(chan string, 200)
		for range 200 {
			wg.Go(func() {
				resp, err := c.Get("http://" + s.addr() + "/x")
				if err != nil {
					errs <- err.Error()
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(b) != "ok" {
					errs <- string(b)
				}
			})
		}
		wg.Wait()
		close(errs)
		var all []string
		for e := range errs {
			all = append(all, e)
		}
		if len(all) > 0 {
			t.Errorf("%d failures: %s", len(all), strings.Join(all[:min(3, len(all))], "; "))
		}
	})
}

// TestNativeHandlerPanic: a panicking handler resets its stream; the
// connection and the process go on.
func TestNativeHandlerPanic(t *testing.T) {
	h := func(ctx *fasthttp.RequestCtx) {
		if string(ctx.Path()) == "/panic" {
			panic("boom")
		}
		ctx.SetBodyString("ok")
	}
	s := startServer(t, Options{}, h, false)
	rc := dialRaw(t, s.addr())
	_ = rc.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: rc.headerBlock("/panic"), EndStream: true, EndHeaders: true})
	for {
		f, err := rc.fr.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if r, ok := f.(*http2.RSTStreamFrame); ok {
			if r.StreamID != 1 || r.ErrCode != http2.ErrCodeInternal {
				t.Fatalf("RST_STREAM %d %v, want 1 INTERNAL_ERROR", r.StreamID, r.ErrCode)
			}
			break
		}
	}
	_ = rc.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: rc.headerBlock("/fine"), EndStream: true, EndHeaders: true})
	_, body, _ := rc.readResponses(t, 1)
	if string(body[3]) != "ok" {
		t.Errorf("after the panic: %q", body[3])
	}
}

// BenchmarkNativeStreams is the cost per stream over a loopback
// connection, native loop against x/net's server: batches of 10 GETs for a
// 1 KiB response, as h2load -m10 sends them (client work included).
func BenchmarkNativeStreams(b *testing.B) {
	for _, xnet := range []bool{false, true} {
		name := "native"
		if xnet {
			name = "xnet"
		}
		b.Run(name, func(b *testing.B) { benchStreams(b, Options{XNet: xnet}) })
	}
}

func benchStreams(b *testing.B, opts Options) {
	body := bytes.Repeat([]byte("x"), 1024)
	s := startServer(b, opts, func(ctx *fasthttp.RequestCtx) {
		ctx.SetContentType("text/html")
		ctx.SetBody(body)
	}, false)
	c, err := net.Dial("tcp", s.addr())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	bw := bufio.NewWriter(c)
	fr := http2.NewFramer(bw, bufio.NewReader(c))
	_, _ = io.WriteString(bw, http2.ClientPreface)
	_ = fr.WriteSettings()
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, f := range []hpack.HeaderField{{Name: ":method", Value: "GET"}, {Name: ":scheme", Value: "http"},
		{Name: ":authority", Value: "bench.example"}, {Name: ":path", Value: "/index.html"}, {Name: "user-agent", Value: "bench"}} {
		_ = enc.WriteField(f)
	}
	block := hb.Bytes() // only static-table and literal-without-indexing fields: reusable
	id := uint32(1)
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(10, b.N-done)
		for range n {
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: block, EndStream: true, EndHeaders: true})
			id += 2
		}
		_ = bw.Flush()
		got, data := 0, 0
		for got < n {
			f, err := fr.ReadFrame()
			if err != nil {
				b.Fatal(err)
			}
			switch f := f.(type) {
			case *http2.SettingsFrame:
				if !f.IsAck() {
					_ = fr.WriteSettingsAck()
				}
			case *http2.DataFrame:
				data += len(f.Data())
				if f.StreamEnded() {
					got++
				}
			}
		}
		_ = fr.WriteWindowUpdate(0, uint32(data))
		done += n
	}
}

// TestNativeIdleBeforePreface: a connection that negotiated h2 and then
// sends nothing (not even the preface) is closed after IdleTimeout, as one
// that went quiet after its streams.
func TestNativeIdleBeforePreface(t *testing.T) {
	s := startServer(t, Options{IdleTimeout: 200 * time.Millisecond}, testHandler(""), true)
	c, err := tls.Dial("tcp", s.addr(), &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if p := c.ConnectionState().NegotiatedProtocol; p != "h2" {
		t.Fatalf("ALPN %q", p)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	_, err = io.Copy(io.Discard, c)
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("closed after %v (%v), want ~200ms", el, err)
	}
}
