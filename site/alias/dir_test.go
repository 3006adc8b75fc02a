package alias

import (
	"reflect"
	"strings"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
)

func dirCfg(t *testing.T, lines ...string) *conf.ModDirConfig {
	t.Helper()
	var b conf.ModDirBuilder
	for _, l := range lines {
		f := strings.Fields(l)
		if err := b.Directive(f[0], f[1:]); err != nil {
			t.Fatal(err)
		}
	}
	return b.Config()
}

// fakeFS answers sub-requests from a table: URI (without query) → result.
type fakeFS map[string]SubResult

func (f fakeFS) lookup(calls *[]string) func(string) SubResult {
	return func(uri string) SubResult {
		*calls = append(*calls, uri)
		p, _, _ := strings.Cut(uri, "?")
		if r, ok := f[p]; ok {
			return r
		}
		return SubResult{Status: 404}
	}
}

func TestDirFixup(t *testing.T) {
	fs := fakeFS{
		"/d/b.html":           {Status: 200, Regular: true, Filename: "/www/d/b.html"},
		"/global.html":        {Status: 200, Regular: true, Filename: "/www/global.html"},
		"/d/sub":              {Status: 200},
		"/index.php":          {Status: 200, Regular: true, Filename: "/www/index.php"},
		"/p/index.html":       {Status: 200, Proxy: true},
		"/r/index.html":       {Status: 302, Location: "http://r.example/"},
		"/auth/index.html":    {Status: 401},
		"/forbid/index.html":  {Status: 403},
		"/forbid/other.html":  {Status: 404},
		"/twoauth/a.html":     {Status: 401},
		"/twoauth/index.html": {Status: 404},
	}
	tests := []struct {
		name  string
		req   DirRequest
		cfg   *conf.ModDirConfig
		want  DirResult
		calls []string
	}{
		{name: "slash redirect with query", req: DirRequest{URI: "/d", Args: "x=1", IsDir: true},
			want: DirResult{Action: DirRedirect, Status: 301, Location: "http://h.example/d/?x=1"}},
		{name: "slash redirect escapes", req: DirRequest{URI: "/a b", IsDir: true},
			want: DirResult{Action: DirRedirect, Status: 301, Location: "http://h.example/a%20b/"}},
		{name: "DirectorySlash Off", req: DirRequest{URI: "/d", IsDir: true}, cfg: dirCfg(t, "DirectorySlash Off"),
			want: DirResult{}},
		{name: "redirect-carefully", req: DirRequest{URI: "/d", IsDir: true, NotGETCarefully: true}, want: DirResult{}},
		{name: "path info", req: DirRequest{URI: "/d/x", IsDir: true, PathInfo: "/x"}, want: DirResult{}},
		{name: "several names, second exists", req: DirRequest{URI: "/d/", Args: "q=2", IsDir: true},
			cfg:   dirCfg(t, "DirectoryIndex a.html b.html"),
			want:  DirResult{Action: DirServe, URI: "/d/b.html?q=2", Sub: fs["/d/b.html"]},
			calls: []string{"/d/a.html?q=2", "/d/b.html?q=2"}},
		{name: "a directory is not an index", req: DirRequest{URI: "/d/", IsDir: true}, cfg: dirCfg(t, "DirectoryIndex sub"),
			want: DirResult{IndexNames: []string{"sub"}}},
		{name: "absolute index", req: DirRequest{URI: "/x/", IsDir: true}, cfg: dirCfg(t, "DirectoryIndex /global.html"),
			want: DirResult{Action: DirServe, URI: "/global.html", Sub: fs["/global.html"]}},
		{name: "disabled", req: DirRequest{URI: "/d/", IsDir: true}, cfg: dirCfg(t, "DirectoryIndex disabled"),
			want: DirResult{IndexNames: []string{}}},
		{name: "default index missing", req: DirRequest{URI: "/d/", IsDir: true},
			want: DirResult{IndexNames: []string{"index.html"}}, calls: []string{"/d/index.html"}},
		{name: "proxy index", req: DirRequest{URI: "/p/", IsDir: true},
			want: DirResult{Action: DirServe, URI: "/p/index.html", Sub: fs["/p/index.html"]}},
		{name: "index redirect propagates", req: DirRequest{URI: "/r/", IsDir: true},
			want: DirResult{Action: DirRedirect, Status: 302, Location: "http://r.example/"}},
		{name: "401 on the last name", req: DirRequest{URI: "/auth/", IsDir: true},
			want: DirResult{Action: DirError, Status: 401}},
		{name: "401 not on the last name", req: DirRequest{URI: "/twoauth/", IsDir: true}, cfg: dirCfg(t, "DirectoryIndex a.html index.html"),
			want: DirResult{Action: DirError, Status: 401}},
		{name: "403 remembered", req: DirRequest{URI: "/forbid/", IsDir: true}, cfg: dirCfg(t, "DirectoryIndex index.html other.html"),
			want: DirResult{Action: DirError, Status: 403}},
		{name: "DirectoryIndexRedirect", req: DirRequest{URI: "/d/", Args: "q", IsDir: true}, cfg: dirCfg(t, "DirectoryIndex b.html", "DirectoryIndexRedirect permanent"),
			want: DirResult{Action: DirRedirect, Status: 301, Location: "http://h.example/d/b.html"}},
		{name: "DirectoryCheckHandler", req: DirRequest{URI: "/d/", IsDir: true, Handler: "php"}, cfg: dirCfg(t, "DirectoryCheckHandler On"),
			want: DirResult{}},
		{name: "fallback", req: DirRequest{URI: "/blog/post/1", Args: "a=b", Missing: true}, cfg: dirCfg(t, "FallbackResource /index.php"),
			want: DirResult{Action: DirServe, URI: "/index.php?a=b", Sub: fs["/index.php"]}},
		{name: "relative fallback", req: DirRequest{URI: "/d/missing", Missing: true}, cfg: dirCfg(t, "FallbackResource b.html"),
			want: DirResult{Action: DirServe, URI: "/d/b.html", Sub: fs["/d/b.html"]}},
		{name: "fallback with a handler", req: DirRequest{URI: "/x", Missing: true, Handler: "proxy-server"}, cfg: dirCfg(t, "FallbackResource /index.php"),
			want: DirResult{}},
		{name: "fallback disabled", req: DirRequest{URI: "/x", Missing: true},
			cfg:  conf.MergeModDir(dirCfg(t, "FallbackResource /index.php"), dirCfg(t, "FallbackResource disabled")),
			want: DirResult{}},
		{name: "fallback missing", req: DirRequest{URI: "/x", Missing: true}, cfg: dirCfg(t, "FallbackResource /nope.php"),
			want: DirResult{}},
		{name: "fallback forbidden", req: DirRequest{URI: "/x", Missing: true}, cfg: dirCfg(t, "FallbackResource /forbid/index.html"),
			want: DirResult{Action: DirError, Status: 403}},
		{name: "regular file", req: DirRequest{URI: "/a.html"}, want: DirResult{}},
	}
	for _, tt := range tests {
		var calls []string
		tt.req.Lookup = fs.lookup(&calls)
		tt.req.ConstructURL = construct
		got := DirFixup(&tt.req, tt.cfg)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
		if tt.calls != nil && !reflect.DeepEqual(calls, tt.calls) {
			t.Errorf("%s: lookups %q, want %q", tt.name, calls, tt.calls)
		}
	}
}
