package status

import (
	"bytes"
	"fmt"
	"html"
	"strconv"
	"strings"

	"github.com/gohttpd/gohttpd/mpm"
	"github.com/gohttpd/gohttpd/site/logescape"
)

// statusMaxLine is the number of scoreboard letters per line of the page
// (mod_status's STATUS_MAXLINE).
const statusMaxLine = 64

// Sizes for mod_status's byte formatting.
const (
	kByte = 1024
	mByte = 1048576
	gByte = 1073741824
)

// esc escapes text for HTML (Apache's ap_escape_html: & < > ").
var esc = html.EscapeString

// writeHTML writes the status page in mod_status's layout (2.4.62
// status_handler), gohttpd's network section after the scoreboard key.
// notable selects the table-less rendering of the worker details.
func writeHTML(b *bytes.Buffer, v *view, notable bool) {
	b.WriteString("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n" +
		"<html><head>\n" +
		"<title>gohttpd Status</title>\n" +
		"</head><body>\n" +
		"<h1>gohttpd Server Status for ")
	fmt.Fprintf(b, "%s (via %s)</h1>\n\n", esc(v.ServerName), esc(v.viaIP))
	fmt.Fprintf(b, "<dl><dt>Server Version: %s</dt>\n", esc(v.ServerVersion))
	fmt.Fprintf(b, "<dt>Server MPM: %s</dt>\n", esc(v.ServerMPM))
	fmt.Fprintf(b, "<dt>Server Built: %s\n</dt></dl><hr /><dl>\n", esc(v.ServerBuilt))
	fmt.Fprintf(b, "<dt>Current Time: %s</dt>\n", apacheTime(v.CurrentTime))
	fmt.Fprintf(b, "<dt>Restart Time: %s</dt>\n", apacheTime(v.RestartTime))
	fmt.Fprintf(b, "<dt>Parent Server Config. Generation: %d</dt>\n", v.ConfigGeneration)
	fmt.Fprintf(b, "<dt>Parent Server MPM Generation: %d</dt>\n", v.MPMGeneration)
	fmt.Fprintf(b, "<dt>Server uptime: %s</dt>\n", showTime(v.UptimeSeconds))
	load := v.loadOrUnknown()
	fmt.Fprintf(b, "<dt>Server load: %.2f %.2f %.2f</dt>\n", load[0], load[1], load[2])

	if t := v.Totals; t != nil {
		fmt.Fprintf(b, "<dt>Total accesses: %d - Total Traffic: %s - Total Duration: %d</dt>\n",
			t.Accesses, formatKByte(t.kBytes()), t.DurationMs)
		fmt.Fprintf(b, "<dt>CPU Usage: u%s s%s cu%s cs%s", cFormatG(t.CPU.User), cFormatG(t.CPU.System),
			cFormatG(t.CPU.ChildrenUser), cFormatG(t.CPU.ChildrenSystem))
		if t.CPU.total > 0 && v.UptimeSeconds > 0 {
			fmt.Fprintf(b, " - %s%% CPU load</dt>\n", strconv.FormatFloat(t.CPU.Load, 'g', 3, 64))
		} else {
			b.WriteString("</dt>\n")
		}
		b.WriteString("<dt>")
		if v.UptimeSeconds > 0 {
			fmt.Fprintf(b, "%s requests/sec - %s/second", strconv.FormatFloat(t.ReqPerSec, 'g', 3, 64),
				formatByte(uint64(t.BytesPerSec)))
		}
		if t.Accesses > 0 {
			if v.UptimeSeconds > 0 {
				b.WriteString(" - ")
			}
			fmt.Fprintf(b, "%s/request - %s ms/request", formatByte(uint64(t.BytesPerReq)), cFormatG(t.DurationPerReq))
		}
		b.WriteString("</dt>\n")
	}
	fmt.Fprintf(b, "<dt>%d requests currently being processed, %d workers gracefully restarting, %d idle workers</dt>\n",
		v.BusyWorkers, v.GracefulWorkers, v.IdleWorkers)
	b.WriteString("</dl>")

	if v.Async != nil {
		writeAsyncTable(b, v)
	}

	b.WriteString("<pre>")
	for i := range len(v.Scoreboard) {
		b.WriteByte(v.Scoreboard[i])
		if i%statusMaxLine == statusMaxLine-1 {
			b.WriteByte('\n')
		}
	}
	b.WriteString("</pre>\n" +
		"<p>Scoreboard Key:<br />\n" +
		"\"<b><code>_</code></b>\" Waiting for Connection, \n" +
		"\"<b><code>S</code></b>\" Starting up, \n" +
		"\"<b><code>R</code></b>\" Reading Request,<br />\n" +
		"\"<b><code>W</code></b>\" Sending Reply, \n" +
		"\"<b><code>K</code></b>\" Keepalive (read), \n" +
		"\"<b><code>D</code></b>\" DNS Lookup,<br />\n" +
		"\"<b><code>C</code></b>\" Closing connection, \n" +
		"\"<b><code>L</code></b>\" Logging, \n" +
		"\"<b><code>G</code></b>\" Gracefully finishing,<br /> \n" +
		"\"<b><code>I</code></b>\" Idle cleanup of worker, \n" +
		"\"<b><code>.</code></b>\" Open slot with no current process<br />\n" +
		"</p>\n")
	if !v.ExtendedStatus {
		writePIDKey(b, v.pidKey)
	}

	writeH2(b, &v.H2)
	writeNetwork(b, &v.Network, notable)

	if v.ExtendedStatus {
		writeWorkers(b, v.Workers, notable, v.tls)
	} else {
		b.WriteString("<hr />To obtain a full report with current status information " +
			"you need to use the <code>ExtendedStatus On</code> directive.\n")
	}
	b.WriteString("</body></html>\n")
}

