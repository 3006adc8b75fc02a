package conf

import (
	"encoding/json"
	"fmt"
)

// The snapshot format: how a master hands its resolved configuration to
// the children it starts (DESIGN.md, Process model). It is Config's JSON
// encoding (the types with unexported state carry MarshalJSON and
// UnmarshalJSON of their own); TestSnapshotRoundTrip checks that nothing is
// lost on the way.

// Snapshot encodes c for a child process; FromSnapshot decodes it.
func (c *Config) Snapshot() ([]byte, error) {
	data, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("serialize configuration: %w", err)
	}
	return data, nil
}

// FromSnapshot decodes a configuration encoded by Config.Snapshot.
func FromSnapshot(data []byte) (*Config, error) {
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("configuration snapshot: %w", err)
	}
	return &c, nil
}
