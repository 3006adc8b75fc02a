package mpm

// maxSpawnRate caps the exponential spawn rate (Apache's MAX_SPAWN_RATE).
const maxSpawnRate = 32

// SpawnRate is Apache's idle_spawn_rate, shared by every engine's
// maintenance policy: while short of spare workers a policy spawns Rate
// children per pass and doubles the rate (1, 2, 4 ... 32); any other pass
// resets it to 1. The zero value is rate 1.
type SpawnRate struct{ n int }

// Rate is how many children to spawn in this pass (at least 1).
func (r *SpawnRate) Rate() int { return max(r.n, 1) }

// Double doubles the rate for the next pass, up to MAX_SPAWN_RATE.
func (r *SpawnRate) Double() { r.n = min(r.Rate()*2, maxSpawnRate) }

// Reset sets the rate back to 1.
func (r *SpawnRate) Reset() { r.n = 1 }

// Busy reports whether the rate is high enough for Apache's "server seems
// busy" notice (idle_spawn_rate >= 8).
func (r *SpawnRate) Busy() bool { return r.Rate() >= 8 }
