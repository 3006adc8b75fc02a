package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/internal/procids"
	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// account is a user and group the children should serve as.
type account struct {
	user, group string // as the directives name them
	uid, gid    string
}

// nobody is the account nobody with the group nogroup (Debian's), or its
// primary group where there is no nogroup. The tests that switch users
// need root: elsewhere they skip (CI runs them as root).
func nobody(t *testing.T) account {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("switching users needs root (CI runs the tests as root)")
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Fatalf("running as root, but no account nobody: %v", err)
	}
	a := account{user: "nobody", group: "#" + u.Gid, uid: u.Uid, gid: u.Gid}
	if g, err := user.LookupGroup("nogroup"); err == nil {
		a.group, a.gid = "nogroup", g.Gid
	}
	return a
}

// runsAs reports why pid (every thread) does not run with uid and gid as
// its real, effective, saved and file-system ids and gid first among its
// groups without group 0 ("" when it does).
func runsAs(pid int, uid, gid string) string {
	tasks := procids.ThreadIDs(pid)
	if tasks == nil {
		return fmt.Sprintf("pid %d is gone", pid)
	}
	wantUID := strings.TrimSpace(strings.Repeat(uid+" ", 4))
	wantGID := strings.TrimSpace(strings.Repeat(gid+" ", 4))
	for tid, ids := range tasks {
		if ids.Uid != wantUID || ids.Gid != wantGID {
			return fmt.Sprintf("pid %d thread %s: Uid %q Gid %q, want %q %q", pid, tid, ids.Uid, ids.Gid, wantUID, wantGID)
		}
		groups := strings.Fields(ids.Groups)
		if uid != "0" && (len(groups) == 0 || groups[0] != gid || slices.Contains(groups, "0")) {
			return fmt.Sprintf("pid %d thread %s: Groups %q, want %s first and no 0", pid, tid, ids.Groups, gid)
		}
	}
	return ""
}

// waitChildrenAs waits until s has at least n children and every one runs
// as uid and gid (a child is root from its start until it drops, before
// it serves).
func waitChildrenAs(t *testing.T, s *mpmtest.Server, n int, uid, gid string) []int {
	t.Helper()
	var kids []int
	why := ""
	mpmtest.WaitFor(t, 20*time.Second, "the children to run as "+uid+":"+gid, func() bool {
		kids = s.Children()
		why = fmt.Sprintf("%d children, want %d", len(kids), n)
		if len(kids) < n {
			return false
		}
		for _, pid := range kids {
			if why = runsAs(pid, uid, gid); why != "" {
				return false
			}
		}
		return true
	})
	if why != "" {
		t.Fatal(why)
	}
	return kids
}

// servedAndLogged fetches /index.html and waits for its access log line.
func servedAndLogged(t *testing.T, s *mpmtest.Server) {
	t.Helper()
	code, _, err := s.Get("/index.html")
	if err != nil || code != 200 {
		t.Fatalf("GET /index.html = %d, %v; want 200", code, err)
	}
	mpmtest.WaitFor(t, 10*time.Second, "the request in the access log", func() bool {
		return strings.Contains(strings.Join(s.ReadLog("access_log"), "\n"), `"GET /index.html HTTP/1.1" 200`)
	})
}

// TestChildrenServeAsUser: started as root with User and Group, the master
// stays root and every child of every engine (and every thread of it)
// serves as User and Group, including the children of a new generation;
// the children still die when the master is killed. (The kernel clears the
// parent-death signal on the credential change and the child sets it
// again; the pipe of death would end them too, so mpm's
// TestDropPrivileges checks the signal itself.)
func TestChildrenServeAsUser(t *testing.T) {
	acct := nobody(t)
	for _, engine := range []string{"prefork", "worker", "event"} {
		t.Run(engine, func(t *testing.T) {
			s := mpmtest.Start(t, mpmtest.Options{MPM: engine, Directives: []string{
				"User " + acct.user, "Group " + acct.group, "StartServers 2",
			}})
			if why := runsAs(s.PID(), "0", "0"); why != "" {
				t.Errorf("master: %s", why)
			}
			waitChildrenAs(t, s, 2, acct.uid, acct.gid)
			servedAndLogged(t, s)

			s.Signal(syscall.SIGUSR1)
			mpmtest.WaitFor(t, 20*time.Second, "generation 1", func() bool {
				st, err := s.StatusAuto()
				return err == nil && st["ParentServerMPMGeneration"] == "1"
			})
			kids := waitChildrenAs(t, s, 2, acct.uid, acct.gid)
			servedAndLogged(t, s)

			s.Cmd.Process.Kill()
			mpmtest.WaitFor(t, 10*time.Second, "the children to die with their master", func() bool {
				for _, pid := range kids {
					if mpmtest.Alive(pid) {
						return false
					}
				}
				return true
			})
		})
	}
}

