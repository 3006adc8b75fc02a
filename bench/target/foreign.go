package target

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind says what a Server is.
type Kind int

const (
	// KindExternal is a server the bench did not start (--target).
	KindExternal Kind = iota
	// KindGohttpd is gohttpd started by the bench.
	KindGohttpd
	// KindApache is Apache httpd started by the bench (--compare apache).
	KindApache
	// KindNginx is nginx started by the bench (--compare nginx).
	KindNginx
)

// ErrNotInstalled is returned when a comparison server's binary or
// modules are missing.
var ErrNotInstalled = errors.New("not installed")

// Installed describes a comparison server found on this machine.
type Installed struct {
	// Bin is its binary; Modules Apache's modules directory.
	Bin, Modules string
	// Version is its version line ("Apache/2.4.71 (Debian)").
	Version string
}

// FindApache looks for Apache httpd: bin (default apache2 or httpd in PATH,
// then /usr/sbin) and its modules directory (default
// /usr/lib/apache2/modules or /usr/lib/httpd/modules), which must hold the
// three MPMs and the modules the bench loads. The error wraps
// ErrNotInstalled and says where it looked.
func FindApache(bin, modules string) (Installed, error) {
	path, err := findBin(bin, []string{"apache2", "httpd"}, []string{"/usr/sbin/apache2", "/usr/sbin/httpd"})
	if err != nil {
		return Installed{}, fmt.Errorf("apache: %w", err)
	}
	dirs := []string{modules}
	if modules == "" {
		dirs = []string{"/usr/lib/apache2/modules", "/usr/lib/httpd/modules", "/usr/lib64/httpd/modules"}
	}
	for _, d := range dirs {
		if missing := missingModules(d); missing == "" {
			return Installed{Bin: path, Modules: d, Version: version(path, "-v", "Server version: ")}, nil
		} else if modules != "" {
			return Installed{}, fmt.Errorf("apache: %s lacks %s: %w", d, missing, ErrNotInstalled)
		}
	}
	return Installed{}, fmt.Errorf("apache: no modules directory with the MPMs in %s: %w", strings.Join(dirs, ", "), ErrNotInstalled)
}

// FindNginx looks for nginx: bin (default nginx in PATH, then
// /usr/sbin/nginx).
func FindNginx(bin string) (Installed, error) {
	path, err := findBin(bin, []string{"nginx"}, []string{"/usr/sbin/nginx"})
	if err != nil {
		return Installed{}, fmt.Errorf("nginx: %w", err)
	}
	return Installed{Bin: path, Version: version(path, "-v", "nginx version: ")}, nil
}

// findBin returns bin if given, else the first of names in PATH, else the
// first of paths that exists.
func findBin(bin string, names, paths []string) (string, error) {
	if bin != "" {
		p, err := exec.LookPath(bin)
		if err != nil {
			return "", fmt.Errorf("%s: %w (%w)", bin, ErrNotInstalled, err)
		}
		return p, nil
	}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("looked for %s in PATH and %s: %w", strings.Join(names, ", "), strings.Join(paths, ", "), ErrNotInstalled)
}

// apacheModules are the modules the generated Apache configuration loads
// (besides the MPM), by module name and file.
var apacheModules = [][2]string{
	{"mime_module", "mod_mime.so"},
	{"dir_module", "mod_dir.so"},
	{"authz_core_module", "mod_authz_core.so"},
	{"status_module", "mod_status.so"},
	{"reqtimeout_module", "mod_reqtimeout.so"},
}

// missingModules names the first module file dir lacks ("" if none).
func missingModules(dir string) string {
	files := []string{"mod_mpm_prefork.so", "mod_mpm_worker.so", "mod_mpm_event.so"}
	for _, m := range apacheModules {
		files = append(files, m[1])
	}
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return f
		}
	}
	return ""
}

// version runs bin flag and returns the line after prefix (or the first
// line), for the report.
func version(bin, flag, prefix string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, bin, flag).CombinedOutput()
	for line := range strings.SplitSeq(string(out), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), prefix); ok {
			return v
		}
	}
	first, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return first
}

