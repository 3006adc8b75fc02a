package bench

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gohttpd/gohttpd/bench/clients"
	"github.com/gohttpd/gohttpd/bench/load"
	"github.com/gohttpd/gohttpd/bench/report"
	"github.com/gohttpd/gohttpd/bench/sample"
	"github.com/gohttpd/gohttpd/listener"
)

// scenario is a named experiment that shows one behaviour.
type scenario struct {
	name  string
	about string
	// external reports whether it runs on a server given by --target;
	// needs says which directives it cannot set there.
	external bool
	needs    string
	run      func(ctx context.Context, e *env) error
}

// scenarios are the bench's experiments, in run order.
var scenarios = []*scenario{
	{name: "keepalive", about: "throughput and latency for the 1 KB, 64 KB and 1 MB files with keep-alive",
		external: true, run: runKeepalive},
	{name: "close", about: "one request per connection: TIME_WAIT accumulates on the side that closes first",
		external: true, run: runClose},
	{name: "idle-pressure", about: "idle keep-alive connections beside active clients: prefork and worker stall once idle connections hold every worker, event does not",
		external: true, run: runIdlePressure},
	{name: "slowloris", about: "slow-header senders (and slow readers) beside active clients, with and without RequestReadTimeout",
		external: true, run: runSlowloris},
	{name: "defer-accept", about: "connect-only clients with AcceptFilter data and none: accepted, workers busy, SYN_RECV vs ESTABLISHED",
		needs: "AcceptFilter", run: runDeferAccept},
	{name: "backlog", about: "a small ListenBacklog with every worker busy: the accept queue fills to backlog+1 and overflows",
		needs: "ListenBacklog, MaxRequestWorkers", run: runBacklog},
	{name: "saturation", about: "more connections than MaxRequestWorkers: queueing latency, closed loop and open loop (coordinated-omission corrected)",
		external: true, run: runSaturation},
	{name: "churn", about: "a low MaxConnectionsPerChild under load: children recycled, zero errors",
		needs: "MaxConnectionsPerChild", run: runChurn},
}

func scenarioByName(name string) *scenario {
	for _, s := range scenarios {
		if s.name == name {
			return s
		}
	}
	return nil
}

// About returns a scenario's one-line description ("" if unknown).
func About(name string) string {
	if s := scenarioByName(name); s != nil {
		return s.about
	}
	return ""
}

// warmup runs a short unmeasured load so that pools and caches are warm.
func (e *env) warmup(ctx context.Context, addr, path string, conns int) {
	d := e.quick(500*time.Millisecond, 100*time.Millisecond)
	if r, err := load.New(load.Config{Addr: addr, Path: path, Connections: conns, Duration: d, Timeout: time.Second}); err == nil {
		r.Run(ctx)
	}
}

// ---- keepalive ----

func runKeepalive(ctx context.Context, e *env) error {
	dirs := poolDirectives(e.engine(), e.o.Connections)
	srv, err := e.start(ctx, dirs)
	if err != nil {
		return err
	}
	defer e.stop(srv)
	e.warmup(ctx, srv.Addr, srv.Path("1k.bin"), e.o.Connections)
	for _, f := range []string{"1k.bin", "64k.bin", "1m.bin"} {
		if ctx.Err() != nil {
			return nil
		}
		c := e.newCase(f[:len(f)-4], dirs)
		p := e.observe(ctx, srv)
		_, err := e.runLoad(ctx, p, c, load.Config{
			Addr: srv.Addr, Path: srv.Path(f), Connections: e.o.Connections,
			Duration: e.o.Duration, Rate: e.o.Rate,
		})
		ss := p.finish(c)
		if err != nil {
			return err
		}
		addLoadFigures(c, c.Load, ss)
	}
	return nil
}

// ---- close ----

