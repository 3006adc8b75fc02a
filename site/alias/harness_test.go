package alias

// A small Apache-shaped site for the tests: it reads the subset of
// httpd.conf that testdata/apache uses (sections, Alias*, Redirect*, mod_dir,
// ErrorDocument, Require all), builds the configuration with conf's
// builders, and answers requests the way the package documentation tells
// the integrator to: Translate, the section walk, access, Fixup, DirFixup,
// then errordoc for every error or redirect status.

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/errordoc"
)

type tsection struct {
	kind  conf.AliasContext
	path  string
	alias *conf.AliasDir
	dir   conf.ModDirBuilder
	docs  conf.ErrorDocBuilder
	deny  int // 0 unset, 1 denied, 2 granted
	order int
}

type tserver struct {
	top       *tsection
	dirs      []*tsection
	locs      []*tsection
	docroot   string
	srv       *conf.AliasServer
	page      errordoc.Page
	dirConfig map[*tsection]*conf.ModDirConfig
	docsOf    map[*tsection]conf.ErrorDocs
}

// splitConf is ap_getword_conf for one line: words, "..." and '...' with
// \" (\') and \\ unescaped; an unterminated quote runs to the end.
func splitConf(line string) []string {
	var out []string
	for {
		line = strings.TrimLeft(line, " \t")
		if line == "" {
			return out
		}
		q := line[0]
		if q == '"' || q == '\'' {
			var b strings.Builder
			i := 1
			for ; i < len(line) && line[i] != q; i++ {
				if line[i] == '\\' && i+1 < len(line) && (line[i+1] == q || line[i+1] == '\\') {
					i++
				}
				b.WriteByte(line[i])
			}
			out = append(out, b.String())
			if i < len(line) {
				i++
			}
			line = line[i:]
			continue
		}
		i := strings.IndexAny(line, " \t")
		if i < 0 {
			i = len(line)
		}
		out = append(out, line[:i])
		line = line[i:]
	}
}

