package site

import (
	"context"
	"net"
	"unsafe"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/accesslog"
	"github.com/gohttpd/gohttpd/site/authz"
	"github.com/gohttpd/gohttpd/site/errorlog"
)

// denied runs the access phases for a resolved request, before any
// handler (as ap_process_request_internal): a failed directory walk (403
// for a symbolic link Options forbid, an unreadable .htaccess; 500 for a
// broken one), then access control (site/authz). It answers and reports
// true when the request may not go on. The authenticated user is stored
// for %u. resolve sets r.check when there is anything to do here.
func (s *Site) denied(ctx *fasthttp.RequestCtx, r *resolved) bool {
	if r.status != 0 {
		s.logWalk(ctx, r)
		s.sendError(ctx, r.status, "")
		return true
	}
	d, checked := s.check(ctx, r, true)
	if !checked {
		return false
	}
	if d.HasUser {
		ctx.SetUserValue(accesslog.UserKey, d.User)
	}
	switch d.Status {
	case 0:
		return false
	case fasthttp.StatusUnauthorized:
		s.sendError(ctx, d.Status, "")
		ctx.Response.Header.Set(fasthttp.HeaderWWWAuthenticate, d.WWWAuthenticate)
	default:
		s.sendError(ctx, d.Status, "")
	}
	return true
}

// check evaluates the access control of r for the request in ctx,
// logging its entries when log is set. checked is false when no access
// control applies.
func (s *Site) check(ctx *fasthttp.RequestCtx, r *resolved, log bool) (d authz.Decision, checked bool) {
	a := r.cfg.Auth
	if a == nil || (a.Require == nil && a.Compat == nil) {
		return d, false
	}
	p := ctx.Path()
	req := authz.Request{
		URI:      unsafe.String(unsafe.SliceData(p), len(p)), // req does not outlive p
		Filename: r.filename,
		MinLevel: s.minLevel,
	}
	if !log {
		req.MinLevel = 1 << 10
	}
	authz.FromRequestCtx(ctx, &req)
	if e := envOf(ctx); e != nil {
		req.Env = e
	}
	if r.needsHost {
		req.Host = &authz.LazyHost{Ctx: context.Background(), Resolver: netResolver, IP: req.ClientIP}
	}
	d = s.checker.Check(a, &req)
	if log && len(d.Log) > 0 {
		client := ctx.RemoteAddr().String()
		for _, e := range d.Log {
			e.Log(context.Background(), s.logger(ctx), client)
		}
	}
	return d, true
}

// needsHost reports whether an access configuration names hosts ("Require
// host", "Allow from name"), which need the client's host name.
func needsHost(a *conf.AuthConfig) bool {
	if a.Compat != nil {
		for _, list := range [][]conf.AccessRule{a.Compat.Allow, a.Compat.Deny} {
			for _, r := range list {
				if r.Kind == conf.AccessHost {
					return true
				}
			}
		}
	}
	return requireNames(a.Require, "host")
}

func requireNames(r *conf.Require, provider string) bool {
	if r == nil {
		return false
	}
	if r.Provider == provider {
		return true
	}
	for _, c := range r.Children {
		if requireNames(c, provider) {
			return true
		}
	}
	return false
}

// netResolver does the reverse and forward lookups of host names.
var netResolver authz.Resolver = net.DefaultResolver

// grantsAll reports whether a Require tree grants every request whatever
// it is ("Require all granted", alone or in a <RequireAny> or
// <RequireAll> of such lines, for every method): its evaluation can be
// skipped when no debug line is wanted.
func grantsAll(r *conf.Require) bool {
	switch {
	case r == nil || r.Negate || r.Limited != conf.AllMethods:
		return false
	case !r.IsContainer():
		return r.Provider == "all" && r.Granted
	case r.Op == conf.RequireAnd:
		for _, c := range r.Children {
			if !grantsAll(c) {
				return false
			}
		}
		return len(r.Children) > 0
	}
	for _, c := range r.Children {
		if grantsAll(c) {
			return true
		}
	}
	return false
}

// logWalk writes the error-log lines of a failed directory walk.
func (s *Site) logWalk(ctx *fasthttp.RequestCtx, r *resolved) {
	if r.preLog != "" {
		s.logger(ctx).Error(r.preLog, errorlog.KeyModule, "core")
	}
	if lg := s.logger(ctx); lg.Enabled(context.Background(), r.logLevel) {
		attrs := []any{errorlog.KeyModule, "core", errorlog.KeyClient, ctx.RemoteAddr().String()}
		if r.logErr != nil {
			attrs = append(attrs, errorlog.KeyErr, r.logErr)
		}
		lg.Log(context.Background(), r.logLevel, r.logMsg, attrs...)
	}
}
