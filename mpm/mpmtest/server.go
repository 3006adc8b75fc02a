// Package mpmtest runs gohttpd for real in tests: it builds the gohttpd
// binary once (shared by every test process, see Binary), starts a master
// with a generated configuration on a loopback port, talks to it over HTTP and signals, and
// cleans up every process it started. Run is the conformance suite every
// engine passes.
package mpmtest

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// BinaryEnv names an environment variable that, when set, is the path of a
// gohttpd binary Binary returns instead of building one (.ci/run builds
// one per test pass and shares it with every package). It must match the
// race mode of the tests.
const BinaryEnv = "GOHTTPD_TEST_BINARY"

// Main is a TestMain body for packages that use Binary: it runs the tests.
// Use it as func TestMain(m *testing.M) { os.Exit(mpmtest.Main(m)) }.
// (The binary is shared with other test processes and stays: see Binary.)
func Main(m *testing.M) int { return m.Run() }

// Binary returns the path of a gohttpd binary built from this module (with
// -race when the tests run with it): $GOHTTPD_TEST_BINARY if set, else one
// built once for every test process that asks for the same sources: it
// lives under os.TempDir() in a directory named by a hash of the module's
// non-test files, the Go version and the race mode, and a lock file
// there makes concurrent test processes (go test ./... runs packages in
// parallel) wait for one build.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		if p := os.Getenv(BinaryEnv); p != "" {
			buildPath = p
			return
		}
		buildPath, buildErr = sharedBuild()
	})
	if buildErr != nil {
		t.Fatalf("building gohttpd: %v", buildErr)
	}
	return buildPath
}

// PrivateBinary returns Binary under a path of the test's own (a hard link,
// or a copy, in t.TempDir()): the binary is shared by every test process,
// so a test that finds processes by their executable (/proc/PID/exe) must
// run its own path to see only its own processes.
func PrivateBinary(t testing.TB) string {
	t.Helper()
	src := Binary(t)
	dst := filepath.Join(t.TempDir(), "gohttpd")
	if err := os.Link(src, dst); err == nil {
		return dst
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return dst
}

// sharedBuild builds the binary into its content-addressed place, unless
// it is there already.
func sharedBuild() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	key, err := sourceKey(root)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(os.TempDir(), "gohttpd-test-"+key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "gohttpd")
	lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("lock %s: %w", lock.Name(), err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	pruneBuilds(dir)
	// Build beside it and rename, so no process ever sees half a binary.
	tmp := path + ".tmp"
	args := []string{"build", "-o", tmp}
	if raceEnabled {
		args = append(args, "-race")
	}
	args = append(args, "./cmd/gohttpd")
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return path, os.Rename(tmp, path)
}

// staleBuild is how long an unused shared binary stays in os.TempDir().
const staleBuild = 24 * time.Hour

// pruneBuilds removes the shared binaries of other sources not built in
// the last staleBuild (best effort).
func pruneBuilds(keep string) {
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), "gohttpd-test-*"))
	for _, d := range old {
		if fi, err := os.Stat(d); err == nil && d != keep && time.Since(fi.ModTime()) > staleBuild {
			os.RemoveAll(d)
		}
	}
}

