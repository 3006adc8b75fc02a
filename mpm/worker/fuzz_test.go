package worker

import (
	"testing"

	"github.com/gohttpd/gohttpd/internal/h1/corpus"
	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// FuzzRequestPath feeds arbitrary bytes to the request path this engine
// runs for each connection (mpm.Conn through an h1.Validator into
// fasthttp.Server.ServeConn): it never hangs or panics, and never answers
// more than the Validator read whole (see mpmtest.CheckRequestPath).
func FuzzRequestPath(f *testing.F) {
	for _, s := range mpmtest.RequestPathSeeds {
		f.Add([]byte(s))
	}
	for _, c := range corpus.Cases {
		f.Add([]byte(c.Raw))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		mpmtest.CheckRequestPath(t, raw)
	})
}
