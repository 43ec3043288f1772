package place

import (
	"bytes"
	"cmp"
	"compress/gzip"
	_ "embed" // for the gazetteer
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/lagwatch/lagwatch/internal/geo"
)

//go:generate go run ./gen -o cities.tsv.gz

// citiesGz is the gazetteer written by gen/; its format is described there.
//
//go:embed cities.tsv.gz
var citiesGz []byte

// loadGazetteer decodes the embedded gazetteer once, on first use. The
// result is read-only.
var loadGazetteer = sync.OnceValues(func() (*gazetteer, error) {
	return decodeGazetteer(citiesGz)
})

// admin1 is a first-level division of a country.
type admin1 struct {
	country string // ISO 3166-1 alpha-2
	code    string // GeoNames admin1 code: "AZ", "08", "ENG"; may be empty
	name    string // "Arizona"; may be empty
	abbrev  string // postal abbreviation for CA and AU; else empty
}

// city is one place of the gazetteer.
type city struct {
	name     string
	admin    uint16 // index into gazetteer.admins
	pop      uint32
	lat, lon int32 // 1e-4 degree
}

// gazetteer is the decoded, indexed, read-only place data.
type gazetteer struct {
	admins []admin1
	cities []city

	// keys and keyCity index cities by matching key (see fold): keys is
	// sorted, keyCity[i] is the city of keys[i], most populous first among
	// equal keys. A city has one to three keys.
	keys    []string
	keyCity []int32

	adminByKey   map[string][]uint16 // matching key -> divisions
	countryByKey map[string]string   // matching key -> ISO 3166-1 alpha-2
	countryNames map[string]string   // ISO 3166-1 alpha-2 -> English name

	grid grid
}

// point returns the coordinates of city i.
func (g *gazetteer) point(i int32) geo.Point {
	c := &g.cities[i]
	return geo.Point{Lat: float64(c.lat) / 1e4, Lon: float64(c.lon) / 1e4}
}

// place returns city i as a Place.
func (g *gazetteer) place(i int32) Place {
	c := &g.cities[i]
	a := &g.admins[c.admin]
	p := Place{
		Name:        c.name,
		Admin1:      a.code,
		Admin1Name:  a.name,
		Country:     a.country,
		CountryName: g.countryNames[a.country],
		Point:       g.point(i),
		Population:  int(c.pop),
	}
	if a.abbrev != "" {
		p.Admin1 = a.abbrev
	}
	return p
}

// lookup returns the cities whose matching key is key, most populous first.
func (g *gazetteer) lookup(key string) []int32 {
	lo, _ := slices.BinarySearch(g.keys, key)
	hi := lo
	for hi < len(g.keys) && g.keys[hi] == key {
		hi++
	}
	return g.keyCity[lo:hi]
}

// decodeGazetteer parses the gzip'd TSV written by gen/ and builds the
// indexes.
func decodeGazetteer(gz []byte) (*gazetteer, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("place: open embedded gazetteer: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("place: decompress embedded gazetteer: %w", err)
	}
	text := string(raw) // names are substrings of text: one allocation

	g := &gazetteer{
		cities:       make([]city, 0, strings.Count(text, "\n")),
		adminByKey:   make(map[string][]uint16),
		countryByKey: make(map[string]string),
		countryNames: make(map[string]string),
	}
	var lat, lon int64
	for lineNo := 1; text != ""; lineNo++ {
		line, rest, _ := strings.Cut(text, "\n")
		text = rest
		switch {
		case line == "" || line[0] == '#':
			continue
		case line[0] == '@':
			var f [3]string
			if !splitTabs(line[1:], f[:]) || len(f[0]) != 2 || len(g.admins) == 1<<16-1 {
				return nil, fmt.Errorf("place: decode embedded gazetteer: line %d: bad group %q", lineNo, line)
			}
			g.admins = append(g.admins, admin1{country: f[0], code: f[1], name: f[2], abbrev: admin1Abbrevs[f[0]+"."+f[1]]})
			continue
		}
		var f [4]string
		if !splitTabs(line, f[:]) || len(g.admins) == 0 {
			return nil, fmt.Errorf("place: decode embedded gazetteer: line %d: bad place %q", lineNo, line)
		}
		pop, err1 := strconv.ParseUint(f[1], 10, 32)
		dlat, err2 := strconv.ParseInt(f[2], 10, 32)
		dlon, err3 := strconv.ParseInt(f[3], 10, 32)
		lat, lon = lat+dlat, lon+dlon
		if err1 != nil || err2 != nil || err3 != nil || f[0] == "" ||
			lat < -900000 || lat > 900000 || lon < -1800000 || lon > 1800000 {
			return nil, fmt.Errorf("place: decode embedded gazetteer: line %d: bad place %q", lineNo, line)
		}
		g.cities = append(g.cities, city{
			name:  f[0],
			admin: uint16(len(g.admins) - 1),
			pop:   uint32(pop),
			lat:   int32(lat),
			lon:   int32(lon),
		})
	}
	if len(g.cities) == 0 {
		return nil, fmt.Errorf("place: decode embedded gazetteer: no places")
	}
	g.indexNames()
	g.indexRegions()
	g.grid = newGrid(g.cities)
	return g, nil
}

