package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// gohttpdStreams runs the built binary in dir and returns its exit code,
// stdout and stderr apart.
func gohttpdStreams(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(mpmtest.Binary(t), args...)
	cmd.Dir = dir
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, o.String(), e.String()
}

// TestCheckRefuses: -t and -S fail on a configuration holding something
// gohttpd does not implement and whose absence clients would notice,
// naming file, line and directive, and never print Syntax OK.
func TestCheckRefuses(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "htdocs"), 0o755)
	conf := writeConf(t, dir, "refused.conf", `ServerRoot `+dir+`
Listen 127.0.0.1:8080
DocumentRoot htdocs
<FilesMatch "^\.ht">
    Require all denied
</FilesMatch>
<Directory "htdocs">
    Options ExecCGI FollowSymLinks
</Directory>
<Location /server-status>
    SetHandler server-info
    Require ip 10.0.0.0/8
</Location>
`)
	for _, flag := range []string{"-t", "-S"} {
		t.Run(flag, func(t *testing.T) {
			code, out := gohttpd(t, dir, flag, "-f", conf)
			if code == 0 {
				t.Errorf("gohttpd %s exit 0, want a failure:\n%s", flag, out)
			}
			for _, w := range []string{
				conf + `:8: Options: gohttpd does not implement 'Options ExecCGI FollowSymLinks' inside <Directory "htdocs"> yet; ignoring it would change what clients get`,
				conf + `:11: SetHandler: gohttpd does not implement 'SetHandler server-info' inside <Location /server-status> yet`,
			} {
				if !strings.Contains(out, w) {
					t.Errorf("gohttpd %s output lacks %q:\n%s", flag, w, out)
				}
			}
			if strings.Contains(out, "Syntax OK") {
				t.Errorf("a refused configuration printed Syntax OK:\n%s", out)
			}
		})
	}
}

// TestCheckWarns: -t and -S accept tuning directives gohttpd ignores and
// print each as a warning with file and line on stderr.
func TestCheckWarns(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "htdocs"), 0o755)
	conf := writeConf(t, dir, "tuning.conf", `ServerRoot `+dir+`
Listen 127.0.0.1:8080
DocumentRoot htdocs
EnableSendfile On
Mutex default
ThreadStackSize 8388608
LoadModule status_module modules/mod_status.so
<Location /x>
    AllowOverride None
</Location>
`)
	want := []string{
		"gohttpd: warning: " + conf + ":4: ignored: EnableSendfile On",
		"gohttpd: warning: " + conf + ":5: ignored: Mutex default",
		"gohttpd: warning: " + conf + ":6: ignored: ThreadStackSize 8388608",
		"gohttpd: warning: " + conf + ":7: ignored: LoadModule status_module",
		"gohttpd: warning: " + conf + ":9: AH00114: Useless use of AllowOverride in line 9 of " + conf + ".",
	}
	for _, flag := range []string{"-t", "-S"} {
		t.Run(flag, func(t *testing.T) {
			code, stdout, stderr := gohttpdStreams(t, dir, flag, "-f", conf)
			if code != 0 || !strings.Contains(stderr, "Syntax OK") {
				t.Fatalf("gohttpd %s = exit %d, want 0 and Syntax OK:\n%s%s", flag, code, stdout, stderr)
			}
			for _, w := range want {
				if !strings.Contains(stderr, w) {
					t.Errorf("gohttpd %s stderr lacks %q:\n%s", flag, w, stderr)
				}
			}
			if strings.Contains(stdout, "warning") {
				t.Errorf("gohttpd %s prints warnings on stdout:\n%s", flag, stdout)
			}
		})
	}
}
