// Package autoindex generates directory listings as Apache's
// mod_autoindex does (Apache 2.4, Options Indexes): the plain list, the
// FancyIndexing <pre> table and the HTMLTable table, sorting by name, date,
// size or description (IndexOrderDefault and the client's C= O= F= V= P=
// arguments), IndexIgnore, IndexOptions with their + and - forms, icons and
// alt texts (AddIcon*, AddAlt*, DefaultIcon), AddDescription,
// ScanHTMLTitles, HeaderName and ReadmeName, IndexStyleSheet and
// IndexHeadInsert. Names are escaped as Apache does (ap_escape_html,
// ap_os_escape_path with lower-case hex and "./" before a name with a ':').
// Its output is byte-identical to Apache 2.4.71's for the listings in
// testdata/golden (captured by testdata/apache/capture.sh, which runs
// Apache on the same tree with Debian's autoindex.conf).
//
// The directives' types are built by conf (conf.AutoindexBuilder per
// section, conf.MergeAutoindex between sections); this package reads the
// directory and writes the response.
//
// # Wiring the directives (conf)
//
// All of conf.AutoindexDirectives are mod_autoindex's: AddIcon,
// AddIconByType, AddIconByEncoding, AddAlt, AddAltByType,
// AddAltByEncoding, IndexOptions, IndexOrderDefault, IndexIgnore,
// IndexIgnoreReset, AddDescription, HeaderName, ReadmeName, DefaultIcon,
// IndexStyleSheet, IndexHeadInsert (and FancyIndexing, which is always
// Apache's error). They are allowed in the server config, <VirtualHost>,
// <Directory>, <Location>, <Files> and .htaccess, and in .htaccess belong
// to the Indexes override class (AllowOverride Indexes). For each server
// level and section:
//
//	b := conf.NewAutoindexBuilder(cmdPath) // "" for the server, the <Directory> path,
//	                                       // the .htaccess directory with a trailing '/'
//	err := b.Directive(name, args)         // each directive, in order; err is Apache's text
//	cfg := b.Finish()                      // immutable; JSON round-trips
//
// Finish returns nil for a section without these directives, and nil must
// stay nil: MergeAutoindex, like ap_merge_per_dir_configs, skips a nil
// side, and whether a merge happens changes the result (pending
// "IndexOptions +X" after an absolute keyword apply only when a later
// section is merged over them; Apache 2.4.71 shows it, see the incr
// golden files). Merge in Apache's order: each walk merges its own
// sections among themselves, from nil (dir = MergeAutoindex(dir, s) for
// each matching <Directory> and .htaccess in order; likewise the <Files>
// and the <Location> sections), and then merged =
// MergeAutoindex(MergeAutoindex(MergeAutoindex(server, dir), files),
// locations), where server is the virtual host's config
// (MergeAutoindex(mainServer, vhost) at startup; nil when no server level
// has directives: MergeAutoindex(nil, nil) is NewAutoindexConfig()). The
// result is immutable and may be cached per (vhost,
// directory). Wired: conf/wire_map.go routes the directives, "Options
// Indexes" is accepted, and site/map_chain.go (listing) calls Serve; it
// merges the sections in the site's order (server, directories, files,
// locations, one after the other) rather than each walk among itself
// first.
//
// # Where it runs (site)
//
// In the static handler, where a directory request (the URL ends in '/',
// after mod_dir's redirect) finds no DirectoryIndex file, for GET and HEAD
// only (Apache's handler declines other methods):
//
// With Options Indexes off: 403 and AH01276, as today. With Options
// Indexes on:
//
//	root, err := os.OpenRoot(dirPath) // the mapped directory
//	req := &autoindex.Request{
//		URI:      decodedPath,           // r->uri, ending in '/'
//		Filename: dirPath + "/",         // r->filename, ending in '/'
//		Query:    string(ctx.URI().QueryString()),
//		FS:       root.FS(),
//		Types:    mimeTypes,             // the site's mod_mime answer: type, encoding
//		Access:   entryStatus,           // the status a subrequest for dir/entry would get
//		Signature: "",                   // ServerSignature Off, as the error pages
//	}
//	listing, status, err := autoindex.Serve(ctx, merged, req)
//	root.Close() // allowed: everything Serve needs later is already open
//	if err != nil { // the directory could not be read
//		// log "[autoindex:error] ... AH01275: Can't open directory for index: <dir>"
//		// and serve the error page for status (403)
//	}
//	if listing.Truncated { // more than MaxEntries entries
//		// log it at warn
//	}
//
// Access must apply what Apache's subrequest for each entry applies: the
// merged <Directory>/<Files> access control (site/authz, with the
// request's user), and Options FollowSymLinks for symbolic links (a link
// where FollowSymLinks is off is 403, so Apache hides it). 2xx and 3xx
// show the entry, 401/403 hide it unless IndexOptions ShowForbidden. It
// is called once per entry; keep it cheap (the merged per-directory
// config of the listed directory is the same for every entry, only
// <Files> sections differ). Serve sets the status (200), Content-Type
// (ContentType: "text/html;charset=ISO-8859-1" unless IndexOptions
// Charset=/Type=, Debian's autoindex.conf sets Charset=UTF-8), with
// TrackModified a Last-Modified, and the body. The listing is not
// compressed or cached by this package.
//
// # Large directories
//
// Apache reads every entry, stats it through a subrequest, sorts them and
// then writes. This package does the same in memory, capped at
// Request.MaxEntries (DefaultMaxEntries, 200,000): entries beyond the cap
// are not read, the listing shows the first ones the directory yields,
// sorted, and Listing.Truncated is set. Serve reads and sorts before it
// returns (the worker goroutine is busy for that time, other connections
// are not affected), then writes small listings (up to 512 entries) into
// the response buffer with a Content-Length, and larger ones with
// SetBodyStreamWriter (chunked), so the HTML (about 215 bytes per entry in
// HTMLTable form) is never held whole. Measured on this machine (2 cores
// shared, load average ~16 while measuring; BenchmarkList100k and
// BenchmarkStall100k): 100,000 entries hold 9.1 MB of entries and produce
// 21.5 MB of HTML; reading and lstat-ing them took 1.2-3.1 s, sorting
// and writing 0.2-0.6 s, 77 MB allocated in all (5 allocations per entry,
// mostly os.DirEntry.Info). While one such listing was being served, a
// second client completed ~20,000 small requests on the same server; the
// slowest took 223 ms.
//
// # Not done
//
// HeaderName and ReadmeName are not run as subrequests: the file is
// copied (HTML) or escaped in <pre> (other text/*), so SSI in a header is
// not processed and MultiViews does not negotiate "HeaderName HEADER";
// names with '/' go to Request.Include. IndexOptions TrackModified sets
// Last-Modified (the directory's mtime) but no ETag (Apache also sends
// ap_set_etag's, whose form is the site's business), and answers no
// conditional requests. Apache's mod_autoindex modifies a
// description in place when it truncates it (so later listings of the
// same process may show the truncated text); this package does not.
package autoindex
