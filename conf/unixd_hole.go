//go:build big_security_hole

package conf

// bigSecurityHole is Apache's BIG_SECURITY_HOLE: on in this build, so the
// children may serve as root (User root).
const bigSecurityHole = true
