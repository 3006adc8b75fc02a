// Package bench is gohttpd's comparison bench: a load generator, scenarios,
// samplers and reports that drive gohttpd's engines (or any server) over
// loopback only.
package bench
