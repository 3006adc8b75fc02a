package target

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gohttpd/gohttpd/bench/load"
)

// Files are the generated document root: name → size in bytes.
var Files = []struct {
	Name string
	Size int
}{
	{"empty.txt", 0},
	{"1k.bin", 1 << 10},
	{"64k.bin", 64 << 10},
	{"1m.bin", 1 << 20},
	{"index.html", 0},
}

// WriteDocroot writes the bench's files into dir (created if needed), for
// gohttpd or for an external server to serve. It never overwrites a file:
// a file that already holds exactly the bench's content is left as it is,
// and any other file of the same name makes it write nothing and return an
// error naming that file (wrapping fs.ErrExist).
func WriteDocroot(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("target: %w", err)
	}
	var todo []string
	for _, f := range Files {
		name := filepath.Join(dir, f.Name)
		have, err := os.ReadFile(name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			todo = append(todo, f.Name)
		case err != nil:
			return fmt.Errorf("target: %w", err)
		case !bytes.Equal(have, fileContent(f.Name, f.Size)):
			return fmt.Errorf("target: refusing to overwrite %s, which is not the bench's file: "+
				"choose an empty directory for --write-docroot: %w", name, fs.ErrExist)
		}
	}
	for _, f := range Files {
		if !slices.Contains(todo, f.Name) {
			continue
		}
		if err := writeNew(filepath.Join(dir, f.Name), fileContent(f.Name, f.Size)); err != nil {
			return err
		}
	}
	return nil
}

// fileContent is the content of the bench's file name of size bytes.
func fileContent(name string, size int) []byte {
	if name == "index.html" {
		return []byte("<!doctype html><title>gohttpd bench</title><p>gohttpd bench document root</p>\n")
	}
	b := make([]byte, size)
	for i := range b {
		b[i] = 'a' + byte(i*7+i/251)%26
	}
	return b
}

// writeNew creates name, failing if it exists (O_EXCL), and writes b.
func writeNew(name string, b []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("target: refusing to overwrite: %w", err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("target: write %s: %w", name, err)
	}
	return nil
}

// Spec describes a gohttpd to start.
type Spec struct {
	// Exe is the gohttpd binary.
	Exe string
	// MPM is the engine: prefork, worker or event.
	MPM string
	// Dir is an empty directory to use as ServerRoot.
	Dir string
	// Include is a configuration file included after the generated
	// directives ("": none). It must not hold Listen or MPM.
	Include string
	// Directives come last, after Include: the scenario's, then the
	// user's -c ones.
	Directives []string
	// CPUs pins the server's processes to these CPUs (nil: no pinning).
	CPUs []int
	// StartTimeout bounds the start (default 20 s).
	StartTimeout time.Duration
	// TLS adds an HTTPS listener with a generated ECDSA P-256
	// certificate (Server.TLSAddr).
	TLS bool
}

// Server is a server under measurement.
type Server struct {
	// Name is the engine's name or the external target's.
	Name string
	// MPM is the engine ("" for an external server).
	MPM string
	// Addr is host:port; Port its port.
	Addr string
	Port int
	// Prefix is the URL path under which the bench's files are served
	// ("/" for gohttpd).
	Prefix string
	// PID is the master's (or the external server's main) pid; 0 unknown.
	PID int
	// StatusURL is its /server-status?auto URL ("" when it has none).
	StatusURL string
	// Dir is the ServerRoot of a started gohttpd (or Apache, or nginx's
	// prefix).
	Dir string
	// Kind says whether the bench started it, and which server it is.
	Kind Kind
	// TLSAddr is the HTTPS listener's host:port ("" without one; see
	// tls.go).
	TLSAddr string
	// H2CAddr speaks HTTP/2 with prior knowledge when it differs from
	// Addr (nginx) or the server is an h2c:// --target ("" otherwise;
	// see h2.go).
	H2CAddr string

	logName string // the error log's name in Dir/logs ("" = error_log)
	wantTLS bool   // started with an HTTPS listener: wait for TLSAddr

	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
}

// Path returns the URL path of a bench file ("1k.bin" → "/1k.bin").
func (s *Server) Path(name string) string { return s.Prefix + name }

