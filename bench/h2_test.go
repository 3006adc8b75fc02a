package bench

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/bench/report"
	"github.com/gohttpd/gohttpd/bench/target"
	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// TestH2Scenario runs the h2 scenario --quick on event through the
// binary: every load case over TLS and h2c answers without errors with
// the streams asked for in flight; the stall case answers the small
// streams beside a stalled one; the idle cases hold their connections and
// the status page counts the h2 ones.
func TestH2Scenario(t *testing.T) {
	o := Options{Scenarios: []string{"h2"}, Engines: []string{"event"}, Quick: true, Duration: 300 * time.Millisecond,
		Exe: mpmtest.Binary(t), Out: "-"}
	run, err := Run(context.Background(), o, io.Discard)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, report.Table(run))
	}
	for _, tp := range []string{"tls", "h2c"} {
		for _, sh := range h2Shapes {
			name := tp + "-" + strconv.Itoa(sh.conns) + "x" + strconv.Itoa(sh.streams)
			if rps := figure(t, run, "h2", name, "event", "rps"); rps <= 0 {
				t.Errorf("event %s: %g req/s", name, rps)
			}
			if n := figure(t, run, "h2", name, "event", "errors"); n != 0 {
				t.Errorf("event %s: %g errors", name, n)
			}
			if n := figure(t, run, "h2", name, "event", "max in flight/conn"); n != float64(sh.streams) {
				t.Errorf("event %s: %g streams in flight, want %d", name, n, sh.streams)
			}
		}
		stall := tp + "-stall"
		if rps := figure(t, run, "h2", stall, "event", "rps"); rps <= 0 {
			t.Errorf("event %s: %g req/s beside a stalled stream, want > 0", stall, rps)
		}
	}
	for _, kind := range []string{"idle-h2-tls", "idle-h2c", "idle-h1"} {
		if n := figure(t, run, "h2", kind, "event", "idle conns"); n != 200 {
			t.Errorf("event %s: %g idle connections held, want 200", kind, n)
		}
		if kb := figure(t, run, "h2", kind, "event", "KB PSS/idle conn"); kb <= 0 {
			t.Errorf("event %s: %g KB PSS per idle connection", kind, kb)
		}
	}
	if n := figure(t, run, "h2", "idle-h2c", "event", "H2Connections (status)"); n < 200 {
		t.Errorf("event idle-h2c: the status page counts %g h2 connections, want 200", n)
	}
	for _, c := range run.Cases {
		if msg := c.NotReached(); msg != "" {
			t.Errorf("%s %s on %s: %s", c.Scenario, c.Name, c.Target, msg)
		}
		if c.Error != "" {
			t.Errorf("%s %s on %s: %s", c.Scenario, c.Name, c.Target, c.Error)
		}
	}
	// Thresholds name the cases.
	res := checkThresholds(run, []string{"event.h2.h2c-10x10.rps>0", "event.h2.tls-1x100.rps>=0.5*event.h2.tls-1x1.rps",
		"event.h2.idle-h2c.idle conns==200"})
	for _, r := range res {
		if !r.Pass {
			t.Errorf("%s", r.Message)
		}
	}
}

// TestH2Target: an h2c:// --target (here gohttpd's event engine, started
// by the test) runs the h2 scenario's h2c cases and its idle-h2c case;
// every other scenario is skipped, and the h2 scenario is skipped on an
// http:// target.
func TestH2Target(t *testing.T) {
	srv, err := target.Start(context.Background(), target.Spec{Exe: mpmtest.Binary(t), MPM: "event", Dir: mpmtest.ReadableTempDir(t),
		Directives: h2Directives("event")})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"-s", "keepalive,h2", "--target", "h2c://" + srv.Addr + "/",
		"--target-pid", strconv.Itoa(srv.PID), "--target-name", "ext", "--quick", "--duration", "150ms", "--out", "-",
		"--threshold", "ext.h2.h2c-1x10.errors==0"}, &stdout, &stderr, mpmtest.Binary(t))
	out := stdout.String()
	if code != 0 {
		t.Fatalf("Main = %d\n%s\n%s", code, out, stderr.String())
	}
	for _, want := range []string{"an h2c:// --target runs only the h2 scenario", "h2c-1x100", "h2c-stall", "idle-h2c",
		"PASS ext.h2.h2c-1x10.errors==0"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, not := range []string{"tls-1x1", "idle-h1", "idle-h2-tls"} {
		if strings.Contains(out, not) {
			t.Errorf("an h2c:// target ran %s:\n%s", not, out)
		}
	}
	stdout.Reset()
	Main(context.Background(), []string{"-s", "h2", "--target", "http://" + srv.Addr + "/", "--quick", "--out", "-"},
		&stdout, &stderr, mpmtest.Binary(t))
	if !strings.Contains(stdout.String(), "needs an https:// (h2 over TLS) or h2c:// (prior knowledge) --target") {
		t.Errorf("h2 on an http:// target:\n%s", stdout.String())
	}
}

// TestH2StallPrefork: the stall case on prefork (two children) shows it
// answering one stream of a connection at a time: the small streams
// beside a stalled one are never answered, over TLS and h2c.
func TestH2StallPrefork(t *testing.T) {
	o := Options{Scenarios: []string{"h2"}, Engines: []string{"prefork"}, Quick: true, Duration: 400 * time.Millisecond, Exe: mpmtest.Binary(t)}
	if err := o.check(); err != nil {
		t.Fatal(err)
	}
	e := &env{o: &o, sc: scenarioByName("h2"), target: "prefork", tmp: mpmtest.ReadableTempDir(t), prog: report.NewProgress(io.Discard, false)}
	srv, err := e.start(context.Background(), append(h2Directives("prefork"), "StartServers 2"))
	if err != nil {
		t.Fatal(err)
	}
	defer e.stop(srv)
	for _, tp := range h2Transports(srv) {
		if err := e.h2Stall(context.Background(), srv, tp, nil); err != nil {
			t.Fatal(err)
		}
	}
	e.closeCase()
	if len(e.cases) != 2 {
		t.Fatalf("%d cases, want tls-stall and h2c-stall", len(e.cases))
	}
	for _, c := range e.cases {
		rps, _ := c.Figure("rps")
		errs, _ := c.Figure("errors")
		if rps != 0 || errs == 0 || c.NotReached() != "" {
			t.Errorf("prefork %s: %g req/s, %g errors (%s); want 0 and timeouts", c.Name, rps, errs, c.NotReached())
		}
	}
}
