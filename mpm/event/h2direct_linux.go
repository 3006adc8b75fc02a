package event

import (
	"time"

	"github.com/gohttpd/gohttpd/internal/h2bridge"
)

// H2Direct over TLS in the event engine (mpm/h2direct.go has Apache's
// rule): a TLS connection whose handshake did not choose h2, on a
// listener with DirectTLS, is looked at before its first request. Its
// first plaintext bytes are read without waiting (nothing yet: it parks
// as a new connection); the client preface hands it to the H2Server with
// those bytes replayed (h2TLSPeeked), anything else goes to the HTTP/1.1
// loop through a preread that gives those bytes back first, through the
// Validator. A preface that arrives in pieces is waited for up to
// Timeout.

// h2DirectTLS is called for a TLS connection that served no request yet.
// handled reports that the connection went to HTTP/2, closed or parks
// (out says which).
func (w *worker) h2DirectTLS(c *conn) (out outcome, handled bool) {
	e, sh := w.e, &w.sh
	if !c.tls.done || !e.h2.ListenerOf(sh.LocalAddr()).DirectTLS {
		return 0, false
	}
	p := &preread{w: w}
	n, err := c.tls.tc.Read(p.buf[:])
	switch {
	case n == 0 && err == errAgain:
		return outParkNew, true
	case n == 0:
		return outClose, true
	case !h2bridge.IsPreface(p.buf[:n]):
		p.b = p.buf[:n]
		w.l.BR.Reset(p)
		return 0, false
	}
	if n < len(p.buf) {
		// The rest of the preface, waited for.
		d := e.deps.Server.ReadTimeout
		if d <= 0 {
			d = 60 * time.Second
		}
		sh.mayPark, sh.readDeadline = false, time.Now().Add(d)
		for n < len(p.buf) && err == nil && h2bridge.IsPreface(p.buf[:n]) {
			var m int
			m, err = c.tls.tc.Read(p.buf[n:])
			n += m
		}
		sh.mayPark, sh.readDeadline = true, time.Time{}
		if !h2bridge.IsPreface(p.buf[:n]) || n < len(p.buf) {
			if err != nil {
				return outClose, true
			}
			p.b = p.buf[:n]
			sh.mayPark = false // a request has begun
			w.l.BR.Reset(p)
			return 0, false
		}
	}
	return w.h2TLSPeeked(c, p.buf[:]), true
}

// preread is the reader under the worker's bufio.Reader for a connection
// whose first bytes h2DirectTLS read: b, then the shim, through the
// Validator (as checkedShim).
type preread struct {
	w   *worker
	buf [h2bridge.PrefaceLen]byte
	b   []byte
}

func (p *preread) Read(q []byte) (int, error) { return p.w.check.Read((*prereadSrc)(p), q) }

// prereadSrc is the Validator's source: b, then the shim once b is used
// up.
type prereadSrc preread

func (s *prereadSrc) Read(q []byte) (int, error) {
	if len(s.b) == 0 {
		return s.w.sh.Read(q)
	}
	n := copy(q, s.b)
	s.b = s.b[n:]
	return n, nil
}
