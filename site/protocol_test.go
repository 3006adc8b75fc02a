package site

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/internal/h1"
	"github.com/gohttpd/gohttpd/site/accesslog"
)

// validatedConn is a connection an engine reads through an h1.Validator,
// as the site sees it through ctx.Conn().
type validatedConn struct {
	net.Conn
	line []byte
	err  error
}

func (c *validatedConn) RequestLine() []byte  { return c.line }
func (c *validatedConn) ProtocolError() error { return c.err }

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// TestHandleErrorProtocol: a request refused by the engine's Validator is
// answered with the Validator's status and logged with its raw request
// line; errors about the request fasthttp was reading (timeouts) keep
// their own status.
func TestHandleErrorProtocol(t *testing.T) {
	e505 := &h1.Error{Status: 505, Reason: "HTTP major version not supported"}
	e501 := &h1.Error{Status: 501, Reason: "unsupported transfer coding"}
	timeout := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	pipe, other := net.Pipe()
	defer pipe.Close()
	defer other.Close()
	tests := []struct {
		name   string
		conn   net.Conn
		err    error
		status int
		log    string
	}{
		{"wrapped", &validatedConn{Conn: pipe, line: []byte("GET / HTTP/2.0"), err: e505},
			fmt.Errorf("error when reading request headers: %w", e505), 505, `"GET / HTTP/2.0" 505 m=GET`},
		{"body error not wrapped", &validatedConn{Conn: pipe, line: []byte("POST /a HTTP/1.1"), err: e501},
			errors.New("cannot read chunk size"), 501, `"POST /a HTTP/1.1" 501 m=POST`},
		{"nothing came", &validatedConn{Conn: pipe}, timeout, 408, `"-" 408 m=-`},
		{"timeout before a later violation", &validatedConn{Conn: pipe, line: []byte("GET /b HTTP/1.1"), err: e505}, timeout, 408, `"GET /b HTTP/1.1" 408 m=GET`},
		{"no validator", pipe, errors.New("garbage"), 400, `"-" 400 m=-`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out lockedBuffer
			acc, err := accesslog.New(&out, `"%r" %>s m=%m`, accesslog.Options{})
			if err != nil {
				t.Fatal(err)
			}
			s := newTestSite(t, testConfig(t.TempDir()), Options{Access: acc})
			var ctx fasthttp.RequestCtx
			ctx.Init2(tt.conn, nil, false)
			s.handleError(&ctx, tt.err)
			if got := ctx.Response.StatusCode(); got != tt.status {
				t.Errorf("status %d, want %d", got, tt.status)
			}
			if !ctx.Response.ConnectionClose() {
				t.Error("the connection is not closed")
			}
			if got := strings.TrimSpace(out.b.String()); got != tt.log {
				t.Errorf("access log %q, want %q", got, tt.log)
			}
		})
	}
}
