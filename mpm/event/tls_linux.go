package event

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gohttpd/gohttpd/internal/rawio"
	"github.com/gohttpd/gohttpd/mpm"
)

// TLS in the event engine.
//
// A connection accepted on a TLS listener gets a tlsConn: a *tls.Conn
// over rawConn, the non-blocking socket read and written with read(2)
// and write(2) on behalf of the worker holding the connection.
//
//   - Handshake: crypto/tls cannot resume a handshake after EAGAIN, so a
//     worker runs it to its end, waiting for the client's next flight
//     through the loop (its goroutine parked, woken by the loop's epoll
//     event: tls_wait_linux.go), up to HandshakeDeadline
//     (RequestReadTimeout's handshake= stage, else Timeout). It starts only once the ClientHello's first bytes are
//     queued (MSG_PEEK): until then the connection is parked as new,
//     with no worker. A stalled handshake holds its worker until the
//     deadline, not beyond, and is then closed.
//   - Parking: record reads can resume. While a worker looks for the next
//     request without waiting (shim.mayPark), rawConn returns errAgain, a
//     net.Error whose Temporary() is true, on EAGAIN; crypto/tls
//     (conn.go, readRecordOrCCS: "if e, ok := err.(net.Error); !ok ||
//     !e.Temporary() { c.in.setErrorLocked(err) }", for the header and
//     the body reads) returns it without making it sticky, and keeps the
//     partial record in its raw input for the next Read. A parked TLS
//     connection holds no goroutine: only its record, its tls.Conn and
//     that tls.Conn's buffers.
//   - Buffered plaintext: there is no API for the plaintext (or the whole
//     records) a tls.Conn holds. A TLS connection is parked only after a
//     non-blocking read through the worker's bufio.Reader (Peek(1) with
//     mayPark set) returned errWouldPark: tls.Conn.Read returns buffered
//     plaintext, or decrypts a whole buffered record, before it reads the
//     socket, so reaching the socket's EAGAIN proves nothing decrypted and
//     no whole record is waiting; a partial record waits for bytes that
//     will raise an epoll event.
//   - Writes: workers encrypt; no sendfile on TLS (encryption needs the
//     bytes in user space). In the last response of a dispatch, the
//     ciphertext the client does not take at once is copied into the
//     write-completion job (rawConn.Write), and the response's rest is
//     deferred as plaintext (the body by reference, a file by descriptor
//     and offset): a worker encrypts the next part when the loop reaches
//     it (tls_write_linux.go). So a TLS response of any size frees its
//     worker whenever the client stops reading, as a plain one does.
//   - ctx.IsTLS and ctx.TLSConnectionState: the per-request conn of a TLS
//     connection is tlsShim, which has fasthttp's Handshake and
//     ConnectionState methods.
//   - Closing: a connection the engine closes ends with the close_notify
//     alert, as mod_ssl's SSL_shutdown: after a Connection: close
//     response it follows the response (into its write-completion job
//     when there is one, so the loop sends it last); on an error, a
//     timeout, or a keep-alive expiry in the loop it is sent without
//     waiting (the loop then writes that one small record itself, as
//     Apache's listener thread does), and skipped if the socket is full.
//   - Hijack (fasthttp's HijackHandler) is not supported on TLS: the
//     connection is closed.
type tlsConn struct {
	tc  *tls.Conn
	raw rawConn
	// done: the handshake completed.
	done bool
	// version and cipher are the handshake's, for the scoreboard.
	version, cipher uint16
}

// newTLSConn prepares the TLS state of c, accepted on a TLS listener.
func newTLSConn(c *conn, cfg *tls.Config) *tlsConn {
	t := &tlsConn{raw: rawConn{c: c}}
	t.tc = tls.Server(&t.raw, cfg)
	return t
}

// errAgain is what rawConn's Read returns instead of waiting when the
// worker looks for a request without waiting: crypto/tls passes a
// temporary net.Error up without recording it.
var errAgain error = againError{}

type againError struct{}

func (againError) Error() string   { return "event: tls: socket not readable" }
func (againError) Temporary() bool { return true }
func (againError) Timeout() bool   { return false }

