package event

import (
	"bufio"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// TestNetpollWait: with Config.NetpollWait the loop waits in Go's
// netpoller; handlers that wait on Go connections themselves (a reverse
// proxy's backends) share it. Concurrent keep-alive clients are all
// answered, and the loop's timers still fire while it is parked there (an
// idle keep-alive connection is closed after KeepAliveTimeout).
func TestNetpollWait(t *testing.T) {
	// The "backend": a Go server answering each line with the line.
	bln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var bwg sync.WaitGroup
	t.Cleanup(func() { bln.Close(); bwg.Wait() })
	bwg.Go(func() { // owner: the test; ends when bln closes
		for {
			c, err := bln.Accept()
			if err != nil {
				return
			}
			bwg.Go(func() { // ends when the handler closes its side
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					line, err := br.ReadString('\n')
					if err != nil {
						return
					}
					time.Sleep(time.Millisecond) // the handler parks in netpoll
					if _, err := c.Write([]byte(line)); err != nil {
						return
					}
				}
			})
		}
	})
	e := startWith(t, Config{KeepAliveTimeout: 300 * time.Millisecond, NetpollWait: true}, func(s *fasthttp.Server) {
		s.Handler = func(ctx *fasthttp.RequestCtx) {
			c, err := net.Dial("tcp", bln.Addr().String())
			if err != nil {
				ctx.Error(err.Error(), 502)
				return
			}
			defer c.Close()
			fmt.Fprintf(c, "%s\n", ctx.QueryArgs().Peek("id"))
			line, err := bufio.NewReader(c).ReadString('\n')
			if err != nil {
				ctx.Error(err.Error(), 502)
				return
			}
			ctx.WriteString(line)
		}
	})
	if e.child.e.p.f == nil {
		t.Fatal("the loop does not wait in Go's netpoller")
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		c := dial(t, e.addr)
		wg.Go(func() {
			for j := range 30 {
				want := fmt.Sprintf("%d-%d\n", i, j)
				resp, body, err := c.do("GET /?id=" + want[:len(want)-1] + " HTTP/1.1\r\nHost: x\r\n\r\n")
				if err != nil || resp.StatusCode != 200 || string(body) != want {
					errs <- fmt.Errorf("client %d request %d: %v %q", i, j, err, body)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	c := dial(t, e.addr)
	if resp, _, err := c.do("GET /?id=idle HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET: %v", err)
	}
	start := time.Now()
	if err := c.expectEOF(5 * time.Second); err != nil {
		t.Fatalf("idle keep-alive connection: %v", err)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("closed after %v, before KeepAliveTimeout", d)
	}
}
