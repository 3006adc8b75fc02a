package autoindex

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/internal/aptext"
	"github.com/valyala/fasthttp"
)

// DefaultMaxEntries is the number of directory entries a listing holds
// when Request.MaxEntries is 0. Apache reads and sorts every entry; this
// package does the same up to the cap, then stops reading (the listing
// shows the first MaxEntries entries the directory yields, sorted) and
// says so in Listing.Truncated. Measured on this machine (see
// BenchmarkList100k): 100,000 entries cost about 14 MB held while the
// listing is written and ~130 ms, so the default allows 200,000 (~30 MB).
const DefaultMaxEntries = 200_000

// streamThreshold is the entry count above which Serve streams the body
// (fasthttp SetBodyStreamWriter, chunked) instead of building it in the
// response buffer: a 100,000-entry HTMLTable listing is ~25 MB of HTML.
const streamThreshold = 512

// Status of an entry's subrequest, as Request.Access answers it.
const (
	StatusOK        = http.StatusOK
	StatusForbidden = http.StatusForbidden
)

// Request is what a listing needs from the request and the site.
type Request struct {
	// URI is the request's decoded path (r->uri), ending in '/'.
	URI string
	// Filename is the directory's file system path (r->filename) ending
	// in '/'; IndexIgnore, AddIcon, AddAlt and AddDescription patterns are
	// matched against Filename + entry name, as in Apache.
	Filename string
	// Query is the raw query string without '?' (r->args).
	Query string
	// FS is the directory itself, confined: for example
	// root.FS() of an *os.Root opened on Filename. Entries are read with
	// fs.ReadDirFile in batches, symbolic links are followed with fs.Stat.
	FS fs.FS
	// Types is mod_mime's answer for an entry name: the content type
	// (parameters allowed, "" when none) and content encoding ("" when
	// none). Nil: no types, so only AddIcon/AddAlt (by path) apply.
	Types func(name string) (contentType, contentEncoding string)
	// Access is the status a subrequest for the entry would get (access
	// control, authentication): 2xx and 3xx list it, 401 and 403 hide it
	// unless IndexOptions ShowForbidden, anything else hides it. Nil: 200.
	// It is also asked for HeaderName and ReadmeName files.
	Access func(name string, isDir bool) int
	// Include opens a HeaderName or ReadmeName that contains a '/' (a URL
	// path, relative to URI or absolute), as Apache's subrequest would:
	// the file, its content type, and whether it is a readable regular
	// file the client may access. Nil: such names show nothing. Names
	// without '/' are looked up in FS, typed by Types, checked by Access.
	Include func(uri string) (f fs.File, contentType string, ok bool)
	// Signature is ap_psignature's text for the end of the listing
	// ("" with ServerSignature Off, gohttpd's setting: no <address> line).
	Signature string
	// Location is the time zone of the Last modified column (Apache uses
	// the server's local time); nil is time.Local.
	Location *time.Location
	// MaxEntries caps the entries held (DefaultMaxEntries when 0).
	MaxEntries int
}

// Listing says what Write did.
type Listing struct {
	// Entries is the number of rows, the parent directory included.
	Entries int
	// Truncated is set when the directory had more than MaxEntries
	// entries to list; the integrator should log it.
	Truncated bool
}

// ContentType is the listing's Content-Type (index_directory):
// "text/html;charset=ISO-8859-1" unless IndexOptions Type= or Charset=.
func ContentType(cfg *conf.AutoindexConfig) string {
	ctype, charset := "text/html", "ISO-8859-1"
	if cfg.ContentType != nil {
		ctype = *cfg.ContentType
	}
	if cfg.Charset != nil {
		charset = *cfg.Charset
	}
	if charset == "" {
		return ctype
	}
	return ctype + ";charset=" + charset
}

