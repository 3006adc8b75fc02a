package tlsconf

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"
)

// DefaultRotation is how often generated ticket keys change. A ticket
// stays decryptable for one more period (and the next period's key is
// accepted too, for clocks a little apart between instances), so with
// this value a key lives 24 to 36 hours; a ticket's own lifetime is
// SSLSessionCacheTimeout (300 s by default), checked on resumption.
const DefaultRotation = 12 * time.Hour

// TicketKeys is the session-ticket key material shared by every child of
// a master (and, from a key file, by every instance using the file).
// It is a secret: hand it to children through the inherited snapshot
// (memfd or pipe), never through argv or the environment, never in logs.
//
// Generated keys (GenerateTicketKeys) are a random 32-byte master secret
// from which the key of each rotation period is derived (HMAC-SHA256 of
// the secret and the period number since the Unix epoch), so every
// process holding the same TicketKeys computes the same keys at the same
// time without talking to the master again: rotation needs no IPC. A
// graceful restart keeps the master's TicketKeys, so tickets issued by the
// old generation resume on the new one.
//
// A key file (LoadTicketKeyFile, Apache's SSLSessionTicketKeyFile) holds
// 48 random bytes (Apache: 16 bytes key name, 16 HMAC secret, 16 AES key).
// Go's crypto/tls takes 32-byte keys and derives its own name, HMAC and
// AES keys from each, so the file's key is SHA-256 of its 48 bytes: one
// fixed key, as in Apache (which does not rotate a file's key either;
// replace the file and restart gracefully to rotate). Instances sharing a
// file resume each other's sessions, but not Apache's: the ticket formats
// differ.
type TicketKeys struct {
	secret   [32]byte
	fixed    bool
	rotation time.Duration
}

// GenerateTicketKeys makes a new random master secret (crypto/rand) with
// the given rotation period (0: DefaultRotation).
func GenerateTicketKeys(rotation time.Duration) (*TicketKeys, error) {
	if rotation <= 0 {
		rotation = DefaultRotation
	}
	if rotation < time.Second {
		return nil, errors.New("ticket key rotation must be at least a second")
	}
	k := &TicketKeys{rotation: rotation}
	if _, err := rand.Read(k.secret[:]); err != nil {
		return nil, fmt.Errorf("generating session ticket keys: %w", err)
	}
	return k, nil
}

// ticketKeyFileLen is TLSEXT_TICKET_KEY_LEN.
const ticketKeyFileLen = 48

// LoadTicketKeyFile reads an SSLSessionTicketKeyFile (48 bytes).
func LoadTicketKeyFile(path string) (*TicketKeys, error) {
	return loadTicketKeyFile(os.ReadFile, path)
}

func loadTicketKeyFile(read func(string) ([]byte, error), path string) (*TicketKeys, error) {
	raw, err := read(path)
	if err != nil {
		return nil, fmt.Errorf("AH02286: Failed to open ticket key file %s: %w", path, err)
	}
	if len(raw) < ticketKeyFileLen {
		return nil, fmt.Errorf("AH02287: Failed to read %d bytes from %s: the file has %d", ticketKeyFileLen, path, len(raw))
	}
	k := &TicketKeys{fixed: true, secret: sha256.Sum256(raw[:ticketKeyFileLen])}
	clear(raw)
	return k, nil
}

// Fixed reports whether the keys come from a key file (no rotation).
func (k *TicketKeys) Fixed() bool { return k.fixed }

// Rotation is the rotation period (0 for a key file).
func (k *TicketKeys) Rotation() time.Duration { return k.rotation }

// Keys are the keys for tls.Config.SetSessionTicketKeys at time now: the
// current period's key first (it encrypts new tickets), then the
// previous period's and the next one's (they only decrypt). A key file
// gives its one key.
func (k *TicketKeys) Keys(now time.Time) [][32]byte {
	if k.fixed {
		return [][32]byte{k.secret}
	}
	p := now.Unix() / int64(k.rotation/time.Second)
	return [][32]byte{k.derive(p), k.derive(p - 1), k.derive(p + 1)}
}

// NextRotation is when Keys next changes (zero for a key file).
func (k *TicketKeys) NextRotation(now time.Time) time.Time {
	if k.fixed {
		return time.Time{}
	}
	sec := int64(k.rotation / time.Second)
	return time.Unix((now.Unix()/sec+1)*sec, 0)
}

func (k *TicketKeys) derive(period int64) [32]byte {
	m := hmac.New(sha256.New, k.secret[:])
	m.Write([]byte("gohttpd session ticket key\x00"))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(period))
	m.Write(b[:])
	var out [32]byte
	copy(out[:], m.Sum(nil))
	return out
}

// Install sets the keys for now on cfg (SetSessionTicketKeys). Call it
// again at NextRotation; Set.RunRotation does that for all its configs.
func (k *TicketKeys) Install(cfg *tls.Config, now time.Time) {
	cfg.SetSessionTicketKeys(k.Keys(now))
}

// MarshalBinary encodes the key material: a version byte, a flags byte
// (1: fixed), the rotation in seconds (8 bytes, big-endian) and the 32
// byte secret.
func (k *TicketKeys) MarshalBinary() ([]byte, error) {
	out := make([]byte, 0, 42)
	out = append(out, 1, 0)
	if k.fixed {
		out[1] = 1
	}
	out = binary.BigEndian.AppendUint64(out, uint64(k.rotation/time.Second))
	return append(out, k.secret[:]...), nil
}

// UnmarshalBinary decodes what MarshalBinary made.
func (k *TicketKeys) UnmarshalBinary(b []byte) error {
	if len(b) != 42 || b[0] != 1 || b[1] > 1 {
		return errors.New("tlsconf: bad ticket key encoding")
	}
	sec := binary.BigEndian.Uint64(b[2:10])
	fixed := b[1] == 1
	if !fixed && (sec == 0 || sec > 1<<40) {
		return errors.New("tlsconf: bad ticket key rotation")
	}
	k.fixed = fixed
	k.rotation = time.Duration(sec) * time.Second
	copy(k.secret[:], b[10:])
	return nil
}

// MarshalText is MarshalBinary in base64, so TicketKeys can sit in the
// JSON snapshot children read.
func (k *TicketKeys) MarshalText() ([]byte, error) {
	b, _ := k.MarshalBinary()
	return []byte(base64.StdEncoding.EncodeToString(b)), nil
}

// UnmarshalText decodes MarshalText.
func (k *TicketKeys) UnmarshalText(t []byte) error {
	b, err := base64.StdEncoding.DecodeString(string(t))
	if err != nil {
		return fmt.Errorf("tlsconf: bad ticket key encoding: %w", err)
	}
	return k.UnmarshalBinary(b)
}

// String hides the secret (so a %v in a log line cannot leak it).
func (k *TicketKeys) String() string {
	if k.fixed {
		return "TicketKeys{file}"
	}
	return "TicketKeys{rotation " + k.rotation.String() + "}"
}
