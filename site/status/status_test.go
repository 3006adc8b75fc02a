package status

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/mpm"
)

// Apache 2.4.62's ?auto keys, in order, by section.
var (
	keysHead = []string{
		"ServerVersion", "ServerMPM", "Server Built", "CurrentTime", "RestartTime",
		"ParentServerConfigGeneration", "ParentServerMPMGeneration",
		"ServerUptimeSeconds", "ServerUptime", "Load1", "Load5", "Load15",
	}
	keysExtended = []string{
		"Total Accesses", "Total kBytes", "Total Duration",
		"CPUUser", "CPUSystem", "CPUChildrenUser", "CPUChildrenSystem", "CPULoad",
		"Uptime", "ReqPerSec", "BytesPerSec",
	}
	keysPerReq  = []string{"BytesPerReq", "DurationPerReq"}
	keysWorkers = []string{"BusyWorkers", "GracefulWorkers", "IdleWorkers"}
	keysAsync   = []string{
		"Processes", "Stopping", "ConnsTotal",
		"ConnsAsyncWriting", "ConnsAsyncKeepAlive", "ConnsAsyncClosing",
	}
	keysBoard = []string{"Scoreboard"}
	// gohttpd's keys after Apache's (no listeners in these tests).
	keysNetwork = []string{
		"TCPEstablished", "TCPSynSent", "TCPSynRecv", "TCPFinWait1", "TCPFinWait2",
		"TCPTimeWait", "TCPClose", "TCPCloseWait", "TCPLastAck", "TCPListen", "TCPClosing",
		"ListenOverflows", "ListenDrops", "SyncookiesSent",
	}
)

func TestAutoKeys(t *testing.T) {
	cat := func(parts ...[]string) []string { return slices.Concat(parts...) }
	tests := []struct {
		name     string
		fixture  func(testing.TB) (*mpm.Scoreboard, *conf.Config)
		mpm      string
		extended bool
		want     []string
	}{
		{"event extended", eventFixture, conf.Event, true,
			cat(keysHead, keysExtended, keysPerReq, keysWorkers, keysAsync, keysBoard, keysNetwork)},
		{"event", eventFixture, conf.Event, false,
			cat(keysHead, keysWorkers, keysAsync, keysBoard, keysNetwork)},
		{"worker extended", eventFixture, conf.Worker, true,
			cat(keysHead, keysExtended, keysPerReq, keysWorkers, keysBoard, keysNetwork)},
		{"worker", eventFixture, conf.Worker, false,
			cat(keysHead, keysWorkers, keysBoard, keysNetwork)},
		// No request served: no per-request rates.
		{"prefork extended", preforkFixture, conf.Prefork, true,
			cat(keysHead, keysExtended, keysWorkers, keysBoard, keysNetwork)},
		{"prefork", preforkFixture, conf.Prefork, false,
			cat(keysHead, keysWorkers, keysBoard, keysNetwork)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			board, cfg := tt.fixture(t)
			cfg.MPM = tt.mpm
			cfg.Site.ExtendedStatus = tt.extended
			url := serve(t, newTestStatus(board, cfg).Handler())
			resp := fetch(t, http.MethodGet, url+"/server-status?auto")
			if resp.status != http.StatusOK {
				t.Fatalf("GET ?auto status = %d, want 200", resp.status)
			}
			if got, want := resp.header.Get("Content-Type"), contentAuto; got != want {
				t.Errorf("GET ?auto Content-Type = %q, want %q", got, want)
			}
			name, lines := parseAuto(t, resp.body)
			if name != "www.example.com" {
				t.Errorf("?auto first line = %q, want %q", name, "www.example.com")
			}
			var keys []string
			for _, l := range lines {
				keys = append(keys, l.key)
			}
			if !slices.Equal(keys, tt.want) {
				t.Errorf("?auto keys =\n%q\nwant\n%q\nbody:\n%s", keys, tt.want, resp.body)
			}
			if got := autoMap(lines)["ServerMPM"]; got != tt.mpm {
				t.Errorf("ServerMPM = %q, want %q", got, tt.mpm)
			}
		})
	}
}

