package status

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// writeAuto writes the ?auto report: Apache 2.4.62's keys in Apache's
// order, with 2.4.58's GracefulWorkers and without 2.4.63's
// ConnsAsyncWaitIO, one "Key: value" line each after the server name line:
//
//	<ServerName>
//	ServerVersion, ServerMPM, Server Built, CurrentTime, RestartTime,
//	ParentServerConfigGeneration, ParentServerMPMGeneration,
//	ServerUptimeSeconds, ServerUptime, Load1, Load5, Load15,
//	with ExtendedStatus: Total Accesses, Total kBytes, Total Duration,
//	    CPUUser, CPUSystem, CPUChildrenUser, CPUChildrenSystem,
//	    CPULoad (if any CPU time), Uptime, ReqPerSec and BytesPerSec (if
//	    the uptime is not zero), BytesPerReq and DurationPerReq (if there
//	    were accesses),
//	BusyWorkers, GracefulWorkers, IdleWorkers,
//	for event only: Processes, Stopping, ConnsTotal, ConnsAsyncWriting,
//	    ConnsAsyncKeepAlive, ConnsAsyncClosing,
//	Scoreboard.
//
// After Apache's keys (where Apache's status hooks, such as mod_ssl's,
// add theirs) come gohttpd's own, each left out when its source failed:
//
//	TCPEstablished, TCPSynSent, TCPSynRecv, TCPFinWait1, TCPFinWait2,
//	TCPTimeWait, TCPClose, TCPCloseWait, TCPLastAck, TCPListen, TCPClosing:
//	    the server's sockets (local port one of the listeners' ports) in
//	    each TCP state, in the kernel's order;
//	ListenQueue_<address>: <queue length>/<backlog>, for each listener,
//	    where <address> is the bound address as Go prints it
//	    ("127.0.0.1:80", "[::]:80"; with listener buckets, sockets that
//	    share an address are told apart as "127.0.0.1:80#0", "#1", ...),
//	    as ss -lnt shows Recv-Q/Send-Q;
//	ListenOverflows, ListenDrops, SyncookiesSent: the kernel's TcpExt
//	    counters for the network namespace.
//
// Split a line at its first ": " (Apache's "Server Built" holds a space;
// a ListenQueue key holds colons but never ": ").
func writeAuto(b *bytes.Buffer, v *view) {
	line := func(key, val string) {
		b.WriteString(key)
		b.WriteString(": ")
		b.WriteString(val)
		b.WriteByte('\n')
	}
	itoa := strconv.Itoa
	b.WriteString(v.ServerName)
	b.WriteByte('\n')
	line("ServerVersion", v.ServerVersion)
	line("ServerMPM", v.ServerMPM)
	line("Server Built", v.ServerBuilt)
	line("CurrentTime", apacheTime(v.CurrentTime))
	line("RestartTime", apacheTime(v.RestartTime))
	line("ParentServerConfigGeneration", strconv.FormatUint(v.ConfigGeneration, 10))
	line("ParentServerMPMGeneration", strconv.FormatUint(v.MPMGeneration, 10))
	line("ServerUptimeSeconds", strconv.FormatUint(uint64(v.UptimeSeconds), 10))
	b.WriteString("ServerUptime:" + showTime(v.UptimeSeconds) + "\n")
	load := v.loadOrUnknown()
	line("Load1", fmt.Sprintf("%.2f", load[0]))
	line("Load5", fmt.Sprintf("%.2f", load[1]))
	line("Load15", fmt.Sprintf("%.2f", load[2]))
	if t := v.Totals; t != nil {
		line("Total Accesses", strconv.FormatUint(t.Accesses, 10))
		line("Total kBytes", strconv.FormatUint(t.kBytes(), 10))
		line("Total Duration", strconv.FormatInt(t.DurationMs, 10))
		line("CPUUser", cFormatG(t.CPU.User))
		line("CPUSystem", cFormatG(t.CPU.System))
		line("CPUChildrenUser", cFormatG(t.CPU.ChildrenUser))
		line("CPUChildrenSystem", cFormatG(t.CPU.ChildrenSystem))
		if t.CPU.total > 0 && v.UptimeSeconds > 0 {
			line("CPULoad", cFormatG(t.CPU.Load))
		}
		line("Uptime", strconv.FormatUint(uint64(v.UptimeSeconds), 10))
		if v.UptimeSeconds > 0 {
			line("ReqPerSec", cFormatG(t.ReqPerSec))
			line("BytesPerSec", cFormatG(t.BytesPerSec))
		}
		if t.Accesses > 0 {
			line("BytesPerReq", cFormatG(t.BytesPerReq))
			line("DurationPerReq", cFormatG(t.DurationPerReq))
		}
	}
	line("BusyWorkers", itoa(v.BusyWorkers))
	line("GracefulWorkers", itoa(v.GracefulWorkers))
	line("IdleWorkers", itoa(v.IdleWorkers))
	if a := v.Async; a != nil {
		line("Processes", itoa(a.Processes))
		line("Stopping", itoa(a.Stopping))
		line("ConnsTotal", itoa(a.ConnsTotal))
		line("ConnsAsyncWriting", itoa(a.ConnsAsyncWriting))
		line("ConnsAsyncKeepAlive", itoa(a.ConnsAsyncKeepAlive))
		line("ConnsAsyncClosing", itoa(a.ConnsAsyncClosing))
	}
	line("Scoreboard", v.Scoreboard)
	if v.H2.Connections > 0 || v.H2.Streams > 0 {
		line("H2Connections", itoa(v.H2.Connections))
		line("H2Streams", itoa(v.H2.Streams))
	}

	n := &v.Network
	if n.tcpOK {
		for _, st := range tcpStates {
			line(tcpKey(st.String()), itoa(n.tcp[st]))
		}
	}
	for _, l := range n.Listeners {
		if l.Error == "" {
			line("ListenQueue_"+l.Address, itoa(l.QueueLen)+"/"+itoa(l.Backlog))
		}
	}
	if k := n.Kernel; k != nil {
		line("ListenOverflows", strconv.FormatUint(k.ListenOverflows, 10))
		line("ListenDrops", strconv.FormatUint(k.ListenDrops, 10))
		line("SyncookiesSent", strconv.FormatUint(k.SyncookiesSent, 10))
	}
}