// splitTabs splits line at tabs into exactly len(f) fields.
func splitTabs(line string, f []string) bool {
	for i := range len(f) - 1 {
		var ok bool
		f[i], line, ok = strings.Cut(line, "\t")
		if !ok {
			return false
		}
	}
	f[len(f)-1] = line
	return !strings.Contains(line, "\t")
}

// indexNames builds keys and keyCity. Each city is indexed under its folded
// name, and also under the name before its first comma ("Washington, D.C."
// as "washington") and without a trailing "City" ("New York City" as "new
// york"), so "Washington, DC" and "New York, NY" resolve.
func (g *gazetteer) indexNames() {
	type entry struct {
		key  string
		pop  uint32
		city int32
	}
	entries := make([]entry, 0, len(g.cities)*11/10)
	var buf []byte // all keys, sliced after the fact: one allocation
	type span struct{ lo, hi int }
	spans := make([]span, 0, cap(entries))
	add := func(i int32, lo int) {
		if len(buf) == lo {
			return
		}
		spans = append(spans, span{lo, len(buf)})
		entries = append(entries, entry{pop: g.cities[i].pop, city: i})
	}
	for i := range g.cities {
		name := g.cities[i].name
		lo := len(buf)
		buf = appendFold(buf, name)
		hi := len(buf)
		add(int32(i), lo)
		if before, _, ok := strings.Cut(name, ","); ok {
			buf = appendFold(buf, before)
			if bytes.Equal(buf[hi:], buf[lo:hi]) {
				buf = buf[:hi]
			} else {
				add(int32(i), hi)
			}
		}
		if base := buf[lo:hi]; len(base) > len(" city") && bytes.HasSuffix(base, []byte(" city")) {
			start := len(buf)
			buf = append(buf, base[:len(base)-len(" city")]...)
			add(int32(i), start)
		}
	}
	all := string(buf)
	for j := range entries {
		entries[j].key = all[spans[j].lo:spans[j].hi]
	}
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(
			strings.Compare(a.key, b.key),
			-cmp.Compare(a.pop, b.pop),
			cmp.Compare(a.city, b.city),
		)
	})
	g.keys = make([]string, len(entries))
	g.keyCity = make([]int32, len(entries))
	for j, e := range entries {
		g.keys[j], g.keyCity[j] = e.key, e.city
	}
}

// indexRegions builds adminByKey, countryByKey and countryNames.
func (g *gazetteer) indexRegions() {
	for i, a := range g.admins {
		if _, ok := g.countryNames[a.country]; !ok {
			g.countryNames[a.country] = countryName(a.country)
		}
		for _, k := range adminKeys(a.code, a.name, a.abbrev) {
			if !slices.Contains(g.adminByKey[k], uint16(i)) {
				g.adminByKey[k] = append(g.adminByKey[k], uint16(i))
			}
		}
	}
	ccs := make([]string, 0, len(g.countryNames))
	for cc := range g.countryNames {
		ccs = append(ccs, cc)
	}
	slices.Sort(ccs) // deterministic when two names fold alike
	for _, cc := range ccs {
		for _, k := range countryKeys(cc, g.countryNames[cc]) {
			if _, taken := g.countryByKey[k]; !taken && k != "" {
				g.countryByKey[k] = cc
			}
		}
	}
	for alias, cc := range countryAliases {
		g.countryByKey[fold(alias)] = cc // aliases win over derived names
	}
}
