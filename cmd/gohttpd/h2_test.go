package main

//lint:file-ignore SA1019 x/net/http2's client on purpose: h2c prior knowledge over a conn we dialed, and ClientConn.State shows a GOAWAY; net/http's ClientConn offers neither

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// h2Directives is what an Apache user writes to offer HTTP/2 in the clear
// next to HTTP/1.1 (mod_http2's h2c: prior knowledge and Upgrade).
var h2Directives = []string{
	"Protocols h2c http/1.1",
	`LogFormat "%h \"%r\" %>s %b %H" h2log`,
	"CustomLog logs/h2_log h2log",
}

// h2cConn dials s and starts an HTTP/2 client connection with prior
// knowledge on it (x/net/http2, as an h2c client).
func h2cConn(t *testing.T, s *mpmtest.Server) *http2.ClientConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	cc, err := (&http2.Transport{AllowHTTP: true}).NewClientConn(c)
	if err != nil {
		c.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}

func h2Get(t *testing.T, cc *http2.ClientConn, url string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := cc.RoundTrip(req)
	if err != nil {
		t.Fatalf("GET %s over h2c: %v", url, err)
	}
	return resp
}

func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// curlH2 runs curl with args against url and returns "%{http_version}
// %{http_code}" and the body.
func curlH2(t *testing.T, url string, args ...string) (string, string) {
	t.Helper()
	args = append(append([]string{"-s", "--max-time", "10", "-w", "\n%{http_version} %{http_code}"}, args...), url)
	out, err := exec.Command("curl", args...).Output()
	if err != nil {
		t.Fatalf("curl %v: %v", args, err)
	}
	body, status, _ := strings.Cut(string(out), "\n")
	if i := strings.LastIndexByte(string(out), '\n'); i >= 0 {
		body, status = string(out[:i]), string(out[i+1:])
	}
	return status, body
}

// TestH2cThroughBinary: "Protocols h2c http/1.1" on every engine. Go's
// HTTP/2 client with prior knowledge and curl (--http2-prior-knowledge,
// and --http2, which upgrades from HTTP/1.1) get the same file as an
// HTTP/1.1 client; the access log's %r and %H say HTTP/2.0 (Apache 2.4.71
// logs "GET /index.html HTTP/2.0" ... HTTP/2.0 for the same requests);
// several streams run at once on one connection on worker and event,
// and one at a time on prefork, as mod_http2 there.
func TestH2cThroughBinary(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	for _, mpmName := range []string{"event", "prefork", "worker"} {
		t.Run(mpmName, func(t *testing.T) { testH2c(t, mpmName) })
	}
}

