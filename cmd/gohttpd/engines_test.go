package main

import (
	"log/slog"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
)

// TestEventConfig: the event engine's settings reach its Config.
func TestEventConfig(t *testing.T) {
	tests := []struct {
		name    string
		post    []string
		oneShot bool
		factor  float64
	}{
		{"defaults", nil, false, 2},
		{"one-shot", []string{"EpollTrigger OneShot"}, true, 2},
		{"edge", []string{"EpollTrigger edge", "AsyncRequestWorkerFactor 400"}, false, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := conf.Load(conf.Options{Post: append([]string{"MPM event"}, tt.post...), SkipDocumentRootCheck: true})
			if err != nil {
				t.Fatal(err)
			}
			ec := eventConfig(cfg)
			if ec.OneShot != tt.oneShot || ec.AsyncRequestWorkerFactor != tt.factor {
				t.Errorf("eventConfig = OneShot %v, factor %g; want %v, %g", ec.OneShot, ec.AsyncRequestWorkerFactor, tt.oneShot, tt.factor)
			}
		})
	}
}

// TestPoliciesFor: with listener buckets, worker and event get one policy
// per bucket with its share of StartServers and of the children
// MaxRequestWorkers allows; prefork keeps one policy over all children.
func TestPoliciesFor(t *testing.T) {
	tests := []struct {
		name       string
		post       []string
		nb         int
		start, max []int // per policy
	}{
		{"event, one bucket", []string{"MPM event"}, 1, []int{3}, []int{16}},
		{"event, two buckets", []string{"MPM event"}, 2, []int{2, 1}, []int{8, 8}},
		{"worker, three buckets", []string{"MPM worker", "StartServers 4", "MaxRequestWorkers 100", "ThreadsPerChild 20"}, 3, []int{2, 1, 1}, []int{2, 2, 1}},
		{"prefork, two buckets", []string{"MPM prefork"}, 2, []int{5}, []int{256}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := conf.Load(conf.Options{Post: tt.post, SkipDocumentRootCheck: true})
			if err != nil {
				t.Fatal(err)
			}
			ps := policiesFor(cfg, tt.nb, slog.New(slog.DiscardHandler))
			if len(ps) != len(tt.start) {
				t.Fatalf("%d policies, want %d", len(ps), len(tt.start))
			}
			for i, p := range ps {
				if p.StartChildren() != tt.start[i] || p.MaxChildren() != tt.max[i] {
					t.Errorf("policy %d: StartChildren %d, MaxChildren %d; want %d, %d", i, p.StartChildren(), p.MaxChildren(), tt.start[i], tt.max[i])
				}
			}
		})
	}
}
