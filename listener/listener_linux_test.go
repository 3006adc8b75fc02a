package listener

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openT opens a listener and closes it when the test ends.
func openT(t *testing.T, spec Spec) *Listener {
	t.Helper()
	l, err := Open(spec)
	if err != nil {
		t.Fatalf("Open(%+v) error = %v", spec, err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// dialT dials addr and closes the connection when the test ends.
func dialT(t *testing.T, network, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout(network, addr, 2*time.Second)
	if err != nil {
		t.Fatalf("Dial(%s, %s) error = %v", network, addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// acceptT accepts one connection within timeout and closes it when the test
// ends.
func acceptT(t *testing.T, l *Listener, timeout time.Duration) net.Conn {
	t.Helper()
	if err := l.SetDeadline(time.Now().Add(timeout)); err != nil {
		t.Fatal(err)
	}
	c, err := l.Accept()
	if err != nil {
		t.Fatalf("Accept() error = %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitFor polls cond every few milliseconds until it holds or timeout
// passes, then fails with cond's last description.
func waitFor(t *testing.T, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, desc := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, desc)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// sockopt reads an integer socket option of c.
func sockopt(t *testing.T, c syscall.Conn, level, opt int) int {
	t.Helper()
	var v int
	if err := control(c, func(fd int) error {
		var err error
		v, err = unix.GetsockoptInt(fd, level, opt)
		return err
	}); err != nil {
		t.Fatalf("getsockopt(%d, %d) error = %v", level, opt, err)
	}
	return v
}

// fdFlags returns F_GETFL and F_GETFD of c's descriptor.
func fdFlags(t *testing.T, c syscall.Conn) (fl, fdfl int) {
	t.Helper()
	if err := control(c, func(fd int) error {
		var err error
		if fl, err = unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0); err != nil {
			return err
		}
		fdfl, err = unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		return err
	}); err != nil {
		t.Fatalf("fcntl error = %v", err)
	}
	return fl, fdfl
}

func nonblocking(t *testing.T, c syscall.Conn) bool {
	t.Helper()
	fl, _ := fdFlags(t, c)
	return fl&unix.O_NONBLOCK != 0
}

// haveIPv6 reports whether ::1 can be listened on.
func haveIPv6() bool {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

func TestOpenAddresses(t *testing.T) {
	v6 := haveIPv6()
	tests := []struct {
		name     string
		host     string
		needV6   bool
		wantAddr string // bound address without port
		dials    []string
	}{
		{name: "ipv4", host: "127.0.0.1", wantAddr: "127.0.0.1", dials: []string{"127.0.0.1"}},
		{name: "ipv6", host: "::1", needV6: true, wantAddr: "::1", dials: []string{"::1"}},
		{name: "ipv6 brackets", host: "[::1]", needV6: true, wantAddr: "::1", dials: []string{"::1"}},
		{name: "wildcard dual-stack", host: "", needV6: true, wantAddr: "::", dials: []string{"127.0.0.1", "::1"}},
		{name: "wildcard star", host: "*", needV6: true, wantAddr: "::", dials: []string{"::1", "127.0.0.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needV6 && !v6 {
				t.Skip("::1 unavailable")
			}
			l := openT(t, Spec{Host: tt.host, Port: 0, Proto: "http"})
			addr := l.Addr().(*net.TCPAddr)
			if got := addr.AddrPort().Addr().String(); got != tt.wantAddr {
				t.Errorf("Open(%q).Addr() = %v, want host %s", tt.host, addr, tt.wantAddr)
			}
			if l.Spec().Port == 0 || l.Spec().Port != addr.Port {
				t.Errorf("Open(%q).Spec().Port = %d, want the bound port %d", tt.host, l.Spec().Port, addr.Port)
			}
			if w := l.Warnings(); len(w) != 0 {
				t.Errorf("Open(%q).Warnings() = %q, want none", tt.host, w)
			}
			// The listening socket: Apache's options, non-blocking, close-on-exec.
			for _, o := range []struct {
				name       string
				level, opt int
				want       int
			}{
				{"SO_REUSEADDR", unix.SOL_SOCKET, unix.SO_REUSEADDR, 1},
				{"SO_KEEPALIVE", unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1},
				{"SO_REUSEPORT", unix.SOL_SOCKET, unix.SO_REUSEPORT, 0},
				{"TCP_DEFER_ACCEPT", unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT, 0},
			} {
				if got := sockopt(t, l, o.level, o.opt); got != o.want {
					t.Errorf("listener %s = %d, want %d", o.name, got, o.want)
				}
			}
			if tt.wantAddr == "::" {
				// Dual-stack. (Binding a specific IPv6 address makes the
				// kernel set IPV6_V6ONLY itself.)
				if got := sockopt(t, l, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY); got != 0 {
					t.Errorf("listener IPV6_V6ONLY = %d, want 0", got)
				}
			}
			fl, fdfl := fdFlags(t, l)
			if fl&unix.O_NONBLOCK == 0 || fdfl&unix.FD_CLOEXEC == 0 {
				t.Errorf("listener flags: O_NONBLOCK %t, FD_CLOEXEC %t, want both", fl&unix.O_NONBLOCK != 0, fdfl&unix.FD_CLOEXEC != 0)
			}

			for _, host := range tt.dials {
				c := dialT(t, "tcp", net.JoinHostPort(host, strconv.Itoa(addr.Port)))
				s := acceptT(t, l, 2*time.Second)
				if got, want := s.RemoteAddr().String(), c.LocalAddr().String(); got != want {
					t.Errorf("dial %s: accepted remote %s, want %s", host, got, want)
				}
				tc, ok := s.(*net.TCPConn)
				if !ok {
					t.Fatalf("Accept() returned %T, want *net.TCPConn", s)
				}
				if got := sockopt(t, tc, unix.IPPROTO_TCP, unix.TCP_NODELAY); got == 0 {
					t.Errorf("dial %s: accepted TCP_NODELAY = %d, want on", host, got)
				}
				if got := sockopt(t, tc, unix.SOL_SOCKET, unix.SO_KEEPALIVE); got != 1 {
					t.Errorf("dial %s: accepted SO_KEEPALIVE = %d, want 1", host, got)
				}
				// One byte each way proves the pair works.
				if _, err := c.Write([]byte{'x'}); err != nil {
					t.Fatal(err)
				}
				s.SetReadDeadline(time.Now().Add(2 * time.Second))
				if _, err := io.ReadFull(s, make([]byte, 1)); err != nil {
					t.Errorf("dial %s: read on accepted conn: %v", host, err)
				}
			}
		})
	}
}

func TestOpenOptions(t *testing.T) {
	tests := []struct {
		name  string
		spec  Spec
		check func(t *testing.T, l *Listener)
	}{
		{
			name: "buffers",
			spec: Spec{SendBuffer: 64 << 10, ReceiveBuffer: 96 << 10},
			check: func(t *testing.T, l *Listener) {
				// Linux caps the value at [wr]mem_max and doubles it
				// for bookkeeping.
				if got, want := sockopt(t, l, unix.SOL_SOCKET, unix.SO_SNDBUF), 2*min(64<<10, sysctl(t, "wmem_max")); got != want {
					t.Errorf("SO_SNDBUF = %d, want %d", got, want)
				}
				if got, want := sockopt(t, l, unix.SOL_SOCKET, unix.SO_RCVBUF), 2*min(96<<10, sysctl(t, "rmem_max")); got != want {
					t.Errorf("SO_RCVBUF = %d, want %d", got, want)
				}
			},
		},
		{
			name: "reuseport",
			spec: Spec{ReusePort: true},
			check: func(t *testing.T, l *Listener) {
				if got := sockopt(t, l, unix.SOL_SOCKET, unix.SO_REUSEPORT); got != 1 {
					t.Errorf("SO_REUSEPORT = %d, want 1", got)
				}
			},
		},
		{
			name: "defer accept",
			spec: Spec{DeferAccept: ApacheDeferAccept},
			check: func(t *testing.T, l *Listener) {
				// The kernel reports the value rounded to SYN-ACK
				// retransmissions (30 → 31 on 6.x).
				if got := sockopt(t, l, unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT); got < 30 {
					t.Errorf("TCP_DEFER_ACCEPT = %d, want >= 30", got)
				}
				if got := l.Spec().DeferAccept; got != ApacheDeferAccept {
					t.Errorf("Spec().DeferAccept = %v, want %v", got, ApacheDeferAccept)
				}
			},
		},
		{
			name: "default backlog",
			spec: Spec{},
			check: func(t *testing.T, l *Listener) {
				if got := l.Spec().Backlog; got != DefaultBacklog {
					t.Errorf("Spec().Backlog = %d, want %d", got, DefaultBacklog)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.Host = "127.0.0.1"
			l := openT(t, tt.spec)
			if w := l.Warnings(); len(w) != 0 {
				t.Errorf("Warnings() = %q, want none", w)
			}
			tt.check(t, l)
		})
	}
}

// sysctl reads /proc/sys/net/core/<name>.
func sysctl(t *testing.T, name string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/net/core/" + name)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOpenErrors(t *testing.T) {
	first := openT(t, Spec{Host: "127.0.0.1"})
	port := first.Spec().Port
	tests := []struct {
		name    string
		spec    Spec
		wantErr string
		wantIs  error
	}{
		{
			name:    "port in use",
			spec:    Spec{Host: "127.0.0.1", Port: port},
			wantErr: fmt.Sprintf("AH00072: make_sock: could not bind to address 127.0.0.1:%d", port),
			wantIs:  unix.EADDRINUSE,
		},
		{
			name:    "port in use, reuseport on one side only",
			spec:    Spec{Host: "127.0.0.1", Port: port, ReusePort: true},
			wantErr: "could not bind to address",
			wantIs:  unix.EADDRINUSE,
		},
		{name: "port too large", spec: Spec{Host: "127.0.0.1", Port: 65536}, wantErr: "port 65536 out of range"},
		{name: "negative port", spec: Spec{Host: "127.0.0.1", Port: -1}, wantErr: "port -1 out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Open(tt.spec)
			if err == nil {
				l.Close()
				t.Fatalf("Open(%+v) succeeded, want error %q", tt.spec, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Open(%+v) error = %q, want it to contain %q", tt.spec, err, tt.wantErr)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Open(%+v) error = %v, want errors.Is %v", tt.spec, err, tt.wantIs)
			}
		})
	}
}

func TestOpenWildcardInUse(t *testing.T) {
	if !haveIPv6() {
		t.Skip("::1 unavailable")
	}
	first := openT(t, Spec{})
	port := first.Spec().Port
	_, err := Open(Spec{Port: port})
	want := fmt.Sprintf("could not bind to address [::]:%d", port)
	if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, unix.EADDRINUSE) {
		t.Errorf("Open(wildcard, %d) error = %v, want EADDRINUSE containing %q", port, err, want)
	}
}

// TestOpenWildcardFallback makes the dual-stack [::] bind fail (an IPv6-only
// socket holds [::]:port) so that Open falls back to 0.0.0.0, as Apache does
// when :: cannot be bound.
func TestOpenWildcardFallback(t *testing.T) {
	if !haveIPv6() {
		t.Skip("::1 unavailable")
	}
	v6only, err := net.Listen("tcp6", "[::]:0") // Go sets IPV6_V6ONLY=1 here
	if err != nil {
		t.Fatal(err)
	}
	defer v6only.Close()
	port := v6only.Addr().(*net.TCPAddr).Port
	l := openT(t, Spec{Port: port})
	if got, want := l.Addr().String(), fmt.Sprintf("0.0.0.0:%d", port); got != want {
		t.Errorf("Open(wildcard).Addr() = %s, want %s", got, want)
	}
	w := l.Warnings()
	want := fmt.Sprintf("could not bind to address [::]:%d", port)
	if len(w) != 1 || !strings.Contains(w[0], want) || !strings.Contains(w[0], "listening on 0.0.0.0") {
		t.Errorf("Open(wildcard).Warnings() = %q, want one containing %q", w, want)
	}
	c := dialT(t, "tcp", fmt.Sprintf("127.0.0.1:%d", port))
	s := acceptT(t, l, 2*time.Second)
	if got, want := s.RemoteAddr().String(), c.LocalAddr().String(); got != want {
		t.Errorf("Accept() = conn from %s, want %s", got, want)
	}
}

func TestReusePort(t *testing.T) {
	a := openT(t, Spec{Host: "127.0.0.1", ReusePort: true})
	b := openT(t, Spec{Host: "127.0.0.1", Port: a.Spec().Port, ReusePort: true})
	if a.Spec().Port != b.Spec().Port {
		t.Fatalf("second listener port = %d, want %d", b.Spec().Port, a.Spec().Port)
	}
	// The kernel spreads connections by 4-tuple hash; every one must land
	// on one of the two sockets.
	const conns = 8
	for i := range conns {
		dialT(t, "tcp", a.Addr().String())
		waitFor(t, 2*time.Second, func() (bool, string) {
			sa, err1 := a.Stats()
			sb, err2 := b.Stats()
			got := sa.QueueLen + sb.QueueLen
			return err1 == nil && err2 == nil && got == i+1,
				fmt.Sprintf("queued = %d (%v, %v), want %d", got, err1, err2, i+1)
		})
	}
}

func TestEffectiveBacklog(t *testing.T) {
	smc, err := Somaxconn()
	if err != nil {
		t.Fatalf("Somaxconn() error = %v", err)
	}
	if smc <= 0 {
		t.Fatalf("Somaxconn() = %d, want > 0", smc)
	}
	tests := []struct {
		name    string
		backlog int
		want    int
	}{
		{"small", 4, min(4, smc)},
		{"default", 0, min(DefaultBacklog, smc)},
		{"apache", 511, min(511, smc)},
		{"above somaxconn", 1 << 20, smc},
		{"above int32", 1 << 40, smc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := openT(t, Spec{Host: "127.0.0.1", Backlog: tt.backlog})
			if got := l.EffectiveBacklog(); got != tt.want {
				t.Errorf("Open(Backlog %d).EffectiveBacklog() = %d, want %d", tt.backlog, got, tt.want)
			}
			st, err := l.Stats()
			if err != nil {
				t.Fatalf("Stats() error = %v", err)
			}
			if st.Backlog != tt.want || st.QueueLen != 0 {
				t.Errorf("Open(Backlog %d).Stats() = %+v, want {QueueLen:0 Backlog:%d}", tt.backlog, st, tt.want)
			}
		})
	}
}

func TestAcceptQueueOverflow(t *testing.T) {
	const backlog = 4
	l := openT(t, Spec{Host: "127.0.0.1", Backlog: backlog})
	st, err := l.Stats()
	if err != nil {
		t.Fatalf("Stats() error = %v", err)
	}
	if st.Backlog != backlog {
		t.Fatalf("Stats().Backlog = %d, want %d", st.Backlog, backlog)
	}
	before, err := KernelCounters()
	if err != nil {
		t.Fatalf("KernelCounters() error = %v", err)
	}

	// Dial one at a time and never accept. Linux queues backlog+1
	// connections, then drops SYNs, so later dials time out in SYN_SENT.
	const maxDials, maxFailures = 12, 3
	d := net.Dialer{Timeout: 250 * time.Millisecond}
	connected, failures := 0, 0
	for range maxDials {
		c, err := d.Dial("tcp", l.Addr().String())
		if err != nil {
			failures++
			if failures == maxFailures {
				break
			}
			continue
		}
		t.Cleanup(func() { c.Close() })
		connected++
		waitFor(t, 2*time.Second, func() (bool, string) {
			st, err := l.Stats()
			return err == nil && st.QueueLen == connected,
				fmt.Sprintf("after %d connects Stats() = %+v, %v, want QueueLen %d", connected, st, err, connected)
		})
	}
	if connected != backlog+1 {
		t.Errorf("connected %d clients to a never-accepting listener with backlog %d, want %d", connected, backlog, backlog+1)
	}
	if st, err := l.Stats(); err != nil || st.QueueLen != backlog+1 {
		t.Errorf("Stats() = %+v, %v, want QueueLen %d", st, err, backlog+1)
	}
	// The same seen from outside the process, through sock_diag.
	if q, b, err := ListenQueue(l.Spec().Port); err != nil || q != backlog+1 || b != backlog {
		t.Errorf("ListenQueue(%d) = %d, %d, %v; want %d, %d", l.Spec().Port, q, b, err, backlog+1, backlog)
	}
	if _, _, err := ListenQueue(1); err == nil {
		t.Errorf("ListenQueue(1) found a listener on port 1")
	}
	after, err := KernelCounters()
	if err != nil {
		t.Fatalf("KernelCounters() error = %v", err)
	}
	if after.ListenOverflows <= before.ListenOverflows || after.ListenDrops <= before.ListenDrops {
		t.Errorf("KernelCounters() ListenOverflows %d → %d, ListenDrops %d → %d, want both to rise",
			before.ListenOverflows, after.ListenOverflows, before.ListenDrops, after.ListenDrops)
	}
	t.Logf("ListenOverflows %d → %d after %d failed dials", before.ListenOverflows, after.ListenOverflows, failures)
}

func TestDeferAccept(t *testing.T) {
	tests := []struct {
		name         string
		deferAccept  time.Duration
		silentIsSeen bool
	}{
		{"apache 30s", ApacheDeferAccept, false},
		{"off", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := openT(t, Spec{Host: "127.0.0.1", DeferAccept: tt.deferAccept})
			silent := dialT(t, "tcp", l.Addr().String())

			l.SetDeadline(time.Now().Add(time.Second))
			c, err := l.Accept()
			if tt.silentIsSeen {
				if err != nil {
					t.Fatalf("Accept() of a silent client error = %v, want the client", err)
				}
				c.Close()
				if got, want := c.RemoteAddr().String(), silent.LocalAddr().String(); got != want {
					t.Errorf("Accept() = conn from %s, want %s", got, want)
				}
			} else {
				if err == nil {
					c.Close()
					t.Fatalf("Accept() returned the silent client %s within 1 s, want a timeout", c.RemoteAddr())
				}
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Fatalf("Accept() error = %v, want a deadline error", err)
				}
			}

			// A client that sends its request line is returned at once
			// (well within 2 s, against 31 s for a silent one).
			talker := dialT(t, "tcp", l.Addr().String())
			if _, err := talker.Write([]byte("GET / HTTP/1.1\r\n")); err != nil {
				t.Fatal(err)
			}
			s := acceptT(t, l, 2*time.Second)
			if got, want := s.RemoteAddr().String(), talker.LocalAddr().String(); got != want {
				t.Errorf("Accept() = conn from %s, want the talker %s", got, want)
			}
			s.SetReadDeadline(time.Now().Add(2 * time.Second))
			line, err := bufio.NewReader(s).ReadString('\n')
			if err != nil || line != "GET / HTTP/1.1\r\n" {
				t.Errorf("read on accepted conn = %q, %v, want the request line", line, err)
			}
		})
	}
}

const childEnv = "GOHTTPD_LISTENER_TEST_CHILD"

// TestHelperChild is the child process of TestPassToChild: it rebuilds the
// listener from fd 3, serves one connection and exits.
func TestHelperChild(t *testing.T) {
	port := os.Getenv(childEnv)
	if port == "" {
		t.Skip("helper process for TestPassToChild")
	}
	os.Exit(runChild(port))
}

func runChild(portStr string) int {
	port, err := strconv.Atoi(portStr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	fl, err := unix.FcntlInt(3, unix.F_GETFL, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: fcntl:", err)
		return 2
	}
	f := os.NewFile(3, "inherited-listener")
	l, err := FromFile(f, Spec{Host: "127.0.0.1", Port: port})
	f.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	defer l.Close()
	l.SetDeadline(time.Now().Add(10 * time.Second))
	c, err := l.Accept()
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: accept:", err)
		return 2
	}
	defer c.Close()
	fmt.Fprintf(c, "child pid=%d inherited-nonblock=%t port=%d backlog=%d\n",
		os.Getpid(), fl&unix.O_NONBLOCK != 0, l.Spec().Port, l.EffectiveBacklog())
	return 0
}

func TestPassToChild(t *testing.T) {
	l := openT(t, Spec{Host: "127.0.0.1", Backlog: 16})
	if !nonblocking(t, l) {
		t.Fatal("listener is blocking before File()")
	}
	f, err := l.File()
	if err != nil {
		t.Fatalf("File() error = %v", err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperChild$")
	cmd.Env = append(os.Environ(), childEnv+"="+strconv.Itoa(l.Spec().Port))
	cmd.ExtraFiles = []*os.File{f}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("Start() error = %v", err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	f.Close()
	if !nonblocking(t, l) {
		t.Error("parent listener became blocking after cmd.Start")
	}

	c := dialT(t, "tcp", l.Addr().String())
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	reply, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading the child's answer: %v (child output %q)", err, out.String())
	}
	want := fmt.Sprintf("child pid=%d inherited-nonblock=true port=%d backlog=16\n", cmd.Process.Pid, l.Spec().Port)
	if string(reply) != want {
		t.Errorf("child answered %q, want %q (child output %q)", reply, want, out.String())
	}
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		t.Fatal("child did not exit")
	}
	if waitErr != nil {
		t.Errorf("child exit: %v (output %q)", waitErr, out.String())
	}
	if !nonblocking(t, l) {
		t.Error("parent listener is blocking after the child ran")
	}
	// The parent's listener still serves.
	c2 := dialT(t, "tcp", l.Addr().String())
	s := acceptT(t, l, 2*time.Second)
	if got, want := s.RemoteAddr().String(), c2.LocalAddr().String(); got != want {
		t.Errorf("parent Accept() = conn from %s, want %s", got, want)
	}
}

func TestFromFileErrors(t *testing.T) {
	l := openT(t, Spec{Host: "127.0.0.1"})
	lf, err := l.File()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lf.Close() })

	c := dialT(t, "tcp", l.Addr().String())
	cf, err := c.(*net.TCPConn).File()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cf.Close() })

	tests := []struct {
		name    string
		f       *os.File
		spec    Spec
		wantErr string
	}{
		{"port mismatch", lf, Spec{Port: l.Spec().Port + 1}, "spec says"},
		{"connected socket", cf, Spec{}, "not listening"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromFile(tt.f, tt.spec)
			if err == nil {
				got.Close()
				t.Fatalf("FromFile(%s) succeeded, want error %q", tt.name, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("FromFile(%s) error = %v, want it to contain %q", tt.name, err, tt.wantErr)
			}
		})
	}

	t.Run("same process", func(t *testing.T) {
		got, err := FromFile(lf, Spec{Backlog: 7})
		if err != nil {
			t.Fatalf("FromFile() error = %v", err)
		}
		defer got.Close()
		if got.Spec().Port != l.Spec().Port || got.EffectiveBacklog() != l.EffectiveBacklog() {
			t.Errorf("FromFile() port %d backlog %d, want %d and %d",
				got.Spec().Port, got.EffectiveBacklog(), l.Spec().Port, l.EffectiveBacklog())
		}
	})
}

func TestResolveHost(t *testing.T) {
	tests := []struct {
		host     string
		want     string
		wildcard bool
	}{
		{"", "invalid IP", true},
		{"*", "invalid IP", true},
		{"127.0.0.1", "127.0.0.1", false},
		{"::1", "::1", false},
		{"[::1]", "::1", false},
		{"::ffff:127.0.0.1", "127.0.0.1", false},
		{"fe80::1%1", "fe80::1%1", false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			got, wildcard, err := resolveHost(tt.host)
			if err != nil || got.String() != tt.want || wildcard != tt.wildcard {
				t.Errorf("resolveHost(%q) = %v, %t, %v, want %s, %t", tt.host, got, wildcard, err, tt.want, tt.wildcard)
			}
		})
	}
	t.Run("localhost", func(t *testing.T) {
		got, wildcard, err := resolveHost("localhost")
		if err != nil || wildcard || !got.IsLoopback() {
			t.Errorf("resolveHost(localhost) = %v, %t, %v, want a loopback address", got, wildcard, err)
		}
	})
}

func TestDeferSeconds(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want int
	}{
		{-time.Second, 0},
		{0, 0},
		{time.Nanosecond, 1},
		{time.Second, 1},
		{1500 * time.Millisecond, 2},
		{ApacheDeferAccept, 30},
		{1 << 62, 1<<31 - 1},
	}
	for _, tt := range tests {
		t.Run(tt.in.String(), func(t *testing.T) {
			if got := deferSeconds(tt.in); got != tt.want {
				t.Errorf("deferSeconds(%v) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestAcceptAfterClose(t *testing.T) {
	l := openT(t, Spec{Host: "127.0.0.1"})
	done := make(chan error, 1)
	go func() {
		_, err := l.Accept()
		done <- err
	}()
	l.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept() after Close error = %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Accept() did not return after Close")
	}
}
