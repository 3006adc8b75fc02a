package sample

import (
	"context"
	"sync"
	"time"

	"github.com/gohttpd/gohttpd/listener"
)

// Sample is one observation. Counts that could not be read are -1.
type Sample struct {
	// T is the time since the sampler started, in seconds.
	T float64 `json:"t"`
	// RSS and PSS are summed over the server's process tree, in bytes;
	// Processes counts the tree's processes.
	RSS       int64 `json:"rss"`
	PSS       int64 `json:"pss"`
	Processes int   `json:"processes"`
	// Workers are the server's workers by state.
	Workers Workers `json:"workers"`
	// ServerTCP and ClientTCP count the server port's sockets by TCP
	// state: those whose local port is the server's, and those whose
	// remote port is (the clients').
	ServerTCP TCP `json:"serverTCP"`
	ClientTCP TCP `json:"clientTCP"`
	// TCPT is when ServerTCP and ClientTCP were read (seconds since the
	// start, as T): earlier than T when the periodic sampler skipped the
	// socket dumps to stay within its CPU budget (see socketBudget).
	TCPT float64 `json:"tcpT"`
	// AcceptQueue is the listener's accept-queue length now and Backlog
	// its limit (the queue holds at most Backlog+1).
	AcceptQueue int `json:"acceptQueue"`
	Backlog     int `json:"backlog"`
	// ListenOverflows, ListenDrops and SyncookiesSent are the kernel's
	// counters less their values when the sampler started.
	ListenOverflows uint64 `json:"listenOverflows"`
	ListenDrops     uint64 `json:"listenDrops"`
	SyncookiesSent  uint64 `json:"syncookiesSent"`
	// ServerCPU and ClientCPU are the CPU time used since the previous
	// sample, in percent of one CPU.
	ServerCPU float64 `json:"serverCPU"`
	ClientCPU float64 `json:"clientCPU"`
	// Requests and Failed are the load generator's counters.
	Requests int64 `json:"requests"`
	Failed   int64 `json:"failed"`
}

// Workers counts a server's workers by state.
type Workers struct {
	// Source is "scoreboard", "status" or "" (unknown).
	Source string `json:"source,omitempty"`
	// Busy counts workers in any state but ready, starting, dead and idle
	// kill (as mod_status's BusyWorkers); Idle counts ready ones.
	Busy int `json:"busy"`
	Idle int `json:"idle"`
	// States maps mod_status's scoreboard letters to counts.
	States map[string]int `json:"states,omitempty"`
	// Conns and KeepAlive are the event engine's open connections and
	// those in keep-alive wait (-1 when unknown).
	Conns     int `json:"conns"`
	KeepAlive int `json:"keepAlive"`
}

// TCP counts sockets by TCP state name ("ESTABLISHED", "TIME_WAIT", ...);
// states with no socket are left out.
type TCP map[string]int

func tcpOf(c listener.StateCounts) TCP {
	t := TCP{}
	for st := listener.StateEstablished; st <= listener.StateClosing; st++ {
		if c[st] > 0 {
			t[st.String()] = c[st]
		}
	}
	return t
}

// Config says what to sample.
type Config struct {
	// ServerPID is the root of the server's process tree (0: no memory or
	// server CPU figures).
	ServerPID int
	// Port is the server's listening port.
	Port int
	// StatusURL is the server's /server-status?auto URL ("": none).
	StatusURL string
	// Scoreboard asks to read gohttpd's scoreboard directly (found among
	// ServerPID's open files) instead of asking StatusURL, which would
	// add a connection to what is measured.
	Scoreboard bool
	// Interval between samples (default 250 ms).
	Interval time.Duration
	// Load returns the load generator's counters (optional).
	Load func() (requests, failed int64)
	// ClientPIDs returns helper client processes whose CPU counts on the
	// client side, besides this process (optional).
	ClientPIDs func() []int
}