func testH2c(t *testing.T, mpmName string) {
	s := mpmtest.Start(t, mpmtest.Options{MPM: mpmName, Directives: h2Directives,
		Files: map[string][]byte{"hello.txt": []byte("hello h2\n")}})
	url := s.URL("/hello.txt")

	cc := h2cConn(t, s)
	resp := h2Get(t, cc, url)
	if body := readAll(t, resp); resp.StatusCode != 200 || resp.ProtoMajor != 2 || string(body) != "hello h2\n" {
		t.Fatalf("h2c prior knowledge: %d %s %q", resp.StatusCode, resp.Proto, body)
	}
	if got := resp.Header.Get("Content-Type"); got != "text/plain" {
		t.Errorf("Content-Type = %q, want text/plain", got)
	}
	for _, tt := range []struct{ name, arg string }{
		{"prior knowledge", "--http2-prior-knowledge"},
		{"upgrade", "--http2"},
		{"http/1.1", "--http1.1"},
	} {
		status, body := curlH2(t, url, tt.arg)
		want := "2 200"
		if tt.arg == "--http1.1" {
			want = "1.1 200"
		}
		if status != want || body != "hello h2\n" {
			t.Errorf("curl %s: %q %q, want %q", tt.arg, status, body, want)
		}
	}

	// Two streams on one connection: the first stalls (8 MiB, more than
	// the client's 4 MiB stream window, unread).
	big := h2Get(t, cc, s.URL("/big.bin"))
	second := make(chan *http.Response, 1)
	go func() {
		req, _ := http.NewRequest("GET", url, nil)
		r, err := cc.RoundTrip(req)
		if err != nil {
			t.Error(err)
			close(second)
			return
		}
		second <- r
	}()
	if mpmName == "prefork" {
		// One stream at a time: the second waits for the first.
		select {
		case <-second:
			t.Fatal("prefork answered a second stream while the first was running")
		case <-time.After(500 * time.Millisecond):
		}
	} else {
		select {
		case r := <-second:
			if r == nil || r.StatusCode != 200 {
				t.Fatalf("second stream: %v", r)
			}
			readAll(t, r)
		case <-time.After(10 * time.Second):
			t.Fatal("the second stream got no answer while the first was running")
		}
	}
	if n := len(readAll(t, big)); n != 8<<20 {
		t.Fatalf("big.bin: %d bytes", n)
	}
	if mpmName == "prefork" {
		select {
		case r := <-second:
			if r == nil || r.StatusCode != 200 {
				t.Fatalf("second stream: %v", r)
			}
			readAll(t, r)
		case <-time.After(10 * time.Second):
			t.Fatal("the second stream got no answer after the first ended")
		}
	}

	var logText string
	mpmtest.WaitFor(t, 10*time.Second, "the access log lines", func() bool {
		logText = strings.Join(s.ReadLog("h2_log"), "\n")
		// Each worker's log lines are written when they are (not in
		// request order): wait for the curl --http1.1 line too.
		return strings.Count(logText, "\"GET /hello.txt HTTP/2.0\" 200 9 HTTP/2.0") >= 4 &&
			strings.Contains(logText, "\"GET /hello.txt HTTP/1.1\" 200 9 HTTP/1.1")
	})
	if !strings.Contains(logText, "\"GET /hello.txt HTTP/1.1\" 200 9 HTTP/1.1") {
		t.Errorf("access log:\n%s", logText)
	}
}

// TestH2GracefulStop: a graceful stop (WINCH, httpd -k graceful-stop)
// sends GOAWAY on an open HTTP/2 connection and lets its running stream
// finish before the server exits.
func TestH2GracefulStop(t *testing.T) {
	for _, mpmName := range []string{"event", "prefork", "worker"} {
		t.Run(mpmName, func(t *testing.T) {
			s := mpmtest.Start(t, mpmtest.Options{MPM: mpmName, Directives: h2Directives})
			cc := h2cConn(t, s)
			big := h2Get(t, cc, s.URL("/big.bin"))
			s.Signal(syscall.SIGWINCH)
			mpmtest.WaitFor(t, 10*time.Second, "GOAWAY on the h2 connection", func() bool {
				return cc.State().Closing
			})
			if n := len(readAll(t, big)); n != 8<<20 {
				t.Fatalf("the running stream got %d bytes, want all 8 MiB", n)
			}
			mpmtest.WaitFor(t, 15*time.Second, "the server to exit", s.Exited)
		})
	}
}

