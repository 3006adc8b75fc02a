package status

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/listener"
)

// pollTimeout bounds every wait for the kernel to reach a state.
const pollTimeout = 5 * time.Second

// openListener opens a real listener on 127.0.0.1 with backlog that
// nobody accepts from.
func openListener(t *testing.T, backlog int) *listener.Listener {
	t.Helper()
	ln, err := listener.Open(listener.Spec{Host: "127.0.0.1", Port: 0, Backlog: backlog})
	if err != nil {
		t.Fatalf("listener.Open = %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// dial connects n clients to addr; they are closed when the test ends.
func dial(t *testing.T, addr string, n int) []net.Conn {
	t.Helper()
	var conns []net.Conn
	for range n {
		c, err := net.DialTimeout("tcp", addr, pollTimeout)
		if err != nil {
			t.Fatalf("Dial(%s) = %v", addr, err)
		}
		t.Cleanup(func() { c.Close() })
		conns = append(conns, c)
	}
	return conns
}

// liveStatus is a Status over the event fixture that reads the real
// kernel sources and shows ln.
func liveStatus(t *testing.T, ln *listener.Listener) string {
	t.Helper()
	board, cfg := eventFixture(t)
	cfg.Listen = nil
	s := newTestStatus(board, cfg, ln)
	s.sockets = listener.CountLocal
	s.kernel = listener.KernelCounters
	return serve(t, s.Handler())
}

// pollAuto fetches ?auto until cond holds for its values, up to
// pollTimeout, and returns the last values.
func pollAuto(t *testing.T, url string, cond func(map[string]string) bool) (map[string]string, bool) {
	t.Helper()
	deadline := time.Now().Add(pollTimeout)
	for {
		_, lines := parseAuto(t, fetch(t, http.MethodGet, url+"/server-status?auto").body)
		m := autoMap(lines)
		if cond(m) {
			return m, true
		}
		if time.Now().After(deadline) {
			return m, false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func atLeast(m map[string]string, key string, n int) bool {
	v, err := strconv.Atoi(m[key])
	return err == nil && v >= n
}

// TestAcceptQueue: three clients connected to a listener that does not
// accept wait in its accept queue, shown as 3/8 with their ESTABLISHED
// server-side sockets and the LISTEN socket.
func TestAcceptQueue(t *testing.T) {
	ln := openListener(t, 8)
	url := liveStatus(t, ln)
	dial(t, ln.Addr().String(), 3)

	key := "ListenQueue_" + ln.Addr().String()
	m, ok := pollAuto(t, url, func(m map[string]string) bool {
		return m[key] == "3/8" && atLeast(m, "TCPEstablished", 3) && atLeast(m, "TCPListen", 1)
	})
	if !ok {
		t.Errorf("after %v: %s = %q, TCPEstablished = %q, TCPListen = %q; want 3/8, >= 3, >= 1",
			pollTimeout, key, m[key], m["TCPEstablished"], m["TCPListen"])
	}
	for _, k := range []string{"ListenOverflows", "ListenDrops", "SyncookiesSent"} {
		if _, err := strconv.ParseUint(m[k], 10, 64); err != nil {
			t.Errorf("?auto %s = %q, want a number", k, m[k])
		}
	}

	var got struct {
		Network struct {
			Ports     []int
			TCPStates map[string]int
			Listeners []listenerView
		}
	}
	body := fetch(t, http.MethodGet, url+"/server-status?json").body
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("json.Unmarshal(?json) = %v\n%s", err, body)
	}
	n := got.Network
	port := ln.Spec().Port
	if len(n.Ports) != 1 || n.Ports[0] != port {
		t.Errorf("network.ports = %v, want [%d]", n.Ports, port)
	}
	want := listenerView{Address: ln.Addr().String(), QueueLen: 3, Backlog: 8}
	if len(n.Listeners) != 1 || n.Listeners[0] != want {
		t.Errorf("network.listeners = %+v, want [%+v]", n.Listeners, want)
	}
	if n.TCPStates["ESTABLISHED"] < 3 || n.TCPStates["LISTEN"] < 1 {
		t.Errorf("network.tcpStates = %v, want ESTABLISHED >= 3, LISTEN >= 1", n.TCPStates)
	}
}

// TestTimeWait: a connection the server closes first leaves its
// server-side socket in TIME_WAIT, on the listener's port.
func TestTimeWait(t *testing.T) {
	ln := openListener(t, 8)
	url := liveStatus(t, ln)
	client := dial(t, ln.Addr().String(), 1)[0]

	if err := ln.SetDeadline(time.Now().Add(pollTimeout)); err != nil {
		t.Fatalf("SetDeadline = %v", err)
	}
	server, err := ln.Accept()
	if err != nil {
		t.Fatalf("Accept = %v", err)
	}
	if err := server.Close(); err != nil { // the server closes first
		t.Fatalf("server Close = %v", err)
	}
	if err := client.SetReadDeadline(time.Now().Add(pollTimeout)); err != nil {
		t.Fatalf("SetReadDeadline = %v", err)
	}
	if n, err := client.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("client Read = %d, %v, want EOF", n, err)
	}
	client.Close()

	m, ok := pollAuto(t, url, func(m map[string]string) bool { return atLeast(m, "TCPTimeWait", 1) })
	if !ok {
		t.Errorf("after %v: TCPTimeWait = %q, want >= 1", pollTimeout, m["TCPTimeWait"])
	}
}

// TestNetworkHTML: the page shows the listener's queue and the states.
func TestNetworkHTML(t *testing.T) {
	ln := openListener(t, 8)
	url := liveStatus(t, ln)
	dial(t, ln.Addr().String(), 2)
	want := "<tr><td>" + ln.Addr().String() + "</td><td>2</td><td>8</td></tr>"
	deadline := time.Now().Add(pollTimeout)
	var body string
	for time.Now().Before(deadline) {
		if body = fetch(t, http.MethodGet, url+"/server-status").body; strings.Contains(body, want) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	for _, w := range []string{want, "<th>TIME_WAIT</th>", "<th>LISTEN</th>", "<dt>ListenOverflows: "} {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q\n%s", w, body)
		}
	}
}

// TestListenerBuckets: SO_REUSEPORT sockets sharing one address (listener
// buckets) get distinct names, so ?auto keys and metric labels stay unique.
func TestListenerBuckets(t *testing.T) {
	first, err := listener.Open(listener.Spec{Host: "127.0.0.1", Backlog: 8, ReusePort: true})
	if err != nil {
		t.Fatalf("listener.Open = %v", err)
	}
	t.Cleanup(func() { first.Close() })
	second, err := listener.Open(listener.Spec{Host: "127.0.0.1", Port: first.Spec().Port, Backlog: 4, ReusePort: true})
	if err != nil {
		t.Fatalf("listener.Open(port %d, ReusePort) = %v", first.Spec().Port, err)
	}
	t.Cleanup(func() { second.Close() })

	board, cfg := eventFixture(t)
	s := newTestStatus(board, cfg, first, second)
	addr := first.Addr().String()
	_, lines := parseAuto(t, fetch(t, http.MethodGet, serve(t, s.Handler())+"/server-status?auto").body)
	m := autoMap(lines)
	for key, want := range map[string]string{"ListenQueue_" + addr + "#0": "0/8", "ListenQueue_" + addr + "#1": "0/4"} {
		if m[key] != want {
			t.Errorf("?auto %s = %q, want %q", key, m[key], want)
		}
	}
	families := scrape(t, serve(t, s.Metrics()))
	if n := len(families["gohttpd_listen_backlog"].GetMetric()); n != 2 {
		t.Errorf("gohttpd_listen_backlog has %d series, want 2", n)
	}
}
