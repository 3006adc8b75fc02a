//go:build !race

package accesslog

import (
	"io"
	"strings"
	"testing"
)

// TestZeroAllocs checks that a combined line costs no allocation, through
// Format.Append and through Logger.Log (the race detector adds allocations,
// hence the build tag).
func TestZeroAllocs(t *testing.T) {
	ctx := newCtx(t, "GET /a?b=c HTTP/1.1\r\nHost: h\r\nReferer: r\r\nUser-Agent: ua\r\n\r\n", client)
	ctx.SetBodyString(strings.Repeat("x", 100))
	f := compile(t, combined+` %D %T %k %X %v %V %{sec}t %{%d/%m}t`)
	l := &Logger{w: io.Discard, format: f}
	buf := make([]byte, 0, 512)
	tests := []struct {
		name string
		run  func()
	}{
		{"Append", func() { buf = f.Append(buf[:0], ctx, start) }},
		{"Log", func() { l.Log(ctx, start) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run() // warm buffers and pools
			if got := testing.AllocsPerRun(100, tt.run); got != 0 {
				t.Errorf("allocations per %s = %v, want 0", tt.name, got)
			}
		})
	}
}
