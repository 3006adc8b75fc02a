package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// upgradeEcho is a backend that answers an Upgrade request with 101 and
// then echoes the bytes of the tunnel.
func upgradeEcho(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() { // owner: the test; ends when ln closes
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(20 * time.Second))
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil || !strings.EqualFold(req.Header.Get("Upgrade"), "websocket") {
					_, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
					return
				}
				_, _ = io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
				_, _ = io.Copy(c, br)
			}()
		}
	}()
	return ln.Addr().String()
}

// TestWebSocketProxyThroughBinary: an Upgrade: websocket request to a
// "ProxyPass ... upgrade=websocket" (and to a ws:// URL) is answered with
// the backend's 101 and the connection becomes a tunnel, on every engine.
func TestWebSocketProxyThroughBinary(t *testing.T) {
	for _, mpmName := range []string{"event", "prefork", "worker"} {
		t.Run(mpmName, func(t *testing.T) {
			be := upgradeEcho(t)
			s := mpmtest.Start(t, mpmtest.Options{MPM: mpmName, Directives: []string{
				"ProxyPass /ws/ http://" + be + "/ upgrade=websocket",
				"ProxyPass /ws2/ ws://" + be + "/",
			}})
			for _, path := range []string{"/ws/chat", "/ws2/chat"} {
				c, err := s.Dial()
				if err != nil {
					t.Fatal(err)
				}
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				_, _ = io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
					"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
				br := bufio.NewReader(c)
				resp, err := http.ReadResponse(br, nil)
				if err != nil || resp.StatusCode != 101 {
					t.Fatalf("%s: %v %v", path, resp, err)
				}
				for _, msg := range []string{"hello\n", strings.Repeat("x", 100000) + "\n"} {
					if _, err := io.WriteString(c, msg); err != nil {
						t.Fatal(err)
					}
					got, err := br.ReadString('\n')
					if err != nil || got != msg {
						t.Fatalf("%s: echo %d bytes: got %d, %v", path, len(msg), len(got), err)
					}
				}
				c.Close()
			}
		})
	}
}
