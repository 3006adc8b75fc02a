package main

// -X under systemd (serveOneProcess): the one process is the service's
// main process, so it does what the master does in systemd.go.

// oneProcessReady is ServeOrders's ready callback for -X: READY=1 once
// the engine serves (the master's Tracker says it after the first
// generation; -X has no generations and no reloads).
func (s *service) oneProcessReady() func() {
	return func() { _ = s.sd.Ready() }
}
