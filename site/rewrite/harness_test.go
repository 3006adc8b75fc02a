package rewrite

// A minimal integrator used by the Apache comparison tests: it maps
// requests as Apache's core does for a single virtual host (translate
// name with the server-context rules, DocumentRoot, a directory walk
// reading .htaccess files, the per-directory rules, internal redirects
// with LimitInternalRecursion 10, mod_dir's index and trailing slash,
// and the default handler's 404 for path info). It shows the integrator
// how Server and Dir are meant to be called.

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/valyala/fasthttp"
)

type site struct {
	docroot    string
	serverName string
	server     *Ruleset
	// htaccess caches the compiled per-directory scopes by directory.
	limit int
	log   []string
}

// readRewrite feeds the mod_rewrite lines of an Apache file to a builder
// (only the top level: <IfModule> lines are skipped, other sections too).
func readRewrite(file, dir string) (*conf.RewriteConfig, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := conf.RewriteBuilder{Dir: dir}
	sc := bufio.NewScanner(f)
	depth := 0
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#':
			continue
		case strings.HasPrefix(line, "</"):
			depth--
			continue
		case strings.HasPrefix(line, "<IfModule"):
			continue
		case strings.HasPrefix(line, "<"):
			depth++
			continue
		}
		if depth > 0 && dir == "" {
			continue
		}
		name, rest, _ := strings.Cut(line, " ")
		if !strings.HasPrefix(strings.ToLower(name), "rewrite") {
			continue
		}
		if err := b.Directive(name, rest, fmt.Sprintf("%s:%d", file, n)); err != nil {
			return nil, &conf.Error{File: file, Line: n, Directive: name, Err: err}
		}
	}
	return b.Finish()
}

func newSite(confFile, docroot, serverName string) (*site, error) {
	sc, err := readRewrite(confFile, "")
	if err != nil {
		return nil, err
	}
	// Children get the configuration as JSON: serve from a round trip.
	data, err := json.Marshal(sc)
	if err != nil {
		return nil, err
	}
	sc = nil
	if err := json.Unmarshal(data, &sc); err != nil {
		return nil, err
	}
	rs, err := Compile(sc)
	if err != nil {
		return nil, err
	}
	return &site{docroot: docroot, serverName: serverName, server: rs, limit: 10}, nil
}

type ctxHeaders struct{ ctx *fasthttp.RequestCtx }

func (h ctxHeaders) Header(name string) (string, bool) {
	v := h.ctx.Request.Header.Peek(name)
	if v == nil {
		return "", false
	}
	return string(v), true
}

type mapEnv map[string]string

func (m mapEnv) Getenv(name string) (string, bool) {
	v, ok := m[name]
	return v, ok
}

// answer is what the client gets.
type answer struct {
	status   int
	location string
	body     string
	env      mapEnv
	// cookies, vary and ctype come from the rules (Set-Cookie, Vary,
	// a T= Content-Type).
	cookies     []string
	vary, ctype string
}

// serve processes one request (method, host header, request target).
func (s *site) serve(ctx *fasthttp.RequestCtx) answer {
	var side answer
	a := s.serve0(ctx, &side)
	a.cookies, a.vary = side.cookies, side.vary
	if a.status == 200 && side.ctype != "" {
		a.ctype = side.ctype
	}
	return a
}

func (side *answer) add(res Result) {
	side.cookies = append(side.cookies, res.Cookies...)
	if res.Vary != "" {
		if side.vary != "" {
			side.vary += ", "
		}
		side.vary += res.Vary
	}
	if res.Type != "" {
		side.ctype = res.Type
	}
}

