package target

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStartForeign starts Apache (each MPM) and nginx from generated
// configurations, fetches a file and stops them. Apache and nginx must be
// installed (apt-get install apache2 nginx): the test fails without them.
func TestStartForeign(t *testing.T) {
	apache, err := FindApache("", "")
	if err != nil {
		t.Fatalf("FindApache: %v (install apache2)", err)
	}
	nginx, err := FindNginx("")
	if err != nil {
		t.Fatalf("FindNginx: %v (install nginx)", err)
	}
	specs := []ForeignSpec{
		{Kind: KindApache, Name: "apache-prefork", MPM: "prefork", Installed: apache, Directives: []string{"StartServers 2"}},
		{Kind: KindApache, Name: "apache-worker", MPM: "worker", Installed: apache},
		{Kind: KindApache, Name: "apache-event", MPM: "event", Installed: apache},
		{Kind: KindNginx, Name: "nginx", Installed: nginx, Workers: 2, Directives: []string{"keepalive_timeout 60s;"}},
	}
	for _, spec := range specs {
		t.Run(spec.Name, func(t *testing.T) {
			spec.Dir = t.TempDir()
			os.Chmod(filepath.Dir(spec.Dir), 0o711) // for the children, run as nobody when root
			s, err := StartForeign(context.Background(), spec)
			if err != nil {
				t.Fatal(err)
			}
			stopped := false
			defer func() {
				if !stopped {
					s.Stop()
				}
			}()
			resp, err := http.Get("http://" + s.Addr + "/1k.bin")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || len(b) != 1024 {
				t.Errorf("GET /1k.bin = %d, %d bytes\n%s", resp.StatusCode, len(b), s.Logs())
			}
			if (spec.Kind == KindApache) != (s.StatusURL != "") {
				t.Errorf("StatusURL = %q", s.StatusURL)
			}
			if !s.Owned() || s.Kind != spec.Kind {
				t.Errorf("server = %+v", s)
			}
			pgid := s.PID
			if err := s.Stop(); err != nil {
				t.Fatal(err)
			}
			stopped = true
			// Nothing of its process group is left.
			deadline := time.Now().Add(3 * time.Second)
			for syscall.Kill(-pgid, 0) == nil {
				if time.Now().After(deadline) {
					t.Fatalf("process group %d still alive after Stop", pgid)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

func TestNginxDirectives(t *testing.T) {
	lines, ignored := NginxDirectives([]string{"KeepAliveTimeout 60", "MaxKeepAliveRequests 0", "MaxRequestWorkers 100",
		"KeepAliveTimeout 7"})
	if got := strings.Join(lines, " "); got != "keepalive_timeout 7s; keepalive_requests 1000000000;" {
		t.Errorf("lines = %q", got)
	}
	if len(ignored) != 1 || ignored[0] != "MaxRequestWorkers 100" {
		t.Errorf("ignored = %q", ignored)
	}
	conf := NginxConfig(ForeignSpec{Name: "nginx", Dir: "/x", Directives: lines}, 8080)
	if strings.Count(conf, "keepalive_timeout") != 1 || !strings.Contains(conf, "keepalive_timeout 7s;") {
		t.Errorf("NginxConfig repeats or loses keepalive_timeout:\n%s", conf)
	}
	for _, want := range []string{"daemon off;", "master_process on;", "listen 127.0.0.1:8080;", "pid /x/logs/nginx.pid;", "access_log off;"} {
		if !strings.Contains(conf, want) {
			t.Errorf("NginxConfig lacks %q", want)
		}
	}
}

func TestApacheConfig(t *testing.T) {
	conf := ApacheConfig(ForeignSpec{Name: "apache-worker", MPM: "worker", Dir: "/x",
		Installed: Installed{Modules: "/m"}, Directives: []string{"KeepAlive Off"}}, 8081)
	for _, want := range []string{"ServerRoot /x\n", "Listen 127.0.0.1:8081\n", "LoadModule mpm_worker_module /m/mod_mpm_worker.so\n",
		"LoadModule status_module /m/mod_status.so\n", "PidFile /x/logs/httpd.pid\n", "ErrorLog /x/logs/error_log\n",
		"SetHandler server-status", "KeepAlive Off\n"} {
		if !strings.Contains(conf, want) {
			t.Errorf("ApacheConfig lacks %q:\n%s", want, conf)
		}
	}
	if root := os.Geteuid() == 0; root != strings.Contains(conf, "User nobody\nGroup nogroup\n") {
		t.Errorf("ApacheConfig as uid %d: User/Group lines wrong:\n%s", os.Geteuid(), conf)
	}
	if strings.Index(conf, "KeepAlive Off") < strings.Index(conf, "KeepAlive On") {
		t.Error("the scenario's directives do not come last")
	}
}

func TestFindNotInstalled(t *testing.T) {
	if _, err := FindNginx("/nonexistent/nginx"); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("FindNginx(missing) = %v, want ErrNotInstalled", err)
	}
	if _, err := FindApache("", t.TempDir()); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("FindApache(empty modules dir) = %v, want ErrNotInstalled", err)
	}
}