func runClose(ctx context.Context, e *env) error {
	dirs := poolDirectives(e.engine(), e.o.Connections)
	for _, mode := range []load.CloseMode{load.ServerClose, load.ClientClose} {
		if ctx.Err() != nil {
			return nil
		}
		// A fresh server (and port) per case, so that one case's TIME_WAIT
		// sockets (60 s) do not show in the next.
		srv, err := e.start(ctx, dirs)
		if err != nil {
			return err
		}
		c := e.newCase(mode.String(), dirs)
		p := e.observe(ctx, srv)
		// Capped, so that the TIME_WAIT sockets of every case fit in the
		// kernel's table (net.ipv4.tcp_max_tw_buckets) for their 60 s.
		_, err = e.runLoad(ctx, p, c, load.Config{
			Addr: srv.Addr, Path: srv.Path("1k.bin"), Connections: e.o.Connections,
			Duration: e.o.Duration, Close: mode, SourceAddrs: sourceAddrs(4),
			MaxRequests: int64(e.quickN(10000, 2000)),
		})
		if all, err := listener.CountLocal(); err == nil {
			if limit := twBuckets(); limit > 0 && all[listener.StateTimeWait] >= limit*9/10 {
				c.Notes = append(c.Notes, fmt.Sprintf("this machine holds %d TIME_WAIT sockets, near net.ipv4.tcp_max_tw_buckets %d: the kernel stops keeping new ones",
					all[listener.StateTimeWait], limit))
			}
		}
		// TIME_WAIT lasts 60 s; one more sample right after the load shows
		// the final count.
		ss := p.finish(c)
		e.stop(srv)
		if err != nil {
			return err
		}
		addLoadFigures(c, c.Load, ss)
		tw := func(side func(sample.Sample) sample.TCP) float64 {
			return maxOf(ss, func(s sample.Sample) float64 { return float64(side(s)["TIME_WAIT"]) })
		}
		srvTW := tw(func(s sample.Sample) sample.TCP { return s.ServerTCP })
		cliTW := tw(func(s sample.Sample) sample.TCP { return s.ClientTCP })
		c.Add("TIME_WAIT server", srvTW, "", true)
		c.Add("TIME_WAIT client", cliTW, "", true)
		c.Add("connections", float64(c.Load.Connects), "", false)
		side := "server"
		if cliTW > srvTW {
			side = "client"
		}
		c.Notes = append(c.Notes, fmt.Sprintf("%s: TIME_WAIT accumulated on the %s side (%d server, %d client)",
			mode, side, int(srvTW), int(cliTW)))
	}
	return nil
}

// ---- idle-pressure ----

