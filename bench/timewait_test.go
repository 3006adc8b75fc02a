package bench

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/gohttpd/gohttpd/bench/target"
)

// startFileServer serves the bench's document root on a loopback port
// with net/http until the test ends, as a --target server the bench did
// not start.
func startFileServer(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := target.WriteDocroot(dir); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir))}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/"
}

// TestCloseCountsOnlyTheCasesTimeWait runs the close scenario on one
// external server (one port for both cases): server-close leaves its
// TIME_WAIT sockets on the server's port, and client-close must not count
// them as its own.
func TestCloseCountsOnlyTheCasesTimeWait(t *testing.T) {
	url := startFileServer(t)
	o := Options{Scenarios: []string{"close"}, Target: url, TargetName: "nethttp", Quick: true,
		Duration: 300 * 1e6, Out: "-"}
	run, err := Run(context.Background(), o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srvClose := figure(t, run, "close", "server-close", "nethttp", "TIME_WAIT server")
	conns := figure(t, run, "close", "server-close", "nethttp", "connections")
	if srvClose < 100 || srvClose > conns {
		t.Errorf("server-close: %g server-side TIME_WAIT for %g connections, want most of them", srvClose, conns)
	}
	cliSrv := figure(t, run, "close", "client-close", "nethttp", "TIME_WAIT server")
	cliCli := figure(t, run, "close", "client-close", "nethttp", "TIME_WAIT client")
	onPort := figure(t, run, "close", "client-close", "nethttp", "TIME_WAIT server on port")
	if cliSrv > 10 || cliCli < 100 {
		t.Errorf("client-close: TIME_WAIT server %g, client %g; want the client's only (the port held %g from server-close)",
			cliSrv, cliCli, onPort)
	}
	if onPort < srvClose/2 {
		t.Logf("the port held only %g server-side TIME_WAIT sockets during client-close: no carry-over to tell apart", onPort)
	}
	for _, c := range run.Cases {
		if c.TimeWait == "" {
			t.Errorf("%s on %s does not say how TIME_WAIT was counted", c.Name, c.Target)
		}
		if msg := c.NotReached(); msg != "" {
			t.Errorf("%s on %s: %s", c.Name, c.Target, msg)
		}
	}
}