func (s *site) serve0(ctx *fasthttp.RequestCtx, side *answer) answer {
	host := string(ctx.Host())
	port := 80
	if h, p, err := net.SplitHostPort(host); err == nil {
		host = h
		port, _ = strconv.Atoi(p)
	}
	env := mapEnv{}
	uri := string(ctx.Path())
	query := string(ctx.URI().QueryString())
	end := false
	for redirects := 0; ; redirects++ {
		if redirects > s.limit {
			s.log = append(s.log, "AH00124: Request exceeded the limit of 10 internal redirects due to probable configuration error. Use 'LimitInternalRecursion' to increase the limit if necessary. Use 'LogLevel debug' to get a backtrace.")
			return answer{status: 500, env: env}
		}
		req := &Request{
			Method: string(ctx.Method()), URI: uri, Query: query, Scheme: "http",
			ServerName: host, ServerPort: port, RemoteAddr: "127.0.0.1",
			TheRequest:   string(ctx.Method()) + " " + string(ctx.RequestURI()) + " HTTP/1.1",
			Protocol:     "HTTP/1.1",
			DocumentRoot: s.docroot, Headers: ctxHeaders{ctx}, Env: env, End: end,
		}
		res := Server(s.server, req)
		apply(env, res.Env)
		side.add(res)
		end = end || res.End
		if res.QueryChanged {
			query = res.Query
		}
		var filename string
		switch res.Action {
		case Redirect:
			return answer{status: res.Status, location: res.Location, env: env}
		case Status:
			return answer{status: res.Status, env: env}
		case File:
			filename = res.Filename
		case PassThrough:
			filename = s.docroot + res.URI
		default:
			filename = s.docroot + uri
		}
		// directory walk: filename up to the first missing segment,
		// the rest is path info; .htaccess files on the way.
		file, pathInfo, dirs := s.walk(filename)
		var dconf *conf.RewriteConfig
		dconf = conf.MergeRewriteDir(dconf, s.server.Config())
		for _, d := range dirs {
			c, err := readRewrite(filepath.Join(d, ".htaccess"), d)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				return answer{status: 500, env: env}
			}
			dconf = conf.MergeRewriteDir(dconf, c)
		}
		rs, err := Compile(dconf)
		if err != nil {
			return answer{status: 500, env: env}
		}
		req.Filename, req.PathInfo, req.Query, req.End = file, pathInfo, query, end
		dres := Dir(rs, req)
		apply(env, dres.Env)
		side.add(dres)
		end = end || dres.End
		switch dres.Action {
		case Redirect:
			return answer{status: dres.Status, location: dres.Location, env: env}
		case Status:
			return answer{status: dres.Status, env: env}
		case InternalRedirect:
			uri, query = dres.URI, dres.Query
			// ap_internal_redirect: the environment is renamed REDIRECT_*.
			for k, v := range env {
				delete(env, k)
				env["REDIRECT_"+k] = v
			}
			continue
		}
		return s.handler(file, pathInfo, uri, env)
	}
}

func apply(env mapEnv, vars []EnvVar) {
	for _, e := range vars {
		if e.Unset {
			delete(env, e.Name)
		} else {
			env[e.Name] = e.Value
		}
	}
}

// walk splits a file name as ap_directory_walk does and lists the
// directories from the document root down whose .htaccess apply.
func (s *site) walk(filename string) (file, pathInfo string, dirs []string) {
	rel := strings.TrimPrefix(filename, s.docroot)
	if rel == filename {
		return filename, "", nil
	}
	dirs = []string{s.docroot + "/"}
	cur := s.docroot
	segs := strings.Split(strings.TrimPrefix(rel, "/"), "/")
	for i, seg := range segs {
		if seg == "" {
			if i == len(segs)-1 {
				return cur + "/", "", dirs
			}
			continue
		}
		next := cur + "/" + seg
		fi, err := os.Stat(next)
		if err != nil {
			return next, strings.Join(append([]string{""}, segs[i+1:]...), "/"), dirs
		}
		if !fi.IsDir() {
			rest := ""
			if i+1 < len(segs) {
				rest = "/" + strings.Join(segs[i+1:], "/")
			}
			return next, rest, dirs
		}
		cur = next
		dirs = append(dirs, cur+"/")
	}
	return cur, "", dirs
}

// handler is mod_dir plus the default handler.
func (s *site) handler(file, pathInfo, uri string, env mapEnv) answer {
	if pathInfo != "" && pathInfo != "/" {
		return answer{status: 404, env: env}
	}
	fi, err := os.Stat(file)
	if err != nil {
		return answer{status: 404, env: env}
	}
	if fi.IsDir() {
		if !strings.HasSuffix(uri, "/") {
			return answer{status: 301, location: "http://main.test" + uri + "/", env: env}
		}
		file = filepath.Join(file, "index.html")
		if _, err := os.Stat(file); err != nil {
			return answer{status: 404, env: env}
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return answer{status: 403, env: env}
	}
	ctype := "text/plain"
	if strings.HasSuffix(file, ".html") {
		ctype = "text/html"
	}
	return answer{status: 200, body: string(data), env: env, ctype: ctype}
}