// writeAsyncTable writes event's per-process table with its Sum row.
func writeAsyncTable(b *bytes.Buffer, v *view) {
	b.WriteString("\n\n<table rules=\"all\" cellpadding=\"1%\">\n" +
		"<tr><th rowspan=\"2\">Slot</th>" +
		"<th rowspan=\"2\">PID</th>" +
		"<th rowspan=\"2\">Stopping</th>" +
		"<th colspan=\"2\">Connections</th>\n" +
		"<th colspan=\"3\">Threads</th>" +
		"<th colspan=\"3\">Async connections</th></tr>\n" +
		"<tr><th>total</th><th>accepting</th>" +
		"<th>busy</th><th>graceful</th><th>idle</th>" +
		"<th>writing</th><th>keep-alive</th><th>closing</th></tr>\n")
	yesNo := func(yes bool) string {
		if yes {
			return "yes"
		}
		return "no"
	}
	for _, p := range v.Processes {
		old := ""
		if p.OldGeneration {
			old = " (old gen)"
		}
		fmt.Fprintf(b, "<tr><td>%d</td><td>%d</td><td>%s%s</td><td>%d</td><td>%s</td>"+
			"<td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>\n",
			p.Slot, p.PID, yesNo(p.Stopping), old, p.Connections, yesNo(p.Accepting),
			p.Busy, p.Graceful, p.Idle, p.Writing, p.KeepAlive, p.Closing)
	}
	a := v.Async
	fmt.Fprintf(b, "<tr><td>Sum</td><td>%d</td><td>%d</td><td>%d</td><td>&nbsp;</td>"+
		"<td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>\n</table>\n",
		a.Processes, a.Stopping, a.ConnsTotal, v.BusyWorkers, v.GracefulWorkers, v.IdleWorkers,
		a.ConnsAsyncWriting, a.ConnsAsyncKeepAlive, a.ConnsAsyncClosing)
}

// writePIDKey writes mod_status's "PID Key" (shown without ExtendedStatus):
// the pid and letter of every drawn slot that is not open, three a line.
func writePIDKey(b *bytes.Buffer, key []pidState) {
	b.WriteString("PID Key: <br />\n<pre>\n")
	k := 0
	for _, p := range key {
		fmt.Fprintf(b, "   %d in state: %c ", p.pid, p.letter)
		if k++; k >= 3 {
			b.WriteByte('\n')
			k = 0
		} else {
			b.WriteByte(',')
		}
	}
	b.WriteString("\n</pre>\n")
}