// rawConn is the net.Conn under a tls.Conn: the socket of c, used only by
// the worker holding c, through that worker's shim (sh, set for each
// dispatch).
type rawConn struct {
	c  *conn
	sh *shim
	// nc is set once the connection left the engine (HTTP/2,
	// h2_linux.go): every method then uses it.
	nc net.Conn
	// noWait: a write that finds the socket full fails at once
	// (closeNotify's best effort), instead of waiting in poll(2).
	noWait bool
}

var _ net.Conn = (*rawConn)(nil)

// Read reads ciphertext; on EAGAIN it returns errAgain when the worker
// may park, waits through the loop in a handshake, else flushes
// buffered responses and waits in poll(2).
func (r *rawConn) Read(p []byte) (int, error) {
	if r.nc != nil {
		return r.nc.Read(p)
	}
	s := r.sh
	if s == nil {
		return 0, errAgain
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, err := rawio.Read(s.fd, p)
		switch {
		case n > 0:
			s.drained = n < len(p)
			return n, nil
		case err == nil:
			s.drained = true
			return 0, io.EOF
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			s.drained = true
			if s.mayPark {
				return 0, errAgain
			}
			if !r.c.tls.done {
				if err := s.w.waitHandshakeRead(r.c, s.readDeadline); err != nil {
					return 0, err
				}
				continue
			}
			if bw := s.w.l.BW; bw.Buffered() > 0 {
				if err := bw.Flush(); err != nil {
					return 0, err
				}
			}
			if err := s.wait(unix.POLLIN, s.readDeadline, "read"); err != nil {
				return 0, err
			}
		default:
			return 0, opError("read", err)
		}
	}
}

// Write writes ciphertext. In the last response of a dispatch
// (shim.mayDefer), ciphertext the client does not take at once is copied
// into the write-completion job, up to maxDeferCopy in all; past that
// the worker writes the job out itself and goes on. Otherwise it waits
// in poll(2) up to Timeout.
func (r *rawConn) Write(p []byte) (int, error) {
	if r.nc != nil {
		return r.nc.Write(p)
	}
	s := r.sh
	if s == nil {
		if r.noWait {
			return r.writeParked(p)
		}
		return 0, net.ErrClosed
	}
	if s.job != nil {
		if s.deferBytes(p) {
			return len(p), nil
		}
		if err := s.finishJob(); err != nil {
			return 0, err
		}
	}
	n := 0
	for n < len(p) {
		m, err := rawio.Write(s.fd, p[n:])
		if m > 0 {
			n += m
		}
		switch err {
		case nil, unix.EINTR:
		case unix.EAGAIN:
			if s.mayDefer && s.deferBytes(p[n:]) {
				return len(p), nil
			}
			if r.noWait {
				return n, errAgain
			}
			if err := s.wait(unix.POLLOUT, s.writeDeadline, "write"); err != nil {
				return n, err
			}
		default:
			return n, opError("write", err)
		}
	}
	return n, nil
}

// Close does nothing: the engine closes the socket.
func (r *rawConn) Close() error {
	if r.nc != nil {
		return r.nc.Close()
	}
	return nil
}

func (r *rawConn) LocalAddr() net.Addr {
	if r.nc != nil {
		return r.nc.LocalAddr()
	}
	if r.sh != nil {
		return r.sh.LocalAddr()
	}
	return &net.TCPAddr{}
}

func (r *rawConn) RemoteAddr() net.Addr {
	if r.nc != nil {
		return r.nc.RemoteAddr()
	}
	return r.c.remoteAddr()
}

func (r *rawConn) SetDeadline(t time.Time) error {
	if r.nc != nil {
		return r.nc.SetDeadline(t)
	}
	if r.sh != nil {
		r.sh.readDeadline, r.sh.writeDeadline = t, t
	}
	return nil
}

func (r *rawConn) SetReadDeadline(t time.Time) error {
	if r.nc != nil {
		return r.nc.SetReadDeadline(t)
	}
	if r.sh != nil {
		r.sh.readDeadline = t
	}
	return nil
}

func (r *rawConn) SetWriteDeadline(t time.Time) error {
	if r.nc != nil {
		return r.nc.SetWriteDeadline(t)
	}
	if r.sh != nil {
		r.sh.writeDeadline = t
	}
	return nil
}

