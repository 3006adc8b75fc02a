package alias_test

import (
	"fmt"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/alias"
)

func Example() {
	// conf side, once: the server's directives.
	b := conf.AliasBuilder{ServerRoot: "/etc/apache2"}
	top := &conf.AliasDir{}
	for _, d := range [][]string{
		{"Alias", "/icons/", "/usr/share/apache2/icons/"},
		{"Redirect", "permanent", "/old", "https://www.example.com/new"},
		{"RedirectMatch", "^/blog/(\\d+)$", "/posts/$1"},
	} {
		if err := b.Directive(top, conf.AliasInServer, "", d[0], d[1:]); err != nil {
			panic(err)
		}
	}
	srv := b.Server()

	// site side, per request, at translate_name.
	u := alias.URLOptions{Host: "www.example.com", ServerName: "www.example.com"}
	for _, uri := range []string{"/icons/a.png", "/old/page", "/blog/42", "/index.html"} {
		res := alias.Translate(&alias.Request{URI: uri, Args: "", ConstructURL: u.URL}, srv, top)
		fmt.Printf("%s: status %d location %q file %q\n", uri, res.Status, res.Location, res.Filename)
	}
	// Output:
	// /icons/a.png: status 0 location "" file "/usr/share/apache2/icons/a.png"
	// /old/page: status 301 location "https://www.example.com/new/page" file ""
	// /blog/42: status 302 location "http://www.example.com/posts/42" file ""
	// /index.html: status 0 location "" file ""
}

func ExampleDirFixup() {
	var b conf.ModDirBuilder
	_ = b.Directive("FallbackResource", []string{"/index.php"})
	cfg := b.Config()
	u := alias.URLOptions{Host: "example.com"}
	lookup := func(uri string) alias.SubResult { // the site's sub-request
		if uri == "/index.php?p=1" {
			return alias.SubResult{Status: 200, Regular: true, Filename: "/var/www/index.php"}
		}
		return alias.SubResult{Status: 404}
	}
	d := alias.DirFixup(&alias.DirRequest{URI: "/blog/hello", Args: "p=1", Missing: true,
		ConstructURL: u.URL, Lookup: lookup}, cfg)
	fmt.Println(d.Action == alias.DirServe, d.URI, d.Sub.Filename)
	d = alias.DirFixup(&alias.DirRequest{URI: "/docs", IsDir: true, ConstructURL: u.URL, Lookup: lookup}, cfg)
	fmt.Println(d.Status, d.Location)
	// Output:
	// true /index.php?p=1 /var/www/index.php
	// 301 http://example.com/docs/
}
