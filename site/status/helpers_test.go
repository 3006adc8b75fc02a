package status

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/listener"
	"github.com/gohttpd/gohttpd/mpm"
)

// Fixed times of the fixture: the board restarted at restart and the page
// is drawn uptime later.
var (
	restart = time.Date(2024, time.October, 22, 10, 0, 0, 0, time.UTC)
	uptime  = 1234 * time.Second
	now     = restart.Add(uptime)
)

// The request line of worker (0, 1): it must reach the page escaped.
const scriptRequest = `GET /<script>alert("x")</script> HTTP/1.1`

func newBoard(t testing.TB, serverLimit, threadLimit int) *mpm.Scoreboard {
	t.Helper()
	b, err := mpm.NewScoreboard(serverLimit, threadLimit)
	if err != nil {
		t.Fatalf("NewScoreboard(%d, %d) = %v", serverLimit, threadLimit, err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	return b
}

// setProcess makes process slot i live with pid and generation gen.
func setProcess(b *mpm.Scoreboard, i, pid int, gen uint64, quiescing uint32) {
	p := b.Process(i)
	p.SetPID(pid)
	p.SetGeneration(gen)
	p.SetQuiescing(quiescing)
	for j := range b.ThreadLimit() {
		w := b.Worker(i, j)
		w.SetPID(pid)
		w.SetGeneration(gen)
	}
}

// setStates sets the states of process i's first workers from letters.
func setStates(t testing.TB, b *mpm.Scoreboard, i int, letters string) {
	t.Helper()
	for j := range len(letters) {
		st, ok := stateOf(letters[j])
		if !ok {
			t.Fatalf("setStates: no state for letter %q", letters[j])
		}
		b.Worker(i, j).SetState(st)
	}
}

func stateOf(letter byte) (mpm.State, bool) {
	for st := range mpm.State(numStates) {
		if st.Letter() == letter {
			return st, true
		}
	}
	return 0, false
}

// eventFixture is an event board of ServerLimit 4 × ThreadLimit 8 with
// ThreadsPerChild 4 and MaxRequestWorkers 8 (so 2 processes are drawn):
//
//	slot 0: pid 1001, gen 2:              _ R W K   (R and W served requests)
//	slot 1: pid 1002, gen 1 (old gen):    G _ . C
//	slot 2: free                          (not drawn: beyond MaxRequestWorkers)
//	slot 3: pid 1004, gen 2, stopping:    R         (drawn: live beyond the limit)
//
// Board "_RWKG_.CR"; busy 4 (R W K of slot 0, C of slot 1), graceful 1,
// idle 1 (slot 1's '_' is of an old generation, slot 3 is stopping).
func eventFixture(t testing.TB) (*mpm.Scoreboard, *conf.Config) {
	t.Helper()
	b := newBoard(t, 4, 8)
	b.SetGeneration(2)
	b.SetRestartTime(restart)
	setProcess(b, 0, 1001, 2, 0)
	setProcess(b, 1, 1002, 1, 0)
	setProcess(b, 3, 1004, 2, 1)

	w := b.Worker(0, 1)
	w.BeginRequest(now.Add(-3*time.Second), "192.0.2.7", "www.example.com:80", scriptRequest)
	w.EndRequest(now.Add(-3*time.Second+250*time.Millisecond), 2048)
	w.BeginRequest(now.Add(-time.Second), "192.0.2.7", "www.example.com:80", scriptRequest)
	w = b.Worker(0, 2)
	w.BeginRequest(now.Add(-2*time.Second), "198.51.100.9", "www.example.com:80", "GET /big HTTP/1.1")
	w.EndRequest(now.Add(-2*time.Second+500*time.Millisecond), 3000)
	setStates(t, b, 0, "_RWK")
	setStates(t, b, 1, "G_.C")
	setStates(t, b, 3, "R")

	p := b.Process(0)
	p.SetConnections(5)
	p.SetKeepAlive(2)
	p.SetWriteCompletion(1)
	p.SetLingering(1)
	b.Process(1).SetConnections(3)
	b.Process(1).SetNotAccepting(true)
	b.Process(3).SetConnections(1)

	cfg := &conf.Config{
		MPM: conf.Event,
		Engine: conf.MPMConfig{
			ServerLimit: 4, ThreadLimit: 8, ThreadsPerChild: 4, MaxRequestWorkers: 8,
		},
		Site:   conf.SiteConfig{ServerName: "www.example.com", ExtendedStatus: true},
		Listen: []conf.Listen{{Host: "127.0.0.1", Port: 8080, Proto: "http"}},
	}
	return b, cfg
}

// preforkFixture is a prefork board of ServerLimit 8 with
// MaxRequestWorkers 6: slots _ K . W . . (free) R, drawn "_K.W..R".
func preforkFixture(t testing.TB) (*mpm.Scoreboard, *conf.Config) {
	t.Helper()
	b := newBoard(t, 8, 1)
	b.SetRestartTime(restart)
	for i, l := range []byte("_K.W..?R") {
		if l == '.' || l == '?' {
			continue
		}
		setProcess(b, i, 2000+i, 0, 0)
		setStates(t, b, i, string(l))
	}
	cfg := &conf.Config{
		MPM:    conf.Prefork,
		Engine: conf.MPMConfig{ServerLimit: 8, ThreadLimit: 1, ThreadsPerChild: 1, MaxRequestWorkers: 6},
		Site:   conf.SiteConfig{ServerName: "www.example.com", ExtendedStatus: true},
		Listen: []conf.Listen{{Host: "127.0.0.1", Port: 8080, Proto: "http"}},
	}
	return b, cfg
}

// fakeSources replaces the kernel and /proc sources with fixed values, so
// output does not depend on the machine.
func fakeSources(s *Status) {
	s.loadavg = func() ([3]float64, error) { return [3]float64{0.5, 0.25, 0.125}, nil }
	s.cpuTimes = func([]int) (cpuTimes, error) { return cpuTimes{user: 1.5, system: 0.5}, nil }
	s.sockets = func(...int) (listener.StateCounts, error) {
		var c listener.StateCounts
		c[listener.StateEstablished] = 7
		c[listener.StateTimeWait] = 2
		c[listener.StateListen] = 1
		return c, nil
	}
	s.kernel = func() (listener.Counters, error) {
		return listener.Counters{ListenOverflows: 11, ListenDrops: 12, SyncookiesSent: 13}, nil
	}
}

// newTestStatus returns a Status over board and cfg at the fixture's time
// with fixed sources.
func newTestStatus(board *mpm.Scoreboard, cfg *conf.Config, lns ...*listener.Listener) *Status {
	s := New(Options{
		Config:    cfg,
		Board:     board,
		Listeners: lns,
		Version:   "gohttpd/0.1.0 (Unix)",
		Built:     "Oct 22 2024 09:00:00",
		Now:       func() time.Time { return now },
	})
	fakeSources(s)
	return s
}

// serve runs h on a fasthttp.Server on 127.0.0.1 until the test ends and
// returns its base URL.
func serve(t testing.TB, h fasthttp.RequestHandler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("net.Listen = %v", err)
	}
	srv := &fasthttp.Server{Handler: h, Name: "gohttpd-test"}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.ShutdownWithContext(ctx); err != nil {
			t.Errorf("Shutdown = %v", err)
		}
		if err := <-done; err != nil && !errors.Is(err, net.ErrClosed) {
			t.Errorf("Serve = %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// response is what fetch returns.
type response struct {
	status int
	header http.Header
	body   string
}

// fetch sends one request (a fresh connection each time) and returns the
// response.
func fetch(t testing.TB, method, url string) response {
	t.Helper()
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{DisableKeepAlives: true},
	}
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatalf("NewRequest(%s, %s) = %v", method, url, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

// autoLine is one "Key: value" line of ?auto.
type autoLine struct{ key, value string }

// parseAuto splits an ?auto body into its server name line and its
// "Key: value" lines, failing the test on any other line.
func parseAuto(t testing.TB, body string) (name string, lines []autoLine) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(body))
	first := true
	for sc.Scan() {
		if first {
			name, first = sc.Text(), false
			continue
		}
		k, v, ok := strings.Cut(sc.Text(), ": ")
		if !ok || k == "" {
			t.Fatalf("?auto line %q is not \"Key: value\"\n%s", sc.Text(), body)
		}
		lines = append(lines, autoLine{k, v})
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading ?auto: %v", err)
	}
	return name, lines
}

// autoMap returns the lines as a map.
func autoMap(lines []autoLine) map[string]string {
	m := make(map[string]string, len(lines))
	for _, l := range lines {
		m[l.key] = l.value
	}
	return m
}
