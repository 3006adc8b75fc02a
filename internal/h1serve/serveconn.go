package h1serve

import (
	"bufio"
	"errors"
	"io"
	"net"
	"time"

	"github.com/valyala/fasthttp"
)

// ServeConn serves HTTP/1 requests on a blocking connection until it
// closes, as fasthttp.Server.ServeConn does, with the loop the event engine
// runs: the engines serve TLS connections and the tests compare the loop
// with fasthttp through it. It closes c, except when a handler hijacked it
// (the HijackHandler then runs on its own goroutine and c is closed when
// it returns, unless KeepHijackedConns is set).
//
// Settings honoured here besides the loop's (see settings.go):
// ReadTimeout bounds a new connection's first request, IdleTimeout (or
// ReadTimeout) each wait for the next one, WriteTimeout each response.
// RequestCtx.ConnRequestNum stays 0 (RequestCtx.Init2); a connection that
// implements ConnRequestNum reports the request number instead.
func (s *Server) ServeConn(c net.Conn) error {
	srv := s.srv
	rbs, wbs := srv.ReadBufferSize, srv.WriteBufferSize
	if rbs <= 0 {
		rbs = 4096
	}
	if wbs <= 0 {
		wbs = 4096
	}
	fr := &flushReader{c: c}
	l := &Loop{
		S:            s,
		Ctx:          new(fasthttp.RequestCtx),
		BR:           bufio.NewReaderSize(fr, rbs),
		BW:           bufio.NewWriterSize(c, wbs),
		WriteTimeout: srv.WriteTimeout,
	}
	fr.bw = l.BW
	idle := srv.IdleTimeout
	if idle == 0 {
		idle = srv.ReadTimeout
	}
	for n := uint64(1); ; n++ {
		var d time.Duration
		if n == 1 {
			d = srv.ReadTimeout
		} else {
			d = idle
		}
		var dl time.Time
		if d > 0 {
			dl = time.Now().Add(d)
		}
		c.SetReadDeadline(dl)
		if _, err := l.BR.Peek(1); err != nil {
			if n == 1 && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				l.fail(c, err, NoHooks)
			}
			c.Close()
			if errors.Is(err, io.EOF) || n > 1 {
				return nil
			}
			return err
		}
		res := l.Serve(c, n, NoHooks)
		if res.Hijack != nil {
			hc := &HijackedConn{Conn: c, R: l.HijackReader(c)}
			// The RequestCtx stays the HijackHandler's: this Loop's ends here.
			go func() {
				res.Hijack(hc)
				if !srv.KeepHijackedConns {
					c.Close()
				}
			}()
			return nil
		}
		l.ResetCtx()
		if res.Close || res.Err != nil {
			c.Close()
			if res.Answered {
				return nil
			}
			return res.Err
		}
	}
}

// flushReader reads c, flushing the responses bw holds first, so pipelined
// responses go out together but never wait for the client's next bytes.
type flushReader struct {
	c  net.Conn
	bw *bufio.Writer
}

func (r *flushReader) Read(p []byte) (int, error) {
	if r.bw.Buffered() > 0 {
		if err := r.bw.Flush(); err != nil {
			return 0, err
		}
	}
	return r.c.Read(p)
}
