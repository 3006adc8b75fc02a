package conf

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeConf writes a configuration file into a temporary directory.
func writeConf(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPrecedence checks the source order defaults < -C < file < env < -c
// for a single-valued directive, for the engine, and for Listen (which
// accumulates across -C, the file and -c, and is replaced by the
// environment).
func TestPrecedence(t *testing.T) {
	file := writeConf(t, "httpd.conf", "Listen 8002\nKeepAliveTimeout 20\nMPM prefork\n")
	tests := []struct {
		name        string
		opts        Options
		wantTimeout time.Duration
		wantMPM     string
		wantPorts   []int
	}{
		{"defaults", Options{}, 5 * time.Second, Event, []int{8080}},
		{"-C", Options{Pre: []string{"KeepAliveTimeout 10", "MPM worker", "Listen 8001"}},
			10 * time.Second, Worker, []int{8001}},
		{"-C<file", Options{File: file, Pre: []string{"KeepAliveTimeout 10", "MPM worker", "Listen 8001"}},
			20 * time.Second, Prefork, []int{8001, 8002}},
		{"file<env", Options{File: file, Pre: []string{"KeepAliveTimeout 10"},
			Environ: []string{"GOHTTPD_KEEPALIVETIMEOUT=30", "GOHTTPD_MPM=event", "GOHTTPD_LISTEN=8003;127.0.0.1:8004", "HOME=/x"}},
			30 * time.Second, Event, []int{8003, 8004}},
		{"env<-c", Options{File: file, Pre: []string{"KeepAliveTimeout 10"},
			Environ: []string{"GOHTTPD_KEEPALIVETIMEOUT=30", "GOHTTPD_MPM=event", "GOHTTPD_LISTEN=8003"},
			Post:    []string{"KeepAliveTimeout 40", "MPM worker", "Listen 8005"}},
			40 * time.Second, Worker, []int{8003, 8005}},
		{"no file: env beats -C", Options{Pre: []string{"KeepAliveTimeout 10"}, Environ: []string{"GOHTTPD_KEEPALIVETIMEOUT=30"}},
			30 * time.Second, Event, []int{8080}},
		{"-c alone", Options{Post: []string{"KeepAliveTimeout 250ms"}}, 250 * time.Millisecond, Event, []int{8080}},
		{"first env entry wins", Options{Environ: []string{"GOHTTPD_KEEPALIVETIMEOUT=1", "GOHTTPD_KEEPALIVETIMEOUT=2"}},
			time.Second, Event, []int{8080}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.opts)
			if err != nil {
				t.Fatalf("Load(%+v) = %v", tt.opts, err)
			}
			if got := c.HTTP.KeepAliveTimeout; got != tt.wantTimeout {
				t.Errorf("KeepAliveTimeout = %v, want %v", got, tt.wantTimeout)
			}
			if c.MPM != tt.wantMPM {
				t.Errorf("MPM = %q, want %q", c.MPM, tt.wantMPM)
			}
			var ports []int
			for _, l := range c.Listen {
				ports = append(ports, l.Port)
			}
			if !slices.Equal(ports, tt.wantPorts) {
				t.Errorf("Listen ports = %v, want %v", ports, tt.wantPorts)
			}
		})
	}
}

