package main

import (
	"fmt"
	"log/slog"
	"os"
	"time"
)

// Test hooks of the binary: environment variables that only tests set.
// Their names start with GOHTTPD_TEST_, which conf does not read as a
// directive (conf's envTestPrefix), and each one is logged when it takes
// effect, so a production log shows it was never set.

// envTestTick sets the master's maintenance tick (mpm.Master.Tick,
// Apache's one second) to a Go duration from 1ms to 1s, e.g.
// GOHTTPD_TEST_TICK=20ms: tests that wait for the master to spawn spare
// children, retire idle ones or replace exited ones run that much faster,
// and a test can use a long tick to keep maintenance out of its way. The
// spawn rate (1, 2, 4 ... 32 children per pass) and the retirement of one
// idle child per pass scale with it. mpmtest.Options.Tick sets it.
const envTestTick = "GOHTTPD_TEST_TICK"

// maintenanceTick is the master's tick from envTestTick, or 0 (mpm.Master's
// default, one second) when it is unset or not a duration from 1ms to 1s.
func maintenanceTick(log *slog.Logger) time.Duration {
	v, ok := os.LookupEnv(envTestTick)
	if !ok {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Millisecond || d > time.Second {
		log.Warn(fmt.Sprintf("%s=%q ignored: want a duration from 1ms to 1s", envTestTick, v))
		return 0
	}
	log.Info(fmt.Sprintf("maintenance tick %s (%s, a test hook)", d, envTestTick))
	return d
}
