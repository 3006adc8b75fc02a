// Package tlsconf turns mod_ssl's configuration (conf.SSLServer, built
// by conf.SSLBuilder) into the *tls.Config the engines serve with, in the
// master (for -t, and to fail before children start) and in every child
// (from the snapshot). It also holds what TLS needs besides the config:
// session-ticket keys every child shares, the -t certificate checks, the
// SNI/Host check that gives Apache's 421, and the client-certificate DN
// in Apache's format. Engines never import this package (it imports
// conf): they receive the *tls.Config that Set.Config returns.
//
// # Configuration (conf, in the master)
//
// conf refuses SSL* directives today (conf/unsupported.go: the "ssl"
// module prefix is refused, "SSLEngine Off" is harmless). To wire them
// in, take "ssl" out of the refused prefixes and the "sslengine" entry out
// of the harmless table, and in the walk (conf/walk.go) send every
// directive of conf.SSLDirectives (case-insensitive) to the SSLBuilder of
// the server being read, one builder for the main server and one per
// <VirtualHost> (SSLOptions inside <Directory>, <Location>, <Files> or
// .htaccess to DirDirective):
//
//	b := conf.SSLBuilder{ServerRoot: serverRoot, InVHost: inVHost}
//	err := b.Directive(file, line, name, args) // name: one of conf.SSLDirectives
//	srv, warnings := b.Finish()                // warnings: for -t, -S and the error log
//	merged := conf.MergeSSLServer(mainSrv, vhostSrv)
//
// Errors are *conf.Error with Apache 2.4.71's texts (checked with
// apache2 -t). Every SSL* directive is server-level (RSRC_CONF: main
// server or <VirtualHost>; none belongs to an AllowOverride class),
// except SSLOptions, which is per-directory (AllowOverride Options) and
// goes through b.DirDirective, giving a *conf.SSLDir merged with
// conf.MergeSSLDir like any section setting. SSLCipherSuite,
// SSLVerifyClient, SSLVerifyDepth and SSLCACertificateFile inside
// <Directory>/<Location> are refused by DirDirective (they need a
// renegotiation, which Go's server cannot do); SSLRequireSSL and
// SSLRequire are access control and stay refused until someone implements
// them. Put the merged *conf.SSLServer of each server in the snapshot
// (it round-trips through JSON).
//
// "Listen 443" and "Listen addr:port https" already parse: conf.Listen's
// Proto is "https". A listener whose Proto is "https" is a TLS listener.
//
// # Ticket keys (master)
//
// The master makes the key material once and keeps it across graceful
// restarts (so tickets issued by the old generation resume on the new):
//
//	keys, err := tlsconf.GenerateTicketKeys(0) // DefaultRotation, crypto/rand
//
// and puts it in the snapshot children read: *TicketKeys implements
// encoding.TextMarshaler (base64), so a field `TicketKeys
// *tlsconf.TicketKeys` of the snapshot struct (in cmd/gohttpd, not in
// conf) carries it; MarshalBinary/UnmarshalBinary are there for a pipe.
// It is a secret: never in argv, the environment or a log (String hides
// it). Children derive each period's key from it by themselves (no IPC
// on rotation). A server with SSLSessionTicketKeyFile uses the file's key
// instead (48 bytes; SHA-256 of them is the Go key; no rotation, as in
// Apache), which lets several instances behind a load balancer resume
// each other's sessions.
//
// # Building (master for -t, each child for serving)
//
//	servers := make([]tlsconf.Server, len(vh.Hosts)+1) // indexed by vhost.ID
//	servers[0] = tlsconf.Server{ID: "name:port", SSL: mainSSL}
//	servers[i+1] = tlsconf.Server{ID: vhostID, SSL: merged[i]}
//	set, err := tlsconf.Build(tlsconf.Options{
//		Servers:    servers,
//		Select:     func(local netip.AddrPort, name string) (int, bool) { id, ok := table.SelectSNI(local, []byte(name)); return int(id), ok },
//		Keys:       snapshot.TicketKeys,
//		NextProtos: []string{"http/1.1"}, // "h2" first once HTTP/2 is wired
//	})
//	go set.RunRotation(ctx) // in each child: installs the next period's keys
//
// cmd/gohttpd (tls.go) does this: the master reads every file once per
// generation (ReadFiles over Files of each server), builds the Set from
// those bytes (Options.ReadFile = FileReader(files)) to check them, and
// hands the contents to its children in the snapshot with the ticket
// keys; each child builds its own Set from them, so children respawned
// within a generation never see a half-replaced file. Server.NextProtos
// overrides Options.NextProtos per server (its Protocols directive).
//
// ID is mod_ssl's vhost_id, used in messages: the ServerName and its port,
// or 443 when the ServerName has none ("a.test:443", as Apache 2.4.71
// prints it even for a vhost on another port). Build reads the
// certificate files: a child of a new generation (graceful restart)
// builds its own Set and so serves a replaced certificate; old children
// keep theirs and finish their connections. Give set.Config() to the
// engine for each "https" listener; the engine does
// tls.Server(conn, cfg) and the handshake (see DESIGN.md).
//
// The root config's GetConfigForClient picks the server by SNI with
// Select (vhost.Table.SelectSNI: ServerName/ServerAlias of the
// address's name-based set, else its default vhost). Within a server
// with several certificates (RSA and ECDSA), the first one the client
// supports is used, ECDSA first, regardless of the name (as OpenSSL).
//
// # -t and -S
//
// For each server with SSLEngine on, print tlsconf.Check(id, merged): each
// Problem names file:line, directive and file; errors fail -t (missing,
// unreadable, unparsable, mismatched pair, encrypted key, no pair at
// all), warnings (key readable by group or others) do not. Apache's own
// -t checks only that the files exist and are not empty (conf does that
// while parsing, with Apache's text); the rest fails only at start there
// (AH02565, AH02562, AH01898). Then run Build once to catch SSLProtocol
// holes Go cannot express. -S: the builder's warnings (ignored directives:
// SSLHonorCipherOrder, SSLRandomSeed, SSLUseStapling,
// SSLOpenSSLConfCmd, SSLCipherSuite TLSv1.3, ...) print like the other
// accepted-and-ignored directives.
//
// # Per request (site, first handler after vhost selection)
//
// vhost_test.go (TestWithVHostTable) is all of this wired with
// site/vhost's Table and fasthttp over a real TLS listener.
//
// On a TLS connection (ctx.IsTLS()), with cs := ctx.TLSConnectionState():
//
//	v := tlsconf.CheckRequest(servers, tlsconf.Request{
//		SNI:       cs.ServerName,
//		Hostname:  m.Hostname(),
//		Handshake: set.HandshakeServer(m.Local, cs.ServerName),
//		Server:    int(m.Server),
//		NameBased: <the address has a name-based vhost set>,
//	})
//	// v.Status != 0: answer it with the server's error page, log
//	// v.LogLine at v.Level; for 403 put v.Note in the error notes.
//
// CheckRequest takes 14 ns and allocates nothing (BenchmarkCheckRequest)
// when the Host picks the handshake's server. fasthttp's
// TLSConnectionState copies the state into a new struct on every call:
// take ServerName and HandshakeServer once per connection and keep them
// with the connection's state.
//
// That is mod_ssl's ssl_hook_ReadReq: a Host that picks a vhost whose TLS
// settings differ from the handshake's gets 421 Misdirected Request
// (compared with Apache 2.4.71; Apache's log line there ends in " for
// policy 'secure'", which this package leaves out), a request without
// Host after SNI 400, and no SNI with SSLStrictSNIVHostCheck on 403.
//
// %{SSL_CLIENT_S_DN}x and SSL_CLIENT_S_DN are SubjectDN(cs.PeerCertificates[0],
// legacy) with legacy = the request's merged SSLDir.Has(conf.SSLOptLegacyDNStringFormat);
// %{SSL_CLIENT_I_DN}x is IssuerDN; %{SSL_CLIENT_VERIFY}x is
// ClientVerify(cs, set.ServerConfig(handshake).ClientCAs). %{SSL_PROTOCOL}x is
// ProtocolName(cs.Version) ("TLSv1.3"), %{SSL_CIPHER}x is
// conf.CipherSuiteName(cs.CipherSuite) (OpenSSL's names for TLS 1.2
// suites, as Apache logs them).
//
// # Decisions
//
//   - TLS 1.0 and 1.1 are not served unless the cipher string has
//     @SECLEVEL=0, whatever SSLProtocol says: measured, Apache on Debian
//     (OpenSSL 3, security level 2) does exactly that.
//   - An SSLProtocol with a hole (TLSv1 and TLSv1.2 without TLSv1.1, once
//     the rule above is applied) is an error: Go has only Min/MaxVersion.
//   - SSLCipherSuite is evaluated with OpenSSL's rules over the 14 TLS 1.2
//     suites of tls.CipherSuites() OpenSSL also has; DHE, CCM, ARIA,
//     CAMELLIA and the CBC-SHA256 suites select nothing. A string that
//     selects none of them is an error at parse time (Apache: AH01898 at
//     start). Without SSLCipherSuite Go's defaults apply (no kRSA suites).
//     Go ignores the order (SSLHonorCipherOrder): it prefers AES-128-GCM
//     on AES hardware where Apache follows the client (compare.txt).
//   - SSLSessionCacheTimeout bounds how old a resumed session may be
//     (issue time kept in the ticket); Go re-issues tickets on resumption.
//   - SSLOpenSSLConfCmd Curves/Groups/ECDHParameters become
//     CurvePreferences; Protocol, MinProtocol, MaxProtocol, CipherString
//     and unknown Options are refused (ignoring them would change what
//     clients get); other commands are accepted with a warning.
//   - SSLVerifyClient optional_no_ca asks for a certificate and accepts
//     any; SSLVerifyDepth counts the certificates above the client's, as
//     OpenSSL.
package tlsconf
