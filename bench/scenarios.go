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
	"github.com/gohttpd/gohttpd/bench/target"
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
	// tls: it measures the server's HTTPS listener (https.go).
	tls bool
	// h2: it speaks HTTP/2, over TLS and h2c (h2.go).
	h2 bool
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
	{name: "https", about: "TLS: keep-alive throughput, full and resumed handshakes per second (server CPU per handshake), memory per idle TLS connection",
		external: true, tls: true, run: runHTTPS},
	{name: "h2", about: "HTTP/2 over TLS and h2c: streams per connection (1x1, 1x10, 1x100), connections against streams at 100 in flight (100x1, 10x10, 1x100), a stream stalled on flow control beside others (prefork answers none), memory per idle h2 connection beside HTTP/1.1's",
		external: true, tls: true, h2: true, run: runH2},
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
		res, err := e.runLoad(ctx, p, c, load.Config{
			Addr: srv.Addr, Path: srv.Path("1k.bin"), Connections: e.o.Connections,
			Duration: e.o.Duration, Close: mode, SourceAddrs: sourceAddrs(4),
			MaxRequests: int64(e.quickN(10000, 2000)), RecordConns: true,
		})
		if all, err := listener.CountLocal(); err == nil {
			if limit := twBuckets(); limit > 0 && all[listener.StateTimeWait] >= limit*9/10 {
				c.Notes = append(c.Notes, fmt.Sprintf("this machine holds %d TIME_WAIT sockets, near net.ipv4.tcp_max_tw_buckets %d: the kernel stops keeping new ones",
					all[listener.StateTimeWait], limit))
			}
		}
		// The case's own TIME_WAIT sockets, by 4-tuple, right after the
		// load (they last 60 s).
		var own sample.TimeWait
		var twErr error
		if res != nil {
			own, twErr = sample.CountTimeWait(srv.Port, res.LocalAddrs)
		}
		ss := p.finish(c)
		e.stop(srv)
		if err != nil {
			return err
		}
		addCloseFigures(c, mode, ss, own, twErr)
	}
	return nil
}

// timeWaitAccounting is how the close scenario counts TIME_WAIT.
const timeWaitAccounting = "TIME_WAIT server/client: only the case's own sockets, matched by 4-tuple (the load " +
	"generator's client address:port of every connection) in /proc/net/tcp right after the load; sockets that " +
	"earlier cases left on the same port are not counted (\"on port\" figures in bench.json count them all)"

// addCloseFigures adds the close scenario's figures: the case's own
// TIME_WAIT sockets on each side, and, as details, every TIME_WAIT socket
// seen on the server's port during the case.
func addCloseFigures(c *report.Case, mode load.CloseMode, ss []sample.Sample, own sample.TimeWait, twErr error) {
	addLoadFigures(c, c.Load, ss)
	tw := func(side func(sample.Sample) sample.TCP) float64 {
		return maxOf(ss, func(s sample.Sample) float64 { return float64(side(s)["TIME_WAIT"]) })
	}
	known := twErr == nil
	if !known {
		c.Notes = append(c.Notes, "TIME_WAIT of the case's connections unknown: "+twErr.Error())
	}
	c.AddMaybe("TIME_WAIT server", float64(own.Server), known, "", true)
	c.AddMaybe("TIME_WAIT client", float64(own.Client), known, "", true)
	c.Add("TIME_WAIT server on port", tw(func(s sample.Sample) sample.TCP { return s.ServerTCP }), "", false)
	c.Add("TIME_WAIT client on port", tw(func(s sample.Sample) sample.TCP { return s.ClientTCP }), "", false)
	c.Add("connections", float64(c.Load.Connects), "", false)
	c.TimeWait = timeWaitAccounting
	if !known {
		return
	}
	side, want, got := "server", "server", own.Server
	if own.Client > own.Server {
		side = "client"
	}
	if mode == load.ClientClose {
		want, got = "client", own.Client
	}
	c.Notes = append(c.Notes, fmt.Sprintf("%s: TIME_WAIT accumulated on the %s side (%d server, %d client, of %d connections)",
		mode, side, own.Server, own.Client, c.Load.Connects))
	c.Expect(got > 0 && side == want, "TIME_WAIT on the "+want+" side, which closes first",
		fmt.Sprintf("%d server, %d client", own.Server, own.Client))
}

