package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/hiring"
	"github.com/lagwatch/lagwatch/internal/store"
)

// TestRiskOnDemoStore fuses the evidence the demo's agents produce: the
// contractor in Frankfurt claiming Phoenix must come out high and the
// honest worker on cable clear, and a second run with the same alert state
// must not raise the same alert again.
func TestRiskOnDemoStore(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if err := run(t.Context(), []string{"demo", "--once", "--duration", "3s", "--app-delay", "--data-dir", dir}, &out, &errb); err != nil {
		t.Fatalf("demo: %v\n%s", err, errb.String())
	}
	state := filepath.Join(t.TempDir(), "alerts.json")
	var got struct {
		Risks []struct {
			Subject struct{ Kind, ID string } `json:"subject"`
			Level   string                    `json:"level"`
		} `json:"risks"`
		Alerts []struct {
			Rule string `json:"rule"`
		} `json:"alerts"`
	}
	riskRun := func() {
		out.Reset()
		if err := run(t.Context(), []string{"risk", "--json", "--data-dir", dir, "--alert-state", state, "--config", writeTemp(t, "risk.json", `{"rules":[{"name":"one-signal","min_level":"high","min_signals":1}]}`)}, &out, &errb); err != nil {
			t.Fatalf("risk: %v\n%s", err, errb.String())
		}
		got.Alerts = nil
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("risk --json: %v\n%s", err, out.String())
		}
	}
	riskRun()
	levels := map[string]string{}
	for _, r := range got.Risks {
		levels[r.Subject.ID] = r.Level
	}
	if levels["w-chris"] != "high" || levels["w-alex"] != "clear" {
		t.Errorf("levels = %v; want w-chris high (faster than light from Phoenix) and w-alex clear", levels)
	}
	if len(got.Alerts) == 0 {
		t.Fatalf("no alert for w-chris")
	}
	if _, err := os.Stat(state); err != nil {
		t.Fatalf("alert state not written: %v", err)
	}
	riskRun()
	if len(got.Alerts) != 0 {
		t.Errorf("second run raised %d alerts again; the state should deduplicate them", len(got.Alerts))
	}
}

// TestRiskUsesStoredLinksAndFindings: "lagwatch risk" counts, for a
// worker with no device, the screening of the application linked with
// "worker link" and the identity-provider findings in the store; -hired
// adds applications on top.
func TestRiskUsesStoredLinksAndFindings(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	cmd := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if err := run(ctx, append(args, "-data-dir", dir), &out, &errb); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errb.String())
		}
		return out.String()
	}
	cmd("worker", "add", "-id", "w-farm", "-location", "Phoenix, AZ, US")
	cmd("worker", "add", "-id", "w-2", "-location", "Denver, CO, US")
	now := time.Now()
	st, err := store.Open(ctx, filepath.Join(dir, "lagwatch.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	applicant := func(id, check string, points float64) store.StoredApplicant {
		res := fmt.Sprintf(`{"applicant_id":%q,"score":%g,"level":"high","evidence":[{"check":%q,"weight":%g,"sentence":"%s of %s"}]}`, id, points, check, points, check, id)
		return store.StoredApplicant{Applicant: hiring.Applicant{ID: id, Name: "Applicant " + id}, Score: points, Level: "high", Result: json.RawMessage(res)}
	}
	_, err = st.SaveApplicants(ctx, store.ApplicantBatch{ImportID: "imp-1", Source: "ats.csv", At: now.Add(-30 * 24 * time.Hour),
		Applicants: []store.StoredApplicant{applicant("app-1", "shared.phone", 5), applicant("app-2", "phone.voip", 2)}})
	if err == nil {
		_, err = st.SaveIdPFindings(ctx, []store.IdPFinding{{WorkerID: "w-farm", Kind: "idp.shared-egress", At: now.Add(-24 * time.Hour), LR: 8,
			Explanation: "3 workers signed in from 203.0.113.50", Refs: []string{"e-1"}}})
	}
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	cmd("worker", "link", "-worker", "w-farm", "-applicant", "app-1")

	var got struct {
		Risks []struct {
			Subject       struct{ Kind, ID string } `json:"subject"`
			Contributions []struct {
				Evidence struct {
					Detector   string `json:"detector"`
					Provenance string `json:"provenance"`
				} `json:"evidence"`
				Bits    float64 `json:"bits"`
				Counted bool    `json:"counted"`
			} `json:"contributions"`
		} `json:"risks"`
	}
	out := cmd("risk", "--json", "--hired", writeTemp(t, "hired.csv", "worker_id,applicant_id\nw-2,app-2\n"))
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("risk --json: %v\n%s", err, out)
	}
	bits := map[string]map[string]float64{}
	for _, r := range got.Risks {
		if r.Subject.Kind != "worker" {
			t.Errorf("risk of %s:%s: linked evidence should count for its worker", r.Subject.Kind, r.Subject.ID)
			continue
		}
		bits[r.Subject.ID] = map[string]float64{}
		for _, c := range r.Contributions {
			if c.Counted {
				bits[r.Subject.ID][c.Evidence.Detector] += c.Bits
			}
			if c.Evidence.Detector == "idp.shared-egress" && c.Evidence.Provenance != "imported" {
				t.Errorf("idp evidence provenance %q; want imported", c.Evidence.Provenance)
			}
		}
	}
	if !(bits["w-farm"]["screen.shared.phone"] > 0) || !(bits["w-farm"]["idp.shared-egress"] > 0) {
		t.Errorf("w-farm counted %v; want the linked screening and the stored idp finding", bits["w-farm"])
	}
	if !(bits["w-2"]["screen.phone.voip"] > 0) || len(bits["w-2"]) != 1 {
		t.Errorf("w-2 counted %v; want only the screening of app-2 from -hired", bits["w-2"])
	}
}