// sourceKey hashes what the binary is built from: every file of the module
// but tests, testdata and dot directories (embedded files count), the Go
// version and the race mode.
func sourceKey(root string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s race=%t\n", runtime.Version(), raceEnabled)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, "_test.go") || !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(rel), len(data))
		h.Write(data)
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// moduleRoot finds the directory holding this module's go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("mpmtest: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Options describe a server to start.
type Options struct {
	// MPM is the engine: prefork, worker or event.
	MPM string
	// Directives are appended to the generated httpd.conf.
	Directives []string
	// Files are written under the DocumentRoot (name → content). index.html
	// and big.bin (8 MiB) exist unless overridden.
	Files map[string][]byte
	// Args are extra command-line arguments (for example -X).
	Args []string
	// Tick, when not 0, is the master's maintenance tick instead of
	// Apache's one second (the binary's GOHTTPD_TEST_TICK hook, 1ms to
	// 1s): spare children are spawned and retired that much faster.
	Tick time.Duration
}

// Server is a running gohttpd.
type Server struct {
	t       *testing.T
	Cmd     *exec.Cmd
	Dir     string // ServerRoot
	Addr    string // 127.0.0.1:port of the first Listen
	Conf    string // the configuration file
	exited  chan struct{}
	waitErr error
}

// BigSize is the size of the generated big.bin.
const BigSize = 8 << 20

// Start writes a configuration, starts gohttpd on a free loopback port and
// waits until it answers. Cleanup stops it and every child it started.
func Start(t *testing.T, o Options) *Server {
	t.Helper()
	bin := Binary(t)
	dir := ReadableTempDir(t)
	docroot := filepath.Join(dir, "htdocs")
	for _, d := range []string{docroot, filepath.Join(dir, "logs")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string][]byte{
		"index.html": []byte("<html><body>mpmtest index</body></html>\n"),
		"big.bin":    bigBody(),
	}
	for k, v := range o.Files {
		files[k] = v
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(docroot, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	conf := []string{
		"ServerRoot " + dir,
		"ServerName mpmtest",
		"Listen 127.0.0.1:0",
		"MPM " + o.MPM,
		"DocumentRoot htdocs",
		"ErrorLog logs/error_log",
		"LogLevel info",
		"PidFile logs/httpd.pid",
		"CustomLog logs/access_log common",
		"<Location /server-status>",
		"    SetHandler server-status",
		"</Location>",
	}
	conf = append(conf, o.Directives...)
	s := &Server{t: t, Dir: dir, Conf: filepath.Join(dir, "httpd.conf"), exited: make(chan struct{})}
	if err := os.WriteFile(s.Conf, []byte(strings.Join(conf, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-f", s.Conf}, o.Args...)
	s.Cmd = exec.Command(bin, args...)
	if o.Tick != 0 {
		s.Cmd.Env = append(os.Environ(), "GOHTTPD_TEST_TICK="+o.Tick.String())
	}
	out, err := os.Create(filepath.Join(dir, "logs", "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	s.Cmd.Stdout, s.Cmd.Stderr = out, out
	// Its own process group, so cleanup can reach every child.
	s.Cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out.Close()
	go func() {
		s.waitErr = s.Cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(s.cleanup)

	WaitFor(t, 20*time.Second, "gohttpd to log its listening address", func() bool {
		s.Addr = s.listenAddr()
		return s.Addr != "" || s.Exited()
	})
	if s.Exited() {
		t.Fatalf("gohttpd exited during start: %v\n%s", s.waitErr, s.Logs())
	}
	WaitFor(t, 20*time.Second, "gohttpd to answer /server-status?auto", func() bool {
		_, err := s.StatusAuto()
		return err == nil
	})
	return s
}

var listenRE = regexp.MustCompile(`listening .*addr=(127\.0\.0\.1:[0-9]+)`)

// listenAddr finds the bound address in the error log.
func (s *Server) listenAddr() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "logs", "error_log"))
	if m := listenRE.FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}

// Logs returns the error log and the captured stderr, for failure messages.
func (s *Server) Logs() string {
	el, _ := os.ReadFile(filepath.Join(s.Dir, "logs", "error_log"))
	se, _ := os.ReadFile(filepath.Join(s.Dir, "logs", "stderr"))
	return "--- error_log\n" + string(el) + "--- stderr\n" + string(se)
}

// ErrorLog returns the error log's text.
func (s *Server) ErrorLog() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "logs", "error_log"))
	return string(b)
}

// URL is http://addr + path.
func (s *Server) URL(path string) string { return "http://" + s.Addr + path }

// PID is the master's pid.
func (s *Server) PID() int { return s.Cmd.Process.Pid }

// Exited reports whether the master has exited.
func (s *Server) Exited() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// Wait waits up to d for the master to exit and returns its wait error.
func (s *Server) Wait(d time.Duration) error {
	select {
	case <-s.exited:
		return s.waitErr
	case <-time.After(d):
		return fmt.Errorf("gohttpd (pid %d) did not exit within %s", s.PID(), d)
	}
}

// Signal sends sig to the master.
func (s *Server) Signal(sig syscall.Signal) {
	s.t.Helper()
	if err := s.Cmd.Process.Signal(sig); err != nil {
		s.t.Fatalf("signal %v: %v", sig, err)
	}
}

// Children lists the master's live child processes.
func (s *Server) Children() []int {
	return childrenOf(s.PID())
}

func childrenOf(pid int) []int {
	var out []int
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, p := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(p); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// cleanup stops the master (TERM, then KILL) and kills anything left in
// its process group.
func (s *Server) cleanup() {
	if !s.Exited() {
		s.Cmd.Process.Signal(syscall.SIGTERM)
		if s.Wait(15*time.Second) != nil {
			s.Cmd.Process.Kill()
			s.Wait(5 * time.Second)
		}
	}
	syscall.Kill(-s.PID(), syscall.SIGKILL)
	if s.t.Failed() {
		s.t.Logf("gohttpd logs:\n%s", s.Logs())
	}
}

// StatusAuto fetches /server-status?auto as key → value.
func (s *Server) StatusAuto() (map[string]string, error) {
	// One connection per request: a kept-alive status connection would hold
	// a prefork child or a worker for KeepAliveTimeout.
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(s.URL("/server-status?auto"))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("server-status: %s", resp.Status)
	}
	m := map[string]string{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ": ")
		if ok {
			m[k] = v
		}
	}
	return m, sc.Err()
}

// Get fetches path on a new connection and returns status and body.
func (s *Server) Get(path string) (int, []byte, error) {
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(s.URL(path))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// Dial opens a raw connection to the server.
func (s *Server) Dial() (net.Conn, error) {
	return net.DialTimeout("tcp", s.Addr, 5*time.Second)
}

// WaitFor polls cond every 10 ms until it holds or d passes, then fails
// the test naming what it waited for.
func WaitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// bigBody is BigSize bytes of a repeating, position-dependent pattern.
func bigBody() []byte {
	b := make([]byte, BigSize)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}
