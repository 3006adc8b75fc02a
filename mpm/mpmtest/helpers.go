package mpmtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Maintenance is one maintenance pass as the master logs it at LogLevel
// debug: Children counts every live child, Active those of the current
// generation that were not told to stop.
type Maintenance struct {
	Children, Active, Spawn, Retire int
}

var maintRE = regexp.MustCompile(`maintenance children=(\d+) active=(\d+) free_slots=\d+ spawn=(\d+) retire=(-?\d+)`)

// Maintenances parses the maintenance passes from the error log (the
// configuration must say LogLevel debug).
func (s *Server) Maintenances() []Maintenance {
	var out []Maintenance
	for _, m := range maintRE.FindAllStringSubmatch(s.ErrorLog(), -1) {
		c, _ := strconv.Atoi(m[1])
		a, _ := strconv.Atoi(m[2])
		sp, _ := strconv.Atoi(m[3])
		r, _ := strconv.Atoi(m[4])
		out = append(out, Maintenance{Children: c, Active: a, Spawn: sp, Retire: r})
	}
	return out
}

// ReadLog returns the lines of a log under ServerRoot/logs.
func (s *Server) ReadLog(name string) []string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "logs", name))
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

// KeepAliveClient is a connection that sent one request, read the answer
// and now sits idle in keep-alive.
type KeepAliveClient struct {
	Conn net.Conn
	br   *bufio.Reader
}

// HoldKeepAlive opens a connection, does one request on it and leaves it
// idle. It fails the test if the request does not complete within d.
func (s *Server) HoldKeepAlive(t testing.TB, path string, d time.Duration) *KeepAliveClient {
	t.Helper()
	c, err := s.Dial()
	if err != nil {
		t.Fatal(err)
	}
	k := &KeepAliveClient{Conn: c, br: bufio.NewReader(c)}
	t.Cleanup(func() { c.Close() })
	if _, err := k.Do(path, d); err != nil {
		t.Fatalf("keep-alive request: %v", err)
	}
	return k
}

// Do sends one request on the connection and reads its response within d.
func (k *KeepAliveClient) Do(path string, d time.Duration) (*http.Response, error) {
	k.Conn.SetDeadline(time.Now().Add(d))
	if _, err := io.WriteString(k.Conn, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		return nil, err
	}
	return k.Read(d)
}

// Send writes a request without waiting for the answer.
func (k *KeepAliveClient) Send(path string) error {
	_, err := io.WriteString(k.Conn, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n")
	return err
}

// Read reads one response within d.
func (k *KeepAliveClient) Read(d time.Duration) (*http.Response, error) {
	k.Conn.SetReadDeadline(time.Now().Add(d))
	resp, err := http.ReadResponse(k.br, nil)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, err
}

// ParseAuto parses a /server-status?auto body into key → value.
func ParseAuto(body []byte) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(string(body), "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok {
			m[k] = v
		}
	}
	return m
}

// DialKeepAlive opens a raw client connection that has sent nothing yet.
func (s *Server) DialKeepAlive(t testing.TB) *KeepAliveClient {
	t.Helper()
	c, err := s.Dial()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &KeepAliveClient{Conn: c, br: bufio.NewReader(c)}
}

// statusJSON is the part of /server-status?json that tests read.
type statusJSON struct {
	Workers []struct {
		PID     int    `json:"pid"`
		Mode    string `json:"mode"`
		Request string `json:"request"`
	} `json:"workers"`
}

// BusyPIDs returns the pids of the processes whose workers are reading or
// writing a request other than the status request itself.
func (s *Server) BusyPIDs(t testing.TB) []int {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(s.URL("/server-status?json"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st statusJSON
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatalf("server-status?json: %v", err)
	}
	seen := map[int]bool{}
	var out []int
	for _, w := range st.Workers {
		if (w.Mode == "R" || w.Mode == "W") && !strings.Contains(w.Request, "/server-status") && !seen[w.PID] {
			seen[w.PID] = true
			out = append(out, w.PID)
		}
	}
	return out
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers (a child's
// output, a master's log) and the test reading it.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
