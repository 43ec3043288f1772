package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/web"
)

// fixedRisks fuses a laptop-farm worker's and an honest worker's evidence
// with the default configuration.
func fixedRisks(context.Context) ([]risk.Risk, error) {
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	links := &risk.Links{}
	if err := links.Link(risk.Device("d-farm"), risk.Worker("w-farm")); err != nil {
		return nil, err
	}
	ev := []risk.Evidence{
		risk.New(risk.Device("d-farm"), "latency.too-slow", risk.ServerMeasured, "Too slow for <Phoenix>: 210 ms where 80 ms is the most an honest device shows.", now),
		risk.New(risk.Device("d-farm"), "input.injected", risk.AgentReported, "41 % of keystrokes were injected.", now),
		risk.New(risk.Worker("w-ok"), "latency.consistent", risk.ServerMeasured, "Consistent with Phoenix.", now),
	}
	return risk.Fuse(ev, links, risk.DefaultConfig(), now), nil
}

func TestRiskPage(t *testing.T) {
	base, _ := serve(t, web.Config{Verdicts: noVerdicts, Risks: fixedRisks})
	resp, body := do(t, "GET", base+"/risk")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /risk = %d", resp.StatusCode)
	}
	farm, ok := strings.CutPrefix(body[strings.Index(body, "worker:w-farm"):], "worker:w-farm")
	if !ok || strings.Index(body, "worker:w-farm") > strings.Index(body, "worker:w-ok") {
		t.Fatalf("the farm worker is not listed first:\n%s", body)
	}
	if !strings.Contains(farm, "input.injected") || !strings.Contains(body, escaped(t, "Too slow for <Phoenix>")) {
		t.Errorf("the farm worker's evidence is missing or unescaped")
	}
	if strings.Contains(body, "Evaluated ") {
		t.Errorf("the risk page names an evaluation time it was not given:\n%s", body)
	}
	_, body = do(t, "GET", base+"/api/v1/risks")
	if !strings.Contains(body, `"subject":{"kind":"worker","id":"w-farm"}`) {
		t.Errorf("risks API = %s", body)
	}
}

func TestRiskPageEvaluated(t *testing.T) {
	at := time.Date(2026, 11, 2, 12, 0, 5, 0, time.FixedZone("CET", 3600))
	base, _ := serve(t, web.Config{Verdicts: noVerdicts, Risks: fixedRisks, RisksEvaluated: func() time.Time { return at }})
	if _, body := do(t, "GET", base+"/risk"); !strings.Contains(body, "Evaluated 2026-11-02 11:00:05 UTC.") {
		t.Errorf("the risk page does not say when its risks were evaluated:\n%s", body)
	}
}
