package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/gohttpd/gohttpd/bench/report"
	"github.com/gohttpd/gohttpd/bench/target"
	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// TestCompare runs "gohttpd bench --compare apache,nginx" with thresholds
// through Main. It needs apache2 and nginx (apt-get install apache2
// nginx) and fails without them.
func TestCompare(t *testing.T) {
	if _, err := target.FindApache("", ""); err != nil {
		t.Fatalf("TestCompare needs Apache httpd: %v", err)
	}
	if _, err := target.FindNginx(""); err != nil {
		t.Fatalf("TestCompare needs nginx: %v", err)
	}
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"-s", "saturation", "-e", "event", "--compare", "apache,nginx",
		"--quick", "--duration", "150ms", "--rate", "1000", "--out", "-",
		"--threshold", "event.saturation.closed 128c.rps>0",
		"--threshold", "apache-event.saturation.closed128c.rps>=0.000001*nginx",
		"--threshold", "nginx.saturation.closed 128c.busy workers>=0",
		"--threshold", "event.saturation.open 1000/s.p99<=1e9*apache-prefork",
	}, &stdout, &stderr, mpmtest.Binary(t))
	out := stdout.String()
	if code != ExitThresholds {
		t.Fatalf("Main = %d, want %d (one threshold fails)\nstdout:\n%s\nstderr:\n%s", code, ExitThresholds, out, stderr.String())
	}
	for _, want := range []string{"apache-prefork", "apache-worker", "apache-event", "nginx", "compared with apache: Apache/2.4",
		"PASS event.saturation.closed 128c.rps>0",
		"PASS apache-event.saturation.closed128c.rps>=0.000001*nginx",
		"FAIL nginx.saturation.closed 128c.busy workers>=0",
		"PASS event.saturation.open 1000/s.p99<=1e9*apache-prefork"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "busy workers is unknown (n/a) on nginx") {
		t.Errorf("nginx's busy workers are not reported unknown:\n%s", out)
	}
}

// TestCompareMissingServer: a --compare server that is not installed is
// skipped, loudly, and the rest runs.
func TestCompareMissingServer(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"-s", "keepalive", "-e", "event", "--compare", "nginx",
		"--nginx-bin", "/nonexistent/nginx", "--quick", "--duration", "100ms", "--out", "-"},
		&stdout, &stderr, mpmtest.Binary(t))
	if code != 0 {
		t.Fatalf("Main = %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "SKIPPING nginx: nginx: /nonexistent/nginx: not installed") {
		t.Errorf("stderr does not say nginx is skipped:\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "SKIPPED nginx") || !strings.Contains(stdout.String(), "event") {
		t.Errorf("table does not say nginx was skipped:\n%s", stdout.String())
	}
}

func TestCheckThresholds(t *testing.T) {
	run := &report.Run{}
	add := func(tgt, sc, name string, figs map[string]float64, unknown ...string) {
		c := &report.Case{Scenario: sc, Name: name, Target: tgt}
		for k, v := range figs {
			c.Add(k, v, "", true)
		}
		for _, k := range unknown {
			c.AddUnknown(k, "", true)
		}
		run.Cases = append(run.Cases, c)
	}
	add("event", "keepalive", "1k", map[string]float64{"rps": 1000, "p99": 2})
	add("nginx", "keepalive", "1k", map[string]float64{"rps": 900}, "busy workers")
	run.Cases = append(run.Cases, &report.Case{Scenario: "churn", Target: "nginx", Notes: []string{"skipped: needs directives"}})
	tests := []struct {
		th   string
		pass bool
		msg  string
	}{
		{"event.keepalive.1k.rps>=1.1*nginx", true, "PASS"},
		{"event.keepalive.1k.rps>=1.2*nginx", false, "1000 >= 1.2 × nginx.keepalive.1k.rps 900 = 1080"},
		{"EVENT.KeepAlive.1K.RPS>0", true, "PASS"},
		{"event.keepalive.1k.P99<3", true, "PASS"},
		{"nginx.keepalive.1k.busy workers>=0", false, "unknown (n/a)"},
		{"event.keepalive.64k.rps>0", false, `no case "64k" of keepalive on event (have 1k)`},
		{"event.close.server-close.rps>0", false, "event did not run close"},
		{"nginx.churn..rps>0", false, "syntax"},
		{"nginx.churn.x.rps>0", false, "skipped: needs directives"},
	}
	for _, tt := range tests {
		r := checkThresholds(run, []string{tt.th})[0]
		if r.Pass != tt.pass || !strings.Contains(r.Message, tt.msg) {
			t.Errorf("%s: %+v, want pass=%v and a message with %q", tt.th, r, tt.pass, tt.msg)
		}
	}
}
