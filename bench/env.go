package bench

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gohttpd/gohttpd/bench/load"
	"github.com/gohttpd/gohttpd/bench/report"
	"github.com/gohttpd/gohttpd/bench/sample"
	"github.com/gohttpd/gohttpd/bench/target"
)

// env is one scenario's run on one target: it starts servers, runs loads
// with samplers and a progress line, and collects the cases.
type env struct {
	o      *Options
	sc     *scenario
	target string         // engine name or external name
	ext    *target.Server // the external server, when target is it
	fg     *foreign       // the comparison server, when target is one
	// nginxLines are the nginx directives of the last server started, and
	// nginxIgnored the scenario's directives nginx has no equivalent for.
	nginxLines, nginxIgnored []string
	tmp                      string
	prog                     *report.Progress
	serverCPUs               []int
	loadCPUs                 []int
	cases                    []*report.Case
	caseStart                time.Time // when the last case began
	servers                  int       // servers started, to name their directories
}

// engine returns the gohttpd engine or Apache's MPM, or "" for an
// external target or nginx.
func (e *env) engine() string {
	switch {
	case e.ext != nil:
		return ""
	case e.fg != nil:
		return e.fg.mpm
	}
	return e.target
}

// quick picks a value by mode.
func (e *env) quick(full, quick time.Duration) time.Duration {
	if e.o.Quick {
		return quick
	}
	return full
}

// quickN picks a count by mode.
func (e *env) quickN(full, quick int) int {
	if e.o.Quick {
		return quick
	}
	return full
}

// twBuckets reads net.ipv4.tcp_max_tw_buckets (0 if unknown).
func twBuckets() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/tcp_max_tw_buckets")
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// newCase starts a case's record.
func (e *env) newCase(name string, dirs []string) *report.Case {
	e.closeCase()
	c := &report.Case{Scenario: e.sc.name, Name: name, Target: e.target, Directives: dirs}
	if e.fg != nil && e.fg.kind == target.KindNginx {
		c.Directives = e.nginxLines
		if len(e.nginxIgnored) > 0 {
			c.Notes = append(c.Notes, "not applied to nginx (no equivalent): "+strings.Join(e.nginxIgnored, "; "))
		}
	}
	e.cases = append(e.cases, c)
	e.caseStart = time.Now()
	return c
}

// closeCase records the last case's wall-clock time.
func (e *env) closeCase() {
	if n := len(e.cases); n > 0 && e.cases[n-1].Seconds == 0 {
		e.cases[n-1].Seconds = time.Since(e.caseStart).Seconds()
	}
}

// start starts gohttpd with the scenario's directives (then the user's),
// or returns the external server. The caller stops it with stop.
func (e *env) start(ctx context.Context, dirs []string) (*target.Server, error) {
	if e.ext != nil {
		return e.ext, nil
	}
	e.servers++
	dir := filepath.Join(e.tmp, fmt.Sprintf("%s-%s-%d", e.sc.name, e.target, e.servers))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if e.fg != nil {
		return e.startForeign(ctx, dir, dirs)
	}
	all := append(append([]string{}, dirs...), e.o.Directives...)
	return target.Start(ctx, target.Spec{
		Exe: e.o.Exe, MPM: e.target, Dir: dir, Include: e.o.ConfigFile,
		Directives: all, CPUs: e.serverCPUs, TLS: e.sc.tls,
	})
}

// stop stops a server the bench started.
func (e *env) stop(s *target.Server) {
	if s != nil && s.Owned() {
		s.Stop()
	}
}

// probe is a sampler over a server, fed with the current load's counters.
type probe struct {
	s      *sample.Sampler
	runner atomic.Pointer[load.Runner]
	h2     atomic.Pointer[load.H2Runner] // an HTTP/2 load (h2.go)
	extra  atomic.Pointer[func() []int]
}