// TestH2StatusPage: the status page counts HTTP/2 connections and their
// streams.
func TestH2StatusPage(t *testing.T) {
	for _, mpmName := range []string{"event", "worker"} {
		t.Run(mpmName, func(t *testing.T) {
			s := mpmtest.Start(t, mpmtest.Options{MPM: mpmName, Directives: h2Directives})
			cc := h2cConn(t, s)
			big := h2Get(t, cc, s.URL("/big.bin"))
			var auto map[string]string
			mpmtest.WaitFor(t, 10*time.Second, "H2Connections: 1 and H2Streams: 1", func() bool {
				var err error
				auto, err = s.StatusAuto()
				return err == nil && auto["H2Connections"] == "1" && auto["H2Streams"] == "1"
			})
			if mpmName == "event" {
				// The async table counts the h2 connection beside the
				// status request's own (and earlier status connections
				// still closing): busy now, keep-alive once its stream is
				// done.
				if n, _ := strconv.Atoi(auto["ConnsTotal"]); n < 2 || auto["ConnsAsyncKeepAlive"] != "0" {
					t.Errorf("event async counts with a running stream: ConnsTotal %s, ConnsAsyncKeepAlive %s", auto["ConnsTotal"], auto["ConnsAsyncKeepAlive"])
				}
			}
			resp := h2Get(t, cc, s.URL("/server-status"))
			if body := readAll(t, resp); !bytes.Contains(body, []byte("HTTP/2")) {
				t.Errorf("status page over h2 names no HTTP/2 connection:\n%s", body)
			}
			readAll(t, big)
			mpmtest.WaitFor(t, 10*time.Second, "H2Streams: 0 (and the h2 connection keep-alive in event's async table)", func() bool {
				var err error
				auto, err = s.StatusAuto()
				return err == nil && auto["H2Connections"] == "1" && auto["H2Streams"] == "0" &&
					(mpmName != "event" || auto["ConnsAsyncKeepAlive"] == "1")
			})
		})
	}
}

// TestH2DashS: -S says what each listener offers (the Protocols of the
// vhost that owns the address, else the main server's) and that prefork
// answers one stream at a time.
func TestH2DashS(t *testing.T) {
	dir := t.TempDir()
	conf := dir + "/httpd.conf"
	text := strings.Join([]string{
		"ServerRoot " + dir, "MPM prefork", "ServerName main.example",
		"Listen 127.0.0.1:18998", "Listen 127.0.0.1:18999",
		"PidFile logs/pid", "ErrorLog logs/error_log", "DocumentRoot " + dir,
		"H2MaxSessionStreams 20",
		"<VirtualHost 127.0.0.1:18999>", "ServerName h2.example", "Protocols h2c http/1.1", "H2Upgrade off", "</VirtualHost>",
	}, "\n") + "\n"
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(mpmtest.Binary(t), "-f", conf, "-S").CombinedOutput()
	if err != nil {
		t.Fatalf("-S: %v\n%s", err, out)
	}
	for _, want := range []string{
		"HTTP/2:\n",
		"127.0.0.1:18998          HTTP/1.1 only (Protocols of the main server)",
		"127.0.0.1:18999          h2c prior knowledge (Protocols of the <VirtualHost 127.0.0.1:18999> " + conf + ":10)",
		"H2MaxSessionStreams: 20,",
		"prefork: one stream at a time per connection",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("-S lacks %q:\n%s", want, out)
		}
	}
}

// TestH2VHostSettings: a <VirtualHost> that owns an address has its own
// HTTP/2 session settings there (Apache takes them from the connection's
// base server): H2MaxSessionStreams is what SETTINGS advertise.
func TestH2VHostSettings(t *testing.T) {
	s := mpmtest.Start(t, mpmtest.Options{MPM: "event", Directives: append([]string{
		"Listen 127.0.0.2:0",
		"H2MaxSessionStreams 50",
		"<VirtualHost 127.0.0.2:*>",
		"ServerName second.example",
		"H2MaxSessionStreams 7",
		"</VirtualHost>",
	}, h2Directives...)})
	var addr2 string
	mpmtest.WaitFor(t, 10*time.Second, "the 127.0.0.2 listener in the error log", func() bool {
		if m := addr2RE.FindStringSubmatch(s.ErrorLog()); m != nil {
			addr2 = m[1]
		}
		return addr2 != ""
	})
	for _, tt := range []struct {
		addr string
		want uint32
	}{{s.Addr, 50}, {addr2, 7}} {
		c, err := net.DialTimeout("tcp", tt.addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		cc, err := (&http2.Transport{AllowHTTP: true}).NewClientConn(c)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, h2Get(t, cc, "http://"+tt.addr+"/index.html"))
		if got := cc.State().MaxConcurrentStreams; got != tt.want {
			t.Errorf("%s: SETTINGS_MAX_CONCURRENT_STREAMS %d, want %d", tt.addr, got, tt.want)
		}
		cc.Close()
	}
}