// TestDefaultUserIsNobody: started as root without User and Group, the
// children serve as nobody and its primary group.
func TestDefaultUserIsNobody(t *testing.T) {
	nobody(t)
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Fatal(err)
	}
	s := mpmtest.Start(t, mpmtest.Options{MPM: "event", Directives: []string{"StartServers 1"}})
	waitChildrenAs(t, s, 1, u.Uid, u.Gid)
	servedAndLogged(t, s)
}

// TestOneProcessServesAsUser: -X switches users too, as Apache's does.
func TestOneProcessServesAsUser(t *testing.T) {
	acct := nobody(t)
	s := mpmtest.Start(t, mpmtest.Options{MPM: "worker", Args: []string{"-X"},
		Directives: []string{"User " + acct.user, "Group " + acct.group}})
	if why := runsAs(s.PID(), acct.uid, acct.gid); why != "" {
		t.Error(why)
	}
	servedAndLogged(t, s)
}

// TestUserWithoutAccount: "User #uid" with no account behind it cannot
// have its groups set: the children refuse with Apache's AH02155 and the
// server stops (a fatal child error) instead of serving as root.
func TestUserWithoutAccount(t *testing.T) {
	nobody(t)
	uid := 4000000
	for {
		if _, err := user.LookupId(fmt.Sprint(uid)); err != nil {
			break
		}
		uid++
	}
	dir := mpmtest.ReadableTempDir(t)
	for _, d := range []string{"htdocs", "logs"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	conf := writeConf(t, dir, "httpd.conf", fmt.Sprintf(`ServerRoot %s
Listen 127.0.0.1:0
MPM prefork
DocumentRoot htdocs
ErrorLog logs/error_log
PidFile logs/httpd.pid
User #%d
Group #%d
`, dir, uid, uid))
	cmd := exec.Command(mpmtest.Binary(t), "-f", conf)
	var out mpmtest.SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("gohttpd exited 0, want a failure")
		}
	case <-time.After(20 * time.Second):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		t.Fatalf("gohttpd still runs with User #%d", uid)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "logs", "error_log"))
	want := fmt.Sprintf("AH02155: getpwuid: couldn't determine user name from uid %d, you probably need to modify the User directive", uid)
	if !strings.Contains(string(log), want) || !strings.Contains(string(log), ":alert]") {
		t.Errorf("error log lacks the alert %q:\n%s\n%s", want, log, out.String())
	}
}

// TestUserGroupCheck: -t names the directive of an unknown user or group
// and refuses User root; -S prints mod_unixd's lines.
func TestUserGroupCheck(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"-t", "-c", "User no-such-user-gohttpd"}, 1, []string{"-c:1: User: bad user name no-such-user-gohttpd"}},
		{[]string{"-t", "-c", "Group no-such-group-gohttpd"}, 1, []string{"-c:1: Group: bad group name no-such-group-gohttpd"}},
		{[]string{"-t", "-c", "User root"}, 1, []string{"-c:1: User: Error: gohttpd has not been designed to serve pages while running as root."}},
		{[]string{"-t", "-c", "User #0"}, 1, []string{"running as root"}},
		{[]string{"-t", "-c", "User #4000000", "-c", "Group #-1"}, 0, []string{"Syntax OK"}},
	}
	for _, tt := range tests {
		code, out := gohttpd(t, dir, tt.args...)
		if code != tt.code {
			t.Errorf("gohttpd %q = exit %d, want %d:\n%s", tt.args, code, tt.code, out)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("gohttpd %q output lacks %q:\n%s", tt.args, w, out)
			}
		}
	}

	suffix := ""
	if os.Geteuid() != 0 {
		suffix = " not_used"
	}
	_, out := gohttpd(t, dir, "-S", "-c", "User #33", "-c", "Group #-1")
	for _, w := range []string{`User: name="#33" id=33` + suffix + "\n", `Group: name="#-1" id=4294967295` + suffix + "\n"} {
		if !strings.Contains(out, w) {
			t.Errorf("-S output lacks %q:\n%s", w, out)
		}
	}
}
