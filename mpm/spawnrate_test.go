package mpm

import "testing"

func TestSpawnRate(t *testing.T) {
	tests := []struct {
		name    string
		doubles int
		reset   bool
		want    int
		busy    bool
	}{
		{"zero value", 0, false, 1, false},
		{"once", 1, false, 2, false},
		{"three times", 3, false, 8, true},
		{"capped at MAX_SPAWN_RATE", 10, false, 32, true},
		{"reset", 4, true, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r SpawnRate
			for range tt.doubles {
				r.Double()
			}
			if tt.reset {
				r.Reset()
			}
			if got := r.Rate(); got != tt.want {
				t.Errorf("Rate() = %d, want %d", got, tt.want)
			}
			if got := r.Busy(); got != tt.busy {
				t.Errorf("Busy() = %t, want %t", got, tt.busy)
			}
		})
	}
}