// observe starts sampling srv; the probe's load counters follow whatever
// runner is stored in it.
func (e *env) observe(ctx context.Context, srv *target.Server) *probe {
	p := &probe{}
	e.pinLoad()
	p.s = sample.Start(ctx, sample.Config{
		ServerPID:  srv.PID,
		Port:       srv.Port,
		StatusURL:  srv.StatusURL,
		Scoreboard: srv.Kind == target.KindGohttpd,
		Load: func() (int64, int64) {
			if r := p.runner.Load(); r != nil {
				return r.Completed(), r.Failed()
			}
			if r := p.h2.Load(); r != nil {
				return r.Completed(), r.Failed()
			}
			return 0, 0
		},
		ClientPIDs: func() []int {
			if f := p.extra.Load(); f != nil {
				return (*f)()
			}
			return nil
		},
	})
	return p
}

// finish stops the sampler and stores its samples in c.
func (p *probe) finish(c *report.Case) []sample.Sample {
	c.Samples = p.s.Stop()
	if errs := p.s.Errors(); len(errs) > 0 {
		c.SamplerErrors = errs
	}
	return c.Samples
}

// pinLoad re-applies the load generator's pinning, for threads the
// runtime started since.
func (e *env) pinLoad() {
	if len(e.loadCPUs) > 0 {
		target.PinSelf(e.loadCPUs)
	}
}

// runLoad runs one load against srv with a progress line and stores its
// summary in c.
func (e *env) runLoad(ctx context.Context, p *probe, c *report.Case, cfg load.Config) (*load.Result, error) {
	r, err := load.New(cfg)
	if err != nil {
		return nil, err
	}
	p.runner.Store(r)
	var res *load.Result
	e.withProgress(c, cfg.Duration, r, func() load.Summary {
		res = r.Run(ctx)
		return res.Summary()
	})
	return res, nil
}

// loadCounts is what a progress line reads from a running load.
type loadCounts interface {
	Completed() int64
	Failed() int64
}

// withProgress runs run (a load that r counts) under a progress line,
// stores the summary it returns in c and prints it.
func (e *env) withProgress(c *report.Case, d time.Duration, r loadCounts, run func() load.Summary) {
	desc := fmt.Sprintf("%-13s %-14s %-8s", e.sc.name, c.Name, e.target)
	start := time.Now()
	e.prog.Begin(desc, d, func() string {
		el := time.Since(start).Seconds()
		if el <= 0 {
			return ""
		}
		return fmt.Sprintf("%8.0f req/s  %d errors", float64(r.Completed())/el, r.Failed())
	})
	s := run()
	c.Load = &s
	e.prog.End(fmt.Sprintf("%s %8.0f req/s  p50 %s  p99 %s  errors %s",
		desc, s.RPS, fmtMs(s.P50Ms), fmtMs(s.P99Ms), s.Errors))
}

// wait shows a progress line for a phase without load (holding clients)
// and waits d or until ctx ends.
func (e *env) wait(ctx context.Context, c *report.Case, what string, d time.Duration, status func() string) {
	desc := fmt.Sprintf("%-13s %-14s %-8s %s", e.sc.name, c.Name, e.target, what)
	e.prog.Begin(desc, d, status)
	sleep(ctx, d)
	e.prog.End("")
}

// stallTimeout is the request timeout of active clients that may be stuck
// behind misbehaving ones: half the run, so a stall shows as timeouts.
func (e *env) stallTimeout(d time.Duration) time.Duration {
	return max(d/2, 200*time.Millisecond)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// waitUntil polls cond every 10 ms until it holds, d passes or ctx ends;
// it reports whether cond held.
func waitUntil(ctx context.Context, d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		sleep(ctx, 10*time.Millisecond)
	}
	return true
}

// sourceAddrs are the client source addresses: 127.0.0.1 to 127.0.0.n.
func sourceAddrs(n int) []netip.Addr {
	out := make([]netip.Addr, n)
	for i := range out {
		out[i] = netip.AddrFrom4([4]byte{127, 0, 0, byte(1 + i)})
	}
	return out
}

// poolDirectives gives engine mpm a pool of about n workers, started up
// front: n prefork children, or ceil(n/25) children of up to 25 threads.
func poolDirectives(mpm string, n int) []string {
	itoa := strconv.Itoa
	switch mpm {
	case "prefork":
		return []string{
			"StartServers " + itoa(n), "MinSpareServers 1", "MaxSpareServers " + itoa(n),
			"ServerLimit " + itoa(max(n, 256)), "MaxRequestWorkers " + itoa(n),
		}
	case "worker", "event":
		tpc := min(n, 25)
		procs := (n + tpc - 1) / tpc
		return []string{
			"ThreadsPerChild " + itoa(tpc), "StartServers " + itoa(procs),
			"ServerLimit " + itoa(max(procs, 16)), "MaxRequestWorkers " + itoa(procs*tpc),
			"MinSpareThreads " + itoa(tpc), "MaxSpareThreads " + itoa(procs*tpc+tpc),
		}
	}
	return nil
}

