//go:build !big_security_hole

package conf

// bigSecurityHole is Apache's BIG_SECURITY_HOLE: off, so User root is
// refused. Build with -tags big_security_hole to allow it.
const bigSecurityHole = false
