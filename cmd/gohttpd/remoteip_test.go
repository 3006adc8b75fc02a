package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// loopbackPort returns a loopback port nobody listens on right now.
func loopbackPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startHAProxy runs Debian's haproxy in the foreground with cfg and waits
// until every port in ports accepts; cleanup stops it.
func startHAProxy(t *testing.T, cfg string, ports ...int) *exec.Cmd {
	t.Helper()
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		t.Fatal("haproxy is not installed (apt-get install haproxy): ", err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(file, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-db", "-f", file)
	out, _ := os.Create(filepath.Join(dir, "out"))
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out.Close()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }() //nolint:errcheck // the exit status is not interesting
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	for _, p := range ports {
		mpmtest.WaitFor(t, 10*time.Second, fmt.Sprintf("haproxy to listen on %d", p), func() bool {
			c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", p), time.Second)
			if err == nil {
				c.Close()
				return true
			}
			select {
			case <-done:
				b, _ := os.ReadFile(filepath.Join(dir, "out"))
				t.Fatalf("haproxy exited:\n%s", b)
			default:
			}
			return false
		})
	}
	return cmd
}

// clientFrom is an HTTP client whose connections come from local (a
// loopback address other than 127.0.0.1), without keep-alive.
func clientFrom(local string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

var addr2AnyRE = regexp.MustCompile(`listening .*addr=(127\.0\.0\.2:[0-9]+)`)

// TestRemoteIPBehindHAProxy: gohttpd behind HAProxy on every engine, as
// Apache 2.4.71 with mod_remoteip answers the same setup (compared on
// this machine): with send-proxy-v2 and send-proxy (RemoteIPProxyProtocol
// On in the vhost of the address HAProxy connects to) and with option
// forwardfor (RemoteIPHeader X-Forwarded-For, RemoteIPInternalProxy
// 127.0.0.1), %a and %h are the client (127.0.0.3), %{c}a the peer
// (HAProxy, 127.0.0.1), Require ip sees the client, and the reverse
// proxy's X-Forwarded-For names it. A connection without the header
// where one is required is closed; a malformed header is logged with
// its AH number.
func TestRemoteIPBehindHAProxy(t *testing.T) {
	for _, mpmName := range []string{"event", "prefork", "worker"} {
		t.Run(mpmName, func(t *testing.T) { testRemoteIPBehindHAProxy(t, mpmName) })
	}
}

func testRemoteIPBehindHAProxy(t *testing.T, mpmName string) {
	be := startProxyBackend(t)
	s := mpmtest.Start(t, mpmtest.Options{MPM: mpmName, Directives: []string{
		"Listen 127.0.0.2:0",
		`LogFormat "%a %{c}a %h %>s %U" remote`,
		"CustomLog logs/remote_log remote",
		"RemoteIPHeader X-Forwarded-For",
		"RemoteIPInternalProxy 127.0.0.1",
		"ProxyPass /app/ http://" + be.addr + "/b/",
		"<Location /only3>",
		"    Require ip 127.0.0.3",
		"</Location>",
		"RemoteIPProxyProtocolExceptions 127.0.0.9",
		"<VirtualHost 127.0.0.2:*>",
		"    RemoteIPProxyProtocol On",
		"</VirtualHost>",
	}, Files: map[string][]byte{"only3": []byte("for 127.0.0.3\n")}})
	var ppAddr string
	mpmtest.WaitFor(t, 10*time.Second, "the 127.0.0.2 listener", func() bool {
		if m := addr2AnyRE.FindStringSubmatch(s.ErrorLog()); m != nil {
			ppAddr = m[1]
		}
		return ppAddr != ""
	})
	if !strings.Contains(s.ErrorLog(), "AH03492: RemoteIPProxyProtocol: enabled on 127.0.0.2:0") {
		t.Errorf("no AH03492 start-up line:\n%s", s.ErrorLog())
	}
	v2, v1, xff := loopbackPort(t), loopbackPort(t), loopbackPort(t)
	startHAProxy(t, fmt.Sprintf(`global
    maxconn 100
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend v2
    bind 127.0.0.1:%d
    default_backend bv2
frontend v1
    bind 127.0.0.1:%d
    default_backend bv1
frontend xff
    bind 127.0.0.1:%d
    option forwardfor
    default_backend bxff
backend bv2
    server s1 %s send-proxy-v2
backend bv1
    server s1 %s send-proxy
backend bxff
    server s1 %s
`, v2, v1, xff, ppAddr, ppAddr, s.Addr), v2, v1, xff)

	c := clientFrom("127.0.0.3")
	for _, fe := range []struct {
		name string
		port int
	}{{"send-proxy-v2", v2}, {"send-proxy", v1}, {"option forwardfor", xff}} {
		base := fmt.Sprintf("http://127.0.0.1:%d", fe.port)
		resp, err := c.Get(base + "/only3")
		if err != nil {
			t.Fatalf("%s: %v", fe.name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "for 127.0.0.3\n" {
			t.Errorf("%s: /only3 (Require ip 127.0.0.3): %d %q", fe.name, resp.StatusCode, body)
		}
		resp, err = c.Get(base + "/app/echo")
		if err != nil {
			t.Fatalf("%s: %v", fe.name, err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), "\nX-Forwarded-For: 127.0.0.3\n") {
			t.Errorf("%s: the backend saw\n%s\nwant X-Forwarded-For: 127.0.0.3 (the client, once)", fe.name, body)
		}
		// The status page's Client column of the request itself.
		resp, err = c.Get(base + "/server-status?json")
		if err != nil {
			t.Fatalf("%s: %v", fe.name, err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), `"client": "127.0.0.3"`) {
			t.Errorf("%s: the status page shows no worker with client 127.0.0.3:\n%.2000s", fe.name, body)
		}
	}
	// Directly, from 127.0.0.1: Require ip denies; on the PROXY address
	// a connection without a header gets no answer.
	if resp, err := noRedirect.Get(s.URL("/only3")); err != nil || resp.StatusCode != 403 {
		t.Errorf("direct /only3: %v %v, want 403", resp, err)
	}
	if resp, err := noRedirect.Get("http://" + ppAddr + "/"); err == nil {
		t.Errorf("no PROXY header on %s: %d, want the connection closed", ppAddr, resp.StatusCode)
		resp.Body.Close()
	}
	// A peer in RemoteIPProxyProtocolExceptions speaks plain HTTP there.
	if resp, err := clientFrom("127.0.0.9").Get("http://" + ppAddr + "/only3"); err != nil || resp.StatusCode != 403 {
		t.Errorf("plain HTTP from an excepted peer: %v %v, want an answer (403: Require ip sees 127.0.0.9)", resp, err)
	} else {
		resp.Body.Close()
	}
	// A malformed v1 line is refused and logged.
	if conn, err := net.Dial("tcp", ppAddr); err == nil {
		fmt.Fprintf(conn, "PROXY TCP4 1.2.3.x 127.0.0.2 1 2\r\nGET / HTTP/1.0\r\n\r\n")
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		if line, _ := bufio.NewReader(conn).ReadString('\n'); line != "" {
			t.Errorf("a malformed PROXY line got %q, want the connection closed", line)
		}
		conn.Close()
	}
	mpmtest.WaitFor(t, 5*time.Second, "the access log lines and the refusal", func() bool {
		b, _ := os.ReadFile(filepath.Join(s.Dir, "logs", "remote_log"))
		log := string(b)
		return strings.Count(log, "127.0.0.3 127.0.0.1 127.0.0.3 200 /only3\n") == 3 &&
			strings.Count(log, "127.0.0.3 127.0.0.1 127.0.0.3 200 /app/echo\n") == 3 &&
			strings.Contains(log, "127.0.0.1 127.0.0.1 127.0.0.1 403 /only3\n") &&
			strings.Contains(log, "127.0.0.9 127.0.0.9 127.0.0.9 403 /only3\n") &&
			strings.Contains(s.ErrorLog(), "[remoteip:error]")
	})
}