// TestEngineSelection checks how the engine is picked and that
// <IfModule mpm_*> follows it.
func TestEngineSelection(t *testing.T) {
	const blocks = "Listen 80\n" +
		"<IfModule mpm_prefork_module>\nStartServers 11\n</IfModule>\n" +
		"<IfModule mpm_worker_module>\nStartServers 12\n</IfModule>\n" +
		"<IfModule mpm_event_module>\nStartServers 13\n</IfModule>\n"
	tests := []struct {
		name      string
		text      string
		opts      Options
		want      string
		wantStart int
	}{
		{"default", blocks, Options{}, Event, 13},
		{"MPM directive after blocks", blocks + "MPM worker\n", Options{}, Worker, 12},
		{"LoadModule", "LoadModule mpm_prefork_module modules/mod_mpm_prefork.so\n" + blocks, Options{}, Prefork, 11},
		{"IfDefine around LoadModule", "<IfDefine PRE>\nLoadModule mpm_prefork_module x.so\n</IfDefine>\n" + blocks,
			Options{Defines: []string{"PRE"}}, Prefork, 11},
		{"IfDefine not taken", "<IfDefine PRE>\nLoadModule mpm_prefork_module x.so\n</IfDefine>\n" + blocks,
			Options{}, Event, 13},
		{"IfModule sees -C engine", "<IfModule !mpm_worker_module>\nMPM prefork\n</IfModule>\n" + blocks,
			Options{Pre: []string{"MPM worker"}}, Worker, 12},
		{"-c beats file", "MPM prefork\n" + blocks, Options{Post: []string{"MPM event"}}, Event, 13},
		{"same MPM twice is fine", "MPM worker\nLoadModule mpm_worker_module x.so\n" + blocks, Options{}, Worker, 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.File = writeConf(t, "httpd.conf", tt.text)
			c, err := Load(tt.opts)
			if err != nil {
				t.Fatalf("Load = %v", err)
			}
			if c.MPM != tt.want || c.Engine.StartServers != tt.wantStart {
				t.Errorf("Load: MPM %q StartServers %d, want %q %d", c.MPM, c.Engine.StartServers, tt.want, tt.wantStart)
			}
		})
	}
}

// TestLoadErrors checks errors that need a temporary tree, and that each
// names file, line and directive.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		opts     Options
		wantLine int
		wantDir  string
		wantMsg  string
	}{
		{"unknown directive", "Listen 80\n\nBogus x\n", Options{}, 3, "Bogus", "Invalid command 'Bogus'"},
		{"-C error", "KeepAlive On\n", Options{Pre: []string{"Listen 80", "Timeout x"}}, 2, "Timeout", "not a number"},
		{"env error", "Listen 80\n", Options{Environ: []string{"GOHTTPD_LISTENBACKLOG=0"}}, 0, "ListenBacklog", "ListenBacklog must be > 0"},
		{"two MPMs across LoadModule and MPM", "MPM worker\nLoadModule mpm_event_module x.so\nListen 80\n", Options{}, 2, "LoadModule", "More than one MPM loaded"},
		{"two MPMs in -C", "Listen 80\n", Options{Pre: []string{"MPM worker", "MPM event"}}, 2, "MPM", "More than one MPM loaded"},
		{"unsupported MPM module", "LoadModule mpm_winnt_module x.so\nListen 80\n", Options{}, 1, "LoadModule", "only the prefork, worker and event"},
		{"Listen inside Location", "Listen 80\n<Location /x>\nListen 81\n</Location>\n", Options{}, 3, "Listen", "Listen not allowed here"},
		{"nested VirtualHost", "Listen 80\n<VirtualHost *:80>\n<VirtualHost *:81>\n</VirtualHost>\n</VirtualHost>\n", Options{}, 3, "<VirtualHost>", "<VirtualHost> cannot occur within <VirtualHost> section"},
		{"IfModule without argument", "Listen 80\n<IfModule>\n</IfModule>\n", Options{}, 2, "<IfModule>", "requires additional arguments"},
		{"Define with colon", "Listen 80\nDefine a:b\n", Options{}, 2, "Define", "must not contain ':'"},
		{"ServerRoot not a directory", "Listen 80\nServerRoot /nonexistent/gohttpd\n", Options{}, 2, "ServerRoot", "ServerRoot must be a valid directory"},
		{"LoadModule arity", "Listen 80\nLoadModule status_module\n", Options{}, 2, "LoadModule", "takes two arguments"},
		{"Include in -c", "Listen 80\n", Options{Post: []string{"Include /nonexistent/gohttpd.conf"}}, 1, "Include", "Could not open configuration file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.File = writeConf(t, "httpd.conf", tt.text)
			_, err := Load(tt.opts)
			if err == nil {
				t.Fatalf("Load = nil error, want %q", tt.wantMsg)
			}
			e := findError(t, err, tt.wantLine, tt.wantDir, tt.wantMsg)
			if e == nil {
				t.Errorf("Load = %q, want an error at line %d, directive %q, message containing %q",
					err, tt.wantLine, tt.wantDir, tt.wantMsg)
			} else if e.File == "" {
				t.Errorf("Load = %q: error names no file", err)
			}
		})
	}
}

