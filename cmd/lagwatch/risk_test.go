package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
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
