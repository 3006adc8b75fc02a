package compress

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// slowReader returns its data a few bytes at a time and records Close.
type slowReader struct {
	data   []byte
	closed bool
}

func (r *slowReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 777)], r.data)
	r.data = r.data[n:]
	return n, nil
}

func (r *slowReader) Close() error { r.closed = true; return nil }

func sample() []byte {
	return []byte(strings.Repeat(`{"id": 12345, "name": "compressible JSON record", "tags": ["a", "b"]}`+"\n", 2000))
}

func TestWriterRoundTrip(t *testing.T) {
	enc := NewEncoders()
	for _, e := range []Encoding{Gzip, Brotli} {
		for _, p := range []Params{{}, {GzipLevel: 1, BrotliQuality: 0, BrotliWindow: 10}, {GzipLevel: 9, BrotliQuality: 11, BrotliWindow: 24}} {
			var out bytes.Buffer
			w, err := enc.NewWriter(&out, e, p)
			if err != nil {
				t.Fatal(err)
			}
			in := sample()
			if _, err := w.Write(in); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if got := decode(t, e.Token(), out.Bytes()); !bytes.Equal(got, in) {
				t.Errorf("%v %+v: round trip differs", e, p)
			}
		}
	}
	if _, err := enc.NewWriter(io.Discard, Identity, Params{}); err == nil {
		t.Error("identity writer")
	}
}

func TestStreamReadAndWriteTo(t *testing.T) {
	enc := NewEncoders()
	for _, e := range []Encoding{Gzip, Brotli} {
		src := &slowReader{data: sample()}
		s := enc.NewStream(src, e, Params{}, false)
		raw, err := io.ReadAll(struct{ io.Reader }{s}) // Read path
		if err != nil {
			t.Fatal(err)
		}
		_ = s.Close()
		if !src.closed {
			t.Error("source not closed")
		}
		if got := decode(t, e.Token(), raw); !bytes.Equal(got, sample()) {
			t.Errorf("%v: Read path differs", e)
		}
		src = &slowReader{data: sample()}
		s = enc.NewStream(src, e, Params{}, true)
		var out bytes.Buffer
		if _, err := s.WriteTo(&out); err != nil {
			t.Fatal(err)
		}
		_ = s.Close()
		if got := decode(t, e.Token(), out.Bytes()); !bytes.Equal(got, sample()) {
			t.Errorf("%v: WriteTo path differs", e)
		}
	}
}

