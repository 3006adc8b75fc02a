// Package mimetype is mod_mime's type checker and the core's ForceType
// and AddDefaultCharset: which Content-Type and Content-Encoding a file
// gets. The directives' types are built by conf (conf.MimeBuilder per
// section, conf.MergeMime between sections, conf.LoadMimeTypes for
// TypesConfig); this package looks names up. It replaces the type table
// of site/mime.go (AddType, a built-in table, Go's mime package).
//
// # Wiring (for the integrator)
//
// Directives, all AllowOverride FileInfo and allowed in every section,
// go to conf.MimeBuilder.Directive: AddType, AddEncoding, AddCharset,
// RemoveType, ForceType, AddDefaultCharset, DefaultType (None/Off
// accepted silently; any other value is accepted with Apache's AH00117
// warning in MimeBuilder.Warnings, as Apache 2.4 ignores it). Still
// refused: AddLanguage, DefaultLanguage, AddHandler, SetHandler,
// AddOutputFilter and the Remove* forms other than RemoveType.
//
// TypesConfig is server-config only (not <VirtualHost>: Apache reads
// the main server's only; not .htaccess). At startup, in the master:
//
//	types, err := conf.LoadMimeTypes(serverRoot, typesConfig)
//	// typesConfig: the directive's argument; without the directive
//	// Apache reads "conf/mime.types" under ServerRoot and fails to
//	// start if it cannot (AH01597). Debian's configuration says
//	// "TypesConfig /etc/mime.types" (package media-types). gohttpd may
//	// keep its built-in table (site/mime.go's builtinTypes) when the
//	// directive is absent.
//
// Put the map in the snapshot (or load it in each child) and wrap it:
// mimetype.Types(types). Per request, once the URI is mapped to a file:
//
//	r := mimetype.Lookup(mergedMime, types, filename)
//	if r.ContentType != "" { h.SetContentType(r.ContentType) } else {
//		h.SetNoDefaultContentType(true) } // Apache sends no type
//	if r.Encoding != "" { h.Set("Content-Encoding", r.Encoding) }
//	// ... expires.Apply, headers.Response ...
//	// last, for every response (error pages included):
//	if ct := h.ContentType(); len(ct) > 0 {
//		h.SetContentType(mimetype.DefaultCharset(mergedMime, string(ct)))
//	}
//
// Lookup allocates nothing for the common case and costs ~75 ns.
//
// Multi-extension semantics (observed with Apache 2.4.71 and Debian's
// /etc/mime.types, site/headers/testdata/apache): "file.tar.gz" is
// application/gzip (the later extension's type wins; mime.types maps gz
// to application/gzip) with "Content-Encoding: x-gzip" from "AddEncoding
// x-gzip .gz"; "a.gz.html" is text/html with x-gzip; "index.html.en" is
// text/html; ".hidden.css" is text/css; a name without a known extension
// gets no Content-Type (there is no DefaultType in 2.4). RemoveType
// removes TypesConfig's type too. ForceType replaces the type (not the
// encoding). AddDefaultCharset On adds "; charset=iso-8859-1" only to
// text/plain and text/html types without a charset.
package mimetype
