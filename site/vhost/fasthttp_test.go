package vhost

import (
	"bufio"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// TestFromRequestCtx serves real requests over loopback with fasthttp
// and checks what Select gets from them.
func TestFromRequestCtx(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type got struct {
		local  netip.AddrPort
		host   string
		nilH   bool
		http11 bool
		allocs float64
	}
	ch := make(chan got, 1)
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		l, h, v := FromRequestCtx(ctx)
		n := testing.AllocsPerRun(10, func() { FromRequestCtx(ctx) })
		ch <- got{l, string(h), h == nil, v, n}
	}}
	go srv.Serve(ln) //nolint:errcheck
	defer srv.Shutdown()
	addr := ln.Addr().(*net.TCPAddr).AddrPort()
	for _, tt := range []struct {
		req    string
		host   string
		nilH   bool
		http11 bool
	}{
		{"GET / HTTP/1.1\r\nHost: WWW.Example.com:80\r\n\r\n", "WWW.Example.com:80", false, true},
		{"GET / HTTP/1.0\r\n\r\n", "", true, false},
		{"GET / HTTP/1.0\r\nHost: \r\n\r\n", "", true, false},
		{"GET http://user@Other.example:81/x?y HTTP/1.1\r\nHost: www.example.com\r\n\r\n", "Other.example:81", false, true},
		{"GET http://[::1]:82 HTTP/1.1\r\nHost: www.example.com\r\n\r\n", "[::1]:82", false, true},
		{"GET /http://x/ HTTP/1.1\r\nHost: a.example\r\n\r\n", "a.example", false, true},
	} {
		c, err := net.Dial("tcp", addr.String())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write([]byte(strings.Replace(tt.req, "\r\n\r\n", "\r\nConnection: close\r\n\r\n", 1))); err != nil {
			t.Fatal(err)
		}
		g := <-ch
		if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		c.Close()
		if g.local != addr || g.host != tt.host || g.nilH != tt.nilH || g.http11 != tt.http11 || g.allocs != 0 {
			t.Errorf("%q: got %+v, want host %q (nil %v) http11 %v", tt.req, g, tt.host, tt.nilH, tt.http11)
		}
	}
}
