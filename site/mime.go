package site

import (
	"mime"
)

// builtinTypes maps file extensions (lower case, with the dot) to the media
// types Apache's mime.types gives them, so the common web types do not depend
// on the host's /etc/mime.types. Like Apache, text types carry no charset
// parameter (AddDefaultCharset is Off by default). JavaScript is
// text/javascript (RFC 9239), as in current Apache releases.
var builtinTypes = map[string]string{
	".html":        "text/html",
	".htm":         "text/html",
	".shtml":       "text/html",
	".xhtml":       "application/xhtml+xml",
	".css":         "text/css",
	".js":          "text/javascript",
	".mjs":         "text/javascript",
	".json":        "application/json",
	".map":         "application/json",
	".webmanifest": "application/manifest+json",
	".xml":         "application/xml",
	".xsl":         "application/xml",
	".rss":         "application/rss+xml",
	".atom":        "application/atom+xml",
	".txt":         "text/plain",
	".text":        "text/plain",
	".conf":        "text/plain",
	".log":         "text/plain",
	".csv":         "text/csv",
	".md":          "text/markdown",
	".ics":         "text/calendar",
	".svg":         "image/svg+xml",
	".svgz":        "image/svg+xml",
	".png":         "image/png",
	".apng":        "image/apng",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".jpe":         "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".avif":        "image/avif",
	".ico":         "image/x-icon",
	".bmp":         "image/bmp",
	".tif":         "image/tiff",
	".tiff":        "image/tiff",
	".woff":        "font/woff",
	".woff2":       "font/woff2",
	".ttf":         "font/ttf",
	".otf":         "font/otf",
	".eot":         "application/vnd.ms-fontobject",
	".pdf":         "application/pdf",
	".zip":         "application/zip",
	".gz":          "application/gzip",
	".tgz":         "application/gzip",
	".bz2":         "application/x-bzip2",
	".xz":          "application/x-xz",
	".zst":         "application/zstd",
	".tar":         "application/x-tar",
	".7z":          "application/x-7z-compressed",
	".wasm":        "application/wasm",
	".bin":         "application/octet-stream",
	".exe":         "application/octet-stream",
	".iso":         "application/octet-stream",
	".rtf":         "application/rtf",
	".mp4":         "video/mp4",
	".m4v":         "video/mp4",
	".webm":        "video/webm",
	".ogv":         "video/ogg",
	".mov":         "video/quicktime",
	".avi":         "video/x-msvideo",
	".mpeg":        "video/mpeg",
	".mpg":         "video/mpeg",
	".mp3":         "audio/mpeg",
	".m4a":         "audio/mp4",
	".ogg":         "audio/ogg",
	".oga":         "audio/ogg",
	".opus":        "audio/ogg",
	".wav":         "audio/x-wav",
	".flac":        "audio/flac",
	".weba":        "audio/webm",
}

// typeTable resolves media types by file extension (a server without
// mod_mime's directives; site/mimetype otherwise): builtinTypes, then Go's
// mime package (which reads the host's tables for
// the rare extensions neither lists). An extension nobody knows gets no
// Content-Type at all, as in Apache 2.4 (there is no DefaultType).
type typeTable map[string]string

// newTypeTable is builtinTypes as a typeTable. (AddType lines go to
// mod_mime's configuration, conf.MimeConfig, which site/mimetype reads.)
func newTypeTable() typeTable {
	t := make(typeTable, len(builtinTypes))
	for ext, typ := range builtinTypes {
		t[ext] = typ
	}
	return t
}

// lookup returns the media type for the last path segment of name, or ""
// when the extension is unknown or missing.
func (t typeTable) lookup(name []byte) string {
	ext := extension(name)
	if len(ext) == 0 {
		return ""
	}
	var lower [16]byte
	if len(ext) > len(lower) {
		return ""
	}
	for i, c := range ext {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	key := lower[:len(ext)]
	if typ, ok := t[string(key)]; ok {
		return typ
	}
	return mime.TypeByExtension(string(key))
}

// extension returns the extension of the last segment of name, with its
// dot, or nil. A leading dot (".profile") is not an extension.
func extension(name []byte) []byte {
	for i := len(name) - 1; i > 0; i-- {
		switch name[i] {
		case '/':
			return nil
		case '.':
			if name[i-1] == '/' {
				return nil
			}
			return name[i:]
		}
	}
	return nil
}