// findError returns the *Error in err (an *Error or a join of them) at
// line with directive and a message containing msg, or nil. Every error
// in the tree must be an *Error.
func findError(t *testing.T, err error, line int, directive, msg string) *Error {
	t.Helper()
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var found *Error
		for _, e := range joined.Unwrap() {
			if f := findError(t, e, line, directive, msg); f != nil && found == nil {
				found = f
			}
		}
		return found
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *conf.Error", err, err)
	}
	if e.Line == line && e.Directive == directive && strings.Contains(e.Err.Error(), msg) {
		return e
	}
	return nil
}

// TestSkipDocumentRootCheck is -T.
func TestSkipDocumentRootCheck(t *testing.T) {
	file := writeConf(t, "httpd.conf", "Listen 80\nDocumentRoot /nonexistent/gohttpd\n")
	if _, err := Load(Options{File: file}); err == nil {
		t.Errorf("Load(missing DocumentRoot) = nil error, want an error")
	}
	c, err := Load(Options{File: file, SkipDocumentRootCheck: true})
	if err != nil {
		t.Fatalf("Load(-T) = %v", err)
	}
	if c.Site.DocumentRoot != "/nonexistent/gohttpd" {
		t.Errorf("Load(-T).Site.DocumentRoot = %q, want /nonexistent/gohttpd", c.Site.DocumentRoot)
	}
}

