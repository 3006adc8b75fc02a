package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// haproxyStatus returns the status column (UP, DOWN, MAINT, ...) of each
// server of backend be from HAProxy's CSV stats page.
func haproxyStatus(statsURL, be string) map[string]string {
	c := &http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(statsURL + ";csv")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	r := csv.NewReader(resp.Body)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil || len(rows) == 0 {
		return nil
	}
	col := -1
	for i, h := range rows[0] {
		if strings.TrimPrefix(h, "# ") == "status" {
			col = i
		}
	}
	out := map[string]string{}
	for _, row := range rows[1:] {
		if len(row) > col && col >= 0 && row[0] == be && row[1] != "BACKEND" && row[1] != "FRONTEND" {
			out[row[1]] = row[col]
		}
	}
	return out
}

// TestRollingRestartBehindHAProxy is issue 19's rolling restart: three
// gohttpd instances (one per engine) behind one HAProxy with health
// checks on SetHandler health and send-proxy-v2, restarted one by one
// (SIGWINCH: the health check fails at once, the listener keeps
// accepting for GracefulStopDrainDelay, in-flight requests finish; then a
// new instance on the same port) while a bounded client loop sends
// requests through HAProxy: not one request fails, and the instances'
// access logs show the client's address from the PROXY header. Then one
// instance is killed with SIGKILL: at most the requests in flight on it
// fail.
func TestRollingRestartBehindHAProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("rolling restart: about 20 s")
	}
	engines := []string{"event", "prefork", "worker"}
	ports := []int{loopbackPort(t), loopbackPort(t), loopbackPort(t)}
	start := func(i int) *mpmtest.Server {
		return mpmtest.Start(t, mpmtest.Options{MPM: engines[i], Directives: []string{
			fmt.Sprintf("Listen 127.0.0.2:%d", ports[i]),
			"GracefulStopDrainDelay 1500ms",
			"GracefulShutdownTimeout 10",
			`LogFormat "%a %{c}a %>s %U" remote`,
			"CustomLog logs/remote_log remote",
			"<VirtualHost 127.0.0.2:*>",
			"    RemoteIPProxyProtocol On",
			"</VirtualHost>",
			"<Location /healthz>",
			"    SetHandler health",
			"</Location>",
		}})
	}
	servers := make([]*mpmtest.Server, 3)
	for i := range servers {
		servers[i] = start(i)
	}
	front, stats := loopbackPort(t), loopbackPort(t)
	var be strings.Builder
	for i, p := range ports {
		// inter 200ms fall 1: a draining instance is out within 200 ms,
		// well inside GracefulStopDrainDelay.
		fmt.Fprintf(&be, "    server s%d 127.0.0.2:%d send-proxy-v2 check check-send-proxy inter 200ms fall 1 rise 2\n", i, p)
	}
	startHAProxy(t, fmt.Sprintf(`global
    maxconn 200
defaults
    mode http
    option redispatch
    retries 3
    timeout connect 2s
    timeout client 20s
    timeout server 20s
frontend web
    bind 127.0.0.1:%d
    default_backend pool
frontend stats
    bind 127.0.0.1:%d
    stats enable
    stats uri /stats
backend pool
    option httpchk GET /healthz
    http-check expect status 200
%s`, front, stats, be.String()), front, stats)
	statsURL := fmt.Sprintf("http://127.0.0.1:%d/stats", stats)
	allUp := func() bool {
		st := haproxyStatus(statsURL, "pool")
		return len(st) == 3 && st["s0"] == "UP" && st["s1"] == "UP" && st["s2"] == "UP"
	}
	mpmtest.WaitFor(t, 15*time.Second, "HAProxy to see three instances UP", allUp)

	// The load: 4 keep-alive clients from 127.0.0.3, bounded in count and
	// time; it runs until the restarts are done.
	var ok, failed atomic.Int64
	var errMu sync.Mutex
	var errs []string // the failures, in order
	stop := make(chan struct{})
	var wg sync.WaitGroup
	url := fmt.Sprintf("http://127.0.0.1:%d/index.html", front)
	deadline := time.Now().Add(90 * time.Second)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := clientFrom("127.0.0.3")
			c.Transport.(*http.Transport).DisableKeepAlives = false
			for n := 0; n < 200000 && time.Now().Before(deadline); n++ {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := c.Get(url)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != 200 {
						err = fmt.Errorf("status %s", resp.Status)
					}
				}
				if err != nil {
					errMu.Lock()
					errs = append(errs, err.Error())
					errMu.Unlock()
					failed.Add(1)
					continue
				}
				ok.Add(1)
			}
		}()
	}
	for i := range servers {
		before := ok.Load()
		mpmtest.WaitFor(t, 10*time.Second, "requests flowing", func() bool { return ok.Load() > before+50 })
		old := servers[i]
		old.Signal(syscall.SIGWINCH)
		mpmtest.WaitFor(t, 5*time.Second, fmt.Sprintf("HAProxy to take s%d out", i), func() bool {
			return haproxyStatus(statsURL, "pool")[fmt.Sprintf("s%d", i)] != "UP"
		})
		if err := old.Wait(30 * time.Second); err != nil {
			t.Fatalf("instance %d: graceful stop: %v", i, err)
		}
		servers[i] = start(i)
		mpmtest.WaitFor(t, 15*time.Second, fmt.Sprintf("HAProxy to see s%d UP again", i), allUp)
	}
	rollingOK, rollingFailed := ok.Load(), failed.Load()

	// kill -9 of one instance (master and children): only requests in
	// flight on it may fail (at most one per client).
	before := ok.Load()
	mpmtest.WaitFor(t, 10*time.Second, "requests flowing", func() bool { return ok.Load() > before+50 })
	_ = syscall.Kill(-servers[0].PID(), syscall.SIGKILL)
	mpmtest.WaitFor(t, 10*time.Second, "HAProxy to take the killed s0 out", func() bool {
		return haproxyStatus(statsURL, "pool")["s0"] != "UP"
	})
	before = ok.Load()
	mpmtest.WaitFor(t, 10*time.Second, "requests flowing after the kill", func() bool { return ok.Load() > before+200 })
	close(stop)
	wg.Wait()
	t.Logf("%d requests through HAProxy during three rolling restarts, %d failed; after kill -9 of one instance: %d more, %d failed",
		rollingOK, rollingFailed, ok.Load()-rollingOK, failed.Load()-rollingFailed)
	if rollingFailed != 0 {
		t.Errorf("%d requests failed during the rolling restart: %q", rollingFailed, errs[:rollingFailed])
	}
	if k := failed.Load() - rollingFailed; k > 4 {
		t.Errorf("kill -9 of one instance failed %d requests, more than the 4 clients had in flight: %q", k, errs[rollingFailed:])
	}
	if ok.Load() < 500 {
		t.Errorf("only %d requests went through", ok.Load())
	}
	// Every new instance served some of the load, with the client's
	// address from the PROXY header and HAProxy as the peer.
	for i, s := range servers {
		if i == 0 {
			continue // killed: its buffered log lines may be lost
		}
		mpmtest.WaitFor(t, 5*time.Second, fmt.Sprintf("instance %d's access log", i), func() bool {
			b, _ := os.ReadFile(filepath.Join(s.Dir, "logs", "remote_log"))
			return strings.Contains(string(b), "127.0.0.3 127.0.0.1 200 /index.html\n")
		})
	}
}