// tcpKey turns a kernel state name into its ?auto key: "TIME_WAIT" →
// "TCPTimeWait", "FIN_WAIT1" → "TCPFinWait1".
func tcpKey(name string) string {
	var b strings.Builder
	b.WriteString("TCP")
	for part := range strings.SplitSeq(name, "_") {
		if part == "" {
			continue
		}
		b.WriteString(part[:1])
		b.WriteString(strings.ToLower(part[1:]))
	}
	return b.String()
}

// loadOrUnknown returns the load averages, or -1 for each when they could
// not be read (as Apache's ap_get_loadavg leaves them).
func (v *view) loadOrUnknown() [3]float64 {
	if v.Load == nil {
		return [3]float64{-1, -1, -1}
	}
	return *v.Load
}

// apacheTimeLayout is mod_status's DEFAULT_TIME_FORMAT,
// "%A, %d-%b-%Y %H:%M:%S %Z".
const apacheTimeLayout = "Monday, 02-Jan-2006 15:04:05 MST"

// apacheTime formats t in local time, as mod_status does.
func apacheTime(t time.Time) string { return t.Local().Format(apacheTimeLayout) }

// showTime renders an uptime as mod_status's show_time: " N day(s) N
// hour(s) N minute(s) N second(s)", each part with a leading space and
// left out when zero ("" for 0).
func showTime(secs uint32) string {
	var b strings.Builder
	part := func(n uint32, unit string) {
		if n == 0 {
			return
		}
		fmt.Fprintf(&b, " %d %s", n, unit)
		if n != 1 {
			b.WriteByte('s')
		}
	}
	part(secs/86400, "day")
	part(secs/3600%24, "hour")
	part(secs/60%60, "minute")
	part(secs%60, "second")
	return b.String()
}

// cFormatG formats f as C's printf("%g"): six significant digits, trailing
// zeros removed, exponent form for very small or large values.
func cFormatG(f float64) string {
	return strconv.FormatFloat(f, 'g', 6, 64)
}
