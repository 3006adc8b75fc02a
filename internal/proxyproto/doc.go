// Package proxyproto reads the PROXY protocol header (v1 text, v2 binary,
// haproxy.org/download/2.6/doc/proxy-protocol.txt) at the start of a new
// connection, with mod_remoteip's rules (RemoteIPProxyProtocol On,
// RemoteIPProxyProtocolExceptions). It imports no conf: the engines are
// handed plain [Options] built from the snapshot.
//
// The parser is this package's own, not github.com/pires/go-proxyproto's
// (which DESIGN.md names): that library reads from a blocking
// bufio.Reader, so it cannot resume on EAGAIN in the event loop, it
// over-reads into the HTTP bytes, and its validation is not Apache's
// (it refuses a v1 line without a destination port, which Apache
// accepts, and has no AH texts). The library is kept as the test oracle:
// the tests parse what its writer produces and FuzzFeed compares
// addresses with its reader. (v0.15.0: v0.16.0 needs Go 1.26.9, this
// toolchain is 1.26.8.)
//
// # Options
//
// Built once per child from the snapshot (engines may not import conf;
// the wiring in cmd/gohttpd does this and hands the engine the Options):
//
//	var t conf.RemoteIPProxyProtocolTable // main server: t.Set([0.0.0.0:0], on); each vhost: t.Set(its addresses, on)
//	ex, err := conf.ExceptionPrefixes(mainRemoteIP, vhostRemoteIP...) // Apache's global list
//	opts := proxyproto.Options{RequiredAt: t.On, Exceptions: ex, Timeout: timeout}
//
// With no RemoteIPProxyProtocol On anywhere, leave RequiredAt nil and
// Required false: Expect then costs one branch and nothing is read. The
// Timeout is Apache's: the header is read under Timeout (mod_reqtimeout's
// handshake/header stage when it is configured). At startup Apache logs
// "AH03492: RemoteIPProxyProtocol: enabled on ADDR:PORT" (notice) for each
// enabled address (and AH03494 "disabled on" for the Off ones).
//
// # prefork and worker: blocking read after accept
//
// Right after accept, before TLS and before the connection becomes an
// mpm.Conn served by fasthttp:
//
//	h, rest, expected, err := proxyproto.ReadHeader(tcpConn, opts)
//	if err != nil {
//		// [remoteip:error] [pid N] [client PEER] AH03499: ... (errors.As
//		// an *Error; one with Code "" (no header at all) and I/O errors
//		// (EOF, deadline) Apache does not log at level error: debug)
//		tcpConn.Close()
//		continue
//	}
//
// and, when expected, record on the mpm.Conn the client (h.Client(peer))
// and rest (nil for v2; a v1 line may bring the start of the request),
// with three small additions to mpm.Conn: Read serves rest first (before
// the h1.Validator), RemoteAddr returns the client (so fasthttp's
// ctx.RemoteAddr(), authz.FromRequestCtx's Require ip, %a, the error
// log's [client] and mpm.Track's status-page client column all see it),
// and PeerAddr() returns the TCP peer; plus ProxyProtocol() bool returning
// true (site/remoteip then skips RemoteIPHeader, as Apache). site/accesslog's
// %{c}a must then call PeerAddr when ctx.Conn() has it ([PeerAddr] does
// exactly that) instead of ctx.Conn().RemoteAddr(). Engines without their
// own connection type can use [Accept], which returns a [Conn] wrapper
// doing all of this.
//
// # event: incremental, no worker while the header is incomplete
//
// A new connection to an address where Expect is true goes through a
// header state in the loop before it ever reaches a worker. The loop owns
// a *Parser per such connection (352 bytes, one fixed buffer: allocate from a
// sync.Pool and keep only a pointer in the 73-byte conn record, returned
// when the header is done, so parked keep-alive connections pay 8 bytes).
// On each readable event, without blocking:
//
//	n, err := unix.Read(fd, scratch[:p.Want()]) // never past a v2 header
//	used, ferr := p.Feed(scratch[:n])
//	switch {
//	case n == 0 || err is not EAGAIN: close (EOF before the header: no log line)
//	case ferr == proxyproto.ErrNeedMore: re-arm EPOLLIN; keep the accept deadline (newq)
//	case ferr != nil: log ferr, close
//	default: h := p.Header(); put p back; store h.Client(peer) in the record
//		(client ip/port beside the peer's: the shim's RemoteAddr returns
//		it, PeerAddr the peer); scratch[used:n] (v1 only, at most 93
//		bytes) must be served before the socket's bytes: give them to
//		the worker with the dispatch (they are a request's start, so
//		dispatch at once)
//	}
//
// The connection's timeout while in this state is the one for a new
// connection (Timeout), counted from accept, and an expired one is closed
// without a response, as Apache does.
//
// # Apache's rules, and where this differs
//
// From mod_remoteip.c (2.4.71): the header is required on every connection
// to a listener with RemoteIPProxyProtocol On, except from peers in
// RemoteIPProxyProtocolExceptions, which must not send one (their
// connection is plain HTTP, so a header there fails as a bad request).
// v1 lines are at most 108 bytes; words are split on runs of spaces; the
// family is TCP4, TCP6 or UNKNOWN (peer kept, rest ignored); the client
// address must use only [0-9.] (TCP4) or [0-9a-fA-F:] (TCP6); the
// destination port may be missing and the destination address is not
// checked; the client port is read as sscanf's %hu. v2 headers are at most
// 16+216 bytes (AH10186 beyond); the PROXY command takes TCP over IPv4
// (0x11) or IPv6 (0x21), anything else is AH10183.
//
// Observed with Apache 2.4.71 (apache_test.go, site/remoteip/testdata):
// a connection without a header is closed with nothing logged at level
// error (errNotProxy's Error has no code: log it at debug, if at all);
// every refused header is logged with the texts of [Error]; a v2 LOCAL
// header keeps the peer, as here.
//
// Deliberate differences: Apache 2.4.71 closes a connection whose line is
// exactly "PROXY UNKNOWN\r\n" (15 bytes) with AH03513 "internal error:
// have data left over" (it reads the next line into the header); here
// the peer is kept, as the specification and Apache's code intend. Bytes
// that cannot start a header are refused as soon as they arrive, not
// after 15 bytes as Apache waits for; a v2 address block shorter than its
// family needs is refused with AH03504/AH03505 (Apache would read stale
// buffer bytes). The v2 TLVs are kept in Header.TLV for later (SSL,
// authority); Apache ignores them.
//
// # Cost
//
// Measured on the shared 2-core machine (go test -bench . -count 3..6):
//
//   - Parsing (BenchmarkFeed): v2 TCP4 about 160 ns, no allocation; v1
//     TCP4 about 750 ns and one 48-byte allocation (the line as a string,
//     for the address parser and the error texts).
//   - The server's extra work per new connection (BenchmarkAccept: the
//     header and request already buffered, deadline set and cleared, two
//     reads, the parse, the wrapper): median 3.0-3.4 µs for v2, 3.8-4.3 µs
//     for v1, against 0.05 µs when no header is expected.
//   - A whole loopback connect + header + request + response
//     (BenchmarkRoundTrip, Connection: close): medians 92-110 µs without a
//     header, 96-111 µs with v1, 99-112 µs with v2 over six runs: the 3-4
//     µs are below this machine's run-to-run noise. Allocations per
//     connection: +7 (v1) / +5 (v2), 0.7-0.8 KB, mostly the Conn wrapper
//     and its net.TCPAddr.
package proxyproto
