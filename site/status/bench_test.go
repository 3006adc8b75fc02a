package status

import (
	"bytes"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/mpm"
)

// benchStatus is a Status over event's default board (ServerLimit 16 ×
// ThreadLimit 64, 400 workers drawn), every live worker busy with a
// request, and fixed network sources.
func benchStatus(b *testing.B) *Status {
	board := newBoard(b, 16, 64)
	board.SetRestartTime(restart)
	for i := range 16 {
		setProcess(board, i, 5000+i, 0, 0)
		for j := range 25 {
			w := board.Worker(i, j)
			w.BeginRequest(now, "192.0.2.1", "www.example.com:80", "GET /index.html HTTP/1.1")
			w.EndRequest(now, 1000)
			w.SetState(mpm.StateBusyWrite)
		}
	}
	cfg := &conf.Config{
		MPM:    conf.Event,
		Engine: conf.MPMConfig{ThreadsPerChild: 25, MaxRequestWorkers: 400},
		Site:   conf.SiteConfig{ServerName: "www.example.com", ExtendedStatus: true},
	}
	return newTestStatus(board, cfg)
}

func BenchmarkAuto(b *testing.B) {
	s := benchStatus(b)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		writeAuto(&buf, s.gather("www.example.com", "127.0.0.1"))
	}
}

func BenchmarkHTML(b *testing.B) {
	s := benchStatus(b)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		writeHTML(&buf, s.gather("www.example.com", "127.0.0.1"), false)
	}
}
