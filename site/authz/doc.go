// Package authz is access control as Apache's mod_authz_core,
// mod_authz_host, mod_authz_user, mod_authz_groupfile, mod_access_compat,
// mod_authn_core, mod_auth_basic and mod_authn_file run it. The directives'
// types are built by conf (conf.AuthBuilder per section, conf.MergeAuth
// between sections); this package evaluates them for a request and says,
// as data, what Apache would answer and log. It writes no response itself.
//
// # How the site uses it
//
// Once per configuration: a [Checker] (NewChecker(nil)), which caches the
// AuthUserFile and AuthGroupFile files (site/authn).
//
// Per request, after the request is mapped to its merged section
// configuration (a *conf.AuthConfig, resolved once per (vhost, directory)
// and shared) and to a file name:
//
//	req := authz.Request{
//		URI: decodedPath, Filename: file,
//		Env: env, Host: hostLookup, MinLevel: logLevel,
//	}
//	authz.FromRequestCtx(ctx, &req) // client and local IP, method, Authorization
//	d := checker.Check(cfg, &req)
//	for _, e := range d.Log {
//		e.Log(ctx, logger, clientAddr) // [authz_core:error] ... AH01630: ...
//	}
//	if d.HasUser {
//		// %u and REMOTE_USER: d.User (set even when the answer is 401)
//	}
//	switch d.Status {
//	case 0: // go on with the handler chain
//	case 401:
//		ctx.Response.Header.Set("WWW-Authenticate", d.WWWAuthenticate)
//		// then the site's 401 error page
//	default: // 403 or 500: the site's error page
//	}
//
// Host names ("Require host", "Allow from example.org") need Request.Host:
// &LazyHost{Ctx: ctx, Resolver: net.DefaultResolver, IP: clientIP} does
// Apache's double reverse lookup on first use (keep one per connection,
// as Apache does). With Host nil no name is known: "Require host" denies
// with AH01753, as Apache does when the lookup fails.
//
// Check follows ap_process_request_internal: the host check of
// mod_access_compat (Order/Allow/Deny; with "Satisfy Any" passing it is
// enough), then the Require tree without a user (GRANTED ends it; DENIED
// or NEUTRAL is 403 with AH01630), then Basic authentication (401 with
// `WWW-Authenticate: Basic realm="..."`, logged with AH01614, AH01617 or
// AH01618 as Apache does, and nothing for a missing header), then the tree
// again with the user (401 with AH01631, or 403 with
// AuthzSendForbiddenOnFailure On). Require trees are evaluated with
// apply_authz_sections' rules, NEUTRAL and negation included.
//
// # Cost
//
// "Require all granted" and "Require ip" (prefixes precompiled by conf)
// allocate nothing; debug entries are only built when Request.MinLevel
// asks for them. Password checks cost what their hash costs (bcrypt:
// milliseconds, on every request, as in Apache).
//
// # Not done
//
// "Require expr" and "Require forward-dns" are refused by conf, as are
// AuthType values other than Basic and None, AuthBasicProvider values
// other than file (Apache's "Unknown Authn provider"), and %{...}
// expressions in AuthName and Require arguments. Proxy authentication
// (Proxy-Authorization, 407) is not handled.
package authz
