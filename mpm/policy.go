package mpm

// A Policy is an engine's master-side half: how many children to run and
// when to add or retire one, decided from the scoreboard. The master calls
// it from its single supervising goroutine, so a Policy may keep state
// (Apache's idle_spawn_rate) without locking.
type Policy interface {
	// StartChildren is how many children to start with (StartServers,
	// capped at MaxChildren).
	StartChildren() int
	// MaxChildren is how many children of the current generation may be
	// active at once (Apache's daemons_limit).
	MaxChildren() int
	// ThreadsPerChild is how many worker slots each child uses.
	ThreadsPerChild() int
	// Maintain runs at most once a second, after a second in which no
	// child exited (Apache's perform_idle_server_maintenance). It returns
	// how many children to spawn and, if one should retire, which.
	Maintain(v View) Decision
}

// View is what a maintenance pass sees.
type View struct {
	Board      *Scoreboard
	Generation uint64
	// Children are the live children by slot, of every generation.
	Children []ChildInfo
	// FreeSlots are the process slots without a live child, lowest first.
	FreeSlots []int
}

// ChildInfo describes one live child.
type ChildInfo struct {
	Slot       int
	PID        int
	Generation uint64
	// Ready is set once the child reported readiness.
	Ready bool
	// Retiring is set once the master ordered it to stop.
	Retiring bool
}

// Decision is a Policy's answer to a maintenance pass. Spawn children go
// into the lowest free slots; Retire is a slot to stop gracefully, or -1.
type Decision struct {
	Spawn  int
	Retire int
}