// TestServerRootRelative checks that ServerRoot moves Include and the
// relative paths resolved at the end.
func TestServerRootRelative(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "conf", "extra"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "conf", "extra", "a.conf"), []byte("Listen 8080\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := writeConf(t, "main.conf", "ServerRoot "+root+"\nInclude conf/extra/*.conf\nErrorLog logs/err\nCustomLog stdout common\nTransferLog logs/t\nPidFile run/x.pid\n")
	c, err := Load(Options{File: file})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{root, filepath.Join(root, "logs/err"), "stdout", filepath.Join(root, "logs/t"), filepath.Join(root, "run/x.pid")}
	got := []string{c.ServerRoot, c.Log.ErrorLog, c.Log.Access[0].Path, c.Log.Access[1].Path, c.PidFile}
	if !slices.Equal(got, want) {
		t.Errorf("Load paths = %q, want %q", got, want)
	}
	if len(c.Listen) != 1 || c.Listen[0].Port != 8080 {
		t.Errorf("Load Listen = %+v, want one listener on 8080", c.Listen)
	}
}

// TestListenBuckets checks nb and the silent adjustments that use it.
func TestListenBuckets(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("listener buckets need SO_REUSEPORT (Linux)")
	}
	saved := numCPU
	t.Cleanup(func() { numCPU = saved })
	numCPU = func() int { return 8 }
	tests := []struct {
		name   string
		pre    []string
		wantNB int
		want   MPMConfig
	}{
		{"off", []string{"MPM worker"}, 1, MPMConfig{StartServers: 3, MinSpareThreads: 75, MaxSpareThreads: 250,
			ThreadsPerChild: 25, ThreadLimit: 64, ServerLimit: 16, MaxRequestWorkers: 400}},
		{"ratio 8: one bucket", []string{"MPM worker", "ListenCoresBucketsRatio 8"}, 1, MPMConfig{StartServers: 3,
			MinSpareThreads: 75, MaxSpareThreads: 250, ThreadsPerChild: 25, ThreadLimit: 64, ServerLimit: 16, MaxRequestWorkers: 400}},
		{"ratio 2: four buckets", []string{"MPM worker", "ListenCoresBucketsRatio 2", "StartServers 1",
			"MinSpareThreads 1", "MaxSpareThreads 1", "MaxRequestWorkers 25"}, 4,
			MPMConfig{StartServers: 4, MinSpareThreads: 25*3 + 4, MaxSpareThreads: 79 + 26*4,
				ThreadsPerChild: 25, ThreadLimit: 64, ServerLimit: 16, MaxRequestWorkers: 100}},
		{"prefork ratio 4: two buckets", []string{"MPM prefork", "ListenCoresBucketsRatio 4", "StartServers 1",
			"MinSpareServers 1", "MaxSpareServers 1", "MaxRequestWorkers 1"}, 2,
			MPMConfig{StartServers: 2, MinSpareServers: 2, MaxSpareServers: 4, ThreadsPerChild: 1, ThreadLimit: 1,
				ServerLimit: 256, MaxRequestWorkers: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(Options{Pre: tt.pre})
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if c.MPM == Event {
				want.AsyncRequestWorkerFactor = 2
			}
			if c.ListenBuckets != tt.wantNB || c.Engine != want {
				t.Errorf("Load(%q): nb %d engine %+v, want nb %d engine %+v", tt.pre, c.ListenBuckets, c.Engine, tt.wantNB, want)
			}
		})
	}
}

// TestErrorString checks Error's format with parts left out.
func TestErrorString(t *testing.T) {
	msg := errors.New("boom")
	named := errors.New("RewriteCond: bad flag delimiters") // Apache's text names its directive
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{File: "a.conf", Line: 5, Directive: "RewriteCond", Err: named}, "a.conf:5: RewriteCond: bad flag delimiters"},
		{&Error{File: "a.conf", Line: 3, Directive: "Listen", Err: msg}, "a.conf:3: Listen: boom"},
		{&Error{File: "a.conf", Directive: "Listen", Err: msg}, "a.conf: Listen: boom"},
		{&Error{Line: 3, Err: msg}, "3: boom"},
		{&Error{Directive: "Listen", Err: msg}, "Listen: boom"},
		{&Error{Err: msg}, "boom"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%#v.Error() = %q, want %q", tt.err, got, tt.want)
		}
		if !errors.Is(tt.err, msg) && !errors.Is(tt.err, named) {
			t.Errorf("errors.Is(%q, msg) = false, want true", tt.err)
		}
	}
}

// TestIncludeDirectory checks that including a directory takes every file
// in it, recursively, in name order.
func TestIncludeDirectory(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"d/b.conf":     "Listen 8002\n",
		"d/a.conf":     "Listen 8001\n",
		"d/sub/c.conf": "Listen 8003\n",
	}
	for name, text := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	main := filepath.Join(root, "main.conf")
	if err := os.WriteFile(main, []byte("Include d\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(Options{File: main})
	if err != nil {
		t.Fatal(err)
	}
	var ports []int
	for _, l := range c.Listen {
		ports = append(ports, l.Port)
	}
	if want := []int{8001, 8002, 8003}; !slices.Equal(ports, want) {
		t.Errorf("Include d: ports %v, want %v", ports, want)
	}
}

// TestEnvironment checks how GOHTTPD_* values are read.
func TestEnvironment(t *testing.T) {
	c, err := Load(Options{
		SkipDocumentRootCheck: true,
		Environ: []string{
			"GOHTTPD_FOO=1",
			"GOHTTPD_LISTEN=",
			"GOHTTPD_DOCUMENTROOT=/srv/my site",
			`GOHTTPD_CUSTOMLOG=stdout "%h %s";stderr common`,
			"GOHTTPD_KEEPALIVE=off",
			"gohttpd_timeout=1",
			"PATH=/bin",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Site.DocumentRoot, "/srv/my site"; got != want {
		t.Errorf("DocumentRoot = %q, want %q", got, want)
	}
	want := []AccessLog{{Path: "stdout", Format: "%h %s"}, {Path: "stderr", Format: FormatCommon}}
	if !reflect.DeepEqual(c.Log.Access, want) {
		t.Errorf("Access = %+v, want %+v", c.Log.Access, want)
	}
	if c.HTTP.KeepAlive {
		t.Errorf("KeepAlive = true, want false from GOHTTPD_KEEPALIVE=off")
	}
	if c.HTTP.Timeout != 60*time.Second {
		t.Errorf("Timeout = %v, want the default (lower-case names are not read)", c.HTTP.Timeout)
	}
	if len(c.Listen) != 1 || c.Listen[0].Port != 8080 {
		t.Errorf("Listen = %+v, want the default (an empty GOHTTPD_LISTEN is unset)", c.Listen)
	}
	if !slices.ContainsFunc(c.Notices, func(n string) bool { return strings.Contains(n, "GOHTTPD_FOO") }) {
		t.Errorf("Notices = %q, want one about GOHTTPD_FOO", c.Notices)
	}
}

// BenchmarkLoad measures loading the shipped-style httpd.conf (both
// passes, viper round trip, clamping).
func BenchmarkLoad(b *testing.B) {
	opts := Options{File: filepath.Join("testdata", "httpd.conf")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(opts); err != nil {
			b.Fatal(err)
		}
	}
}
