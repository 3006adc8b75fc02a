// Package authn is HTTP Basic authentication as Apache's mod_auth_basic
// and mod_authn_file do it, and the group files of mod_authz_groupfile:
//
//   - [ParseBasic] reads an Authorization header with get_basic_auth's
//     leniency (scheme in any case, lenient base64, user up to the first
//     ':').
//   - [Verify] checks a password against an htpasswd hash: bcrypt
//     ($2y$/$2a$/$2b$, golang.org/x/crypto/bcrypt), APR MD5 ($apr1$),
//     {SHA}, and the crypt(3) formats Apache accepts on Linux: MD5-crypt
//     ($1$), SHA-256/SHA-512-crypt ($5$/$6$) and traditional DES. The
//     crypt ones are implemented here (no maintained Go module covers DES
//     crypt; the others are short) and tested against glibc's crypt.
//     Plain-text entries never match, as on Linux.
//   - [Files] caches parsed AuthUserFile and AuthGroupFile files and
//     reloads one when its size, mtime or inode changes, stat'ing it at
//     most once per [StatInterval].
//
// The package decides nothing about responses or logs; site/authz runs
// Apache's access phases with it.
package authn
