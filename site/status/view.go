package status

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/listener"
	"github.com/gohttpd/gohttpd/mpm"
)

// view is everything one status request shows, gathered once so that the
// HTML page, ?auto and ?json agree. It is also the ?json document: its
// field names (the json tags) are stable.
//
//	serverName                    ServerName (or the request's host)
//	serverVersion, serverMPM, serverBuilt
//	currentTime, restartTime      RFC 3339
//	parentServerConfigGeneration  the MPM generation + 1, as Apache counts
//	parentServerMPMGeneration     the scoreboard's running generation
//	serverUptimeSeconds
//	load                          [1, 5, 15 minute load], null if unknown
//	extendedStatus                whether totals and workers are present
//	totals                        ExtendedStatus only: accesses, bytes,
//	                              durationMs, cpu{user, system,
//	                              childrenUser, childrenSystem (seconds),
//	                              load (percent)}, reqPerSec, bytesPerSec,
//	                              bytesPerReq, durationPerReq (ms); a rate
//	                              is 0 when its divisor is
//	busyWorkers, gracefulWorkers, idleWorkers   mod_status's counts
//	processes                     live process slots: slot, pid,
//	                              generation, stopping, oldGeneration,
//	                              accepting, connections, busy, graceful,
//	                              idle, writing, keepAlive, closing (the
//	                              last three, and connections, are event's)
//	async                         event only: processes, stopping,
//	                              connsTotal, connsAsyncWriting,
//	                              connsAsyncKeepAlive, connsAsyncClosing
//	scoreboard                    the board's letters, one per drawn slot
//	workers                       ExtendedStatus only: the rows of
//	                              mod_status's worker table (see workerRow)
//	network                       beyond Apache (see networkView)
type view struct {
	ServerName       string       `json:"serverName"`
	ServerVersion    string       `json:"serverVersion"`
	ServerMPM        string       `json:"serverMPM"`
	ServerBuilt      string       `json:"serverBuilt"`
	CurrentTime      time.Time    `json:"currentTime"`
	RestartTime      time.Time    `json:"restartTime"`
	ConfigGeneration uint64       `json:"parentServerConfigGeneration"`
	MPMGeneration    uint64       `json:"parentServerMPMGeneration"`
	UptimeSeconds    uint32       `json:"serverUptimeSeconds"`
	Load             *[3]float64  `json:"load"`
	ExtendedStatus   bool         `json:"extendedStatus"`
	Totals           *totals      `json:"totals,omitempty"`
	BusyWorkers      int          `json:"busyWorkers"`
	GracefulWorkers  int          `json:"gracefulWorkers"`
	IdleWorkers      int          `json:"idleWorkers"`
	Processes        []processRow `json:"processes"`
	Async            *asyncTotals `json:"async,omitempty"`
	Scoreboard       string       `json:"scoreboard"`
	Workers          []workerRow  `json:"workers,omitempty"`
	Network          networkView  `json:"network"`
	// H2 counts the open HTTP/2 connections and their streams being
	// answered (h2_status.go).
	H2 h2Counts `json:"h2"`

	viaIP string // the local address of the request
	tls   bool   // some server has SSLEngine on: the worker table has SSL columns
	// sums are the totals whatever ExtendedStatus says (for metrics).
	sums totals
	// drawn counts the drawn slots by state (for metrics).
	drawn [numStates]int
	// pidKey lists the drawn, non-dead slots as mod_status's "PID Key"
	// (without ExtendedStatus).
	pidKey []pidState
}

// totals are the ExtendedStatus figures summed over the board.
type totals struct {
	Accesses       uint64  `json:"accesses"`
	Bytes          uint64  `json:"bytes"`
	DurationMs     int64   `json:"durationMs"`
	CPU            cpuView `json:"cpu"`
	ReqPerSec      float64 `json:"reqPerSec"`
	BytesPerSec    float64 `json:"bytesPerSec"`
	BytesPerReq    float64 `json:"bytesPerReq"`
	DurationPerReq float64 `json:"durationPerReq"`

	duration time.Duration // exact sum behind DurationMs
}

// kBytes is Apache's "Total kBytes": whole kibibytes.
func (t *totals) kBytes() uint64 { return t.Bytes / 1024 }

