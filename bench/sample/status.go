package sample

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// FetchStatus asks a /server-status?auto URL on a fresh connection
// (Connection: close, so it does not hold a worker afterwards) and parses
// the workers from it.
func FetchStatus(rawURL string, timeout time.Duration) (Workers, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return Workers{}, fmt.Errorf("sample: status URL %q is not an http URL", rawURL)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "80")
	}
	c, err := net.DialTimeout("tcp", host, timeout)
	if err != nil {
		return Workers{}, fmt.Errorf("sample: status: %w", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\nConnection: close\r\nUser-Agent: gohttpd-bench\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		return Workers{}, fmt.Errorf("sample: status: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(c, 1<<20))
	if err != nil {
		return Workers{}, fmt.Errorf("sample: status: %w", err)
	}
	head, body, ok := bytes.Cut(b, []byte("\r\n\r\n"))
	if !ok || !bytes.HasPrefix(head, []byte("HTTP/1.")) || len(head) < 12 || string(head[9:12]) != "200" {
		return Workers{}, fmt.Errorf("sample: status: not a 200 response")
	}
	if bytes.Contains(bytes.ToLower(head), []byte("transfer-encoding: chunked")) {
		return Workers{}, fmt.Errorf("sample: status: chunked responses are not supported")
	}
	return ParseStatus(body), nil
}

// ParseStatus parses a mod_status ?auto report: BusyWorkers, IdleWorkers,
// ConnsTotal, ConnsAsyncKeepAlive and the Scoreboard letters. Missing
// counts are -1.
func ParseStatus(body []byte) Workers {
	w := Workers{Source: "status", Busy: -1, Idle: -1, Conns: -1, KeepAlive: -1}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ": ")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		switch k {
		case "BusyWorkers":
			if err == nil {
				w.Busy = n
			}
		case "IdleWorkers":
			if err == nil {
				w.Idle = n
			}
		case "ConnsTotal":
			if err == nil {
				w.Conns = n
			}
		case "ConnsAsyncKeepAlive":
			if err == nil {
				w.KeepAlive = n
			}
		case "Scoreboard":
			w.States = map[string]int{}
			for _, c := range strings.TrimSpace(v) {
				if c != '.' && c < 128 {
					w.States[string(c)]++
				}
			}
		}
	}
	return w
}
