package conf

import (
	"path/filepath"
	"reflect"
	"testing"
)

// TestSnapshotRoundTrip checks that a configuration survives Snapshot and
// FromSnapshot unchanged (the master serializes it for its children).
func TestSnapshotRoundTrip(t *testing.T) {
	configs := map[string]func() (*Config, error){
		"default": func() (*Config, error) { return Default(Prefork), nil },
		"httpd.conf": func() (*Config, error) {
			return Load(Options{File: filepath.Join("testdata", "httpd.conf"), Defines: []string{"X=1"}})
		},
		"server.yaml": func() (*Config, error) {
			return Load(Options{File: filepath.Join("testdata", "server.yaml"), SkipDocumentRootCheck: true})
		},
		"server.toml": func() (*Config, error) { return Load(Options{File: filepath.Join("testdata", "server.toml")}) },
		"quoted.conf": func() (*Config, error) { return Load(Options{File: filepath.Join("testdata", "quoted.conf")}) },
	}
	for name, load := range configs {
		t.Run(name, func(t *testing.T) {
			c, err := load()
			if err != nil {
				t.Fatal(err)
			}
			data, err := c.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			back, err := FromSnapshot(data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, c) {
				t.Errorf("json round trip of %s changed the config:\n%s\nwant\n%s", name, back.Dump(), c.Dump())
			}
		})
	}
}

func TestFromSnapshotError(t *testing.T) {
	if _, err := FromSnapshot([]byte("{")); err == nil {
		t.Error("FromSnapshot(truncated JSON) error = nil")
	}
}