// cpuView is the CPU time of the server's live processes, in seconds, and
// its share of the uptime in percent.
type cpuView struct {
	User           float64 `json:"user"`
	System         float64 `json:"system"`
	ChildrenUser   float64 `json:"childrenUser"`
	ChildrenSystem float64 `json:"childrenSystem"`
	Load           float64 `json:"load"`
	total          float64
}

// processRow is one live process slot (a row of mod_status's async table).
type processRow struct {
	Slot          int    `json:"slot"`
	PID           int    `json:"pid"`
	Generation    uint64 `json:"generation"`
	Stopping      bool   `json:"stopping"`
	OldGeneration bool   `json:"oldGeneration"`
	Accepting     bool   `json:"accepting"`
	Connections   int    `json:"connections"`
	Busy          int    `json:"busy"`
	Graceful      int    `json:"graceful"`
	Idle          int    `json:"idle"`
	Writing       int    `json:"writing"`
	KeepAlive     int    `json:"keepAlive"`
	Closing       int    `json:"closing"`
}

// asyncTotals are the sums of the async table (event only).
type asyncTotals struct {
	Processes           int `json:"processes"`
	Stopping            int `json:"stopping"`
	ConnsTotal          int `json:"connsTotal"`
	ConnsAsyncWriting   int `json:"connsAsyncWriting"`
	ConnsAsyncKeepAlive int `json:"connsAsyncKeepAlive"`
	ConnsAsyncClosing   int `json:"connsAsyncClosing"`
}

// workerRow is one row of mod_status's ExtendedStatus worker table: a slot
// that served a request or is not idle. Srv is "slot-generation"; the
// access counts are this connection / this child / this slot; SS is the
// seconds since the slot was last used; Req the milliseconds of its last
// request; Dur the sum over its requests.
type workerRow struct {
	Srv           string `json:"srv"`
	Slot          int    `json:"slot"`
	Thread        int    `json:"thread"`
	Generation    uint64 `json:"generation"`
	PID           int    `json:"pid"`
	Mode          string `json:"mode"`
	ConnAccesses  uint64 `json:"connAccesses"`
	ChildAccesses uint64 `json:"childAccesses"`
	SlotAccesses  uint64 `json:"slotAccesses"`
	SS            int64  `json:"secondsSinceLastUsed"`
	ReqMs         int64  `json:"lastRequestMs"`
	DurMs         int64  `json:"durationMs"`
	ConnBytes     uint64 `json:"connBytes"`
	ChildBytes    uint64 `json:"childBytes"`
	SlotBytes     uint64 `json:"slotBytes"`
	Client        string `json:"client"`
	Protocol      string `json:"protocol"`
	VHost         string `json:"vhost"`
	Request       string `json:"request"`
	SSLProtocol   string `json:"sslProtocol,omitempty"`
	SSLCipher     string `json:"sslCipher,omitempty"`

	state mpm.State
}

// pidState is one entry of the PID Key.
type pidState struct {
	pid    int
	letter byte
}

// networkView is gohttpd's addition to the page: the server's sockets by
// TCP state, the accept queue of each listener and the kernel's counters.
//
//	ports          the local ports counted: the listeners' and Listen's
//	tcpStates      sockets on those ports by state, all eleven states by
//	               their kernel names (ESTABLISHED ... CLOSING); counted
//	               with netlink sock_diag, /proc/net/tcp{,6} as fallback
//	tcpError       why tcpStates is missing
//	listeners      address, queueLength (ss -lnt Recv-Q), backlog (Send-Q),
//	               error
//	kernel         listenOverflows, listenDrops, syncookiesSent (TcpExt of
//	               /proc/net/netstat, whole network namespace since boot)
//	kernelError    why kernel is missing
type networkView struct {
	Ports       []int           `json:"ports"`
	TCPStates   map[string]int  `json:"tcpStates,omitempty"`
	TCPError    string          `json:"tcpError,omitempty"`
	Listeners   []listenerView  `json:"listeners"`
	Kernel      *kernelCounters `json:"kernel,omitempty"`
	KernelError string          `json:"kernelError,omitempty"`

	tcp   listener.StateCounts
	tcpOK bool
}

