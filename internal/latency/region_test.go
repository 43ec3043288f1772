package latency

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lagwatch/lagwatch/internal/geo"
)

var (
	ashburn   = geo.Point{Lat: 39.0438, Lon: -77.4874}
	singapore = geo.Point{Lat: 1.3521, Lon: 103.8198}
)

// regionObs returns observations of a device at dev from each landmark, with
// the RTT light in fibre needs times inflate plus extraMs: what routing and
// the access link add on real paths.
func regionObs(dev geo.Point, inflate, extraMs float64, landmarks ...geo.Point) []Observation {
	var o []Observation
	for _, l := range landmarks {
		o = append(o, obs("l", l, inflate*fibreMs(geo.Distance(l, dev))+extraMs))
	}
	return o
}

func BenchmarkFeasibleRegion(b *testing.B) {
	five := []geo.Point{losAng, ashburn, frankfurt, singapore, tokyo}
	for _, bc := range []struct {
		name string
		obs  []Observation
	}{
		// A device in Phoenix on a home line: 1.5x fibre plus 8 ms.
		{"1-landmark", regionObs(phoenix, 1.5, 8, losAng)},
		{"5-landmarks", regionObs(phoenix, 1.5, 8, five...)},
		// A slow link (satellite, congested mobile): the region is wide.
		{"5-landmarks-slow", regionObs(phoenix, 1.5, 60, five...)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				FeasibleRegion(bc.obs, 0, frankfurt)
			}
		})
	}
}

