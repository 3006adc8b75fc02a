// Package status serves the server-status and metrics handlers: Apache
// mod_status's page (HTML, ?auto and ?json) drawn from the shared
// scoreboard, and a Prometheus /metrics exposition of the same figures.
// Beyond Apache, both also show the server's own TCP sockets by state, each
// listener's accept queue and the kernel's listen-overflow counters.
package status
