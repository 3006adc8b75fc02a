package accesslog

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

const (
	common   = `%h %l %u %t "%r" %>s %b`
	combined = `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`
)

var (
	edt = time.FixedZone("EDT", -4*3600)
	// start is the request start time of every table case.
	start = time.Date(2011, time.September, 18, 19, 18, 28, 123456789, edt)
	// elapsed is what %D and %T measure (the test clock is start+elapsed).
	elapsed = 2*time.Second + 501234*time.Microsecond
)

// newCtx builds a request context from a raw request, as a server would
// hand it to its handler, with the given client address.
func newCtx(t testing.TB, raw string, remote net.Addr) *fasthttp.RequestCtx {
	t.Helper()
	var req fasthttp.Request
	if err := req.Read(bufio.NewReader(strings.NewReader(raw))); err != nil {
		t.Fatalf("reading test request %q: %v", raw, err)
	}
	ctx := new(fasthttp.RequestCtx)
	ctx.Init(&req, remote, nil)
	return ctx
}

// compile compiles format with a fixed clock and ServerName.
func compile(t testing.TB, format string) *Format {
	t.Helper()
	f, err := Compile(format)
	if err != nil {
		t.Fatalf("Compile(%q) = %v", format, err)
	}
	f.ServerName = "www.example.com"
	f.now = func() time.Time { return start.Add(elapsed) }
	return f
}

const baseRequest = "GET /index.html?q=1&x=%22 HTTP/1.1\r\n" +
	"Host: Example.COM:8080\r\n" +
	"Referer: http://example.com/start\r\n" +
	"User-Agent: Mozilla/5.0 (X11)\r\n" +
	"Cookie: a=1; Session = abc ; b=2\r\n" +
	"\r\n"

var client = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 54321}

// baseCtx is baseRequest answered with 200 and a 5-byte body.
func baseCtx(t testing.TB) *fasthttp.RequestCtx {
	ctx := newCtx(t, baseRequest, client)
	ctx.SetStatusCode(200)
	ctx.SetContentType("text/html; charset=utf-8")
	ctx.Response.Header.Set("X-Out", "out")
	for _, kv := range [][2]string{{"x", "1"}, {"y", "2"}} {
		var c fasthttp.Cookie
		c.SetKey(kv[0])
		c.SetValue(kv[1])
		ctx.Response.Header.SetCookie(&c)
	}
	ctx.SetUserValue("note", "noted")
	ctx.SetBodyString("hello")
	return ctx
}