// ForeignSpec describes an Apache or nginx for the bench to start.
type ForeignSpec struct {
	Kind Kind // KindApache or KindNginx
	// Name is the server's name in reports ("apache-event", "nginx").
	Name string
	// Installed is what FindApache or FindNginx found.
	Installed Installed
	// MPM is Apache's MPM: prefork, worker or event.
	MPM string
	// Dir is an empty directory for its ServerRoot (or nginx prefix),
	// configuration, logs and document root.
	Dir string
	// Directives are Apache directives appended to the generated
	// configuration (the scenario's); for nginx, lines of its http block
	// (see NginxDirectives).
	Directives []string
	// Workers is nginx's worker_processes (default 1).
	Workers int
	// CPUs pins the server (nil: no pinning).
	CPUs []int
	// StartTimeout bounds the start (default 20 s).
	StartTimeout time.Duration
	// TLS adds an HTTPS listener on TLSPort (a free port StartForeign
	// picks) with the bench's certificate (tls.go).
	TLS     bool
	TLSPort int
	// H2 speaks HTTP/2 (h2.go): Apache loads mod_http2, nginx gets http2
	// on its HTTPS listener and an h2c listener on H2CPort (a free port
	// StartForeign picks).
	H2      bool
	H2CPort int
}

// StartForeign writes a configuration for spec's server under spec.Dir,
// starts it in the foreground in its own process group on a free loopback
// port and waits until it answers. Stop stops it (SIGTERM, then SIGKILL to
// its process group). It never touches the system's own instance: every
// path it uses is under spec.Dir.
func StartForeign(ctx context.Context, spec ForeignSpec) (*Server, error) {
	if spec.StartTimeout == 0 {
		spec.StartTimeout = 20 * time.Second
	}
	if err := prepareDir(spec.Dir); err != nil {
		return nil, err
	}
	var lastErr error
	for range 3 { // the free port may be taken between probe and bind
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		if spec.TLS {
			if _, _, err := WriteCert(spec.Dir); err != nil {
				return nil, err
			}
			if spec.TLSPort, err = freePort(); err != nil {
				return nil, err
			}
		}
		if spec.H2 && spec.Kind == KindNginx {
			if spec.H2CPort, err = freePort(); err != nil {
				return nil, err
			}
		}
		s, err := startForeignOn(ctx, spec, port)
		if err == nil {
			return s, nil
		}
		lastErr = err
		if ctx.Err() != nil || !strings.Contains(err.Error(), "ddress already in use") {
			break
		}
	}
	return nil, lastErr
}

// prepareDir creates the server's directories, readable by the
// unprivileged user the server's children run as when the bench is root.
func prepareDir(dir string) error {
	for _, d := range []string{dir, filepath.Join(dir, "logs"), filepath.Join(dir, "tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("target: %w", err)
		}
		if err := os.Chmod(d, 0o755); err != nil {
			return fmt.Errorf("target: %w", err)
		}
	}
	if os.Geteuid() == 0 {
		// nginx's workers (nobody) write their temporary files here.
		os.Chown(filepath.Join(dir, "tmp"), 65534, -1)
	}
	if os.Geteuid() == 0 {
		if err := traversable(dir); err != nil {
			return err
		}
	}
	return WriteDocroot(filepath.Join(dir, "htdocs"))
}

