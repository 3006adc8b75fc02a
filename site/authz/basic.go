package authz

import (
	"errors"
	"io/fs"
	"log/slog"
	"strings"

	"github.com/gohttpd/gohttpd/site/authn"
)

// authn_status values of mod_auth.h.
type authnStatus uint8

const (
	authDenied authnStatus = iota
	authGranted
	authUserNotFound
	authGeneralError
)

// authenticate is the check_user_id phase: mod_auth_basic's
// authenticate_basic_user, then mod_authn_core's authenticate_no_user.
// It returns 0 when the phase passed (with or without a user).
func (e *eval) authenticate() int {
	typ := e.cfg.Type()
	if typ == "" {
		return 0 // authenticate_no_user: no AuthType, no authentication
	}
	if !strings.EqualFold(typ, "Basic") {
		e.log(slog.LevelError, "authn_core", "AH01796: AuthType "+typ+" configured without corresponding module", nil)
		return 500
	}
	if _, ok := e.cfg.Realm(); !ok {
		e.log(slog.LevelError, "auth_basic", "AH01615: need AuthName: "+e.req.URI, nil)
		return 500
	}
	user, pw, res := authn.ParseBasic(e.req.Authorization, e.req.HasAuthorization)
	switch res {
	case authn.BasicMissing:
		e.noteAuthFailure()
		return 401
	case authn.BasicWrongScheme:
		e.log(slog.LevelError, "auth_basic", "AH01614: client used wrong authentication scheme: "+e.req.URI, nil)
		e.noteAuthFailure()
		return 401
	}
	// r->user is set before the password is checked: %u shows it on a 401.
	e.user, e.hasUser = user, true
	e.d.User, e.d.HasUser = user, true

	// AuthBasicProvider: only "file" exists (conf refuses the others), and
	// it is also the default.
	result := e.checkFilePassword(user, pw)
	if result == authGranted {
		return 0
	}
	authoritative := !e.cfg.BasicAuthoritativeSet || e.cfg.BasicAuthoritative
	if !authoritative && result != authDenied {
		// DECLINED: the next check_user_id hook is authenticate_no_user,
		// which refuses a configured AuthType it cannot serve.
		e.log(slog.LevelError, "authn_core", "AH01796: AuthType "+typ+" configured without corresponding module", nil)
		return 500
	}
	switch result {
	case authDenied:
		e.log(slog.LevelError, "auth_basic", "AH01617: user "+user+`: authentication failure for "`+e.req.URI+`": Password Mismatch`, nil)
	case authUserNotFound:
		e.log(slog.LevelError, "auth_basic", "AH01618: user "+user+" not found: "+e.req.URI, nil)
	default:
		return 500
	}
	e.noteAuthFailure()
	return 401
}

// checkFilePassword is mod_authn_file's check_password.
func (e *eval) checkFilePassword(user, pw string) authnStatus {
	path := e.cfg.UserFile
	if path == "" {
		e.log(slog.LevelError, "authn_file", "AH01619: AuthUserFile not specified in the configuration", nil)
		return authGeneralError
	}
	hash, found, err := e.c.files.Password(path, user)
	if err != nil {
		e.log(slog.LevelError, "authn_file", "AH01620: Could not open password file: "+path, unwrapPath(err))
		return authGeneralError
	}
	if !found {
		return authUserNotFound
	}
	ok, err := authn.Verify(pw, hash)
	if err != nil {
		// Apache would hand this hash to crypt(3); say why it fails here.
		e.log(slog.LevelError, "authn_file", "user "+user+" in "+path+": "+err.Error(), nil)
	}
	if !ok {
		return authDenied
	}
	return authGranted
}

// unwrapPath reduces a *fs.PathError to its errno, which errorlog shows
// as "(2)No such file or directory: " as Apache does.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
