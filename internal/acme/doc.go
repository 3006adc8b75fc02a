// Package acme is gohttpd's mod_md: automatic certificates from an ACME
// CA (Let's Encrypt, or a private one such as pebble) with
// github.com/caddyserver/certmagic, for the managed domains of
// conf.MDConfig.
//
// # Design
//
// One process orders and renews: the master (Manager). It runs as root,
// owns the store (MDStoreDir) and already holds the listening sockets,
// so certmagic's own challenge servers never bind (they find the ports
// in use and rely on "whatever listens there": the children). Each
// challenge certmagic presents is written by the store wrapper into
// StoreDir/challenges/<name>.json (world-readable: a key authorization
// is public, it is what the CA fetches), which the children read:
// HTTP-01 in the site chain (HTTPChallenge, for
// /.well-known/acme-challenge/ before anything else, as mod_md), and
// TLS-ALPN-01 in the TLS config's GetConfigForClient (WrapALPN answers a
// ClientHello offering only "acme-tls/1"). Certificates and keys stay in
// certmagic's layout (StoreDir/certificates/..., 0600, root): the master
// reads them once per generation like any SSLCertificateFile (CertFiles)
// and hands their contents to the children in the sealed snapshot.
//
// A new or renewed certificate reaches every child by a graceful restart
// of the master's own generation (as mod_md asks for one): the master
// is told through Options.OnNew; new children serve the new certificate,
// old ones finish their connections, nothing is dropped. Before the
// first certificate exists, CertFiles gives a self-signed fallback
// certificate for the domain (as mod_md), kept in StoreDir/fallback; a
// server with its own SSLCertificateFile keeps serving it until then
// (cmd/gohttpd decides, as Apache 2.4.71).
//
// Several names in one MDomain make one certificate with all of them as
// subject alternative names (san.go).
//
// Differences from mod_md: MDCertificateAuthority takes the first URL
// only; MDRenewWindow in days is turned into certmagic's ratio of the
// current certificate's lifetime.
package acme
