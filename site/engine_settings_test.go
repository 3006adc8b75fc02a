package site

import (
	"reflect"
	"testing"

	"github.com/gohttpd/gohttpd/internal/h1serve"
)

// TestNewServerSettingsReachEvent: every fasthttp.Server field NewServer
// sets is one the event engine's request loop honours, or one marked in
// h1serve.Settings as reaching the event engine another way (BySite). A
// field the site starts setting would otherwise change only the engines
// that call fasthttp.Server.ServeConn.
func TestNewServerSettingsReachEvent(t *testing.T) {
	cfg := testConfig("")
	srv := newTestSite(t, cfg, Options{}).NewServer()
	settings := map[string]h1serve.Setting{}
	for _, s := range h1serve.Settings {
		settings[s.Field] = s
	}
	v := reflect.ValueOf(srv).Elem()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.IsExported() || v.Field(i).IsZero() {
			continue
		}
		s, ok := settings[f.Name]
		switch {
		case !ok:
			t.Errorf("NewServer sets %s, which h1serve.Settings does not name", f.Name)
		case !s.Honoured && !s.BySite:
			t.Errorf("NewServer sets %s, which the event engine ignores (%s): honour it in internal/h1serve or mark it BySite with how it reaches the engine", f.Name, s.How)
		}
	}
}
