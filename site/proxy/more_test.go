package proxy

import (
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHeadAndBodylessStatuses(t *testing.T) {
	be := backend(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/304":
			w.Header().Set("ETag", `"x"`)
			w.WriteHeader(http.StatusNotModified)
		case "/204":
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Content-Length", "5")
			_, _ = io.WriteString(w, "hello")
		}
	})
	srv, _ := build(t, []string{"ProxyPass", "/", "http://" + be + "/"})
	f := newFront(t, srv, nil, Options{})
	head, body := rawGet(t, f.addr, "HEAD /x HTTP/1.1\r\nHost: f\r\nConnection: close\r\n\r\n")
	if !strings.HasPrefix(head, "HTTP/1.1 200") || !strings.Contains(head, "Content-Length: 5") || body != "" {
		t.Errorf("HEAD: %q %q", head, body)
	}
	head, body = rawGet(t, f.addr, "GET /304 HTTP/1.1\r\nHost: f\r\nConnection: close\r\n\r\n")
	if !strings.HasPrefix(head, "HTTP/1.1 304") || !strings.Contains(strings.ToLower(head), `etag: "x"`) || body != "" {
		t.Errorf("304: %q %q", head, body)
	}
	head, body = rawGet(t, f.addr, "GET /204 HTTP/1.1\r\nHost: f\r\nConnection: close\r\n\r\n")
	if !strings.HasPrefix(head, "HTTP/1.1 204") || body != "" {
		t.Errorf("204: %q %q", head, body)
	}
}

func TestReverseBalancer(t *testing.T) {
	var be string
	be = backend(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "http://"+be+"/foo/bar/that")
		w.WriteHeader(http.StatusFound)
	})
	// The example in ap_proxy_location_reverse_map's comment:
	//   BalancerMember balancer://alias http://example.com/foo
	//   ProxyPassReverse /bash balancer://alias/bar
	// maps http://example.com/foo/bar/that to /bash/that.
	srv, _ := build(t,
		[]string{"ProxyPass", "/bash/", "balancer://alias/bar/"},
		[]string{"BalancerMember", "balancer://alias", "http://" + be + "/foo"},
		[]string{"ProxyPassReverse", "/bash", "balancer://alias/bar"},
	)
	f := newFront(t, srv, nil, Options{})
	head, _ := rawGet(t, f.addr, "GET /bash/x HTTP/1.1\r\nHost: front:81\r\nConnection: close\r\n\r\n")
	if !strings.Contains(head, "\r\nLocation: http://front:81/bash/that\r\n") {
		t.Fatalf("%s", head)
	}
}

// max= bounds the connections to a backend; a request that finds none
// free within the timeout is refused with 503 (AH01114).
func TestMaxConnections(t *testing.T) {
	release := make(chan struct{})
	holding := make(chan struct{}, 1)
	var once sync.Once
	be := backend(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hold" {
			holding <- struct{}{}
			<-release
		}
		_, _ = io.WriteString(w, "ok")
	})
	defer once.Do(func() { close(release) })
	srv, _ := build(t, []string{"ProxyPass", "/", "http://" + be + "/", "max=1", "timeout=2", "acquire=300ms"})
	f := newFront(t, srv, nil, Options{})
	done := make(chan int, 1)
	go func() {
		resp, err := httpClient.Get(f.url + "/hold")
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	// The backend holds /hold: the one connection max=1 allows is taken.
	select {
	case <-holding:
	case <-time.After(10 * time.Second):
		t.Fatal("the backend never received /hold")
	}
	start := time.Now()
	resp, err := httpClient.Get(f.url + "/other")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || time.Since(start) < 250*time.Millisecond {
		t.Fatalf("second request: %d after %v, want 503 after the 300ms acquire wait", resp.StatusCode, time.Since(start))
	}
	if !strings.Contains(f.logText(), "AH01114") {
		t.Errorf("log %s", f.logText())
	}
	once.Do(func() { close(release) })
	if st := <-done; st != 200 {
		t.Errorf("held request: %d", st)
	}
}

func TestBadQuery(t *testing.T) {
	be := backend(t, echo)
	srv, _ := build(t, []string{"ProxyPass", "/", "http://" + be + "/"})
	f := newFront(t, srv, nil, Options{})
	head, _ := rawGet(t, f.addr, "GET /x?a=\x01b HTTP/1.1\r\nHost: f\r\nConnection: close\r\n\r\n")
	if !strings.HasPrefix(head, "HTTP/1.1 403") && !strings.HasPrefix(head, "HTTP/1.1 400") {
		t.Fatalf("%q", head)
	}
	if strings.HasPrefix(head, "HTTP/1.1 403") && !strings.Contains(f.logText(), "AH10408") {
		t.Errorf("log %s", f.logText())
	}
}

func TestWebSocketRefusedAndDown(t *testing.T) {
	be := rawBackend(t, func(c net.Conn, _ string) {
		_, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\nX-Why: no\r\n\r\nno!")
	})
	srv, _ := build(t,
		[]string{"ProxyPass", "/ws/", "ws://" + be + "/"},
		[]string{"ProxyPass", "/down/", "ws://" + deadAddr(t) + "/"},
	)
	f := newFront(t, srv, nil, Options{})
	req := "Host: f\r\nUpgrade: websocket\r\nConnection: Upgrade, close\r\nSec-WebSocket-Key: x\r\nSec-WebSocket-Version: 13\r\n\r\n"
	head, body := rawGet(t, f.addr, "GET /ws/x HTTP/1.1\r\n"+req)
	if !strings.HasPrefix(head, "HTTP/1.1 400") || !strings.Contains(head, "X-Why: no") || body != "no!" {
		t.Errorf("refused upgrade: %q %q", head, body)
	}
	head, _ = rawGet(t, f.addr, "GET /down/x HTTP/1.1\r\n"+req)
	if !strings.HasPrefix(head, "HTTP/1.1 503") {
		t.Errorf("down: %q", head)
	}
}

// Connections are pooled by default; disablereuse=On uses one per request.
func TestDisableReuse(t *testing.T) {
	for _, tc := range []struct {
		param string
		want  int
	}{{"ttl=30", 1}, {"disablereuse=On", 3}, {"enablereuse=Off", 3}} {
		var mu sync.Mutex
		peers := map[string]bool{}
		be := backend(t, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			peers[r.RemoteAddr] = true
			mu.Unlock()
			_, _ = io.WriteString(w, "ok")
		})
		srv, _ := build(t, []string{"ProxyPass", "/", "http://" + be + "/", tc.param})
		f := newFront(t, srv, nil, Options{})
		for range 3 {
			resp, err := httpClient.Get(f.url + "/x")
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		mu.Lock()
		n := len(peers)
		mu.Unlock()
		if n != tc.want {
			t.Errorf("%s: %d backend connections for 3 requests, want %d", tc.param, n, tc.want)
		}
	}
}

func TestConnectRefused(t *testing.T) {
	be := backend(t, echo)
	srv, _ := build(t, []string{"ProxyPass", "/", "http://" + be + "/"})
	f := newFront(t, srv, nil, Options{})
	head, _ := rawGet(t, f.addr, "CONNECT evil.com:443 HTTP/1.1\r\nHost: evil.com:443\r\nConnection: close\r\n\r\n")
	if strings.HasPrefix(head, "HTTP/1.1 200") {
		t.Fatalf("CONNECT proxied: %q", head)
	}
}
