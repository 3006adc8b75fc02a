package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want options
		bad  bool
	}{
		{"none", nil, options{}, false},
		{"file and directives", []string{"-f", "a.conf", "-C", "MPM worker", "-c", "Listen 8081", "-c", "KeepAlive Off"},
			options{file: "a.conf", pre: []string{"MPM worker"}, post: []string{"Listen 8081", "KeepAlive Off"}}, false},
		{"attached forms", []string{"-DFOO", "-fhttpd.conf", "-kstop"},
			options{defines: []string{"FOO"}, file: "httpd.conf", action: "stop"}, false},
		{"-S implies -t", []string{"-S"}, options{dump: true, check: true}, false},
		{"DUMP_RUN_CFG", []string{"-D", "DUMP_RUN_CFG"}, options{defines: []string{"DUMP_RUN_CFG"}, dump: true, check: true}, false},
		{"ONE_PROCESS", []string{"-D", "ONE_PROCESS"}, options{defines: []string{"ONE_PROCESS"}, oneProcess: true}, false},
		{"-X -T -t", []string{"-X", "-T", "-t"}, options{oneProcess: true, skipDocRoot: true, check: true}, false},
		{"graceful-stop", []string{"-k", "graceful-stop"}, options{action: "graceful-stop"}, false},
		{"unknown action", []string{"-k", "reload"}, options{}, true},
		{"unknown flag", []string{"-Z"}, options{}, true},
		{"stray argument", []string{"extra"}, options{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseFlags(tt.args, io.Discard)
			if tt.bad {
				if err == nil {
					t.Fatalf("parseFlags(%q) = %+v, want a usage error", tt.args, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseFlags(%q): %v", tt.args, err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("parseFlags(%q) = %+v, want %+v", tt.args, *got, tt.want)
			}
		})
	}
}

// gohttpd runs the built binary in dir and returns its exit code and
// combined output.
func gohttpd(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(mpmtest.Binary(t), args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String()
}

func writeConf(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSyntaxCheck(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "htdocs"), 0o755)
	good := writeConf(t, dir, "good.conf", `# an Apache-style file
ServerRoot `+dir+`
Listen 127.0.0.1:8080
LoadModule mpm_worker_module modules/mod_mpm_worker.so
LoadModule status_module modules/mod_status.so
<IfModule mpm_worker_module>
    ThreadsPerChild 16
    MaxRequestWorkers 150
</IfModule>
<IfModule mpm_prefork_module>
    MaxRequestWorkers 10
</IfModule>
DocumentRoot htdocs
`)
	bad := writeConf(t, dir, "bad.conf", "Listen 8080\nBogus on\n")
	noRoot := writeConf(t, dir, "noroot.conf", "Listen 8080\n\nDocumentRoot /no/such/dir\n")
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"good", []string{"-t", "-f", good}, 0, []string{"Syntax OK",
			"WARNING: MaxRequestWorkers of 150 is not an integer multiple of ThreadsPerChild of 16, decreasing to nearest multiple 144, for a maximum of 9 servers."}},
		{"bad names file, line and directive", []string{"-t", "-f", bad}, 1, []string{
			"bad.conf:2: Bogus: Invalid command 'Bogus', perhaps misspelled or defined by a module not included in the server configuration"}},
		{"missing DocumentRoot", []string{"-t", "-f", noRoot}, 1, []string{"noroot.conf:3: DocumentRoot"}},
		{"-T skips the DocumentRoot check", []string{"-t", "-T", "-f", noRoot}, 0, []string{"Syntax OK"}},
		{"-c overrides the file", []string{"-t", "-f", good, "-c", "Bogus2 x"}, 1, []string{"Bogus2"}},
		{"built-in configuration", []string{"-t"}, 0, []string{"Syntax OK"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := gohttpd(t, dir, tt.args...)
			if code != tt.code {
				t.Errorf("gohttpd %q exit %d, want %d\n%s", tt.args, code, tt.code, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("gohttpd %q output lacks %q:\n%s", tt.args, w, out)
				}
			}
			if tt.code != 0 && strings.Contains(out, "Syntax OK") {
				t.Errorf("a failing check printed Syntax OK:\n%s", out)
			}
		})
	}
}

