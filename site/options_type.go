package site

import "github.com/valyala/fasthttp"

// optionsType gives an OPTIONS answer the Content-Type Apache's
// type_checker left on the request before ap_send_http_options: the
// file's media type, "httpd/unix-directory" for a directory (DIR_MAGIC_TYPE),
// none for a missing file. Only paths under DocumentRoot are looked at.
func (s *Site) optionsType(ctx *fasthttp.RequestCtx, v *vserver, r *resolved) {
	p := ctx.Path()
	if r.alias != "" || len(p) == 0 || p[0] != '/' {
		return
	}
	fi, err := v.docs.stat(p)
	switch {
	case err != nil:
	case fi.IsDir():
		ctx.Response.Header.SetNoDefaultContentType(false)
		ctx.Response.Header.SetContentType("httpd/unix-directory")
	case fi.Mode().IsRegular():
		h := &ctx.Response.Header
		if v.rs != nil && s.fileType(ctx, v, p) {
			return
		}
		if typ := v.types.lookup(p); typ != "" {
			h.SetNoDefaultContentType(false)
			h.SetContentType(typ)
		}
	}
}
