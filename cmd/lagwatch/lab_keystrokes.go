package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/lagwatch/lagwatch/internal/lab/aalto"
	"github.com/lagwatch/lagwatch/internal/lab/keylab"
)

// runLabKeystrokes evaluates the relay detector and identity drift on the
// Aalto keystroke data (docs/lab-keystrokes.md).
func runLabKeystrokes(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lagwatch lab keystrokes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("aalto", "", "the Aalto 136M-keystrokes folder with *_keystrokes.txt files, or its keystrokes/ folder (required; docs/lab-keystrokes.md says where to get it)")
	parts := fs.String("parts", "relay,identity", "what to evaluate: relay, identity, or both comma-separated")
	realPath := fs.Bool("real-path", false, "also replay typing through a real kernel TCP path to check the relay model (needs root and network namespaces)")
	seed := fs.Uint64("seed", 1, "seed of the participant split and the path models")
	asJSON := fs.Bool("json", false, "print JSON instead of tables")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("lab keystrokes: -aalto is required (see docs/lab-keystrokes.md for where to get the data)")
	}
	doRelay, doIdentity := false, false
	for _, p := range splitList(*parts) {
		switch p {
		case "relay":
			doRelay = true
		case "identity":
			doIdentity = true
		default:
			return fmt.Errorf("lab keystrokes: -parts: unknown part %q: want relay or identity", p)
		}
	}
	ps, err := aalto.ReadDir(*dir)
	if err != nil {
		return fmt.Errorf("lab keystrokes: %w", err)
	}
	fmt.Fprintf(stderr, "read %d participants from %s\n", len(ps), *dir)

	out := struct {
		Relay    *keylab.RelayReport    `json:"relay,omitempty"`
		Identity *keylab.IdentityReport `json:"identity,omitempty"`
	}{}
	if doRelay {
		cfg := keylab.DefaultRelayConfig()
		cfg.Seed, cfg.RealPath = *seed, *realPath
		r, err := keylab.RunRelay(ctx, ps, cfg, stderr)
		if err != nil {
			return fmt.Errorf("lab keystrokes: relay: %w", err)
		}
		out.Relay = &r
	}
	if doIdentity {
		r, err := keylab.RunIdentity(ctx, ps, keylab.IdentityConfig{Seed: *seed}, stderr)
		if err != nil {
			return fmt.Errorf("lab keystrokes: identity: %w", err)
		}
		out.Identity = &r
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if out.Relay != nil {
		out.Relay.WriteTable(stdout)
	}
	if out.Identity != nil {
		fmt.Fprintln(stdout)
		out.Identity.WriteTable(stdout)
	}
	return nil
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
