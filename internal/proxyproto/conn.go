package proxyproto

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// Options say when a header is read. The wiring fills them from the
// snapshot: Required from RemoteIPProxyProtocol of the listener's address,
// Exceptions from RemoteIPProxyProtocolExceptions, Timeout from Timeout
// (or RequestReadTimeout's handshake/header stage).
type Options struct {
	// Required: every connection must start with a header (except from
	// Exceptions).
	Required bool
	// RequiredAt, when set, decides instead of Required from the
	// connection's local address (RemoteIPProxyProtocol is per virtual
	// host address: pass conf.RemoteIPProxyProtocolTable's On method).
	RequiredAt func(local netip.AddrPort) bool
	// Exceptions are peers that must not send a header. Patterns with
	// IPv4 addresses also match IPv4-mapped IPv6 peers (apr_ipsubnet_test).
	Exceptions []netip.Prefix
	// Timeout bounds the blocking read of the header in Accept; zero
	// means none.
	Timeout time.Duration
}

// Expect reports whether a connection from peer to local must start
// with a header. It does not allocate (unless RequiredAt does).
func (o *Options) Expect(local, peer netip.AddrPort) bool {
	if o.RequiredAt != nil {
		if !o.RequiredAt(local) {
			return false
		}
	} else if !o.Required {
		return false
	}
	return o.excepted(peer.Addr())
}

func (o *Options) excepted(peer netip.Addr) bool {
	peer = peer.Unmap().WithZone("")
	for _, p := range o.Exceptions {
		if p.Contains(peer) {
			return false
		}
	}
	return true
}

// Accept reads the header from a connection just accepted, when opts
// Expect one from its peer, and returns the connection to serve: c itself
// when no header was expected, a *Conn otherwise (see ReadHeader). On an
// error the caller logs it and closes c.
func Accept(c net.Conn, opts Options) (net.Conn, error) {
	h, rest, expected, err := ReadHeader(c, opts)
	if err != nil || !expected {
		return c, err
	}
	return NewConn(c, h, rest), nil
}

// ReadHeader is Accept without the wrapper, for an engine that keeps its
// own connection type (mpm.Conn embeds *net.TCPConn for sendfile): it
// reports whether a header was expected, the header, and the bytes read
// past it (nil for v2, which is never over-read; a v1 line may bring the
// start of the request with it, which the engine must serve first). It
// reads with opts.Timeout and clears the read deadline afterwards. The
// error is an *Error with Apache's code (errors.As), or an I/O error
// wrapped (io.EOF, os.ErrDeadlineExceeded).
func ReadHeader(c net.Conn, opts Options) (h Header, rest []byte, expected bool, err error) {
	if !opts.Expect(addrPort(c.LocalAddr()), addrPort(c.RemoteAddr())) {
		return Header{}, nil, false, nil
	}
	if opts.Timeout > 0 {
		if err := c.SetReadDeadline(time.Now().Add(opts.Timeout)); err != nil {
			return Header{}, nil, true, fmt.Errorf("proxyproto: %w", err)
		}
	}
	var p Parser
	var buf [MaxV1]byte
	for {
		n, rerr := c.Read(buf[:p.Want()])
		if n > 0 {
			used, ferr := p.Feed(buf[:n])
			if ferr == nil {
				if opts.Timeout > 0 {
					if err := c.SetReadDeadline(time.Time{}); err != nil {
						return Header{}, nil, true, fmt.Errorf("proxyproto: %w", err)
					}
				}
				if used < n {
					rest = append([]byte(nil), buf[used:n]...)
				}
				h = p.Header()
				if h.TLV != nil {
					h.TLV = append([]byte(nil), h.TLV...)
				}
				return h, rest, true, nil
			}
			if !errors.Is(ferr, ErrNeedMore) {
				return Header{}, nil, true, ferr
			}
		}
		if rerr != nil {
			return Header{}, nil, true, fmt.Errorf("proxyproto: reading the header: %w", rerr)
		}
	}
}

// Conn is a connection whose PROXY header has been read.
type Conn struct {
	net.Conn
	hdr    Header
	rest   []byte
	remote net.Addr
}

// NewConn wraps c after its header h; rest are bytes read past the header.
// Both rest and h.TLV are kept, not copied: copy them first if they point
// into a buffer that is reused (a Parser's Header does).
func NewConn(c net.Conn, h Header, rest []byte) *Conn {
	cc := &Conn{Conn: c, hdr: h, rest: rest, remote: c.RemoteAddr()}
	if !h.Local && h.Source.IsValid() {
		cc.remote = net.TCPAddrFromAddrPort(h.Source)
	}
	return cc
}

// Read returns the bytes read past the header first.
func (c *Conn) Read(b []byte) (int, error) {
	if len(c.rest) > 0 {
		n := copy(b, c.rest)
		c.rest = c.rest[n:]
		return n, nil
	}
	return c.Conn.Read(b)
}

// RemoteAddr is the client: the header's source, or the peer for a
// LOCAL/UNKNOWN header. This is what ctx.RemoteAddr() gives the site.
func (c *Conn) RemoteAddr() net.Addr { return c.remote }

// PeerAddr is the TCP peer (the proxy): Apache's c->client_addr, %{c}a.
func (c *Conn) PeerAddr() net.Addr { return c.Conn.RemoteAddr() }

// Header is the header read.
func (c *Conn) Header() Header { return c.hdr }

// NetConn is the wrapped connection (for a TLS server that needs the
// socket, or the engine's own bookkeeping).
func (c *Conn) NetConn() net.Conn { return c.Conn }

// PeerAddr returns the TCP peer of c: PeerAddr of a *Conn (or anything
// with that method), else c.RemoteAddr(). The access log's %{c}a calls it
// with ctx.Conn().
func PeerAddr(c net.Conn) net.Addr {
	if p, ok := c.(interface{ PeerAddr() net.Addr }); ok {
		return p.PeerAddr()
	}
	return c.RemoteAddr()
}

func addrPort(a net.Addr) netip.AddrPort {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.AddrPort()
	}
	return netip.AddrPort{}
}

// ProxyProtocol reports that the connection went through PROXY header
// processing (site/remoteip then ignores RemoteIPHeader, as Apache does).
func (c *Conn) ProxyProtocol() bool { return true }
