// Package mpm holds what the three concurrency engines (multi-processing
// modules, after Apache's MPMs) share: the engine contract, the shared-memory
// scoreboard and the master-side supervisor that spawns, reaps and re-executes
// children.
//
// # The engine contract
//
// As Apache's ap_mpm.h, in prose. An engine (mpm/prefork, mpm/worker,
// mpm/event) has two halves. The master side is a Policy: the master calls
// it once a second with the scoreboard and it says how many children to
// start or retire (Apache's perform_idle_server_maintenance). The child side
// is a ChildServer, built in the child process from ChildDeps and the
// engine's own Config; engines never import each other, conf or viper (the
// child's configuration comes from the snapshot the master resolved, through
// cmd/gohttpd). An engine's Config takes no defaults (conf owns them):
// its Validate only checks, reporting each impossible value as a
// *ConfigError, and its New refuses what Validate refuses, a zero Config
// included.
//
// A ChildServer:
//
//   - owns ChildDeps.Listeners from construction on and closes them when it
//     stops;
//   - reads every connection through an h1.Validator with
//     ChildDeps.Protocol, and answers requests with ChildDeps.Server's
//     Handler: the whole site, which stays protocol-agnostic;
//   - keeps its slot of the scoreboard: its process slot ChildDeps.Slot and
//     one worker slot per thread, with the worker states Apache shows
//     (StateReady, StateBusyRead, StateBusyWrite, StateBusyKeepAlive,
//     StateClosing, StateGraceful, StateDead);
//   - gives the site, through RequestCtx.Conn, a connection that is a
//     ProtocolConn, and a RequestNumberer when fasthttp does not number
//     the requests itself;
//   - calls Serve's ready once it accepts connections (the master counts
//     the child as started only then), and returns from Serve after a
//     stop with nil, or with an error wrapping ErrChildSick (resource
//     shortage: respawn slowly) or ErrChildFatal (stop the whole server);
//   - stops in the StopMode of the master's order: StopGraceful,
//     StopGracefulIdle or StopImmediate (see each), setting
//     ChildDeps.Draining first so the site answers with Connection: close.
//
// RunChild ties a ChildServer to the child process: it reads the pipe of
// death, turns each order into Stop(PodMode(order)), and watches the
// parent.
//
// Threading: Serve runs on the child's main goroutine; Stop runs on any
// goroutine, concurrently with Serve. A Policy is called from the master's
// maintenance goroutine only. ChildDeps.Server's Handler runs on the
// engine's worker goroutines, many at once.
package mpm