// loadServer reads testdata/apache/<file>; with vhost, the server is the
// <VirtualHost>'s merged onto the main server's (the tests send every
// request to the virtual host, as Apache's address-based match does).
func loadServer(file, base string, vhost bool) (*tserver, error) {
	f, err := os.Open(filepath.Join(base, file))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	mainB := &conf.AliasBuilder{ServerRoot: base}
	vB := &conf.AliasBuilder{ServerRoot: base}
	s := &tserver{top: &tsection{alias: &conf.AliasDir{}}, page: errordoc.Page{Doctype: errordoc.DoctypeHTML401}}
	var cur *tsection
	inV := false
	order := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.ReplaceAll(strings.TrimSpace(sc.Text()), "/tmp/alias-ap", base)
		if line == "" || line[0] == '#' {
			continue
		}
		w := splitConf(line)
		name := strings.ToLower(w[0])
		switch {
		case name == "<virtualhost":
			inV = true
			continue
		case name == "</virtualhost>":
			inV = false
			continue
		case name == "<directory" || name == "<location":
			order++
			cur = &tsection{alias: &conf.AliasDir{}, path: strings.TrimSuffix(w[1], ">"), order: order}
			if name == "<directory" {
				cur.kind = conf.AliasInDirectory
				s.dirs = append(s.dirs, cur)
			} else {
				cur.kind = conf.AliasInLocation
				s.locs = append(s.locs, cur)
			}
			if !inV && vhost {
				// main server sections come first in the merged list.
				cur.order -= 1000
			}
			continue
		case strings.HasPrefix(name, "</"):
			cur = nil
			continue
		case name == "documentroot":
			s.docroot = w[1]
			continue
		}
		sec := cur
		if sec == nil {
			sec = s.top
		}
		b := mainB
		if inV {
			b = vB
		}
		ctx, path := conf.AliasInServer, ""
		if cur != nil {
			ctx, path = cur.kind, cur.path
		}
		switch name {
		case "alias", "aliasmatch", "redirect", "redirectmatch", "redirectpermanent", "redirecttemp",
			"redirectrelative", "aliaspreservepath":
			if err := b.Directive(sec.alias, ctx, path, w[0], w[1:]); err != nil {
				return nil, errors.New(line + ": " + err.Error())
			}
		case "directoryindex", "directoryslash", "fallbackresource":
			if err := sec.dir.Directive(w[0], w[1:]); err != nil {
				return nil, err
			}
		case "errordocument":
			if _, err := sec.docs.Directive(w[1:]); err != nil {
				if strings.Contains(line, "%{") {
					continue // refused by gohttpd: %{VAR} (httpd2.conf's /edexpr)
				}
				return nil, err
			}
		case "require":
			if w[2] == "denied" {
				sec.deny = 1
			} else {
				sec.deny = 2
			}
		}
	}
	if vhost {
		s.srv = conf.MergeAliasServer(mainB.Server(), vB.Server())
	} else {
		s.srv = mainB.Server()
	}
	// <Directory> sections by depth (stable: main server's first).
	sort.SliceStable(s.dirs, func(i, j int) bool {
		return strings.Count(s.dirs[i].path, "/") < strings.Count(s.dirs[j].path, "/")
	})
	sort.SliceStable(s.locs, func(i, j int) bool { return s.locs[i].order < s.locs[j].order })
	s.dirConfig = make(map[*tsection]*conf.ModDirConfig)
	s.docsOf = make(map[*tsection]conf.ErrorDocs)
	// Everything goes through the JSON snapshot, as in a child process.
	if err := roundTrip(&s.srv); err != nil {
		return nil, err
	}
	for _, sec := range append(append([]*tsection{s.top}, s.dirs...), s.locs...) {
		s.dirConfig[sec] = sec.dir.Config()
		s.docsOf[sec] = sec.docs.Docs()
		dc, docs := s.dirConfig[sec], s.docsOf[sec]
		for _, v := range []any{&sec.alias, &dc, &docs} {
			if err := roundTrip(v); err != nil {
				return nil, err
			}
		}
		s.dirConfig[sec], s.docsOf[sec] = dc, docs
	}
	return s, sc.Err()
}

