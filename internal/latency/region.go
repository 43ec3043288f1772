package latency

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/lagwatch/lagwatch/internal/geo"
)

// Region is where a device can be, given the minimum RTTs to several
// landmarks: the intersection of the disks of radius MaxDistance(RTT - access
// floor) around each landmark (constraint-based geolocation). It is pure
// physics, so the device is certainly inside it.
type Region struct {
	Empty         bool      // no place satisfies every disk: the measurements disagree
	AreaKm2       float64   // area of the intersection
	Centroid      geo.Point // centre of mass of the intersection
	RadiusKm      float64   // farthest point of the region from its centroid
	ContainsClaim bool      // the claimed point lies inside
	ClaimToEdgeKm float64   // when outside, distance from the claim to the nearest feasible point
	CellDeg       float64   // grid resolution used
	Near          string    // the place nearest the centroid, when known
}

// regionCellDeg is the grid resolution of FeasibleRegion (about 55 km).
const regionCellDeg = 0.5

// regionSlack is how far, in cosine of the angle at the Earth's centre, a
// cell must be from a disk's edge for the dot product of unit vectors to
// decide alone whether it is inside. Rounding in the dot product and in
// [geo.Distance] comes to a few ulps of numbers no larger than 1, under 1e-15
// in these units, and a change of 1e-9 in the cosine is at least 1e-9 in the
// angle (more near 0 and π, where the haversine also rounds worst), so a cell
// the dot product decides is decided as the haversine would decide it. Cells
// within the slack, a few µm of the edge (up to a few hundred metres for disks
// of almost no or almost the whole Earth), get the haversine itself.
const regionSlack = 1e-9

// regionGrid is the trigonometry of the cell centres, the same for every call.
type regionGrid struct {
	lat, lon       []float64 // centres in degrees, as -90+d/2, -90+3d/2, ...
	area           []float64 // area of a cell in each row, km²
	sinLat, cosLat []float64
	sinLon, cosLon []float64
}

var theRegionGrid = sync.OnceValue(func() *regionGrid {
	const rad = math.Pi / 180
	g := &regionGrid{}
	cellKm := regionCellDeg * rad * geo.EarthRadiusKm
	// The same additions as a loop over the grid makes, so the centres are
	// bit for bit what they always were (all are exact in float64 anyway).
	for lat := -90 + regionCellDeg/2; lat < 90; lat += regionCellDeg {
		g.lat = append(g.lat, lat)
		g.area = append(g.area, cellKm*cellKm*math.Cos(lat*rad))
		g.sinLat = append(g.sinLat, math.Sin(lat*rad))
		g.cosLat = append(g.cosLat, math.Cos(lat*rad))
	}
	for lon := -180 + regionCellDeg/2; lon < 180; lon += regionCellDeg {
		g.lon = append(g.lon, lon)
		g.sinLon = append(g.sinLon, math.Sin(lon*rad))
		g.cosLon = append(g.cosLon, math.Cos(lon*rad))
	}
	return g
})

// regionPoint is a point prepared for dot products with the grid's cells.
type regionPoint struct {
	p              geo.Point
	sinLat, cosLat float64
	cosDLon        []float64 // cos(lon of column j - p.Lon), by column
	slack          float64   // regionSlack, or +Inf to always use the haversine
}

func newRegionPoint(g *regionGrid, p geo.Point) regionPoint {
	const rad = math.Pi / 180
	sinLon, cosLon := math.Sin(p.Lon*rad), math.Cos(p.Lon*rad)
	rp := regionPoint{p: p, sinLat: math.Sin(p.Lat * rad), cosLat: math.Cos(p.Lat * rad),
		cosDLon: make([]float64, len(g.lon)), slack: regionSlack}
	for j := range g.lon {
		rp.cosDLon[j] = g.cosLon[j]*cosLon + g.sinLon[j]*sinLon
	}
	if !p.Valid() {
		// The error bound behind regionSlack holds for coordinates in range;
		// for others (NaN included), the haversine decides every cell.
		rp.slack = math.Inf(1)
	}
	return rp
}

