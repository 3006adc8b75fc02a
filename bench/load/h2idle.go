package load

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"golang.org/x/net/http2"
)

// H2Idle holds idle HTTP/2 connections: each was opened, answered one
// request and then left open with no stream (for the memory a server
// keeps per idle connection). Close closes them.
type H2Idle struct {
	mu    sync.Mutex // guards conns
	conns []net.Conn
	// Err is the first error of a connection that could not be held.
	Err error
}

// HoldH2 opens up to n connections to cfg's server, 16 at a time, each
// answering one GET of cfg.Path, and keeps them open. It returns an
// error only when none could be held or the server does not speak
// HTTP/2; otherwise H2Idle.Err says why some failed.
func HoldH2(ctx context.Context, cfg H2Config, n int) (*H2Idle, error) {
	cfg.Duration = time.Minute // unused; withDefaults wants one
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	h := &H2Idle{}
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for range n {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c, err := holdOne(&cfg)
			h.mu.Lock()
			defer h.mu.Unlock()
			if err != nil {
				if h.Err == nil || errors.Is(err, ErrNotH2) {
					h.Err = err
				}
				return
			}
			h.conns = append(h.conns, c)
		})
	}
	wg.Wait()
	if errors.Is(h.Err, ErrNotH2) || len(h.conns) == 0 {
		h.Close()
		if h.Err == nil {
			h.Err = ctx.Err()
		}
		return nil, fmt.Errorf("load: no idle HTTP/2 connection held: %w", h.Err)
	}
	return h, nil
}

// Held is the number of connections held.
func (h *H2Idle) Held() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns)
}

// Close closes every held connection.
func (h *H2Idle) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.conns {
		c.Close()
	}
	h.conns = nil
}

// holdOne opens one connection and completes one request on it.
func holdOne(cfg *H2Config) (net.Conn, error) {
	deadline := time.Now().Add(cfg.Timeout)
	nc, _, err := dialH2(cfg, deadline)
	if err != nil {
		return nil, err
	}
	s, err := newH2Session(cfg, nc, deadline)
	if err != nil {
		nc.Close()
		return nil, err
	}
	nc.SetDeadline(deadline)
	if err = s.writeRequest(1); err == nil {
		err = s.bw.Flush()
	}
	for err == nil {
		var f http2.Frame
		if f, err = s.fr.ReadFrame(); err != nil {
			break
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				err = s.applySettings(f)
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				err = s.fr.WritePing(true, f.Data)
			}
		case *http2.HeadersFrame:
			s.dec.Write(f.HeaderBlockFragment())
			if f.StreamEnded() {
				return s.done(nc)
			}
		case *http2.DataFrame:
			if f.StreamEnded() {
				return s.done(nc)
			}
		case *http2.RSTStreamFrame:
			err = fmt.Errorf("load: stream reset: %v", f.ErrCode)
		case *http2.GoAwayFrame:
			err = fmt.Errorf("load: GOAWAY: %v", f.ErrCode)
		}
		if err == nil && s.br.Buffered() == 0 && s.bw.Buffered() > 0 {
			err = s.bw.Flush()
		}
	}
	nc.Close()
	return nil, err
}

// done flushes what is pending (a SETTINGS ack) and clears deadlines.
func (s *h2session) done(nc net.Conn) (net.Conn, error) {
	if err := s.bw.Flush(); err != nil {
		nc.Close()
		return nil, err
	}
	nc.SetDeadline(time.Time{})
	return nc, nil
}
