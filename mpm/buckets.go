package mpm

// Limits are the process-wide sizing directives a master-side Policy is
// built from.
type Limits struct {
	StartServers      int
	MaxRequestWorkers int
	MinSpareThreads   int
	MaxSpareThreads   int
	ThreadsPerChild   int
}

// SplitBuckets divides l among nb listener buckets (ListenBuckets), as
// Apache's worker and event MPMs maintain each bucket apart: bucket b gets
// its share of StartServers and of the children MaxRequestWorkers allows
// (the first total%nb buckets one more, at least one child each), and
// Min/MaxSpareThreads divided by nb. With nb <= 1 it returns l alone.
// (prefork keeps one policy over all its children and does not split.)
func SplitBuckets(l Limits, nb int) []Limits {
	if nb <= 1 {
		return []Limits{l}
	}
	share := func(total, b int) int {
		n := total / nb
		if b < total%nb {
			n++
		}
		return n
	}
	tpc := max(l.ThreadsPerChild, 1)
	out := make([]Limits, nb)
	for b := range nb {
		out[b] = Limits{
			StartServers:      share(l.StartServers, b),
			MaxRequestWorkers: max(share(l.MaxRequestWorkers/tpc, b), 1) * tpc,
			MinSpareThreads:   l.MinSpareThreads / nb,
			MaxSpareThreads:   l.MaxSpareThreads / nb,
			ThreadsPerChild:   l.ThreadsPerChild,
		}
	}
	return out
}
