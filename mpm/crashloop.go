package mpm

import (
	"fmt"
	"time"
)

// Crash-loop defaults. More than DefaultCrashBudget crashes of children of
// the running generation within DefaultCrashWindow is a crash loop: a
// child that dies at start or on its first connection (a resource
// shortage, a broken descriptor) would otherwise be respawned as fast as
// the master can fork, thousands of log lines a minute. The master then
// logs one error and respawns one child at a time, DefaultCrashBackoff
// apart at first, doubling with every further crash up to
// DefaultCrashBackoffMax (a minute, so a loop costs a few log lines a
// minute at most); once no child crashed for twice DefaultCrashBackoffMax
// (longer than a capped delay plus a child's start, so the child spawned
// after the longest delay has had time to crash) it respawns at the
// normal rate again. A restart (a new configuration, maybe
// the fix) ends the throttling at once.
//
// Apache has no budget: after APEXIT_CHILDSICK it only cuts the spawn
// rate to one child per maintenance pass (idle_spawn_rate = 1), which
// still makes a line or two a second forever.
const (
	DefaultCrashBudget     = 10
	DefaultCrashWindow     = 10 * time.Second
	DefaultCrashBackoff    = time.Second
	DefaultCrashBackoffMax = time.Minute
)

// crashGuard counts crashes and, during a crash loop, spaces out spawns.
// Every method takes the time, so tests drive it with a fake clock.
type crashGuard struct {
	budget int
	window time.Duration
	first  time.Duration
	max    time.Duration

	crashes []time.Time // within window, while not throttled
	delay   time.Duration
	last    time.Time // the last crash
	next    time.Time // the earliest next spawn, while throttled
}

// throttled reports whether spawns are being spaced out.
func (g *crashGuard) throttled() bool { return g.delay > 0 }

// crash records a crash at now and reports whether it starts a crash
// loop (the caller logs that once).
func (g *crashGuard) crash(now time.Time) bool {
	g.last = now
	if g.throttled() {
		g.delay = min(2*g.delay, g.max)
		g.next = now.Add(g.delay)
		return false
	}
	keep := g.crashes[:0]
	for _, t := range g.crashes {
		if now.Sub(t) < g.window {
			keep = append(keep, t)
		}
	}
	g.crashes = append(keep, now)
	if len(g.crashes) <= g.budget {
		return false
	}
	g.crashes = nil
	g.delay = g.first
	g.next = now.Add(g.delay)
	return true
}

// allow reports whether a child may be spawned at now.
func (g *crashGuard) allow(now time.Time) bool {
	return !g.throttled() || !now.Before(g.next)
}

// spawned records a spawn at now: while throttled, the next one waits a
// full delay.
func (g *crashGuard) spawned(now time.Time) {
	if g.throttled() {
		g.next = now.Add(g.delay)
	}
}

// wait is how long from now until a spawn is allowed.
func (g *crashGuard) wait(now time.Time) time.Duration {
	if !g.throttled() {
		return 0
	}
	return max(g.next.Sub(now), 0)
}

// quiet is how long no child may crash before the throttling ends.
func (g *crashGuard) quiet() time.Duration { return 2 * g.max }

// recovered ends the throttling once no child crashed for quiet, and
// reports whether it did.
func (g *crashGuard) recovered(now time.Time) bool {
	if !g.throttled() || now.Sub(g.last) < g.quiet() {
		return false
	}
	g.reset()
	return true
}

// reset forgets every crash (a restart starts afresh).
func (g *crashGuard) reset() {
	g.crashes, g.delay, g.next = nil, 0, time.Time{}
}

// loopMessage is the one error logged when a crash loop starts.
func (g *crashGuard) loopMessage() string {
	return fmt.Sprintf("children are crashing: %d exited within %s; respawning one child at a time, "+
		"at most once every %s, doubling with each crash up to %s, until none has crashed for %s",
		g.budget+1, g.window, g.first, g.max, g.quiet())
}
