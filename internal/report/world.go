package report

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/lagwatch/lagwatch/internal/geo"
)

// worldJSON is Natural Earth's 1:110m land (public domain) as rings of
// longitude, latitude pairs in tenths of a degree; gen_world.go makes it.
//
//go:embed world.json
var worldJSON []byte

// Map geometry: equirectangular, 2 units per degree.
const (
	mapScale   = 2
	mapW, mapH = 360 * mapScale, 180 * mapScale
	cellDeg    = 1 // resolution of the drawn feasible region
)

// world is the decoded outline, one slice of points per ring.
var world = sync.OnceValues(func() ([][]geo.Point, error) { return decodeWorld(worldJSON) })

// maxWorldPoints bounds decodeWorld.
const maxWorldPoints = 1 << 20

// decodeWorld parses the outline format of world.json.
func decodeWorld(raw []byte) ([][]geo.Point, error) {
	var w struct {
		Rings [][]int `json:"rings"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("decode world outline: %w", err)
	}
	var out [][]geo.Point
	n := 0
	for i, r := range w.Rings {
		if len(r)%2 != 0 {
			return nil, fmt.Errorf("world outline ring %d: %d numbers: want lon,lat pairs", i, len(r))
		}
		if n += len(r) / 2; n > maxWorldPoints {
			return nil, fmt.Errorf("world outline: more than %d points", maxWorldPoints)
		}
		ring := make([]geo.Point, 0, len(r)/2)
		for j := 0; j < len(r); j += 2 {
			p := geo.Point{Lon: float64(r[j]) / 10, Lat: float64(r[j+1]) / 10}
			if !p.Valid() {
				return nil, fmt.Errorf("world outline ring %d point %d: %d,%d: out of range", i, j/2, r[j], r[j+1])
			}
			ring = append(ring, p)
		}
		out = append(out, ring)
	}
	return out, nil
}

func mapX(lon float64) float64 { return (lon + 180) * mapScale }
func mapY(lat float64) float64 { return (90 - lat) * mapScale }

// pathOf draws pts as one path, lifting the pen where a step jumps across
// the antimeridian. closed adds Z to rings that never jump.
func pathOf(b *strings.Builder, pts []geo.Point, closed bool) {
	jumped := false
	for i, p := range pts {
		cmd := "L"
		if i == 0 || math.Abs(p.Lon-pts[i-1].Lon) > 180 {
			cmd = "M"
			jumped = jumped || i > 0
		}
		fmt.Fprintf(b, "%s%s %s", cmd, f1(mapX(p.Lon)), f1(mapY(p.Lat)))
	}
	if closed && !jumped && len(pts) > 2 {
		b.WriteString("Z")
	}
}

// diskOutline returns the edge of d, 180 points.
func diskOutline(d Disk) []geo.Point {
	pts := make([]geo.Point, 0, 181)
	for i := 0; i <= 180; i++ {
		pts = append(pts, geo.Destination(d.Center, float64(i)*2, d.RadiusKm))
	}
	return pts
}

// halfEarthKm is the farthest any place can be from another.
var halfEarthKm = math.Pi * geo.EarthRadiusKm

// feasible returns the intersection of the disks rasterised to cellDeg,
// as runs of cells per latitude row, and whether any cell is inside.
func feasible(disks []Disk) (runs [][3]float64, any bool) {
	for lat := 90.0 - cellDeg; lat >= -90; lat -= cellDeg {
		start := math.NaN()
		for lon := -180.0; lon <= 180; lon += cellDeg {
			in := lon < 180
			if in {
				c := geo.Point{Lat: lat + cellDeg/2.0, Lon: lon + cellDeg/2.0}
				for _, d := range disks {
					if geo.Distance(c, d.Center) > d.RadiusKm {
						in = false
						break
					}
				}
			}
			switch {
			case in && math.IsNaN(start):
				start = lon
			case !in && !math.IsNaN(start):
				runs = append(runs, [3]float64{lat, start, lon})
				start = math.NaN()
			}
		}
	}
	return runs, len(runs) > 0
}

// mapPlot draws the world outline, a graticule, the RTT disks and their
// intersection, the region polygon, the landmarks, the claim and the IP
// location.
func mapPlot(c Case) (string, error) {
	m := c.Map
	claim, claimLabel := m.Claimed, m.ClaimedLabel
	if claim == nil {
		claim = c.Subject.ClaimedPoint
	}
	if claimLabel == "" {
		claimLabel = c.Subject.ClaimedPlace
	}
	if claim == nil && m.IP == nil && len(m.Disks) == 0 && len(m.Region) == 0 {
		return "", nil
	}
	rings, err := world()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	svgOpen(&b, mapW, mapH+24, "World map: claimed place, feasible region from round-trip times, and IP location")
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%d" height="%d" fill="#eef4fa" stroke="#444"/>`, mapW, mapH)
	b.WriteString(`<path fill="#e0dccf" stroke="#8a8577" stroke-width="0.5" d="`)
	for _, r := range rings {
		pathOf(&b, r, true)
	}
	b.WriteString(`"/>`)
	b.WriteString(`<g stroke="#b8c4d0" stroke-width="0.5" stroke-dasharray="2 3">`)
	for lon := -150; lon <= 150; lon += 30 {
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="0" y2="%d"/>`, f1(mapX(float64(lon))), f1(mapX(float64(lon))), mapH)
	}
	for lat := -60; lat <= 60; lat += 30 {
		fmt.Fprintf(&b, `<line x1="0" x2="%d" y1="%s" y2="%s"/>`, mapW, f1(mapY(float64(lat))), f1(mapY(float64(lat))))
	}
	b.WriteString(`</g>`)
	if len(m.Disks) > 0 {
		runs, ok := feasible(m.Disks)
		b.WriteString(`<g fill="#2e7d32" fill-opacity="0.35">`)
		for _, r := range runs {
			fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%d"/>`, f1(mapX(r[1])), f1(mapY(r[0]+cellDeg)), f1((r[2]-r[1])*mapScale), cellDeg*mapScale)
		}
		b.WriteString(`</g>`)
		if !ok {
			fmt.Fprintf(&b, `<text x="%d" y="16" font-size="12" text-anchor="middle" fill="#c62828">The disks do not intersect: no place satisfies every measurement.</text>`, mapW/2)
		}
		for i, d := range m.Disks {
			col := palette[i%len(palette)]
			if d.RadiusKm < halfEarthKm*0.999 {
				fmt.Fprintf(&b, `<path fill="none" stroke="%s" stroke-width="1.2" stroke-dasharray="5 3" d="`, col)
				pathOf(&b, diskOutline(d), true)
				b.WriteString(`"/>`)
			}
			x, y := mapX(d.Center.Lon), mapY(d.Center.Lat)
			fmt.Fprintf(&b, `<rect x="%s" y="%s" width="7" height="7" fill="%s" stroke="#fff"><title>%s</title></rect>`, f1(x-3.5), f1(y-3.5), col,
				esc(fmt.Sprintf("%s: within %s", d.Label, km(d.RadiusKm))))
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="10" fill="%s">%s</text>`, f1(x+6), f1(y+12), col, esc(d.Label))
		}
	}
	if len(m.Region) > 2 {
		b.WriteString(`<path fill="#2e7d32" fill-opacity="0.25" stroke="#1b5e20" stroke-width="1.5" d="`)
		pathOf(&b, m.Region, true)
		b.WriteString(`"/>`)
	}
	if m.IP != nil {
		x, y := mapX(m.IP.Lon), mapY(m.IP.Lat)
		fmt.Fprintf(&b, `<path d="M%s %sl6 10h-12z" fill="#1565c0" stroke="#fff"/>`, f1(x), f1(y-6))
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" fill="#0d47a1"%s>%s</text>`, f1(labelX(x)), f1(y+16), anchor(x), esc("IP: "+m.IPLabel))
	}
	if claim != nil {
		x, y := mapX(claim.Lon), mapY(claim.Lat)
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="5" fill="#c62828" stroke="#fff" stroke-width="1.5"/>`, f1(x), f1(y))
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" fill="#b71c1c"%s>%s</text>`, f1(labelX(x)), f1(y-8), anchor(x), esc("claimed: "+claimLabel))
	}
	legend := []struct{ shape, text string }{
		{`<circle cx="6" cy="0" r="5" fill="#c62828"/>`, "claimed place"},
		{`<path d="M6 -6l6 10h-12z" fill="#1565c0"/>`, "IP geolocation"},
		{`<rect x="1" y="-4" width="7" height="7" fill="#444"/>`, "landmark and RTT disk"},
		{`<rect x="0" y="-5" width="12" height="10" fill="#2e7d32" fill-opacity="0.35"/>`, "feasible region"},
	}
	for i, l := range legend {
		fmt.Fprintf(&b, `<g transform="translate(%d %d)">%s<text x="18" y="4" font-size="11">%s</text></g>`, 10+180*i, mapH+13, l.shape, l.text)
	}
	b.WriteString(`</svg>`)
	return b.String(), nil
}

// labelX and anchor place a label on the side of a marker that faces the
// middle of the map, so it is not cut off at the edge.
func labelX(x float64) float64 {
	if x < mapW/2 {
		return x + 9
	}
	return x - 9
}

func anchor(x float64) string {
	if x < mapW/2 {
		return ""
	}
	return ` text-anchor="end"`
}
