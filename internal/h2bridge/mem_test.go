package h2bridge

import (
	"bufio"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// TestIdleConnCost measures the server-side cost of an idle HTTP/2
// connection (preface and SETTINGS exchanged, one request served, then
// silence) against an idle HTTP/1.1 keep-alive connection served by
// fasthttp.Server.ServeConn (one request served, then waiting for the next).
// It needs H2BRIDGE_MEM=N (connections, e.g. 1000): it opens 2N sockets.
//
//	H2BRIDGE_MEM=1000 go test -run IdleConnCost -v ./internal/h2bridge/
//
// H2BRIDGE_MEM_MODE=h2 (or http1, h2-xnet) measures that mode alone.
func TestIdleConnCost(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("H2BRIDGE_MEM"))
	if n <= 0 {
		t.Skip("set H2BRIDGE_MEM=1000 to measure")
	}
	h := func(ctx *fasthttp.RequestCtx) { ctx.SetBodyString("ok") }
	b := New(Options{IdleTimeout: time.Hour}, h)
	defer b.Close()
	bx := New(Options{IdleTimeout: time.Hour, XNet: true}, h)
	defer bx.Close()
	h1 := &fasthttp.Server{Handler: h, IdleTimeout: time.Hour}

	modes := []string{"accepted-only", "http1", "h2", "h2-xnet"}
	if m := os.Getenv("H2BRIDGE_MEM_MODE"); m != "" {
		// One mode per process: memory freed by an earlier mode skews
		// the next one's numbers.
		modes = []string{"accepted-only", m}
	}
	for _, mode := range modes {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		var held []net.Conn
		accepted := make(chan net.Conn, n)
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				accepted <- c
				switch mode {
				case "http1":
					go func() { _ = h1.ServeConn(c) }()
				case "h2":
					go func() { _ = b.ServeConn(c) }()
				case "h2-xnet":
					go func() { _ = bx.ServeConn(c) }()
				}
			}
		}()
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		g0 := runtime.NumGoroutine()
		clients := make([]net.Conn, 0, n)
		for range n {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			clients = append(clients, c)
			held = append(held, <-accepted)
			switch mode {
			case "http1":
				io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
				br := bufio.NewReader(c)
				var resp fasthttp.Response
				if err := resp.Read(br); err != nil {
					t.Fatal(err)
				}
			case "h2", "h2-xnet":
				h2Request(t, c)
			}
		}
		time.Sleep(200 * time.Millisecond) // let handlers return
		runtime.GC()
		runtime.ReadMemStats(&m1)
		g1 := runtime.NumGoroutine()
		// Clients keep only their net.Conn (as accepted-only does), so
		// server cost = mode - accepted-only.
		t.Logf("%-13s %d conns: %+.1f goroutines/conn, %+.0f bytes heap/conn (HeapInuse+StackInuse)",
			mode, n, float64(g1-g0)/float64(n),
			float64(int64(m1.HeapInuse+m1.StackInuse)-int64(m0.HeapInuse+m0.StackInuse))/float64(n))
		for _, c := range clients {
			c.Close()
		}
		for _, c := range held {
			c.Close()
		}
		ln.Close()
		_ = held
	}
}

// h2Request does one GET on stream 1 with a throw-away Framer, leaving the
// client with nothing but its net.Conn.
func h2Request(t *testing.T, c net.Conn) {
	io.WriteString(c, http2.ClientPreface)
	fr := http2.NewFramer(c, c)
	_ = fr.WriteSettings()
	rc := &rawClient{c: c, fr: fr}
	rc.enc = hpack.NewEncoder(&rc.hb)
	_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: rc.headerBlock("/"), EndStream: true, EndHeaders: true})
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if sf, ok := f.(*http2.SettingsFrame); ok && !sf.IsAck() {
			_ = fr.WriteSettingsAck()
		}
		if f.Header().StreamID == 1 && f.Header().Flags.Has(http2.FlagDataEndStream) {
			return
		}
	}
}