// ---- idle-pressure ----

func runIdlePressure(ctx context.Context, e *env) error {
	var dirs []string
	if e.ext == nil {
		dirs = []string{"KeepAliveTimeout 60", "MaxKeepAliveRequests 0"}
		if e.o.Quick && e.engine() != "" {
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
	// Rounds of the same active load without, then with the idle
	// connections, so the case says how much throughput they cost; on a
	// shared machine one pair of runs is not a figure, the median of the
	// rounds' ratios is. Each run also measures the server's CPU time per
	// request (a cost the load generator's own limits do not hide) and the
	// load generator's CPU. The memory ramp is taken in the first round.
	var without, with []runCost
	var st clients.Stats
	var failed int64 // failed requests of every round, with and without idle
	measure := func(into *[]runCost) error {
		srv0, cli0, t0 := sample.TreeCPU(srv.PID), sample.SelfCPU(), time.Now()
		r, err := e.runLoad(ctx, p, c, active)
		if err != nil {
			return err
		}
		srv1, cli1, el := sample.TreeCPU(srv.PID), sample.SelfCPU(), time.Since(t0).Seconds()
		failed += r.Errors.Total()
		rc := runCost{rps: r.RPS(), client: 100 * (cli1 - cli0) / el}
		if srv.PID > 0 && r.Requests > 0 {
			rc.serverUs = (srv1 - srv0) * 1e6 / float64(r.Requests)
		}
		*into = append(*into, rc)
		return nil
	}
	for round := 1; round <= e.o.Rounds && ctx.Err() == nil; round++ {
		err := measure(&without)
		if err == nil {
			st, err = e.idleRound(ctx, p, c, srv, round == 1, func() error { return measure(&with) })
		}
		if err != nil {
			p.finish(c)
			return err
		}
	}
	ss := p.finish(c)
	c.Clients = map[string]clients.Stats{"idle": st}
	addLoadFigures(c, c.Load, ss)
	if n := min(len(without), len(with)); n > 0 {
		kept, grew := make([]float64, n), make([]float64, 0, n)
		for i := range n {
			if without[i].rps > 0 {
				kept[i] = with[i].rps / without[i].rps
			}
			// Only rounds that served requests both ways say what a
			// request costs.
			if without[i].serverUs > 0 && with[i].serverUs > 0 {
				grew = append(grew, with[i].serverUs/without[i].serverUs-1)
			}
		}
		c.Add("req/s without idle", median(field(without, func(r runCost) float64 { return r.rps })), "", false)
		c.Add("throughput kept", 100*median(kept), "%", true)
		if n > 1 {
			c.Add("kept min", 100*slices.Min(kept), "%", false)
			c.Add("kept max", 100*slices.Max(kept), "%", false)
			c.Add("errors in all rounds", float64(failed), "", false)
		}
		if len(grew) > 0 {
			c.Add("server CPU/req without idle", median(positive(field(without, func(r runCost) float64 { return r.serverUs }))), "µs", false)
			c.Add("server CPU/req with idle", median(positive(field(with, func(r runCost) float64 { return r.serverUs }))), "µs", false)
			c.Add("server CPU/req growth", 100*median(grew), "%", true)
		}
		cli := median(field(with, func(r runCost) float64 { return r.client }))
		c.Add("load generator CPU", cli, "%", false)
		if cli >= 90 {
			c.Notes = append(c.Notes, fmt.Sprintf("the load generator used %.0f%% of a CPU with the idle connections open: "+
				"throughput then measures the client as much as the server; the server's CPU per request does not", cli))
		}
	}
	c.Add("idle answered", float64(st.Answered), "", true)
	c.Add("idle open", float64(st.Open), "", false)
	c.Expect(st.Open >= int64(e.o.Idle)*9/10, fmt.Sprintf("%d idle connections held open beside the load", e.o.Idle),
		fmt.Sprintf("%d open at the end", st.Open))
	addMax(c, ss, "busy workers", busy, "", true)
	addMax(c, ss, "keep-alive workers", keepAliveWorkers, "", false)
	addMax(c, ss, "accept queue", acceptQueue, "", false)
	addMax(c, ss, "server processes", processes, "", false)
	if n := len(c.Ramp); n > 1 {
		if base, last := c.Ramp[0], c.Ramp[n-1]; last.Idle > 0 && base.RSS >= 0 {
			c.Add("RSS per idle conn", float64(last.RSS-base.RSS)/float64(last.Idle)/1024, "KB", true)
			c.Add("PSS per idle conn", float64(last.PSS-base.PSS)/float64(last.Idle)/1024, "KB", false)
			if more := last.Processes - base.Processes; more > 0 {
				c.Add("processes added by the ramp", float64(more), "", false)
				c.Notes = append(c.Notes, fmt.Sprintf("the server started %d more processes to hold the idle connections "+
					"(a worker per connection, or for event the AsyncRequestWorkerFactor limit per child); "+
					"the memory per idle connection includes them", more))
			}
		} else {
			c.AddUnknown("RSS per idle conn", "KB", true)
		}
	}
	return nil
}

// idleRound opens idle-pressure's idle connections (with the memory ramp
// if ramp is set), runs the active load beside them (run), and closes them
// again. It returns what the idle clients saw.
func (e *env) idleRound(ctx context.Context, p *probe, c *report.Case, srv *target.Server, ramp bool, run func() error) (clients.Stats, error) {
	idle, err := clients.StartIdle(ctx, clients.IdleConfig{
		Target: clients.Target{Addr: srv.Addr, Path: srv.Path("1k.bin"), SourceAddrs: sourceAddrs(8)},
		Exe:    e.o.Exe,
	})
	if err != nil {
		return clients.Stats{}, err
	}
	pids := idle.PIDs
	p.extra.Store(&pids)
	defer func() {
		idle.Close()
		p.extra.Store(nil)
	}()
	settle := e.quick(2*time.Second, 250*time.Millisecond)
	steps := 1
	if ramp {
		// Memory with 0, N/4, N/2, 3N/4 and N idle connections.
		steps = 4
		base := p.s.Take()
		c.Ramp = append(c.Ramp, report.RampPoint{RSS: base.RSS, PSS: base.PSS, Busy: base.Workers.Busy, Processes: base.Processes})
	}
	added := 0
	for step := 1; step <= steps && ctx.Err() == nil; step++ {
		n := e.o.Idle*step/steps - added
		if err := idle.Grow(n); err != nil {
			return idle.Stats(), err
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
		if ramp {
			s := p.s.Take()
			st := idle.Stats()
			c.Ramp = append(c.Ramp, report.RampPoint{Idle: int(st.Answered), Open: int(st.Open), RSS: s.RSS, PSS: s.PSS, Busy: s.Workers.Busy, Processes: s.Processes})
		}
	}
	// Active clients beside the idle ones; a request stuck behind them
	// times out.
	err = run()
	return idle.Stats(), err
}

// runCost is what one idle-pressure load run measured: requests/s, the
// server's CPU microseconds per request and the load generator's CPU
// (percent of one CPU).
type runCost struct {
	rps, serverUs, client float64
}

// positive returns the values of xs above 0.
func positive(xs []float64) []float64 {
	out := xs[:0:0]
	for _, x := range xs {
		if x > 0 {
			out = append(out, x)
		}
	}
	return out
}

// field returns f of each run.
func field(rs []runCost, f func(runCost) float64) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = f(r)
	}
	return out
}

// median returns the median of xs (the mean of the middle two for an even
// count, 0 for none); xs is sorted in place.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
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
		if e.fixed() && cs.name == "reqtimeout" {
			continue // the external server's own setting is "no-timeout"'s
		}
		dirs := append(slices.Clone(pool), cs.dirs...)
		if e.fixed() {
			dirs = nil
		}
		srv, err := e.start(ctx, dirs)
		if err != nil {
			return err
		}
		name := cs.name
		if e.fixed() && name == "no-timeout" {
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
		addMax(c, ss, "busy workers", busy, "", true)
		if cs.kind == "slow-read" {
			c.Add("slow MB read", float64(st.Bytes)/1e6, "MB", false)
		}
		c.Expect(st.Connected >= slow, fmt.Sprintf("%d slow clients connected", slow),
			fmt.Sprintf("%d connected", st.Connected))
		if cs.name == "reqtimeout" && c.Premise.Reached {
			c.Expect(st.ServerClosed > 0, "RequestReadTimeout dropped slow senders", "the server dropped none during the run")
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
		addMax(c, ss, "busy workers", busy, "", true)
		c.Add("ESTABLISHED client", maxOf(ss, func(s sample.Sample) float64 { return float64(s.ClientTCP["ESTABLISHED"]) }), "", false)
		if filter == "data" {
			held := srvState("SYN_RECV")
			c.Expect(held >= float64(n)*9/10, fmt.Sprintf("%d connect-only clients held in SYN_RECV by TCP_DEFER_ACCEPT", n),
				fmt.Sprintf("at most %.0f in SYN_RECV", held))
		} else {
			c.Expect(st.Connected >= int64(n)*9/10, fmt.Sprintf("%d connect-only clients connected", n),
				fmt.Sprintf("%d connected", st.Connected))
		}
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
	addMax(c, ss, "max accept queue", acceptQueue, "", true)
	c.Add("backlog", lastOf(ss, func(s sample.Sample) float64 { return float64(s.Backlog) }), "", false)
	c.Add("ListenOverflows", lastOf(ss, func(s sample.Sample) float64 { return float64(s.ListenOverflows) }), "", true)
	c.Add("ListenDrops", lastOf(ss, func(s sample.Sample) float64 { return float64(s.ListenDrops) }), "", false)
	c.Add("SYN_SENT client", maxOf(ss, func(s sample.Sample) float64 { return float64(s.ClientTCP["SYN_SENT"]) }), "", false)
	c.Add("probes ok", float64(s.Requests), "", true)
	c.Add("probe errors", float64(s.Errors.Total()+s.Unfinished), "", false)
	c.Add("probe p50", s.P50Ms, "ms", false)
	c.Add("probe max", s.MaxMs, "ms", true)
	addMax(c, ss, "busy workers", busy, "", false)
	q, _ := maxKnown(ss, acceptQueue)
	c.Expect(q >= backlog, fmt.Sprintf("accept queue filled to the backlog (%d)", backlog),
		fmt.Sprintf("it held at most %.0f", q))
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
		addMax(c, ss, "busy workers", busy, "", false)
		addMax(c, ss, "max accept queue", acceptQueue, "", true)
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
		children = e.quickN(2*conns, conns)
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
		Duration: max(e.o.Duration, e.quick(1500*time.Millisecond, 2*time.Second))})
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
	c.Expect(exited > 0, "children recycled by MaxConnectionsPerChild",
		fmt.Sprintf("no child exited in %.1fs; run longer than --duration %s", c.Load.ElapsedSec, e.o.Duration))
	c.Add("children started", float64(started), "", true)
	c.Add("connections", float64(c.Load.Connects), "", false)
	c.Add("retried", float64(c.Load.Retries), "", false)
	return nil
}