// tlsShim is the per-request conn of a TLS connection: the shim, plus
// the methods fasthttp's ctx.IsTLS and ctx.TLSConnectionState look for.
type tlsShim struct{ *shim }

// Handshake reports the completed handshake (it never runs one).
func (s tlsShim) Handshake() error { return nil }

// ConnectionState returns the TLS state of the connection.
func (s tlsShim) ConnectionState() tls.ConnectionState {
	return s.c.tls.tc.ConnectionState()
}

// handshake runs c's TLS handshake in worker w, if the ClientHello has
// begun to arrive; ok reports whether the connection goes on to HTTP
// (else out is what happens to it).
func (w *worker) handshake(c *conn) (out outcome, ok bool) {
	t, sh := c.tls, &w.sh
	var b [1]byte
	n, _, err := unix.Recvfrom(sh.fd, b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
	switch {
	case err == unix.EAGAIN || err == unix.EINTR:
		sh.drained = true
		return outParkNew, false
	case err != nil || n == 0:
		return outClose, false
	}
	sh.mayPark = false
	dl := time.Now().Add(w.e.hsTimeout)
	sh.readDeadline, sh.writeDeadline = dl, dl
	err = t.tc.Handshake()
	sh.readDeadline, sh.writeDeadline = time.Time{}, time.Time{}
	sh.mayPark = true
	if err == nil {
		t.done = true
		cs := t.tc.ConnectionState()
		t.version, t.cipher = cs.Version, cs.CipherSuite
		return 0, true
	}
	var re tls.RecordHeaderError
	if errors.As(err, &re) && re.Conn != nil && mpm.LooksLikeHTTP(re.RecordHeader[:]) {
		sh.writeDeadline = dl
		resp := mpm.PlainHTTPResponse(w.e.deps.Server.Name, time.Now())
		out = outLinger
		if _, err := re.Conn.Write(resp); err != nil {
			resp, out = nil, outClose
		}
		if hook := w.e.deps.PlainHTTP; hook != nil {
			hook(sh.LocalAddr(), c.remoteAddr(), resp)
		}
		return out, false
	}
	w.e.log.Debug("event: tls handshake failed", "client", c.remoteAddrPort().String(), "err", err)
	return outClose, false
}

// tlsParams is the TLS version and cipher suite of c for the scoreboard
// (0, 0 on plain HTTP).
func (c *conn) tlsParams() (version, cipher uint16) {
	if c.tls == nil {
		return 0, 0
	}
	return c.tls.version, c.tls.cipher
}

// closeNotify sends the TLS close_notify alert of a connection the
// worker is closing, as mod_ssl's SSL_shutdown does, once. With
// deferOK (the last response said Connection: close) the alert follows
// the response: into its write-completion job when one holds the
// response's rest, so the loop sends it last. Otherwise it is a best
// effort that never waits: a client whose socket buffer is full does not
// get it (Apache's event MPM also shuts down without blocking).
func (t *tlsConn) closeNotify(sh *shim, deferOK bool) {
	if !t.done {
		return
	}
	if sh.job != nil && sh.job.hasPlain() {
		// Plaintext waits: encryptMore sends close_notify after it.
		return
	}
	if deferOK {
		sh.mayDefer = true
	} else {
		t.raw.noWait = true
		sh.mayDefer = false
	}
	t.tc.CloseWrite()
	t.raw.noWait = false
}

// closeNotifyParked sends the close_notify alert of a parked connection
// the loop closes (keep-alive expiry, or idle connections closed when
// every worker is busy), without waiting: as Apache's event MPM, whose
// listener shuts SSL down non-blocking before a lingering close. The
// loop owns the connection then, so it may use the tls.Conn; the alert
// is one small record.
func (t *tlsConn) closeNotifyParked() {
	if !t.done || t.raw.sh != nil {
		return
	}
	t.raw.noWait = true
	t.tc.CloseWrite()
	t.raw.noWait = false
}

// writeParked writes p to the socket of a connection no worker holds
// (closeNotifyParked), failing instead of waiting.
func (r *rawConn) writeParked(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := rawio.Write(int(r.c.fd), p[n:])
		if m > 0 {
			n += m
		}
		switch err {
		case nil, unix.EINTR:
		case unix.EAGAIN:
			return n, errAgain
		default:
			return n, opError("write", err)
		}
	}
	return n, nil
}
