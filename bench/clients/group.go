package clients

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gohttpd/gohttpd/bench/load"
)

// Stats is what a group's connections saw so far.
type Stats struct {
	// Open is the number of connections open now.
	Open int64 `json:"open"`
	// Connected counts successful connects; Failed counts failed ones.
	Connected int64 `json:"connected"`
	Failed    int64 `json:"failed"`
	// Answered counts responses (or first response bytes) received.
	Answered int64 `json:"answered"`
	// ServerClosed counts connections the server closed (EOF or reset).
	ServerClosed int64 `json:"serverClosed"`
	// Bytes counts bytes received.
	Bytes int64 `json:"bytes"`
}

// add adds o to s.
func (s *Stats) add(o Stats) {
	s.Open += o.Open
	s.Connected += o.Connected
	s.Failed += o.Failed
	s.Answered += o.Answered
	s.ServerClosed += o.ServerClosed
	s.Bytes += o.Bytes
}

// counters are a group's live Stats.
type counters struct {
	open, connected, failed, answered, serverClosed, bytes atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Open:         c.open.Load(),
		Connected:    c.connected.Load(),
		Failed:       c.failed.Load(),
		Answered:     c.answered.Load(),
		ServerClosed: c.serverClosed.Load(),
		Bytes:        c.bytes.Load(),
	}
}

// Target says where a group connects.
type Target struct {
	// Addr is the server's host:port (loopback only).
	Addr string
	// Host is the Host header (default Addr); Path the request target
	// (default "/").
	Host, Path string
	// SourceAddrs are local loopback addresses used in turn (nil: the
	// kernel's choice).
	SourceAddrs []netip.Addr
	// Timeout bounds each connect (default 5 s).
	Timeout time.Duration
}

func (t Target) withDefaults() (Target, error) {
	if err := load.CheckLoopback(t.Addr); err != nil {
		return t, err
	}
	for _, a := range t.SourceAddrs {
		if !a.IsLoopback() {
			return t, &net.AddrError{Err: "not a loopback address", Addr: a.String()}
		}
	}
	if t.Host == "" {
		t.Host = t.Addr
	}
	if t.Path == "" {
		t.Path = "/"
	}
	if t.Timeout == 0 {
		t.Timeout = 5 * time.Second
	}
	return t, nil
}

// request is a complete GET request for t.
func (t Target) request() []byte {
	return []byte("GET " + t.Path + " HTTP/1.1\r\nHost: " + t.Host + "\r\nUser-Agent: gohttpd-bench\r\n\r\n")
}

// Group is a set of client connections of one kind.
type Group struct {
	target Target
	ctx    context.Context
	cancel context.CancelFunc
	c      counters
	wg     sync.WaitGroup
	next   atomic.Int64 // round-robin index into SourceAddrs

	mu    sync.Mutex // guards conns and closed
	conns map[net.Conn]struct{}
	done  bool
}

func newGroup(ctx context.Context, t Target) (*Group, error) {
	t, err := t.withDefaults()
	if err != nil {
		return nil, err
	}
	g := &Group{target: t, conns: map[net.Conn]struct{}{}}
	g.ctx, g.cancel = context.WithCancel(ctx)
	return g, nil
}

// Stats returns what the group's connections saw so far.
func (g *Group) Stats() Stats { return g.c.snapshot() }

// Close ends every connection of the group and waits for its goroutines.
// The connections are reset (SO_LINGER 0), not closed with a FIN: the
// bench's own clients leave no TIME_WAIT sockets behind to weigh on the
// next measurement (idle-pressure's rounds open and close thousands).
func (g *Group) Close() {
	g.cancel()
	g.mu.Lock()
	g.done = true
	for c := range g.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		c.Close()
	}
	g.mu.Unlock()
	g.wg.Wait()
}

// spawn runs fn for a new client, n times, in its own goroutine each.
func (g *Group) spawn(n int, fn func()) {
	for range n {
		g.wg.Go(fn)
	}
}

// dial connects one client, with control (if not nil) applied to the
// socket before connect, and tracks the connection until drop.
func (g *Group) dial(control func(fd uintptr) error) (net.Conn, bool) {
	d := net.Dialer{Timeout: g.target.Timeout}
	if n := len(g.target.SourceAddrs); n > 0 {
		a := g.target.SourceAddrs[int(g.next.Add(1)-1)%n]
		d.LocalAddr = &net.TCPAddr{IP: a.AsSlice()}
	}
	d.Control = socketControl(d.LocalAddr != nil, control)
	c, err := d.DialContext(g.ctx, "tcp", g.target.Addr)
	if err != nil {
		if g.ctx.Err() == nil {
			g.c.failed.Add(1)
		}
		return nil, false
	}
	g.mu.Lock()
	if g.done {
		g.mu.Unlock()
		c.Close()
		return nil, false
	}
	g.conns[c] = struct{}{}
	g.mu.Unlock()
	g.c.connected.Add(1)
	g.c.open.Add(1)
	return c, true
}

// drop closes c and stops tracking it; serverClosed says the server ended
// it.
func (g *Group) drop(c net.Conn, serverClosed bool) {
	g.mu.Lock()
	_, ok := g.conns[c]
	delete(g.conns, c)
	g.mu.Unlock()
	c.Close()
	if !ok {
		return
	}
	g.c.open.Add(-1)
	if serverClosed && g.ctx.Err() == nil {
		g.c.serverClosed.Add(1)
	}
}

// waitClosed reads from c until the server closes it or the group ends,
// counting the bytes; it reports whether the server closed it.
func (g *Group) waitClosed(c net.Conn, buf []byte) bool {
	for g.ctx.Err() == nil {
		n, err := c.Read(buf)
		g.c.bytes.Add(int64(n))
		if err != nil {
			return g.ctx.Err() == nil
		}
	}
	return false
}

// pause sleeps for d or until the group ends; it reports whether the group
// is still running.
func (g *Group) pause(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-g.ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
