// Package proxyproto reads the PROXY protocol header (v1 text, v2 binary,
// haproxy.org/download/2.6/doc/proxy-protocol.txt) at the start of a new
// connection, with mod_remoteip's rules (RemoteIPProxyProtocol On,
// RemoteIPProxyProtocolExceptions). It imports no conf: the engines build
// an [Options] from the snapshot (see conf.RemoteIPServer.ProxyOptions in
// the wiring code) and call it.
//
// # Two ways in
//
// Blocking engines (prefork, worker) call [Accept] right after accept and
// before TLS or HTTP:
//
//	c, err := proxyproto.Accept(raw, opts) // reads with opts.Timeout
//	if err != nil {
//		// log "[remoteip:error] [pid N] [client PEER] " + err.Error()
//		// (errors.As(err, &*proxyproto.Error) gives the AH code)
//		raw.Close()
//		continue
//	}
//	serve(c) // tls.Server(c, cfg) or fasthttp's ServeConn(c)
//
// The event engine never blocks a worker on a header that has not fully
// arrived: it keeps a [Parser] (a fixed 232-byte record, no pointers) with
// the parked connection, and on each readable event reads at most
// p.Want() bytes (so a v2 header is never over-read) and feeds them:
//
//	n, _ := unix.Read(fd, buf[:p.Want()])
//	used, err := p.Feed(buf[:n])
//	switch {
//	case err == proxyproto.ErrNeedMore: // park again; the FIFO deadline stays
//	case err != nil:                    // log err, close
//	default: // done: buf[used:n] are the first HTTP bytes (only for v1)
//		c := proxyproto.NewConn(conn, p.Header(), buf[used:n])
//		// hand c to the HTTP loop as any new connection
//	}
//
// n == 0 (EOF) before the header is complete is a close without a log line
// (Apache returns APR_EOF there).
//
// # What the HTTP side sees
//
// [Conn] wraps the connection: RemoteAddr is the client the header named
// (the peer itself for v1 UNKNOWN and v2 LOCAL), PeerAddr the TCP peer, and
// Read first returns the bytes read past the header. fasthttp's
// ctx.RemoteAddr() therefore already is mod_remoteip's useragent address,
// so Require ip (authz.FromRequestCtx), %a and the status page's client
// column need nothing else; %{c}a asks ctx.Conn() for PeerAddr (see
// [PeerAddr]).
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
