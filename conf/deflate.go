package conf

// Compression directives: the types of mod_deflate, mod_brotli and the
// parts of mod_filter (AddOutputFilterByType), mod_mime (AddOutputFilter,
// RemoveOutputFilter) and core (SetOutputFilter) that choose them, plus
// gohttpd's own PrecompressedSidecars, CompressCacheDir and
// CompressCacheMaxBytes. CompressBuilder builds one section's settings;
// MergeCompressDir and MergeCompressServer combine sections. The
// behaviour is in site/compress.

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Filter is an output filter gohttpd implements: a content coding.
type Filter string

// The output filters gohttpd knows, by their Apache names (filter names
// are case-insensitive in Apache; these are the canonical spellings).
const (
	FilterDeflate Filter = "DEFLATE"         // mod_deflate: Content-Encoding gzip
	FilterBrotli  Filter = "BROTLI_COMPRESS" // mod_brotli: Content-Encoding br
)

// parseFilter maps a filter name (any case) to a Filter. Apache accepts
// any registered filter; gohttpd implements only the two compressors and
// refuses the others rather than serve content they would have changed.
func parseFilter(directive, name string) (Filter, error) {
	switch strings.ToUpper(name) {
	case string(FilterDeflate):
		return FilterDeflate, nil
	case string(FilterBrotli):
		return FilterBrotli, nil
	}
	return "", fmt.Errorf("%s: %w", directive, unknownFilter(name))
}

// unknownFilter is a filter name gohttpd does not implement.
type unknownFilter string

func (u unknownFilter) Error() string {
	return fmt.Sprintf("output filter %q is not supported by gohttpd (DEFLATE or BROTLI_COMPRESS)", string(u))
}

// knownApacheFilter reports whether name is an output filter a stock
// Apache 2.4 registers (Debian's modules): AddOutputFilterByType with
// one of these is refused as unsupported, with any other name as
// Apache refuses it ("Unknown filter provider").
func knownApacheFilter(name string) bool {
	switch strings.ToUpper(name) {
	case "INFLATE", "INCLUDES", "SUBSTITUTE", "SED", "XML2ENC", "PROXY_HTML", "RATE_LIMIT",
		"CACHE", "BUFFER", "DATA", "REFLECTOR", "REQUEST", "CASE", "CASEFILTER", "EXT_FILTER":
		return true
	}
	return false
}

