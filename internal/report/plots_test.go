package report

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestRenderPlots(t *testing.T) {
	start := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	rttOnly := Case{ID: "W-1", Subject: Person{ClaimedPlace: "Phoenix, AZ", ClaimedPoint: &phoenix},
		RTT: []RTTSeries{{Landmark: "lax1", Point: losAngels, ThresholdMs: 80, Samples: []RTTSample{
			{At: start, RTT: 30 * time.Millisecond}, {At: start.Add(time.Hour), RTT: 32 * time.Millisecond}}}}}
	for _, tc := range []struct {
		name                              string
		c                                 Case
		rtt, operator, provenance, worldM bool
	}{
		{"laptop farm", laptopFarmCase(), true, true, true, true},
		{"rtt only", rttOnly, true, false, false, true},
		{"empty", Case{ID: "W-2"}, false, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := RenderPlots(tc.c)
			if err != nil {
				t.Fatalf("RenderPlots() = %v", err)
			}
			for _, x := range []struct {
				name string
				svg  string
				want bool
			}{{"RTT", string(p.RTT), tc.rtt}, {"Operator", string(p.Operator), tc.operator}, {"Provenance", string(p.Provenance), tc.provenance}, {"Map", string(p.Map), tc.worldM}} {
				switch {
				case x.want && !strings.HasPrefix(x.svg, "<svg"):
					t.Errorf("RenderPlots().%s = %.60q, want an inline <svg", x.name, x.svg)
				case !x.want && x.svg != "":
					t.Errorf("RenderPlots().%s = %.60q, want empty: no data", x.name, x.svg)
				}
			}
			// Each plot is well-formed XML, as in the full report.
			if n := checkSVGs(t, string(p.RTT+p.Operator+p.Provenance+p.Map)); n != btoi(tc.rtt)+btoi(tc.operator)+btoi(tc.provenance)+btoi(tc.worldM) {
				t.Errorf("RenderPlots() drew %d SVGs", n)
			}
		})
	}
}

func TestRenderPlotsSameAsHTML(t *testing.T) {
	c := laptopFarmCase()
	p, err := RenderPlots(c)
	if err != nil {
		t.Fatal(err)
	}
	page := render(t, c)
	for name, svg := range map[string]string{"RTT": string(p.RTT), "Operator": string(p.Operator), "Provenance": string(p.Provenance), "Map": string(p.Map)} {
		if !strings.Contains(page, svg) {
			t.Errorf("RenderPlots().%s is not the plot HTML() draws", name)
		}
	}
}

func TestRenderPlotsInvalid(t *testing.T) {
	bad := laptopFarmCase()
	bad.RTT[1].ThresholdMs = math.NaN()
	for _, tc := range []struct {
		c     Case
		field string
	}{
		{Case{}, "id: required"},
		{bad, "rtt[1].threshold_ms"},
		{Case{ID: "x", Map: MapData{Disks: []Disk{{Label: "lax1", Center: losAngels, RadiusKm: -1}}}}, "map.disks[0].radius_km"},
	} {
		p, err := RenderPlots(tc.c)
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("RenderPlots(case %q) = %v, want an error naming %s", tc.c.ID, err, tc.field)
		}
		if p != (Plots{}) {
			t.Errorf("RenderPlots(case %q) with an error returned plots", tc.c.ID)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