func runIdlePressure(ctx context.Context, e *env) error {
	var dirs []string
	if e.engine() != "" {
		dirs = []string{"KeepAliveTimeout 60", "MaxKeepAliveRequests 0"}
		if e.o.Quick {
			dirs = append(dirs, "MaxRequestWorkers 100")
			if e.engine() != "prefork" {
				dirs = append(dirs, "ThreadsPerChild 25", "ServerLimit 16")
			}
		}
	}
	srv, err := e.start(ctx, dirs)
	if err != nil {
		return err
	}
	defer e.stop(srv)
	c := e.newCase(strconv.Itoa(e.o.Idle)+" idle", dirs)
	p := e.observe(ctx, srv)
	active := load.Config{
		Addr: srv.Addr, Path: srv.Path("1k.bin"), Connections: 10,
		Duration: e.o.Duration, Timeout: e.stallTimeout(e.o.Duration),
	}
	// Baseline: the same active load with no idle connection, so the case
	// says how much throughput the idle connections cost.
	baseline, err := e.runLoad(ctx, p, c, active)
	if err != nil {
		p.finish(c)
		return err
	}
	idle, err := clients.StartIdle(ctx, clients.IdleConfig{
		Target: clients.Target{Addr: srv.Addr, Path: srv.Path("1k.bin"), SourceAddrs: sourceAddrs(8)},
		Exe:    e.o.Exe,
	})
	if err != nil {
		p.finish(c)
		return err
	}
	pids := idle.PIDs
	p.extra.Store(&pids)
	defer idle.Close()

	// Ramp: memory with 0, N/4, N/2, 3N/4 and N idle connections.
	settle := e.quick(2*time.Second, 250*time.Millisecond)
	base := p.s.Take()
	c.Ramp = append(c.Ramp, report.RampPoint{RSS: base.RSS, PSS: base.PSS, Busy: base.Workers.Busy})
	added := 0
	for step := 1; step <= 4 && ctx.Err() == nil; step++ {
		n := e.o.Idle*step/4 - added
		if err := idle.Grow(n); err != nil {
			p.finish(c)
			return err
		}
		added += n
		desc := fmt.Sprintf("%d idle connections", added)
		e.prog.Begin(fmt.Sprintf("%-13s %-14s %-8s %s", e.sc.name, c.Name, e.target, desc), settle, nil)
		waitUntil(ctx, settle, func() bool {
			st := idle.Stats()
			return st.Answered+st.Failed+st.ServerClosed >= int64(added)
		})
		// Let the server settle (keep-alive bookkeeping, GC) before reading
		// its memory.
		sleep(ctx, e.quick(200*time.Millisecond, 50*time.Millisecond))
		e.prog.End("")
		s := p.s.Take()
		st := idle.Stats()
		c.Ramp = append(c.Ramp, report.RampPoint{Idle: int(st.Answered), Open: int(st.Open), RSS: s.RSS, PSS: s.PSS, Busy: s.Workers.Busy})
	}
	// Active clients beside the idle ones; a request stuck behind them
	// times out.
	_, err = e.runLoad(ctx, p, c, active)
	st := idle.Stats()
	ss := p.finish(c)
	if err != nil {
		return err
	}
	c.Clients = map[string]clients.Stats{"idle": st}
	addLoadFigures(c, c.Load, ss)
	if b := baseline.RPS(); b > 0 {
		c.Add("req/s without idle", b, "", false)
		c.Add("throughput kept", 100*c.Load.RPS/b, "%", true)
	}
	c.Add("idle answered", float64(st.Answered), "", true)
	c.Add("idle open", float64(st.Open), "", false)
	c.Add("busy workers", maxOf(ss, func(s sample.Sample) float64 { return float64(s.Workers.Busy) }), "", true)
	c.Add("keep-alive workers", maxOf(ss, func(s sample.Sample) float64 { return float64(s.Workers.States["K"]) }), "", false)
	c.Add("accept queue", maxOf(ss, func(s sample.Sample) float64 { return float64(s.AcceptQueue) }), "", false)
	c.Add("server processes", maxOf(ss, func(s sample.Sample) float64 { return float64(s.Processes) }), "", false)
	if last := c.Ramp[len(c.Ramp)-1]; last.Idle > 0 && base.RSS >= 0 {
		c.Add("RSS per idle conn", float64(last.RSS-base.RSS)/float64(last.Idle)/1024, "KB", true)
		c.Add("PSS per idle conn", float64(last.PSS-base.PSS)/float64(last.Idle)/1024, "KB", false)
	}
	return nil
}

// ---- slowloris ----

