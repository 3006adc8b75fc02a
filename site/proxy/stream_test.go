package proxy

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const bigBody = 50 << 20

// zeros is an endless reader of a repeated pattern.
type pattern struct{}

func (pattern) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte('a' + i%26)
	}
	return len(p), nil
}

// heapPeak samples the heap while fn runs and returns the largest growth
// over the heap in use before it.
func heapPeak(t *testing.T, fn func()) uint64 {
	t.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tk := time.NewTicker(10 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tk.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > base && m.HeapAlloc-base > peak.Load() {
					peak.Store(m.HeapAlloc - base)
				}
			}
		}
	})
	fn()
	close(stop)
	wg.Wait()
	return peak.Load()
}

// The backend's 50 MB body reaches the client through the proxy without
// being held whole: the heap grows by a small fraction of it.
func TestStreamLargeResponse(t *testing.T) {
	for _, chunked := range []bool{false, true} {
		be := backend(t, func(w http.ResponseWriter, r *http.Request) {
			if !chunked {
				w.Header().Set("Content-Length", strconv.Itoa(bigBody))
			}
			_, _ = io.CopyN(w, pattern{}, bigBody)
		})
		srv, _ := build(t, []string{"ProxyPass", "/", "http://" + be + "/"})
		f := newFront(t, srv, nil, Options{})
		var n int64
		peak := heapPeak(t, func() {
			resp, err := httpClient.Get(f.url + "/big")
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			if chunked != (resp.ContentLength < 0) {
				t.Errorf("chunked %v: Content-Length %d", chunked, resp.ContentLength)
			}
			n, err = io.Copy(io.Discard, resp.Body)
			if err != nil {
				t.Error(err)
			}
		})
		t.Logf("download of %d MB (chunked %v): heap peak growth %.1f MB", bigBody>>20, chunked, float64(peak)/(1<<20))
		if n != bigBody {
			t.Fatalf("got %d bytes", n)
		}
		if peak > bigBody/5 {
			t.Errorf("heap grew by %d bytes for a %d-byte body", peak, bigBody)
		}
	}
}

// A 50 MB upload streams to the backend the same way.
func TestStreamLargeUpload(t *testing.T) {
	got := make(chan int64, 1)
	be := backend(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		got <- n
		_, _ = io.WriteString(w, strconv.FormatInt(n, 10))
	})
	srv, _ := build(t, []string{"ProxyPass", "/", "http://" + be + "/"})
	f := newFront(t, srv, nil, Options{})
	for _, chunked := range []bool{false, true} {
		var status int
		peak := heapPeak(t, func() {
			var body io.Reader = io.LimitReader(pattern{}, bigBody)
			req, _ := http.NewRequest("POST", f.url+"/up", body)
			if !chunked {
				req.ContentLength = bigBody
			}
			resp, err := httpClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			status = resp.StatusCode
		})
		t.Logf("upload of %d MB (chunked %v): heap peak growth %.1f MB", bigBody>>20, chunked, float64(peak)/(1<<20))
		if status != 200 {
			t.Fatalf("status %d", status)
		}
		if n := <-got; n != bigBody {
			t.Fatalf("backend got %d bytes", n)
		}
		if peak > bigBody/5 {
			t.Errorf("heap grew by %d bytes for a %d-byte body", peak, bigBody)
		}
	}
}

// The heap sampler does see a body held whole (so the bounds above mean
// something).
func TestHeapPeakSeesWholeBody(t *testing.T) {
	peak := heapPeak(t, func() {
		b := make([]byte, bigBody)
		for i := range b {
			b[i] = 1
		}
		time.Sleep(50 * time.Millisecond)
		runtime.KeepAlive(b)
	})
	if peak < bigBody/2 {
		t.Fatalf("peak %d for a %d-byte allocation", peak, bigBody)
	}
}

// A client that goes away mid-body releases the backend: its write fails
// soon and the proxy holds no connection to it.
func TestClientAbortReleasesBackend(t *testing.T) {
	backendDone := make(chan error, 1)
	be := backend(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(bigBody))
		_, err := io.CopyN(w, pattern{}, bigBody)
		backendDone <- err
	})
	srv, _ := build(t, []string{"ProxyPass", "/", "http://" + be + "/"})
	f := newFront(t, srv, nil, Options{})
	resp, err := httpClient.Get(f.url + "/big")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(io.Discard, resp.Body, 1<<20); err != nil {
		t.Fatal(err)
	}
	w := f.px.routes[0].w
	if n := w.busy.Load(); n != 1 {
		t.Errorf("busy %d while the body streams, want 1 (bybusyness counts it)", n)
	}
	resp.Body.Close() // closes the connection mid-body
	select {
	case err := <-backendDone:
		if err == nil {
			t.Fatal("backend wrote the whole body to nobody")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("backend still writing 10 s after the client left")
	}
	deadline := time.Now().Add(5 * time.Second)
	for (w.hc.ConnsCount() != 0 || w.busy.Load() != 0) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := w.hc.ConnsCount(); n != 0 {
		t.Fatalf("%d backend connections left", n)
	}
	if n := w.busy.Load(); n != 0 {
		t.Fatalf("busy %d after the client left", n)
	}
}

// A backend that dies mid-body: the client's response is cut short and
// Options.Logger gets Apache's AH01110, for a streamed body and for a
// small one read whole before it is sent (smallBody).
func TestBackendDiesMidBody(t *testing.T) {
	for _, tc := range []struct {
		name       string
		size, sent int64
	}{
		{"streamed", 1000000, 100000},
		{"small", smallBody, 100},
		{"small, nothing sent", 1000, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			be := rawBackend(t, func(c net.Conn, _ string) {
				_, _ = fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", tc.size)
				_, _ = io.CopyN(c, pattern{}, tc.sent)
			})
			srv, _ := build(t, []string{"ProxyPass", "/", "http://" + be + "/"})
			var logBuf syncBuffer
			f := newFront(t, srv, nil, Options{Logger: slog.New(slog.NewTextHandler(&logBuf, nil))})
			resp, err := httpClient.Get(f.url + "/x")
			if err != nil {
				t.Fatal(err)
			}
			n, err := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err == nil || n >= tc.size || resp.ContentLength != tc.size {
				t.Fatalf("got %d bytes of %d, err %v: want a cut-short body", n, resp.ContentLength, err)
			}
			deadline := time.Now().Add(5 * time.Second)
			for !strings.Contains(logBuf.String(), "AH01110: error reading response") && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if l := logBuf.String(); strings.Count(l, "AH01110: error reading response") != 1 || !strings.Contains(l, "module=proxy_http") {
				t.Fatalf("log %q", l)
			}
		})
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