// parseFilterList splits Apache's ';'-separated filter list (empty names,
// as in "DEFLATE;", are skipped as ap_getword skips them).
func parseFilterList(directive, list string) ([]Filter, error) {
	var out []Filter
	for _, n := range strings.Split(list, ";") {
		if n == "" {
			continue
		}
		f, err := parseFilter(directive, n)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// ByTypeFilter is one filter of mod_filter's chain built by
// AddOutputFilterByType, with the media types it applies to (compared as
// mod_filter does: exactly, case-sensitively, with the response's
// Content-Type cut at the first ';', space or tab).
type ByTypeFilter struct {
	Filter Filter   `json:"filter"`
	Types  []string `json:"types"`
}

// CompressDir is what one directory-level section (or the merge of a
// chain of them) says about compression. The zero value is a section
// without any of these directives. Values are immutable once built.
type CompressDir struct {
	// ByType is mod_filter's chain in order: the position of a filter is
	// where AddOutputFilterByType first named it (in this section or an
	// enclosing one), its Types those of the innermost section naming it.
	ByType []ByTypeFilter `json:"byType,omitempty"`

	// Set is SetOutputFilter's list, meaningful when SetSet (the
	// innermost section with SetOutputFilter wins).
	Set    []Filter `json:"set,omitempty"`
	SetSet bool     `json:"setSet,omitempty"`

	// ByExt is mod_mime's AddOutputFilter: lower-case extension (no dot)
	// → filters. An extension mapped to an empty list was removed by
	// RemoveOutputFilter (it hides an enclosing section's mapping).
	ByExt map[string][]Filter `json:"byExt,omitempty"`

	// Sidecars is PrecompressedSidecars (gohttpd), meaningful when
	// SidecarsSet; default Off.
	Sidecars    bool `json:"sidecars,omitempty"`
	SidecarsSet bool `json:"sidecarsSet,omitempty"`
}

// Empty reports whether no filter can apply under d: the site may skip
// compression entirely (the hot path).
func (d *CompressDir) Empty() bool {
	if d == nil {
		return true
	}
	if len(d.ByType) > 0 || len(d.Set) > 0 {
		return false
	}
	for _, fs := range d.ByExt {
		if len(fs) > 0 {
			return false
		}
	}
	return true
}

// FiltersForExt returns the AddOutputFilter filters for a file name, in
// mod_mime's order: each extension of the base name after its first dot,
// left to right ("a.html.en" looks up "html" then "en").
func (d *CompressDir) FiltersForExt(name string, dst []Filter) []Filter {
	if d == nil || len(d.ByExt) == 0 {
		return dst
	}
	base := name
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		base = base[i+1:]
	}
	i := strings.IndexByte(base, '.')
	if i < 0 {
		return dst
	}
	rest := base[i+1:]
	var lower [32]byte
	for rest != "" {
		ext := rest
		if j := strings.IndexByte(rest, '.'); j >= 0 {
			ext, rest = rest[:j], rest[j+1:]
		} else {
			rest = ""
		}
		key := ext
		if len(ext) <= len(lower) {
			b := lower[:len(ext)]
			for k := 0; k < len(ext); k++ {
				c := ext[k]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				b[k] = c
			}
			dst = append(dst, d.ByExt[string(b)]...) // no allocation for the map lookup
			continue
		}
		dst = append(dst, d.ByExt[strings.ToLower(key)]...)
	}
	return dst
}

// AlterETag is DeflateAlterETag / BrotliAlterETag.
type AlterETag uint8

const (
	// ETagAddSuffix (the default) appends "-gzip" or "-br" inside the
	// ETag's closing quote.
	ETagAddSuffix AlterETag = iota
	// ETagNoChange keeps the ETag (Apache 2.2's behaviour).
	ETagNoChange
	// ETagRemove drops the ETag from compressed responses.
	ETagRemove
)

// CompressServer holds the server-wide (RSRC_CONF: main server and
// <VirtualHost>) settings of mod_deflate, mod_brotli and gohttpd's
// compressed-file cache. The zero value is not the default: use
// DefaultCompressServer. Values are immutable once built.
type CompressServer struct {
	DeflateLevel      int       `json:"deflateLevel"`      // DeflateCompressionLevel, 1-9 (zlib's default: 6)
	DeflateBufferSize int       `json:"deflateBufferSize"` // DeflateBufferSize, > 0 (8096)
	DeflateMemLevel   int       `json:"deflateMemLevel"`   // DeflateMemLevel, 1-9 (9)
	DeflateWindowSize int       `json:"deflateWindowSize"` // DeflateWindowSize, 1-15 (15)
	DeflateAlterETag  AlterETag `json:"deflateAlterETag"`  // DeflateAlterETag (AddSuffix)

	BrotliQuality       int       `json:"brotliQuality"`       // BrotliCompressionQuality, 0-11 (5)
	BrotliWindow        int       `json:"brotliWindow"`        // BrotliCompressionWindow, 10-24 (18)
	BrotliMaxInputBlock int       `json:"brotliMaxInputBlock"` // BrotliCompressionMaxInputBlock, 16-24, 0 = automatic (0)
	BrotliAlterETag     AlterETag `json:"brotliAlterETag"`     // BrotliAlterETag (AddSuffix)

	// CacheDir is CompressCacheDir (gohttpd): an absolute directory for
	// the compressed copies of static files; "" means the default, a
	// directory of its own under the runtime directory (see
	// site/compress.DefaultCacheDir). Never the DocumentRoot.
	CacheDir string `json:"cacheDir,omitempty"`
	// CacheMaxBytes is CompressCacheMaxBytes (gohttpd): the bound on the
	// cache's size on disk.
	CacheMaxBytes int64 `json:"cacheMaxBytes"`

	// Set records which fields the section gave, for the merge.
	Set CompressServerSet `json:"set"`
}

// CompressServerSet records which CompressServer settings a section gave
// (a <VirtualHost> inherits the others from the main server).
type CompressServerSet struct {
	DeflateLevel, DeflateBufferSize, DeflateMemLevel, DeflateWindowSize, DeflateAlterETag bool
	BrotliQuality, BrotliWindow, BrotliMaxInputBlock, BrotliAlterETag                     bool
	CacheDir, CacheMaxBytes                                                               bool
}

// DefaultCacheMaxBytes is CompressCacheMaxBytes's default (256 MiB).
const DefaultCacheMaxBytes = 256 << 20

// DefaultCompressServer returns Apache's defaults (mod_deflate's
// create_deflate_server_config, mod_brotli's create_server_config).
func DefaultCompressServer() CompressServer {
	return CompressServer{
		DeflateLevel: 6, DeflateBufferSize: 8096, DeflateMemLevel: 9, DeflateWindowSize: 15,
		BrotliQuality: 5, BrotliWindow: 18,
		CacheMaxBytes: DefaultCacheMaxBytes,
	}
}

// MergeCompressServer merges a <VirtualHost>'s settings (child) onto the
// main server's (base). mod_deflate and mod_brotli have no server merge
// function, so Apache gives a virtual host that sets any of them the
// module's defaults for the rest; gohttpd inherits the main server's
// values for the settings the virtual host does not give, which is what
// configurations expect (a deliberate difference, logged by nobody: it
// only matters for a vhost that sets, say, DeflateCompressionLevel while
// the main server sets BrotliCompressionQuality). Either may be nil.
func MergeCompressServer(base, child *CompressServer) *CompressServer {
	if base == nil {
		d := DefaultCompressServer()
		base = &d
	}
	if child == nil {
		return base
	}
	out := *base
	s := child.Set
	if s.DeflateLevel {
		out.DeflateLevel = child.DeflateLevel
	}
	if s.DeflateBufferSize {
		out.DeflateBufferSize = child.DeflateBufferSize
	}
	if s.DeflateMemLevel {
		out.DeflateMemLevel = child.DeflateMemLevel
	}
	if s.DeflateWindowSize {
		out.DeflateWindowSize = child.DeflateWindowSize
	}
	if s.DeflateAlterETag {
		out.DeflateAlterETag = child.DeflateAlterETag
	}
	if s.BrotliQuality {
		out.BrotliQuality = child.BrotliQuality
	}
	if s.BrotliWindow {
		out.BrotliWindow = child.BrotliWindow
	}
	if s.BrotliMaxInputBlock {
		out.BrotliMaxInputBlock = child.BrotliMaxInputBlock
	}
	if s.BrotliAlterETag {
		out.BrotliAlterETag = child.BrotliAlterETag
	}
	if s.CacheDir {
		out.CacheDir = child.CacheDir
	}
	if s.CacheMaxBytes {
		out.CacheMaxBytes = child.CacheMaxBytes
	}
	out.Set = orSet(base.Set, s)
	return &out
}

func orSet(a, b CompressServerSet) CompressServerSet {
	return CompressServerSet{
		DeflateLevel: a.DeflateLevel || b.DeflateLevel, DeflateBufferSize: a.DeflateBufferSize || b.DeflateBufferSize,
		DeflateMemLevel: a.DeflateMemLevel || b.DeflateMemLevel, DeflateWindowSize: a.DeflateWindowSize || b.DeflateWindowSize,
		DeflateAlterETag: a.DeflateAlterETag || b.DeflateAlterETag,
		BrotliQuality:    a.BrotliQuality || b.BrotliQuality, BrotliWindow: a.BrotliWindow || b.BrotliWindow,
		BrotliMaxInputBlock: a.BrotliMaxInputBlock || b.BrotliMaxInputBlock, BrotliAlterETag: a.BrotliAlterETag || b.BrotliAlterETag,
		CacheDir: a.CacheDir || b.CacheDir, CacheMaxBytes: a.CacheMaxBytes || b.CacheMaxBytes,
	}
}

// MergeCompressDir merges a section's settings (child) onto those of the
// sections before it (base), with each module's merge rules: mod_filter's
// filter_merge (the chain is the parent's followed by the child's; a
// filter the child names gets the child's types), core's SetOutputFilter
// (the child's when set), mod_mime's extension table (per extension, the
// child's entry wins) and PrecompressedSidecars (the child's when set).
// Either may be nil; the result shares the inputs' slices and is itself
// immutable.
func MergeCompressDir(base, child *CompressDir) *CompressDir {
	if base == nil {
		base = &CompressDir{}
	}
	if child == nil {
		return base
	}
	out := *base
	if len(child.ByType) > 0 {
		chain := make([]ByTypeFilter, 0, len(base.ByType)+len(child.ByType))
		for _, f := range base.ByType {
			for _, c := range child.ByType {
				if c.Filter == f.Filter {
					f.Types = c.Types // live_filters overlay: the child's provider list
				}
			}
			chain = append(chain, f)
		}
	next:
		for _, c := range child.ByType {
			for _, f := range chain {
				if f.Filter == c.Filter {
					continue next // already in the chain (a second entry would see Content-Encoding set and do nothing)
				}
			}
			chain = append(chain, c)
		}
		out.ByType = chain
	}
	if child.SetSet {
		out.Set, out.SetSet = child.Set, true
	}
	if len(child.ByExt) > 0 {
		m := make(map[string][]Filter, len(base.ByExt)+len(child.ByExt))
		for k, v := range base.ByExt {
			m[k] = v
		}
		for k, v := range child.ByExt {
			m[k] = v
		}
		out.ByExt = m
	}
	if child.SidecarsSet {
		out.Sidecars, out.SidecarsSet = child.Sidecars, true
	}
	return &out
}

// CompressDirDirectives are the per-directory directives
// CompressBuilder.Directive takes, with Apache's override class: all are
// OR_FILEINFO (AllowOverride FileInfo in .htaccess), allowed in the server
// config, <VirtualHost>, <Directory>, <Location>, <Files> and their Match
// forms. PrecompressedSidecars is gohttpd's, in the same class.
var CompressDirDirectives = []string{
	"AddOutputFilterByType", "SetOutputFilter", "AddOutputFilter", "RemoveOutputFilter",
	"PrecompressedSidecars",
}

// CompressServerDirectives are the server-wide directives
// CompressBuilder.Directive takes: RSRC_CONF (the server config and
// <VirtualHost> only: "not allowed here" elsewhere, and never in
// .htaccess). CompressCacheDir and CompressCacheMaxBytes are gohttpd's.
var CompressServerDirectives = []string{
	"DeflateCompressionLevel", "DeflateBufferSize", "DeflateMemLevel", "DeflateWindowSize",
	"DeflateAlterETag",
	"BrotliCompressionQuality", "BrotliCompressionWindow", "BrotliCompressionMaxInputBlock",
	"BrotliAlterETag",
	"CompressCacheDir", "CompressCacheMaxBytes",
}

// CompressBuilder builds one section's compression settings from its
// directives, in the order the section walker meets them:
//
//	var b conf.CompressBuilder
//	b.ServerRoot = root
//	err := b.Directive("AddOutputFilterByType", []string{"DEFLATE", "text/html"})
//	dir, srv := b.Finish()
//
// Errors carry Apache's texts (checked with apache2 -t) and no position;
// the walker wraps them with file, line and directive. The walker must
// only give CompressServerDirectives from the server config or a
// <VirtualHost>.
type CompressBuilder struct {
	// ServerRoot resolves a relative CompressCacheDir.
	ServerRoot string

	dir CompressDir
	srv CompressServer
}

// Finish returns the section's settings: the directory part (for the
// section's own merge chain) and the server part (meaningful for the
// server config and <VirtualHost>; merge it with MergeCompressServer,
// the main server's onto DefaultCompressServer()).
func (b *CompressBuilder) Finish() (*CompressDir, *CompressServer) {
	d, s := b.dir, b.srv
	if s.Set == (CompressServerSet{}) {
		return &d, nil
	}
	return &d, &s
}

// Directive applies one directive of CompressDirDirectives or
// CompressServerDirectives (name in any case).
func (b *CompressBuilder) Directive(name string, args []string) error {
	key := strings.ToLower(name)
	take1 := func(canon, help string) (string, error) {
		if len(args) != 1 {
			return "", fmt.Errorf("%s takes one argument, %s", canon, help)
		}
		return args[0], nil
	}
	rangeInt := func(canon, help string, lo, hi int, msg string) (int, error) {
		v, err := take1(canon, help)
		if err != nil {
			return 0, err
		}
		n := atoi(v)
		if n < lo || n > hi {
			return 0, errors.New(msg)
		}
		return n, nil
	}
	alter := func(canon, help, msg string) (AlterETag, error) {
		v, err := take1(canon, help)
		if err != nil {
			return 0, err
		}
		switch strings.ToLower(v) {
		case "addsuffix":
			return ETagAddSuffix, nil
		case "nochange":
			return ETagNoChange, nil
		case "remove":
			return ETagRemove, nil
		}
		return 0, errors.New(msg)
	}
	var err error
	s := &b.srv
	switch key {
	case "addoutputfilterbytype":
		if len(args) < 2 {
			return errors.New("AddOutputFilterByType requires at least two arguments")
		}
		fs, err := parseFilterList("AddOutputFilterByType", args[0])
		if err != nil {
			var u unknownFilter
			if errors.As(err, &u) && !knownApacheFilter(string(u)) {
				return errors.New("Unknown filter provider " + string(u))
			}
			return err
		}
		for _, f := range fs {
			b.addByType(f, args[1:])
		}
	case "setoutputfilter":
		v, err := take1("SetOutputFilter", "filter (or ; delimited list of filters) to be run on the request content")
		if err != nil {
			return err
		}
		fs, err := parseFilterList("SetOutputFilter", v)
		if err != nil {
			return err
		}
		b.dir.Set, b.dir.SetSet = fs, true
	case "addoutputfilter":
		if len(args) < 2 {
			return errors.New("AddOutputFilter requires at least two arguments, output filter name (or ; delimited names) followed by one or more file extensions")
		}
		fs, err := parseFilterList("AddOutputFilter", args[0])
		if err != nil {
			return err
		}
		b.setExt(args[1:], fs)
	case "removeoutputfilter":
		if len(args) == 0 {
			return errors.New("RemoveOutputFilter requires at least one argument, one or more file extensions")
		}
		b.setExt(args, []Filter{})
	case "precompressedsidecars":
		if len(args) != 1 || (!strings.EqualFold(args[0], "on") && !strings.EqualFold(args[0], "off")) {
			return errors.New("PrecompressedSidecars must be On or Off")
		}
		b.dir.Sidecars, b.dir.SidecarsSet = strings.EqualFold(args[0], "on"), true

	case "deflatecompressionlevel":
		s.DeflateLevel, err = rangeInt("DeflateCompressionLevel", "Set the Deflate Compression Level (1-9)", 1, 9,
			"Compression Level must be between 1 and 9")
		s.Set.DeflateLevel = err == nil
	case "deflatebuffersize":
		s.DeflateBufferSize, err = rangeInt("DeflateBufferSize", "Set the Deflate Buffer Size", 1, 1<<31,
			"DeflateBufferSize should be positive")
		s.Set.DeflateBufferSize = err == nil
	case "deflatememlevel":
		s.DeflateMemLevel, err = rangeInt("DeflateMemLevel", "Set the Deflate Memory Level (1-9)", 1, 9,
			"DeflateMemLevel must be between 1 and 9")
		s.Set.DeflateMemLevel = err == nil
	case "deflatewindowsize":
		s.DeflateWindowSize, err = rangeInt("DeflateWindowSize", "Set the Deflate window size (1-15)", 1, 15,
			"DeflateWindowSize must be between 1 and 15")
		s.Set.DeflateWindowSize = err == nil
	case "deflatealteretag":
		s.DeflateAlterETag, err = alter("DeflateAlterEtag",
			"Set how mod_deflate should modify ETAG response headers: 'AddSuffix' (default), 'NoChange' (2.2.x behavior), 'Remove'",
			"DeflateAlterETAG accepts only 'NoChange', 'AddSuffix', and 'Remove'")
		s.Set.DeflateAlterETag = err == nil
	case "brotlicompressionquality":
		s.BrotliQuality, err = rangeInt("BrotliCompressionQuality",
			"Compression quality between 0 and 11 (higher quality means slower compression)", 0, 11,
			"BrotliCompressionQuality must be between 0 and 11")
		s.Set.BrotliQuality = err == nil
	case "brotlicompressionwindow":
		s.BrotliWindow, err = rangeInt("BrotliCompressionWindow",
			"Sliding window size between 10 and 24 (larger windows can improve compression, but require more memory)", 10, 24,
			"BrotliCompressionWindow must be between 10 and 24")
		s.Set.BrotliWindow = err == nil
	case "brotlicompressionmaxinputblock":
		s.BrotliMaxInputBlock, err = rangeInt("BrotliCompressionMaxInputBlock",
			"Maximum input block size between 16 and 24 (larger block sizes require more memory)", 16, 24,
			"BrotliCompressionMaxInputBlock must be between 16 and 24")
		s.Set.BrotliMaxInputBlock = err == nil
	case "brotlialteretag":
		s.BrotliAlterETag, err = alter("BrotliAlterETag",
			"Set how mod_brotli should modify ETag response headers: 'AddSuffix' (default), 'NoChange', 'Remove'",
			"BrotliAlterETag accepts only 'AddSuffix', 'NoChange' and 'Remove'")
		s.Set.BrotliAlterETag = err == nil
	case "compresscachedir":
		v, err := take1("CompressCacheDir", "a directory for compressed copies of static files")
		if err != nil {
			return err
		}
		if v == "" {
			return errors.New("CompressCacheDir must name a directory")
		}
		if !filepath.IsAbs(v) {
			v = filepath.Join(b.ServerRoot, v)
		}
		s.CacheDir, s.Set.CacheDir = filepath.Clean(v), true
	case "compresscachemaxbytes":
		v, err := take1("CompressCacheMaxBytes", "the size bound of the compressed-file cache in bytes")
		if err != nil {
			return err
		}
		n, ok := parseSize(v)
		if !ok {
			return errors.New("CompressCacheMaxBytes must be a number of bytes (suffix K, M or G allowed)")
		}
		s.CacheMaxBytes, s.Set.CacheMaxBytes = n, true
	default:
		return errors.New("not a compression directive: " + name)
	}
	return err
}

// parseSize reads a non-negative byte count with an optional K, M or G
// suffix (binary multiples).
func parseSize(v string) (int64, bool) {
	mult := int64(1)
	if v != "" {
		switch v[len(v)-1] {
		case 'k', 'K':
			mult = 1 << 10
		case 'm', 'M':
			mult = 1 << 20
		case 'g', 'G':
			mult = 1 << 30
		}
		if mult != 1 {
			v = v[:len(v)-1]
		}
	}
	if v == "" || len(v) > 15 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(v[i]-'0')
	}
	if n > (1<<62)/mult {
		return 0, false
	}
	return n * mult, true
}

func (b *CompressBuilder) addByType(f Filter, types []string) {
	for i := range b.dir.ByType {
		if b.dir.ByType[i].Filter == f {
			// add_filter on an existing BYTYPE:NAME adds a provider: the
			// types accumulate, the chain position stays.
			b.dir.ByType[i].Types = append(append([]string(nil), b.dir.ByType[i].Types...), types...)
			return
		}
	}
	b.dir.ByType = append(b.dir.ByType, ByTypeFilter{Filter: f, Types: append([]string(nil), types...)})
}

// setExt maps each extension (lower case, one leading dot dropped, as
// mod_mime's add_extension_info) to fs.
func (b *CompressBuilder) setExt(exts []string, fs []Filter) {
	if b.dir.ByExt == nil {
		b.dir.ByExt = map[string][]Filter{}
	}
	for _, e := range exts {
		e = strings.TrimPrefix(strings.ToLower(e), ".")
		b.dir.ByExt[e] = fs
	}
}