// roundTrip replaces *v with its JSON encoding decoded again.
func roundTrip(v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// merged is a request's merged per-directory configuration.
type merged struct {
	alias *conf.AliasDir
	dir   *conf.ModDirConfig
	docs  conf.ErrorDocs
	deny  bool
}

func (s *tserver) merge(chain []*tsection) merged {
	var m merged
	for _, sec := range chain {
		m.alias = conf.MergeAliasDir(m.alias, sec.alias)
		m.dir = conf.MergeModDir(m.dir, s.dirConfig[sec])
		m.docs = conf.MergeErrorDocs(m.docs, s.docsOf[sec])
		if sec.deny != 0 {
			m.deny = sec.deny == 1
		}
	}
	return m
}

func (s *tserver) locations(uri string) []*tsection {
	chain := []*tsection{s.top}
	for _, l := range s.locs {
		if strings.HasPrefix(uri, l.path) {
			chain = append(chain, l)
		}
	}
	return chain
}

// full is the section chain for a file: the server, <Directory> sections
// containing it (by depth), then <Location> sections.
func (s *tserver) full(filename, uri string) []*tsection {
	chain := []*tsection{s.top}
	for _, d := range s.dirs {
		p := strings.TrimSuffix(d.path, "/")
		if p == "" || filename == p || strings.HasPrefix(filename, p+"/") {
			chain = append(chain, d)
		}
	}
	return append(chain, s.locations(uri)[1:]...)
}

// response is what the test site answers.
type response struct {
	status      int
	location    string
	contentType string
	body        string
}

// outcome of mapping a request (or a sub-request) without the handler.
type outcome struct {
	status    int // 0: go on
	location  string
	recursive int
	file      string
	isDir     bool
	missing   bool
	m         merged
	req       Request
}

func (s *tserver) mapRequest(uri, args, host string) outcome {
	req := Request{URI: uri, Args: args, ConstructURL: func(p string) string { return "http://" + host + p }}
	loc := s.merge(s.locations(uri))
	res := Translate(&req, s.srv, loc.alias)
	if res.Status != 0 {
		return outcome{status: res.Status, location: res.Location, recursive: res.Recursive, m: loc, req: req}
	}
	file := res.Filename
	if file == "" {
		file = s.docroot + uri
	}
	dirPath := file
	fi, err := os.Stat(file)
	o := outcome{file: file, req: req}
	switch {
	case err == nil && fi.IsDir():
		o.isDir = true
	case err == nil:
		dirPath = filepath.Dir(file)
	case errors.Is(err, fs.ErrNotExist):
		o.missing = true
		dirPath = filepath.Dir(file)
	}
	o.m = s.merge(s.full(strings.TrimSuffix(dirPath, "/"), uri))
	if o.m.deny {
		o.status = 403
		return o
	}
	if r := Fixup(&req, o.m.alias); r.Status != 0 {
		o.status, o.location = r.Status, r.Location
	}
	return o
}

func (s *tserver) serve(method, uri, args, host string) response {
	o := s.mapRequest(uri, args, host)
	if o.recursive != 0 {
		body := s.page.Render(&errordoc.PageInfo{Status: o.status, Recursive: o.recursive})
		return response{status: o.status, contentType: errordoc.TextContentType, body: string(body)}
	}
	if o.status != 0 {
		return s.die(o.status, o.location, o.m.docs, method, uri, args, host)
	}
	file := o.file
	if o.isDir || o.missing {
		d := DirFixup(&DirRequest{
			URI: uri, Args: args, IsDir: o.isDir, Missing: o.missing,
			ConstructURL: o.req.ConstructURL,
			Lookup: func(sub string) SubResult {
				p, q, _ := strings.Cut(sub, "?")
				so := s.mapRequest(p, q, host)
				if so.status != 0 {
					return SubResult{Status: so.status, Location: so.location}
				}
				if so.missing {
					return SubResult{Status: 404}
				}
				return SubResult{Status: 200, Regular: !so.isDir, Filename: so.file}
			},
		}, o.m.dir)
		switch d.Action {
		case DirRedirect, DirError:
			return s.die(d.Status, d.Location, o.m.docs, method, uri, args, host)
		case DirServe:
			file = d.Sub.Filename
		default:
			return s.die(404, "", o.m.docs, method, uri, args, host)
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return s.die(404, "", o.m.docs, method, uri, args, host)
	}
	return response{status: 200, contentType: contentType(file), body: string(b)}
}

func contentType(file string) string {
	switch filepath.Ext(file) {
	case ".html":
		return "text/html"
	case ".txt":
		return "text/plain"
	}
	return ""
}

// die is ap_die: the ErrorDocument for status, or the canned page.
func (s *tserver) die(status int, location string, docs conf.ErrorDocs, method, uri, args, host string) response {
	d := errordoc.Decide(docs, status)
	canned := func(st int, loc string, recursive int) response {
		body := s.page.Render(&errordoc.PageInfo{Status: st, Method: method, Location: loc, Recursive: recursive})
		return response{status: st, location: loc, contentType: errordoc.TextContentType, body: string(body)}
	}
	switch d.Action {
	case errordoc.Text:
		return response{status: status, contentType: errordoc.TextContentType, body: d.Body}
	case errordoc.External:
		return canned(302, d.Location, 0)
	case errordoc.Internal:
		p, q, _ := strings.Cut(d.URI, "?")
		o := s.mapRequest(p, q, host)
		if o.status != 0 || o.missing || o.isDir {
			return canned(status, location, status)
		}
		b, err := os.ReadFile(o.file)
		if err != nil {
			return canned(status, location, status)
		}
		return response{status: status, contentType: contentType(o.file), body: string(b)}
	}
	return canned(status, location, 0)
}
