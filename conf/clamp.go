package conf

import (
	"fmt"
	"runtime"
)

// Compile-time limits of Apache's MPMs (MAX_SERVER_LIMIT, MAX_THREAD_LIMIT).
const (
	preforkMaxServerLimit  = 200000
	threadedMaxServerLimit = 20000
	workerMaxThreadLimit   = 20000
	eventMaxThreadLimit    = 100000
)

// numCPU is the number of online CPUs used for listener buckets; tests
// replace it.
var numCPU = runtime.NumCPU

// listenBuckets is Apache's nb (ap_duplicate_listeners): with
// ListenCoresBucketsRatio r > 0 and SO_REUSEPORT (Linux only),
// online CPUs / r when that is more than 1, else 1.
func listenBuckets(ratio int) int {
	if ratio <= 0 || runtime.GOOS != "linux" {
		return 1
	}
	if nb := numCPU() / ratio; nb > 1 {
		return nb
	}
	return 1
}

// clamp applies Apache's *_check_config checks, in Apache's order and with
// its startup-form warnings, and then the silent adjustments of *_run with
// nb listener buckets.
func clamp(c *Config, nb int) []string {
	var warnings []string
	warn := func(format string, args ...any) {
		warnings = append(warnings, "WARNING: "+fmt.Sprintf(format, args...))
	}
	// limit is the check every *_check_config makes of ServerLimit and
	// ThreadLimit: down to the compile-time limit, up to 1.
	limit := func(name string, v *int, hi int, unit string) {
		if *v > hi {
			warn("%s of %d exceeds compile-time limit of %d %s, decreasing to %d.", name, *v, hi, unit, hi)
			*v = hi
		} else if *v < 1 {
			warn("%s of %d not allowed, increasing to 1.", name, *v)
			*v = 1
		}
	}
	e := &c.Engine
	if c.MPM == Prefork {
		// prefork_check_config
		limit("ServerLimit", &e.ServerLimit, preforkMaxServerLimit, "servers")
		if e.MaxRequestWorkers > e.ServerLimit {
			warn("MaxRequestWorkers of %d exceeds ServerLimit value of %d servers, decreasing MaxRequestWorkers to %d. To increase, please see the ServerLimit directive.",
				e.MaxRequestWorkers, e.ServerLimit, e.ServerLimit)
			e.MaxRequestWorkers = e.ServerLimit
		} else if e.MaxRequestWorkers < 1 {
			warn("MaxRequestWorkers of %d not allowed, increasing to 1.", e.MaxRequestWorkers)
			e.MaxRequestWorkers = 1
		}
		if e.StartServers < 1 {
			warn("StartServers of %d not allowed, increasing to 1.", e.StartServers)
			e.StartServers = 1
		}
		if e.MinSpareServers < 1 {
			warn("MinSpareServers of %d not allowed, increasing to 1 to avoid almost certain server failure. Please read the documentation.",
				e.MinSpareServers)
			e.MinSpareServers = 1
		}
		// prefork_run
		e.MaxRequestWorkers = max(e.MaxRequestWorkers, nb)
		e.StartServers = max(e.StartServers, nb)
		e.MinSpareServers = max(e.MinSpareServers, nb)
		e.MaxSpareServers = max(e.MaxSpareServers, e.MinSpareServers+nb)
		e.ThreadsPerChild, e.ThreadLimit = 1, 1 // HARD_THREAD_LIMIT
		return warnings
	}

	// worker_check_config / event_check_config
	maxThreadLimit := eventMaxThreadLimit
	if c.MPM == Worker {
		maxThreadLimit = workerMaxThreadLimit
	}
	limit("ServerLimit", &e.ServerLimit, threadedMaxServerLimit, "servers")
	limit("ThreadLimit", &e.ThreadLimit, maxThreadLimit, "threads")
	if e.ThreadsPerChild > e.ThreadLimit {
		warn("ThreadsPerChild of %d exceeds ThreadLimit of %d threads, decreasing to %d. To increase, please see the ThreadLimit directive.",
			e.ThreadsPerChild, e.ThreadLimit, e.ThreadLimit)
		e.ThreadsPerChild = e.ThreadLimit
	} else if e.ThreadsPerChild < 1 {
		warn("ThreadsPerChild of %d not allowed, increasing to 1.", e.ThreadsPerChild)
		e.ThreadsPerChild = 1
	}
	tpc := e.ThreadsPerChild
	if e.MaxRequestWorkers < tpc {
		warn("MaxRequestWorkers of %d is less than ThreadsPerChild of %d, increasing to %d. MaxRequestWorkers must be at least as large as the number of threads in a single server.",
			e.MaxRequestWorkers, tpc, tpc)
		e.MaxRequestWorkers = tpc
	}
	daemons := e.MaxRequestWorkers / tpc
	if e.MaxRequestWorkers%tpc != 0 {
		rounded := daemons * tpc
		warn("MaxRequestWorkers of %d is not an integer multiple of ThreadsPerChild of %d, decreasing to nearest multiple %d, for a maximum of %d servers.",
			e.MaxRequestWorkers, tpc, rounded, daemons)
		e.MaxRequestWorkers = rounded
	}
	if daemons > e.ServerLimit {
		warn("MaxRequestWorkers of %d would require %d servers and would exceed ServerLimit of %d, decreasing to %d. To increase, please see the ServerLimit directive.",
			e.MaxRequestWorkers, daemons, e.ServerLimit, e.ServerLimit*tpc)
		daemons = e.ServerLimit
		// Apache keeps max_workers for its "reached MaxRequestWorkers"
		// message only; the capacity is ServerLimit × ThreadsPerChild, and
		// that is what the snapshot records.
		e.MaxRequestWorkers = daemons * tpc
	}
	if e.StartServers < 1 {
		warn("StartServers of %d not allowed, increasing to 1.", e.StartServers)
		e.StartServers = 1
	}
	if e.MinSpareThreads < 1 {
		warn("MinSpareThreads of %d not allowed, increasing to 1 to avoid almost certain server failure. Please read the documentation.",
			e.MinSpareThreads)
		e.MinSpareThreads = 1
	}
	// worker_run / event_run
	if daemons < nb {
		daemons = nb
		e.MaxRequestWorkers = daemons * tpc
	}
	e.StartServers = max(e.StartServers, nb)
	e.MinSpareThreads = max(e.MinSpareThreads, tpc*(nb-1)+nb)
	e.MaxSpareThreads = max(e.MaxSpareThreads, e.MinSpareThreads+(tpc+1)*nb)
	return warnings
}
