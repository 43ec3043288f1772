package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// forbidden lists packages that must never be linked into the agent:
// server code and server-only dependencies. A path matches itself and
// everything under it.
var forbidden = []string{
	"github.com/lagwatch/lagwatch/internal/store",
	"github.com/lagwatch/lagwatch/internal/ingest",
	"github.com/lagwatch/lagwatch/internal/web",
	"github.com/lagwatch/lagwatch/internal/analyze",
	"github.com/lagwatch/lagwatch/internal/lab",
	"github.com/lagwatch/lagwatch/internal/rfb", // sends key content by design
	"modernc.org/sqlite",
	"github.com/jackc/pgx",
	"github.com/pressly/goose",
}

// TestDeps checks with "go list -deps" that lagwatch-agent, as built for
// each target OS, links none of the forbidden packages.
func TestDeps(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go tool not found: %v", err)
	}
	for _, goos := range []string{"linux", "darwin", "windows"} {
		t.Run(goos, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), goTool, "list", "-deps", "-f", "{{.ImportPath}}", ".")
			cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=0")
			out, err := cmd.Output()
			if err != nil {
				stderr := ""
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = string(ee.Stderr)
				}
				t.Fatalf("go list -deps: %v\n%s", err, stderr)
			}
			deps := strings.Fields(string(out))
			var sawAgent bool
			for _, d := range deps {
				sawAgent = sawAgent || d == "github.com/lagwatch/lagwatch/internal/agent"
				for _, f := range forbidden {
					if d == f || strings.HasPrefix(d, f+"/") {
						t.Errorf("lagwatch-agent (GOOS=%s) links %s, which is server-only (%s)", goos, d, f)
					}
				}
			}
			if !sawAgent {
				t.Errorf("go list -deps did not list internal/agent; got %d packages", len(deps))
			}
		})
	}
}
