package proxyproto

import (
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

var (
	benchV1 = []byte("PROXY TCP4 203.0.113.5 127.0.0.1 40000 8080\r\n")
	benchV2 = v2hdr(0x21, 0x11, v4body)
)

func benchFeed(b *testing.B, in []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	var p Parser
	for b.Loop() {
		p.Reset()
		if _, err := p.Feed(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFeedV1(b *testing.B) { benchFeed(b, benchV1) }
func BenchmarkFeedV2(b *testing.B) { benchFeed(b, benchV2) }

// proxyListener reads the header in Accept, as a blocking engine would
// right after accept (here serially, which a one-client benchmark allows).
type proxyListener struct {
	net.Listener
	opts Options
}

func (l proxyListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		pc, err := Accept(c, l.opts)
		if err != nil {
			c.Close()
			continue
		}
		return pc, nil
	}
}

// BenchmarkRoundTrip is a new loopback connection, the header (or none),
// one request with Connection: close and its whole response, against a
// fasthttp server reading the header with Accept. It reports the median
// round trip (median-ns) besides the mean.
func BenchmarkRoundTrip(b *testing.B) {
	for _, bc := range []struct {
		name string
		hdr  []byte
		opts Options
	}{
		{"none", nil, Options{}},
		{"v1", benchV1, Options{Required: true, Timeout: 5 * time.Second}},
		{"v2", benchV2, Options{Required: true, Timeout: 5 * time.Second}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ln, err := net.Listen("tcp4", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) { ctx.WriteString("ok") }}
			go srv.Serve(proxyListener{ln, bc.opts})
			defer srv.Shutdown()
			msg := append(append([]byte(nil), bc.hdr...), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"...)
			buf := make([]byte, 4096)
			var times []time.Duration
			b.ReportAllocs()
			for b.Loop() {
				start := time.Now()
				c, err := net.Dial("tcp4", ln.Addr().String())
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.Write(msg); err != nil {
					b.Fatal(err)
				}
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				n := 0
				for {
					k, err := c.Read(buf[n:])
					n += k
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				c.Close()
				times = append(times, time.Since(start))
				if n < 12 || string(buf[9:12]) != "200" {
					b.Fatalf("response %q", buf[:n])
				}
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "median-ns")
		})
	}
}

// BenchmarkAccept isolates the server's extra work on a new connection:
// the header and a request are already in the socket buffer, and only
// Accept (deadline set and cleared, the reads, the parse, the wrapper) is
// timed; "off" is the same call when no header is expected. median-ns is
// the median of the timed calls.
func BenchmarkAccept(b *testing.B) {
	for _, bc := range []struct {
		name string
		hdr  []byte
		opts Options
	}{
		{"off", nil, Options{}},
		{"v1", benchV1, Options{Required: true, Timeout: 5 * time.Second}},
		{"v2", benchV2, Options{Required: true, Timeout: 5 * time.Second}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ln, err := net.Listen("tcp4", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer ln.Close()
			msg := append(append([]byte(nil), bc.hdr...), "GET / HTTP/1.1\r\nHost: x\r\n\r\n"...)
			var times []time.Duration
			for b.Loop() {
				cl, err := net.Dial("tcp4", ln.Addr().String())
				if err != nil {
					b.Fatal(err)
				}
				sv, err := ln.Accept()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := cl.Write(msg); err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				c, err := Accept(sv, bc.opts)
				times = append(times, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				c.Close()
				cl.Close()
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "median-ns")
		})
	}
}
