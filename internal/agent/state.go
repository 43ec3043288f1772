package agent

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/lagwatch/lagwatch/internal/wire"
)

// StateFile is the name of the agent's state file in its state directory.
const StateFile = "state.json"

// State is what the agent keeps between runs. Credential is a secret.
type State struct {
	DeviceID   string    `json:"device_id"`   // assigned at enrolment
	Credential string    `json:"credential"`  // authenticates every request; a secret
	Server     string    `json:"server"`      // base URL of the server that enrolled the device
	Landmark   string    `json:"landmark"`    // that server's landmark
	EnrolledAt time.Time `json:"enrolled_at"` // when the agent enrolled
	// PrivateKey is the seed of the device's Ed25519 signing key, base64; a
	// secret. Its public half was sent at enrolment, and every batch is
	// signed with it. Agents enrolled before signing existed have none.
	PrivateKey string `json:"private_key,omitempty"`
}

// signingKey returns the device's signing key, or nil if it has none.
func (s State) signingKey() (ed25519.PrivateKey, error) {
	if s.PrivateKey == "" {
		return nil, nil
	}
	seed, err := base64.StdEncoding.DecodeString(s.PrivateKey)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("agent state: private_key is not a base64 Ed25519 seed of %d bytes (move the state away to enrol again with a new token)", ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// String returns s with the credential redacted.
func (s State) String() string {
	cred := `""`
	if s.Credential != "" {
		cred = "[redacted]"
	}
	key := "none"
	if s.PrivateKey != "" {
		key = "[redacted]"
	}
	return fmt.Sprintf("{device_id:%q credential:%s server:%q landmark:%q enrolled_at:%s private_key:%s}",
		s.DeviceID, cred, s.Server, s.Landmark, s.EnrolledAt.Format(time.RFC3339), key)
}

// LoadState reads the state file in dir. A missing file gives the zero
// State and no error; a file that exists but is unusable is an error,
// never silently replaced (the credential cannot be recovered).
func LoadState(dir string) (State, error) {
	path := filepath.Join(dir, StateFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return State{}, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("read agent state %s: %w", path, err)
	}
	var s State
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return State{}, fmt.Errorf("decode agent state %s: %w (move it away to enrol again with a new token)", path, err)
	}
	if !wire.IsIdent(s.DeviceID) || !wire.IsSecret(s.Credential) {
		return State{}, fmt.Errorf("agent state %s: device_id or credential missing or malformed (move it away to enrol again with a new token)", path)
	}
	if _, err := s.signingKey(); err != nil {
		return State{}, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// saveState writes s to the state file in dir atomically, mode 0600,
// creating dir with mode 0700 if needed.
func saveState(dir string, s State) error {
	path := filepath.Join(dir, StateFile)
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode agent state: %w", err)
	}
	if err := writeFileAtomic(dir, StateFile, append(b, '\n')); err != nil {
		return fmt.Errorf("write agent state %s: %w", path, err)
	}
	return nil
}

// checkStateDir makes sure dir exists and a file can be written in it, so
// that a credential obtained by enrolment (which uses up the token) can be
// saved.
func checkStateDir(dir string) error {
	if err := writeFileAtomic(dir, ".write-test", nil); err != nil {
		return fmt.Errorf("check agent state dir %s: %w", dir, err)
	}
	if err := os.Remove(filepath.Join(dir, ".write-test")); err != nil {
		return fmt.Errorf("check agent state dir %s: %w", dir, err)
	}
	return nil
}

// writeFileAtomic writes data to dir/name through a synced temporary file
// and a rename, mode 0600.
func writeFileAtomic(dir, name string, data []byte) (err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(0o600); err != nil { // CreateTemp's mode already, made explicit
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), filepath.Join(dir, name))
}
