package tlstest

//lint:file-ignore SA1019 x/net/http2's client on purpose: h2c prior knowledge over a conn we dialed, and ClientConn.State shows a GOAWAY; net/http's ClientConn offers neither

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/gohttpd/gohttpd/mpm"
)

// RunH2 checks HTTP/2 over TLS on an engine: with ChildDeps.H2 allowing h2
// on the listener, the engine advertises "h2" in ALPN (it copies
// ChildDeps.TLS, which lists no protocol), serves streams of one
// connection through the same handler (ctx.IsTLS true), answers a client
// that offers only http/1.1 over HTTP/1.1, and without H2 negotiates no h2.
func RunH2(t *testing.T, o Options) {
	o.H2 = &mpm.H2Config{Listeners: []mpm.H2Listener{{H2: true}}}
	t.Run("ALPN", func(t *testing.T) {
		e := Start(t, o)
		cfg := ClientConfig()
		cfg.NextProtos = []string{"h2", "http/1.1"}
		c := e.Dial(t, cfg)
		if p := c.ConnectionState().NegotiatedProtocol; p != "h2" {
			t.Fatalf("ALPN chose %q, want h2", p)
		}
		cc, err := (&http2.Transport{}).NewClientConn(c)
		if err != nil {
			t.Fatal(err)
		}
		defer cc.Close()
		for _, tt := range []struct{ path, want string }{
			{"/", "hello"}, {"/tls", "tls=true TLS 1.3 TLS_"}, {"/medium", string(Big()[:64])},
		} {
			req, _ := http.NewRequest("GET", "https://"+e.Addr+tt.path, nil)
			resp, err := cc.RoundTrip(req)
			if err != nil {
				t.Fatalf("GET %s: %v", tt.path, err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 || resp.ProtoMajor != 2 || !strings.HasPrefix(string(b), tt.want) {
				t.Fatalf("GET %s: %v %d %s %.40q", tt.path, err, resp.StatusCode, resp.Proto, b)
			}
			if tt.path == "/medium" && !bytes.Equal(b, Big()[:MediumSize]) {
				t.Fatalf("GET /medium: %d bytes, not the expected body", len(b))
			}
		}
	})
	t.Run("HTTP1Client", func(t *testing.T) {
		e := Start(t, o)
		cfg := ClientConfig()
		cfg.NextProtos = []string{"http/1.1"}
		c := e.Dial(t, cfg)
		if p := c.ConnectionState().NegotiatedProtocol; p != "http/1.1" {
			t.Fatalf("ALPN chose %q, want http/1.1", p)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 512)
		n, _ := c.Read(b)
		if !bytes.HasPrefix(b[:n], []byte("HTTP/1.1 200")) {
			t.Fatalf("HTTP/1.1 over TLS: %q", b[:n])
		}
	})
	t.Run("HonorOrder", func(t *testing.T) {
		// ProtocolsHonorOrder On (the default): the server's order; Off:
		// the client's.
		for _, clientOrder := range []bool{false, true} {
			o := o
			o.H2 = &mpm.H2Config{Listeners: []mpm.H2Listener{{H2: true, ClientOrder: clientOrder}}}
			e := Start(t, o)
			cfg := ClientConfig()
			cfg.NextProtos = []string{"http/1.1", "h2"}
			want := "h2"
			if clientOrder {
				want = "http/1.1"
			}
			if p := e.Dial(t, cfg).ConnectionState().NegotiatedProtocol; p != want {
				t.Errorf("ClientOrder %v: ALPN chose %q, want %q", clientOrder, p, want)
			}
		}
	})
	t.Run("Off", func(t *testing.T) {
		o := o
		o.H2 = nil
		e := Start(t, o)
		cfg := ClientConfig()
		cfg.NextProtos = []string{"h2"}
		c := e.Dial(t, cfg)
		if p := c.ConnectionState().NegotiatedProtocol; p != "" {
			t.Fatalf("ALPN chose %q without Protocols h2", p)
		}
	})
}
