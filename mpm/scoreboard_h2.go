package mpm

// HTTP/2 counters of a process slot (see the layout in scoreboard.go).

// AddH2Conns adds delta to the open HTTP/2 connections.
func (p *Process) AddH2Conns(delta int) { p.h2Conns.Add(int64(delta)) }

// AddH2Streams adds delta to the HTTP/2 streams being answered.
func (p *Process) AddH2Streams(delta int) { p.h2Streams.Add(int64(delta)) }

// AddH2Requests counts an HTTP/2 request served without a worker slot
// (the event engine's h2 connections): Counts adds it to Accesses.
func (p *Process) AddH2Requests(delta int) { p.h2Requests.Add(int64(delta)) }

// H2Conns is the number of open HTTP/2 connections.
func (p *Process) H2Conns() int { return int(p.h2Conns.Load()) }

// H2Streams is the number of HTTP/2 streams being answered.
func (p *Process) H2Streams() int { return int(p.h2Streams.Load()) }
