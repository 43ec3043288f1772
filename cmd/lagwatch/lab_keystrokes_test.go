package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLabKeystrokesWritePriors refits the relay priors on the Aalto data
// when it is beside the repository (../shared/data), and checks that the
// committed internal/relay/priors.json is exactly what the refit writes.
func TestLabKeystrokesWritePriors(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "data", "aalto-136m-keystrokes")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("Aalto dataset not found beside the repository")
	}
	out := filepath.Join(t.TempDir(), "priors.json")
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"lab", "keystrokes", "--aalto", dir, "--write-priors", out}, &stdout, &stderr); err != nil {
		t.Fatalf("lab keystrokes --write-priors: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "threshold 17.63 nats") {
		t.Errorf("output %q, want the fitted threshold", stdout.String())
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "internal", "relay", "priors.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("refit priors differ from internal/relay/priors.json; refit with the command in docs/lab-keystrokes.md\ngot:\n%s", got)
	}
	// A file that cannot be written is an error naming it.
	bad := filepath.Join(t.TempDir(), "missing", "priors.json")
	if err := run(t.Context(), []string{"lab", "keystrokes", "--aalto", dir, "--write-priors", bad}, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("--write-priors %s = %v, want an error naming the file", bad, err)
	}
}
