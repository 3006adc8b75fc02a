package conf

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// GracefulStopDrainDelay (a gohttpd extension, server config only, one
// argument) is how long a server-wide graceful stop (SIGWINCH,
// -k graceful-stop) keeps accepting after the health handler (SetHandler
// health) began to answer 503, so that load balancers and Kubernetes
// readiness probes take the instance out before its listeners close. The
// normal graceful stop, bounded by GracefulShutdownTimeout, follows. A
// graceful restart (USR1) does not wait: its listeners never close.
//
// Integration (by whoever owns conf/config.go and conf/directives.go):
//
//	// Config:
//	GracefulStopDrainDelay time.Duration `json:"gracefulStopDrainDelay"`
//	// directives table, beside GracefulShutdownTimeout:
//	{name: "GracefulStopDrainDelay", arity: take1, global: true, apply: applyGracefulStopDrainDelay},
//	func applyGracefulStopDrainDelay(b *builder, o occurrence) error {
//		d, err := ParseGracefulStopDrainDelay(o.args[0])
//		b.cfg.GracefulStopDrainDelay = d
//		return err // the builder adds file, line and directive
//	}
//	// dump.go: line("GracefulStopDrainDelay", "%s", c.GracefulStopDrainDelay)
//
// and `SetHandler health` joins the handler names <Location> accepts
// (today server-status, metrics and None), mapped to site/health.New.
const (
	GracefulStopDrainDelayDirective = "GracefulStopDrainDelay"
	// MaxGracefulStopDrainDelay bounds the delay: a balancer that needs
	// longer than this to notice a failing check is misconfigured.
	MaxGracefulStopDrainDelay = time.Hour
)

// ParseGracefulStopDrainDelay parses the directive's argument: a whole
// number of seconds as Apache's GracefulShutdownTimeout takes ("5"), or a
// Go duration ("5s", "1500ms", "1m"). 0 (the default) means no delay.
func ParseGracefulStopDrainDelay(arg string) (time.Duration, error) {
	arg = strings.TrimSpace(arg)
	var d time.Duration
	if n, err := strconv.ParseUint(arg, 10, 32); err == nil {
		d = time.Duration(n) * time.Second
	} else if d, err = time.ParseDuration(arg); err != nil || d < 0 {
		return 0, fmt.Errorf("%s must be a number of seconds or a duration such as 5s or 1500ms, not %q", GracefulStopDrainDelayDirective, arg)
	}
	if d > MaxGracefulStopDrainDelay {
		return 0, fmt.Errorf("%s %s exceeds the maximum of %s", GracefulStopDrainDelayDirective, d, MaxGracefulStopDrainDelay)
	}
	return d, nil
}

// applyGracefulStopDrainDelay is the directive's table entry.
func applyGracefulStopDrainDelay(b *builder, o occurrence) error {
	d, err := ParseGracefulStopDrainDelay(o.args[0])
	b.cfg.GracefulStopDrainDelay = d
	return err
}
