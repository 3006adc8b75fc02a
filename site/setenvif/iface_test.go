package setenvif_test

import (
	"github.com/gohttpd/gohttpd/site/authz"
	"github.com/gohttpd/gohttpd/site/headers"
	"github.com/gohttpd/gohttpd/site/setenvif"
)

// Env is what site/authz and site/headers read.
var (
	_ authz.Env         = (*setenvif.Env)(nil)
	_ headers.EnvLookup = (*setenvif.Env)(nil)
)