// regionDisk is a landmark's disk, prepared for testing cells.
type regionDisk struct {
	regionPoint
	radiusKm float64
	cosR     float64 // cosine of the radius as an angle at the Earth's centre
	in, out  float64 // a dot product above in is inside, below out outside
	a, b     float64 // the current row's dot product is a + b*cosDLon[j]
}

func newRegionDisk(g *regionGrid, at geo.Point, radiusKm float64) regionDisk {
	d := regionDisk{regionPoint: newRegionPoint(g, at), radiusKm: radiusKm,
		cosR: math.Cos(radiusKm / geo.EarthRadiusKm)}
	d.in, d.out = d.cosR+d.slack, d.cosR-d.slack
	return d
}

// setRow prepares the disk for the cells of row i.
func (d *regionDisk) setRow(g *regionGrid, i int) {
	d.a, d.b = g.sinLat[i]*d.sinLat, g.cosLat[i]*d.cosLat
}

// onEdge reports whether cell (i, j) lies in the disk when its dot product
// is too close to the edge to tell: exactly as the haversine says, negated as
// the test always was, so a NaN distance counts as inside.
func (d *regionDisk) onEdge(g *regionGrid, i, j int) bool {
	return !(geo.Distance(d.p, geo.Point{Lat: g.lat[i], Lon: g.lon[j]}) > d.radiusKm)
}

// regionRun is cells j0..j1-1 of row i, all in the region.
type regionRun struct{ i, j0, j1 int }

// FeasibleRegion computes the region the device must be in. floorMs is the
// least the access link adds (0 unless declared).
//
// It tests every cell of a global grid of regionCellDeg against every disk,
// by the dot product of unit vectors rather than a haversine per pair; cells
// near an edge fall back to [geo.Distance], so the result is the one a
// haversine per cell and landmark gives.
func FeasibleRegion(obs []Observation, floorMs float64, claim geo.Point) *Region {
	r := &Region{CellDeg: regionCellDeg}
	g := theRegionGrid()
	disks := make([]regionDisk, len(obs))
	for k, o := range obs {
		radius := geo.MaxDistance(dur(max(0, o.MinMs-floorMs)))
		disks[k] = newRegionDisk(g, o.At, radius)
	}
	// The smallest disk rejects most cells: test it first.
	slices.SortStableFunc(disks, func(a, b regionDisk) int { return cmp.Compare(a.radiusKm, b.radiusKm) })

	var x, y, z, area float64
	var runs []regionRun
	partial := make([]*regionDisk, 0, len(disks)) // disks the current row is not wholly inside
rows:
	for i := range g.lat {
		partial = partial[:0]
		for k := range disks {
			d := &disks[k]
			// Over a row the dot product runs from a-b (opposite longitude)
			// to a+b (same longitude); b >= 0 as cosines of latitudes in
			// range are (out of range, the slack is infinite: no shortcut).
			d.setRow(g, i)
			switch {
			case d.a+d.b < d.out:
				continue rows // no cell of the row is in this disk
			case d.a-d.b > d.in:
				// every cell of the row is in this disk
			default:
				partial = append(partial, d)
			}
		}
		a := g.area[i]
		run := -1
		for j := range g.lon {
			ok := true
			for _, d := range partial {
				// Written out here: as a method it would not inline, and
				// this loop is the hot one.
				dot := d.a + d.b*d.cosDLon[j]
				if dot > d.in {
					continue
				}
				if dot < d.out || !d.onEdge(g, i, j) {
					ok = false
					break
				}
			}
			if !ok {
				if run >= 0 {
					runs = append(runs, regionRun{i, run, j})
					run = -1
				}
				continue
			}
			if run < 0 {
				run = j
			}
			// The same expressions, in the same order, as a loop computing
			// each cell's trigonometry would: the sums are bit for bit equal.
			area += a
			x += a * g.cosLat[i] * g.cosLon[j]
			y += a * g.cosLat[i] * g.sinLon[j]
			z += a * g.sinLat[i]
		}
		if run >= 0 {
			runs = append(runs, regionRun{i, run, len(g.lon)})
		}
	}
	r.ContainsClaim = true
	for _, d := range disks {
		if geo.Distance(d.p, claim) > d.radiusKm {
			r.ContainsClaim = false
		}
	}
	if len(runs) == 0 {
		r.Empty = true
		return r
	}
	r.AreaKm2 = area
	const rad = math.Pi / 180
	r.Centroid = geo.Point{Lat: math.Atan2(z, math.Hypot(x, y)) / rad, Lon: math.Atan2(y, x) / rad}
	r.RadiusKm = farthest(g, runs, newRegionPoint(g, r.Centroid))
	if !r.ContainsClaim {
		r.ClaimToEdgeKm = nearest(g, runs, newRegionPoint(g, claim))
	}
	return r
}