// maxOf returns the largest value of f over samples.
func maxOf(ss []sample.Sample, f func(sample.Sample) float64) float64 {
	m := 0.0
	for _, s := range ss {
		m = max(m, f(s))
	}
	return m
}

// maxKnown returns the largest value of f over samples, leaving out
// unknown (negative) values, and whether any was known.
func maxKnown(ss []sample.Sample, f func(sample.Sample) float64) (float64, bool) {
	m, ok := 0.0, false
	for _, s := range ss {
		if v := f(s); v >= 0 {
			m, ok = max(m, v), true
		}
	}
	return m, ok
}

// busy is a sample's busy workers (-1 unknown).
func busy(s sample.Sample) float64 { return float64(s.Workers.Busy) }

// keepAliveWorkers is a sample's workers in keep-alive (-1 unknown).
func keepAliveWorkers(s sample.Sample) float64 {
	if s.Workers.States == nil {
		return -1
	}
	return float64(s.Workers.States["K"])
}

// acceptQueue is a sample's accept-queue length (-1 unknown).
func acceptQueue(s sample.Sample) float64 { return float64(s.AcceptQueue) }

// processes is a sample's server process count (-1 unknown: no pid).
func processes(s sample.Sample) float64 {
	if s.Processes == 0 {
		return -1
	}
	return float64(s.Processes)
}

// addMax adds the largest known value of f over samples as a figure, or
// the figure as unknown when no sample knew it.
func addMax(c *report.Case, ss []sample.Sample, name string, f func(sample.Sample) float64, unit string, key bool) {
	v, ok := maxKnown(ss, f)
	c.AddMaybe(name, v, ok, unit, key)
}

// lastOf returns f of the last sample (0 without samples).
func lastOf(ss []sample.Sample, f func(sample.Sample) float64) float64 {
	if len(ss) == 0 {
		return 0
	}
	return f(ss[len(ss)-1])
}

// addLoadFigures adds the usual figures of a load result to c.
func addLoadFigures(c *report.Case, s *load.Summary, ss []sample.Sample) {
	c.Add("rps", s.RPS, "req/s", true)
	c.Add("p50", s.P50Ms, "ms", true)
	c.Add("p99", s.P99Ms, "ms", true)
	c.Add("p99.9", s.P999Ms, "ms", false)
	c.Add("max", s.MaxMs, "ms", false)
	c.Add("errors", float64(s.Errors.Total()), "", true)
	c.Add("unfinished", float64(s.Unfinished), "", false)
	c.Add("MB/s", s.MBps, "MB/s", false)
	_, hasPID := maxKnown(ss, processes)
	c.AddMaybe("server CPU", meanOf(ss, func(s sample.Sample) float64 { return s.ServerCPU }), hasPID, "%", false)
	c.Add("client CPU", meanOf(ss, func(s sample.Sample) float64 { return s.ClientCPU }), "%", false)
	rss, ok := maxKnown(ss, func(s sample.Sample) float64 { return float64(s.RSS) })
	c.AddMaybe("RSS", rss/(1<<20), ok, "MB", false)
}

// meanOf averages f over samples after the first (whose CPU covers no
// interval).
func meanOf(ss []sample.Sample, f func(sample.Sample) float64) float64 {
	if len(ss) < 2 {
		return 0
	}
	t := 0.0
	for _, s := range ss[1:] {
		t += f(s)
	}
	return t / float64(len(ss)-1)
}

func fmtMs(ms float64) string {
	switch {
	case ms >= 1000:
		return fmt.Sprintf("%.2fs", ms/1000)
	case ms >= 10:
		return fmt.Sprintf("%.0fms", ms)
	}
	return fmt.Sprintf("%.2fms", ms)
}
