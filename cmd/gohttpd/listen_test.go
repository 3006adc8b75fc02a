package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// freeAddr returns a loopback address (host "127.0.0.1" or "::1") with a
// port nobody listens on right now. The test fails loudly when the host
// cannot be bound: a machine without an IPv6 loopback must not pass the
// IPv6 cases by skipping them.
func freeAddr(t *testing.T, host string) string {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("bind %s (this test needs that loopback address; `ip -6 addr show lo` for ::1): %v", host, err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// getOn fetches /index.html from addr on a new connection.
func getOn(addr string) error {
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get("http://" + addr + "/index.html")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %s", resp.Status)
	}
	return nil
}

// keepAliveOn does n requests on one connection to addr; each must be
// answered 200 on that same connection.
func keepAliveOn(addr string, n int) error {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	br := bufio.NewReader(c)
	for i := range n {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.WriteString(c, "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return fmt.Errorf("request %d: %w", i+1, err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return fmt.Errorf("request %d: %w", i+1, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Close {
			return fmt.Errorf("request %d: status %s, close %v", i+1, resp.Status, resp.Close)
		}
	}
	return nil
}

// TestSeveralListeners (issue 12, item 1): with two Listen lines, two
// IPv4 addresses or IPv4 and [::1], every engine answers on each address,
// on new and on keep-alive connections, and no child exits. Prefork and
// worker children once died on their first connection with "(22)Invalid
// argument: child resource shortage" and were respawned forever.
func TestSeveralListeners(t *testing.T) {
	for _, engine := range []string{"prefork", "worker", "event"} {
		for _, second := range []string{"127.0.0.1", "::1"} {
			t.Run(engine+"/"+second, func(t *testing.T) {
				extra := freeAddr(t, second)
				s := mpmtest.Start(t, mpmtest.Options{MPM: engine, Directives: []string{
					"Listen " + extra,
					"StartServers 2", "KeepAliveTimeout 30",
				}})
				children := s.Children()
				if len(children) == 0 {
					t.Fatal("no children")
				}
				for round := range 2 {
					for _, addr := range []string{s.Addr, extra} {
						if err := getOn(addr); err != nil {
							t.Fatalf("round %d, new connection to %s: %v", round, addr, err)
						}
						if err := keepAliveOn(addr, 3); err != nil {
							t.Fatalf("round %d, keep-alive connection to %s: %v", round, addr, err)
						}
					}
				}
				for _, pid := range children {
					if !mpmtest.Alive(pid) {
						t.Errorf("child %d exited while serving two listeners", pid)
					}
				}
				log := s.ErrorLog()
				for _, bad := range []string{"resource shortage", "exited with status", "exit signal"} {
					if strings.Contains(log, bad) {
						t.Errorf("error log has %q", bad)
					}
				}
			})
		}
	}
}
