package mpm

import "testing"

func TestStateLetters(t *testing.T) {
	tests := []struct {
		state  State
		letter byte
		name   string
		desc   string
	}{
		{StateDead, '.', "Dead", "Open slot with no current process"},
		{StateStarting, 'S', "Starting", "Starting up"},
		{StateReady, '_', "Ready", "Waiting for Connection"},
		{StateBusyRead, 'R', "Read", "Reading Request"},
		{StateBusyWrite, 'W', "Write", "Sending Reply"},
		{StateBusyKeepAlive, 'K', "Keepalive", "Keepalive (read)"},
		{StateBusyLog, 'L', "Logging", "Logging"},
		{StateBusyDNS, 'D', "DNS lookup", "DNS Lookup"},
		{StateClosing, 'C', "Closing", "Closing connection"},
		{StateGraceful, 'G', "Graceful", "Gracefully finishing"},
		{StateIdleKill, 'I', "Dying", "Idle cleanup of worker"},
		{State(11), '?', "State(11)", ""},
		{State(1 << 31), '?', "State(2147483648)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.state.Letter(); got != tt.letter {
				t.Errorf("State(%d).Letter() = %q, want %q", uint32(tt.state), got, tt.letter)
			}
			if got := tt.state.String(); got != tt.name {
				t.Errorf("State(%d).String() = %q, want %q", uint32(tt.state), got, tt.name)
			}
			if got := tt.state.Description(); got != tt.desc {
				t.Errorf("State(%d).Description() = %q, want %q", uint32(tt.state), got, tt.desc)
			}
		})
	}
}

// TestStateValues pins the numbers to Apache's SERVER_* values in
// include/scoreboard.h: they are part of the shared-memory format.
func TestStateValues(t *testing.T) {
	tests := []struct {
		name  string
		state State
		want  uint32
	}{
		{"SERVER_DEAD", StateDead, 0},
		{"SERVER_STARTING", StateStarting, 1},
		{"SERVER_READY", StateReady, 2},
		{"SERVER_BUSY_READ", StateBusyRead, 3},
		{"SERVER_BUSY_WRITE", StateBusyWrite, 4},
		{"SERVER_BUSY_KEEPALIVE", StateBusyKeepAlive, 5},
		{"SERVER_BUSY_LOG", StateBusyLog, 6},
		{"SERVER_BUSY_DNS", StateBusyDNS, 7},
		{"SERVER_CLOSING", StateClosing, 8},
		{"SERVER_GRACEFUL", StateGraceful, 9},
		{"SERVER_IDLE_KILL", StateIdleKill, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if uint32(tt.state) != tt.want {
				t.Errorf("%s = %d, want %d", tt.state, uint32(tt.state), tt.want)
			}
		})
	}
}

// TestStateClass: mod_status's counting rules, state by state.
func TestStateClass(t *testing.T) {
	want := map[State]Class{
		StateDead: ClassNone, StateStarting: ClassNone, StateReady: ClassIdle,
		StateBusyRead: ClassBusy, StateBusyWrite: ClassBusy, StateBusyKeepAlive: ClassBusy,
		StateBusyLog: ClassBusy, StateBusyDNS: ClassBusy, StateClosing: ClassBusy,
		StateGraceful: ClassGraceful, StateIdleKill: ClassNone, State(11): ClassNone,
	}
	for st, w := range want {
		if got := st.Class(); got != w {
			t.Errorf("%v.Class() = %d, want %d", st, got, w)
		}
	}
}
