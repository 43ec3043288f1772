package geo

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// EarthRadiusKm is the mean radius of the Earth (IUGG) in kilometres.
const EarthRadiusKm = 6371.0088

// FibreKmPerMs is how far light travels in optical fibre in one millisecond:
// about two thirds of c in vacuum (299.792 km/ms), using a group index of 1.5.
const FibreKmPerMs = 299.792458 / 1.5

// Point is a position on the Earth in decimal degrees (WGS 84).
type Point struct {
	Lat float64 // latitude, -90..90
	Lon float64 // longitude, -180..180
}

// Valid reports whether p holds finite coordinates within range.
func (p Point) Valid() bool {
	return !math.IsNaN(p.Lat) && !math.IsNaN(p.Lon) &&
		p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180
}

// String formats p as "lat,lon" with four decimals (about 11 m).
func (p Point) String() string {
	return fmt.Sprintf("%.4f,%.4f", p.Lat, p.Lon)
}

// ErrBadCoordinates is returned by [ParsePoint] for text that is not a
// latitude,longitude pair within range.
var ErrBadCoordinates = errors.New("geo: bad coordinates")

// ParsePoint parses "lat,lon" or "lat lon" in decimal degrees, for example
// "33.4484,-112.0740". It names the coordinate and the limit it breaks.
func ParsePoint(s string) (Point, error) {
	s = strings.TrimSpace(s)
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
	if len(fields) != 2 {
		return Point{}, fmt.Errorf("%w: %q: want \"lat,lon\" in decimal degrees", ErrBadCoordinates, s)
	}
	lat, err := strconv.ParseFloat(fields[0], 64)
	if err != nil || math.IsNaN(lat) || lat < -90 || lat > 90 {
		return Point{}, fmt.Errorf("%w: latitude %q: want a number from -90 to 90", ErrBadCoordinates, fields[0])
	}
	lon, err := strconv.ParseFloat(fields[1], 64)
	if err != nil || math.IsNaN(lon) || lon < -180 || lon > 180 {
		return Point{}, fmt.Errorf("%w: longitude %q: want a number from -180 to 180", ErrBadCoordinates, fields[1])
	}
	return Point{Lat: lat, Lon: lon}, nil
}

// Distance returns the great-circle distance between a and b in kilometres
// (haversine on a sphere of radius [EarthRadiusKm]; error under 0.5 %).
func Distance(a, b Point) float64 {
	const rad = math.Pi / 180
	φ1, φ2 := a.Lat*rad, b.Lat*rad
	dφ := (b.Lat - a.Lat) * rad
	dλ := (b.Lon - a.Lon) * rad
	s := math.Sin(dφ/2)*math.Sin(dφ/2) + math.Cos(φ1)*math.Cos(φ2)*math.Sin(dλ/2)*math.Sin(dλ/2)
	s = math.Min(1, math.Max(0, s))
	return 2 * EarthRadiusKm * math.Asin(math.Sqrt(s))
}

// MinRTT returns the shortest round-trip time light in fibre allows over a
// great-circle distance of km kilometres: 2*km/FibreKmPerMs, about km/100 ms.
func MinRTT(km float64) time.Duration {
	if km <= 0 {
		return 0
	}
	return time.Duration(2 * km / FibreKmPerMs * float64(time.Millisecond))
}

// MaxDistance returns the farthest great-circle distance in kilometres that a
// round trip of rtt can cover in fibre: the inverse of [MinRTT]. It is capped
// at half the Earth's circumference, where every place is reachable.
func MaxDistance(rtt time.Duration) float64 {
	if rtt <= 0 {
		return 0
	}
	km := float64(rtt) / float64(time.Millisecond) * FibreKmPerMs / 2
	return math.Min(km, math.Pi*EarthRadiusKm)
}

// Destination returns the point reached by travelling km kilometres from p
// on the initial bearing (degrees clockwise from north).
func Destination(p Point, bearing, km float64) Point {
	const rad = math.Pi / 180
	δ := km / EarthRadiusKm
	θ := bearing * rad
	φ1, λ1 := p.Lat*rad, p.Lon*rad
	φ2 := math.Asin(math.Sin(φ1)*math.Cos(δ) + math.Cos(φ1)*math.Sin(δ)*math.Cos(θ))
	λ2 := λ1 + math.Atan2(math.Sin(θ)*math.Sin(δ)*math.Cos(φ1), math.Cos(δ)-math.Sin(φ1)*math.Sin(φ2))
	lon := math.Mod(λ2/rad+540, 360) - 180
	return Point{Lat: φ2 / rad, Lon: lon}
}