// Serve answers a GET or HEAD for a directory that has no DirectoryIndex
// file and where Options Indexes is on, with the merged configuration
// cfg. It reads and sorts the entries before it returns, and writes the
// body into ctx, streamed when the directory is large. It returns 403
// when the directory cannot be read (AH01275, logged by the caller with
// the error); the caller then serves its error page.
func Serve(ctx *fasthttp.RequestCtx, cfg *conf.AutoindexConfig, req *Request) (Listing, int, error) {
	l, err := newLister(cfg, req)
	if err != nil {
		return Listing{}, fasthttp.StatusForbidden, err
	}
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.Response.Header.SetContentType(ContentType(cfg))
	if l.opts&conf.IndexTrackModified != 0 {
		if fi, err := fs.Stat(req.FS, "."); err == nil {
			ctx.Response.Header.Set(fasthttp.HeaderLastModified, fi.ModTime().UTC().Format(http.TimeFormat))
		}
	}
	if ctx.IsHead() {
		l.dir.Close()
		return Listing{}, fasthttp.StatusOK, nil
	}
	res := l.read()
	if len(l.ents) <= streamThreshold {
		bw := bufio.NewWriterSize(ctx.Response.BodyWriter(), 4096)
		l.write(bw)
		return res, fasthttp.StatusOK, bw.Flush()
	}
	// The stream writer runs after the handler returns: it must not touch
	// ctx, only the lister, which owns everything it needs.
	ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		l.write(w)
		_ = w.Flush()
	})
	return res, fasthttp.StatusOK, nil
}

// Write writes the listing's body to w (for tests and for callers that
// are not fasthttp): what Serve sends for a GET.
func Write(w io.Writer, cfg *conf.AutoindexConfig, req *Request) (Listing, error) {
	l, err := newLister(cfg, req)
	if err != nil {
		return Listing{}, err
	}
	res := l.read()
	bw := bufio.NewWriterSize(w, 4096)
	l.write(bw)
	return res, bw.Flush()
}

// entry is struct ent.
type entry struct {
	name  string // entry name, '/' appended for directories; the parent's URI for the parent
	icon  *string
	alt   *string
	desc  *string
	size  int64
	lm    int64 // microseconds (apr_time_t), -1 for none
	isdir bool  // for FoldersFirst only
}

// lister is one listing: the request's settings after the query string.
type lister struct {
	cfg       *conf.AutoindexConfig
	req       *Request
	dir       fs.ReadDirFile
	opts      int32
	key, dirn byte
	colargs   string
	pattern   string
	hasPat    bool
	loc       *time.Location
	ents      []entry
	header    *included
	readme    *included
	max       int
	scratch   []byte
}

func newLister(cfg *conf.AutoindexConfig, req *Request) (*lister, error) {
	f, err := req.FS.Open(".")
	if err != nil {
		return nil, fmt.Errorf("autoindex: AH01275: Can't open directory for index: %s: %w", req.Filename, err)
	}
	d, ok := f.(fs.ReadDirFile)
	if !ok {
		f.Close()
		return nil, fmt.Errorf("autoindex: AH01275: Can't open directory for index: %s: %w", req.Filename, errors.ErrUnsupported)
	}
	if !strings.HasSuffix(req.Filename, "/") {
		// handle_autoindex's KLUDGE: r->filename gets its '/'.
		r := *req
		r.Filename += "/"
		req = &r
	}
	l := &lister{cfg: cfg, req: req, dir: d, opts: cfg.Opts, key: 'N', dirn: 'A', loc: req.Location, max: req.MaxEntries}
	if l.loc == nil {
		l.loc = time.Local
	}
	if l.max <= 0 {
		l.max = DefaultMaxEntries
	}
	if cfg.DefaultKey != 0 {
		l.key = cfg.DefaultKey
	}
	if cfg.DefaultDirection != 0 {
		l.dirn = cfg.DefaultDirection
	}
	l.query()
	return l, nil
}

