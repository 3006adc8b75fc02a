package load

//lint:file-ignore SA1019 x/net/http2's server on purpose: ServeConn (prior knowledge) with MaxConcurrentStreams on connections the test accepts and closes

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2Counter is an in-test handler that counts requests and the most
// streams active at once on one connection.
type h2Counter struct {
	served  atomic.Int64
	mu      sync.Mutex
	active  map[string]int // by client address
	maxConn int
	body    []byte
	delay   time.Duration
}

func (h *h2Counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	if h.active == nil {
		h.active = map[string]int{}
	}
	h.active[r.RemoteAddr]++
	h.maxConn = max(h.maxConn, h.active[r.RemoteAddr])
	h.mu.Unlock()
	if h.delay > 0 {
		time.Sleep(h.delay)
	}
	h.served.Add(1)
	w.Write(h.body)
	h.mu.Lock()
	h.active[r.RemoteAddr]--
	h.mu.Unlock()
}

// startH2C serves h with x/net/http2 with prior knowledge on a loopback
// listener (srv's settings).
func startH2C(t *testing.T, srv *http2.Server, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() { srv.ServeConn(c, &http2.ServeConnOpts{Handler: h}) })
		}
	})
	return ln.Addr().String()
}

func TestH2CountsExactlyAndHonoursMaxConcurrentStreams(t *testing.T) {
	h := &h2Counter{body: make([]byte, 1024), delay: time.Millisecond}
	addr := startH2C(t, &http2.Server{MaxConcurrentStreams: 3}, h)
	r, err := NewH2(H2Config{Addr: addr, Path: "/1k", Connections: 2, Streams: 10, MaxRequests: 300, Duration: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	res := r.Run(context.Background())
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.Requests != 300 || h.served.Load() != 300 || res.Errors.Total() != 0 || res.Unfinished != 0 {
		t.Fatalf("requests %d, served %d, errors %v, unfinished %d; want 300, 300, 0, 0",
			res.Requests, h.served.Load(), res.Errors, res.Unfinished)
	}
	if res.ServerMaxStreams != 3 || res.MaxStreams != 3 {
		t.Errorf("server max streams %d, most in flight %d; want 3 and 3", res.ServerMaxStreams, res.MaxStreams)
	}
	if h.maxConn > 3 {
		t.Errorf("the server saw %d streams at once on a connection, above its limit 3", h.maxConn)
	}
	if res.Connects != 2 || res.Latency.TotalCount() != 300 {
		t.Errorf("connects %d, latencies %d; want 2, 300", res.Connects, res.Latency.TotalCount())
	}
	if res.Bytes < 300*1024 {
		t.Errorf("bytes %d, under 300 KB", res.Bytes)
	}
}

func TestH2StreamsInFlight(t *testing.T) {
	// Without a server limit below it, each connection keeps Streams in
	// flight (the handler holds each request a while).
	h := &h2Counter{delay: 5 * time.Millisecond}
	addr := startH2C(t, &http2.Server{MaxConcurrentStreams: 250}, h)
	r, err := NewH2(H2Config{Addr: addr, Connections: 1, Streams: 8, MaxRequests: 80, Duration: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	res := r.Run(context.Background())
	if res.Err != nil || res.Requests != 80 {
		t.Fatalf("err %v, requests %d", res.Err, res.Requests)
	}
	if res.MaxStreams != 8 || h.maxConn < 2 {
		t.Errorf("most in flight %d (server saw %d at once); want 8", res.MaxStreams, h.maxConn)
	}
}

func TestH2FlowControl(t *testing.T) {
	// 1 MB responses through a 64 KB stream window and a 128 KB
	// connection window: the server stalls unless the client returns the
	// windows.
	h := &h2Counter{body: make([]byte, 1<<20)}
	addr := startH2C(t, &http2.Server{}, h)
	r, err := NewH2(H2Config{Addr: addr, Connections: 1, Streams: 4, MaxRequests: 12, Duration: 20 * time.Second,
		StreamWindow: 65535, ConnWindow: 128 << 10, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	res := r.Run(context.Background())
	if res.Err != nil || res.Requests != 12 || res.Errors.Total() != 0 {
		t.Fatalf("err %v, requests %d, errors %v", res.Err, res.Requests, res.Errors)
	}
	if res.WindowUpdates < 12*(1<<20)/(64<<10) {
		t.Errorf("%d WINDOW_UPDATEs for 12 MB through 64 KB windows", res.WindowUpdates)
	}
}

func TestH2OverTLS(t *testing.T) {
	h := &h2Counter{body: []byte("ok")}
	ts := httptest.NewUnstartedServer(h)
	ts.EnableHTTP2 = true
	ts.StartTLS()
	defer ts.Close()
	addr := strings.TrimPrefix(ts.URL, "https://")
	r, err := NewH2(H2Config{Addr: addr, Connections: 2, Streams: 5, MaxRequests: 50, Duration: 20 * time.Second,
		TLS: &tls.Config{InsecureSkipVerify: true}})
	if err != nil {
		t.Fatal(err)
	}
	res := r.Run(context.Background())
	if res.Err != nil || res.Requests != 50 || h.served.Load() != 50 {
		t.Fatalf("err %v, requests %d, served %d", res.Err, res.Requests, h.served.Load())
	}
	if res.TLS == nil || res.TLS.NegotiatedProtocol != "h2" {
		t.Errorf("TLS state %+v", res.TLS)
	}
}

func TestH2StatusCounted(t *testing.T) {
	addr := startH2C(t, &http2.Server{}, http.NotFoundHandler())
	r, err := NewH2(H2Config{Addr: addr, Streams: 4, MaxRequests: 20, Duration: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	res := r.Run(context.Background())
	if res.Requests != 0 || res.Errors.Status != 20 {
		t.Fatalf("requests %d, errors %v; want 0 and status=20", res.Requests, res.Errors)
	}
}

func TestH2NotH2FailsLoudly(t *testing.T) {
	h1 := httptest.NewServer(http.NotFoundHandler()) // HTTP/1.1 only
	defer h1.Close()
	h1tls := httptest.NewUnstartedServer(http.NotFoundHandler())
	h1tls.TLS = &tls.Config{NextProtos: []string{"http/1.1"}}
	h1tls.StartTLS()
	defer h1tls.Close()
	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts, then sends garbage
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() { // owned by the test: ends when silent is closed
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("\x00\x00\x04\x08\x00\x00\x00\x00\x00\x00\x00\x00\x01")) // WINDOW_UPDATE first
			c.Close()
		}
	}()
	for _, tc := range []struct {
		name, addr string
		tls        *tls.Config
		want       string
	}{
		{"h1 to prior knowledge", strings.TrimPrefix(h1.URL, "http://"), nil, "HTTP/1.1"},
		{"h1 TLS without h2", strings.TrimPrefix(h1tls.URL, "https://"), &tls.Config{InsecureSkipVerify: true}, "ALPN"},
		{"first frame not SETTINGS", silent.Addr().String(), nil, "not SETTINGS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewH2(H2Config{Addr: tc.addr, TLS: tc.tls, Connections: 4, Streams: 2, Duration: 20 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			t0 := time.Now()
			res := r.Run(context.Background())
			if !errors.Is(res.Err, ErrNotH2) || !strings.Contains(res.Err.Error(), tc.want) {
				t.Fatalf("err %v; want ErrNotH2 mentioning %q", res.Err, tc.want)
			}
			if el := time.Since(t0); el > 10*time.Second {
				t.Errorf("took %s to give up", el)
			}
			if res.Requests != 0 {
				t.Errorf("requests %d", res.Requests)
			}
		})
	}
}

func TestH2Refusals(t *testing.T) {
	for _, cfg := range []H2Config{
		{Addr: "10.0.0.1:80", Duration: time.Second},
		{Addr: "127.0.0.1:80"},
		{Addr: "127.0.0.1:80", Duration: time.Second, Streams: -1},
	} {
		if _, err := NewH2(cfg); err == nil {
			t.Errorf("NewH2(%+v) accepted", cfg)
		}
	}
}

func TestHoldH2(t *testing.T) {
	h := &h2Counter{}
	addr := startH2C(t, &http2.Server{}, h)
	idle, err := HoldH2(context.Background(), H2Config{Addr: addr, Path: "/x"}, 20)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	if idle.Held() != 20 || h.served.Load() != 20 {
		t.Fatalf("held %d, served %d; want 20, 20", idle.Held(), h.served.Load())
	}
	h1 := httptest.NewServer(http.NotFoundHandler())
	defer h1.Close()
	if _, err := HoldH2(context.Background(), H2Config{Addr: strings.TrimPrefix(h1.URL, "http://")}, 3); !errors.Is(err, ErrNotH2) {
		t.Fatalf("HoldH2 on HTTP/1.1: %v", err)
	}
}

func TestH2Stall(t *testing.T) {
	// A 1 MB stream whose window the client never returns, beside 1 KB
	// streams: a server that answers streams concurrently answers the
	// small ones; one limited to a stream at a time (a lock around the
	// handler, as prefork's one worker) answers none of them.
	big := make([]byte, 1<<20)
	var serial sync.Mutex
	handler := func(lock bool) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if lock {
				serial.Lock()
				defer serial.Unlock()
			}
			if r.URL.Path == "/big" {
				w.Write(big)
				return
			}
			w.Write(big[:1024])
		})
	}
	for _, tc := range []struct {
		lock   bool
		answer bool
	}{{false, true}, {true, false}} {
		// Serial: the small streams time out soon; concurrent: a loaded
		// machine's pause is no timeout.
		timeout := 2 * time.Second
		if tc.lock {
			timeout = 200 * time.Millisecond
		}
		addr := startH2C(t, &http2.Server{}, handler(tc.lock))
		r, err := NewH2(H2Config{Addr: addr, Path: "/small", Stall: "/big", Streams: 4,
			Duration: 1500 * time.Millisecond, Timeout: timeout})
		if err != nil {
			t.Fatal(err)
		}
		res := r.Run(context.Background())
		if res.Err != nil || res.Stalls == 0 {
			t.Fatalf("err %v, stalls %d", res.Err, res.Stalls)
		}
		// Serial: the small streams that took the lock before the big one
		// (at most one round of them) are answered, then none.
		if tc.answer && (res.Requests < 10 || res.Errors.Total() != 0) || !tc.answer && (res.Requests > 4 || res.Errors.Timeout == 0) {
			t.Errorf("serial %v: requests %d, errors %v", tc.lock, res.Requests, res.Errors)
		}
	}
}

// fakeH2 is a minimal HTTP/2 server on the Framer: it allows 4 streams
// per connection, refuses every third stream it sees (RST_STREAM
// REFUSED_STREAM), answers the others with an empty 200, and after 5
// answers on a connection sends GOAWAY naming the last stream it
// answered, then ignores newer streams until the client leaves.
func fakeH2(t *testing.T, served *atomic.Int64) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				preface := make([]byte, len(http2.ClientPreface))
				if _, err := io.ReadFull(c, preface); err != nil {
					return
				}
				fr := http2.NewFramer(c, c)
				fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 4})
				var hb bytes.Buffer
				enc := hpack.NewEncoder(&hb)
				enc.WriteField(hpack.HeaderField{Name: ":status", Value: "200"})
				seen, answered, last := 0, 0, uint32(0)
				for {
					f, err := fr.ReadFrame()
					if err != nil {
						return
					}
					switch f := f.(type) {
					case *http2.SettingsFrame:
						if !f.IsAck() {
							fr.WriteSettingsAck()
						}
					case *http2.HeadersFrame:
						if answered >= 5 {
							break // after GOAWAY
						}
						seen++
						if seen%3 == 0 {
							fr.WriteRSTStream(f.StreamID, http2.ErrCodeRefusedStream)
							break
						}
						served.Add(1) // before the answer: the run may end on it
						fr.WriteHeaders(http2.HeadersFrameParam{StreamID: f.StreamID, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true})
						answered++
						last = f.StreamID
						if answered == 5 {
							fr.WriteGoAway(last, http2.ErrCodeNo, nil)
						}
					}
				}
			})
		}
	})
	return ln.Addr().String()
}

func TestH2GoAwayAndRefusedStreams(t *testing.T) {
	var served atomic.Int64
	addr := fakeH2(t, &served)
	r, err := NewH2(H2Config{Addr: addr, Connections: 2, Streams: 8, MaxRequests: 60, Duration: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	res := r.Run(context.Background())
	if res.Err != nil || res.Requests != 60 || served.Load() != 60 || res.Errors.Total() != 0 || res.Unfinished != 0 {
		t.Fatalf("err %v, requests %d, served %d, errors %v, unfinished %d; want 60, 60, 0, 0",
			res.Err, res.Requests, served.Load(), res.Errors, res.Unfinished)
	}
	if res.GoAways < 10 || res.Connects < 12 || res.Resets == 0 || res.MaxStreams != 4 {
		t.Errorf("GOAWAYs %d, connects %d, resets %d, max in flight %d; want >= 10, >= 12, > 0, 4",
			res.GoAways, res.Connects, res.Resets, res.MaxStreams)
	}
}
