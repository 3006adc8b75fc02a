package sdnotify

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// listen opens a unixgram socket the test reads notifications from.
func listen(t *testing.T) (*net.UnixConn, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify.sock")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, path
}

func recv(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("no notification: %v", err)
	}
	return string(buf[:n])
}

func TestNotifySequence(t *testing.T) {
	c, path := listen(t)
	t.Setenv("NOTIFY_SOCKET", path)
	n := FromEnv(true)
	if n == nil {
		t.Fatal("FromEnv returned nil with NOTIFY_SOCKET set")
	}
	if _, ok := os.LookupEnv("NOTIFY_SOCKET"); ok {
		t.Error("FromEnv(true) left NOTIFY_SOCKET in the environment")
	}

	if err := n.Ready(); err != nil {
		t.Fatal(err)
	}
	got := recv(t, c)
	want := "READY=1\nSTATUS=Processing requests...\nMAINPID=" + strconv.Itoa(os.Getpid())
	if got != want {
		t.Errorf("Ready sent %q, want %q", got, want)
	}

	before, err := MonotonicUsec()
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Reloading(); err != nil {
		t.Fatal(err)
	}
	got = recv(t, c)
	lines := strings.Split(got, "\n")
	if len(lines) != 2 || lines[0] != "RELOADING=1" || !strings.HasPrefix(lines[1], "MONOTONIC_USEC=") {
		t.Fatalf("Reloading sent %q, want RELOADING=1 and MONOTONIC_USEC=", got)
	}
	usec, err := strconv.ParseInt(strings.TrimPrefix(lines[1], "MONOTONIC_USEC="), 10, 64)
	after, _ := MonotonicUsec()
	if err != nil || usec < before || usec > after {
		t.Errorf("MONOTONIC_USEC=%d (%v), want within [%d, %d]", usec, err, before, after)
	}

	if err := n.Status("Total requests: 1;\nx"); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, c); got != "STATUS=Total requests: 1; x" {
		t.Errorf("Status sent %q", got)
	}
	if err := n.Stopping(); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, c); got != "STOPPING=1" {
		t.Errorf("Stopping sent %q, want STOPPING=1", got)
	}
}

func TestAbstractSocket(t *testing.T) {
	name := "@gohttpd-sdnotify-test-" + strconv.Itoa(os.Getpid())
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := New(name).Stopping(); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, c); got != "STOPPING=1" {
		t.Errorf("got %q", got)
	}
}

func TestNilNotifier(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	n := FromEnv(false)
	if n != nil {
		t.Fatal("FromEnv with NOTIFY_SOCKET empty should return nil")
	}
	for _, err := range []error{n.Ready(), n.Reloading(), n.Stopping(), n.Status("x")} {
		if err != nil {
			t.Errorf("nil Notifier: %v", err)
		}
	}
}

func TestNotifyError(t *testing.T) {
	n := New(filepath.Join(t.TempDir(), "absent.sock"))
	if err := n.Ready(); err == nil {
		t.Error("Ready to a missing socket returned nil")
	}
}

// TestStrfsize: values as apr_strfsize prints them (worked through its
// integer arithmetic).
func TestStrfsize(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0, "  0 "}, {972, "972 "}, {973, "1.0K"}, {1024, "1.0K"}, {1536, "1.5K"},
		{9 * 1024, "9.0K"}, {10 * 1024, " 10K"}, {972 * 1024, "972K"}, {973 * 1024, "1.0M"},
		{5 << 30, "5.0G"}, {-1, "  - "},
	} {
		if got := strfsize(tc.in); got != tc.want {
			t.Errorf("strfsize(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestStatusLine(t *testing.T) {
	for _, tc := range []struct {
		total      uint64
		idle, busy int
		up         time.Duration
		bytes      uint64
		want       string
	}{
		{0, 24, 1, 0, 0, "Total requests: 0; Idle/Busy workers 24/1;Requests/sec: 0; Bytes served/sec:   0 B/sec"},
		{1000, 70, 5, 100 * time.Second, 2048 * 100, "Total requests: 1000; Idle/Busy workers 70/5;Requests/sec: 10; Bytes served/sec: 2.0KB/sec"},
		{7, 1, 0, 10 * time.Second, 50 << 20 * 10, "Total requests: 7; Idle/Busy workers 1/0;Requests/sec: 0.7; Bytes served/sec:  50MB/sec"},
	} {
		if got := StatusLine(tc.total, tc.idle, tc.busy, tc.up, tc.bytes); got != tc.want {
			t.Errorf("StatusLine(%d, %d, %d, %v, %d)\n got %q\nwant %q", tc.total, tc.idle, tc.busy, tc.up, tc.bytes, got, tc.want)
		}
	}
}

func TestTracker(t *testing.T) {
	c, path := listen(t)
	tr := &Tracker{N: New(path)}
	steps := []struct {
		ready   bool
		reloads uint64
		err     string
		want    string // "" = nothing sent
	}{
		{false, 0, "", ""},
		{true, 0, "", "READY=1"},
		{true, 0, "", ""},
		{true, 1, "", "READY=1"},
		{true, 2, "bad\nconfig", "READY=1\nSTATUS=Restart rejected, still serving: bad config"},
	}
	for i, s := range steps {
		if err := tr.Update(s.ready, s.reloads, s.err); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		buf := make([]byte, 512)
		n, _ := c.Read(buf)
		got := string(buf[:n])
		if s.want == "" && got != "" || s.want != "" && !strings.HasPrefix(got, s.want) {
			t.Errorf("step %d: sent %q, want %q", i, got, s.want)
		}
	}
}