func TestAutoValues(t *testing.T) {
	board, cfg := eventFixture(t)
	url := serve(t, newTestStatus(board, cfg).Handler())
	_, lines := parseAuto(t, fetch(t, http.MethodGet, url+"/server-status?auto").body)
	got := autoMap(lines)
	want := map[string]string{
		"ServerVersion":                "gohttpd/0.1.0 (Unix)",
		"Server Built":                 "Oct 22 2024 09:00:00",
		"CurrentTime":                  apacheTime(now),
		"RestartTime":                  apacheTime(restart),
		"ParentServerConfigGeneration": "3",
		"ParentServerMPMGeneration":    "2",
		"ServerUptimeSeconds":          "1234",
		"ServerUptime":                 "20 minutes 34 seconds",
		"Load1":                        "0.50",
		"Load5":                        "0.25",
		"Load15":                       "0.12",
		"Total Accesses":               "2",
		"Total kBytes":                 "4", // 2048 + 3000 bytes
		"Total Duration":               "750",
		"CPUUser":                      "1.5",
		"CPUSystem":                    "0.5",
		"CPUChildrenUser":              "0",
		"CPUChildrenSystem":            "0",
		"CPULoad":                      "0.162075", // 2 s / 1234 s
		"Uptime":                       "1234",
		"ReqPerSec":                    "0.00162075",
		"BytesPerSec":                  "3.31929", // 4 kB / 1234 s
		"BytesPerReq":                  "2048",
		"DurationPerReq":               "375",
		"BusyWorkers":                  "4",
		"GracefulWorkers":              "1",
		"IdleWorkers":                  "1",
		"Processes":                    "3",
		"Stopping":                     "1",
		"ConnsTotal":                   "9",
		"ConnsAsyncWriting":            "1",
		"ConnsAsyncKeepAlive":          "2",
		"ConnsAsyncClosing":            "1",
		"Scoreboard":                   "_RWKG_.CR",
		"TCPEstablished":               "7",
		"TCPTimeWait":                  "2",
		"TCPListen":                    "1",
		"TCPSynRecv":                   "0",
		"ListenOverflows":              "11",
		"ListenDrops":                  "12",
		"SyncookiesSent":               "13",
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			t.Errorf("?auto %s = %q (present %v), want %q", k, g, ok, w)
		}
	}
}

// TestCountsMatchBoard checks the page's counts against the scoreboard's
// own implementation of mod_status's rules.
func TestCountsMatchBoard(t *testing.T) {
	tests := []struct {
		name                        string
		fixture                     func(testing.TB) (*mpm.Scoreboard, *conf.Config)
		maxServers, threadsPerChild int
	}{
		{"event", eventFixture, 2, 4},
		{"prefork", preforkFixture, 6, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			board, cfg := tt.fixture(t)
			v := newTestStatus(board, cfg).gather("h", "127.0.0.1")
			c := board.CountsWithin(tt.maxServers, tt.threadsPerChild)
			if v.BusyWorkers != c.Busy || v.IdleWorkers != c.Idle || v.GracefulWorkers != c.Graceful {
				t.Errorf("busy/idle/graceful = %d/%d/%d, want %d/%d/%d (Scoreboard.CountsWithin)",
					v.BusyWorkers, v.IdleWorkers, v.GracefulWorkers, c.Busy, c.Idle, c.Graceful)
			}
			if got := strings.Count(v.Scoreboard, "."); got != c.Dead {
				t.Errorf("'.' on the board = %d, want %d (Counts.Dead)", got, c.Dead)
			}
			if v.sums.Accesses != c.Accesses || v.sums.Bytes != c.BytesServed || v.sums.duration != c.Duration {
				t.Errorf("sums = %d/%d/%v, want %d/%d/%v", v.sums.Accesses, v.sums.Bytes, v.sums.duration,
					c.Accesses, c.BytesServed, c.Duration)
			}
		})
	}
}

