// Package deploy holds gohttpd's deployment files: a systemd unit and
// socket (systemd/) and Kubernetes manifests (kubernetes/), described in
// docs/deploy.md. Its tests validate the manifests by strict decoding into
// the Kubernetes API types (k8s.io/api, a test-only dependency: nothing in
// the gohttpd binary imports this package) and check the invariants that
// tie them to the httpd.conf they ship.
package deploy
