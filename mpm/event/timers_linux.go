package event

import (
	"math"
	"time"
)

// The timer queues: every parked connection waits in the connList its
// state names (newq, kaq, wcq, lingerq; readyq for a worker), each with one
// timeout, so expiry looks at the heads only and the loop's epoll_wait
// timeout is the earliest head's deadline.

// waitTimeout returns the epoll_wait timeout in milliseconds: until the
// earliest deadline, -1 if there is none.
func (e *engine) waitTimeout(now int64) int {
	next := int64(math.MaxInt64)
	e.mu.Lock()
	for _, q := range [...]*connList{&e.newq, &e.kaq, &e.wcq, &e.lingerq} {
		if q.head != nil {
			next = min(next, q.head.deadline)
		}
	}
	if e.readyq.head != nil && !e.saturated && e.kaq.n > 0 {
		next = min(next, e.readyq.head.deadline+int64(busyGrace))
	}
	if e.backoffUntil != 0 {
		next = min(next, e.backoffUntil)
	}
	if e.stopping == stopNow {
		next = min(next, e.stopDeadline)
	}
	e.nextWake = next
	e.mu.Unlock()
	if next == math.MaxInt64 {
		return -1
	}
	d := next - now
	if d <= 0 {
		return 0
	}
	return int(min((d+int64(time.Millisecond)-1)/int64(time.Millisecond), math.MaxInt32))
}

// expire handles the lists' deadlines.
func (e *engine) expire(now int64) {
	e.mu.Lock()
	// A new connection that sent nothing in time goes to a worker, which
	// answers it through the ErrorHandler (the site logs and answers 408,
	// as under the other engines) and closes it.
	for c := e.newq.popExpired(now); c != nil; c = e.newq.popExpired(now) {
		c.flags |= flagExpired
		e.dispatchLocked(c, now)
	}
	for c := e.kaq.popExpired(now); c != nil; c = e.kaq.popExpired(now) {
		e.proc.AddKeepAlive(-1)
		c.state = stLoop
		e.acts = append(e.acts, action{c, actLinger})
	}
	for c := e.wcq.popExpired(now); c != nil; c = e.wcq.popExpired(now) {
		c.state = stLoop
		e.acts = append(e.acts, action{c, actClose})
	}
	for c := e.lingerq.popExpired(now); c != nil; c = e.lingerq.popExpired(now) {
		c.state = stLoop
		e.acts = append(e.acts, action{c, actClose})
	}
	// Saturation: a readable connection has waited busyGrace for a
	// worker. Idle keep-alive connections are closed first, as Apache's
	// event MPM closes them when no worker is free (it does so at the
	// first failed reservation; the grace keeps a burst of requests on
	// more connections than workers from costing clients their
	// connections). Readable connections keep their place in readyq.
	sat := e.readyq.head != nil && len(e.idle) == 0 && now-e.readyq.head.deadline >= int64(busyGrace)
	if sat && !e.saturated && e.kaq.n > 0 {
		e.log.Debug("event: all workers are busy, closing keep-alive connections", "count", e.kaq.n)
	}
	e.saturated = sat
	if sat {
		e.lingerAllLocked(&e.kaq)
	}
	e.mu.Unlock()
	e.act(now)
}

// lingerAllLocked claims every connection parked in q (kaq or newq) for a
// short lingering close, run by the next act.
func (e *engine) lingerAllLocked(q *connList) {
	for c := q.popFront(); c != nil; c = q.popFront() {
		if q == &e.kaq {
			e.proc.AddKeepAlive(-1)
		}
		c.state = stLoop
		e.acts = append(e.acts, action{c, actLinger})
	}
}
