package mpmtest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/internal/h1"
	"github.com/gohttpd/gohttpd/mpm"
)

// RequestPathSeeds are fuzz seeds for the request path: the h1 corpus is
// added by the callers; these are the shapes the engines' own tests use.
var RequestPathSeeds = []string{
	"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\n",
	"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
	"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc",
	"\x00\x01\x02\r\n\r\n",
	"",
}

// CheckRequestPath serves raw on one loopback connection the way the
// prefork and worker engines do (an mpm.Conn reading through an
// h1.Validator with Apache's default options, handed to
// fasthttp.Server.ServeConn) and checks that the connection ends within
// a bound and that the server answers no more requests than the
// Validator read whole, plus at most one error response, which is the
// last: nothing the Validator refused, and nothing after it, reaches the
// handler.
func CheckRequestPath(t *testing.T, raw []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	v := h1.New(h1.Options{})
	handled := 0
	srv := &fasthttp.Server{
		Handler: func(ctx *fasthttp.RequestCtx) {
			handled++
			ctx.WriteString("ok")
		},
		ErrorHandler: func(ctx *fasthttp.RequestCtx, err error) {
			status := fasthttp.StatusBadRequest
			var pe *h1.Error
			if errors.As(v.Err(), &pe) {
				status = pe.Status
			}
			ctx.Error("bad", status)
		},
		ReadTimeout:                  time.Second,
		DisablePreParseMultipartForm: true,
	}
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		done <- srv.ServeConn(&mpm.Conn{TCPConn: c.(*net.TCPConn), Validator: v})
	}()
	c, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write(raw)
	c.(*net.TCPConn).CloseWrite()
	out, err := io.ReadAll(c)
	if err != nil && !errors.Is(err, net.ErrClosed) && !bytes.Contains([]byte(err.Error()), []byte("reset")) {
		t.Fatalf("input %q: the connection did not end: %v", raw, err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("input %q: ServeConn did not return", raw)
	}
	statuses := responseStatuses(out)
	if handled > v.Requests() {
		t.Fatalf("input %q: the handler ran %d times for %d requests read whole", raw, handled, v.Requests())
	}
	for i, st := range statuses {
		if st >= 400 && i != len(statuses)-1 {
			t.Fatalf("input %q: responses %v: an error response is not the last", raw, statuses)
		}
	}
	var pe *h1.Error
	if errors.As(v.Err(), &pe) && len(statuses) > 0 {
		if last := statuses[len(statuses)-1]; last >= 400 && last != pe.Status {
			t.Fatalf("input %q: refused with %d, the Validator says %d (%s)", raw, last, pe.Status, pe.Reason)
		}
	}
}

// responseStatuses reads the HTTP/1.1 responses in out, in order, final
// ones only (1xx interim responses are skipped).
func responseStatuses(out []byte) []int {
	var sts []int
	br := bufio.NewReader(bytes.NewReader(out))
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return sts
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 200 {
			sts = append(sts, resp.StatusCode)
		}
	}
}