// query reads the client's C=, O=, F=, V= and P= arguments as
// index_directory does.
func (l *lister) query() {
	if l.opts&conf.IndexIgnoreClient != 0 {
		l.opts |= conf.IndexSuppressColSort
		return
	}
	var fval, vval, ppre, epattern string
	q := l.req.Query
	sep := func(i int) bool { return i >= len(q) || q[i] == '&' || q[i] == ';' }
	adv := func() {
		if len(q) > 3 {
			q = q[4:]
		} else {
			q = ""
		}
	}
	for q != "" {
		switch {
		case len(q) >= 3 && q[0] == 'C' && q[1] == '=' && strings.IndexByte("NMSD", q[2]) >= 0 && sep(3):
			l.key = q[2]
			adv()
		case len(q) >= 3 && q[0] == 'O' && q[1] == '=' && (q[2] == 'A' || q[2] == 'D') && sep(3):
			l.dirn = q[2]
			adv()
		case len(q) >= 3 && q[0] == 'F' && q[1] == '=' && strings.IndexByte("012", q[2]) >= 0 && sep(3):
			switch q[2] {
			case '0':
				l.opts &^= conf.IndexFancy | conf.IndexTable
			case '1':
				l.opts = (l.opts | conf.IndexFancy) &^ conf.IndexTable
			case '2':
				l.opts |= conf.IndexFancy | conf.IndexTable
			}
			fval = ";F=" + q[2:3]
			adv()
		case len(q) >= 3 && q[0] == 'V' && q[1] == '=' && (q[2] == '0' || q[2] == '1') && sep(3):
			if q[2] == '0' {
				l.opts &^= conf.IndexVersionSort
			} else {
				l.opts |= conf.IndexVersionSort
			}
			vval = ";V=" + q[2:3]
			adv()
		case len(q) >= 2 && q[0] == 'P' && q[1] == '=':
			q = q[2:]
			eos := 0
			for eos < len(q) && q[eos] != '&' && q[eos] != ';' {
				eos++
			}
			if eos == 0 {
				l.hasPat = false
			} else if p, ok := unescapeURL(q[:eos]); ok {
				l.pattern, l.hasPat = p, true
				ppre = ";P="
				epattern = string(appendOSPath(nil, p, true))
			} else {
				l.hasPat = false
			}
			if eos+1 < len(q) {
				q = q[eos+1:]
			} else {
				q = ""
			}
		default:
			q = "" // syntax error: ignore the rest
		}
	}
	l.colargs = fval + vval + ppre + epattern
}

// read collects the entries: the parent, then the directory's, and sorts
// them.
func (l *lister) read() Listing {
	defer l.dir.Close()
	var res Listing
	if p, ok := l.parent(); ok {
		l.ents = append(l.ents, p)
	}
	for {
		batch, err := l.dir.ReadDir(256)
		for _, de := range batch {
			if len(l.ents) >= l.max {
				res.Truncated = true
				break
			}
			if e, ok := l.entry(de); ok {
				l.ents = append(l.ents, e)
			}
		}
		if err != nil || len(batch) == 0 || res.Truncated {
			break
		}
	}
	slices.SortFunc(l.ents, l.compare)
	l.open()
	res.Entries = len(l.ents)
	return res
}

// parent is make_parent_entry.
func (l *lister) parent() (entry, bool) {
	uri := l.req.URI
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	if uri == "/" || !strings.HasPrefix(uri, "/") {
		return entry{}, false
	}
	name := uri[:strings.LastIndexByte(uri[:len(uri)-1], '/')+1]
	testpath := l.req.Filename + ".."
	if l.ignored(testpath) {
		return entry{}, false
	}
	p := entry{name: name, size: -1, lm: -1}
	if l.opts&conf.IndexFancy != 0 {
		if p.icon = findItem("", "", testpath, l.cfg.Icons, true); p.icon == nil {
			p.icon = findItem("", "", "^^DIRECTORY^^", l.cfg.Icons, true)
		}
		if p.alt = findItem("", "", testpath, l.cfg.Alts, true); p.alt == nil {
			if p.alt = findItem("", "", "^^DIRECTORY^^", l.cfg.Alts, true); p.alt == nil {
				p.alt = &parentAlt
			}
		}
		p.desc = findDesc(l.cfg.Descs, testpath)
	}
	return p, true
}

