package listener

import (
	"fmt"
	"net"
)

// A Set keeps a server's listening sockets across restarts: a Spec that
// stays the same keeps its socket (so no connection is refused during a
// restart), a new one is opened, a removed one closed. With listener
// buckets (ListenCoresBucketsRatio) each Spec has one SO_REUSEPORT socket
// per bucket. A Set is used from one goroutine.
type Set struct {
	// Opened, if set, is called for each socket Open opens (not for one it
	// reuses), with its bucket and the number of buckets: the caller logs
	// it and its Warnings.
	Opened func(ln *Listener, bucket, buckets int)
	// Running is set once the server serves: an error opening a new Spec
	// then only rejects the restart; before, the error says that no
	// listening sockets are available (Apache's AH00015 ending).
	Running bool
	// Activation, when set, holds the sockets systemd passed: a Spec
	// takes its matching one (Activation.Take) instead of opening its own.
	Activation *Activation

	bySpec map[bucketSpec]*Listener
}

// bucketSpec names one socket: a Spec, as asked for, and its bucket.
type bucketSpec struct {
	spec   Spec
	bucket int
}

// Open returns the listeners of specs by bucket (nb of them, at least
// one), each bucket in the order of specs, reusing the sockets of the last
// Open. Every bucket binds the port the kernel gave the first bucket for a
// Spec with port 0. Sockets of the last Open that specs no longer name are
// closed. On error nothing that was already open is closed, and nothing
// new stays open.
func (s *Set) Open(specs []Spec, nb int) ([][]*Listener, error) {
	nb = max(nb, 1)
	buckets := make([][]*Listener, nb)
	var opened []*Listener
	next := make(map[bucketSpec]*Listener, nb*len(specs))
	for b := range nb {
		for i, spec := range specs {
			key := bucketSpec{spec, b}
			ln, ok := s.bySpec[key]
			if !ok {
				if b > 0 && spec.Port == 0 {
					spec.Port = buckets[0][i].Addr().(*net.TCPAddr).Port
				}
				var err error
				var passed bool
				if ln, passed, err = s.Activation.Take(spec); err == nil && !passed {
					ln, err = Open(spec)
				}
				if err != nil {
					for _, o := range opened {
						o.Close()
					}
					if !s.Running {
						err = fmt.Errorf("%w\nno listening sockets available, shutting down", err)
					}
					return nil, err
				}
				if s.Opened != nil {
					s.Opened(ln, b, nb)
				}
				opened = append(opened, ln)
			}
			// Keyed by the spec asked for, not the address the kernel
			// filled in (port 0), so an unchanged Spec finds its socket
			// again.
			next[key] = ln
			buckets[b] = append(buckets[b], ln)
		}
	}
	for key, ln := range s.bySpec {
		if _, ok := next[key]; !ok {
			ln.Close()
		}
	}
	s.bySpec = next
	return buckets, nil
}

// Forget drops the set's claim on its sockets (their new owner closes
// them).
func (s *Set) Forget() { s.bySpec = nil }

// Close closes every socket the set holds.
func (s *Set) Close() {
	for _, ln := range s.bySpec {
		ln.Close()
	}
	s.bySpec = nil
}
