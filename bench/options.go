package bench

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gohttpd/gohttpd/bench/threshold"
)

// Engines are gohttpd's engines, in the order the bench runs them.
var Engines = []string{"prefork", "worker", "event"}

// Options are the bench's settings (its command-line flags).
type Options struct {
	// Scenarios to run, by name (default: all, in order).
	Scenarios []string
	// Engines to start gohttpd with (default: all three, or none when
	// Target is set).
	Engines []string
	// Target is the URL of another server to measure (loopback only);
	// TargetPID its main pid (0: no memory or CPU figures); TargetName its
	// name in reports.
	Target     string
	TargetPID  int
	TargetName string
	// Directives are extra gohttpd directives (-c), applied after the
	// scenario's; ConfigFile is a file of directives (-f) included before
	// them.
	Directives []string
	ConfigFile string
	// Quick runs every scenario briefly.
	Quick bool
	// Duration of each measured load (default 5 s; 400 ms with Quick).
	Duration time.Duration
	// Connections of the main closed-loop load (default 50).
	Connections int
	// Idle is idle-pressure's number of idle connections (default 1000;
	// 200 with Quick).
	Idle int
	// Rounds is how many times idle-pressure measures the load without
	// and then with the idle connections; its "throughput kept" is the
	// median of the rounds' ratios (default 3; 1 with Quick).
	Rounds int
	// Rate is the open-loop rate in requests/s (saturation's open case;
	// with it, keepalive also runs open-loop). 0 uses 5000 for saturation.
	Rate float64
	// Pin pins the servers and the load generator to separate CPUs.
	Pin bool
	// Out is the directory for bench.json, bench.html and bench.txt
	// ("" = gohttpd-bench-<time> in the working directory; "-" = none).
	Out string
	// Progress draws live progress lines on stderr.
	Progress bool
	// Exe is the gohttpd binary that is started and re-executed.
	Exe string
	// Compare names other servers the bench starts itself from generated,
	// matched configurations: apache (its three MPMs), apache-prefork,
	// apache-worker, apache-event, nginx.
	Compare []string
	// ApacheBin, ApacheModules and NginxBin locate them ("": the usual
	// places).
	ApacheBin, ApacheModules, NginxBin string
	// Thresholds are --threshold checks (see package threshold); a failed
	// one makes the exit code 3.
	Thresholds []string
	// WriteDocroot, if set, only writes the bench's document root there
	// (for a server given by Target) and runs nothing.
	WriteDocroot string
}

// ScenarioNames lists every scenario in run order.
func ScenarioNames() []string {
	out := make([]string, len(scenarios))
	for i, s := range scenarios {
		out[i] = s.name
	}
	return out
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, "; ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// usageText precedes the flag list in -h.
const usageText = `usage: gohttpd bench [flags]

Runs named scenarios against gohttpd's engines (each started from a
generated configuration on a loopback port), against Apache's MPMs and nginx
started the same way (--compare apache,nginx), or against another server
given by --target, and writes a table, bench.json and bench.html. Each
--threshold is checked at the end; if one fails, the exit code is 3.

Scenarios: %s
`

// errReported is returned for flag errors the flag package already printed.
var errReported = errors.New("bench: bad flags")

// ParseArgs parses the bench's command line.
func ParseArgs(args []string, stderr io.Writer) (Options, error) {
	var o Options
	fs := flag.NewFlagSet("gohttpd bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, usageText, strings.Join(ScenarioNames(), ", "))
		fs.PrintDefaults()
	}
	var scen, eng, compare string
	var dirs, thresholds multiFlag
	fs.StringVar(&scen, "s", "", "comma-separated scenarios (default all)")
	fs.StringVar(&eng, "e", "", "comma-separated engines: prefork,worker,event (default all; none with --target)")
	fs.StringVar(&o.Target, "target", "", "URL of another server to measure, e.g. http://127.0.0.1:8080/ (loopback only)")
	fs.IntVar(&o.TargetPID, "target-pid", 0, "main pid of --target, for its memory and CPU")
	fs.StringVar(&o.TargetName, "target-name", "", "name of --target in reports (default external)")
	fs.Var(&dirs, "c", "gohttpd directive applied after the scenario's, e.g. -c 'MaxRequestWorkers 64' (repeatable)")
	fs.StringVar(&o.ConfigFile, "f", "", "file of gohttpd directives included in every generated configuration")
	fs.BoolVar(&o.Quick, "quick", false, "run every scenario briefly")
	fs.DurationVar(&o.Duration, "duration", 0, "duration of each measured load (default 5s, 400ms with --quick)")
	fs.IntVar(&o.Connections, "connections", 50, "connections of the main closed-loop load")
	fs.IntVar(&o.Idle, "idle", 0, "idle connections in idle-pressure (default 1000, 200 with --quick)")
	fs.IntVar(&o.Rounds, "rounds", 0, "idle-pressure rounds of load without, then with the idle connections; the median ratio is reported (default 3, 1 with --quick)")
	fs.Float64Var(&o.Rate, "rate", 0, "open-loop rate in requests/s (keepalive then runs open-loop too)")
	fs.BoolVar(&o.Pin, "pin", false, "pin servers and the load generator to different CPUs")
	fs.StringVar(&o.Out, "out", "", "output directory (default gohttpd-bench-<time>; - for none)")
	fs.BoolVar(&o.Progress, "progress", true, "draw live progress lines on stderr when it is a terminal")
	fs.StringVar(&compare, "compare", "", "other servers to start and measure beside the engines, from generated matched configurations: apache (its prefork, worker and event MPMs), apache-prefork, apache-worker, apache-event, nginx")
	fs.StringVar(&o.ApacheBin, "apache-bin", "", "Apache httpd binary for --compare (default apache2 or httpd in PATH, then /usr/sbin)")
	fs.StringVar(&o.ApacheModules, "apache-modules", "", "Apache's modules directory (default /usr/lib/apache2/modules or /usr/lib/httpd/modules)")
	fs.StringVar(&o.NginxBin, "nginx-bin", "", "nginx binary for --compare (default nginx in PATH, then /usr/sbin/nginx)")
	fs.Var(&thresholds, "threshold", "pass/fail check that sets the exit code (3 when one fails), e.g. 'event.keepalive.1k.rps>=0.9*nginx' or 'event.keepalive.1k.p99<5' (repeatable)")
	fs.StringVar(&o.WriteDocroot, "write-docroot", "", "only write the bench's files (empty.txt, 1k.bin, 64k.bin, 1m.bin, index.html) into this directory, for --target servers; an existing file is never overwritten")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, errReported // the flag package printed it
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	o.Directives = dirs
	o.Thresholds = thresholds
	if o.WriteDocroot != "" {
		return o, nil
	}
	o.Scenarios = splitList(scen)
	o.Engines = splitList(eng)
	o.Compare = expandCompare(splitList(compare))
	if eng == "" && o.Target == "" {
		o.Engines = slices.Clone(Engines)
	}
	return o, o.check()
}

// CompareNames are the servers --compare can start, in run order.
var CompareNames = []string{"apache-prefork", "apache-worker", "apache-event", "nginx"}

// expandCompare expands "apache" into its three MPMs and orders the list
// as CompareNames, without repeats.
func expandCompare(names []string) []string {
	var out []string
	for _, n := range names {
		if n == "apache" || n == "httpd" {
			out = append(out, "apache-prefork", "apache-worker", "apache-event")
			continue
		}
		out = append(out, n)
	}
	slices.SortStableFunc(out, func(a, b string) int {
		return rank(CompareNames, a) - rank(CompareNames, b)
	})
	return slices.Compact(out)
}

// rank is s's index in list, or len(list) when absent.
func rank(list []string, s string) int {
	if i := slices.Index(list, s); i >= 0 {
		return i
	}
	return len(list)
}

func splitList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.ToLower(p))
		}
	}
	return out
}

