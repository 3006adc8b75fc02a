package load

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// CloseMode says how a connection ends.
type CloseMode int

const (
	// KeepAlive reuses each connection for as many requests as the server
	// allows.
	KeepAlive CloseMode = iota
	// ServerClose sends "Connection: close", so the server closes first
	// (and holds the TIME_WAIT).
	ServerClose
	// ClientClose sends keep-alive requests but closes each connection
	// after one response, so the client closes first (and holds the
	// TIME_WAIT).
	ClientClose
)

// String names the mode as reports print it.
func (m CloseMode) String() string {
	switch m {
	case KeepAlive:
		return "keep-alive"
	case ServerClose:
		return "server-close"
	case ClientClose:
		return "client-close"
	}
	return fmt.Sprintf("CloseMode(%d)", int(m))
}

// Config describes one load run. The zero value of every field but Addr
// and Duration has a usable default.
type Config struct {
	// Addr is the server's host:port; the host must be a loopback address
	// (127.0.0.0/8 or ::1).
	Addr string
	// Host is the Host header (default: Addr).
	Host string
	// Path is the request target (default "/").
	Path string
	// Connections is the number of connections, one goroutine each
	// (default 1).
	Connections int
	// Duration bounds the run (required; at most MaxDuration).
	Duration time.Duration
	// MaxRequests ends the run after this many requests were sent
	// (0: only Duration ends it).
	MaxRequests int64
	// Close says how connections end (default KeepAlive).
	Close CloseMode
	// Pipeline is the number of requests written at once on a keep-alive
	// connection before reading their responses (closed loop only;
	// default 1, no pipelining).
	Pipeline int
	// Rate > 0 runs open-loop at this many requests per second in total,
	// spread evenly over the connections, with coordinated-omission
	// correction (latency measured from each request's intended send
	// time). 0 runs closed-loop.
	Rate float64
	// Timeout bounds each connect and each request (default 5 s).
	Timeout time.Duration
	// SourceAddrs are local loopback addresses to bind, one per connection
	// in turn (nil: the kernel picks 127.0.0.1's port).
	SourceAddrs []netip.Addr
	// ExpectStatus is the status code that counts as a success (default
	// 200).
	ExpectStatus int
	// BufferSize is each connection's read buffer (default 64 KiB); a
	// response header must fit in it.
	BufferSize int
	// RecordConns keeps the local address of every connection the run
	// opens (Result.LocalAddrs), so that the caller can find the run's own
	// sockets among the machine's (its TIME_WAIT ones, say).
	RecordConns bool
	// TLS, when set, speaks HTTPS: each connection does a TLS handshake
	// with this client configuration after connecting (see tls.go).
	TLS *tls.Config
}

// MaxDuration bounds Config.Duration.
const MaxDuration = time.Hour

// MaxConnections bounds Config.Connections.
const MaxConnections = 100000

// withDefaults returns c with defaults filled in, or an error naming the
// first invalid field.
func (c Config) withDefaults() (Config, error) {
	if err := CheckLoopback(c.Addr); err != nil {
		return c, err
	}
	if c.Host == "" {
		c.Host = c.Addr
	}
	if c.Path == "" {
		c.Path = "/"
	}
	if strings.ContainsAny(c.Path+c.Host, " \r\n") {
		return c, fmt.Errorf("load: path %q or host %q holds a space or line break", c.Path, c.Host)
	}
	if c.Connections == 0 {
		c.Connections = 1
	}
	if c.Pipeline == 0 {
		c.Pipeline = 1
	}
	if c.Timeout == 0 {
		c.Timeout = 5 * time.Second
	}
	if c.ExpectStatus == 0 {
		c.ExpectStatus = 200
	}
	if c.BufferSize == 0 {
		c.BufferSize = 64 << 10
	}
	switch {
	case c.Connections < 1 || c.Connections > MaxConnections:
		return c, fmt.Errorf("load: Connections %d out of range 1-%d", c.Connections, MaxConnections)
	case c.Duration <= 0 || c.Duration > MaxDuration:
		return c, fmt.Errorf("load: Duration %s out of range (0, %s]", c.Duration, MaxDuration)
	case c.MaxRequests < 0:
		return c, fmt.Errorf("load: MaxRequests %d is negative", c.MaxRequests)
	case c.Pipeline < 1 || c.Pipeline > 1024:
		return c, fmt.Errorf("load: Pipeline %d out of range 1-1024", c.Pipeline)
	case c.Pipeline > 1 && (c.Close != KeepAlive || c.Rate > 0):
		return c, errors.New("load: Pipeline needs keep-alive and a closed loop")
	case c.Rate < 0 || c.Rate > 1e7:
		return c, fmt.Errorf("load: Rate %g out of range 0-1e7", c.Rate)
	case c.Timeout < 0:
		return c, fmt.Errorf("load: Timeout %s is negative", c.Timeout)
	case c.BufferSize < 1024:
		return c, fmt.Errorf("load: BufferSize %d is under 1024", c.BufferSize)
	case c.Close < KeepAlive || c.Close > ClientClose:
		return c, fmt.Errorf("load: unknown %v", c.Close)
	}
	for _, a := range c.SourceAddrs {
		if !a.IsLoopback() {
			return c, fmt.Errorf("load: source address %s is not a loopback address", a)
		}
	}
	return c, nil
}

// CheckLoopback returns an error unless addr is host:port with a loopback
// IP literal or "localhost" as host.
func CheckLoopback(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("load: address %q: %w", addr, err)
	}
	if port == "" {
		return fmt.Errorf("load: address %q has no port", addr)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.Unmap().IsLoopback() {
		return fmt.Errorf("load: %q is not a loopback address (127.0.0.0/8 or ::1); the bench only targets this machine", host)
	}
	return nil
}

// request builds the bytes of n requests for c.
func (c Config) request(n int) []byte {
	var b strings.Builder
	for range n {
		b.WriteString("GET ")
		b.WriteString(c.Path)
		b.WriteString(" HTTP/1.1\r\nHost: ")
		b.WriteString(c.Host)
		b.WriteString("\r\nUser-Agent: gohttpd-bench\r\n")
		if c.Close == ServerClose {
			b.WriteString("Connection: close\r\n")
		}
		b.WriteString("\r\n")
	}
	return []byte(b.String())
}
