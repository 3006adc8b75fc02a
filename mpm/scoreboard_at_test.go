package mpm

import (
	"testing"
	"time"
)

// TestWorkerSetStateAt: entering Ready or Dead with a given time stamps
// LastUsed with it and resets the per-connection counters, as SetState
// does with the clock; other states only change the state.
func TestWorkerSetStateAt(t *testing.T) {
	base := time.Unix(1700000000, 0)
	tests := []struct {
		st       State
		lastUsed time.Time // want
		conn     uint64    // want ConnCount
	}{
		{StateReady, base.Add(time.Hour), 0},
		{StateDead, base.Add(time.Hour), 0},
		{StateBusyKeepAlive, base.Add(time.Second), 1},
	}
	for _, tt := range tests {
		t.Run(tt.st.String(), func(t *testing.T) {
			s := newTestBoard(t, 1, 1)
			w := s.Worker(0, 0)
			w.BeginRequest(base, "127.0.0.1", "v:80", "GET / HTTP/1.1")
			w.EndRequest(base.Add(time.Second), 10)
			w.SetStateAt(tt.st, base.Add(time.Hour))
			got := w.Snapshot()
			if got.State != tt.st || !got.LastUsed.Equal(tt.lastUsed) || got.ConnCount != tt.conn {
				t.Errorf("after SetStateAt(%v): state %v, LastUsed %v, ConnCount %d; want %v, %v, %d",
					tt.st, got.State, got.LastUsed, got.ConnCount, tt.st, tt.lastUsed, tt.conn)
			}
		})
	}
}
