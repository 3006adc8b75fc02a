package rewrite_test

import (
	"fmt"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/rewrite"
)

// The WordPress .htaccess in /var/www/html: a pretty permalink becomes
// an internal redirect to /index.php, whose own pass changes nothing.
func ExampleDir() {
	b := conf.RewriteBuilder{Dir: "/var/www/html"}
	for _, l := range [][2]string{
		{"RewriteEngine", "On"},
		{"RewriteBase", "/"},
		{"RewriteRule", `^index\.php$ - [L]`},
		{"RewriteCond", "%{REQUEST_FILENAME} !-f"},
		{"RewriteCond", "%{REQUEST_FILENAME} !-d"},
		{"RewriteRule", ". /index.php [L]"},
	} {
		if err := b.Directive(l[0], l[1], ".htaccess"); err != nil {
			fmt.Println(err)
		}
	}
	htaccess, _ := b.Finish()
	var server *conf.RewriteConfig // the server's own scope: nothing here
	rs, _ := rewrite.Compile(conf.MergeRewriteDir(server, htaccess))

	fs := files{"/var/www/html/index.php": true}
	req := rewrite.Request{Method: "GET", URI: "/2024/hello/", DocumentRoot: "/var/www/html",
		Filename: "/var/www/html/2024", PathInfo: "/hello/", FS: fs}
	res := rewrite.Dir(rs, &req)
	fmt.Println(res.Action, res.URI)

	req = rewrite.Request{Method: "GET", URI: "/index.php", DocumentRoot: "/var/www/html",
		Filename: "/var/www/html/index.php", FS: fs}
	fmt.Println(rewrite.Dir(rs, &req).Action)
	// Output:
	// internal-redirect /index.php
	// none
}

// A canonical-host redirect in a virtual host.
func ExampleServer() {
	b := conf.RewriteBuilder{}
	_ = b.Directive("RewriteEngine", "On", "")
	_ = b.Directive("RewriteCond", `%{HTTP_HOST} ^www\.(.+)$ [NC]`, "")
	_ = b.Directive("RewriteRule", `^ https://%1%{REQUEST_URI} [R=301,L]`, "")
	cfg, _ := b.Finish()
	rs, _ := rewrite.Compile(cfg)
	req := rewrite.Request{Method: "GET", URI: "/a b", Query: "x=1", Headers: headers{"Host": "www.example.org"}}
	res := rewrite.Server(rs, &req)
	fmt.Println(res.Status, res.Location)
	// Output: 301 https://example.org/a%20b?x=1
}

type files map[string]bool

func (f files) Stat(name string) rewrite.FileInfo  { return rewrite.FileInfo{Exists: f[name]} }
func (f files) Lstat(name string) rewrite.FileInfo { return f.Stat(name) }

type headers map[string]string

func (h headers) Header(name string) (string, bool) {
	v, ok := h[name]
	return v, ok
}
