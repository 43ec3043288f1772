package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/cases"
	"github.com/lagwatch/lagwatch/internal/geo"
	"github.com/lagwatch/lagwatch/internal/report"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/web"
)

// fixedWorker is the evidence file of w-farm: a claim in Phoenix, one
// device and an hour of RTT samples from Los Angeles; any other worker
// is not found.
func fixedWorker(_ context.Context, id string) (report.Case, error) {
	if id != "w-farm" {
		return report.Case{}, fmt.Errorf("worker %s: %w", id, store.ErrNotFound)
	}
	phoenix := geo.Point{Lat: 33.45, Lon: -112.07}
	at := time.Date(2026, 11, 2, 11, 0, 0, 0, time.UTC)
	s := report.RTTSeries{Landmark: "us-west", Place: "Los Angeles, CA, US", Point: geo.Point{Lat: 34.05, Lon: -118.24}, ThresholdMs: 80}
	for i := range 60 {
		s.Samples = append(s.Samples, report.RTTSample{At: at.Add(time.Duration(i) * time.Minute), RTT: 210 * time.Millisecond})
	}
	return report.Case{ID: "w-farm",
		Subject: report.Person{ID: "w-farm", Name: "Farm <Worker>", ClaimedPlace: "Phoenix, AZ, US", ClaimedPoint: &phoenix,
			Devices: []report.Device{{ID: "d-farm", Hostname: "farm-laptop", IP: "198.51.100.7", LastSeen: at}}},
		RTT: []report.RTTSeries{s},
		Map: report.MapData{Disks: []report.Disk{{Label: "us-west ≤ 21,000 km", Center: s.Point, RadiusKm: 21000}}},
	}, nil
}

// TestWorkerPage shows the farm worker's risk with its evidence, the RTT
// plot and map as inline SVG, the devices and the case button; an unknown
// worker is 404 on the page and the API.
func TestWorkerPage(t *testing.T) {
	st := applicantStore(t)
	base, _ := serve(t, web.Config{Verdicts: noVerdicts, Risks: fixedRisks, Worker: fixedWorker, Cases: cases.New(st, nil), CaseStore: st})
	resp, body := do(t, "GET", base+"/workers/w-farm")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /workers/w-farm = %d\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{escaped(t, "Farm <Worker>"), "Phoenix, AZ, US", `id="risk-level"`, "input.injected",
		escaped(t, "Too slow for <Phoenix>"), "<svg", "farm-laptop", "198.51.100.7", `id="open-case"`} {
		if !strings.Contains(body, want) {
			t.Errorf("worker page lacks %q", want)
		}
	}
	if n := strings.Count(body, "<svg"); n < 2 {
		t.Errorf("worker page has %d plots, want the RTT plot and the map", n)
	}
	if resp, _ := do(t, "GET", base+"/workers/w-nobody"); resp.StatusCode != 404 {
		t.Errorf("unknown worker page = %d, want 404", resp.StatusCode)
	}
	resp, body = do(t, "GET", base+"/api/v1/workers/w-farm")
	var got struct {
		Worker report.Case
		Risk   struct {
			Level   string
			Signals int
		}
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("API = %d, %v\n%s", resp.StatusCode, err, body)
	}
	if got.Worker.Subject.Name != "Farm <Worker>" || len(got.Worker.RTT) != 1 || got.Risk.Signals != 2 {
		t.Errorf("API worker = %+v", got)
	}
	if resp, _ := do(t, "GET", base+"/api/v1/workers/w-nobody"); resp.StatusCode != 404 {
		t.Errorf("unknown worker API = %d, want 404", resp.StatusCode)
	}

	// The risk page links to the worker page.
	if _, body := do(t, "GET", base+"/risk"); !strings.Contains(body, `href="workers/w-farm"`) {
		t.Errorf("risk page does not link to the worker page")
	}
}

// TestCaseFromWorkerCarriesEvidence opens a case from the worker page's
// form: the case starts with the evidence behind the worker's risk, and
// its report holds the worker's RTT plot and devices.
func TestCaseFromWorkerCarriesEvidence(t *testing.T) {
	st := applicantStore(t)
	base, _ := serve(t, web.Config{Verdicts: noVerdicts, Risks: fixedRisks, Worker: fixedWorker, Cases: cases.New(st, nil), CaseStore: st})
	resp := postForm(t, base+"/cases", url.Values{"subject": {"worker:w-farm"}, "title": {"Investigate w-farm"}}, "")
	if resp.StatusCode != 303 {
		t.Fatalf("POST /cases = %d", resp.StatusCode)
	}
	cs, err := st.Cases(t.Context(), store.CaseFilter{})
	if err != nil || len(cs) != 1 {
		t.Fatalf("cases = %+v, %v", cs, err)
	}
	c, err := st.Case(t.Context(), cs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var dets []string
	for _, e := range c.Evidence {
		dets = append(dets, e.Detector)
	}
	if len(dets) != 2 || !strings.Contains(strings.Join(dets, " "), "latency.too-slow") || !strings.Contains(strings.Join(dets, " "), "input.injected") {
		t.Errorf("case evidence = %v, want the two counted detectors", dets)
	}
	_, body := do(t, "GET", fmt.Sprintf("%s/cases/%d/report", base, c.ID))
	for _, want := range []string{"<svg", "farm-laptop", "198.51.100.7", "us-west"} {
		if !strings.Contains(body, want) {
			t.Errorf("case report lacks %q", want)
		}
	}
}
