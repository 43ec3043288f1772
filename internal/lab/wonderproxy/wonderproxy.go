// Package wonderproxy reads the WonderProxy global ping mesh (servers in known
// cities and the minimum RTT between every pair), the real measurements the
// latency model is fitted and evaluated on.
//
// The data is not shipped with lagwatch. Point the reader at a directory
// holding servers-*.csv and pings-*-grouped.csv as published by WonderProxy
// ("A day in the life of the Internet", 2020; see docs/lab-rtt.md).
package wonderproxy

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/lagwatch/lagwatch/internal/geo"
)

// Server is one ping host at a known place.
type Server struct {
	ID        int
	Name      string // city, e.g. "Los Angeles"
	Country   string // country name, e.g. "United States"
	State     string // state or region abbreviation, e.g. "CA"
	Continent int    // WonderProxy continent code
	Point     geo.Point
}

// Pair is the minimum RTT between two servers, as indexes into Dataset.Servers.
type Pair struct {
	From, To int
	MinMs    float64
}

// Dataset is a loaded ping mesh.
type Dataset struct {
	Servers []Server
	Pairs   []Pair
	// Skipped counts ping rows whose servers are not in the server list, or
	// that pair a server with itself.
	Skipped int
	index   map[[2]int]float64
}

// RTT returns the minimum RTT in ms between servers i and j (indexes).
func (d *Dataset) RTT(i, j int) (float64, bool) {
	v, ok := d.index[[2]int{i, j}]
	return v, ok
}

// Load reads the servers and pings files from dir.
func Load(dir string) (*Dataset, error) {
	sp, err := findOne(dir, "servers-*.csv")
	if err != nil {
		return nil, err
	}
	pp, err := findOne(dir, "pings-*grouped*.csv")
	if err != nil {
		return nil, err
	}
	sf, err := os.Open(sp)
	if err != nil {
		return nil, fmt.Errorf("open servers file: %w", err)
	}
	defer sf.Close()
	pf, err := os.Open(pp)
	if err != nil {
		return nil, fmt.Errorf("open pings file: %w", err)
	}
	defer pf.Close()
	ds, err := Decode(sf, pf)
	if err != nil {
		return nil, fmt.Errorf("load wonderproxy data from %s: %w", dir, err)
	}
	return ds, nil
}

func findOne(dir, pattern string) (string, error) {
	m, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		return "", fmt.Errorf("find %s in %s: %w", pattern, dir, err)
	}
	if len(m) != 1 {
		return "", fmt.Errorf("find %s in %s: want exactly one file, found %d", pattern, dir, len(m))
	}
	return m[0], nil
}

// maxRows caps the rows Decode reads from either file.
const maxRows = 1_000_000

// Decode parses a servers CSV and a grouped pings CSV. Errors name the file,
// the line and the column.
func Decode(servers, pings io.Reader) (*Dataset, error) {
	ds := &Dataset{index: map[[2]int]float64{}}
	byID := map[int]int{}
	r := csv.NewReader(servers)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("servers: read header: %w", err)
	}
	col, err := columns(head, "id", "title", "country", "state_abbv", "continent", "latitude", "longitude")
	if err != nil {
		return nil, fmt.Errorf("servers: %w", err)
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("servers: line %d: %w", line, err)
		}
		if line > maxRows {
			return nil, fmt.Errorf("servers: more than %d rows", maxRows)
		}
		get := func(name string) string {
			if i := col[name]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		id, err := strconv.Atoi(get("id"))
		if err != nil {
			return nil, fmt.Errorf("servers: line %d: column id: %q is not an integer", line, get("id"))
		}
		lat, err1 := strconv.ParseFloat(get("latitude"), 64)
		lon, err2 := strconv.ParseFloat(get("longitude"), 64)
		p := geo.Point{Lat: lat, Lon: lon}
		if err1 != nil || err2 != nil || !p.Valid() {
			return nil, fmt.Errorf("servers: line %d: columns latitude,longitude: %q,%q is not a valid position", line, get("latitude"), get("longitude"))
		}
		cont, _ := strconv.Atoi(get("continent"))
		if _, dup := byID[id]; dup {
			return nil, fmt.Errorf("servers: line %d: column id: %d appears twice", line, id)
		}
		byID[id] = len(ds.Servers)
		ds.Servers = append(ds.Servers, Server{ID: id, Name: get("title"), Country: get("country"), State: get("state_abbv"), Continent: cont, Point: p})
	}
	r = csv.NewReader(pings)
	r.FieldsPerRecord = -1
	head, err = r.Read()
	if err != nil {
		return nil, fmt.Errorf("pings: read header: %w", err)
	}
	col, err = columns(head, "source", "destination", "min")
	if err != nil {
		return nil, fmt.Errorf("pings: %w", err)
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("pings: line %d: %w", line, err)
		}
		if line > maxRows {
			return nil, fmt.Errorf("pings: more than %d rows", maxRows)
		}
		if len(rec) <= max(col["source"], col["destination"], col["min"]) {
			return nil, fmt.Errorf("pings: line %d: want at least %d columns, got %d", line, max(col["source"], col["destination"], col["min"])+1, len(rec))
		}
		s, err1 := strconv.Atoi(strings.TrimSpace(rec[col["source"]]))
		d, err2 := strconv.Atoi(strings.TrimSpace(rec[col["destination"]]))
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("pings: line %d: columns source,destination: want integer server ids", line)
		}
		m, err := strconv.ParseFloat(strings.TrimSpace(rec[col["min"]]), 64)
		if err != nil || math.IsNaN(m) || math.IsInf(m, 0) || m < 0 {
			return nil, fmt.Errorf("pings: line %d: column min: %q is not a non-negative number of ms", line, rec[col["min"]])
		}
		si, ok1 := byID[s]
		di, ok2 := byID[d]
		if !ok1 || !ok2 || s == d {
			ds.Skipped++
			continue
		}
		ds.Pairs = append(ds.Pairs, Pair{From: si, To: di, MinMs: m})
		ds.index[[2]int{si, di}] = m
	}
	if len(ds.Servers) == 0 || len(ds.Pairs) == 0 {
		return nil, errors.New("no servers or no usable ping pairs")
	}
	return ds, nil
}

func columns(head []string, want ...string) (map[string]int, error) {
	col := map[string]int{}
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, seen := col[h]; !seen {
			col[h] = i
		}
	}
	for _, w := range want {
		if _, ok := col[w]; !ok {
			return nil, fmt.Errorf("header: missing column %q", w)
		}
	}
	return col, nil
}

// Mislocated returns, in index order, the servers whose measured minimum RTT
// is below the fibre minimum for the listed distance (geo.MinRTT) to more
// than maxViolations other servers. Light cannot do that: such a server is
// not where its row says (a wrong city, or an anycast or tunnelled address),
// so it is no ground truth for a device's true place. A violation counts once
// per pair of servers, whichever direction was measured.
func (d *Dataset) Mislocated(maxViolations int) []int {
	type pair struct{ a, b int }
	seen := map[pair]bool{}
	count := make([]int, len(d.Servers))
	for _, p := range d.Pairs {
		k := pair{min(p.From, p.To), max(p.From, p.To)}
		if seen[k] {
			continue
		}
		km := geo.Distance(d.Servers[p.From].Point, d.Servers[p.To].Point)
		if p.MinMs < float64(geo.MinRTT(km))/1e6 {
			seen[k] = true
			count[p.From]++
			count[p.To]++
		}
	}
	var out []int
	for i, n := range count {
		if n > maxViolations {
			out = append(out, i)
		}
	}
	return out
}
