package place

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lagwatch/lagwatch/internal/geo"
)

var (
	phoenix  = geo.Point{Lat: 33.4484, Lon: -112.0740}
	shenyang = geo.Point{Lat: 41.8057, Lon: 123.4315}
	seoul    = geo.Point{Lat: 37.5665, Lon: 126.9780}
	london   = geo.Point{Lat: 51.5074, Lon: -0.1278}
	saoPaulo = geo.Point{Lat: -23.5505, Lon: -46.6333}
)

func TestResolve(t *testing.T) {
	tests := []struct {
		in                    string
		name, admin1, country string
		near                  geo.Point
	}{
		{"Phoenix, AZ, US", "Phoenix", "AZ", "US", phoenix},
		{"Phoenix, AZ", "Phoenix", "AZ", "US", phoenix},
		{"Phoenix, Arizona", "Phoenix", "AZ", "US", phoenix},
		{"Phoenix AZ", "Phoenix", "AZ", "US", phoenix},
		{"phoenix az us", "Phoenix", "AZ", "US", phoenix},
		{"Phoenix, Arizona, United States", "Phoenix", "AZ", "US", phoenix},
		{"Phoenix, AZ, United States of America", "Phoenix", "AZ", "US", phoenix},
		{"Phoenix, AZ, U.S.", "Phoenix", "AZ", "US", phoenix},
		{"Phoenix", "Phoenix", "AZ", "US", phoenix},
		{"  Phoenix  ", "Phoenix", "AZ", "US", phoenix},
		{"Shenyang, CN", "Shenyang", "19", "CN", shenyang},
		{"Shenyang, China", "Shenyang", "19", "CN", shenyang},
		{"Shenyang, Liaoning, China", "Shenyang", "19", "CN", shenyang},
		{"Seoul, South Korea", "Seoul", "11", "KR", seoul},
		{"Seoul, Korea", "Seoul", "11", "KR", seoul},
		{"London, UK", "London", "ENG", "GB", london},
		{"London, England", "London", "ENG", "GB", london},
		{"London, Great Britain", "London", "ENG", "GB", london},
		{"São Paulo, Brazil", "São Paulo", "27", "BR", saoPaulo},
		{"Sao Paulo, Brazil", "São Paulo", "27", "BR", saoPaulo},
		{"SAO PAULO, BRASIL", "São Paulo", "27", "BR", saoPaulo},
		{"1234 W Main St, Phoenix, AZ 85004, USA", "Phoenix", "AZ", "US", phoenix},
		{"10 Downing Street, London SW1A 2AA, United Kingdom", "London", "ENG", "GB", london},
		{"10 Downing Street, London", "London", "ENG", "GB", london},
		// Other divisions, aliases and name forms.
		{"London, Ontario", "London", "ON", "CA", geo.Point{Lat: 42.9834, Lon: -81.2330}},
		{"Toronto, ON, Canada", "Toronto", "ON", "CA", geo.Point{Lat: 43.7001, Lon: -79.4163}},
		{"Sydney NSW", "Sydney", "NSW", "AU", geo.Point{Lat: -33.8679, Lon: 151.2073}},
		{"Perth, WA", "Perth", "WA", "AU", geo.Point{Lat: -31.9522, Lon: 115.8614}},
		{"Vancouver, WA", "Vancouver", "WA", "US", geo.Point{Lat: 45.6387, Lon: -122.6615}},
		{"New York, NY", "New York City", "NY", "US", geo.Point{Lat: 40.7143, Lon: -74.0060}},
		{"Washington, DC", "Washington, D.C.", "DC", "US", geo.Point{Lat: 38.8951, Lon: -77.0364}},
		{"St Louis, MO", "St. Louis", "MO", "US", geo.Point{Lat: 38.6273, Lon: -90.1979}},
		{"Saint Louis, Missouri", "St. Louis", "MO", "US", geo.Point{Lat: 38.6273, Lon: -90.1979}},
		{"Atlanta, Georgia", "Atlanta", "GA", "US", geo.Point{Lat: 33.7490, Lon: -84.3880}},
		{"Tbilisi, Georgia", "Tbilisi", "", "GE", geo.Point{Lat: 41.6941, Lon: 44.8337}},
		{"Paris, TX", "Paris", "TX", "US", geo.Point{Lat: 33.6609, Lon: -95.5555}},
		{"Paris", "Paris", "", "FR", geo.Point{Lat: 48.8534, Lon: 2.3488}},
		{"Frankfurt am Main, DE", "Frankfurt am Main", "", "DE", geo.Point{Lat: 50.1155, Lon: 8.6842}},
		{"Salt Lake City UT", "Salt Lake City", "UT", "US", geo.Point{Lat: 40.7608, Lon: -111.8911}},
		{"Singapore", "Singapore", "", "SG", geo.Point{Lat: 1.2897, Lon: 103.8501}},
		{"Zurich, Switzerland", "Zürich", "", "CH", geo.Point{Lat: 47.3667, Lon: 8.55}},
		{"Manhattan, New York, NY", "New York City", "NY", "US", geo.Point{Lat: 40.7143, Lon: -74.0060}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Resolve(tt.in)
			if err != nil {
				t.Fatalf("Resolve(%q) = %v", tt.in, err)
			}
			if got.Name != tt.name || got.Country != tt.country || (tt.admin1 != "" && got.Admin1 != tt.admin1) {
				t.Errorf("Resolve(%q) = %s (%q, %q, %q), want %q, %q, %q", tt.in, got, got.Name, got.Admin1, got.Country, tt.name, tt.admin1, tt.country)
			}
			if d := geo.Distance(got.Point, tt.near); d > 5 {
				t.Errorf("Resolve(%q).Point = %v, %.1f km from %v, want within 5 km", tt.in, got.Point, d, tt.near)
			}
			if got.FromCoordinates || got.Population <= 0 || got.CountryName == "" {
				t.Errorf("Resolve(%q) = %+v, want a populated city with a country name, not from coordinates", tt.in, got)
			}
		})
	}
}

