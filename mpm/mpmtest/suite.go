package mpmtest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Run is the conformance suite: the same behaviour tests against one
// engine (prefork, worker or event), each on its own server started with
// directives appended to the generated configuration.
func Run(t *testing.T, mpm string, directives ...string) {
	start := func(t *testing.T, extra ...string) *Server {
		return Start(t, Options{MPM: mpm, Directives: append(append([]string{}, directives...), extra...)})
	}
	t.Run("Serves", func(t *testing.T) {
		s := start(t)
		tests := []struct {
			path   string
			status int
			body   string
		}{
			{"/", 200, "mpmtest index"},
			{"/index.html", 200, "mpmtest index"},
			{"/no-such-file", 404, ""},
		}
		for _, tt := range tests {
			code, body, err := s.Get(tt.path)
			if err != nil {
				t.Fatalf("GET %s: %v", tt.path, err)
			}
			if code != tt.status || !strings.Contains(string(body), tt.body) {
				t.Errorf("GET %s = %d %q, want %d containing %q", tt.path, code, body, tt.status, tt.body)
			}
		}
		auto, err := s.StatusAuto()
		if err != nil {
			t.Fatal(err)
		}
		if auto["ServerMPM"] != mpm {
			t.Errorf("ServerMPM = %q, want %q", auto["ServerMPM"], mpm)
		}
		// The TCP view reads the listener's accept queue in every engine.
		if q := auto["ListenQueue_"+s.Addr]; !strings.HasSuffix(q, "/511") {
			t.Errorf("ListenQueue_%s = %q, want <queue>/511", s.Addr, q)
		}
		if atoi(auto["TCPListen"]) < 1 {
			t.Errorf("TCPListen = %q, want ≥ 1", auto["TCPListen"])
		}
	})

	t.Run("KeepAlive", func(t *testing.T) {
		s := start(t)
		c, err := s.Dial()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		br := bufio.NewReader(c)
		for i := range 5 {
			resp := roundTrip(t, c, br, "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
			if resp.StatusCode != 200 || resp.Close {
				t.Fatalf("request %d on one connection: status %d, close %v", i, resp.StatusCode, resp.Close)
			}
		}
		resp := roundTrip(t, c, br, "GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if !resp.Close {
			t.Errorf("a request with Connection: close got a response without it")
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err := br.Read(make([]byte, 1)); err != io.EOF {
			t.Errorf("after Connection: close, read = %d, %v; want EOF", n, err)
		}
	})

	t.Run("ScoreboardStates", func(t *testing.T) {
		s := start(t)
		// One connection idle in keep-alive.
		c, err := s.Dial()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		roundTrip(t, c, bufio.NewReader(c), "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
		// One slow reader of a big file.
		slow := StartSlowRead(t, s)
		defer slow.Close()
		WaitFor(t, 10*time.Second, "the board to show keep-alive and a busy writer", func() bool {
			auto, err := s.StatusAuto()
			if err != nil {
				return false
			}
			board := auto["Scoreboard"]
			if mpm == "event" {
				// The event engine parks both: no worker is held.
				return atoi(auto["ConnsAsyncKeepAlive"]) >= 1 && atoi(auto["ConnsAsyncWriting"]) >= 1
			}
			return strings.Count(board, "K") >= 1 && strings.Count(board, "W") >= 1
		})
	})

	t.Run("GracefulStopDrains", func(t *testing.T) {
		s := start(t)
		slow := StartSlowRead(t, s)
		defer slow.Close()
		children := s.Children()
		s.Signal(syscall.SIGWINCH)
		// The in-flight transfer finishes in full.
		n, err := slow.Rest()
		if err != nil || n != BigSize {
			t.Fatalf("slow reader got %d bytes, %v; want all %d", n, err, BigSize)
		}
		slow.Close()
		if err := s.Wait(15 * time.Second); err != nil {
			t.Fatalf("master after graceful stop: %v", err)
		}
		waitGone(t, children)
	})

	t.Run("ImmediateStop", func(t *testing.T) {
		s := start(t)
		slow := StartSlowRead(t, s)
		defer slow.Close()
		children := s.Children()
		s.Signal(syscall.SIGTERM)
		if err := s.Wait(5 * time.Second); err != nil {
			t.Fatalf("master after SIGTERM: %v", err)
		}
		waitGone(t, children)
		if n, _ := slow.Rest(); n >= BigSize {
			t.Errorf("slow reader got all %d bytes after an immediate stop; want the transfer cut", n)
		}
	})
}

// roundTrip writes one raw request on c and reads the response.
func roundTrip(t *testing.T, c net.Conn, br *bufio.Reader, req string) *http.Response {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatalf("write request: %v", err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// SlowRead is a client that asked for big.bin and read only its start.
type SlowRead struct {
	c    net.Conn
	br   *bufio.Reader
	read int
}

// StartSlowRead requests /big.bin and reads its headers and 64 KiB, then
// stops reading, so the server is left with a response in flight.
func StartSlowRead(t *testing.T, s *Server) *SlowRead {
	t.Helper()
	c, err := s.Dial()
	if err != nil {
		t.Fatal(err)
	}
	// A small receive buffer keeps the transfer from fitting in the kernel.
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetReadBuffer(16 << 10)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReaderSize(c, 4096)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("slow reader: headers: %v", err)
		}
		if strings.HasPrefix(line, "HTTP/1.1 ") && !strings.HasPrefix(line, "HTTP/1.1 200") {
			t.Fatalf("slow reader: %s", line)
		}
		if line == "\r\n" {
			break
		}
	}
	r := &SlowRead{c: c, br: br}
	buf := make([]byte, 64<<10)
	n, err := io.ReadFull(br, buf)
	r.read = n
	if err != nil {
		t.Fatalf("slow reader: first 64 KiB: %v", err)
	}
	if !bytes.Equal(buf, bigBody()[:n]) {
		t.Fatalf("slow reader: wrong bytes")
	}
	return r
}

// Rest reads the rest of the body at full speed and returns the total
// body bytes received.
func (r *SlowRead) Rest() (int, error) {
	r.c.SetDeadline(time.Now().Add(30 * time.Second))
	n, err := io.CopyN(io.Discard, r.br, int64(BigSize-r.read))
	r.read += int(n)
	return r.read, err
}

func (r *SlowRead) Close() { r.c.Close() }

// waitGone waits until none of pids is a live process.
func waitGone(t *testing.T, pids []int) {
	t.Helper()
	if len(pids) == 0 {
		t.Fatalf("no children were running")
	}
	WaitFor(t, 15*time.Second, fmt.Sprintf("children %v to exit", pids), func() bool {
		for _, p := range pids {
			if Alive(p) {
				return false
			}
		}
		return true
	})
}

// Alive reports whether pid is a running process (a zombie is not).
func Alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}
