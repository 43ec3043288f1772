package latency

import (
	"fmt"
	"math"

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

// FeasibleRegion computes the region the device must be in. floorMs is the
// least the access link adds (0 unless declared).
func FeasibleRegion(obs []Observation, floorMs float64, claim geo.Point) *Region {
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
