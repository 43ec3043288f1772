package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lagwatch/lagwatch/internal/lab/aalto"
	"github.com/lagwatch/lagwatch/internal/lab/keylab"
	"github.com/lagwatch/lagwatch/internal/relay"
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
	writePriors := fs.String("write-priors", "", "fit the relay detector's priors and 0.1 % threshold on every participant and write them to this file (the shipped one is internal/relay/priors.json); the evaluations run only if -parts is also given")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("lab keystrokes: -aalto is required (see docs/lab-keystrokes.md for where to get the data)")
	}
	partsSet := false
	fs.Visit(func(f *flag.Flag) { partsSet = partsSet || f.Name == "parts" })
	if *writePriors != "" {
		// Fail before the fit, not after it.
		if fi, err := os.Stat(filepath.Dir(*writePriors)); err != nil || !fi.IsDir() {
			return fmt.Errorf("lab keystrokes: -write-priors %s: its directory does not exist", *writePriors)
		}
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
	if *writePriors != "" {
		if err := writeRelayPriors(ctx, ps, *seed, *writePriors, stdout); err != nil {
			return err
		}
		if !partsSet {
			return nil
		}
	}

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

// writeRelayPriors fits the relay detector's calibration on every
// participant (relay.Fit over the lab's path grid) and writes it to path
// as indented JSON.
func writeRelayPriors(ctx context.Context, ps []aalto.Participant, seed uint64, path string, stdout io.Writer) error {
	typists := make([]relay.Typist, len(ps))
	for i, p := range ps {
		typists[i] = relay.Typist{ID: p.ID, Events: p.Events()}
	}
	lab := keylab.DefaultRelayConfig()
	paths := lab.Paths()
	c, err := relay.Fit(ctx, typists, relay.FitConfig{
		Window: lab.Window, Alpha: relay.DefaultAlpha, Paths: paths, Resolution: lab.Resolution, Seed: seed,
		Source: fmt.Sprintf("Aalto 136M keystrokes subset, every participant with at least %d strokes, folds and relay paths as the lab's (%d paths, seed %d); "+
			"refit with: lagwatch lab keystrokes --aalto DIR --write-priors internal/relay/priors.json", lab.Window, len(paths), seed),
	})
	if err != nil {
		return fmt.Errorf("lab keystrokes: %w", err)
	}
	data, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		return fmt.Errorf("lab keystrokes: encode relay priors: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("lab keystrokes: write relay priors to %s: %w", path, err)
	}
	r := c.Priors.Rate
	fmt.Fprintf(stdout, "relay priors from %d typists (%d windows of %d strokes): rates/100 keys ties %.4f bursts %.4f stalls %.4f zero-holds %.4f; "+
		"RTT scales ack %.3f stall %.3f; threshold %.2f nats (folds %.2f/%.2f) at %g per window (%d decisions); wrote %s\n",
		c.Typists, c.Windows, c.Window, r[relay.FeatTies], r[relay.FeatBursts], r[relay.FeatStallBursts], r[relay.FeatZeroHolds],
		c.Priors.AckScale, c.Priors.StallScale, c.Threshold, c.FoldThresholds[0], c.FoldThresholds[1], c.Alpha, c.Decisions, path)
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
