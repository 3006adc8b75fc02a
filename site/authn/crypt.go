package authn

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// ErrUnsupportedHash is returned by Verify for a hash gohttpd cannot check
// although Apache on Debian might (crypt(3) from libxcrypt also knows
// yescrypt "$y$", scrypt "$7$", gost-yescrypt "$gy$", sha1crypt "$sha1$"
// and a few more). The password check fails; the caller logs it.
var ErrUnsupportedHash = errors.New("unsupported password hash format")

// Verify checks password against one htpasswd hash with
// apr_password_validate's rules as Apache runs them on Linux:
//
//   - "$2y$", "$2a$", "$2b$": bcrypt (golang.org/x/crypto/bcrypt; like
//     crypt_blowfish, only the first 72 bytes of the password count);
//   - "$apr1$": APR's MD5 (htpasswd -m, the default);
//   - "{SHA}": base64 of SHA-1 (htpasswd -s);
//   - anything else goes to crypt(3), so: "$1$" MD5-crypt, "$5$"
//     SHA-256-crypt, "$6$" SHA-512-crypt, and 13 characters of
//     [./0-9A-Za-z] traditional DES crypt (htpasswd -d; only the first 8
//     bytes of the password count). Other crypt(3) formats give
//     ErrUnsupportedHash.
//
// Plain-text passwords (htpasswd -p) never match, as on Linux, where
// Apache hands them to crypt(3). The comparison is constant-time.
func Verify(password, hash string) (bool, error) {
	switch {
	case strings.HasPrefix(hash, "$2y$"), strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"):
		if len(password) > 72 {
			password = password[:72]
		}
		err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
		return err == nil, nil
	case strings.HasPrefix(hash, "$apr1$"):
		return equal(md5Crypt(password, hash, "$apr1$"), hash), nil
	case strings.HasPrefix(hash, "{SHA}"):
		sum := sha1.Sum([]byte(password))
		return equal("{SHA}"+base64.StdEncoding.EncodeToString(sum[:]), hash), nil
	case strings.HasPrefix(hash, "$1$"):
		return equal(md5Crypt(password, hash, "$1$"), hash), nil
	case strings.HasPrefix(hash, "$5$"):
		s, ok := shaCrypt(password, hash, false)
		return ok && equal(s, hash), nil
	case strings.HasPrefix(hash, "$6$"):
		s, ok := shaCrypt(password, hash, true)
		return ok && equal(s, hash), nil
	case isDESHash(hash):
		return equal(desCrypt(password, hash), hash), nil
	case strings.HasPrefix(hash, "$") || strings.HasPrefix(hash, "_"):
		// another crypt(3) method ("_" is BSDi extended DES)
		return false, ErrUnsupportedHash
	}
	// crypt(3) of a DES salt that is not a DES hash (plain text, say):
	// never equal.
	return false, nil
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// itoa64 is crypt's base-64 alphabet.
const itoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// to64 appends n characters encoding the low bits of v, least significant
// first.
func to64(dst []byte, v uint32, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, itoa64[v&0x3f])
		v >>= 6
	}
	return dst
}

// md5Crypt is apr_md5_encode (magic "$apr1$") and glibc's MD5-crypt
// (magic "$1$"): the same algorithm (Poul-Henning Kamp's md5crypt).
func md5Crypt(pw, setting, magic string) string {
	salt := strings.TrimPrefix(setting, magic)
	if i := strings.IndexByte(salt, '$'); i >= 0 {
		salt = salt[:i]
	}
	if len(salt) > 8 {
		salt = salt[:8]
	}
	alt := md5.Sum([]byte(pw + salt + pw))
	ctx := md5.New()
	ctx.Write([]byte(pw + magic + salt))
	for pl := len(pw); pl > 0; pl -= 16 {
		ctx.Write(alt[:min(pl, 16)])
	}
	for i := len(pw); i != 0; i >>= 1 {
		if i&1 != 0 {
			ctx.Write([]byte{0})
		} else {
			ctx.Write([]byte{pw[0]})
		}
	}
	var final [16]byte
	ctx.Sum(final[:0])
	for i := 0; i < 1000; i++ {
		ctx.Reset()
		if i&1 != 0 {
			ctx.Write([]byte(pw))
		} else {
			ctx.Write(final[:])
		}
		if i%3 != 0 {
			ctx.Write([]byte(salt))
		}
		if i%7 != 0 {
			ctx.Write([]byte(pw))
		}
		if i&1 != 0 {
			ctx.Write(final[:])
		} else {
			ctx.Write([]byte(pw))
		}
		ctx.Sum(final[:0])
	}
	out := make([]byte, 0, len(magic)+len(salt)+1+22)
	out = append(out, magic...)
	out = append(out, salt...)
	out = append(out, '$')
	f := final
	out = to64(out, uint32(f[0])<<16|uint32(f[6])<<8|uint32(f[12]), 4)
	out = to64(out, uint32(f[1])<<16|uint32(f[7])<<8|uint32(f[13]), 4)
	out = to64(out, uint32(f[2])<<16|uint32(f[8])<<8|uint32(f[14]), 4)
	out = to64(out, uint32(f[3])<<16|uint32(f[9])<<8|uint32(f[15]), 4)
	out = to64(out, uint32(f[4])<<16|uint32(f[10])<<8|uint32(f[5]), 4)
	out = to64(out, uint32(f[11]), 2)
	return string(out)
}
