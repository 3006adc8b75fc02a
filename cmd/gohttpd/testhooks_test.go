package main

import (
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// TestMaintenanceTickHook: GOHTTPD_TEST_TICK (mpmtest.Options.Tick) runs
// the master's maintenance at the given tick. Growing prefork from one
// child to ten idle ones takes four passes of Apache's spawn rate (1, 2,
// 4, 8 children): at least 4 s with the one-second tick, well under the
// deadline here with a 20 ms one.
func TestMaintenanceTickHook(t *testing.T) {
	s := mpmtest.Start(t, mpmtest.Options{MPM: "prefork", Tick: 20 * time.Millisecond, Directives: []string{
		"StartServers 1", "MinSpareServers 10", "MaxSpareServers 20", "MaxRequestWorkers 16", "ServerLimit 16",
	}})
	start := time.Now()
	if !strings.Contains(s.ErrorLog(), "maintenance tick 20ms (GOHTTPD_TEST_TICK, a test hook)") {
		t.Errorf("the master did not log the test tick:\n%s", s.Logs())
	}
	idle := 0
	mpmtest.WaitFor(t, 3500*time.Millisecond, "ten idle prefork children", func() bool {
		st, err := s.StatusAuto()
		if err != nil {
			return false
		}
		idle, _ = strconv.Atoi(st["IdleWorkers"])
		return idle >= 10
	})
	t.Logf("%d idle children %s after the server answered", idle, time.Since(start).Round(time.Millisecond))
}

// TestMaintenanceTickRefused: a value outside 1ms..1s leaves Apache's
// tick, with a warning.
func TestMaintenanceTickRefused(t *testing.T) {
	t.Setenv(envTestTick, "5s")
	var b strings.Builder
	if d := maintenanceTick(slog.New(slog.NewTextHandler(&b, nil))); d != 0 {
		t.Errorf("maintenanceTick = %v, want 0 (one second)", d)
	}
	if !strings.Contains(b.String(), `GOHTTPD_TEST_TICK=\"5s\" ignored`) {
		t.Errorf("log %q: want the refusal", b.String())
	}
}