func TestRunSettings(t *testing.T) {
	dir := t.TempDir()
	code, out := gohttpd(t, dir, "-S", "-c", "MPM event", "-c", "Listen 127.0.0.1:8080",
		"-c", "Listen [::1]:8081", "-c", "ListenBacklog 100000", "-c", "AcceptFilter http none",
		"-c", "EpollTrigger oneshot")
	if code != 0 {
		t.Fatalf("gohttpd -S exit %d:\n%s", code, out)
	}
	b, err := os.ReadFile("/proc/sys/net/core/somaxconn")
	if err != nil {
		t.Skip("no /proc/sys/net/core/somaxconn")
	}
	somax, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	want := []string{
		"127.0.0.1:8080",
		"[::1]:8081",
		"ListenBacklog 100000, effective backlog " + strconv.Itoa(min(100000, somax)),
		"AcceptFilter none",
		"Server MPM: event",
		"ThreadsPerChild:",
		"AsyncRequestWorkerFactor:",
		"OneShot",
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("-S output lacks %q:\n%s", w, out)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out := gohttpd(t, t.TempDir(), "-v")
	if code != 0 || !strings.Contains(out, "Server version: gohttpd/"+Version) {
		t.Errorf("-v = %d %q", code, out)
	}
	code, out = gohttpd(t, t.TempDir(), "-V", "-c", "MPM prefork")
	if code != 0 || !strings.Contains(out, "Server MPM:     prefork") || !strings.Contains(out, "threaded:     no") {
		t.Errorf("-V = %d %q", code, out)
	}
}

var addrRE = regexp.MustCompile(`listening addr=(127\.0\.0\.1:[0-9]+)`)

// TestDefaultSite: with no configuration file gohttpd serves the built-in
// site (and its status page), in master mode and with -X.
func TestDefaultSite(t *testing.T) {
	for _, mode := range [][]string{nil, {"-X"}} {
		t.Run(strings.Join(append([]string{"args"}, mode...), " "), func(t *testing.T) {
			dir := t.TempDir()
			// Listen on a free port instead of 8080; everything else is the
			// built-in configuration.
			args := append([]string{"-c", "Listen 127.0.0.1:0", "-c", "LogLevel notice"}, mode...)
			cmd := exec.Command(mpmtest.Binary(t), args...)
			cmd.Dir = dir
			var out mpmtest.SyncBuffer
			cmd.Stdout, cmd.Stderr = &out, &out
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				cmd.Process.Signal(syscall.SIGTERM)
				done := make(chan struct{})
				go func() { cmd.Wait(); close(done) }()
				select {
				case <-done:
				case <-time.After(15 * time.Second):
					syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
					<-done
				}
			})
			var addr string
			mpmtest.WaitFor(t, 20*time.Second, "the listening address on stderr", func() bool {
				if m := addrRE.FindStringSubmatch(out.String()); m != nil {
					addr = m[1]
				}
				return addr != ""
			})
			var body []byte
			mpmtest.WaitFor(t, 20*time.Second, "the default page", func() bool {
				resp, err := http.Get("http://" + addr + "/")
				if err != nil {
					return false
				}
				defer resp.Body.Close()
				body, _ = io.ReadAll(resp.Body)
				return resp.StatusCode == 200
			})
			if !bytes.Contains(body, []byte("gohttpd")) || !bytes.Contains(body, []byte("It works")) {
				t.Errorf("default page = %q", body)
			}
			resp, err := http.Get("http://" + addr + "/server-status?auto")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !bytes.Contains(b, []byte("ServerMPM: event")) {
				t.Errorf("/server-status?auto = %d %q", resp.StatusCode, b)
			}
		})
	}
}

// TestControl: -k start detaches and writes PidFile, a second start says
// it is running, -k graceful restarts, -k stop stops and removes PidFile.
func TestControl(t *testing.T) {
	dir := mpmtest.ReadableTempDir(t) // the children serve as nobody under root
	os.Mkdir(filepath.Join(dir, "htdocs"), 0o755)
	os.WriteFile(filepath.Join(dir, "htdocs", "index.html"), []byte("control test\n"), 0o644)
	conf := writeConf(t, dir, "httpd.conf", `ServerRoot `+dir+`
Listen 127.0.0.1:0
DocumentRoot htdocs
ErrorLog logs/error_log
LogLevel notice
PidFile logs/httpd.pid
<Location /server-status>
SetHandler server-status
</Location>
`)
	os.Mkdir(filepath.Join(dir, "logs"), 0o755)
	pidFile := filepath.Join(dir, "logs", "httpd.pid")
	t.Cleanup(func() {
		if pid, err := readPidFile(pidFile); err == nil {
			syscall.Kill(-pid, syscall.SIGKILL)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	if code, out := gohttpd(t, dir, "-f", conf, "-k", "stop"); code != 0 || !strings.Contains(out, "not running") {
		t.Errorf("-k stop with no server = %d %q", code, out)
	}
	if code, out := gohttpd(t, dir, "-f", conf, "-k", "start"); code != 0 {
		t.Fatalf("-k start = %d %q", code, out)
	}
	pid, err := readPidFile(pidFile)
	if err != nil {
		t.Fatalf("no pid file after -k start: %v", err)
	}
	if code, out := gohttpd(t, dir, "-f", conf, "-k", "start"); code != 0 || !strings.Contains(out, "already running") {
		t.Errorf("second -k start = %d %q", code, out)
	}
	errorLog := filepath.Join(dir, "logs", "error_log")
	var addr string
	mpmtest.WaitFor(t, 20*time.Second, "the listening address in the error log", func() bool {
		b, _ := os.ReadFile(errorLog)
		if m := addrRE.FindSubmatch(b); m != nil {
			addr = string(m[1])
		}
		return addr != ""
	})
	generation := func() string {
		resp, err := http.Get("http://" + addr + "/server-status?auto")
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return mpmtest.ParseAuto(b)["ParentServerMPMGeneration"]
	}
	mpmtest.WaitFor(t, 20*time.Second, "generation 0 serving", func() bool { return generation() == "0" })
	if code, out := gohttpd(t, dir, "-f", conf, "-k", "graceful"); code != 0 {
		t.Fatalf("-k graceful = %d %q", code, out)
	}
	mpmtest.WaitFor(t, 20*time.Second, "generation 1 serving", func() bool { return generation() == "1" })
	if code, out := gohttpd(t, dir, "-f", conf, "-k", "stop"); code != 0 {
		t.Fatalf("-k stop = %d %q", code, out)
	}
	mpmtest.WaitFor(t, 20*time.Second, "the master to exit and remove its pid file", func() bool {
		_, err := os.Stat(pidFile)
		return !mpmtest.Alive(pid) && os.IsNotExist(err)
	})
}