// farthest returns the greatest geo.Distance from p to a cell of runs. The
// dot product finds the least cosine; only cells within regionSlack of it
// can be the farthest, and those get the haversine.
func farthest(g *regionGrid, runs []regionRun, p regionPoint) float64 {
	least := math.Inf(1)
	for _, rn := range runs {
		a, b := g.sinLat[rn.i]*p.sinLat, g.cosLat[rn.i]*p.cosLat
		for j := rn.j0; j < rn.j1; j++ {
			least = min(least, a+b*p.cosDLon[j])
		}
	}
	km := 0.0
	for _, rn := range runs {
		a, b := g.sinLat[rn.i]*p.sinLat, g.cosLat[rn.i]*p.cosLat
		for j := rn.j0; j < rn.j1; j++ {
			// Negated so a NaN dot product (never, from valid points) takes the haversine.
			if !(a+b*p.cosDLon[j] > least+p.slack) {
				km = max(km, geo.Distance(p.p, geo.Point{Lat: g.lat[rn.i], Lon: g.lon[j]}))
			}
		}
	}
	return km
}

// nearest returns the least geo.Distance from p to a cell of runs, the
// mirror of farthest.
func nearest(g *regionGrid, runs []regionRun, p regionPoint) float64 {
	most := math.Inf(-1)
	for _, rn := range runs {
		a, b := g.sinLat[rn.i]*p.sinLat, g.cosLat[rn.i]*p.cosLat
		for j := rn.j0; j < rn.j1; j++ {
			most = max(most, a+b*p.cosDLon[j])
		}
	}
	km := math.Inf(1)
	for _, rn := range runs {
		a, b := g.sinLat[rn.i]*p.sinLat, g.cosLat[rn.i]*p.cosLat
		for j := rn.j0; j < rn.j1; j++ {
			if !(a+b*p.cosDLon[j] < most-p.slack) {
				km = min(km, geo.Distance(p.p, geo.Point{Lat: g.lat[rn.i], Lon: g.lon[j]}))
			}
		}
	}
	return km
}

// Text describes the region in one sentence.
func (r *Region) Text(claimPlace string) string {
	centre := r.Centroid.String()
	if r.Near != "" {
		centre += " (near " + r.Near + ")"
	}
	const halfEarthKm2 = 2 * math.Pi * geo.EarthRadiusKm * geo.EarthRadiusKm
	switch {
	case !r.Empty && r.AreaKm2 > halfEarthKm2:
		return fmt.Sprintf("These RTTs are too long to narrow down where the device is: physics allows more than half the Earth (%s km²).", thousands(r.AreaKm2))
	case r.Empty:
		return "No place on Earth is within reach of every landmark at these RTTs: at least one measurement is wrong or the landmarks' positions are."
	case r.ContainsClaim:
		return fmt.Sprintf("Physics puts the device within a region of %s km² centred at %s, up to %s from its centre, which contains %s.",
			thousands(r.AreaKm2), centre, km(r.RadiusKm), claimPlace)
	default:
		return fmt.Sprintf("Physics puts the device within a region of %s km² centred at %s, up to %s from its centre; %s lies outside it, at least %s from any feasible point.",
			thousands(r.AreaKm2), centre, km(r.RadiusKm), claimPlace, km(r.ClaimToEdgeKm))
	}
}

func thousands(x float64) string {
	n := int64(math.Round(x))
	s := fmt.Sprint(n)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