// listenerView is one listener's accept queue.
type listenerView struct {
	Address  string `json:"address"`
	QueueLen int    `json:"queueLength"`
	Backlog  int    `json:"backlog"`
	Error    string `json:"error,omitempty"`
}

// kernelCounters are the kernel's listen-queue counters.
type kernelCounters struct {
	ListenOverflows uint64 `json:"listenOverflows"`
	ListenDrops     uint64 `json:"listenDrops"`
	SyncookiesSent  uint64 `json:"syncookiesSent"`
}

// numStates is the number of defined worker states (StateDead ...
// StateIdleKill).
const numStates = int(mpm.StateIdleKill) + 1

// tcpStates lists the eleven TCP states in the kernel's order.
var tcpStates = [...]listener.TCPState{
	listener.StateEstablished, listener.StateSynSent, listener.StateSynRecv,
	listener.StateFinWait1, listener.StateFinWait2, listener.StateTimeWait,
	listener.StateClose, listener.StateCloseWait, listener.StateLastAck,
	listener.StateListen, listener.StateClosing,
}

// limits are the engine's view of the board: which slots are drawn.
type limits struct {
	mpm             string
	async           bool
	maxServers      int // process slots in use (Apache's AP_MPMQ_MAX_DAEMONS)
	threadsPerChild int // worker slots in use per process
}

// limits derives the drawn part of the board from the configuration, as
// mod_status's status_init queries the MPM: prefork uses MaxRequestWorkers
// processes of one worker; worker and event MaxRequestWorkers /
// ThreadsPerChild processes of ThreadsPerChild workers. Missing values
// mean the whole board.
func (s *Status) limits() limits {
	l := limits{mpm: s.cfg.MPM}
	if l.mpm == "" {
		l.mpm = conf.Event
	}
	e := s.cfg.Engine
	sl, tl := s.board.ServerLimit(), s.board.ThreadLimit()
	if l.mpm == conf.Prefork {
		l.threadsPerChild = 1
		l.maxServers = e.MaxRequestWorkers
	} else {
		l.async = l.mpm == conf.Event
		l.threadsPerChild = e.ThreadsPerChild
		if l.threadsPerChild < 1 {
			l.threadsPerChild = tl
		}
		l.maxServers = e.MaxRequestWorkers / l.threadsPerChild
	}
	if l.maxServers < 1 {
		l.maxServers = sl
	}
	return l
}

// gather reads the board, the listeners and the kernel for a status
// request to host via the local address via.
func (s *Status) gather(host, via string) *view {
	v := s.gatherBoard(host, via, true)
	v.Network = s.gatherNetwork()
	return v
}

// gatherBoard reads the board. page adds what only the status page shows
// (load, CPU times, worker rows), not the metrics.
func (s *Status) gatherBoard(host, via string, page bool) *view {
	now := s.now()
	lim := s.limits()
	snap := s.board.Snapshot()
	v := &view{
		ServerName:       host,
		ServerVersion:    s.version,
		ServerMPM:        lim.mpm,
		ServerBuilt:      s.built,
		CurrentTime:      now,
		RestartTime:      snap.RestartTime,
		ConfigGeneration: snap.Generation + 1,
		MPMGeneration:    snap.Generation,
		ExtendedStatus:   s.cfg.Site.ExtendedStatus,
		Processes:        []processRow{},
		viaIP:            via,
		tls:              configHasTLS(s.cfg),
	}
	if v.RestartTime.IsZero() {
		v.RestartTime = s.created
	}
	if up := now.Sub(v.RestartTime) / time.Second; up > 0 {
		v.UptimeSeconds = uint32(min(up, 1<<32-1))
	}
	s.countBoard(v, &snap, lim, now, page)
	if page {
		if load, err := s.loadavg(); err == nil {
			v.Load = &load
		}
		if v.Totals != nil {
			s.addCPU(v)
		}
	}
	return v
}