func runSlowloris(ctx context.Context, e *env) error {
	const workers, slow = 50, 60
	pool := poolDirectives(e.engine(), workers)
	cases := []struct {
		name string
		dirs []string
		kind string
	}{
		{"no-timeout", []string{"RequestReadTimeout header=0"}, "slowloris"},
		{"reqtimeout", []string{"RequestReadTimeout header=1"}, "slowloris"},
		{"slow-read", []string{"SendBufferSize 32768"}, "slow-read"},
	}
	for _, cs := range cases {
		if ctx.Err() != nil {
			return nil
		}
		if e.ext != nil && cs.name == "reqtimeout" {
			continue // the external server's own setting is "no-timeout"'s
		}
		dirs := append(slices.Clone(pool), cs.dirs...)
		if e.ext != nil {
			dirs = nil
		}
		srv, err := e.start(ctx, dirs)
		if err != nil {
			return err
		}
		name := cs.name
		if e.ext != nil && name == "no-timeout" {
			name = "as-configured"
		}
		c := e.newCase(name, dirs)
		p := e.observe(ctx, srv)
		t := clients.Target{Addr: srv.Addr, Path: srv.Path("1k.bin"), SourceAddrs: sourceAddrs(4)}
		var g *clients.Group
		if cs.kind == "slowloris" {
			g, err = clients.StartSlowloris(ctx, clients.SlowlorisConfig{Target: t, N: slow,
				Interval: e.quick(500*time.Millisecond, 200*time.Millisecond)})
		} else {
			t.Path = srv.Path("1m.bin")
			g, err = clients.StartSlowReaders(ctx, clients.SlowReadConfig{Target: t, N: slow})
		}
		if err != nil {
			p.finish(c)
			e.stop(srv)
			return err
		}
		waitUntil(ctx, e.quick(time.Second, 300*time.Millisecond), func() bool {
			return g.Stats().Connected >= slow
		})
		sleep(ctx, e.quick(300*time.Millisecond, 100*time.Millisecond))
		d := e.o.Duration
		if cs.name == "reqtimeout" {
			d = max(d, e.quick(2*time.Second, 1500*time.Millisecond)) // long enough for the timeout to strike
		}
		_, err = e.runLoad(ctx, p, c, load.Config{
			Addr: srv.Addr, Path: srv.Path("1k.bin"), Connections: 10,
			Duration: d, Timeout: e.stallTimeout(d),
		})
		st := g.Stats()
		g.Close()
		ss := p.finish(c)
		e.stop(srv)
		if err != nil {
			return err
		}
		c.Clients = map[string]clients.Stats{cs.kind: st}
		addLoadFigures(c, c.Load, ss)
		c.Add("slow clients open", float64(st.Open), "", false)
		c.Add("slow dropped by server", float64(st.ServerClosed), "", true)
		c.Add("busy workers", maxOf(ss, func(s sample.Sample) float64 { return float64(s.Workers.Busy) }), "", true)
		if cs.kind == "slow-read" {
			c.Add("slow MB read", float64(st.Bytes)/1e6, "MB", false)
		}
	}
	return nil
}

// ---- defer-accept ----

func runDeferAccept(ctx context.Context, e *env) error {
	n := e.quickN(100, 50)
	for _, filter := range []string{"data", "none"} {
		if ctx.Err() != nil {
			return nil
		}
		dirs := []string{"AcceptFilter http " + filter, "RequestReadTimeout header=0"}
		srv, err := e.start(ctx, dirs)
		if err != nil {
			return err
		}
		c := e.newCase(filter, dirs)
		p := e.observe(ctx, srv)
		g, err := clients.StartConnectOnly(ctx, clients.ConnectOnlyConfig{
			Target: clients.Target{Addr: srv.Addr, SourceAddrs: sourceAddrs(4)}, N: n})
		if err != nil {
			p.finish(c)
			e.stop(srv)
			return err
		}
		waitUntil(ctx, 2*time.Second, func() bool { st := g.Stats(); return st.Connected+st.Failed >= int64(n) })
		e.wait(ctx, c, fmt.Sprintf("%d connect-only clients", n), e.quick(2*time.Second, 300*time.Millisecond), nil)
		// A request after them shows whether the server still serves.
		probe := e.quick(2*time.Second, time.Second)
		r, lerr := load.New(load.Config{Addr: srv.Addr, Path: srv.Path("1k.bin"), Connections: 1,
			MaxRequests: 1, Duration: probe, Timeout: probe})
		if lerr == nil {
			res := r.Run(ctx)
			s := res.Summary()
			c.Load = &s
		}
		st := g.Stats()
		g.Close()
		ss := p.finish(c)
		e.stop(srv)
		c.Clients = map[string]clients.Stats{"connect-only": st}
		srvState := func(name string) float64 {
			return maxOf(ss, func(s sample.Sample) float64 { return float64(s.ServerTCP[name]) })
		}
		c.Add("connected", float64(st.Connected), "", false)
		c.Add("SYN_RECV server", srvState("SYN_RECV"), "", true)
		c.Add("ESTABLISHED server", srvState("ESTABLISHED"), "", true)
		c.Add("accepted", maxOf(ss, func(s sample.Sample) float64 {
			return float64(s.ServerTCP["ESTABLISHED"] - max(s.AcceptQueue, 0))
		}), "", true)
		c.Add("busy workers", maxOf(ss, func(s sample.Sample) float64 { return float64(s.Workers.Busy) }), "", true)
		c.Add("ESTABLISHED client", maxOf(ss, func(s sample.Sample) float64 { return float64(s.ClientTCP["ESTABLISHED"]) }), "", false)
		if c.Load != nil {
			c.Add("probe ms", c.Load.MaxMs, "ms", false)
			c.Add("probe errors", float64(c.Load.Errors.Total()+c.Load.Unfinished), "", false)
		}
	}
	return nil
}

