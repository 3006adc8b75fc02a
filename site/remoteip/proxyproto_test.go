package remoteip

import (
	"bufio"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/internal/proxyproto"
)

type ppListener struct{ net.Listener }

func (l ppListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	pc, err := proxyproto.Accept(c, proxyproto.Options{Required: true, Timeout: 5 * time.Second})
	if err != nil {
		c.Close()
		return nil, err
	}
	return pc, nil
}

// TestProxyProtocolConnection is Apache's "v1-xff" case
// (testdata/apache.sh): on a RemoteIPProxyProtocol On vhost that also has
// RemoteIPHeader, a PROXY client 203.0.113.5 sending X-Forwarded-For:
// 203.0.113.7 is logged with %a 203.0.113.5, %{c}a the peer, and the
// header untouched.
func TestProxyProtocolConnection(t *testing.T) {
	cfg := buildConfig(t, []string{"RemoteIPHeader X-Forwarded-For"})
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	type seen struct{ a, c, xff string }
	got := make(chan seen, 1)
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		cfg.Apply(ctx)
		got <- seen{ctx.RemoteAddr().String(), proxyproto.PeerAddr(ctx.Conn()).String(), string(ctx.Request.Header.Peek("X-Forwarded-For"))}
	}}
	go srv.Serve(ppListener{ln})
	defer srv.Shutdown()
	c, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte("PROXY TCP4 203.0.113.5 127.0.0.1 4000 18474\r\nGET /pp HTTP/1.0\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s := <-got
	if s.a != "203.0.113.5:4000" || s.c != c.LocalAddr().String() || s.xff != "203.0.113.7" {
		t.Fatalf("%+v (peer %s)", s, c.LocalAddr())
	}
}
