package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/store"
)

// TestServeRaisesAlerts runs lagwatch serve on a store holding a worker
// with two identity-provider findings and a risk configuration under which
// they make a high risk, and waits for the alerts on the dashboard's API.
func TestServeRaisesAlerts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs lagwatch serve")
	}
	dir := t.TempDir()
	st, err := store.Open(t.Context(), filepath.Join(dir, "lagwatch.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutWorker(t.Context(), store.Worker{ID: "w-farm", Name: "Farm", ClaimedLocation: "Phoenix, AZ, US", Lat: 33.45, Lon: -112.07}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if _, err := st.SaveIdPFindings(t.Context(), []store.IdPFinding{
		{WorkerID: "w-farm", Kind: "idp.shared-egress", At: now.Add(-2 * time.Hour), LR: 8, Explanation: "five workers sign in from 203.0.113.7"},
		{WorkerID: "w-farm", Kind: "idp.off-hours", At: now.Add(-time.Hour), LR: 4, Explanation: "works on UTC+9 hours"},
	}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	riskConfig := filepath.Join(dir, "risk.json")
	if err := os.WriteFile(riskConfig, []byte(`{"prior_odds": 1}`), 0o600); err != nil {
		t.Fatal(err)
	}

	base, stopServe := startServe(t, dir, "-risk-config", riskConfig, "-alert-interval", "1s")
	defer stopServe()
	var got []struct {
		ID      string `json:"id"`
		Rule    string `json:"rule"`
		Subject struct{ Kind, ID string }
		Cites   []json.RawMessage `json:"cites"`
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get(base + "api/v1/alerts")
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("decode alerts: %v", err)
		}
		if len(got) > 0 || time.Now().After(deadline) {
			break
		}
	}
	var rules []string
	for _, a := range got {
		rules = append(rules, a.Rule)
		if a.Subject.ID != "w-farm" || len(a.Cites) != 2 {
			t.Errorf("alert %s on %s cites %d items; want w-farm's 2 findings", a.ID, a.Subject.ID, len(a.Cites))
		}
	}
	if strings.Join(rules, ",") != "high-risk" {
		t.Fatalf("serve raised %v, want high-risk alone (the watch rule leaves high risks to it)", rules)
	}
	// Later evaluations repeat nothing.
	time.Sleep(2500 * time.Millisecond)
	resp, err := http.Get(base + "api/v1/alerts")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || len(got) != 1 {
		t.Errorf("after more evaluations serve lists %d alerts (%v), want the same 1", len(got), err)
	}
}

// startServe runs lagwatch serve on the data directory dir with a
// landmark, plain HTTP and loopback ports, plus args, and returns the
// dashboard's base URL once it listens. stop stops serve and reports its
// error; it may be called more than once, and must be.
func startServe(t *testing.T, dir string, args ...string) (base string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	var out, errb lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "-data-dir", dir, "-landmark", "us-west", "-landmark-location", "Los Angeles, CA, US",
			"-insecure-http", "-addr", "127.0.0.1:0", "-ui-addr", "127.0.0.1:0"}, args...), &out, &errb)
	}()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v\n%s", err, errb.String())
		}
	}
	urlRe := regexp.MustCompile(`dashboard: (http://127\.0\.0\.1:\d+/)`)
	for deadline := time.Now().Add(time.Minute); base == ""; time.Sleep(50 * time.Millisecond) {
		if m := urlRe.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			stop()
			t.Fatalf("serve did not start within a minute:\n%s\n%s", out.String(), errb.String())
		}
	}
	return base, stop
}
