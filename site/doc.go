// Package site is what a request meets: static files from DocumentRoot (on
// fasthttp.FS), directory indexes, error pages, Apache's keep-alive decision,
// request limits and the access log. It never imports an engine.
package site
