package screen

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/hiring"
	"github.com/lagwatch/lagwatch/internal/ipgeo"
	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Addresses of the test city database.
var (
	ipPhoenix   = netip.MustParseAddr("72.201.10.20")
	ipSeattle   = netip.MustParseAddr("98.97.40.7")
	ipPyongyang = netip.MustParseAddr("175.45.176.9")
	ipShenyang  = netip.MustParseAddr("59.46.20.3")
	ipLondon    = netip.MustParseAddr("81.2.69.160")
)

// cityRecord is a record laid out like those of the DB-IP city databases.
func cityRecord(country, state, city string, lat, lon float32) mmdbtype.Map {
	return mmdbtype.Map{
		"country_code": mmdbtype.String(country),
		"state1":       mmdbtype.String(state),
		"state2":       mmdbtype.String(""),
		"city":         mmdbtype.String(city),
		"postcode":     mmdbtype.String(""),
		"latitude":     mmdbtype.Float32(lat),
		"longitude":    mmdbtype.Float32(lon),
		"timezone":     mmdbtype.String(""),
	}
}

// testLocator opens an ipgeo.Locator on a small city database written for
// the test.
func testLocator(t testing.TB) *ipgeo.Locator {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType: "city ipv4", IPVersion: 4, RecordSize: 28,
		DisableIPv4Aliasing: true, IncludeReservedNetworks: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, rec := range map[string]mmdbtype.Map{
		"72.201.0.0/16":   cityRecord("US", "Arizona", "Phoenix", 33.4484, -112.074),
		"98.97.0.0/16":    cityRecord("US", "Washington", "Seattle", 47.6062, -122.3321),
		"175.45.176.0/22": cityRecord("KP", "Pyongyang", "Pyongyang", 39.0392, 125.7625),
		"59.46.0.0/16":    cityRecord("CN", "Liaoning", "Shenyang", 41.8057, 123.4315),
		"81.2.69.0/24":    cityRecord("GB", "England", "London", 51.5074, -0.1278),
	} {
		_, network, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := tree.Insert(network, rec); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "dbip-city-ipv4.mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := ipgeo.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// testUniversities loads testdata/universities.json.
func testUniversities(t testing.TB) *Universities {
	t.Helper()
	f, err := os.Open("testdata/universities.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u, err := LoadUniversities(f)
	if err != nil {
		t.Fatalf("LoadUniversities(testdata/universities.json) = %v", err)
	}
	return u
}

// testConfig is a Config with the test lists and locator.
func testConfig(t testing.TB) Config {
	return Config{
		Universities: testUniversities(t),
		Locator:      testLocator(t),
		Now:          func() time.Time { return time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) },
	}
}

func newScreener(t testing.TB, cfg Config) *Screener {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return s
}

func ym(y, m int) hiring.YearMonth { return hiring.YearMonth{Year: y, Month: m} }

// honest returns a realistic applicant that no check should flag: a
// Phoenix software engineer with an ASU degree and two local jobs.
func honest() *hiring.Applicant {
	return &hiring.Applicant{
		ID:              "a-100",
		Name:            "Maria Gonzalez",
		Emails:          []string{"maria.gonzalez@gmail.com"},
		Phones:          []string{"(602) 555-0134"},
		Links:           []string{"https://www.linkedin.com/in/maria-gonzalez-dev"},
		Position:        "Senior Backend Engineer",
		ClaimedLocation: "Phoenix, AZ, US",
		ShippingAddress: "1234 N Central Ave, Phoenix, AZ 85004",
		ApplicationIP:   ipPhoenix,
		AppliedAt:       time.Date(2026, 3, 2, 15, 4, 0, 0, time.UTC),
		Education: []hiring.Education{{
			Institution: "Arizona State University", Country: "US", Degree: "B.S. Computer Science",
			Start: ym(2012, 8), End: ym(2016, 5),
		}},
		Employment: []hiring.Employment{
			{Employer: "Intel", Website: "intel.com", Title: "Software Engineer", Location: "Chandler, AZ", Start: ym(2016, 7), End: ym(2020, 2)},
			{Employer: "Carvana", Website: "https://www.carvana.com", Title: "Senior Software Engineer", Location: "Tempe, AZ", Start: ym(2020, 3), Current: true},
		},
		ResumeText: "Backend engineer with nine years of experience building payment and logistics services in Go and Python.",
	}
}

// checks returns the check ids of a result's evidence.
func checks(r Result) []string {
	var out []string
	for _, e := range r.Evidence {
		out = append(out, e.Check)
	}
	return out
}

func evidence(r Result, check string) (Evidence, bool) {
	for _, e := range r.Evidence {
		if e.Check == check {
			return e, true
		}
	}
	return Evidence{}, false
}

func notChecked(r Result, substr string) bool {
	return slices.ContainsFunc(r.NotChecked, func(s string) bool { return strings.Contains(s, substr) })
}
