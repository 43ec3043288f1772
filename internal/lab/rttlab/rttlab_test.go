package rttlab

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/geo"
	"github.com/lagwatch/lagwatch/internal/lab/wonderproxy"
)

// synthetic builds a mesh of cities in the US and East Asia whose RTTs are
// 1.6 x the fibre minimum plus 4 ms: a well-behaved Internet.
func synthetic(t *testing.T) *wonderproxy.Dataset {
	t.Helper()
	return syntheticWith(t, false)
}

// syntheticWith adds, if mislocated, a server listed in Phoenix that answers
// from Shanghai: the mesh's RTTs are those of its real place.
func syntheticWith(t *testing.T, mislocated bool) *wonderproxy.Dataset {
	t.Helper()
	var sv, pg strings.Builder
	sv.WriteString("id,title,country,state_abbv,continent,latitude,longitude\n")
	type city struct {
		name, country, state string
		lat, lon             float64
	}
	var cities []city
	for i := range 30 {
		cities = append(cities, city{fmt.Sprintf("US%d", i), "United States", "XX", 30 + float64(i%6)*2.5, -120 + float64(i/6)*10})
	}
	cities = append(cities, city{"Los Angeles", "United States", "CA", 34.05, -118.24})
	for i := range 10 {
		cities = append(cities, city{fmt.Sprintf("CN%d", i), "China", "", 25 + float64(i)*2, 110 + float64(i)})
	}
	real := make([]geo.Point, 0, len(cities)+1)
	for _, c := range cities {
		real = append(real, geo.Point{Lat: c.lat, Lon: c.lon})
	}
	if mislocated {
		cities = append(cities, city{"Phoenix", "United States", "AZ", 33.45, -112.07})
		real = append(real, geo.Point{Lat: 31.23, Lon: 121.47})
	}
	for i, c := range cities {
		fmt.Fprintf(&sv, "%d,%s,%s,%s,1,%f,%f\n", i, c.name, c.country, c.state, c.lat, c.lon)
	}
	pg.WriteString("source,destination,min\n")
	for i := range cities {
		for j := range cities {
			if i == j {
				continue
			}
			d := geo.Distance(real[i], real[j])
			fmt.Fprintf(&pg, "%d,%d,%.3f\n", i, j, 1.6*d/99.93+4)
		}
	}
	ds, err := wonderproxy.Decode(strings.NewReader(sv.String()), strings.NewReader(pg.String()))
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestRunSynthetic(t *testing.T) {
	ds := synthetic(t)
	for _, cal := range []bool{false, true} {
		r, err := Run(ds, Config{Landmarks: []string{"Los Angeles"}, Calibrated: cal, Folds: 3, Draws: 2, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		honest, far := r.Bands[0], r.Regions[0]
		if honest.Trials == 0 || far.Trials == 0 {
			t.Fatalf("calibrated=%v: no trials: %+v %+v", cal, honest, far)
		}
		if honest.Rate > 0.01 {
			t.Errorf("calibrated=%v: honest devices flagged %.2f%%, want <= 1%% on a well-behaved mesh", cal, 100*honest.Rate)
		}
		if far.Rate < 0.99 {
			t.Errorf("calibrated=%v: China claiming the US flagged %.2f%%, want >= 99%%", cal, 100*far.Rate)
		}
		if math.Abs(float64(honest.Flagged)/float64(honest.Trials)-honest.Rate) > 1e-12 {
			t.Errorf("rate %v inconsistent with %d/%d", honest.Rate, honest.Flagged, honest.Trials)
		}
	}
}

func TestRunErrors(t *testing.T) {
	ds := synthetic(t)
	if _, err := Run(ds, Config{Landmarks: []string{"Atlantis"}}); err == nil || !strings.Contains(err.Error(), `landmark "Atlantis"`) {
		t.Errorf("Run with unknown landmark: error %v", err)
	}
	if _, err := Run(ds, Config{}); err == nil {
		t.Error("Run with no landmarks: want an error")
	}
}

func TestRunExcludesMislocated(t *testing.T) {
	ds := syntheticWith(t, true)
	bad := ds.Mislocated(5)
	if len(bad) != 1 || ds.Servers[bad[0]].Name != "Phoenix" {
		t.Fatalf("Mislocated(5) = %v, want the Phoenix server that answers from Shanghai", bad)
	}
	cfg := Config{Landmarks: []string{"Los Angeles"}, Calibrated: true, Folds: 3, Draws: 2, Seed: 7}
	kept, err := Run(ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Exclude = bad
	clean, err := Run(ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(clean.Excluded) != 1 || clean.Excluded[0] != "Phoenix, United States" {
		t.Errorf("Excluded = %q, want [Phoenix, United States]", clean.Excluded)
	}
	// The mislocated server, judged at its listed place, is an honest
	// device flagged: a false alarm the mesh made, not the verdict.
	if kept.Bands[0].Flagged == 0 {
		t.Errorf("with the mislocated server kept: no honest trial flagged; want its own claims flagged")
	}
	if clean.Bands[0].Flagged != 0 {
		t.Errorf("with it excluded: %d of %d honest trials flagged, want 0", clean.Bands[0].Flagged, clean.Bands[0].Trials)
	}
	// Left out entirely, as a device and as a claim: 41 devices (the
	// landmark is none) x 42 claims before, 40 x 41 after, 2 draws each.
	trials := func(r *Result) (n int) {
		for _, b := range r.Bands {
			n += b.Trials
		}
		return n
	}
	if got, want := trials(kept)-trials(clean), 2*(41*42-40*41); got != want {
		t.Errorf("excluding one server removed %d trials, want %d", got, want)
	}
	if _, err := Run(ds, Config{Landmarks: []string{"Los Angeles"}, Exclude: []int{len(ds.Servers)}}); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("Run with an out-of-range exclusion: error %v", err)
	}
	if _, err := Run(ds, Config{Landmarks: []string{"Los Angeles"}, Exclude: []int{30}}); err == nil || !strings.Contains(err.Error(), "is a landmark") {
		t.Errorf("Run excluding the landmark: error %v", err)
	}
}
