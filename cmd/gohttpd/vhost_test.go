package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// rawGet sends one request (request line and header lines as given, so
// that the Host header may be missing) to addr and returns the status
// and body.
func rawGet(t *testing.T, addr, head string) (int, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(head + "Connection: close\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	var proto string
	var code int
	if _, err := fmt.Fscanf(r, "%s %d", &proto, &code); err != nil {
		t.Fatalf("%q: %v", head, err)
	}
	var body strings.Builder
	inBody := false
	for {
		line, err := r.ReadString('\n')
		if inBody {
			body.WriteString(line)
		} else if line == "\r\n" {
			inBody = true
		}
		if err != nil {
			break
		}
	}
	return code, body.String()
}

var addr2RE = regexp.MustCompile(`listening .*addr=(127\.0\.0\.2:[0-9]+)`)

// TestVirtualHostsThroughBinary: name-based and IP-based virtual hosts,
// each with its own DocumentRoot, access rules and access log, as Apache
// 2.4 answers the same configuration (compared with apache2 on this
// machine: the statuses, bodies and log lines below are Apache's).
func TestVirtualHostsThroughBinary(t *testing.T) {
	for _, mpmName := range []string{"event", "prefork", "worker"} {
		t.Run(mpmName, func(t *testing.T) { testVirtualHosts(t, mpmName) })
	}
}

func testVirtualHosts(t *testing.T, mpmName string) {
	root := mpmtest.ReadableTempDir(t)
	mkfiles(t, root, map[string]string{
		"a/index.html":         "site A\n",
		"b/index.html":         "site B\n",
		"b/private/index.html": "secret\n",
		"ip/index.html":        "site IP\n",
	})
	s := mpmtest.Start(t, mpmtest.Options{MPM: mpmName, Directives: []string{
		"Listen 127.0.0.2:0",
		"<VirtualHost *>",
		"ServerName a.example",
		"DocumentRoot " + root + "/a",
		`CustomLog logs/a_log "%v %V %p %>s"`,
		"</VirtualHost>",
		"<VirtualHost *>",
		"ServerName b.example",
		"ServerAlias *.b.example",
		"DocumentRoot " + root + "/b",
		`CustomLog logs/b_log "%v %V %p %>s"`,
		"ErrorLog logs/b_error",
		"<Directory " + root + "/b/private>",
		"Require all denied",
		"</Directory>",
		"</VirtualHost>",
		"<VirtualHost 127.0.0.2>",
		"ServerName ip.example",
		"DocumentRoot " + root + "/ip",
		"</VirtualHost>",
	}})
	cases := []struct {
		head string
		code int
		body string
	}{
		{"GET / HTTP/1.1\r\nHost: a.example\r\n", 200, "site A\n"},
		{"GET / HTTP/1.1\r\nHost: B.Example.\r\n", 200, "site B\n"},
		{"GET / HTTP/1.1\r\nHost: www.b.example:80\r\n", 200, "site B\n"},
		{"GET / HTTP/1.1\r\nHost: unknown.example\r\n", 200, "site A\n"}, // the first vhost is the default
		{"GET / HTTP/1.0\r\n", 200, "site A\n"},                          // no Host: the default
		{"GET / HTTP/1.1\r\n", 400, ""},                                  // HTTP/1.1 without Host
		{"GET /private/ HTTP/1.1\r\nHost: b.example\r\n", 403, ""},
		{"GET /private/ HTTP/1.1\r\nHost: a.example\r\n", 404, ""},
	}
	for _, c := range cases {
		code, body := rawGet(t, s.Addr, c.head)
		if code != c.code || (c.body != "" && body != c.body) {
			t.Errorf("%q = %d %q, want %d %q", c.head, code, body, c.code, c.body)
		}
	}
	// b.example's denial goes to its own ErrorLog, a.example's 404 to
	// the main server's.
	bErr := filepath.Join(s.Dir, "logs", "b_error")
	mpmtest.WaitFor(t, 10*time.Second, "AH01630 in b_error", func() bool {
		b, _ := os.ReadFile(bErr)
		return strings.Contains(string(b), "AH01630: client denied by server configuration: "+root+"/b/private")
	})
	mpmtest.WaitFor(t, 10*time.Second, "AH00128 in error_log", func() bool {
		return strings.Contains(s.ErrorLog(), "AH00128: File does not exist: "+root+"/a/private")
	})
	if strings.Contains(s.ErrorLog(), "AH01630") {
		t.Errorf("b.example's denial is in the main error log:\n%s", s.ErrorLog())
	}
	m := addr2RE.FindStringSubmatch(s.ErrorLog())
	if m == nil {
		t.Fatalf("no 127.0.0.2 listener in the error log:\n%s", s.Logs())
	}
	for _, host := range []string{"a.example", "b.example", "ip.example"} {
		if code, body := rawGet(t, m[1], "GET / HTTP/1.1\r\nHost: "+host+"\r\n"); code != 200 || body != "site IP\n" {
			t.Errorf("127.0.0.2 Host %s = %d %q, want the IP-based vhost", host, code, body)
		}
	}
	// The status page's VHost column names the selected vhost and the
	// local port, on every engine.
	{
		port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]
		code, body := rawGet(t, s.Addr, "GET /server-status?json HTTP/1.1\r\nHost: b.example\r\n")
		if code != 200 || !regexp.MustCompile(`"vhost": ?"b\.example:`+port+`"`).MatchString(body) {
			t.Errorf("status page (%d) has no b.example:%s worker:\n%s", code, port, body)
		}
	}
	// Apache's lines: %p is the vhost's port (80: its ServerName has
	// none), %V the Host (or the ServerName without one).
	wantA := []string{
		"a.example a.example 80 200",
		"a.example unknown.example 80 200",
		"a.example a.example 80 200",
		"a.example a.example 80 400",
		"a.example a.example 80 404",
	}
	wantB := []string{
		"b.example b.example 80 200",
		"b.example www.b.example 80 200",
		"b.example b.example 80 403",
	}
	wantB = append(wantB, "b.example b.example 80 200") // the status page
	for name, want := range map[string][]string{"a_log": wantA, "b_log": wantB} {
		// Children write their lines in their own order; the start-up
		// probes (Host 127.0.0.1) go to the default vhost too.
		var got []string
		deadline := time.Now().Add(10 * time.Second)
		for {
			got = got[:0]
			for _, l := range s.ReadLog(name) {
				if !strings.Contains(l, " 127.0.0.1 ") {
					got = append(got, l)
				}
			}
			if len(got) >= len(want) || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		slices.Sort(got)
		want = slices.Sorted(slices.Values(want))
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n%s\nwant:\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	// The main server's log has only the IP-based vhost's requests.
	mpmtest.WaitFor(t, 10*time.Second, "access_log lines", func() bool { return len(s.ReadLog("access_log")) >= 3 })

	// A graceful restart with a vhost on an address nothing listens on
	// fails; the old configuration keeps serving.
	conf, err := os.ReadFile(s.Conf)
	if err != nil {
		t.Fatal(err)
	}
	bad := string(conf) + "<VirtualHost 127.0.0.3:81>\nServerName bad.example\n</VirtualHost>\n"
	if err := os.WriteFile(s.Conf, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	s.Signal(syscall.SIGUSR1)
	mpmtest.WaitFor(t, 20*time.Second, "the failed restart in the error log", func() bool {
		return strings.Contains(s.ErrorLog(), "<VirtualHost>")
	})
	if !strings.Contains(s.ErrorLog(), s.Conf+":"+fmt.Sprint(strings.Count(string(conf), "\n")+1)) {
		t.Errorf("the error does not name file and line:\n%s", s.ErrorLog())
	}
	if code, body := rawGet(t, s.Addr, "GET / HTTP/1.1\r\nHost: b.example\r\n"); code != 200 || body != "site B\n" {
		t.Errorf("after the failed restart: %d %q", code, body)
	}
	if s.Exited() {
		t.Fatal("the master exited")
	}
}

// TestVirtualHostCheck: -t refuses a vhost nothing listens on, naming
// file, line and directive; -S prints Apache's VirtualHost table.
func TestVirtualHostCheck(t *testing.T) {
	bin := mpmtest.Binary(t)
	dir := t.TempDir()
	docs := filepath.Join(dir, "htdocs")
	if err := os.MkdirAll(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "httpd.conf")
	text := "ServerRoot " + dir + "\nListen 127.0.0.1:18181\nServerName main.example\nDocumentRoot htdocs\n" +
		"<VirtualHost 127.0.0.1:18181>\nServerName a.example\n</VirtualHost>\n" +
		"<VirtualHost 127.0.0.1:18181>\nServerName b.example\nServerAlias *.b.example\n</VirtualHost>\n"
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-f", conf, "-S").CombinedOutput()
	if err != nil {
		t.Fatalf("-S: %v\n%s", err, out)
	}
	// apache2 -S on the same file (with its modules loaded) prints:
	want := "VirtualHost configuration:\n" +
		"127.0.0.1:18181        is a NameVirtualHost\n" +
		"         default server a.example (" + conf + ":5)\n" +
		"         port 18181 namevhost a.example (" + conf + ":5)\n" +
		"         port 18181 namevhost b.example (" + conf + ":8)\n" +
		"                 wild alias *.b.example\n" +
		"ServerRoot: \"" + dir + "\"\n" +
		"Main DocumentRoot: \"" + docs + "\"\n"
	if !strings.HasPrefix(string(out), want) {
		t.Errorf("-S =\n%s\nwant it to start with\n%s", out, want)
	}
	if err := os.WriteFile(conf, []byte(text+"<VirtualHost 127.0.0.1:9999>\n</VirtualHost>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(bin, "-f", conf, "-t").CombinedOutput()
	if err == nil || !strings.Contains(string(out), conf+":12: <VirtualHost>") || strings.Contains(string(out), "Syntax OK") {
		t.Errorf("-t with an unlistened vhost: %v\n%s", err, out)
	}
}