// countBoard fills the worker counts, the process table, the board letters
// and (with ExtendedStatus) the totals and worker rows from snap, by
// mod_status's rules (2.4.62 status_handler).
func (s *Status) countBoard(v *view, snap *mpm.Snapshot, lim limits, now time.Time, rows bool) {
	var (
		board strings.Builder
		tot   totals
		async asyncTotals
	)
	board.Grow(snap.ServerLimit * snap.ThreadLimit)
	for i, ps := range snap.Processes {
		live := ps.PID != 0
		counting := live && ps.Quiescing == 0
		row := processRow{
			Slot:          i,
			PID:           ps.PID,
			Generation:    ps.Generation,
			Stopping:      ps.Quiescing != 0,
			OldGeneration: ps.Generation != snap.Generation,
			Accepting:     !ps.NotAccepting,
			Connections:   ps.Connections,
			Writing:       ps.WriteCompletion,
			KeepAlive:     ps.KeepAlive,
			Closing:       ps.Lingering,
		}
		for j, ws := range snap.Workers[i] {
			st := ws.State
			drawn := !(st == mpm.StateDead && (i >= lim.maxServers || j >= lim.threadsPerChild))
			if drawn {
				board.WriteByte(st.Letter())
				if int(st) < numStates {
					v.drawn[st]++
				}
				if st != mpm.StateDead {
					v.pidKey = append(v.pidKey, pidState{pid: ps.PID, letter: st.Letter()})
				}
			}
			if counting {
				switch st.Class() {
				case mpm.ClassIdle:
					if ps.Generation == snap.Generation {
						v.IdleWorkers++
					}
					row.Idle++
				case mpm.ClassGraceful:
					v.GracefulWorkers++
					row.Graceful++
				case mpm.ClassBusy:
					v.BusyWorkers++
					row.Busy++
				}
			}
			if ws.AccessCount != 0 || (st != mpm.StateReady && st != mpm.StateDead) {
				tot.Accesses += ws.AccessCount
				tot.Bytes += ws.BytesServed
				tot.duration += ws.Duration
				if rows && v.ExtendedStatus {
					v.Workers = append(v.Workers, newWorkerRow(i, j, ps, ws, now))
				}
			}
		}
		if live {
			v.Processes = append(v.Processes, row)
			async.Processes++
			if row.Stopping {
				async.Stopping++
			}
			async.ConnsTotal += ps.Connections
			async.ConnsAsyncWriting += ps.WriteCompletion
			async.ConnsAsyncKeepAlive += ps.KeepAlive
			async.ConnsAsyncClosing += ps.Lingering
			v.H2.add(ps, &tot)
		}
	}
	v.Scoreboard = board.String()
	tot.DurationMs = tot.duration.Milliseconds()
	v.sums = tot
	if lim.async {
		v.Async = &async
	}
	if v.ExtendedStatus {
		up, kb := float64(v.UptimeSeconds), float64(tot.kBytes())
		if v.UptimeSeconds > 0 {
			tot.ReqPerSec = float64(tot.Accesses) / up
			tot.BytesPerSec = 1024 * kb / up
		}
		if tot.Accesses > 0 {
			n := float64(tot.Accesses)
			tot.BytesPerReq = 1024 * kb / n
			tot.DurationPerReq = float64(tot.DurationMs) / n
		}
		v.Totals = &tot
	}
}

// newWorkerRow builds the worker table row of slot (i, j). As mod_status,
// it takes the pid and generation from the worker slot when the engine set
// them there, else from the process slot.
func newWorkerRow(i, j int, ps mpm.ProcessStatus, ws mpm.WorkerStatus, now time.Time) workerRow {
	pid, gen := ws.PID, ws.Generation
	if pid == 0 {
		pid, gen = ps.PID, ps.Generation
	}
	r := workerRow{
		Slot:          i,
		Thread:        j,
		Generation:    gen,
		PID:           pid,
		Mode:          string(ws.State.Letter()),
		ConnAccesses:  ws.ConnCount,
		ChildAccesses: ws.MyAccessCount,
		SlotAccesses:  ws.AccessCount,
		DurMs:         ws.Duration.Milliseconds(),
		ConnBytes:     ws.ConnBytes,
		ChildBytes:    ws.MyBytesServed,
		SlotBytes:     ws.BytesServed,
		Client:        ws.Client,
		VHost:         ws.VHost,
		Request:       ws.Request,
		state:         ws.State,
	}
	r.SSLProtocol, r.SSLCipher = sslColumns(ws)
	r.Srv = strconv.Itoa(i) + "-" + strconv.FormatUint(gen, 10)
	if ws.State == mpm.StateDead {
		r.PID = 0
	}
	if !ws.LastUsed.IsZero() {
		r.SS = max(int64(now.Sub(ws.LastUsed)/time.Second), 0)
	}
	if !ws.StartTime.IsZero() {
		r.ReqMs = max(ws.StopTime.Sub(ws.StartTime).Milliseconds(), 0)
	}
	if ws.Request != "" {
		// Apache shows the connection's protocol: "http/1.1" for every
		// HTTP/1.x request, "h2" (or "h2c") on HTTP/2.
		r.Protocol = slotProtocol(ws.Request)
	}
	return r
}

