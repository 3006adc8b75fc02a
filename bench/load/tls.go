package load

import (
	"crypto/tls"
	"fmt"
	"net"
	"time"
)

// handshake wraps c in TLS when the run speaks HTTPS (Config.TLS) and
// runs the handshake by deadline. Whether a new connection resumes a
// session is the configuration's: with a nil ClientSessionCache every
// connection does a full handshake; with one (shared by the workers),
// connections after the first resume.
func (w *worker) handshake(c net.Conn, deadline time.Time) (net.Conn, error) {
	cfg := w.r.cfg.TLS
	if cfg == nil {
		return c, nil
	}
	tc := tls.Client(c, cfg)
	tc.SetDeadline(deadline)
	if err := tc.Handshake(); err != nil {
		c.Close()
		return nil, fmt.Errorf("tls handshake: %w", err)
	}
	tc.SetDeadline(time.Time{})
	if w.tlsState == nil {
		cs := tc.ConnectionState()
		w.tlsState = &cs
	}
	if tc.ConnectionState().DidResume {
		w.resumed++
	}
	return tc, nil
}