var (
	parentAlt = "PARENTDIR"
	dirAlt    = "DIR"
)

// ignored is ignore_entry.
func (l *lister) ignored(path string) bool {
	tt := path[strings.LastIndexByte(path, '/')+1:]
	for i := range l.cfg.Ignore {
		p := &l.cfg.Ignore[i]
		ap := p.To[strings.LastIndexByte(p.To, '/')+1:]
		if strcmpMatch(path, p.Path, false) == 0 && strcmpMatch(tt, ap, false) == 0 {
			return true
		}
	}
	return false
}

// entry is make_autoindex_entry.
func (l *lister) entry(de fs.DirEntry) (entry, bool) {
	name := de.Name()
	if name == "." || name == ".." {
		return entry{}, false
	}
	if l.hasPat && !fnmatch(l.pattern, name, fnmNoEscape|fnmPeriod) {
		return entry{}, false
	}
	full := l.req.Filename + name
	if l.ignored(full) {
		return entry{}, false
	}
	var fi fs.FileInfo
	var err error
	if de.Type()&fs.ModeSymlink != 0 {
		fi, err = fs.Stat(l.req.FS, name)
	} else {
		fi, err = de.Info()
	}
	if err != nil {
		return entry{}, false
	}
	isDir := fi.IsDir()
	if !isDir && !fi.Mode().IsRegular() {
		return entry{}, false
	}
	status := StatusOK
	if l.req.Access != nil {
		if status = l.req.Access(name, isDir); status == 0 {
			status = StatusOK
		}
	}
	showForbidden := l.opts&conf.IndexShowForbidden != 0 && (status == http.StatusUnauthorized || status == http.StatusForbidden)
	if !(status >= 200 && status < 400) && !showForbidden {
		return entry{}, false
	}
	e := entry{name: name, size: -1, lm: -1}
	if isDir {
		e.name = name + "/"
	}
	if l.opts&(conf.IndexFancy|conf.IndexTable) != 0 {
		e.lm = fi.ModTime().UnixMicro()
		if isDir {
			e.isdir = l.opts&conf.IndexFoldersFirst != 0
			if e.icon = findItem("", "", full, l.cfg.Icons, true); e.icon == nil {
				e.icon = findItem("", "", "^^DIRECTORY^^", l.cfg.Icons, true)
			}
			if e.alt = findItem("", "", full, l.cfg.Alts, true); e.alt == nil {
				if e.alt = findItem("", "", "^^DIRECTORY^^", l.cfg.Alts, true); e.alt == nil {
					e.alt = &dirAlt
				}
			}
		} else {
			var ctype, enc string
			if l.req.Types != nil {
				ctype, enc = l.req.Types(name)
			}
			ctype = noParam(ctype)
			e.icon = findItem(ctype, enc, full, l.cfg.Icons, false)
			e.alt = findItem(ctype, enc, full, l.cfg.Alts, false)
			e.size = fi.Size()
			if e.desc = findDesc(l.cfg.Descs, full); e.desc == nil && l.opts&conf.IndexScanHTMLTitles != 0 && enc == "" &&
				(isHTML(ctype) || ctype == "text/x-server-parsed-html") {
				e.desc = l.title(name)
			}
		}
		if isDir {
			e.desc = findDesc(l.cfg.Descs, full)
		}
	}
	if l.key == 'M' && e.lm < 0 {
		e.lm = 0
	}
	return e, true
}

// noParam is ap_field_noparam: the value before ';', trailing blanks cut.
func noParam(s string) string {
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimRight(s, " \t")
}

func isHTML(ctype string) bool {
	return strings.EqualFold(ctype, "text/html") || strings.EqualFold(ctype, "application/xhtml+xml")
}