// TestStreamServed: a proxied-style streamed body, compressed while
// fasthttp writes it (chunked).
func TestStreamServed(t *testing.T) {
	enc := NewEncoders()
	p := policyOf(t, nil, "AddOutputFilterByType BROTLI_COMPRESS;DEFLATE application/json")
	addr := startServer(t, func(ctx *fasthttp.RequestCtx) {
		h := &ctx.Response.Header
		h.SetContentType("application/json")
		h.Set("ETag", `"v1"`)
		d := p.Decide(&Request{AcceptEncoding: ctx.Request.Header.Peek("Accept-Encoding")},
			&Response{Status: 200, ContentType: h.ContentType(), Length: -1})
		SetHeaders(h, d)
		var body io.Reader = &slowReader{data: sample()}
		if d.Encoding != Identity {
			body = enc.NewStream(body, d.Encoding, ParamsOf(p.Server()), false)
		}
		ctx.Response.SetBodyStream(body, -1)
	})
	for _, ae := range []string{"br", "gzip", ""} {
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		req.SetRequestURI("http://" + addr + "/api")
		if ae != "" {
			req.Header.Set("Accept-Encoding", ae)
		}
		if err := (&fasthttp.Client{}).DoTimeout(req, resp, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		if got := string(resp.Header.Peek("Content-Encoding")); got != ae {
			t.Errorf("%q: Content-Encoding %q", ae, got)
		}
		wantTag := `"v1"`
		if ae != "" {
			wantTag = `"v1-` + map[string]string{"br": "br", "gzip": "gzip"}[ae] + `"`
		}
		if got := string(resp.Header.Peek("ETag")); got != wantTag {
			t.Errorf("%q: ETag %s, want %s", ae, got, wantTag)
		}
		if got := string(resp.Header.Peek("Vary")); got != "Accept-Encoding" {
			t.Errorf("%q: Vary %q", ae, got)
		}
		if got := decode(t, ae, resp.Body()); !bytes.Equal(got, sample()) {
			t.Errorf("%q: body differs", ae)
		}
		fasthttp.ReleaseRequest(req)
		fasthttp.ReleaseResponse(resp)
	}
}

func TestApply(t *testing.T) {
	enc := NewEncoders()
	var resp fasthttp.Response
	resp.Header.Set("Vary", "Cookie")
	resp.Header.Set("ETag", `W/"abc"`)
	resp.Header.Set("Content-Encoding", "identity")
	resp.SetBody(sample())
	if err := enc.Apply(&resp, Decision{Encoding: Gzip, Vary: true}, Params{}); err != nil {
		t.Fatal(err)
	}
	if got := string(resp.Header.Peek("Vary")); got != "Cookie, Accept-Encoding" {
		t.Errorf("Vary %q", got)
	}
	if got := string(resp.Header.Peek("ETag")); got != `W/"abc-gzip"` {
		t.Errorf("ETag %q", got)
	}
	if got := string(resp.Header.Peek("Content-Encoding")); got != "gzip" {
		t.Errorf("Content-Encoding %q", got)
	}
	if resp.Header.ContentLength() != len(resp.Body()) {
		t.Errorf("Content-Length %d, body %d", resp.Header.ContentLength(), len(resp.Body()))
	}
	if got := decode(t, "gzip", resp.Body()); !bytes.Equal(got, sample()) {
		t.Error("body differs")
	}
	// Vary already there; ETag removal.
	var r2 fasthttp.Response
	r2.Header.Set("Vary", "accept-encoding")
	r2.Header.SetCanonical([]byte("ETag"), []byte(`"x"`))
	r2.SetBodyStream(strings.NewReader("x"), 1)
	if err := enc.Apply(&r2, Decision{Encoding: Brotli, Vary: true}, Params{}); err != ErrBodyStream {
		t.Errorf("stream body: %v", err)
	}
	SetHeaders(&r2.Header, Decision{Encoding: Brotli, Vary: true, AlterETag: 2})
	if got := string(r2.Header.Peek("Vary")); got != "accept-encoding" {
		t.Errorf("Vary %q", got)
	}
	if strings.Contains(r2.Header.String(), "ETag") || strings.Contains(r2.Header.String(), "Etag") {
		t.Errorf("ETag not removed: %s", r2.Header.String())
	}
}

// TestSteadyStateAllocs: pooled writers and streams allocate nothing once
// warm.
func TestSteadyStateAllocs(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("compresses repeatedly; pools drop items under -race")
	}
	enc := NewEncoders()
	in := sample()
	for _, e := range []Encoding{Gzip, Brotli} {
		run := func() {
			w, _ := enc.NewWriter(io.Discard, e, Params{})
			_, _ = w.Write(in)
			_ = w.Close()
		}
		run()
		if n := testing.AllocsPerRun(20, run); n > 0 {
			t.Errorf("%v Writer: %v allocs per body", e, n)
		}
		var src bytes.Reader
		stream := func() {
			src.Reset(in)
			s := enc.NewStream(&src, e, Params{}, false)
			_, _ = s.WriteTo(io.Discard)
			_ = s.Close()
		}
		stream()
		if n := testing.AllocsPerRun(20, stream); n > 0 {
			t.Errorf("%v Stream: %v allocs per body", e, n)
		}
	}
}

// TestStreamFlushEachRead: with flushEachRead, what the source gave so
// far reaches the client while the source is still blocked (server-sent
// events through a proxy); the client decodes the first event before the
// second is produced.
func TestStreamFlushEachRead(t *testing.T) {
	enc := NewEncoders()
	release := make(chan struct{})
	addr := startServer(t, func(ctx *fasthttp.RequestCtx) {
		pr, pw := io.Pipe()
		go func() {
			_, _ = pw.Write([]byte("data: first event\n\n"))
			select {
			case <-release:
			case <-time.After(10 * time.Second):
			}
			_, _ = pw.Write([]byte("data: second event\n\n"))
			_ = pw.Close()
		}()
		ctx.Response.Header.Set("Content-Encoding", "gzip")
		ctx.Response.SetBodyStream(enc.NewStream(pr, Gzip, Params{}, true), -1)
	})
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write([]byte("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	// Read the chunked body until the first event decodes; the source is
	// blocked meanwhile, so this only succeeds if the flush happened.
	br := bufio.NewReader(conn)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("headers: %v", err)
		}
		if line == "\r\n" {
			break
		}
	}
	pr, pw := io.Pipe()
	go func() {
		for {
			var n int
			if _, err := fmt.Fscanf(br, "%x\r\n", &n); err != nil || n == 0 {
				_ = pw.CloseWithError(err)
				return
			}
			if _, err := io.CopyN(pw, br, int64(n)); err != nil {
				_ = pw.CloseWithError(err)
				return
			}
			_, _ = br.Discard(2)
		}
	}()
	zr, err := gzip.NewReader(pr)
	if err != nil {
		t.Fatalf("gzip header not flushed: %v", err)
	}
	got := make([]byte, len("data: first event\n\n"))
	if _, err := io.ReadFull(zr, got); err != nil {
		t.Fatalf("first event not flushed while the source waits: %v", err)
	}
	close(release)
	rest, err := io.ReadAll(zr)
	if err != nil || string(rest) != "data: second event\n\n" {
		t.Errorf("rest %q, %v", rest, err)
	}
}
