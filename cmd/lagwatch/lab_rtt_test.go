package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/geo"
)

// writeMesh writes a WonderProxy-style mesh of a grid of US cities, Los
// Angeles and Seoul, with RTTs of 1.6 x the fibre minimum plus 4 ms, and one
// server listed in Busan that answers from Denver.
func writeMesh(t *testing.T) string {
	t.Helper()
	type city struct {
		name, country string
		listed, real  geo.Point
	}
	var cities []city
	for i := range 24 {
		p := geo.Point{Lat: 30 + float64(i%4)*4, Lon: -120 + float64(i/4)*8}
		cities = append(cities, city{fmt.Sprintf("US%d", i), "United States", p, p})
	}
	la := geo.Point{Lat: 34.05, Lon: -118.24}
	seoul := geo.Point{Lat: 37.57, Lon: 126.98}
	cities = append(cities,
		city{"Los Angeles", "United States", la, la},
		city{"Seoul", "South Korea", seoul, seoul},
		city{"Busan", "South Korea", geo.Point{Lat: 35.18, Lon: 129.08}, geo.Point{Lat: 39.74, Lon: -104.99}})
	var sv, pg strings.Builder
	sv.WriteString("id,title,country,state_abbv,continent,latitude,longitude\n")
	pg.WriteString("source,destination,min\n")
	for i, c := range cities {
		fmt.Fprintf(&sv, "%d,%s,%s,,1,%f,%f\n", i+1, c.name, c.country, c.listed.Lat, c.listed.Lon)
		for j, d := range cities {
			if i != j {
				fmt.Fprintf(&pg, "%d,%d,%.3f\n", i+1, j+1, 1.6*geo.Distance(c.real, d.real)/99.93+4)
			}
		}
	}
	dir := t.TempDir()
	for name, body := range map[string]string{"servers-test.csv": sv.String(), "pings-test-grouped.csv": pg.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLabRTTLeavesOutMislocated(t *testing.T) {
	dir := writeMesh(t)
	args := []string{"lab", "rtt", "--pings", dir, "--landmarks", "Los Angeles,Seoul", "--methods", "calibrated", "--folds", "3"}
	var out, errb bytes.Buffer
	if err := run(t.Context(), args, &out, &errb); err != nil {
		t.Fatalf("lab rtt: %v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "left out, faster than light to more than 5 servers: Busan, South Korea") {
		t.Errorf("lab rtt output does not name the mislocated server:\n%s", out.String())
	}
	out.Reset()
	if err := run(t.Context(), append(args, "--mislocated", "-1"), &out, &errb); err != nil {
		t.Fatalf("lab rtt --mislocated -1: %v\n%s", err, errb.String())
	}
	if strings.Contains(out.String(), "left out") {
		t.Errorf("lab rtt --mislocated -1 left a server out:\n%s", out.String())
	}
}
