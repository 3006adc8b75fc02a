package proxy

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBalancerByRequests(t *testing.T) {
	var mu sync.Mutex
	counts := map[string]int{}
	member := func(name string) string {
		return backend(t, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			counts[name]++
			mu.Unlock()
			_, _ = io.WriteString(w, name)
		})
	}
	a, b, c, d := member("a"), member("b"), member("c"), member("d")
	srv, _ := build(t,
		[]string{"ProxyPass", "/lb/", "balancer://pool/"},
		[]string{"<Proxy", "balancer://pool"},
		[]string{"BalancerMember", "http://" + a},
		[]string{"BalancerMember", "http://" + b},
		[]string{"BalancerMember", "http://" + c},
		[]string{"BalancerMember", "http://" + d, "loadfactor=2"},
		[]string{"</Proxy>"},
	)
	f := newFront(t, srv, nil, Options{})
	var order []string
	for range 50 {
		resp, err := httpClient.Get(f.url + "/lb/x")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		order = append(order, string(body))
	}
	// Apache's byrequests with lbfactor 1 1 1 2: d gets twice the others'
	// share (the comment in mod_lbmethod_byrequests.c: "b a d c d a c d b d").
	t.Logf("order %s", strings.Join(order, " "))
	for _, m := range []string{"a", "b", "c"} {
		if n := counts[m]; n < 9 || n > 11 {
			t.Errorf("%s served %d of 50, want 10±1 (counts %v)", m, n, counts)
		}
	}
	if n := counts["d"]; n < 19 || n > 21 {
		t.Errorf("d served %d of 50, want 20±1 (counts %v)", n, counts)
	}
}

func TestBalancerByBusyness(t *testing.T) {
	hold := make(chan struct{})
	var mu sync.Mutex
	counts := map[string]int{}
	member := func(name string, slow bool) string {
		return backend(t, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			counts[name]++
			mu.Unlock()
			if slow && r.URL.Path == "/hold" {
				<-hold
			}
			_, _ = io.WriteString(w, name)
		})
	}
	a, b := member("a", true), member("b", true)
	srv, _ := build(t,
		[]string{"ProxyPass", "/", "balancer://busy/"},
		[]string{"BalancerMember", "balancer://busy", "http://" + a},
		[]string{"BalancerMember", "balancer://busy", "http://" + b},
		[]string{"ProxySet", "balancer://busy", "lbmethod=bybusyness"},
	)
	f := newFront(t, srv, nil, Options{})
	// One request held on whichever member gets it: every later request
	// goes to the other, idle one.
	done := make(chan string, 1)
	go func() {
		resp, err := httpClient.Get(f.url + "/hold")
		if err != nil {
			done <- err.Error()
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- string(body)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := counts["a"] + counts["b"]
		mu.Unlock()
		if n == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	busy := "a"
	if counts["b"] == 1 {
		busy = "b"
	}
	mu.Unlock()
	var got []string
	for range 6 {
		resp, err := httpClient.Get(f.url + "/x")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got = append(got, string(body))
	}
	close(hold)
	if held := <-done; held != busy {
		t.Errorf("held request answered by %q, want %q", held, busy)
	}
	for _, g := range got {
		if g == busy {
			t.Fatalf("bybusyness sent a request to the busy member %s: %v", busy, got)
		}
	}
}

func TestBalancerDeadMember(t *testing.T) {
	live := backend(t, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "live") })
	dead := deadAddr(t)
	_, port, _ := net.SplitHostPort(dead)
	srv, _ := build(t,
		[]string{"ProxyPass", "/", "balancer://p/"},
		[]string{"<Proxy", "balancer://p"},
		[]string{"BalancerMember", "http://" + dead, "retry=1"},
		[]string{"BalancerMember", "http://" + live},
		[]string{"</Proxy>"},
	)
	f := newFront(t, srv, nil, Options{})
	get := func() (int, string) {
		resp, err := httpClient.Get(f.url + "/x")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(body)
	}
	// byrequests starts with the first member: it fails, is disabled for
	// retry=1 s, and the request fails over to the live one.
	for i := range 6 {
		if st, body := get(); st != 200 || body != "live" {
			t.Fatalf("request %d: %d %q", i, st, body)
		}
	}
	// Apache 2.4.71, same configuration (apache_test.go), in this order:
	want := fmt.Sprintf("[proxy:error] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:%s (127.0.0.1:%s) failed\n"+
		"[proxy:error] AH00959: ap_proxy_connect_backend disabling worker for (127.0.0.1:%s) for 1s\n"+
		"[proxy_http:error] AH01114: HTTP: failed to make connection to backend: 127.0.0.1\n", port, port, port)
	if got := f.logText(); got != want {
		t.Fatalf("log\n%s\nwant\n%s", got, want)
	}
	// After retry the dead member is tried again (and disabled again).
	f.resetLogs()
	time.Sleep(1100 * time.Millisecond)
	for range 2 {
		if st, _ := get(); st != 200 {
			t.Fatalf("status %d", st)
		}
	}
	if got := f.logText(); !strings.Contains(got, "AH00959") {
		t.Fatalf("after retry: log\n%s", got)
	}
}

func TestBalancerAllDown(t *testing.T) {
	for _, force := range []string{"On", "Off"} {
		srv, _ := build(t,
			[]string{"ProxyPass", "/", "balancer://p/"},
			[]string{"BalancerMember", "balancer://p", "http://" + deadAddr(t)},
			[]string{"BalancerMember", "balancer://p", "http://" + deadAddr(t)},
			[]string{"ProxySet", "balancer://p", "forcerecovery=" + force},
		)
		f := newFront(t, srv, nil, Options{})
		for i := range 2 {
			f.resetLogs()
			resp, err := httpClient.Get(f.url + "/x")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 503 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			l := f.logText()
			switch {
			case i == 0 || force == "On":
				// Both members are tried and disabled. With forcerecovery On
				// (the default) Apache 2.4.71 does that on every request:
				// when all members are in error state all are retried.
				if strings.Count(l, "AH00957") != 2 || strings.Count(l, "AH00959") != 2 || strings.Contains(l, "AH01170") {
					t.Fatalf("forcerecovery=%s request %d: log\n%s", force, i, l)
				}
			default:
				if l != "[proxy_balancer:error] AH01170: balancer://p: All workers are in error state\n" {
					t.Fatalf("forcerecovery=Off request %d: log\n%s", i, l)
				}
			}
		}
	}
}