// Sampler takes samples until stopped.
type Sampler struct {
	cfg    Config
	start  time.Time
	base   listener.Counters
	baseOK bool
	board  *board
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex // guards the fields below
	samples []Sample
	pids    map[int]bool
	errs    map[string]string
	cpu     cpuMark
	// nextDump is when a periodic sample may dump sockets again.
	nextDump time.Time
}

// socketBudget is the share of one CPU the periodic sampler may spend
// dumping sockets by state. A dump walks every TCP socket of the machine
// (about 36 ms for both sides with 10,000 idle connections open), on the
// load generator's CPU: sampled four times a second it took 15% of the
// throughput idle-pressure measures. Periodic samples therefore skip the
// dumps until the last one's cost fits the budget, and carry the last
// counts forward (TCPT says when they were read); Take always dumps, and
// so does every sample while the last dump saw at most budgetFrom sockets
// (a few hundred cost well under a millisecond, and scenarios such as
// defer-accept compare the counts with the accept queue of the same
// sample).
const (
	socketBudget = 0.01
	budgetFrom   = 2000
)

// cpuMark is the CPU time of each side at the previous sample.
type cpuMark struct {
	at             time.Time
	server, client float64 // seconds
}

// Start takes a first sample and then one every Interval, until Stop.
func Start(ctx context.Context, cfg Config) *Sampler {
	if cfg.Interval <= 0 {
		cfg.Interval = 250 * time.Millisecond
	}
	s := &Sampler{cfg: cfg, start: time.Now(), pids: map[int]bool{}, errs: map[string]string{}}
	if c, err := listener.KernelCounters(); err == nil {
		s.base, s.baseOK = c, true
	} else {
		s.noteErr("kernel counters", err)
	}
	if cfg.Scoreboard && cfg.ServerPID > 0 {
		b, err := openBoard(cfg.ServerPID)
		if err != nil {
			s.noteErr("scoreboard", err)
		}
		s.board = b
	}
	s.cpu = cpuMark{at: time.Now(), server: s.serverCPU(), client: s.clientCPU()}
	ctx, s.cancel = context.WithCancel(ctx)
	s.Take()
	s.wg.Go(func() {
		t := time.NewTicker(cfg.Interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				s.take(true)
			}
		}
	})
	return s
}

// Stop ends sampling, takes a last sample and returns them all.
func (s *Sampler) Stop() []Sample {
	s.cancel()
	s.wg.Wait()
	s.Take()
	if s.board != nil {
		s.board.close()
		s.board = nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.samples
}

// Last returns the latest sample (the zero Sample before the first).
func (s *Sampler) Last() Sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.samples) == 0 {
		return Sample{}
	}
	return s.samples[len(s.samples)-1]
}

// PIDs returns every server pid seen so far (to count recycled children).
func (s *Sampler) PIDs() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]int, 0, len(s.pids))
	for p := range s.pids {
		out = append(out, p)
	}
	return out
}

// Errors returns the first error of each source that failed, by source.
func (s *Sampler) Errors() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.errs))
	for k, v := range s.errs {
		out[k] = v
	}
	return out
}

func (s *Sampler) noteErr(source string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.errs[source]; !ok {
		s.errs[source] = err.Error()
	}
}

// Take takes one sample now, records it and returns it. It is safe to
// call while the sampler runs.
func (s *Sampler) Take() Sample { return s.take(false) }