func TestScoreboardLetters(t *testing.T) {
	tests := []struct {
		name    string
		fixture func(testing.TB) (*mpm.Scoreboard, *conf.Config)
		setup   func(*mpm.Scoreboard)
		want    string
	}{
		{"event fixture", eventFixture, nil, "_RWKG_.CR"},
		{"prefork fixture", preforkFixture, nil, "_K.W..R"},
		{
			// A live process in slot 2, beyond MaxRequestWorkers /
			// ThreadsPerChild: its busy workers are drawn, its dead
			// ones are not (they are "disabled").
			"event live slot beyond the limit", eventFixture,
			func(b *mpm.Scoreboard) {
				setProcess(b, 2, 1003, 2, 0)
				b.Worker(2, 1).SetState(mpm.StateBusyLog)
				b.Worker(2, 6).SetState(mpm.StateStarting)
			},
			"_RWKG_.CLSR",
		},
		{
			// A worker beyond ThreadsPerChild in a drawn process.
			"event worker beyond ThreadsPerChild", eventFixture,
			func(b *mpm.Scoreboard) { b.Worker(0, 5).SetState(mpm.StateReady) },
			"_RWK_G_.CR",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			board, cfg := tt.fixture(t)
			if tt.setup != nil {
				tt.setup(board)
			}
			url := serve(t, newTestStatus(board, cfg).Handler())
			_, lines := parseAuto(t, fetch(t, http.MethodGet, url+"/server-status?auto").body)
			if got := autoMap(lines)["Scoreboard"]; got != tt.want {
				t.Errorf("Scoreboard = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHTML(t *testing.T) {
	board, cfg := eventFixture(t)
	url := serve(t, newTestStatus(board, cfg).Handler())
	resp := fetch(t, http.MethodGet, url+"/server-status")
	if got, want := resp.header.Get("Content-Type"), contentHTML; got != want {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
	body := resp.body
	for _, want := range []string{
		"<title>gohttpd Status</title>",
		"<h1>gohttpd Server Status for www.example.com (via 127.0.0.1)</h1>",
		"<dt>Server Version: gohttpd/0.1.0 (Unix)</dt>",
		"<dt>Server MPM: event</dt>",
		"<dt>Current Time: " + apacheTime(now) + "</dt>",
		"<dt>Restart Time: " + apacheTime(restart) + "</dt>",
		"<dt>Parent Server Config. Generation: 3</dt>",
		"<dt>Parent Server MPM Generation: 2</dt>",
		"<dt>Server uptime:  20 minutes 34 seconds</dt>",
		"<dt>Server load: 0.50 0.25 0.12</dt>",
		"<dt>Total accesses: 2 - Total Traffic: 4 kB - Total Duration: 750</dt>",
		"<dt>0.00162 requests/sec - 3 B/second - 2048 B/request - 375 ms/request</dt>",
		"<dt>4 requests currently being processed, 1 workers gracefully restarting, 1 idle workers</dt>",
		"<pre>_RWKG_.CR</pre>",
		"Scoreboard Key:",
		// The async table: slot 1 is of an old generation and not
		// accepting, slot 3 stopping; then the Sum row.
		"<tr><td>1</td><td>1002</td><td>no (old gen)</td><td>3</td><td>no</td>",
		"<tr><td>3</td><td>1004</td><td>yes</td><td>1</td><td>yes</td>",
		"<tr><td>Sum</td><td>3</td><td>1</td><td>9</td><td>&nbsp;</td><td>4</td><td>1</td><td>1</td><td>1</td><td>2</td><td>1</td></tr>",
		// The worker table.
		"<th>Srv</th><th>PID</th><th>Acc</th><th>M</th>",
		"<tr><td><b>0-2</b></td><td>1001</td><td>1/1/1</td><td><b>R</b>\n</td>",
		"&lt;script&gt;alert(\\&#34;x\\&#34;)&lt;/script&gt;",
		// gohttpd's section.
		"<h2>TCP sockets</h2>",
		"<th>ESTABLISHED</th>",
		"<dt>ListenOverflows: 11</dt>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q\n%s", want, body)
		}
	}
	if strings.Contains(body, "<script>") {
		t.Errorf("page contains an unescaped <script>:\n%s", body)
	}
	if strings.Contains(body, "PID Key") {
		t.Errorf("page with ExtendedStatus shows the PID Key")
	}
}

func TestHTMLVariants(t *testing.T) {
	tests := []struct {
		name     string
		mpm      string
		extended bool
		query    string
		want     []string
		wantNot  []string
	}{
		{"worker has no async table", conf.Worker, true, "",
			[]string{"<pre>_RWKG_.CR</pre>"},
			[]string{"Async connections"}},
		{"without ExtendedStatus", conf.Event, false, "",
			[]string{"PID Key: <br />", "   1001 in state: _ ,   1001 in state: R ,   1001 in state: W \n",
				"<code>ExtendedStatus On</code>"},
			[]string{"Total accesses", "<th>Srv</th>"}},
		{"notable", conf.Event, true, "?notable",
			[]string{"<h2>Server Details</h2>", "<b>Server 0-2</b> (1001): 1|1|1 [<b>Read</b>]",
				"<dt>ESTABLISHED: 7</dt>", "&lt;script&gt;"},
			[]string{"<th>Srv</th>", "<script>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			board, cfg := eventFixture(t)
			cfg.MPM = tt.mpm
			cfg.Site.ExtendedStatus = tt.extended
			url := serve(t, newTestStatus(board, cfg).Handler())
			body := fetch(t, http.MethodGet, url+"/server-status"+tt.query).body
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q\n%s", w, body)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(body, w) {
					t.Errorf("page contains %q\n%s", w, body)
				}
			}
		})
	}
}

// TestHTMLBoardLines checks the 64-letter lines of the board in <pre>.
func TestHTMLBoardLines(t *testing.T) {
	board := newBoard(t, 3, 64)
	board.SetRestartTime(restart)
	for i := range 3 {
		setProcess(board, i, 3000+i, 0, 0)
		for j := range 64 {
			board.Worker(i, j).SetState(mpm.StateReady)
		}
	}
	board.Worker(1, 0).SetState(mpm.StateBusyWrite)
	cfg := &conf.Config{MPM: conf.Worker, Engine: conf.MPMConfig{ThreadsPerChild: 64, MaxRequestWorkers: 192}}
	url := serve(t, newTestStatus(board, cfg).Handler())
	body := fetch(t, http.MethodGet, url+"/server-status").body
	line := strings.Repeat("_", 64)
	want := "<pre>" + line + "\nW" + line[1:] + "\n" + line + "\n</pre>"
	if !strings.Contains(body, want) {
		t.Errorf("page lacks the board %q\n%s", want, body)
	}
}

func TestJSON(t *testing.T) {
	board, cfg := eventFixture(t)
	url := serve(t, newTestStatus(board, cfg).Handler())
	resp := fetch(t, http.MethodGet, url+"/server-status?json")
	if got := resp.header.Get("Content-Type"); got != contentJSON {
		t.Errorf("Content-Type = %q, want %q", got, contentJSON)
	}
	var got struct {
		ServerName      string `json:"serverName"`
		ServerMPM       string `json:"serverMPM"`
		UptimeSeconds   int    `json:"serverUptimeSeconds"`
		Load            []float64
		BusyWorkers     int `json:"busyWorkers"`
		GracefulWorkers int `json:"gracefulWorkers"`
		IdleWorkers     int `json:"idleWorkers"`
		Scoreboard      string
		Totals          struct {
			Accesses   int
			Bytes      int
			DurationMs int
		}
		Async struct {
			Processes  int
			ConnsTotal int
		}
		Processes []struct {
			Slot, PID     int
			OldGeneration bool
			Accepting     bool
		}
		Workers []struct {
			Srv, Mode, Request, Client, VHost string
		}
		Network struct {
			Ports     []int
			TCPStates map[string]int
			Kernel    struct{ ListenOverflows int }
		}
	}
	if err := json.Unmarshal([]byte(resp.body), &got); err != nil {
		t.Fatalf("json.Unmarshal(?json) = %v\n%s", err, resp.body)
	}
	if got.ServerName != "www.example.com" || got.ServerMPM != "event" || got.UptimeSeconds != 1234 {
		t.Errorf("serverName, serverMPM, serverUptimeSeconds = %q, %q, %d, want www.example.com, event, 1234",
			got.ServerName, got.ServerMPM, got.UptimeSeconds)
	}
	if !slices.Equal(got.Load, []float64{0.5, 0.25, 0.125}) {
		t.Errorf("load = %v, want [0.5 0.25 0.125]", got.Load)
	}
	if got.BusyWorkers != 4 || got.GracefulWorkers != 1 || got.IdleWorkers != 1 {
		t.Errorf("busy/graceful/idle = %d/%d/%d, want 4/1/1", got.BusyWorkers, got.GracefulWorkers, got.IdleWorkers)
	}
	if got.Scoreboard != "_RWKG_.CR" {
		t.Errorf("scoreboard = %q, want %q", got.Scoreboard, "_RWKG_.CR")
	}
	if got.Totals.Accesses != 2 || got.Totals.Bytes != 5048 || got.Totals.DurationMs != 750 {
		t.Errorf("totals = %+v, want 2 accesses, 5048 bytes, 750 ms", got.Totals)
	}
	if got.Async.Processes != 3 || got.Async.ConnsTotal != 9 {
		t.Errorf("async = %+v, want 3 processes, 9 connections", got.Async)
	}
	if len(got.Processes) != 3 || got.Processes[1].PID != 1002 || !got.Processes[1].OldGeneration ||
		got.Processes[1].Accepting {
		t.Errorf("processes = %+v, want slots 0, 1 (pid 1002, old, not accepting), 3", got.Processes)
	}
	// Rows: slots that served a request or are not idle (R W K, G C, R).
	if len(got.Workers) != 6 {
		t.Fatalf("workers has %d rows, want 6: %+v", len(got.Workers), got.Workers)
	}
	if w := got.Workers[0]; w.Srv != "0-2" || w.Mode != "R" || w.Request != scriptRequest || w.Client != "192.0.2.7" {
		t.Errorf("workers[0] = %+v, want srv 0-2, mode R, the raw request line, client 192.0.2.7", w)
	}
	if got.Network.TCPStates["ESTABLISHED"] != 7 || len(got.Network.TCPStates) != 11 {
		t.Errorf("network.tcpStates = %v, want 11 states with ESTABLISHED 7", got.Network.TCPStates)
	}
	if got.Network.Kernel.ListenOverflows != 11 {
		t.Errorf("network.kernel.listenOverflows = %d, want 11", got.Network.Kernel.ListenOverflows)
	}
}

func TestRequestOptions(t *testing.T) {
	board, cfg := eventFixture(t)
	url := serve(t, newTestStatus(board, cfg).Handler())
	tests := []struct {
		method, query string
		status        int
		contentType   string
		refresh       string
		allow         string
		emptyBody     bool
	}{
		{"GET", "", 200, contentHTML, "", "", false},
		{"GET", "?auto", 200, contentAuto, "", "", false},
		{"GET", "?json", 200, contentJSON, "", "", false},
		{"GET", "?auto&json", 200, contentJSON, "", "", false},
		{"GET", "?refresh", 200, contentHTML, "10", "", false},
		{"GET", "?refresh=5", 200, contentHTML, "5", "", false},
		{"GET", "?refresh=0", 200, contentHTML, "10", "", false},
		{"GET", "?refresh=-3", 200, contentHTML, "10", "", false},
		{"GET", "?refresh=x", 200, contentHTML, "10", "", false},
		{"GET", "?auto&refresh=3", 200, contentAuto, "3", "", false},
		{"HEAD", "?auto", 200, contentAuto, "", "", true},
		{"POST", "", 405, "text/html; charset=iso-8859-1", "", "GET, HEAD", false},
		{"DELETE", "?auto", 405, "text/html; charset=iso-8859-1", "", "GET, HEAD", false},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.query, func(t *testing.T) {
			resp := fetch(t, tt.method, url+"/server-status"+tt.query)
			if resp.status != tt.status {
				t.Errorf("status = %d, want %d", resp.status, tt.status)
			}
			if got := resp.header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tt.contentType)
			}
			if got := resp.header.Get("Refresh"); got != tt.refresh {
				t.Errorf("Refresh = %q, want %q", got, tt.refresh)
			}
			if got := resp.header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
			if got := resp.body == ""; got != tt.emptyBody {
				t.Errorf("empty body = %v, want %v", got, tt.emptyBody)
			}
		})
	}
}

func TestNoBoard(t *testing.T) {
	url := serve(t, New(Options{}).Handler())
	if got := fetch(t, http.MethodGet, url+"/server-status").status; got != http.StatusInternalServerError {
		t.Errorf("GET without a board: status = %d, want 500", got)
	}
}
