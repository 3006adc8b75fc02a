package main

import (
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
