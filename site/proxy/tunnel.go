package proxy

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// maxRefusalBody bounds the body of a backend's answer to an upgrade
// request that is not a 101.
const maxRefusalBody = 1 << 20

// tunnel is mod_proxy_http's (2.4.47+) / mod_proxy_wstunnel's upgrade:
// the upgrade request goes to a new backend connection; a 101 answer is
// relayed to the client over the hijacked connection and bytes are then
// copied both ways until either side closes or nothing moves for the
// worker's timeout. Any other answer is relayed as a normal response.
//
// hijacked reports that the tunnel now holds the worker busy (until it
// ends).
func (p *Proxy) tunnel(ctx *fasthttp.RequestCtx, r *Request, w *worker, path, proto string, res *Result) (failedConnect, hijacked bool) {
	bc, err := w.dial()
	if err != nil {
		return p.backendError(ctx, w, err, res), false
	}
	w.clearError()

	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	p.buildRequest(ctx, req, r, w, path)
	req.Header.Set(fasthttp.HeaderConnection, "Upgrade")
	req.Header.Set(fasthttp.HeaderUpgrade, proto)

	_ = bc.SetDeadline(time.Now().Add(w.timeout))
	bw := bufio.NewWriter(bc)
	err = req.Write(bw)
	if err == nil {
		err = bw.Flush()
	}
	br := bufio.NewReaderSize(bc, 8192) // Apache's ResponseFieldSize
	resp := fasthttp.AcquireResponse()
	resp.Header.DisableNormalizing() // header names as the backend wrote them
	if err == nil {
		err = resp.Header.Read(br)
	}
	if err != nil {
		bc.Close()
		fasthttp.ReleaseResponse(resp)
		return p.backendError(ctx, w, err, res), false
	}
	if resp.StatusCode() != fasthttp.StatusSwitchingProtocols {
		// Not upgraded: relay this answer (its body bounded to
		// maxRefusalBody) and close the backend connection.
		if hasBody(resp.StatusCode()) && !ctx.IsHead() {
			if err := resp.ReadBody(br, maxRefusalBody); err != nil {
				bc.Close()
				fasthttp.ReleaseResponse(resp)
				return p.backendError(ctx, w, err, res), false
			}
		}
		bc.Close()
		p.copyResponse(ctx, resp, r, w) // the body was read: no stream
		return false, false
	}
	defer fasthttp.ReleaseResponse(resp)
	got := resp.Header.Peek(fasthttp.HeaderUpgrade)
	if !strings.EqualFold(string(got), proto) {
		bc.Close()
		res.Status = fasthttp.StatusBadGateway
		res.Reason = "Proxy Error"
		res.Notes = fmt.Sprintf("Unexpected Upgrade: %s (expecting %s)", orNA(got), proto)
		res.log(Entry{Level: slog.LevelError, Module: "proxy", Client: true, Msg: fmt.Sprintf(
			"AH00898: %s returned by %s", res.Notes, ctx.Path())})
		return false, false
	}
	_ = bc.SetDeadline(time.Time{})

	// The 101 head as the backend sent it, hop-by-hop headers included
	// (Connection and Upgrade are the point of it).
	head := resp.Header.Header()
	head = append([]byte(nil), head...)
	buffered := br.Buffered()
	pending, _ := br.Peek(buffered)
	pending = append([]byte(nil), pending...)
	timeout := w.timeout
	logger := p.opts.Logger
	client := ctx.RemoteAddr().String()
	uri := string(ctx.Path())

	ctx.HijackSetNoResponse(true)
	busy := &w.busy
	ctx.Hijack(func(cc net.Conn) {
		defer busy.Add(-1)
		defer bc.Close()
		if _, err := cc.Write(head); err != nil {
			return
		}
		if len(pending) > 0 {
			if _, err := cc.Write(pending); err != nil {
				return
			}
		}
		err := relay(cc, bc, timeout)
		if err != nil && logger != nil && isTimeout(err) {
			Entry{Level: slog.LevelError, Module: "proxy", Client: true,
				Msg: fmt.Sprintf("AH10213: tunnel timed out for %s", uri)}.Log(context.Background(), logger, client)
		}
	})
	return false, true
}

func orNA(b []byte) string {
	if len(b) == 0 {
		return "n/a"
	}
	return string(b)
}

// relay copies bytes both ways until one side closes or neither side
// sends anything for timeout. It returns the first error other than a
// normal close.
func relay(a, b net.Conn, timeout time.Duration) error {
	var last sync.Mutex
	lastAct := time.Now()
	touch := func() {
		last.Lock()
		lastAct = time.Now()
		last.Unlock()
	}
	idle := func() bool {
		last.Lock()
		defer last.Unlock()
		return time.Since(lastAct) >= timeout
	}
	var closing atomic.Bool
	errc := make(chan error, 2)
	cp := func(dst, src net.Conn) {
		buf := make([]byte, 16*1024)
		for !closing.Load() {
			_ = src.SetReadDeadline(time.Now().Add(timeout))
			n, err := src.Read(buf)
			if n > 0 {
				touch()
				_ = dst.SetWriteDeadline(time.Now().Add(timeout))
				if _, werr := dst.Write(buf[:n]); werr != nil {
					errc <- werr
					return
				}
			}
			if err != nil {
				if isTimeout(err) && !idle() && !closing.Load() {
					continue // the other direction is active
				}
				if err == io.EOF {
					err = nil
				}
				errc <- err
				return
			}
		}
		errc <- nil
	}
	go cp(a, b)
	go cp(b, a)
	err := <-errc
	// Unblock the other direction.
	closing.Store(true)
	_ = a.SetDeadline(time.Now())
	_ = b.SetDeadline(time.Now())
	<-errc
	return err
}
