// Package compress is Apache's mod_deflate and mod_brotli, as selected by
// mod_filter's AddOutputFilterByType, core's SetOutputFilter and
// mod_mime's AddOutputFilter, plus gohttpd's cache of compressed static
// files and its precompressed sidecar files. The directives' types are
// built by conf (conf.CompressBuilder, conf.MergeCompressDir,
// conf.MergeCompressServer); this package decides, per response, which
// coding applies (Policy.Decide), and produces it: static files from an
// on-disk cache (or a sidecar) sent with sendfile (Static, Cache, Body),
// other bodies through pooled streaming encoders (Encoders, Stream).
//
// # Wiring the directives (conf)
//
// Until this is done the directives stay refused by conf/unsupported.go
// (remove them from its lists, and "deflate", "brotli", "filter" from the
// module names IfModule treats as absent, so that Debian's
// <IfModule mod_filter.c> block in deflate.conf is read):
//
//   - conf.CompressDirDirectives (AddOutputFilterByType, SetOutputFilter,
//     AddOutputFilter, RemoveOutputFilter, and gohttpd's
//     PrecompressedSidecars): Apache's OR_FILEINFO: server config,
//     <VirtualHost>, <Directory>, <Location>, <Files> (and Match forms),
//     and .htaccess under AllowOverride FileInfo. Feed each section's
//     lines to a conf.CompressBuilder (ServerRoot set), keep
//     Finish()'s *CompressDir per section, and merge a request's chain
//     with conf.MergeCompressDir(parent, child) in Apache's section order.
//   - conf.CompressServerDirectives (DeflateCompressionLevel,
//     DeflateBufferSize, DeflateMemLevel, DeflateWindowSize,
//     DeflateAlterETag, BrotliCompressionQuality, BrotliCompressionWindow,
//     BrotliCompressionMaxInputBlock, BrotliAlterETag, and gohttpd's
//     CompressCacheDir, CompressCacheMaxBytes): RSRC_CONF, the server
//     config and <VirtualHost> only ("not allowed here" elsewhere, never
//     .htaccess). Finish()'s *CompressServer of the main server is merged
//     onto conf.DefaultCompressServer() with MergeCompressServer(nil, s),
//     a vhost's onto the main server's.
//
// Errors are Apache's texts (apache2 -t); the walker adds file and line.
// Filters other than DEFLATE and BROTLI_COMPRESS are refused.
//
// # Per (vhost, directory), once
//
//	pol := compress.NewPolicy(mergedDir, vhostServer) // nil when nothing compresses: Decide is a nil check
//
// Cache it with the rest of the merged per-directory configuration.
//
// # Per process (the Site), once
//
//	enc := compress.NewEncoders()
//	cache, err := compress.NewCache(compress.CacheOptions{
//		Dir:      srv.CacheDir, // "" → compress.DefaultCacheDir(runtimeDir): a directory of its own, never the DocumentRoot
//		MaxBytes: srv.CacheMaxBytes,
//	}, enc)
//	static := compress.NewStatic(cache)
//
// One Cache per distinct directory (CompressCacheDir is per server: a
// <VirtualHost> may give its own; vhosts sharing a directory share the
// Cache, with the bound of the first). The master should create the directory (owned by User, mode 0700)
// before children drop privileges; children share it: entries are
// written to a temporary file and renamed into place, so concurrent
// writers of the same entry are harmless, and any child can evict.
//
// # Static files (site/static.go finishFile)
//
// After fasthttp.FS produced the 200, Content-Type is set and the
// identity ETag computed, and before the preconditions:
//
//	d := pol.Decide(&compress.Request{
//		AcceptEncoding: ctx.Request.Header.Peek("Accept-Encoding"),
//		Env:            compress.EnvOf(lookup), // no-gzip, no-brotli, gzip-only-text/html=1, force-gzip (SetEnvIf & co.)
//		Name:           mappedFileName,
//	}, &compress.Response{Status: 200, ContentType: h.ContentType(),
//		CacheControl: h.Peek("Cache-Control"), Length: size})
//
// Then:
//
//  1. Preconditions against the identity validators, with each
//     If-None-Match tag passed through AppendTrimmedETag first (so a
//     "-gzip"/"-br" tag of this version matches). A 304 carries
//     AppendETag(etag, d.Encoding, d.AlterETag) and, when d.Vary,
//     Vary: Accept-Encoding (AddVary).
//  2. If d.Encoding != Identity: b, err := static.Open(&compress.File{Root:
//     docRoot, Name: rel, Info: fi, Sidecars: pol.Sidecars()},
//     d.Encoding, compress.ParamsOf(pol.Server())); on success
//     b.Attach(&ctx.Response, d) (Content-Encoding, the "-gzip"/"-br"
//     ETag, Vary, Content-Length = b.Size(), body = the cached copy); on
//     error (ErrTooLarge above CacheOptions.MaxFileSize, I/O) either
//     stream it (below) or send identity. If d.Encoding == Identity and
//     d.Vary: compress.AddVary(h).
//  3. Ranges apply to the representation now in the body (Apache's
//     byterange filter runs after the compressors: a Range on a gzipped
//     response is a range of the gzip bytes, 206 "bytes 0-99/2186"): the
//     size is b.Size(), If-Range compares with the coded ETag, a single
//     range is b.UpdateByteRange (as FS's readers), several ranges read
//     b.File() with ReadAt instead of reopening the identity file.
//
// HEAD is decided like GET (Apache sends the coded headers and the coded
// Content-Length). The site's own error pages are never compressed
// (Apache's error responses skip content filters): do not call Decide for
// them.
//
// A Body is an *os.File under an io.LimitedReader that fasthttp hands to
// the connection's ReadFrom, i.e. sendfile: the event engine's shim
// (mpm/event/shim_linux.go ReadFrom/deferFile) recognizes exactly that
// shape, duplicates the descriptor and finishes the response in its
// write-completion loop when the client is slow, without a worker, as
// for identity files (closing the Body or evicting the entry meanwhile
// does not disturb the duplicate).
//
// # Proxied and generated bodies
//
// Decide with the backend's Status, Content-Type, Content-Encoding,
// Cache-Control, Content-Range (set ContentRange) and Content-Length
// (Length, or -1), and Name "" (AddOutputFilter only applies to files).
// Then, where the proxy sets the body stream:
//
//	compress.SetHeaders(&ctx.Response.Header, d)
//	if d.Encoding != compress.Identity {
//		body, size = enc.NewStream(body, d.Encoding, compress.ParamsOf(pol.Server()), false), -1
//	}
//	ctx.Response.SetBodyStream(body, size)
//
// The Stream compresses while fasthttp writes (chunked, 32 KiB chunks:
// fasthttp flushes every chunk to the socket), with pooled encoders and
// buffers, no pipe and no goroutine; pass flushEachRead for event
// streams, so each piece the backend sends reaches the client at once; fasthttp closes it,
// which closes the backend body. A body already set as a stream cannot
// be rewrapped (fasthttp closes it on replacement): the wrapping must
// happen in the proxy, before SetBodyStream. In-memory bodies:
// enc.Apply(&ctx.Response, d, params).
//
// Conditional requests through the proxy: the client revalidates with
// the coded tag ("v1-gzip"), which the backend never issued; forward
// If-None-Match and If-Match through AppendTrimmedETag, and on the
// backend's 304 decide as for a 200 (Status 200, same headers) and only
// put AppendETag's tag and Vary on the 304 (no Content-Encoding, no
// body).
//
// # Semantics (Apache 2.4.71, compared in apache_test.go)
//
// Filters run in Apache's order: AddOutputFilter's (each extension of the
// file name), then SetOutputFilter's, then AddOutputFilterByType's chain
// in the order the configuration first named each filter. The first one
// that compresses wins, so when a client accepts both gzip and br the
// configuration decides, as in Apache (Debian's deflate.conf names
// DEFLATE; a BROTLI_COMPRESS line added after it leaves gzip preferred:
// name BROTLI_COMPRESS first to prefer br). q-values only exclude (q=0);
// "*" and "x-gzip" are not read (Apache sends identity to
// "Accept-Encoding: *"). A filter skips 204, responses with
// Content-Range, responses already encoded, its env variable (no-gzip,
// no-brotli), and for DEFLATE bodies known to be at most 68 bytes and,
// with gzip-only-text/html=1, other types than text/html; otherwise it
// adds Vary: Accept-Encoding, also when it then does not compress. ETags
// get "-gzip"/"-br" (DeflateAlterETag/BrotliAlterETag AddSuffix).
//
// Deliberate differences: Cache-Control: no-transform disables
// compression (RFC 9110 §7.7; Apache ignores it); If-None-Match with a
// "-gzip"/"-br" tag gets its 304 (Apache 2.4 answers 200 with the whole
// body, bug 45023), and 304s carry the coded ETag and Vary (Apache: the
// identity ETag, no Vary); q is read in any parameter position and case;
// a <VirtualHost> inherits the main server's Deflate*/Brotli* settings it
// does not set (Apache's modules have no server merge: it gets the
// defaults). DeflateBufferSize, DeflateMemLevel, DeflateWindowSize and
// BrotliCompressionMaxInputBlock are checked but do not change the
// output (klauspost/compress and go-brrr do not expose them). Compressed
// bytes differ from zlib's and libbrotli's (lengths too), not what they
// decode to.
//
// # Why not fasthttp.FS's own compression
//
// fasthttp.FS{Compress: true} also caches compressed copies, but by its
// own rules: it picks br whenever accepted (not the configuration's
// order), compresses its own list of types, skips files over 8 MiB or
// that compress poorly, adds no ETag suffix, ignores no-gzip and the
// levels of DeflateCompressionLevel/BrotliCompressionQuality, and names
// copies after the source (x.fasthttp.gz) in a tree mirroring the
// DocumentRoot, with no bound on its size. The site keeps Compress: false
// and asks this package instead.
//
// # Libraries
//
// gzip: github.com/klauspost/compress/gzip (already in the module graph
// through fasthttp; level 6 on the 100 KB stylesheet: 33 MB/s against
// compress/gzip's 10 MB/s, BenchmarkGzipLibraries on the loaded test machine,
// with Reset for pooling). brotli: github.com/molecule-man/go-brrr, the
// pure-Go encoder fasthttp v1.77 itself uses (so no second brotli
// implementation enters the binary; andybalholm/brotli is not a
// dependency).
package compress