// take takes a sample; budgeted (the periodic sampler) skips the socket
// dumps while the last one's cost exceeds socketBudget.
func (s *Sampler) take(budgeted bool) Sample {
	// CPU first, next to the time stamp it is divided by.
	now := time.Now()
	srv, cli := s.serverCPU(), s.clientCPU()
	sm := Sample{T: now.Sub(s.start).Seconds(), RSS: -1, PSS: -1, AcceptQueue: -1, Backlog: -1}
	if s.cfg.ServerPID > 0 {
		pids := Tree(s.cfg.ServerPID)
		sm.Processes = len(pids)
		if m, err := Memory(pids); err == nil {
			sm.RSS, sm.PSS = m.RSS, m.PSS
		} else {
			s.noteErr("memory", err)
		}
		s.mu.Lock()
		for _, p := range pids {
			s.pids[p] = true
		}
		s.mu.Unlock()
	}
	sm.Workers = s.workers()
	s.mu.Lock()
	dump := !budgeted || !now.Before(s.nextDump) || len(s.samples) == 0
	if !dump {
		last := s.samples[len(s.samples)-1]
		sm.ServerTCP, sm.ClientTCP, sm.TCPT = last.ServerTCP, last.ClientTCP, last.TCPT
	}
	s.mu.Unlock()
	if dump {
		t0 := time.Now()
		sm.TCPT = t0.Sub(s.start).Seconds()
		if c, err := listener.CountLocal(s.cfg.Port); err == nil {
			sm.ServerTCP = tcpOf(c)
		} else {
			s.noteErr("server sockets", err)
		}
		if c, err := listener.CountRemote(s.cfg.Port); err == nil {
			sm.ClientTCP = tcpOf(c)
		} else {
			s.noteErr("client sockets", err)
		}
		cost := time.Since(t0)
		s.mu.Lock()
		s.nextDump = time.Time{}
		if total(sm.ServerTCP)+total(sm.ClientTCP) > budgetFrom {
			s.nextDump = t0.Add(time.Duration(float64(cost) / socketBudget))
		}
		s.mu.Unlock()
	}
	if q, b, err := listener.ListenQueue(s.cfg.Port); err == nil {
		sm.AcceptQueue, sm.Backlog = q, b
	} else {
		s.noteErr("accept queue", err)
	}
	if s.baseOK {
		if c, err := listener.KernelCounters(); err == nil {
			sm.ListenOverflows = c.ListenOverflows - s.base.ListenOverflows
			sm.ListenDrops = c.ListenDrops - s.base.ListenDrops
			sm.SyncookiesSent = c.SyncookiesSent - s.base.SyncookiesSent
		}
	}
	if s.cfg.Load != nil {
		sm.Requests, sm.Failed = s.cfg.Load()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if dt := now.Sub(s.cpu.at).Seconds(); dt > 0.01 {
		sm.ServerCPU = max(0, (srv-s.cpu.server)/dt*100)
		sm.ClientCPU = max(0, (cli-s.cpu.client)/dt*100)
		s.cpu = cpuMark{at: now, server: srv, client: cli}
	}
	s.samples = append(s.samples, sm)
	return sm
}

// total is the number of sockets in t.
func total(t TCP) int {
	n := 0
	for _, v := range t {
		n += v
	}
	return n
}

// workers reads the workers by state from the scoreboard or the status
// page.
func (s *Sampler) workers() Workers {
	if s.board != nil {
		return s.board.count()
	}
	if s.cfg.StatusURL == "" {
		return Workers{Busy: -1, Idle: -1, Conns: -1, KeepAlive: -1}
	}
	w, err := FetchStatus(s.cfg.StatusURL, 300*time.Millisecond)
	if err != nil {
		s.noteErr("status", err)
		return Workers{Busy: -1, Idle: -1, Conns: -1, KeepAlive: -1}
	}
	return w
}

// serverCPU is the server tree's CPU seconds, including reaped children.
func (s *Sampler) serverCPU() float64 {
	if s.cfg.ServerPID <= 0 {
		return 0
	}
	return TreeCPU(s.cfg.ServerPID)
}

// clientCPU is this process's CPU seconds plus its helpers'.
func (s *Sampler) clientCPU() float64 {
	t := SelfCPU()
	if s.cfg.ClientPIDs != nil {
		for _, p := range s.cfg.ClientPIDs() {
			t += ProcCPU(p)
		}
	}
	return t
}
