package conf

import (
	"strings"
	"testing"
)

func TestHTTPProtocolOptions(t *testing.T) {
	tests := []struct {
		directives []string
		want       ProtocolOptions
		err        string
	}{
		{nil, ProtocolOptions{}, ""},
		{[]string{"HttpProtocolOptions Strict LenientMethods Allow0.9"}, ProtocolOptions{}, ""},
		{[]string{"HttpProtocolOptions Unsafe RegisteredMethods Require1.0"},
			ProtocolOptions{Unsafe: true, RegisteredMethods: true, Require10: true}, ""},
		{[]string{"httpprotocoloptions unsafe"}, ProtocolOptions{Unsafe: true}, ""},
		{[]string{"HttpProtocolOptions Unsafe Strict"}, ProtocolOptions{}, ""},
		{[]string{"HttpProtocolOptions Require1.0", "HttpProtocolOptions Unsafe"},
			ProtocolOptions{Unsafe: true, Require10: true}, ""},
		{[]string{"HttpProtocolOptions Lenient"}, ProtocolOptions{}, "HttpProtocolOptions: Illegal option Lenient"},
		{[]string{"HttpProtocolOptions"}, ProtocolOptions{}, "requires at least one argument"},
	}
	for _, tt := range tests {
		c, err := Load(Options{Post: tt.directives})
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.directives, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.directives, err)
			continue
		}
		if c.HTTP.ProtocolOptions != tt.want {
			t.Errorf("%q: %+v, want %+v", tt.directives, c.HTTP.ProtocolOptions, tt.want)
		}
	}
}
