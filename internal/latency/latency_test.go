package latency

import (
	"math"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/geo"
)

var (
	phoenix   = geo.Point{Lat: 33.4484, Lon: -112.0740}
	losAng    = geo.Point{Lat: 34.0522, Lon: -118.2437}
	frankfurt = geo.Point{Lat: 50.1109, Lon: 8.6821}
	tokyo     = geo.Point{Lat: 35.6762, Lon: 139.6503}
	washDC    = geo.Point{Lat: 38.9072, Lon: -77.0369}
)

func mustBand(t *testing.T) *Band {
	t.Helper()
	b, err := DefaultBand()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDistQuantile(t *testing.T) {
	d := Dist{0, 10, 20}
	for _, tt := range []struct{ p, want float64 }{{0, 0}, {0.25, 5}, {0.5, 10}, {1, 20}, {-1, 0}, {2, 20}} {
		if got := d.Quantile(tt.p); got != tt.want {
			t.Errorf("Quantile(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
}

func TestSumQuantile(t *testing.T) {
	// A point mass at 10 plus uniform 0..100: the 90th percentile is about 100.
	point := Dist{10, 10}
	uni := make(Dist, 101)
	for i := range uni {
		uni[i] = float64(i)
	}
	if got := SumQuantile(point, uni, 0.9); math.Abs(got-100) > 1.5 {
		t.Errorf("SumQuantile(10, U(0,100), 0.9) = %v, want about 100", got)
	}
	if got := SumQuantile(uni, uni, 0.5); math.Abs(got-100) > 2 {
		t.Errorf("median of U+U = %v, want about 100", got)
	}
}

func TestAccess(t *testing.T) {
	for _, name := range AccessNames() {
		a, err := ParseAccess(name)
		if err != nil {
			t.Fatalf("ParseAccess(%q): %v", name, err)
		}
		if len(a.Dist) < 2 || a.Dist[0] < a.FloorMs-1e-9 {
			t.Errorf("%s: distribution %v below floor %v", name, a.Dist[:2], a.FloorMs)
		}
		for i := 1; i < len(a.Dist); i++ {
			if a.Dist[i] < a.Dist[i-1] {
				t.Fatalf("%s: quantiles not ascending at %d", name, i)
			}
		}
	}
	if _, err := ParseAccess("carrier-pigeon"); err == nil || !strings.Contains(err.Error(), "want one of") {
		t.Errorf("ParseAccess(carrier-pigeon) error = %v, want the list of names", err)
	}
	geoSat, _ := ParseAccess("satellite-geo")
	if geoSat.FloorMs < 477 {
		t.Errorf("geostationary floor = %v, want >= 477 ms (4 x 35,786 km at c)", geoSat.FloorMs)
	}
}

func TestDefaultBandShape(t *testing.T) {
	b := mustBand(t)
	if b.Pairs < 1000 {
		t.Errorf("embedded band fitted on %d pairs, want a real fit", b.Pairs)
	}
	// Real routes are never shorter than great circles.
	for i, m := range b.MedianMs {
		if m < 0 {
			t.Errorf("median excess at %v km = %v, negative", b.KnotsKm[i], m)
		}
	}
}

func obs(name string, at geo.Point, ms float64) Observation {
	return Observation{Landmark: name, At: at, MinMs: ms, Count: 100, Provenance: "server-tcp"}
}

func TestAssess(t *testing.T) {
	b := mustBand(t)
	unknown, _ := ParseAccess("")
	geoSat, _ := ParseAccess("satellite-geo")
	cable, _ := ParseAccess("cable")
	phx := Claim{Place: "Phoenix, AZ, US", Point: phoenix, Access: unknown}
	tests := []struct {
		name     string
		claim    Claim
		obs      []Observation
		want     Status
		contains string
	}{
		{"honest Phoenix via LA", phx, []Observation{obs("us-west", losAng, 18)}, Consistent, "consistent"},
		{"VPN from Shenyang", phx, []Observation{obs("us-west", losAng, 172)}, TooSlow, "too slow"},
		{"Frankfurt device claiming Phoenix", phx, []Observation{obs("eu-central", frankfurt, 6)}, Impossible, "cannot be there"},
		{"declared geostationary satellite, honest", Claim{Place: "Phoenix, AZ, US", Point: phoenix, Access: geoSat, AccessDeclared: true},
			[]Observation{obs("us-west", losAng, 630)}, Consistent, "geostationary"},
		{"declared geostationary satellite, too fast", Claim{Place: "Phoenix, AZ, US", Point: phoenix, Access: geoSat, AccessDeclared: true},
			[]Observation{obs("us-west", losAng, 30)}, Impossible, "impossible as declared"},
		{"declared cable, honest", Claim{Place: "Phoenix, AZ, US", Point: phoenix, Access: cable, AccessDeclared: true},
			[]Observation{obs("us-west", losAng, 22)}, Consistent, "cable"},
		{"too few samples", phx, []Observation{{Landmark: "us-west", At: losAng, MinMs: 18, Count: 1}}, Insufficient, "no verdict"},
		{"honest Phoenix, three landmarks", phx, []Observation{obs("us-west", losAng, 18), obs("us-east", washDC, 62), obs("eu-central", frankfurt, 150)}, Consistent, "contains Phoenix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := b.Assess(tt.claim, tt.obs, Options{})
			if v.Status != tt.want {
				t.Fatalf("Assess status = %s, want %s\n%s", v.Status, tt.want, strings.Join(v.Explanation, "\n"))
			}
			all := strings.ToLower(v.Summary + " " + strings.Join(v.Explanation, " "))
			if !strings.Contains(all, strings.ToLower(tt.contains)) {
				t.Errorf("explanation lacks %q:\n%s", tt.contains, all)
			}
			for _, f := range v.Findings {
				if f.ThresholdMs < f.ExpectedMs || f.ExpectedMs < f.FibreMs {
					t.Errorf("finding %s: fibre %v <= expected %v <= threshold %v violated", f.Landmark, f.FibreMs, f.ExpectedMs, f.ThresholdMs)
				}
				if !strings.Contains(f.Text, " ms") {
					t.Errorf("finding text without numbers: %q", f.Text)
				}
			}
		})
	}
}

func TestFeasibleRegion(t *testing.T) {
	// A device in Phoenix, measured from Los Angeles, Washington and Tokyo
	// at their fibre minimum plus 5 ms: the region must contain Phoenix.
	o := []Observation{}
	for _, l := range []geo.Point{losAng, washDC, tokyo} {
		o = append(o, obs("l", l, fibreMs(geo.Distance(l, phoenix))+5))
	}
	r := FeasibleRegion(o, 0, phoenix)
	if r.Empty || !r.ContainsClaim {
		t.Fatalf("region %+v does not contain the true place", r)
	}
	if d := geo.Distance(r.Centroid, phoenix); d > 1500 {
		t.Errorf("region centroid %v is %.0f km from Phoenix", r.Centroid, d)
	}
	// The same RTTs do not allow Frankfurt.
	r = FeasibleRegion(o, 0, frankfurt)
	if r.ContainsClaim || r.ClaimToEdgeKm < 1000 {
		t.Errorf("Frankfurt claim: contains=%v edge=%.0f km, want outside by > 1,000 km", r.ContainsClaim, r.ClaimToEdgeKm)
	}
}

func TestFitBand(t *testing.T) {
	// Synthetic places on a line of longitude with RTT = 1.5 x fibre + 5 ms.
	var places []geo.Point
	for i := range 40 {
		places = append(places, geo.Point{Lat: -60 + 3*float64(i), Lon: 10})
	}
	var pings []Ping
	for i := range places {
		for j := range places {
			if i != j {
				d := geo.Distance(places[i], places[j])
				pings = append(pings, Ping{From: i, To: j, RTTMs: 1.5*fibreMs(d) + 5})
			}
		}
	}
	b, err := FitBand(places, pings, 1000, "synthetic")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []float64{500, 2000, 5000} {
		want := 0.5*fibreMs(d) + 5
		if got := b.MedianExcess(d); math.Abs(got-want) > 0.15*want+1 {
			t.Errorf("MedianExcess(%v) = %.1f, want about %.1f", d, got, want)
		}
	}
	if _, err := FitBand(places, nil, 1000, ""); err == nil {
		t.Error("FitBand with no pings: want an error")
	}
}

func TestCalibratedPrediction(t *testing.T) {
	b := mustBand(t)
	// Anchors around Phoenix that all show 30 ms of excess from LA.
	cal := &Calibration{Landmark: losAng}
	for i := range 12 {
		p := geo.Destination(phoenix, float64(i)*30, 100+float64(i)*20)
		cal.Anchors = append(cal.Anchors, Anchor{Point: p, RTTMs: fibreMs(geo.Distance(losAng, p)) + 30})
	}
	p := b.Predict(losAng, phoenix, cal)
	if p.Method != "calibrated" || math.Abs(p.ExcessMs-30) > 0.5 {
		t.Errorf("Predict = %s with excess %.1f, want calibrated 30", p.Method, p.ExcessMs)
	}
	// Far from every anchor, the band predicts.
	if p := b.Predict(losAng, tokyo, cal); p.Method != "band" {
		t.Errorf("Predict far from anchors: method %s, want band", p.Method)
	}
}
