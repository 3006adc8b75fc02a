package mpm

import (
	"reflect"
	"testing"
)

func TestSplitBuckets(t *testing.T) {
	tests := []struct {
		name string
		in   Limits
		nb   int
		want []Limits
	}{
		{"one bucket", Limits{3, 400, 75, 250, 25}, 1, []Limits{{3, 400, 75, 250, 25}}},
		{"zero buckets", Limits{3, 400, 75, 250, 25}, 0, []Limits{{3, 400, 75, 250, 25}}},
		{"two buckets", Limits{3, 400, 75, 250, 25}, 2, []Limits{{2, 200, 37, 125, 25}, {1, 200, 37, 125, 25}}},
		// 100/20 = 5 children: 2, 2, 1.
		{"three buckets", Limits{4, 100, 75, 250, 20}, 3, []Limits{{2, 40, 25, 83, 20}, {1, 40, 25, 83, 20}, {1, 20, 25, 83, 20}}},
		// Fewer children than buckets: each bucket still gets one.
		{"more buckets than children", Limits{1, 25, 25, 75, 25}, 2, []Limits{{1, 25, 12, 37, 25}, {0, 25, 12, 37, 25}}},
		{"no ThreadsPerChild", Limits{2, 4, 2, 4, 0}, 2, []Limits{{1, 2, 1, 2, 0}, {1, 2, 1, 2, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SplitBuckets(tt.in, tt.nb); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SplitBuckets(%+v, %d) = %+v, want %+v", tt.in, tt.nb, got, tt.want)
			}
		})
	}
}
