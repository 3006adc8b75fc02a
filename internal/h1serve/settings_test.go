package h1serve

import (
	"net"
	"reflect"
	"testing"

	"github.com/valyala/fasthttp"
)

// TestSettingsCovered: every exported fasthttp.Server field is in
// Settings, as honoured or as deliberately ignored with a reason, and
// Settings names no field fasthttp no longer has. It fails after a
// fasthttp upgrade that adds a setting, until someone decides what the
// event engine makes of it.
func TestSettingsCovered(t *testing.T) {
	known := map[string]bool{}
	for _, s := range Settings {
		if known[s.Field] {
			t.Errorf("%s is listed twice", s.Field)
		}
		known[s.Field] = true
		if s.How == "" {
			t.Errorf("%s: no reason given", s.Field)
		}
	}
	typ := reflect.TypeFor[fasthttp.Server]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		if !known[f.Name] {
			t.Errorf("fasthttp.Server.%s (%s) is neither honoured nor deliberately ignored: add it to Settings", f.Name, f.Type)
		}
		delete(known, f.Name)
	}
	for name := range known {
		t.Errorf("Settings names %s, which fasthttp.Server no longer has", name)
	}
}

// TestHijackFields: the loop finds the HijackHandler RequestCtx.Hijack
// stores (an unexported field), and takes it.
func TestHijackFields(t *testing.T) {
	if !hijackFields {
		t.Fatal("fasthttp.RequestCtx has no hijackHandler/hijackNoResponse fields of the expected types: Hijack cannot work")
	}
	var ctx fasthttp.RequestCtx
	called := false
	ctx.Hijack(func(c net.Conn) { called = true })
	ctx.HijackSetNoResponse(true)
	h, nr := takeHijack(&ctx)
	if h == nil || !nr {
		t.Fatalf("takeHijack = %v, %v; want the handler and true", h != nil, nr)
	}
	if ctx.Hijacked() {
		t.Error("the hijack stays registered after takeHijack")
	}
	h(nil)
	if !called {
		t.Error("takeHijack returned another handler")
	}
}