// traversable checks that every directory above dir lets others through
// (o+x), as the servers' unprivileged children need to reach their
// document root.
func traversable(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	for d := filepath.Dir(abs); ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("target: %w", err)
		}
		if st.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("target: %s (mode %v) does not let %s through to %s: the server's children could not read its files",
				d, st.Mode().Perm(), runAsUser, dir)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("target: free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startForeignOn starts spec's server on port.
func startForeignOn(ctx context.Context, spec ForeignSpec, port int) (*Server, error) {
	var args []string
	var logName string
	switch spec.Kind {
	case KindApache:
		conf := filepath.Join(spec.Dir, "httpd.conf")
		if err := os.WriteFile(conf, []byte(ApacheConfig(spec, port)), 0o644); err != nil {
			return nil, fmt.Errorf("target: %w", err)
		}
		args = []string{"-f", conf, "-D", "FOREGROUND"}
		logName = "error_log"
	case KindNginx:
		conf := filepath.Join(spec.Dir, "nginx.conf")
		if err := os.WriteFile(conf, []byte(NginxConfig(spec, port)), 0o644); err != nil {
			return nil, fmt.Errorf("target: %w", err)
		}
		args = []string{"-p", spec.Dir + "/", "-c", conf, "-e", filepath.Join(spec.Dir, "logs", "error.log")}
		logName = "error.log"
	default:
		return nil, fmt.Errorf("target: StartForeign: kind %d is not Apache or nginx", spec.Kind)
	}
	out, err := os.Create(filepath.Join(spec.Dir, "logs", "stderr"))
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	defer out.Close()
	cmd := exec.Command(spec.Installed.Bin, args...)
	cmd.Dir = spec.Dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = groupAttr()
	if err := startPinned(cmd, spec.CPUs); err != nil {
		return nil, fmt.Errorf("target: start %s: %w", spec.Installed.Bin, err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	s := &Server{Name: spec.Name, MPM: spec.MPM, Kind: spec.Kind, Addr: addr, Port: port, Prefix: "/",
		PID: cmd.Process.Pid, Dir: spec.Dir, logName: logName, cmd: cmd, exited: make(chan struct{})}
	if spec.TLS {
		s.TLSAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(spec.TLSPort))
	}
	if spec.H2CPort > 0 {
		s.H2CAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(spec.H2CPort))
	}
	go func() { // owned by s: Stop waits for exited
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	ready := "http://" + addr + "/empty.txt"
	if spec.Kind == KindApache {
		s.StatusURL = "http://" + addr + "/server-status?auto"
		ready = s.StatusURL
	}
	deadline := time.Now().Add(spec.StartTimeout)
	for !statusOK(ready) {
		if err := s.pause(ctx, deadline, ready+" to answer"); err != nil {
			s.Stop()
			return nil, fmt.Errorf("target: %s: %w\n%s", spec.Name, err, s.Logs())
		}
	}
	if len(spec.CPUs) > 0 {
		if err := PinTree(s.PID, spec.CPUs); err != nil {
			s.Stop()
			return nil, err
		}
	}
	return s, nil
}

// runAs is the unprivileged user and group the servers' children run as
// when the bench is root.
const runAsUser, runAsGroup = "nobody", "nogroup"

// ApacheConfig is the generated httpd.conf for spec on port: its own
// ServerRoot, the MPM and modules it needs, Apache's defaults for
// keep-alive (as gohttpd's), /server-status for ?auto, and spec's
// directives last.
func ApacheConfig(spec ForeignSpec, port int) string {
	mod := func(name, file string) string {
		return "LoadModule " + name + " " + quote(filepath.Join(spec.Installed.Modules, file))
	}
	lines := []string{
		"# generated by gohttpd bench for " + spec.Name,
		"ServerRoot " + quote(spec.Dir),
		"ServerName bench",
		"Listen 127.0.0.1:" + strconv.Itoa(port),
		mod("mpm_"+spec.MPM+"_module", "mod_mpm_"+spec.MPM+".so"),
	}
	for _, m := range apacheModules {
		lines = append(lines, mod(m[0], m[1]))
	}
	lines = append(lines, apacheH2Lines(spec)...)
	if os.Geteuid() == 0 {
		lines = append(lines, "User "+runAsUser, "Group "+runAsGroup)
	}
	lines = append(lines,
		"PidFile "+quote(filepath.Join(spec.Dir, "logs", "httpd.pid")),
		"ErrorLog "+quote(filepath.Join(spec.Dir, "logs", "error_log")),
		"LogLevel warn",
		"DefaultRuntimeDir "+quote(filepath.Join(spec.Dir, "logs")),
		"TypesConfig /dev/null",
		"AddType text/plain .txt",
		"AddType text/html .html",
		"AddType application/octet-stream .bin",
		"DocumentRoot "+quote(filepath.Join(spec.Dir, "htdocs")),
		"<Directory />",
		"    AllowOverride None",
		"    Require all granted",
		"</Directory>",
		"DirectoryIndex index.html",
		"KeepAlive On",
		"KeepAliveTimeout 5",
		"MaxKeepAliveRequests 100",
		"<Location /server-status>",
		"    SetHandler server-status",
		"</Location>",
	)
	if spec.TLS {
		lines = append(lines, apacheTLSLines(spec, spec.TLSPort)...)
	}
	lines = append(lines, spec.Directives...)
	return strings.Join(lines, "\n") + "\n"
}

// NginxConfig is the generated nginx.conf for spec on port: in the
// foreground with a master, every path under spec.Dir, no access log,
// keep-alive as Apache's defaults, then spec's directives in the http
// block.
func NginxConfig(spec ForeignSpec, port int) string {
	workers := max(spec.Workers, 1)
	tmp := filepath.Join(spec.Dir, "tmp")
	lines := []string{
		"# generated by gohttpd bench for " + spec.Name,
		"daemon off;",
		"master_process on;",
		"worker_processes " + strconv.Itoa(workers) + ";",
		"worker_rlimit_nofile 65536;",
		"pid " + filepath.Join(spec.Dir, "logs", "nginx.pid") + ";",
		"error_log " + filepath.Join(spec.Dir, "logs", "error.log") + " warn;",
	}
	if os.Geteuid() == 0 {
		lines = append(lines, "user "+runAsUser+" "+runAsGroup+";")
	}
	lines = append(lines,
		"events { worker_connections 20000; }",
		"http {",
		"    access_log off;",
		"    types { text/plain txt; text/html html; application/octet-stream bin; }",
		"    default_type application/octet-stream;",
		"    client_body_temp_path "+tmp+"/body;",
		"    proxy_temp_path "+tmp+"/proxy;",
		"    fastcgi_temp_path "+tmp+"/fastcgi;",
		"    uwsgi_temp_path "+tmp+"/uwsgi;",
		"    scgi_temp_path "+tmp+"/scgi;",
	)
	// Apache's keep-alive defaults (gohttpd's too), unless spec's lines
	// set them: nginx refuses a directive given twice.
	http := []string{"keepalive_timeout 5s;", "keepalive_requests 100;"}
	for _, d := range spec.Directives {
		key, _, _ := strings.Cut(d, " ")
		http = slices.DeleteFunc(http, func(l string) bool { return strings.HasPrefix(l, key+" ") })
		http = append(http, d)
	}
	for _, d := range http {
		lines = append(lines, "    "+d)
	}
	lines = append(lines,
		"    server {",
		"        listen 127.0.0.1:"+strconv.Itoa(port)+";",
		"        root "+filepath.Join(spec.Dir, "htdocs")+";",
		"        index index.html;",
		"    }",
	)
	if spec.TLS {
		lines = append(lines, nginxTLSLines(spec, spec.TLSPort)...)
	}
	if spec.H2 && spec.H2CPort > 0 {
		lines = append(lines, nginxH2CLines(spec, spec.H2CPort)...)
	}
	lines = append(lines, "}")
	return strings.Join(lines, "\n") + "\n"
}

// NginxDirectives translates the gohttpd (Apache) directives nginx has an
// equivalent for into lines of nginx's http block: KeepAlive,
// KeepAliveTimeout, MaxKeepAliveRequests and H2MaxSessionStreams
// (Protocols with h2 is ForeignSpec.H2's). It returns the others as
// ignored. Later lines win, as in Apache, because nginx takes the last
// value of a directive only once: the translation keeps the last one.
func NginxDirectives(dirs []string) (lines, ignored []string) {
	vals := map[string]string{}
	var order []string
	set := func(k, v string) {
		if _, ok := vals[k]; !ok {
			order = append(order, k)
		}
		vals[k] = v
	}
	for _, d := range dirs {
		f := strings.Fields(d)
		if len(f) > 0 && strings.EqualFold(f[0], "Protocols") && slices.Contains(f, "h2") {
			continue // HTTP/2 is the listeners' (ForeignSpec.H2, h2.go)
		}
		if len(f) != 2 {
			ignored = append(ignored, d)
			continue
		}
		switch strings.ToLower(f[0]) {
		case "keepalive":
			if strings.EqualFold(f[1], "off") {
				set("keepalive_timeout", "0")
			}
		case "keepalivetimeout":
			if n, err := strconv.Atoi(f[1]); err == nil && n >= 0 {
				set("keepalive_timeout", f[1]+"s")
			} else {
				ignored = append(ignored, d)
			}
		case "maxkeepaliverequests":
			if n, err := strconv.Atoi(f[1]); err == nil && n >= 0 {
				if n == 0 {
					f[1] = "1000000000" // Apache's 0 is unlimited
				}
				set("keepalive_requests", f[1])
			} else {
				ignored = append(ignored, d)
			}
		case "h2maxsessionstreams":
			set("http2_max_concurrent_streams", f[1])
		default:
			ignored = append(ignored, d)
		}
	}
	for _, k := range order {
		lines = append(lines, k+" "+vals[k]+";")
	}
	return lines, ignored
}
