package site

import (
	"bytes"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/internal/acme"
)

// mod_md in the request chain, before anything else but the vhost
// selection (as mod_md's post_read_request hook): an HTTP-01 challenge
// (GET /.well-known/acme-challenge/TOKEN on a plain connection) is
// answered from the store the master writes, and a request over https
// for a managed domain still served with the fallback certificate gets
// 503 with Connection: close (mod_md's answer until the CA issued the
// certificate; compared with Apache 2.4.71: same status, body and
// header, and the same 404 for an unknown challenge token).

// mdChallenges is what the site needs of mod_md's settings.
type mdChallenges struct {
	store   string
	http    bool
	pending map[string]bool // domain names served with the fallback
}

// newMDChallenges is nil when cfg manages no domain.
func newMDChallenges(cfg *conf.Config) *mdChallenges {
	md := cfg.MD
	if md == nil || len(md.Domains) == 0 {
		return nil
	}
	m := &mdChallenges{store: md.StoreDir, http: md.Allows(conf.ChallengeHTTP01), pending: map[string]bool{}}
	for _, d := range md.Domains {
		if d.Pending {
			for _, n := range d.Names {
				m.pending[n] = true
			}
		}
	}
	return m
}

var challengePrefix = []byte(acme.ChallengePrefix)

// mdRequest answers the request when it is mod_md's, and reports it. It
// allocates nothing unless the request is a challenge or a managed domain
// waits for its certificate.
func (s *Site) mdRequest(ctx *fasthttp.RequestCtx) bool {
	m := s.md
	if ctx.IsTLS() {
		if len(m.pending) > 0 && m.pending[mdHost(ctx)] {
			ctx.SetConnectionClose() // as Apache 2.4.71's answer
			s.sendError(ctx, fasthttp.StatusServiceUnavailable, "")
			return true
		}
		return false
	}
	path := ctx.Path()
	if !m.http || !bytes.HasPrefix(path, challengePrefix) {
		return false
	}
	keyAuth, ok := acme.HTTPChallenge(m.store, mdHost(ctx), string(path[len(challengePrefix):]))
	if !ok {
		return false // not ours: the site answers (404, as mod_md declines)
	}
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.SetContentType("text/plain")
	ctx.SetBodyString(keyAuth)
	return true
}

// mdHost is the request's host name in lower case, without the port.
func mdHost(ctx *fasthttp.RequestCtx) string {
	host := strings.ToLower(string(ctx.Host()))
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	return host
}