// ---- backlog ----

func runBacklog(ctx context.Context, e *env) error {
	const backlog, workers, probes = 8, 4, 40
	dirs := append(poolDirectives(e.engine(), workers),
		"ListenBacklog "+strconv.Itoa(backlog), "AcceptFilter http none",
		"RequestReadTimeout header=0", "KeepAlive Off")
	if e.engine() == "prefork" {
		dirs = append(dirs, "MinSpareServers 1", "MaxSpareServers "+strconv.Itoa(workers))
	}
	srv, err := e.start(ctx, dirs)
	if err != nil {
		return err
	}
	defer e.stop(srv)
	c := e.newCase("backlog "+strconv.Itoa(backlog), dirs)
	p := e.observe(ctx, srv)
	// Slow-header holders keep every worker reading a request that never
	// ends (event admits a few connections more than it has workers, so
	// it gets twice as many).
	hold := workers * 2
	if e.engine() == "event" {
		hold = workers * 4
	}
	holders, err := clients.StartSlowloris(ctx, clients.SlowlorisConfig{
		Target: clients.Target{Addr: srv.Addr, Path: srv.Path("1k.bin")}, N: hold, Interval: 200 * time.Millisecond})
	if err != nil {
		p.finish(c)
		return err
	}
	defer holders.Close()
	waitUntil(ctx, time.Second, func() bool { return holders.Stats().Connected >= int64(hold) })
	sleep(ctx, 100*time.Millisecond)

	// Probes arrive while every worker is busy; the holders leave after
	// holdFor, and the probes are then served from the queue (or after
	// their SYN is retransmitted).
	holdFor := e.quick(3*time.Second, 800*time.Millisecond)
	r, err := load.New(load.Config{Addr: srv.Addr, Path: srv.Path("1k.bin"), Connections: probes,
		MaxRequests: probes, Duration: holdFor + e.quick(5*time.Second, 1500*time.Millisecond), Timeout: holdFor + 4*time.Second,
		Close: load.ServerClose})
	if err != nil {
		p.finish(c)
		return err
	}
	p.runner.Store(r)
	var wg sync.WaitGroup
	var res *load.Result
	wg.Go(func() { res = r.Run(ctx) })
	e.wait(ctx, c, fmt.Sprintf("%d holders, %d probes", hold, probes), holdFor, func() string {
		s := p.s.Last()
		return fmt.Sprintf("queue %d/%d  overflows %d", s.AcceptQueue, s.Backlog, s.ListenOverflows)
	})
	holders.Close()
	e.prog.Begin(fmt.Sprintf("%-13s %-14s %-8s draining", e.sc.name, c.Name, e.target), 4*time.Second, nil)
	wg.Wait()
	e.prog.End("")
	ss := p.finish(c)
	s := res.Summary()
	c.Load = &s
	c.Add("max accept queue", maxOf(ss, func(s sample.Sample) float64 { return float64(s.AcceptQueue) }), "", true)
	c.Add("backlog", lastOf(ss, func(s sample.Sample) float64 { return float64(s.Backlog) }), "", false)
	c.Add("ListenOverflows", lastOf(ss, func(s sample.Sample) float64 { return float64(s.ListenOverflows) }), "", true)
	c.Add("ListenDrops", lastOf(ss, func(s sample.Sample) float64 { return float64(s.ListenDrops) }), "", false)
	c.Add("SYN_SENT client", maxOf(ss, func(s sample.Sample) float64 { return float64(s.ClientTCP["SYN_SENT"]) }), "", false)
	c.Add("probes ok", float64(s.Requests), "", true)
	c.Add("probe errors", float64(s.Errors.Total()+s.Unfinished), "", false)
	c.Add("probe p50", s.P50Ms, "ms", false)
	c.Add("probe max", s.MaxMs, "ms", true)
	c.Add("busy workers", maxOf(ss, func(s sample.Sample) float64 { return float64(s.Workers.Busy) }), "", false)
	return nil
}