// findItem is find_item; "" stands for a NULL type or encoding.
func findItem(ctype, enc, path string, list []conf.IndexItem, pathOnly bool) *string {
	special := path != "" && path[0] == '^'
	for i := range list {
		p := &list[i]
		if !special && strcmpMatch(path, p.Path, false) != 0 {
			continue
		}
		switch {
		case p.To == "":
			return &p.Data
		case p.By == conf.IndexByPath || special:
			if strcmpMatch(path, p.To, false) == 0 {
				return &p.Data
			}
		case !pathOnly:
			if enc == "" {
				if p.By == conf.IndexByType && ctype != "" && strcmpMatch(ctype, p.To, true) == 0 {
					return &p.Data
				}
			} else if p.By == conf.IndexByEncoding && strcmpMatch(enc, p.To, true) == 0 {
				return &p.Data
			}
		}
	}
	return nil
}

// findDesc is find_desc.
func findDesc(list []conf.IndexDesc, full string) *string {
	only := full[strings.LastIndexByte(full, '/')+1:]
	for i := range list {
		t := &list[i]
		name := only
		if t.FullPath {
			name = full
		}
		var found bool
		if t.Wildcards {
			found = fnmatch(t.Pattern, name, 0)
		} else {
			found = strings.Contains(name, t.Pattern)
		}
		if found {
			return &t.Description
		}
	}
	return nil
}

// title is find_title (ScanHTMLTitles): the text of the first <title> in
// the first 8 KB of an HTML file, line breaks made spaces.
func (l *lister) title(name string) *string {
	f, err := l.req.FS.Open(name)
	if err != nil {
		return nil
	}
	defer f.Close()
	buf := make([]byte, 8191)
	n, _ := io.ReadFull(f, buf)
	buf = buf[:n]
	if i := indexByte(string(buf), 0); i >= 0 {
		buf = buf[:i]
	}
	const find = "<title>"
	p := 0
	for x := 0; x < len(buf); x++ {
		if lower(buf[x]) != find[p] {
			p = 0
			continue
		}
		if p++; p < len(find) {
			continue
		}
		x++
		rest := buf[x:]
		if i := indexByte(string(rest), '<'); i >= 0 {
			rest = rest[:i]
		}
		out := make([]byte, 0, len(rest))
		start := true
		for _, c := range rest {
			if c == '\r' || c == '\n' {
				if start {
					continue
				}
				c = ' '
			}
			start = false
			out = append(out, c)
		}
		s := string(out)
		return &s
	}
	return nil
}

// compare is dsortf.
func (l *lister) compare(a, b entry) int {
	if a.name[0] == '/' {
		return -1
	}
	if b.name[0] == '/' {
		return 1
	}
	if a.isdir != b.isdir {
		if a.isdir {
			return -1
		}
		return 1
	}
	c1, c2 := &a, &b
	if l.dirn != 'A' {
		c1, c2 = c2, c1
	}
	version := l.opts&conf.IndexVersionSort != 0
	switch l.key {
	case 'M':
		if c1.lm != c2.lm {
			if c1.lm > c2.lm {
				return 1
			}
			return -1
		}
	case 'S':
		if c1.size != c2.size {
			if c1.size > c2.size {
				return 1
			}
			return -1
		}
	case 'D':
		d1, d2 := "", ""
		if c1.desc != nil {
			d1 = *c1.desc
		}
		if c2.desc != nil {
			d2 = *c2.desc
		}
		var r int
		if version {
			r = natcmp(d1, d2, false)
		} else {
			r = strings.Compare(d1, d2)
		}
		if r != 0 {
			return r
		}
	}
	r := 0
	fold := l.opts&conf.IndexIgnoreCase != 0
	if version {
		if fold {
			r = natcmp(c1.name, c2.name, true)
		}
		if r == 0 {
			r = natcmp(c1.name, c2.name, false)
		}
	}
	if r == 0 && fold {
		r = aptext.Strcasecmp(c1.name, c2.name)
	}
	if r == 0 {
		r = strings.Compare(c1.name, c2.name)
	}
	return r
}

// itoa is a small helper for the width and height attributes.
func itoa(n int) string { return strconv.Itoa(n) }
