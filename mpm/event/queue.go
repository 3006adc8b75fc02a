package event

import "time"

// connList is an intrusive FIFO of connections. Every connection in one
// list waits with the same timeout and is appended when it starts waiting,
// so the list is sorted by deadline and expiry only looks at its head
// (Apache's timeout queues). The zero value is an empty list.
type connList struct {
	head, tail *conn
	n          int
}

// pushBack appends c, which must not be in any list.
func (l *connList) pushBack(c *conn) {
	c.next = nil
	c.prev = l.tail
	if l.tail != nil {
		l.tail.next = c
	} else {
		l.head = c
	}
	l.tail = c
	l.n++
}

// remove unlinks c, which must be in l.
func (l *connList) remove(c *conn) {
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		l.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		l.tail = c.prev
	}
	c.prev, c.next = nil, nil
	l.n--
}

// popFront removes and returns the first connection, or nil.
func (l *connList) popFront() *conn {
	c := l.head
	if c != nil {
		l.remove(c)
	}
	return c
}

// popExpired removes and returns the head if its deadline is at or before
// now, else nil.
func (l *connList) popExpired(now int64) *conn {
	if c := l.head; c != nil && c.deadline <= now {
		l.remove(c)
		return c
	}
	return nil
}

// epoch anchors mono; time.Since reads the monotonic clock.
var epoch = time.Now()

// mono returns monotonic nanoseconds since the package started.
func mono() int64 { return int64(time.Since(epoch)) }