// feasibleRegionReference is FeasibleRegion as it was before the grid test
// became a dot product: a haversine per cell and landmark. The randomized
// test holds the fast version to it, field for field.
func feasibleRegionReference(obs []Observation, floorMs float64, claim geo.Point) *Region {
	r := &Region{CellDeg: regionCellDeg}
	radius := make([]float64, len(obs))
	for i, o := range obs {
		radius[i] = geo.MaxDistance(dur(max(0, o.MinMs-floorMs)))
	}
	var x, y, z, area float64
	var cells []geo.Point
	const rad = math.Pi / 180
	cellKm := regionCellDeg * rad * geo.EarthRadiusKm
	for lat := -90 + regionCellDeg/2; lat < 90; lat += regionCellDeg {
		a := cellKm * cellKm * math.Cos(lat*rad)
		for lon := -180 + regionCellDeg/2; lon < 180; lon += regionCellDeg {
			p := geo.Point{Lat: lat, Lon: lon}
			ok := true
			for i, o := range obs {
				if geo.Distance(o.At, p) > radius[i] {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			cells = append(cells, p)
			area += a
			x += a * math.Cos(lat*rad) * math.Cos(lon*rad)
			y += a * math.Cos(lat*rad) * math.Sin(lon*rad)
			z += a * math.Sin(lat*rad)
		}
	}
	r.ContainsClaim = true
	for i, o := range obs {
		if geo.Distance(o.At, claim) > radius[i] {
			r.ContainsClaim = false
		}
	}
	if len(cells) == 0 {
		r.Empty = true
		return r
	}
	r.AreaKm2 = area
	r.Centroid = geo.Point{Lat: math.Atan2(z, math.Hypot(x, y)) / rad, Lon: math.Atan2(y, x) / rad}
	r.ClaimToEdgeKm = math.Inf(1)
	for _, c := range cells {
		r.RadiusKm = max(r.RadiusKm, geo.Distance(r.Centroid, c))
		r.ClaimToEdgeKm = min(r.ClaimToEdgeKm, geo.Distance(claim, c))
	}
	if r.ContainsClaim {
		r.ClaimToEdgeKm = 0
	}
	return r
}

// sameFloat reports whether a and b are the same float64, bit for bit, or
// both NaN.
func sameFloat(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

// diffRegion names the first field where got and want differ, or "".
func diffRegion(got, want *Region) string {
	switch {
	case got.Empty != want.Empty:
		return "Empty"
	case got.ContainsClaim != want.ContainsClaim:
		return "ContainsClaim"
	case !sameFloat(got.AreaKm2, want.AreaKm2):
		return "AreaKm2"
	case !sameFloat(got.Centroid.Lat, want.Centroid.Lat) || !sameFloat(got.Centroid.Lon, want.Centroid.Lon):
		return "Centroid"
	case !sameFloat(got.RadiusKm, want.RadiusKm):
		return "RadiusKm"
	case !sameFloat(got.ClaimToEdgeKm, want.ClaimToEdgeKm):
		return "ClaimToEdgeKm"
	case !sameFloat(got.CellDeg, want.CellDeg):
		return "CellDeg"
	case got.Near != want.Near:
		return "Near"
	}
	return ""
}

// checkRegion compares FeasibleRegion with the reference on one input and
// reports whether they agree.
func checkRegion(t *testing.T, o []Observation, floorMs float64, claim geo.Point) bool {
	t.Helper()
	got := FeasibleRegion(o, floorMs, claim)
	want := feasibleRegionReference(o, floorMs, claim)
	if f := diffRegion(got, want); f != "" {
		t.Errorf("%s differs: got %+v, reference %+v\nobservations %+v, floor %v ms, claim %v", f, got, want, o, floorMs, claim)
		return false
	}
	return true
}

func randPoint(rng *rand.Rand) geo.Point {
	// Uniform on the sphere, so the poles get their share and no more.
	return geo.Point{Lat: math.Asin(2*rng.Float64()-1) * 180 / math.Pi, Lon: 360*rng.Float64() - 180}
}

// msFor returns the RTT whose MaxDistance is km.
func msFor(km float64) float64 { return 2 * km / geo.FibreKmPerMs }

// TestFeasibleRegionMatchesReference holds FeasibleRegion to the haversine
// per cell it replaced, on seeded random landmarks, radii and claims: every
// field must be identical, not merely close.
func TestFeasibleRegionMatchesReference(t *testing.T) {
	// The reference takes about 0.15 s of CPU a set: 200 sets (20 with
	// -short) in chunks that run in parallel.
	const chunks, perChunk = 4, 50
	var outcomes [chunks][3]int // empty, containing the claim, not
	t.Run("sets", func(t *testing.T) {
		for c := range chunks {
			t.Run(fmt.Sprint(c), func(t *testing.T) {
				t.Parallel()
				n := perChunk
				if testing.Short() {
					n = 5
				}
				outcomes[c] = checkRandomRegions(t, rand.New(rand.NewPCG(1, uint64(c))), n)
			})
		}
	})
	var sum [3]int
	for _, o := range outcomes {
		for k := range o {
			sum[k] += o[k]
		}
	}
	// The sets must reach every outcome, or the comparison proves little.
	if sum[0] == 0 || sum[1] == 0 || sum[2] == 0 {
		t.Errorf("outcomes: %d empty, %d containing the claim, %d not: want some of each", sum[0], sum[1], sum[2])
	}
	t.Logf("%d empty, %d containing the claim, %d not", sum[0], sum[1], sum[2])
}

// checkRandomRegions compares n random sets drawn from rng and counts their
// outcomes: empty, containing the claim, not.
func checkRandomRegions(t *testing.T, rng *rand.Rand, n int) (outcomes [3]int) {
	for k := range n {
		nObs := 1 + rng.IntN(6)
		var o []Observation
		// Half the sets measure a device somewhere, so the region is not
		// empty; the other half are arbitrary and mostly disagree.
		dev, consistent := randPoint(rng), k%2 == 0
		for range nObs {
			at := randPoint(rng)
			km := 100 + 19900*rng.Float64()
			if consistent {
				km = min(20000, geo.Distance(at, dev)+100+3000*rng.Float64())
			}
			o = append(o, obs("l", at, msFor(km)))
		}
		floorMs := 0.0
		if rng.IntN(4) == 0 {
			floorMs = 5 * rng.Float64()
		}
		claim := randPoint(rng)
		if rng.IntN(3) == 0 {
			claim = dev
		}
		if !checkRegion(t, o, floorMs, claim) {
			t.Fatalf("set %d differs; stopping", k)
		}
		switch r := FeasibleRegion(o, floorMs, claim); {
		case r.Empty:
			outcomes[0]++
		case r.ContainsClaim:
			outcomes[1]++
		default:
			outcomes[2]++
		}
	}
	return outcomes
}

// TestFeasibleRegionEdgeCases covers what random sets rarely draw: landmarks
// on cell centres and at the poles, zero and maximal radii, the antimeridian,
// and coordinates out of range, which the reference handles in its own way.
func TestFeasibleRegionEdgeCases(t *testing.T) {
	centre := geo.Point{Lat: 10.25, Lon: 20.25} // a cell centre
	tests := []struct {
		name  string
		obs   []Observation
		floor float64
		claim geo.Point
	}{
		{"zero radius on a cell centre", []Observation{obs("l", centre, 0)}, 0, centre},
		{"zero radius after the floor", []Observation{obs("l", centre, 3), obs("m", frankfurt, 200)}, 3, phoenix},
		{"whole earth", []Observation{obs("l", tokyo, 1000)}, 0, phoenix},
		{"north pole", []Observation{obs("l", geo.Point{Lat: 90, Lon: 0}, msFor(800))}, 0, phoenix},
		{"south pole and equator", []Observation{obs("l", geo.Point{Lat: -90, Lon: 0}, msFor(9000)), obs("m", geo.Point{}, msFor(3000))}, 0, geo.Point{Lat: -89.75, Lon: 0.25}},
		{"antimeridian", []Observation{obs("l", geo.Point{Lat: -17.7, Lon: 179.9}, msFor(1500)), obs("m", geo.Point{Lat: -13.8, Lon: -171.8}, msFor(1500))}, 0, geo.Point{Lat: -15, Lon: -179.9}},
		{"antipodes", []Observation{obs("l", geo.Point{Lat: 0, Lon: 0}, msFor(10008)), obs("m", geo.Point{Lat: 0, Lon: 180}, msFor(10008))}, 0, phoenix},
		{"claim NaN", regionObs(phoenix, 1.5, 8, losAng, ashburn), 0, geo.Point{Lat: math.NaN(), Lon: 0}},
		{"claim out of range", regionObs(phoenix, 1.5, 8, losAng, ashburn), 0, geo.Point{Lat: 100, Lon: 400}},
		{"landmark NaN", []Observation{obs("l", geo.Point{Lat: math.NaN(), Lon: 0}, 30), obs("m", losAng, 20)}, 0, phoenix},
		{"landmark out of range", []Observation{obs("l", geo.Point{Lat: 95, Lon: -300}, 60), obs("m", losAng, 40)}, 0, phoenix},
		{"no observations", nil, 0, phoenix},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkRegion(t, tt.obs, tt.floor, tt.claim) })
	}
	if r := FeasibleRegion([]Observation{obs("l", centre, 0)}, 0, centre); r.Empty || r.RadiusKm > 1e-6 || geo.Distance(r.Centroid, centre) > 1e-6 {
		t.Errorf("zero radius on a cell centre: %+v, want that one cell", r)
	}
}

// TestFeasibleRegionOnTheEdge puts a cell centre exactly on a disk's edge,
// where the dot product alone cannot decide: geo.Distance from the landmark
// to the cell equals the radius to the last bit, so the reference counts the
// cell in and a cell one ulp farther out. The region must match it.
func TestFeasibleRegionOnTheEdge(t *testing.T) {
	g := theRegionGrid()
	rng := rand.New(rand.NewPCG(3, 4))
	exact, tries := 0, 0
	for ; exact < 12; tries++ {
		if tries == 500 {
			t.Fatalf("only %d of %d landmarks put a cell exactly on the edge", exact, tries)
		}
		cell := geo.Point{Lat: g.lat[rng.IntN(len(g.lat))], Lon: g.lon[rng.IntN(len(g.lon))]}
		ms := 1 + 150*rng.Float64()
		radius := geo.MaxDistance(dur(ms)) // as FeasibleRegion computes it
		at := geo.Destination(cell, 360*rng.Float64(), radius)
		// Walk the landmark's latitude an ulp at a time until the haversine
		// lands on the radius exactly.
		dir := math.Inf(1)
		if geo.Distance(at, cell) > radius == (at.Lat > cell.Lat) {
			dir = math.Inf(-1)
		}
		for range 10000 {
			if geo.Distance(at, cell) == radius {
				break
			}
			at.Lat = math.Nextafter(at.Lat, dir)
		}
		if geo.Distance(at, cell) != radius || !at.Valid() {
			continue
		}
		exact++
		o := []Observation{obs("l", at, ms)}
		checkRegion(t, o, 0, cell)
		checkRegion(t, append(o, obs("m", cell, 1)), 0, cell) // the region is little more than the cell
	}
	t.Logf("%d of %d landmarks put a cell exactly on the edge", exact, tries)
}
