package load

import (
	"crypto/tls"
	"net/netip"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Result is what one run measured.
type Result struct {
	// Config is the run's configuration, defaults filled in.
	Config Config
	// Elapsed is the run's wall-clock time.
	Elapsed time.Duration
	// Requests counts responses with the expected status; Bytes counts
	// every response byte (heads and bodies).
	Requests, Bytes int64
	// Connects counts connections opened; Retries counts requests sent
	// again after a kept-alive connection closed before answering.
	Connects, Retries int64
	// TLS is the state of the first TLS connection of the run (nil on
	// plain HTTP); Resumed counts the TLS connections that resumed a
	// session.
	TLS     *tls.ConnectionState
	Resumed int64
	// LocalAddrs are the local addresses of the connections opened, when
	// Config.RecordConns is set.
	LocalAddrs []netip.AddrPort
	// Unfinished counts requests still in flight when the run ended.
	Unfinished int64
	// Errors counts failed requests by kind.
	Errors Errors
	// MaxLag is the open loop's largest delay of a send behind its
	// schedule (0 for a closed loop).
	MaxLag time.Duration
	// Latency holds every response's latency in microseconds (from the
	// intended send time in an open loop).
	Latency *hdrhistogram.Histogram
}

// RPS is the rate of successful responses per second.
func (r *Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Quantile returns the latency at quantile q (0-100).
func (r *Result) Quantile(q float64) time.Duration {
	if r.Latency.TotalCount() == 0 {
		return 0
	}
	return time.Duration(r.Latency.ValueAtQuantile(q)) * time.Microsecond
}

// Summary is a Result in plain numbers, for reports and JSON.
type Summary struct {
	Mode        string  `json:"mode"` // "closed" or "open"
	Close       string  `json:"close"`
	Connections int     `json:"connections"`
	Pipeline    int     `json:"pipeline"`
	TargetRate  float64 `json:"targetRate,omitempty"`
	Path        string  `json:"path"`
	ElapsedSec  float64 `json:"elapsedSeconds"`
	Requests    int64   `json:"requests"`
	RPS         float64 `json:"rps"`
	MBps        float64 `json:"mbPerSecond"`
	Connects    int64   `json:"connects"`
	Retries     int64   `json:"retries"`
	Unfinished  int64   `json:"unfinished"`
	Errors      Errors  `json:"errors"`
	MaxLagMs    float64 `json:"maxScheduleLagMs,omitempty"`
	// Latency figures in milliseconds.
	MeanMs float64 `json:"meanMs"`
	P50Ms  float64 `json:"p50Ms"`
	P90Ms  float64 `json:"p90Ms"`
	P99Ms  float64 `json:"p99Ms"`
	P999Ms float64 `json:"p999Ms"`
	MaxMs  float64 `json:"maxMs"`
	// Distribution is the latency at a fixed ladder of percentiles, for
	// HdrHistogram-style plots.
	Distribution []Point `json:"distribution"`
}

// Point is one step of a latency distribution.
type Point struct {
	Percentile float64 `json:"percentile"`
	Ms         float64 `json:"ms"`
}

// distributionLadder are the percentiles Summary reports, HdrHistogram's
// "nines" ladder.
var distributionLadder = []float64{0, 10, 20, 30, 40, 50, 55, 60, 65, 70, 75, 80, 85, 90, 92.5, 95,
	96.25, 97.5, 98.4375, 99, 99.5, 99.75, 99.9, 99.95, 99.99, 99.999, 100}

// Summary condenses r.
func (r *Result) Summary() Summary {
	ms := func(us int64) float64 { return float64(us) / 1000 }
	s := Summary{
		Mode:        "closed",
		Close:       r.Config.Close.String(),
		Connections: r.Config.Connections,
		Pipeline:    r.Config.Pipeline,
		Path:        r.Config.Path,
		ElapsedSec:  r.Elapsed.Seconds(),
		Requests:    r.Requests,
		RPS:         r.RPS(),
		Connects:    r.Connects,
		Retries:     r.Retries,
		Unfinished:  r.Unfinished,
		Errors:      r.Errors,
	}
	if r.Config.Rate > 0 {
		s.Mode = "open"
		s.TargetRate = r.Config.Rate
		s.MaxLagMs = float64(r.MaxLag) / float64(time.Millisecond)
	}
	if r.Elapsed > 0 {
		s.MBps = float64(r.Bytes) / r.Elapsed.Seconds() / 1e6
	}
	h := r.Latency
	if h.TotalCount() == 0 {
		return s
	}
	s.MeanMs = h.Mean() / 1000
	s.P50Ms = ms(h.ValueAtQuantile(50))
	s.P90Ms = ms(h.ValueAtQuantile(90))
	s.P99Ms = ms(h.ValueAtQuantile(99))
	s.P999Ms = ms(h.ValueAtQuantile(99.9))
	s.MaxMs = ms(h.Max())
	for _, q := range distributionLadder {
		s.Distribution = append(s.Distribution, Point{Percentile: q, Ms: ms(h.ValueAtQuantile(q))})
	}
	return s
}
