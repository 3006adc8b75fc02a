package event

import "runtime"

// Hand-offs from the loop to the workers.
//
// Handing a readable connection to an idle worker costs two goroutine
// switches (the worker is readied, runs, and parks again when done). With
// one P (a child pinned to one CPU) the workers readied for one batch of
// events run one after the other anyway, so the loop hands connections to
// at most GOMAXPROCS workers that have not started yet (pending) and
// queues the rest in readyq, where a worker finishing a connection takes
// the next one without parking (handBack), as Apache's workers take
// connections from the listener's queue. Measured on a pinned child with
// 50 keep-alive clients of a 1 KB file: the goroutine switches (selectgo,
// chansend, park, schedule) took about 8% of its CPU time.
//
// No connection waits in readyq for a worker that is idle: the loop feeds
// idle workers from readyq before it waits (feedLocked), and a worker that
// starts while the loop waits with connections queued and idle workers
// wakes it (started). A worker held long by its handler (a proxy, a slow
// disk) therefore delays the connections queued behind it only until it
// starts; from then on the loop gives them to idle workers.

// pendingBound is the number of workers handed a connection and not
// started yet, at most: one per P.
func pendingBound() int32 { return int32(max(runtime.GOMAXPROCS(0), 1)) }

// handLocked gives c to the most recently idle worker, which must exist.
func (e *engine) handLocked(c *conn) {
	n := len(e.idle)
	w := e.idle[n-1]
	e.idle[n-1] = nil
	e.idle = e.idle[:n-1]
	takeLocked(c)
	e.pending.Add(1)
	w.ch <- c // w is idle: its channel is empty
	e.handed = true
}

// feedLocked gives connections waiting in readyq to idle workers, up to
// the pending bound; feedWanted stays set if some remain for idle workers.
func (e *engine) feedLocked() {
	e.feedWanted.Store(false)
	for e.readyq.head != nil && len(e.idle) > 0 {
		if e.pending.Load() >= e.maxPending {
			e.feedWanted.Store(true)
			return
		}
		c := e.readyq.popFront()
		e.handLocked(c)
	}
}

// feed runs feedLocked before the loop waits, if connections wait in
// readyq while workers are idle and may be handed more; it reports
// whether it handed any (the loop then lets them run before it waits).
// The loop sets waiting before it looks, so a worker starting after the
// look sees it (started).
func (e *engine) feed() bool {
	e.waiting.Store(true)
	if !e.feedWanted.Load() || e.pending.Load() >= e.maxPending {
		return false
	}
	e.waiting.Store(false)
	e.mu.Lock()
	e.feedLocked()
	e.mu.Unlock()
	return e.handed
}

// started is called by a worker when it receives a connection from the
// loop: one hand-off less is pending, and if the loop waits with
// connections queued for idle workers, it is woken to hand them out.
func (e *engine) started() {
	if e.pending.Add(-1) < e.maxPending && e.waiting.Load() && e.feedWanted.Load() {
		e.p.wake()
	}
}