// Owned reports whether the bench started the server (and may restart it).
func (s *Server) Owned() bool { return s.cmd != nil }

var listenRE = regexp.MustCompile(`listening .*addr=(127\.0\.0\.1:[0-9]+)`)

// Start writes a configuration and a document root under spec.Dir, starts
// gohttpd on a free loopback port and waits until its status page answers.
// On error nothing is left running.
func Start(ctx context.Context, spec Spec) (*Server, error) {
	if spec.StartTimeout == 0 {
		spec.StartTimeout = 20 * time.Second
	}
	docroot := filepath.Join(spec.Dir, "htdocs")
	if err := WriteDocroot(docroot); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(spec.Dir, "logs"), 0o755); err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	lines := []string{
		"ServerRoot " + quote(spec.Dir),
		"ServerName bench",
		"Listen 127.0.0.1:0",
		"MPM " + spec.MPM,
		"DocumentRoot htdocs",
		"ErrorLog logs/error_log",
		"LogLevel notice",
		"PidFile logs/httpd.pid",
		"<Location /server-status>",
		"    SetHandler server-status",
		"</Location>",
	}
	if spec.Include != "" {
		abs, err := filepath.Abs(spec.Include)
		if err != nil {
			return nil, fmt.Errorf("target: %w", err)
		}
		lines = append(lines, "Include "+quote(abs))
	}
	if spec.TLS {
		tl, err := gohttpdTLSLines(spec.Dir)
		if err != nil {
			return nil, err
		}
		lines = append(lines, tl...)
	}
	lines = append(lines, spec.Directives...)
	conf := filepath.Join(spec.Dir, "httpd.conf")
	if err := os.WriteFile(conf, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	out, err := os.Create(filepath.Join(spec.Dir, "logs", "stderr"))
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	defer out.Close()
	cmd := exec.Command(spec.Exe, "-f", conf)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = groupAttr()
	if err := startPinned(cmd, spec.CPUs); err != nil {
		return nil, fmt.Errorf("target: start %s: %w", spec.Exe, err)
	}
	s := &Server{Name: spec.MPM, MPM: spec.MPM, Kind: KindGohttpd, Prefix: "/", PID: cmd.Process.Pid, Dir: spec.Dir, cmd: cmd, exited: make(chan struct{})}
	s.wantTLS = spec.TLS
	go func() { // owned by s: Stop waits for exited
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(ctx, spec.StartTimeout); err != nil {
		s.Stop()
		return nil, fmt.Errorf("target: %s engine: %w\n%s", spec.MPM, err, s.Logs())
	}
	if len(spec.CPUs) > 0 {
		if err := PinTree(s.PID, spec.CPUs); err != nil {
			s.Stop()
			return nil, err
		}
	}
	return s, nil
}

// waitReady waits for the listening line in the error log and then for
// the status page.
func (s *Server) waitReady(ctx context.Context, d time.Duration) error {
	deadline := time.Now().Add(d)
	for s.Addr == "" {
		b, _ := os.ReadFile(filepath.Join(s.Dir, "logs", "error_log"))
		if m := listenRE.FindSubmatch(b); m != nil {
			s.Addr = string(m[1])
			break
		}
		if err := s.pause(ctx, deadline, "its listening address"); err != nil {
			return err
		}
	}
	if err := s.waitTLSAddr(ctx, deadline); err != nil {
		return err
	}
	_, port, _ := net.SplitHostPort(s.Addr)
	s.Port, _ = strconv.Atoi(port)
	s.StatusURL = "http://" + s.Addr + "/server-status?auto"
	for !statusOK(s.StatusURL) {
		if err := s.pause(ctx, deadline, "/server-status to answer"); err != nil {
			return err
		}
	}
	return nil
}

// pause waits 10 ms, failing if the server exited, ctx ended or deadline
// passed.
func (s *Server) pause(ctx context.Context, deadline time.Time, what string) error {
	if time.Now().After(deadline) {
		return fmt.Errorf("timed out waiting for %s", what)
	}
	select {
	case <-s.exited:
		return fmt.Errorf("%s exited while starting: %v", s.Name, s.waitErr)
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(10 * time.Millisecond):
		return nil
	}
}

// statusOK reports whether a GET of u answers 200 within a second.
func statusOK(u string) bool {
	uu, err := url.Parse(u)
	if err != nil {
		return false
	}
	host := uu.Host
	if uu.Port() == "" {
		host = net.JoinHostPort(uu.Hostname(), "80")
	}
	c, err := net.DialTimeout("tcp", host, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", uu.RequestURI(), uu.Host)
	buf := make([]byte, 12)
	n, _ := io.ReadFull(c, buf)
	return n == 12 && bytes.HasPrefix(buf, []byte("HTTP/1.")) && string(buf[9:12]) == "200"
}

// Logs returns the error log and captured stderr of a started gohttpd.
func (s *Server) Logs() string {
	if s.Dir == "" {
		return ""
	}
	name := s.logName
	if name == "" {
		name = "error_log"
	}
	el, _ := os.ReadFile(filepath.Join(s.Dir, "logs", name))
	se, _ := os.ReadFile(filepath.Join(s.Dir, "logs", "stderr"))
	return "--- error_log\n" + tail(el) + "--- stderr\n" + tail(se)
}

func tail(b []byte) string {
	if len(b) > 4096 {
		b = b[len(b)-4096:]
	}
	return string(b)
}

// Exited reports whether a started server's master has exited.
func (s *Server) Exited() bool {
	if s.exited == nil {
		return false
	}
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// Stop stops a server the bench started: SIGTERM to the master, SIGKILL to its
// whole process group after 10 s (and always, afterwards, for stragglers).
// It does nothing for an external server.
func (s *Server) Stop() error {
	if s.cmd == nil {
		return nil
	}
	if !s.Exited() {
		signalTerm(s.cmd.Process)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
		}
	}
	killGroup(s.cmd.Process.Pid)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		return fmt.Errorf("target: %s (pid %d) did not exit after SIGKILL", s.Name, s.cmd.Process.Pid)
	}
	return nil
}

// External describes a server the bench did not start, given by its URL
// (http://127.0.0.1:8080/prefix/, loopback only) and optionally its pid
// (for memory and CPU figures). Its document root must hold the files of
// WriteDocroot under prefix.
func External(rawURL string, pid int, name string) (*Server, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "h2c" {
		return nil, fmt.Errorf("target: %q: only http://, https:// and h2c:// targets can be measured", rawURL)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443", "h2c": "80"}[u.Scheme]
	}
	host := u.Hostname()
	if !isLoopback(host) {
		return nil, fmt.Errorf("target: refusing %q: %q is not a loopback address (127.0.0.0/8 or ::1); the bench only measures servers on this machine", rawURL, host)
	}
	addr := net.JoinHostPort(host, port)
	if err := load.CheckLoopback(addr); err != nil {
		return nil, err
	}
	if pid < 0 {
		return nil, fmt.Errorf("target: pid %d is negative", pid)
	}
	if pid > 0 {
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err != nil {
			return nil, fmt.Errorf("target: pid %d: %w", pid, err)
		}
	}
	prefix := u.Path
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	if name == "" {
		name = "external"
	}
	s := &Server{Name: name, Addr: addr, Prefix: prefix, PID: pid}
	s.Port, _ = strconv.Atoi(port)
	if u.Scheme == "https" {
		// Only the https scenario runs on it (IsTLSOnly).
		s.TLSAddr = addr
		return s, nil
	}
	if u.Scheme == "h2c" {
		// HTTP/2 with prior knowledge: only the h2 scenario runs on it.
		s.H2CAddr = addr
		return s, nil
	}
	if su := "http://" + addr + "/server-status?auto"; statusOK(su) {
		s.StatusURL = su
	}
	return s, nil
}

// isLoopback reports whether host is a loopback IP literal or localhost.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// quote quotes a path for httpd.conf when it holds a space.
func quote(p string) string {
	if strings.ContainsAny(p, " \t\"") {
		return strconv.Quote(p)
	}
	return p
}