// writeNetwork writes gohttpd's section: sockets by TCP state, accept
// queues and kernel counters (as tables, or as lists when notable).
func writeNetwork(b *bytes.Buffer, n *networkView, notable bool) {
	ports := make([]string, len(n.Ports))
	for i, p := range n.Ports {
		ports[i] = strconv.Itoa(p)
	}
	b.WriteString("<hr /><h2>TCP sockets</h2>\n")
	fmt.Fprintf(b, "<p>The server's sockets (local port %s) by TCP state, from netlink sock_diag (or /proc/net/tcp):</p>\n",
		esc(strings.Join(ports, ", ")))
	switch {
	case !n.tcpOK:
		fmt.Fprintf(b, "<p>Unavailable: %s</p>\n", esc(n.TCPError))
	case notable:
		b.WriteString("<dl>\n")
		for _, st := range tcpStates {
			fmt.Fprintf(b, "<dt>%s: %d</dt>\n", st, n.tcp[st])
		}
		b.WriteString("</dl>\n")
	default:
		b.WriteString("<table rules=\"all\" cellpadding=\"1%\">\n<tr>")
		for _, st := range tcpStates {
			fmt.Fprintf(b, "<th>%s</th>", st)
		}
		b.WriteString("</tr>\n<tr>")
		for _, st := range tcpStates {
			fmt.Fprintf(b, "<td>%d</td>", n.tcp[st])
		}
		b.WriteString("</tr>\n</table>\n")
	}

	b.WriteString("<h2>Accept queues</h2>\n")
	if notable {
		b.WriteString("<dl>\n")
	} else {
		b.WriteString("<table rules=\"all\" cellpadding=\"1%\">\n" +
			"<tr><th>Listener</th><th>Queue (Recv-Q)</th><th>Backlog (Send-Q)</th></tr>\n")
	}
	for _, l := range n.Listeners {
		switch {
		case notable && l.Error != "":
			fmt.Fprintf(b, "<dt>%s: unavailable: %s</dt>\n", esc(l.Address), esc(l.Error))
		case notable:
			fmt.Fprintf(b, "<dt>%s: %d/%d</dt>\n", esc(l.Address), l.QueueLen, l.Backlog)
		case l.Error != "":
			fmt.Fprintf(b, "<tr><td>%s</td><td colspan=\"2\">unavailable: %s</td></tr>\n", esc(l.Address), esc(l.Error))
		default:
			fmt.Fprintf(b, "<tr><td>%s</td><td>%d</td><td>%d</td></tr>\n", esc(l.Address), l.QueueLen, l.Backlog)
		}
	}
	if notable {
		b.WriteString("</dl>\n")
	} else {
		b.WriteString("</table>\n")
	}

	b.WriteString("<h2>Kernel listen counters</h2>\n<p>TcpExt of /proc/net/netstat: the whole network namespace, since boot.</p>\n")
	if k := n.Kernel; k != nil {
		fmt.Fprintf(b, "<dl><dt>ListenOverflows: %d</dt>\n<dt>ListenDrops: %d</dt>\n<dt>SyncookiesSent: %d</dt></dl>\n",
			k.ListenOverflows, k.ListenDrops, k.SyncookiesSent)
	} else {
		fmt.Fprintf(b, "<p>Unavailable: %s</p>\n", esc(n.KernelError))
	}
}

