package keylab

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/lab/aalto"
)

// TestIdentityAalto runs the identity-drift evaluation on the real Aalto
// typing when the dataset is beside the repository (../shared/data) or
// named by LAGWATCH_AALTO, and prints the tables (all typists, then the fine-clock control) docs/lab-keystrokes.md
// quotes. It is slow (minutes), so it runs only with -run naming it or
// when LAGWATCH_AALTO is set. LAGWATCH_IDENTITY_JSON names a file for the
// JSON report.
func TestIdentityAalto(t *testing.T) {
	dir := os.Getenv("LAGWATCH_AALTO")
	if dir == "" {
		t.Skip("set LAGWATCH_AALTO to the Aalto dataset directory to run the identity evaluation")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("Aalto dataset not found at %s", dir)
	}
	ps, err := aalto.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := IdentityConfig{}
	if s := os.Getenv("LAGWATCH_IDENTITY_BOOTSTRAP"); s != "" {
		if cfg.Bootstrap, err = strconv.Atoi(s); err != nil {
			t.Fatalf("LAGWATCH_IDENTITY_BOOTSTRAP=%q: %v", s, err)
		}
	}
	var reps []IdentityReport
	for _, fine := range []bool{false, true} {
		cfg.FineClockOnly = fine
		rep, err := RunIdentity(t.Context(), ps, cfg, idLogWriter{t})
		if err != nil {
			t.Fatal(err)
		}
		var tab strings.Builder
		rep.WriteTable(&tab)
		t.Log("\n" + tab.String())
		if len(rep.Test) == 0 || len(rep.Rows) == 0 {
			t.Fatalf("report has %d test typists and %d rows", len(rep.Test), len(rep.Rows))
		}
		reps = append(reps, rep)
	}
	if out := os.Getenv("LAGWATCH_IDENTITY_JSON"); out != "" {
		b, err := json.MarshalIndent(reps, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Clean(out), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// idLogWriter sends progress lines to t.Log.
type idLogWriter struct{ t *testing.T }

func (w idLogWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}
