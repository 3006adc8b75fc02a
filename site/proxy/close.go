package proxy

// Close closes the idle connections of every backend: fasthttp's pool
// cleaner goroutine of each backend ends with its last connection, and
// connections still serving a response close when their body is done.
// Call it once the servers using the Proxy have stopped; the Proxy must
// not be used afterwards.
func (p *Proxy) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range p.workers {
		w.hc.CloseIdleConnections()
	}
}
