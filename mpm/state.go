package mpm

import "strconv"

// State is a worker's state: Apache's SERVER_* values (include/scoreboard.h)
// with the same numbers, shown by mod_status as one letter each.
type State uint32

// Worker states, in Apache's numeric order. D (BusyDNS) and I (IdleKill) are
// never set by Apache's Unix MPMs; they exist so the board reads like
// Apache's.
const (
	StateDead          State = iota // '.' open slot with no current process
	StateStarting                   // 'S' starting up
	StateReady                      // '_' waiting for a connection
	StateBusyRead                   // 'R' reading a request
	StateBusyWrite                  // 'W' sending the reply (event: write completion)
	StateBusyKeepAlive              // 'K' keep-alive wait for the next request
	StateBusyLog                    // 'L' logging
	StateBusyDNS                    // 'D' DNS lookup
	StateClosing                    // 'C' closing the connection (lingering close)
	StateGraceful                   // 'G' finishing after a graceful restart or stop
	StateIdleKill                   // 'I' idle cleanup of the worker
)

// numStates is the number of defined states; StateCounts has one entry each.
const numStates = int(StateIdleKill) + 1

var stateInfo = [numStates]struct {
	letter byte
	name   string // mod_status "notable" report wording
	desc   string // mod_status scoreboard key wording
}{
	StateDead:          {'.', "Dead", "Open slot with no current process"},
	StateStarting:      {'S', "Starting", "Starting up"},
	StateReady:         {'_', "Ready", "Waiting for Connection"},
	StateBusyRead:      {'R', "Read", "Reading Request"},
	StateBusyWrite:     {'W', "Write", "Sending Reply"},
	StateBusyKeepAlive: {'K', "Keepalive", "Keepalive (read)"},
	StateBusyLog:       {'L', "Logging", "Logging"},
	StateBusyDNS:       {'D', "DNS lookup", "DNS Lookup"},
	StateClosing:       {'C', "Closing", "Closing connection"},
	StateGraceful:      {'G', "Graceful", "Gracefully finishing"},
	StateIdleKill:      {'I', "Dying", "Idle cleanup of worker"},
}

// Letter returns the state's mod_status scoreboard letter ('_', 'S', 'R',
// 'W', 'K', 'L', 'D', 'C', 'G', 'I' or '.'), or '?' for an undefined value.
func (s State) Letter() byte {
	if int(s) >= numStates {
		return '?'
	}
	return stateInfo[s].letter
}

// String returns the state's name as mod_status's plain ("notable") report
// prints it, such as "Ready" or "Keepalive", or "State(N)" for an undefined
// value.
func (s State) String() string {
	if int(s) >= numStates {
		return "State(" + strconv.FormatUint(uint64(s), 10) + ")"
	}
	return stateInfo[s].name
}

// Description returns the state's text in mod_status's scoreboard key, such
// as "Waiting for Connection" for StateReady, or "" for an undefined value.
func (s State) Description() string {
	if int(s) >= numStates {
		return ""
	}
	return stateInfo[s].desc
}

// Class is how mod_status counts a worker of a live, non-quiescing process
// by its state (status_handler): IdleWorkers, BusyWorkers or
// GracefulWorkers, or not at all. It is the one copy of that rule: the
// scoreboard's Counts, the status page and bench's sampler use it.
type Class uint8

const (
	ClassNone     Class = iota // Dead, Starting, IdleKill (and undefined values): not counted
	ClassIdle                  // Ready (IdleWorkers counts only the running generation's)
	ClassBusy                  // every other state (BusyWorkers)
	ClassGraceful              // Graceful (GracefulWorkers)
)

// Class returns how mod_status counts a worker in state s.
func (s State) Class() Class {
	switch {
	case s == StateReady:
		return ClassIdle
	case s == StateGraceful:
		return ClassGraceful
	case s == StateDead, s == StateStarting, s == StateIdleKill, int(s) >= numStates:
		return ClassNone
	}
	return ClassBusy
}