// TestH2Limits: LimitRequestFieldSize and LimitRequestFields apply to
// HTTP/2 header fields (Apache 2.4.71's mod_http2 answers 431 on h2c, as
// internal/h2bridge's Apache table records); LimitRequestBody is 413.
func TestH2Limits(t *testing.T) {
	s := mpmtest.Start(t, mpmtest.Options{MPM: "worker", Directives: append([]string{
		"LimitRequestFieldSize 200", "LimitRequestFields 10", "LimitRequestBody 100",
	}, h2Directives...)})
	cc := h2cConn(t, s)
	for _, tt := range []struct {
		name   string
		header map[string]string
		body   string
		want   int
	}{
		{"fits", map[string]string{"X-A": strings.Repeat("a", 100)}, "", 200},
		{"long field", map[string]string{"X-A": strings.Repeat("a", 300)}, "", 431},
		{"many fields", map[string]string{"X-1": "1", "X-2": "2", "X-3": "3", "X-4": "4", "X-5": "5", "X-6": "6", "X-7": "7", "X-8": "8", "X-9": "9", "X-10": "10", "X-11": "11"}, "", 431},
		{"big body", nil, strings.Repeat("b", 200), 413},
	} {
		method := "GET"
		var body io.Reader
		if tt.body != "" {
			method, body = "POST", strings.NewReader(tt.body)
		}
		req, _ := http.NewRequest(method, s.URL("/index.html"), body)
		for k, v := range tt.header {
			req.Header.Set(k, v)
		}
		resp, err := cc.RoundTrip(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		readAll(t, resp)
		if resp.StatusCode != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
	}
}

// TestH2UpgradePerVHost: "Upgrade: h2c" follows the Protocols of the
// name-based vhost the request selects (Apache's r->server), not only the
// address's first vhost.
func TestH2UpgradePerVHost(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	s := mpmtest.Start(t, mpmtest.Options{MPM: "worker", Directives: []string{
		"<VirtualHost *>", "ServerName a.example", "Protocols http/1.1", "</VirtualHost>",
		"<VirtualHost *>", "ServerName b.example", "Protocols h2c http/1.1", "</VirtualHost>",
	}})
	for _, tt := range []struct{ host, want string }{{"a.example", "1.1 200"}, {"b.example", "2 200"}} {
		status, _ := curlH2(t, s.URL("/index.html"), "--http2", "-H", "Host: "+tt.host)
		if status != tt.want {
			t.Errorf("curl --http2 Host %s: %q, want %q", tt.host, status, tt.want)
		}
	}
}

// TestH2EventConnLimit: the event engine's h2 connections, off its loop,
// are still bounded per child as Apache's event MPM bounds connections
// (ThreadsPerChild + AsyncRequestWorkerFactor × ThreadsPerChild): one
// more is closed at once.
func TestH2EventConnLimit(t *testing.T) {
	s := mpmtest.Start(t, mpmtest.Options{MPM: "event", Directives: append([]string{
		"StartServers 1", "ServerLimit 1", "ThreadsPerChild 2", "ThreadLimit 2", "MaxRequestWorkers 2",
		"MinSpareThreads 1", "MaxSpareThreads 2", "AsyncRequestWorkerFactor 1",
	}, h2Directives...)})
	for range 4 {
		cc := h2cConn(t, s)
		readAll(t, h2Get(t, cc, s.URL("/index.html")))
	}
	c, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cc, err := (&http2.Transport{AllowHTTP: true}).NewClientConn(c)
	if err == nil {
		req, _ := http.NewRequest("GET", s.URL("/index.html"), nil)
		_, err = cc.RoundTrip(req)
	}
	if err == nil {
		t.Fatal("a fifth h2 connection was served; want it closed (limit 2 + 1×2)")
	}
	mpmtest.WaitFor(t, 10*time.Second, "the warning in the error log", func() bool {
		return strings.Contains(s.ErrorLog(), "too many HTTP/2 connections in this process")
	})
}