// check validates o and fills in defaults.
func (o *Options) check() error {
	if len(o.Scenarios) == 0 {
		o.Scenarios = ScenarioNames()
	}
	for _, s := range o.Scenarios {
		if !slices.Contains(ScenarioNames(), s) {
			return fmt.Errorf("bench: unknown scenario %q (have %s)", s, strings.Join(ScenarioNames(), ", "))
		}
	}
	for _, e := range o.Engines {
		if !slices.Contains(Engines, e) {
			return fmt.Errorf("bench: unknown engine %q (have %s)", e, strings.Join(Engines, ", "))
		}
	}
	for _, c := range o.Compare {
		if !slices.Contains(CompareNames, c) {
			return fmt.Errorf("bench: unknown --compare server %q (have apache, %s)", c, strings.Join(CompareNames, ", "))
		}
	}
	if len(o.Engines) == 0 && o.Target == "" && len(o.Compare) == 0 {
		return errors.New("bench: nothing to measure: give engines with -e, servers with --compare or a server with --target")
	}
	for _, t := range o.Thresholds {
		if _, err := threshold.Parse(t); err != nil {
			return fmt.Errorf("bench: --threshold: %w", err)
		}
	}
	if o.Target != "" && slices.Contains(o.Compare, o.TargetName) {
		return fmt.Errorf("bench: --target-name %q is a --compare server's name", o.TargetName)
	}
	if o.Target != "" && o.TargetName == "" {
		o.TargetName = "external"
	}
	if slices.Contains(o.Engines, o.TargetName) && o.Target != "" {
		return fmt.Errorf("bench: --target-name %q is an engine's name", o.TargetName)
	}
	if o.Duration == 0 {
		o.Duration = 5 * time.Second
		if o.Quick {
			o.Duration = 400 * time.Millisecond
		}
	}
	if o.Duration < 100*time.Millisecond || o.Duration > 10*time.Minute {
		return fmt.Errorf("bench: --duration %s out of range 100ms-10m", o.Duration)
	}
	for _, n := range []struct {
		v          *int
		def, quick int
		lo, hi     int
		flag       string
	}{
		{&o.Connections, 50, 50, 1, 10000, "--connections"},
		{&o.Idle, 1000, 200, 1, 200000, "--idle"},
		{&o.Rounds, 3, 1, 1, 20, "--rounds"},
	} {
		if *n.v == 0 {
			*n.v = n.def
			if o.Quick {
				*n.v = n.quick
			}
		}
		if *n.v < n.lo || *n.v > n.hi {
			return fmt.Errorf("bench: %s %d out of range %d-%d", n.flag, *n.v, n.lo, n.hi)
		}
	}
	if o.Rate < 0 || o.Rate > 1e6 {
		return fmt.Errorf("bench: --rate %g out of range 0-1000000", o.Rate)
	}
	if o.TargetPID < 0 {
		return fmt.Errorf("bench: --target-pid %d is negative", o.TargetPID)
	}
	return nil
}