func TestLetters(t *testing.T) {
	pid := strconv.Itoa(os.Getpid())
	tests := []struct {
		format, want string
	}{
		{"%%", "%"},
		{"100%% sure", "100% sure"},
		{"%a", "127.0.0.1"},
		{"%{c}a", "127.0.0.1"},
		{"%h", "127.0.0.1"},
		{"%{c}h", "127.0.0.1"},
		{"%A", "0.0.0.0"},
		{"%b", "5"},
		{"%B", "5"},
		{"%D", "2501234"},
		{"%f", "-"},
		{"%H", "HTTP/1.1"},
		{"%k", "0"},
		{"%l", "-"},
		{"%L", "-"},
		{"%m", "GET"},
		{"%p", "0"},
		{"%{canonical}p", "0"},
		{"%{local}p", "0"},
		{"%{remote}p", "54321"},
		{"%P", pid},
		{"%{pid}P", pid},
		{"%{tid}P", "-"},
		{"%q", "?q=1&x=%22"},
		{"%r", "GET /index.html?q=1&x=%22 HTTP/1.1"},
		{"%R", "-"},
		{"%s", "200"},
		{"%>s", "200"},
		{"%<s", "200"},
		{"%t", "[18/Sep/2011:19:18:28 -0400]"},
		{"%{begin}t", "[18/Sep/2011:19:18:28 -0400]"},
		{"%{end}t", "[18/Sep/2011:19:18:30 -0400]"},
		{"%{end:}t", "[18/Sep/2011:19:18:30 -0400]"},
		{"%{%Y-%m-%d %H:%M:%S %z}t", "2011-09-18 19:18:28 -0400"},
		{"%{begin:%d/%b}t", "18/Sep"},
		{"%{end:%T}t", "19:18:30"},
		{"%{sec}t", "1316387908"},
		{"%{msec}t", "1316387908123"},
		{"%{usec}t", "1316387908123456"},
		{"%{msec_frac}t", "123"},
		{"%{usec_frac}t", "123456"},
		{"%{end:msec_frac}t", "624"},
		{"%{beginsec}t", "1316387908"}, // as log_request_time: the prefix needs no ':' here
		{"%{begin%Y}t", "begin2011"},   // ... but a layout then keeps the prefix
		{"%{end:begin%Y}t", "begin2011"},
		{"%T", "2"},
		{"%{s}T", "2"},
		{"%{ms}T", "2501"},
		{"%{MS}T", "2501"},
		{"%{us}T", "2501234"},
		{"%u", "-"},
		{"%U", "/index.html"},
		{"%v", "www.example.com"},
		{"%V", "example.com"},
		{"%X", "+"},
		{"%{Referer}i", "http://example.com/start"},
		{"%{user-agent}i", "Mozilla/5.0 (X11)"},
		{"%{X-Missing}i", "-"},
		{"%{X-Out}o", "out"},
		{"%{content-type}o", "text/html"},
		{"%{Set-Cookie}o", "x=1, y=2"},
		{"%{X-Missing}o", "-"},
		{"%{session}C", "abc"},
		{"%{A}C", "1"},
		{"%{nope}C", "-"},
		{"%{note}n", "noted"},
		{"%{missing}n", "-"},
		{"%{HOME}e", "-"},
		{"%200{Referer}i", "http://example.com/start"},
		{"%404{Referer}i", "-"},
		{"%400,200,501{Referer}i", "http://example.com/start"},
		{"%!200{Referer}i", "-"},
		{"%!404,500{Referer}i", "http://example.com/start"},
		{"%!!200s", "200"},
		{"%<>s", "200"},
		{`tab\there`, "tab\there"},
		{`cr\rlf\n`, "cr\rlf\n"},
		{`back\\slash`, `back\slash`},
		{`keep\q`, `keep\q`},
		{`trailing\`, `trailing\`},
		{`"%r" %>s %b`, `"GET /index.html?q=1&x=%22 HTTP/1.1" 200 5`},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			got := string(compile(t, tt.format).Append(nil, baseCtx(t), start))
			if want := tt.want + "\n"; got != want {
				t.Errorf("Compile(%q).Append() = %q, want %q", tt.format, got, want)
			}
		})
	}
}

// TestRequestVariants checks directives whose value depends on the request
// or response shape.
func TestRequestVariants(t *testing.T) {
	v6 := &net.TCPAddr{IP: net.ParseIP("2001:db8::7"), Port: 4711}
	mapped := &net.TCPAddr{IP: net.ParseIP("::ffff:127.0.0.2"), Port: 4712}
	tests := []struct {
		name   string
		raw    string
		remote net.Addr
		modify func(ctx *fasthttp.RequestCtx)
		format string
		want   string
	}{
		{
			name:   "HEAD sends no body",
			raw:    "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n",
			modify: func(ctx *fasthttp.RequestCtx) { ctx.SetBodyString("hello") },
			format: "%b %B",
			want:   "- 0",
		},
		{
			name:   "empty body",
			raw:    "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
			format: "%b %B",
			want:   "- 0",
		},
		{
			name: "204 sends no body",
			raw:  "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
			modify: func(ctx *fasthttp.RequestCtx) {
				ctx.SetBodyString("ignored")
				ctx.SetStatusCode(204)
			},
			format: "%>s %b",
			want:   "204 -",
		},
		{
			name: "304 sends no body",
			raw:  "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
			modify: func(ctx *fasthttp.RequestCtx) {
				ctx.SetBodyString("ignored")
				ctx.SetStatusCode(304)
			},
			format: "%s %B",
			want:   "304 0",
		},
		{
			name: "body stream of known length",
			raw:  "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
			modify: func(ctx *fasthttp.RequestCtx) {
				ctx.SetBodyStream(strings.NewReader("0123456789"), 10)
			},
			format: "%b %B",
			want:   "10 10",
		},
		{
			name: "chunked body stream",
			raw:  "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
			modify: func(ctx *fasthttp.RequestCtx) {
				ctx.SetBodyStream(strings.NewReader("0123456789"), -1)
			},
			format: "%b %B",
			want:   "- 0",
		},
		{
			name:   "client asks to close",
			raw:    "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
			format: "%X",
			want:   "-",
		},
		{
			name:   "server closes",
			raw:    "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
			modify: func(ctx *fasthttp.RequestCtx) { ctx.SetConnectionClose() },
			format: "%X",
			want:   "-",
		},
		{
			name:   "HTTP/1.0 closes by default",
			raw:    "GET / HTTP/1.0\r\n\r\n",
			format: "%H %X",
			want:   "HTTP/1.0 -",
		},
		{
			name:   "HTTP/1.0 keep-alive",
			raw:    "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
			format: "%H %X",
			want:   "HTTP/1.0 +",
		},
		{
			name:   "password masked",
			raw:    "GET http://joe:secret@example.com:8080/a?b HTTP/1.1\r\nHost: example.com\r\n\r\n",
			format: "%r",
			want:   "GET http://joe:XXXXXXXX@example.com:8080/a?b HTTP/1.1",
		},
		{
			name:   "user without password kept",
			raw:    "GET http://joe@example.com/a HTTP/1.1\r\nHost: example.com\r\n\r\n",
			format: "%r",
			want:   "GET http://joe@example.com/a HTTP/1.1",
		},
		{
			name:   "no query",
			raw:    "GET /a HTTP/1.1\r\nHost: h\r\n\r\n",
			format: "[%q]",
			want:   "[]",
		},
		{
			name:   "empty query",
			raw:    "GET /a? HTTP/1.1\r\nHost: h\r\n\r\n",
			format: "[%q]",
			want:   "[?]",
		},
		{
			name:   "decoded path",
			raw:    "GET /a%20b/../c%22d HTTP/1.1\r\nHost: h\r\n\r\n",
			format: "%U",
			want:   `/c\"d`,
		},
		{
			name:   "no Host: ServerName",
			raw:    "GET / HTTP/1.0\r\n\r\n",
			format: "%V",
			want:   "www.example.com",
		},
		{
			name:   "IPv6 Host",
			raw:    "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
			format: "%V",
			want:   "[::1]",
		},
		{
			name:   "IPv6 client",
			raw:    "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
			remote: v6,
			format: "%a %h %{remote}p",
			want:   "2001:db8::7 2001:db8::7 4711",
		},
		{
			name:   "IPv4-mapped client",
			raw:    "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
			remote: mapped,
			format: "%a",
			want:   "127.0.0.2",
		},
		{
			name:   "X-Forwarded-style remote override",
			raw:    "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
			modify: func(ctx *fasthttp.RequestCtx) { ctx.SetRemoteAddr(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 9)}) },
			format: "%a %{c}a",
			want:   "127.0.0.9 127.0.0.1",
		},
		{
			name:   "404 conditions",
			raw:    "GET /x HTTP/1.1\r\nHost: h\r\nUser-Agent: ua\r\n\r\n",
			modify: func(ctx *fasthttp.RequestCtx) { ctx.SetStatusCode(404) },
			format: "%404{User-agent}i %!404{User-agent}i %400,501{User-agent}i",
			want:   "ua - -",
		},
		{
			name:   "byte escapes",
			raw:    "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
			modify: func(ctx *fasthttp.RequestCtx) { ctx.Request.Header.Set("X-Evil", "a\"b\\c\x01\x7f\xff\tz") },
			format: "%{X-Evil}i",
			want:   `a\"b\\c\x01\x7f\xff\tz`,
		},
		{
			name:   "UTF-8 escaped bytewise",
			raw:    "GET / HTTP/1.1\r\nHost: h\r\nX-Name: é\r\n\r\n",
			format: "%{X-Name}i",
			want:   `\xc3\xa9`,
		},
		{
			name:   "escape in request line",
			raw:    "GET /\"quoted\" HTTP/1.1\r\nHost: h\r\n\r\n",
			format: "%r",
			want:   `GET /\"quoted\" HTTP/1.1`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			remote := tt.remote
			if remote == nil {
				remote = client
			}
			ctx := newCtx(t, tt.raw, remote)
			if tt.modify != nil {
				tt.modify(ctx)
			}
			got := string(compile(t, tt.format).Append(nil, ctx, start))
			if want := tt.want + "\n"; got != want {
				t.Errorf("Compile(%q).Append() = %q, want %q", tt.format, got, want)
			}
		})
	}
}