// writeWorkers writes the ExtendedStatus worker details: mod_status's
// table, or its "Server Details" list when notable. Everything a client
// supplied (client address, vhost, request line) is escaped: the request
// as Apache's ap_escape_logitem, then everything for HTML.
func writeWorkers(b *bytes.Buffer, rows []workerRow, notable, tls bool) {
	if notable {
		b.WriteString("<hr /><h2>Server Details</h2>\n\n")
	} else {
		b.WriteString("\n\n<table border=\"0\"><tr>" +
			"<th>Srv</th><th>PID</th><th>Acc</th><th>M</th>" +
			"<th>SS</th><th>Req</th><th>Dur</th>" +
			"<th>Conn</th><th>Child</th><th>Slot</th>" +
			"<th>Client</th><th>Protocol</th><th>VHost</th>" +
			"<th>Request</th>" + sslHeads(tls) + "</tr>\n\n")
	}
	for _, r := range rows {
		pid := "-"
		if r.state != mpm.StateDead {
			pid = strconv.Itoa(r.PID)
		}
		request := esc(escapeLogItem(r.Request))
		if notable {
			fmt.Fprintf(b, "<b>Server %d-%d</b> (%s): %d|%d|%d [%s] \n %d %d %d(",
				r.Slot, r.Generation, pid, r.ConnAccesses, r.ChildAccesses, r.SlotAccesses,
				notableMode(r.state), r.SS, r.ReqMs, r.DurMs)
			fmt.Fprintf(b, "%s|%s|%s)\n", formatByte(r.ConnBytes), formatByte(r.ChildBytes), formatByte(r.SlotBytes))
			fmt.Fprintf(b, " <i>%s {%s}</i> <i>(%s)</i> <b>[%s]</b><br />\n\n",
				esc(r.Client), request, esc(r.Protocol), esc(r.VHost))
			writeSSLNotable(b, r)
			continue
		}
		fmt.Fprintf(b, "<tr><td><b>%d-%d</b></td><td>%s</td><td>%d/%d/%d</td><td>%s\n</td>",
			r.Slot, r.Generation, pid, r.ConnAccesses, r.ChildAccesses, r.SlotAccesses, tableMode(r.state))
		fmt.Fprintf(b, "<td>%d</td><td>%d</td><td>%d", r.SS, r.ReqMs, r.DurMs)
		fmt.Fprintf(b, "</td><td>%-1.1f</td><td>%-2.2f</td><td>%-2.2f\n",
			float64(r.ConnBytes)/kByte, float64(r.ChildBytes)/mByte, float64(r.SlotBytes)/mByte)
		fmt.Fprintf(b, "</td><td>%s</td><td>%s</td><td nowrap>%s</td><td nowrap>%s</td>%s</tr>\n\n",
			esc(r.Client), esc(r.Protocol), esc(r.VHost), request, sslCells(r, tls))
	}
	if notable {
		return
	}
	b.WriteString("</table>\n <hr /> <table>\n" +
		" <tr><th>Srv</th><td>Child Server number - generation</td></tr>\n" +
		" <tr><th>PID</th><td>OS process ID</td></tr>\n" +
		" <tr><th>Acc</th><td>Number of accesses this connection / this child / this slot</td></tr>\n" +
		" <tr><th>M</th><td>Mode of operation</td></tr>\n" +
		"<tr><th>SS</th><td>Seconds since beginning of most recent request</td></tr>\n" +
		" <tr><th>Req</th><td>Milliseconds required to process most recent request</td></tr>\n" +
		" <tr><th>Dur</th><td>Sum of milliseconds required to process all requests</td></tr>\n" +
		" <tr><th>Conn</th><td>Kilobytes transferred this connection</td></tr>\n" +
		" <tr><th>Child</th><td>Megabytes transferred this child</td></tr>\n" +
		" <tr><th>Slot</th><td>Total megabytes transferred this slot</td></tr>\n" +
		sslKey(tls) +
		" </table>\n")
}

// tableMode is the M column of the worker table: busy states in bold.
func tableMode(st mpm.State) string {
	switch st {
	case mpm.StateReady, mpm.StateDead, mpm.StateGraceful, mpm.StateIdleKill:
		return string(st.Letter())
	case mpm.StateStarting, mpm.StateBusyRead, mpm.StateBusyWrite, mpm.StateBusyKeepAlive,
		mpm.StateBusyLog, mpm.StateBusyDNS, mpm.StateClosing:
		return "<b>" + string(st.Letter()) + "</b>"
	}
	return "?"
}

// notableMode is the state word of the "Server Details" list.
func notableMode(st mpm.State) string {
	switch st {
	case mpm.StateReady, mpm.StateStarting, mpm.StateDead, mpm.StateGraceful, mpm.StateIdleKill:
		return st.String()
	case mpm.StateBusyRead, mpm.StateBusyWrite, mpm.StateBusyKeepAlive,
		mpm.StateBusyLog, mpm.StateBusyDNS, mpm.StateClosing:
		return "<b>" + st.String() + "</b>"
	}
	return "?STATE?"
}

// formatByte is mod_status's format_byte_out.
func formatByte(n uint64) string {
	switch {
	case n < 5*kByte:
		return strconv.FormatUint(n, 10) + " B"
	case n < mByte/2:
		return fmt.Sprintf("%.1f kB", float32(n)/kByte)
	case n < gByte/2:
		return fmt.Sprintf("%.1f MB", float32(n)/mByte)
	}
	return fmt.Sprintf("%.1f GB", float32(n)/gByte)
}

// formatKByte is mod_status's format_kbyte_out.
func formatKByte(kb uint64) string {
	switch {
	case kb < kByte:
		return strconv.FormatUint(kb, 10) + " kB"
	case kb < mByte:
		return fmt.Sprintf("%.1f MB", float32(kb)/kByte)
	}
	return fmt.Sprintf("%.1f GB", float32(kb)/mByte)
}

// escapeLogItem escapes a string as Apache's ap_escape_logitem.
func escapeLogItem(s string) string { return logescape.String(s) }
