package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/presence"
	"github.com/lagwatch/lagwatch/internal/store"
)

// PresenceConfig is where the key that signs presence links lives. serve
// checks links with it and `lagwatch presence link` signs them, so both
// must read the same file.
type PresenceConfig struct {
	KeyFile string // hex key; <data-dir>/presence.key when ""
}

func (c *PresenceConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.KeyFile, "presence-key", os.Getenv("LAGWATCH_PRESENCE_KEY"),
		"file holding the key that signs presence challenge links (hex); <data-dir>/presence.key when empty, created if absent (env LAGWATCH_PRESENCE_KEY)")
}

// links returns the link signer, creating the key file if it is absent.
func (c PresenceConfig) links(dataDir string) (*presence.Links, error) {
	path := c.KeyFile
	if path == "" {
		path = filepath.Join(dataDir, "presence.key")
	}
	key, err := loadOrCreateKey(path, presence.MinLinkKey)
	if err != nil {
		return nil, fmt.Errorf("-presence-key: %w", err)
	}
	return presence.NewLinks(key, nil)
}

// loadOrCreateKey reads a hex key of at least n bytes from path, or, when
// the file does not exist, writes a new random one there (mode 0600)
// without ever replacing a file another process wrote first.
func loadOrCreateKey(path string, n int) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := createKey(path, n); err != nil {
			return nil, fmt.Errorf("create key %s: %w", path, err)
		}
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read key %s: %w", path, err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("key %s: not hex: %w", path, err)
	}
	if len(key) < n {
		return nil, fmt.Errorf("key %s: %d bytes, want at least %d", path, len(key), n)
	}
	return key, nil
}

// createKey writes a new random hex key of n bytes to path, mode 0600,
// unless a file is already there (another process wrote it first): that
// one is kept.
func createKey(path string, n int) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	key := make([]byte, n)
	_, _ = rand.Read(key)                                            // never fails (crypto/rand)
	tmp, err := os.CreateTemp(filepath.Dir(path), ".presence-key-*") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return nil
}

// runPresence is `lagwatch presence link`: it prints a signed link to the
// presence challenge for one worker.
func runPresence(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "link" {
		return errors.New("presence: want the subcommand link")
	}
	var (
		sc StoreConfig
		pc PresenceConfig
	)
	fs := flag.NewFlagSet("lagwatch presence link", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sc.register(fs)
	pc.register(fs)
	worker := fs.String("worker", "", "worker ID the challenge is for (required; must be stored)")
	enrol := fs.Bool("enrol", false, "an enrolment link: the reactions become the worker's baseline; send it only while the worker's identity is verified")
	ttl := fs.Duration("ttl", 24*time.Hour, fmt.Sprintf("how long the link is valid, at most %v; a link yields one stored session", presence.MaxLinkTTL))
	base := fs.String("url", envOr("LAGWATCH_PUBLIC_URL", "http://127.0.0.1:8080/"), "the dashboard's address as the worker's browser reaches it (env LAGWATCH_PUBLIC_URL)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *worker == "" {
		return errors.New("-worker: required")
	}
	if *ttl <= 0 || *ttl > presence.MaxLinkTTL {
		return fmt.Errorf("-ttl: %v; want more than 0 and at most %v", *ttl, presence.MaxLinkTTL)
	}
	u, err := url.Parse(*base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("-url: %q; want an http:// or https:// URL", *base)
	}
	if err := sc.validate(); err != nil {
		return err
	}
	st, err := openStore(ctx, sc, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Worker(ctx, *worker); errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("-worker: %s is not stored (lagwatch worker add)", *worker)
	} else if err != nil {
		return fmt.Errorf("look up worker %s: %w", *worker, err)
	}
	links, err := pc.links(sc.DataDir)
	if err != nil {
		return err
	}
	tok, err := links.Token(presence.Subject{WorkerID: *worker, Enrol: *enrol}, *ttl)
	if err != nil {
		return fmt.Errorf("sign a presence link for worker %s: %w", *worker, err)
	}
	u = u.JoinPath("presence/")
	u.RawQuery = url.Values{"t": {tok}}.Encode()
	fmt.Fprintln(stdout, u.String())
	return nil
}