func TestEscapeControlBytes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"\b\n\r\t\v", `\b\n\r\t\v`},
		{"\x00\x1f", `\x00\x1f`},
		{`"\`, `\"\\`},
		{"~\x7f\x80", `~\x7f\x80`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := string(appendEscaped(nil, tt.in)); got != tt.want {
				t.Errorf("appendEscaped(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestStrftime(t *testing.T) {
	// Thursday 2009-01-01 is in ISO week 1 of 2009; Sunday 2012-01-01 in
	// week 52 of 2011.
	jan1 := time.Date(2009, time.January, 1, 0, 5, 9, 0, time.UTC)
	sun := time.Date(2012, time.January, 1, 13, 4, 5, 0, edt)
	tests := []struct {
		layout string
		t      time.Time
		want   string
	}{
		{"%a %A %b %h %B", start, "Sun Sunday Sep Sep September"},
		{"%c", start, "Sun Sep 18 19:18:28 2011"},
		{"%C %y %Y", start, "20 11 2011"},
		{"%d|%e|%D|%F", jan1, "01| 1|01/01/09|2009-01-01"},
		{"%H %I %k %l %p %P", jan1, "00 12  0 12 AM am"},
		{"%H %I %k %l %p", sun, "13 01 13  1 PM"},
		{"%j", start, "261"},
		{"%m %M %S %s", jan1, "01 05 09 1230768309"},
		{"%r|%R|%T|%X|%x", sun, "01:04:05 PM|13:04|13:04:05|13:04:05|01/01/12"},
		{"%u %w", sun, "7 0"},
		{"%U %W %V %G %g", jan1, "00 00 01 2009 09"},
		{"%U %W %V %G %g", sun, "01 00 52 2011 11"},
		{"%z %Z", start, "-0400 EDT"},
		{"%n%t%%", start, "\n\t%"},
		{"%Ey %OH", start, "11 19"},
		{"%Q unknown", start, "%Q unknown"},
		{"trailing %", start, "trailing %"},
		{"no conversions", start, "no conversions"},
	}
	for _, tt := range tests {
		t.Run(tt.layout, func(t *testing.T) {
			if got := string(appendStrftime(nil, tt.layout, tt.t)); got != tt.want {
				t.Errorf("appendStrftime(%q, %v) = %q, want %q", tt.layout, tt.t, got, tt.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		format string
		want   string // in the error text
	}{
		{"%Z", "unrecognized LogFormat directive %Z"},
		{"%h %l %j", "unrecognized LogFormat directive %j"},
		{"%", "ends inside"},
		{"abc %", "ends inside"},
		{"%400", "ends inside"},
		{"%{Referer", "ends inside"},
		{"%!", "ends inside"},
		{"%{x}p", "%p: unknown argument"},
		{"%{x}P", "%P: unknown argument"},
		{"%{min}T", "%T: unknown argument"},
		{"%{x}a", "%a: unknown argument"},
		{"%{x}L", "%L: unknown argument"},
		{"%{Host}s", "%s takes no argument"},
		{"%i", "%i needs a name"},
		{"%{}o", "%o needs a name"},
		{"%C", "%C needs a name"},
		{"%{x}^ti", "%^ti"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			f, err := Compile(tt.format)
			if err == nil {
				t.Fatalf("Compile(%q) = %v, nil, want an error", tt.format, f)
			}
			if !strings.HasPrefix(err.Error(), "accesslog: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Compile(%q) = %q, want an accesslog: error containing %q", tt.format, err, tt.want)
			}
		})
	}
}

func TestCommonAndCombined(t *testing.T) {
	const raw = "GET /apache_pb.gif HTTP/1.0\r\n" +
		"Referer: http://www.example.com/start.html\r\n" +
		"User-Agent: Mozilla/4.08 [en] (Win98; I ;Nav)\r\n" +
		"\r\n"
	body := strings.Repeat("x", 2326)
	tests := []struct {
		name, format, want string
	}{
		{"common", common,
			`127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326` + "\n"},
		{"combined", combined,
			`127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 ` +
				`"http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"` + "\n"},
	}
	pdt := time.FixedZone("PDT", -7*3600)
	begin := time.Date(2000, time.October, 10, 13, 55, 36, 0, pdt)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			l, err := New(&out, tt.format, Options{ServerName: "www.example.com"})
			if err != nil {
				t.Fatal(err)
			}
			ctx := newCtx(t, raw, client)
			ctx.SetBodyString(body)
			l.Log(ctx, begin)
			if got := out.String(); got != tt.want {
				t.Errorf("Log() wrote %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	if l, err := New(&bytes.Buffer{}, "%Z", Options{}); err == nil {
		t.Errorf("New(%q) = %v, nil, want an error", "%Z", l)
	}
}

func TestLogZeroStartUsesCtxTime(t *testing.T) {
	var out bytes.Buffer
	l, err := New(&out, "%{sec}t", Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := newCtx(t, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", client)
	l.Log(ctx, time.Time{})
	if got, want := out.String(), strconv.FormatInt(ctx.Time().Unix(), 10)+"\n"; got != want {
		t.Errorf("Log(ctx, zero time) wrote %q, want %q", got, want)
	}
}

// lockedBuffer collects lines written by concurrent server goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestConnectionLetters serves three requests on one keep-alive connection
// through a real fasthttp.Server on loopback and checks the directives that
// depend on the connection.
func TestConnectionLetters(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var out lockedBuffer
	l, err := New(&out, "%k %X %a %{c}a %A %p %{local}p %{remote}p %>s %b %r", Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{
		Handler: func(ctx *fasthttp.RequestCtx) {
			ctx.SetBodyString("ok")
			l.Log(ctx, ctx.Time())
		},
		ReadTimeout:  5 * time.Second,
		WriteTimeout: 5 * time.Second,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		if err := srv.Shutdown(); err != nil {
			t.Errorf("Shutdown() = %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("Serve() = %v", err)
		}
	}()

	conn, err := net.DialTimeout("tcp4", ln.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	requests := []string{
		"GET /one HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /two HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /three HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	}
	for _, req := range requests {
		if _, err := conn.Write([]byte(req)); err != nil {
			t.Fatal(err)
		}
		var resp fasthttp.Response
		if err := resp.Read(br); err != nil {
			t.Fatalf("reading the response to %q: %v", req, err)
		}
	}

	port := ln.Addr().(*net.TCPAddr).Port
	cport := conn.LocalAddr().(*net.TCPAddr).Port
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	want := []string{
		fmt.Sprintf("0 + 127.0.0.1 127.0.0.1 127.0.0.1 %d %d %d 200 2 GET /one HTTP/1.1", port, port, cport),
		fmt.Sprintf("1 + 127.0.0.1 127.0.0.1 127.0.0.1 %d %d %d 200 2 GET /two HTTP/1.1", port, port, cport),
		fmt.Sprintf("2 - 127.0.0.1 127.0.0.1 127.0.0.1 %d %d %d 200 2 GET /three HTTP/1.1", port, port, cport),
	}
	if len(got) != len(want) {
		t.Fatalf("logged %d lines %q, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestLoggerConcurrent(t *testing.T) {
	var out lockedBuffer
	l, err := New(&out, combined, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const goroutines, each = 4, 200
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				ctx := newCtx(t, fmt.Sprintf("GET /g%d/%d HTTP/1.1\r\nHost: h\r\n\r\n", g, i), client)
				l.Log(ctx, start)
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != goroutines*each {
		t.Fatalf("logged %d lines, want %d", len(lines), goroutines*each)
	}
	for _, line := range lines {
		if !strings.HasPrefix(line, "127.0.0.1 - - [18/Sep/2011:19:18:28 -0400] \"GET /g") {
			t.Fatalf("garbled line %q", line)
		}
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		common, combined, "%", "%%", "%{", "%400,501{User-agent}i", "%!200,304,302{Referer}i",
		"%{%Y-%m-%d}t", "%{end:usec_frac}t", `\n\t\\\x`, "%>s %<s", "%{c}a %{remote}p",
		"%^ti", "%{x}C %{y}n %{z}e", "%Z", "%{Host}i%{Set-Cookie}o",
	} {
		f.Add(s)
	}
	ctx := baseCtx(f)
	f.Fuzz(func(t *testing.T, format string) {
		fm, err := Compile(format)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "accesslog: ") {
				t.Errorf("Compile(%q) error %q lacks the accesslog: prefix", format, err)
			}
			return
		}
		fm.now = func() time.Time { return start.Add(elapsed) }
		line := fm.Append(nil, ctx, start)
		if len(line) == 0 || line[len(line)-1] != '\n' {
			t.Errorf("Compile(%q).Append() = %q, want a line ending in \\n", format, line)
		}
		if again := fm.Append(nil, ctx, start); !bytes.Equal(again, line) {
			t.Errorf("Compile(%q).Append() differs between calls: %q, %q", format, line, again)
		}
	})
}

func BenchmarkCombined(b *testing.B) {
	f := compile(b, combined)
	ctx := newCtx(b, "GET /images/apache_pb.gif?size=large HTTP/1.1\r\n"+
		"Host: www.example.com\r\n"+
		"Referer: http://www.example.com/start.html\r\n"+
		"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"+
		"\r\n", client)
	ctx.SetBodyString(strings.Repeat("x", 2326))
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = f.Append(buf[:0], ctx, start)
	}
}
