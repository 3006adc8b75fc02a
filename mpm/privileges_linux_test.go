package mpm

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/gohttpd/gohttpd/internal/procids"
)

// envDropHelper makes the test binary run dropHelper: "drop" calls
// DropPrivileges, "raw" only syscall.Setuid (to see what the kernel does
// to the parent-death signal).
const envDropHelper = "GOHTTPD_TEST_DROP_HELPER"

// dropReport is what the helper process prints.
type dropReport struct {
	Err       string
	Pdeathsig int
	// Tasks are the ids of each thread.
	Tasks map[string]procids.IDs
}

// TestDropHelper is the helper process of TestDropPrivileges; it does
// nothing in a normal run.
func TestDropHelper(t *testing.T) {
	mode := os.Getenv(envDropHelper)
	if mode == "" {
		return
	}
	// Threads that exist before the switch: every one must change.
	for range 4 {
		go func() {
			runtime.LockOSThread()
			select {}
		}()
	}
	time.Sleep(10 * time.Millisecond) // not a wait for a condition: more threads, if any, only help
	var rep dropReport
	var err error
	c := nobodyCredentials(t)
	if mode == "raw" {
		err = syscall.Setuid(int(c.UID))
	} else {
		err = DropPrivileges(c)
	}
	if err != nil {
		rep.Err = err.Error()
	}
	var sig int32 // PR_GET_PDEATHSIG stores the signal through arg2
	if err := unix.Prctl(unix.PR_GET_PDEATHSIG, uintptr(unsafe.Pointer(&sig)), 0, 0, 0); err != nil {
		rep.Err += " prctl: " + err.Error()
	}
	rep.Pdeathsig = int(sig)
	rep.Tasks = procids.ThreadIDs(os.Getpid())
	json.NewEncoder(os.Stdout).Encode(rep)
	os.Exit(0)
}

// nobodyCredentials are the account nobody and its primary group.
func nobodyCredentials(t testing.TB) Credentials {
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no account nobody: %v", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return Credentials{User: "nobody", UID: uint32(uid), Group: "#" + u.Gid, GID: uint32(gid)}
}

// runDropHelper runs TestDropHelper in a child process started with
// Pdeathsig SIGKILL, as the master starts its children.
func runDropHelper(t *testing.T, mode string) dropReport {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDropHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), envDropHelper+"="+mode)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	var rep dropReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("helper output %q: %v", out, err)
	}
	return rep
}

// TestDropPrivileges: as root, every thread ends with the account's ids
// (real, effective, saved and file-system), Group first among the groups,
// and the parent-death signal is set again (the kernel clears it on a
// credential change: the "raw" case shows it).
func TestDropPrivileges(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("switching users needs root (CI runs the tests as root)")
	}
	c := nobodyCredentials(t)
	rep := runDropHelper(t, "drop")
	if rep.Err != "" {
		t.Fatalf("DropPrivileges: %s", rep.Err)
	}
	wantUID := strings.TrimSpace(strings.Repeat(fmt.Sprint(c.UID)+" ", 4))
	wantGID := strings.TrimSpace(strings.Repeat(fmt.Sprint(c.GID)+" ", 4))
	if len(rep.Tasks) < 2 {
		t.Errorf("helper had %d threads, want several", len(rep.Tasks))
	}
	for tid, ids := range rep.Tasks {
		if ids.Uid != wantUID || ids.Gid != wantGID {
			t.Errorf("thread %s: Uid %q Gid %q, want %q %q", tid, ids.Uid, ids.Gid, wantUID, wantGID)
		}
		groups := strings.Fields(ids.Groups)
		if len(groups) == 0 || groups[0] != fmt.Sprint(c.GID) || slices.Contains(groups, "0") {
			t.Errorf("thread %s: Groups %q, want %d first and no 0", tid, ids.Groups, c.GID)
		}
	}
	if rep.Pdeathsig != int(syscall.SIGKILL) {
		t.Errorf("parent-death signal after DropPrivileges = %d, want SIGKILL", rep.Pdeathsig)
	}

	raw := runDropHelper(t, "raw")
	if raw.Err != "" {
		t.Fatalf("setuid: %s", raw.Err)
	}
	if raw.Pdeathsig != 0 {
		t.Logf("the kernel kept the parent-death signal across setuid (%d); DropPrivileges sets it anyway", raw.Pdeathsig)
	}
}

func TestAccountName(t *testing.T) {
	tests := []struct {
		c       Credentials
		want    string
		wantErr string
	}{
		{Credentials{User: "www-data", UID: 33}, "www-data", ""},
		{Credentials{User: "#0", UID: 0}, "root", ""},
		{Credentials{User: "#-1", UID: 4294967295}, "", "AH02155: getpwuid: couldn't determine user name from uid 4294967295, you probably need to modify the User directive"},
	}
	for _, tt := range tests {
		got, err := accountName(tt.c)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("accountName(%+v) error = %v, want %q", tt.c, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("accountName(%+v) = %q, %v; want %q", tt.c, got, err, tt.want)
		}
	}
}

func TestInitGroups(t *testing.T) {
	c := nobodyCredentials(t)
	groups, err := initGroups("nobody", 4242)
	if err != nil {
		t.Fatal(err)
	}
	if groups[0] != 4242 || slices.Contains(groups, int(c.GID)) {
		t.Errorf("initGroups(nobody, 4242) = %v: want 4242 first, nobody's primary group %d left out", groups, c.GID)
	}
	groups, err = initGroups("nobody", c.GID)
	if err != nil || groups[0] != int(c.GID) {
		t.Errorf("initGroups(nobody, %d) = %v, %v", c.GID, groups, err)
	}
	if _, err := initGroups("no-such-user-gohttpd", 1); err == nil || !strings.Contains(err.Error(), "AH02157") {
		t.Errorf("initGroups(unknown) error = %v, want AH02157", err)
	}
}