// addCPU adds the CPU times of the board's live processes, read from the
// kernel (Apache keeps per-worker times(2) in the scoreboard; gohttpd reads
// /proc/PID/stat of each child instead, so the master's own time is not
// included).
func (s *Status) addCPU(v *view) {
	pids := make([]int, 0, len(v.Processes))
	for _, p := range v.Processes {
		pids = append(pids, p.PID)
	}
	c, err := s.cpuTimes(pids)
	if err != nil {
		return
	}
	cpu := cpuView{
		User:           c.user,
		System:         c.system,
		ChildrenUser:   c.childrenUser,
		ChildrenSystem: c.childrenSystem,
		total:          c.user + c.system + c.childrenUser + c.childrenSystem,
	}
	if cpu.total > 0 && v.UptimeSeconds > 0 {
		cpu.Load = cpu.total / float64(v.UptimeSeconds) * 100
	}
	v.Totals.CPU = cpu
}

// gatherNetwork reads the TCP-state counts, the accept queues and the
// kernel counters. A source that fails leaves its error in the view.
func (s *Status) gatherNetwork() networkView {
	n := networkView{Ports: s.ports(), Listeners: []listenerView{}}
	if len(n.Ports) == 0 {
		n.TCPError = "no listening ports"
	} else if c, err := s.sockets(n.Ports...); err != nil {
		n.TCPError = err.Error()
	} else {
		n.tcp, n.tcpOK = c, true
		n.TCPStates = make(map[string]int, len(tcpStates))
		for _, st := range tcpStates {
			n.TCPStates[st.String()] = c[st]
		}
	}
	for i, name := range s.listenerNames() {
		l := s.listeners[i]
		lv := listenerView{Address: name}
		if st, err := l.Stats(); err != nil {
			lv.Error = err.Error()
		} else {
			lv.QueueLen, lv.Backlog = st.QueueLen, st.Backlog
		}
		n.Listeners = append(n.Listeners, lv)
	}
	if k, err := s.kernel(); err != nil {
		n.KernelError = err.Error()
	} else {
		n.Kernel = &kernelCounters{
			ListenOverflows: k.ListenOverflows,
			ListenDrops:     k.ListenDrops,
			SyncookiesSent:  k.SyncookiesSent,
		}
	}
	return n
}

// listenerNames names each listener by its bound address. With listener
// buckets (ListenCoresBucketsRatio) several sockets share an address;
// each of those gets a "#<bucket>" suffix counting from 0 in the order of
// Options.Listeners ("127.0.0.1:80#0", "127.0.0.1:80#1"), so that every
// name, ?auto key and metric label stays unique.
func (s *Status) listenerNames() []string {
	names := make([]string, len(s.listeners))
	count := make(map[string]int, len(s.listeners))
	for i, l := range s.listeners {
		names[i] = l.Addr().String()
		count[names[i]]++
	}
	seen := make(map[string]int, len(count))
	for i, n := range names {
		if count[n] > 1 {
			names[i] = n + "#" + strconv.Itoa(seen[n])
			seen[n]++
		}
	}
	return names
}

// ports returns the local ports whose sockets are counted: every
// listener's bound port and every non-zero Listen port, sorted, without
// duplicates.
func (s *Status) ports() []int {
	seen := make(map[int]bool)
	var ps []int
	add := func(p int) {
		if p > 0 && p <= 0xffff && !seen[p] {
			seen[p] = true
			ps = append(ps, p)
		}
	}
	for _, l := range s.listeners {
		add(l.Spec().Port)
	}
	for _, l := range s.cfg.Listen {
		add(l.Port)
	}
	slices.Sort(ps)
	return ps
}
