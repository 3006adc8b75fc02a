package site

import (
	"bytes"
	"strconv"
	"time"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/site/accesslog"
)

// keepAlivePolicy holds the directives ap_set_keepalive reads.
type keepAlivePolicy struct {
	on      bool  // conf.HTTPConfig.KeepAliveOn
	timeout int64 // KeepAliveTimeout in whole seconds, as Apache prints it
	max     int   // MaxKeepAliveRequests; 0 = unlimited
}

func newKeepAlivePolicy(h *conf.HTTPConfig) keepAlivePolicy {
	return keepAlivePolicy{
		on:      h.KeepAliveOn(),
		timeout: int64(h.KeepAliveTimeout / time.Second),
		max:     h.MaxKeepAliveRequests,
	}
}

// dropsConnection is ap_status_drops_connection: after these statuses the
// connection is closed whatever else was asked.
func dropsConnection(status int) bool {
	switch status {
	case fasthttp.StatusBadRequest,
		fasthttp.StatusRequestTimeout,
		fasthttp.StatusLengthRequired,
		fasthttp.StatusRequestEntityTooLarge,
		fasthttp.StatusRequestURITooLong,
		fasthttp.StatusInternalServerError,
		fasthttp.StatusNotImplemented,
		fasthttp.StatusServiceUnavailable:
		return true
	}
	return false
}

// setKeepAlive is Apache's ap_set_keepalive for the response in ctx. The
// connection persists only when keep-alive is on, the response does not
// already say close, the request did not say close (an HTTP/1.0 request
// without the keep-alive token counts as close: fasthttp marks it so), the
// status does not drop the connection, fewer than MaxKeepAliveRequests
// requests have been kept alive on it, and the server is not stopping.
// Then, when the client sent the keep-alive token, the response gets
// "Keep-Alive: timeout=N, max=M" (M counts down from MaxKeepAliveRequests;
// just "timeout=N" when that is 0) and "Connection: Keep-Alive". Otherwise
// it gets "Connection: close", which makes fasthttp close the connection
// after writing it.
//
// Like Apache, a connection serves MaxKeepAliveRequests+1 requests: the
// first response says max=MaxKeepAliveRequests, the last one says close.
// The request number is accesslog.ConnRequestNum: fasthttp's, or the
// connection's own count for an engine that serves requests outside
// fasthttp.Server (the event engine).
func (s *Site) setKeepAlive(ctx *fasthttp.RequestCtx) {
	resp := &ctx.Response
	if resp.ConnectionClose() {
		return
	}
	left := s.ka.max
	if n := accesslog.ConnRequestNum(ctx); n > 1 {
		left -= int(min(n-1, uint64(s.ka.max)))
	}
	if !s.ka.on ||
		ctx.Request.Header.ConnectionClose() ||
		dropsConnection(resp.StatusCode()) ||
		(s.ka.max > 0 && left <= 0) ||
		(s.stopping != nil && s.stopping()) {
		resp.SetConnectionClose()
		return
	}
	if !hasToken(ctx.Request.Header.PeekCanonical(hdrConnection), "keep-alive") {
		return
	}
	var buf [48]byte
	v := append(buf[:0], "timeout="...)
	v = strconv.AppendInt(v, s.ka.timeout, 10)
	if s.ka.max > 0 {
		v = append(v, ", max="...)
		v = strconv.AppendInt(v, int64(left), 10)
	}
	resp.Header.SetCanonical(hdrKeepAlive, v)
	resp.Header.SetCanonical(hdrConnection, valKeepAlive)
}

// hasToken reports whether the comma-separated header value v holds token,
// compared case-insensitively.
func hasToken(v []byte, token string) bool {
	for len(v) > 0 {
		var elem []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			elem, v = v[:i], v[i+1:]
		} else {
			elem, v = v, nil
		}
		if bytes.EqualFold(trimOWS(elem), []byte(token)) {
			return true
		}
	}
	return false
}
