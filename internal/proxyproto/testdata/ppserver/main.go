// Command ppserver is a fasthttp server reading the PROXY header with
// internal/proxyproto.Accept, for interop checks behind HAProxy
// (haproxy.sh). It answers each request with what it saw and logs every
// connection's header (health checks included) to stderr.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/internal/proxyproto"
)

type listener struct{ net.Listener }

func (l listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		pc, err := proxyproto.Accept(c, proxyproto.Options{Required: true, Timeout: 3 * time.Second})
		if err != nil {
			log.Printf("[remoteip:error] [client %s] %v", c.RemoteAddr(), err)
			c.Close()
			continue
		}
		if p, ok := pc.(*proxyproto.Conn); ok {
			h := p.Header()
			log.Printf("conn peer=%s client=%s v%d local=%v tlv=%d", p.PeerAddr(), p.RemoteAddr(), h.Version, h.Local, len(h.TLV))
		}
		return pc, nil
	}
}

func main() {
	addr := flag.String("listen", "127.0.0.1:18481", "address")
	flag.Parse()
	ln, err := net.Listen("tcp4", *addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		fmt.Fprintf(ctx, "a=%s c=%s\n", ctx.RemoteAddr(), proxyproto.PeerAddr(ctx.Conn()))
	}}
	log.Fatal(srv.Serve(listener{ln}))
}
