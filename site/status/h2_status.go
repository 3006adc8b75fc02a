package status

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/gohttpd/gohttpd/mpm"
)

// HTTP/2 on the status page. The engines count open HTTP/2 connections and
// the streams being answered in each process slot (mpm/h2.go); the page
// sums them (?auto: H2Connections, H2Streams, only while there are some;
// HTML: one line above the network tables; JSON: "h2"). A worker slot
// serving an HTTP/2 connection (prefork, worker) shows "h2" in the
// Protocol column, as Apache's mod_status; the event engine's HTTP/2
// connections hold no worker slot, so they appear in the counts only, and
// their requests are added to Total Accesses.

// h2Counts are the HTTP/2 figures of the live processes.
type h2Counts struct {
	Connections int `json:"connections"`
	Streams     int `json:"streams"`
}

func (h *h2Counts) add(ps mpm.ProcessStatus, tot *totals) {
	h.Connections += ps.H2Conns
	h.Streams += ps.H2Streams
	tot.Accesses += uint64(max(ps.H2Requests, 0))
}

// slotProtocol is the Protocol column of a worker slot whose last request
// line is req.
func slotProtocol(req string) string {
	if strings.HasSuffix(req, " HTTP/2.0") {
		return "h2"
	}
	return "http/1.1"
}

// writeH2 writes the HTTP/2 line of the HTML page (nothing when no
// HTTP/2 connection is open).
func writeH2(b *bytes.Buffer, h *h2Counts) {
	if h.Connections == 0 && h.Streams == 0 {
		return
	}
	fmt.Fprintf(b, "<p>HTTP/2: %d connections, %d streams being answered</p>\n", h.Connections, h.Streams)
}