func TestResolveCoordinates(t *testing.T) {
	got, err := Resolve("33.45,-112.07")
	if err != nil {
		t.Fatalf("Resolve(coordinates) = %v", err)
	}
	want := geo.Point{Lat: 33.45, Lon: -112.07}
	if !got.FromCoordinates || got.Point != want || got.Name != "Phoenix" || got.Country != "US" || got.NearKm > 2 {
		t.Errorf("Resolve(\"33.45,-112.07\") = %+v, want Point %v from coordinates, named Phoenix, US within 2 km", got, want)
	}
	if s, want := got.String(), "33.4500,-112.0700 (0 km from Phoenix, AZ, US)"; s != want {
		t.Errorf("String() = %q, want %q", s, want)
	}
}

func TestResolveErrors(t *testing.T) {
	tests := []struct {
		in        string
		want      string // substring of the error
		badCoords bool
	}{
		{"Phoenx, AZ, US", `place: unknown place: "Phoenx, AZ, US": no city "Phoenx" in AZ, US`, false},
		{"Phoenix, TX", `no city "Phoenix" in TX, US`, false},
		{"Shenyng, China", `no city "Shenyng" in CN`, false},
		{"Phoenx", `no city "Phoenx"`, false},
		{"Paris, Mars", `no city "Paris" in "Mars", which is not a known country or region`, false},
		{"China", `no city "China" in CN`, false},
		{"", "empty input", false},
		{"   ", "empty input", false},
		{strings.Repeat("a", MaxInputLen+1), "input is 257 bytes, over the limit of 256 (place.MaxInputLen)", false},
		{"91,0", `"91,0": geo: bad coordinates: latitude "91"`, true},
		{"85004", `"85004": geo: bad coordinates`, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Resolve(tt.in)
			if err == nil {
				t.Fatalf("Resolve(%q) = %s, want error %q", tt.in, got, tt.want)
			}
			if !errors.Is(err, ErrUnknownPlace) {
				t.Errorf("Resolve(%q) error %v does not wrap ErrUnknownPlace", tt.in, err)
			}
			if errors.Is(err, geo.ErrBadCoordinates) != tt.badCoords {
				t.Errorf("Resolve(%q) error %v: wraps geo.ErrBadCoordinates = %v, want %v", tt.in, err, !tt.badCoords, tt.badCoords)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Resolve(%q) error = %q, want it to contain %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestPlaceString(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Phoenix, AZ", "Phoenix, AZ, US"},
		{"Toronto", "Toronto, ON, CA"},
		{"Sydney, Australia", "Sydney, NSW, AU"},
		{"Shenyang", "Shenyang, Liaoning, CN"},
		{"London", "London, England, GB"},
		{"Seoul", "Seoul, KR"}, // the division is named like the city
	}
	for _, tt := range tests {
		p, err := Resolve(tt.in)
		if err != nil {
			t.Fatalf("Resolve(%q) = %v", tt.in, err)
		}
		if got := p.String(); got != tt.want {
			t.Errorf("Resolve(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"São Paulo", "sao paulo"},
		{"  PHOENIX,  AZ ", "phoenix az"},
		{"Coeur d'Alene", "coeur dalene"},
		{"Washington, D.C.", "washington dc"},
		{"Winston-Salem", "winston salem"},
		{"Saint-Étienne", "st etienne"},
		{"Fort Worth", "ft worth"},
		{"Bosnia & Herzegovina", "bosnia and herzegovina"},
		{"Łódź", "lodz"},
		{"Straße", "strasse"},
		{"Ｔｏｋｙｏ", "tokyo"},
		{"---", ""},
	}
	for _, tt := range tests {
		if got := fold(tt.in); got != tt.want {
			t.Errorf("fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNearest(t *testing.T) {
	tucson := geo.Point{Lat: 32.2217, Lon: -110.9265}
	got, km, ok := Nearest(geo.Destination(tucson, 90, 30), 500000)
	if !ok || got.Name != "Tucson" || math.Abs(km-30) > 3 {
		t.Errorf("Nearest(30 km east of Tucson, 500000) = %s, %.1f km, %v; want Tucson, about 30 km", got, km, ok)
	}
	if got, _, ok := Nearest(phoenix, 0); !ok || got.Name != "Phoenix" {
		t.Errorf("Nearest(Phoenix, 0) = %s, %v; want Phoenix", got, ok)
	}
	if _, _, ok := Nearest(geo.Point{Lat: 91}, 0); ok {
		t.Errorf("Nearest(invalid point) reported ok")
	}
	if got, km, ok := Nearest(phoenix, math.MaxInt); ok {
		t.Errorf("Nearest(Phoenix, MaxInt) = %s, %.0f km, want none", got, km)
	}
}

// TestNearestMatchesScan checks the grid search against a scan of every
// city, at random points and at the awkward ones: poles, antimeridian.
func TestNearestMatchesScan(t *testing.T) {
	g, err := loadGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	points := []geo.Point{{Lat: 90}, {Lat: -90}, {Lat: 0, Lon: 180}, {Lat: 0, Lon: -180}, {Lat: -16.5, Lon: 179.9}, {Lat: 71, Lon: -156}, {Lat: -85, Lon: 10}, {Lat: 0, Lon: -140}}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		points = append(points, geo.Point{Lat: r.Float64()*180 - 90, Lon: r.Float64()*360 - 180})
	}
	for _, minPop := range []int{0, 100000, 5000000} {
		for _, p := range points {
			want, wantKm := int32(-1), math.Inf(1)
			for i := range g.cities {
				if int(g.cities[i].pop) < minPop {
					continue
				}
				if km := geo.Distance(p, g.point(int32(i))); km < wantKm {
					want, wantKm = int32(i), km
				}
			}
			got, gotKm, ok := g.nearest(p, minPop)
			if !ok || (got != want && gotKm != wantKm) {
				t.Errorf("nearest(%v, %d) = %s at %.3f km, want %s at %.3f km", p, minPop, g.place(got), gotKm, g.place(want), wantKm)
			}
		}
	}
}

func FuzzResolve(f *testing.F) {
	for _, s := range []string{
		"Phoenix, AZ, US", "São Paulo, Brazil", "1234 W Main St, Phoenix, AZ 85004, USA",
		"33.45,-112.07", "91,0", "", ",,,", "Paris, Mars", "the the the", "& & &", "New York City, NY",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 2*MaxInputLen {
			return
		}
		p, err := Resolve(s)
		if err != nil {
			if !errors.Is(err, ErrUnknownPlace) {
				t.Fatalf("Resolve(%q) error %v does not wrap ErrUnknownPlace", s, err)
			}
			if len(s) > MaxInputLen && strings.Contains(err.Error(), s) {
				t.Fatalf("Resolve(%q) echoes over-long input in its error", s)
			}
			return
		}
		if len(s) > MaxInputLen {
			t.Fatalf("Resolve(%d bytes) succeeded, want the %d-byte limit", len(s), MaxInputLen)
		}
		if !p.Point.Valid() || p.Name == "" || len(p.Country) != 2 || !utf8.ValidString(p.String()) {
			t.Fatalf("Resolve(%q) = %+v, want a named place with valid coordinates", s, p)
		}
	})
}

func BenchmarkResolve(b *testing.B) {
	if _, err := loadGazetteer(); err != nil {
		b.Fatal(err)
	}
	for _, in := range []string{"Phoenix, AZ, US", "1234 W Main St, Phoenix, AZ 85004, USA", "33.45,-112.07"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Resolve(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkNearest(b *testing.B) {
	if _, err := loadGazetteer(); err != nil {
		b.Fatal(err)
	}
	for _, minPop := range []int{0, 100000, 1000000} {
		b.Run("min="+strconv.Itoa(minPop), func(b *testing.B) {
			b.ReportAllocs()
			p := geo.Point{Lat: 45.1, Lon: -100.3} // South Dakota: far from big cities
			for b.Loop() {
				if _, _, ok := Nearest(p, minPop); !ok {
					b.Fatal("no city")
				}
			}
		})
	}
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(citiesGz)))
	for b.Loop() {
		if _, err := decodeGazetteer(citiesGz); err != nil {
			b.Fatal(err)
		}
	}
}
