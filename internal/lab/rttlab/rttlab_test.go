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
	for i, c := range cities {
		fmt.Fprintf(&sv, "%d,%s,%s,%s,1,%f,%f\n", i, c.name, c.country, c.state, c.lat, c.lon)
	}
	pg.WriteString("source,destination,min\n")
	for i, a := range cities {
		for j, b := range cities {
			if i == j {
				continue
			}
			d := geo.Distance(geo.Point{Lat: a.lat, Lon: a.lon}, geo.Point{Lat: b.lat, Lon: b.lon})
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
