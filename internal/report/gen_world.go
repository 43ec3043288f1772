//go:build ignore

package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
)

type topology struct {
	Transform struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    [][][2]float64 `json:"arcs"`
	Objects struct {
		Land struct {
			Geometries []struct {
				Type string          `json:"type"`
				Arcs json.RawMessage `json:"arcs"`
			} `json:"geometries"`
		} `json:"land"`
	} `json:"objects"`
}

// main converts the land outline of a world-atlas TopoJSON file
// (land-110m.json of the npm package world-atlas, derived from Natural
// Earth's public-domain 1:110m land polygons) into world.json: one ring per
// polygon boundary as a flat list of longitude, latitude pairs in tenths of a
// degree. Run it by hand:
//
//	go run gen_world.go land-110m.json > world.json
func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen_world:", err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) != 2 {
		return fmt.Errorf("usage: go run gen_world.go land-110m.json > world.json")
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		return err
	}
	var t topology
	if err := json.Unmarshal(raw, &t); err != nil {
		return fmt.Errorf("decode %s: %w", os.Args[1], err)
	}
	// Decode the delta-encoded, quantised arcs into degrees.
	arcs := make([][][2]float64, len(t.Arcs))
	for i, a := range t.Arcs {
		var x, y float64
		for _, d := range a {
			x += d[0]
			y += d[1]
			arcs[i] = append(arcs[i], [2]float64{
				x*t.Transform.Scale[0] + t.Transform.Translate[0],
				y*t.Transform.Scale[1] + t.Transform.Translate[1],
			})
		}
	}
	ring := func(idx []int) [][2]float64 {
		var out [][2]float64
		for k, i := range idx {
			var a [][2]float64
			if i >= 0 {
				a = arcs[i]
			} else {
				src := arcs[^i]
				for j := len(src) - 1; j >= 0; j-- {
					a = append(a, src[j])
				}
			}
			if k > 0 {
				a = a[1:]
			}
			out = append(out, a...)
		}
		return out
	}
	var rings [][]int
	for _, g := range t.Objects.Land.Geometries {
		var polys [][][]int
		switch g.Type {
		case "Polygon":
			var p [][]int
			if err := json.Unmarshal(g.Arcs, &p); err != nil {
				return err
			}
			polys = [][][]int{p}
		case "MultiPolygon":
			if err := json.Unmarshal(g.Arcs, &polys); err != nil {
				return err
			}
		default:
			return fmt.Errorf("geometry type %q: want Polygon or MultiPolygon", g.Type)
		}
		for _, p := range polys {
			for _, r := range p {
				var flat []int
				for _, pt := range ring(r) {
					lon, lat := int(math.Round(pt[0]*10)), int(math.Round(pt[1]*10))
					if n := len(flat); n >= 2 && flat[n-2] == lon && flat[n-1] == lat {
						continue
					}
					flat = append(flat, lon, lat)
				}
				if len(flat) >= 8 {
					rings = append(rings, flat)
				}
			}
		}
	}
	out := struct {
		Source string  `json:"source"`
		Rings  [][]int `json:"rings"`
	}{
		Source: "Natural Earth 1:110m land (public domain), via world-atlas 2.0.2 land-110m.json (ISC); tenths of a degree",
		Rings:  rings,
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}