// ---- saturation ----

func runSaturation(ctx context.Context, e *env) error {
	const workers = 32
	conns := 4 * workers
	dirs := poolDirectives(e.engine(), workers)
	srv, err := e.start(ctx, dirs)
	if err != nil {
		return err
	}
	defer e.stop(srv)
	rate := e.o.Rate
	if rate == 0 {
		rate = 5000
	}
	for _, open := range []bool{false, true} {
		if ctx.Err() != nil {
			return nil
		}
		name := fmt.Sprintf("closed %dc", conns)
		cfg := load.Config{Addr: srv.Addr, Path: srv.Path("1k.bin"), Connections: conns,
			Duration: e.o.Duration, Timeout: e.o.Duration + time.Second}
		if open {
			name = fmt.Sprintf("open %.0f/s", rate)
			cfg.Rate = rate
		}
		c := e.newCase(name, dirs)
		p := e.observe(ctx, srv)
		_, err := e.runLoad(ctx, p, c, cfg)
		ss := p.finish(c)
		if err != nil {
			return err
		}
		addLoadFigures(c, c.Load, ss)
		c.Add("busy workers", maxOf(ss, func(s sample.Sample) float64 { return float64(s.Workers.Busy) }), "", false)
		c.Add("max accept queue", maxOf(ss, func(s sample.Sample) float64 { return float64(s.AcceptQueue) }), "", true)
		if open {
			c.Add("max schedule lag", c.Load.MaxLagMs, "ms", false)
		}
	}
	return nil
}

// ---- churn ----

func runChurn(ctx context.Context, e *env) error {
	const perChild, conns = 20, 16
	var dirs []string
	children := 8 // several small children, so that one retiring does not stop the server
	switch e.engine() {
	case "prefork":
		children = 2 * conns
		dirs = poolDirectives("prefork", children)
	case "":
		children = 0
	default:
		dirs = []string{"ThreadsPerChild 4", "StartServers 8", "ServerLimit 16", "MaxRequestWorkers 64",
			"MinSpareThreads 16", "MaxSpareThreads 64"}
	}
	dirs = append(dirs, "MaxConnectionsPerChild "+strconv.Itoa(perChild), "MaxKeepAliveRequests 5")
	srv, err := e.start(ctx, dirs)
	if err != nil {
		return err
	}
	defer e.stop(srv)
	c := e.newCase(fmt.Sprintf("%d conns/child", perChild), dirs)
	// The first children may still be starting.
	waitUntil(ctx, 3*time.Second, func() bool { return len(sample.Tree(srv.PID)) > children })
	initial := sample.Tree(srv.PID)
	p := e.observe(ctx, srv)
	// Children can live less than a sampling interval: watch the tree
	// every 20 ms.
	seen := map[int]bool{}
	for _, pid := range initial {
		seen[pid] = true
	}
	var mu sync.Mutex
	watchCtx, stopWatch := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		for watchCtx.Err() == nil {
			pids := sample.Tree(srv.PID)
			mu.Lock()
			for _, pid := range pids {
				seen[pid] = true
			}
			mu.Unlock()
			sleep(watchCtx, 20*time.Millisecond)
		}
	})
	_, err = e.runLoad(ctx, p, c, load.Config{Addr: srv.Addr, Path: srv.Path("1k.bin"), Connections: conns,
		Duration: max(e.o.Duration, e.quick(1500*time.Millisecond, time.Second))})
	stopWatch()
	wg.Wait()
	ss := p.finish(c)
	if err != nil {
		return err
	}
	addLoadFigures(c, c.Load, ss)
	live := map[int]bool{}
	for _, pid := range sample.Tree(srv.PID) {
		live[pid] = true
	}
	mu.Lock()
	started, exited := len(seen)-len(initial), 0
	for pid := range seen {
		if !live[pid] {
			exited++
		}
	}
	mu.Unlock()
	c.Add("children exited", float64(exited), "", true)
	c.Add("children started", float64(started), "", true)
	c.Add("connections", float64(c.Load.Connects), "", false)
	c.Add("retried", float64(c.Load.Retries), "", false)
	return nil
}
