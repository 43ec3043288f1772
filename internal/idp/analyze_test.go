package idp

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/geo"
)

// genEvent is an Okta System Log event as the generator writes it.
type genEvent struct {
	UUID      string `json:"uuid"`
	Published string `json:"published"`
	EventType string `json:"eventType"`
	Actor     struct {
		Type        string `json:"type"`
		AlternateID string `json:"alternateId"`
	} `json:"actor"`
	Client struct {
		IPAddress string `json:"ipAddress"`
		UserAgent struct {
			RawUserAgent string `json:"rawUserAgent"`
		} `json:"userAgent"`
		GeographicalContext struct {
			City        string `json:"city"`
			Country     string `json:"country"`
			Geolocation struct {
				Lat float64 `json:"lat"`
				Lon float64 `json:"lon"`
			} `json:"geolocation"`
		} `json:"geographicalContext"`
	} `json:"client"`
	Outcome struct {
		Result string `json:"result"`
	} `json:"outcome"`
}

// genPerson is one user the generator writes sign-ins for.
type genPerson struct {
	login  string
	tz     *time.Location // where the person really works
	ips    []string       // egress addresses, the first most used
	city   string
	pt     geo.Point
	nights int // late evenings (21:00–23:00 local) in the period
}

// oktaLog generates a realistic Okta log: on each weekday of four weeks
// from 2025-03-03 (across the US change to daylight saving time) each
// person starts a session around 09:00 local, comes back after lunch
// around 13:00, opens apps (SSO) through the day, mistypes a password now
// and then, and ends sessions; plus a few late evenings.
func oktaLog(t *testing.T, rng *rand.Rand, people []genPerson) []byte {
	t.Helper()
	var evs []genEvent
	n := 0
	add := func(p genPerson, at time.Time, typ, result, ip string) {
		n++
		var e genEvent
		e.UUID = fmt.Sprintf("evt-%06d", n)
		e.Published = at.UTC().Format("2006-01-02T15:04:05.000Z")
		e.EventType, e.Outcome.Result = typ, result
		e.Actor.Type, e.Actor.AlternateID = "User", p.login
		e.Client.IPAddress = ip
		e.Client.UserAgent.RawUserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/134.0"
		e.Client.GeographicalContext.City, e.Client.GeographicalContext.Country = p.city, "United States"
		e.Client.GeographicalContext.Geolocation.Lat, e.Client.GeographicalContext.Geolocation.Lon = p.pt.Lat, p.pt.Lon
		evs = append(evs, e)
	}
	start := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	for _, p := range people {
		jitter := func(base time.Time, minutes int) time.Time {
			return base.Add(time.Duration(rng.IntN(2*minutes+1)-minutes) * time.Minute)
		}
		ip := func() string {
			if len(p.ips) > 1 && rng.IntN(5) == 0 {
				return p.ips[1+rng.IntN(len(p.ips)-1)]
			}
			return p.ips[0]
		}
		var days []time.Time
		for d := range 28 {
			day := start.AddDate(0, 0, d)
			if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
				continue
			}
			local := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, p.tz)
			days = append(days, local)
			a := ip()
			add(p, jitter(local.Add(9*time.Hour), 20), "user.session.start", "SUCCESS", a)
			for range 2 + rng.IntN(3) {
				add(p, local.Add(9*time.Hour+time.Duration(rng.IntN(8*60))*time.Minute), "user.authentication.sso", "SUCCESS", a)
			}
			add(p, jitter(local.Add(13*time.Hour), 15), "user.session.start", "SUCCESS", a)
			add(p, jitter(local.Add(17*time.Hour+30*time.Minute), 20), "user.session.end", "SUCCESS", a)
			if rng.IntN(6) == 0 {
				add(p, local.Add(time.Duration(rng.IntN(24*60))*time.Minute), "user.session.start", "FAILURE", a)
			}
		}
		for i := range p.nights {
			local := days[(i*7+3)%len(days)]
			add(p, local.Add(21*time.Hour+time.Duration(rng.IntN(100))*time.Minute), "user.session.start", "SUCCESS", p.ips[0])
		}
	}
	slices.SortFunc(evs, func(a, b genEvent) int { return strings.Compare(a.Published, b.Published) })
	data, err := json.Marshal(evs)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

var (
	nyc     = geo.Point{Lat: 40.7128, Lon: -74.0060}
	chicago = geo.Point{Lat: 41.8781, Lon: -87.6298}
	phoenix = geo.Point{Lat: 33.4484, Lon: -112.0740}
	la      = geo.Point{Lat: 34.0522, Lon: -118.2437}
	denver  = geo.Point{Lat: 39.7392, Lon: -104.9903}
	seoul   = geo.Point{Lat: 37.5665, Lon: 126.9780}
)

// claims are the five US claims of the farm and of the honest workers.
var claims = []struct {
	state, city string
	pt          geo.Point
}{
	{"NY", "New York", nyc}, {"IL", "Chicago", chicago}, {"AZ", "Phoenix", phoenix},
	{"CA", "Los Angeles", la}, {"CO", "Denver", denver},
}

// honestPeople returns n honest workers at the claimed places, each with
// its own addresses and some late evenings.
func honestPeople(t *testing.T, n int) ([]genPerson, []Worker) {
	var ps []genPerson
	var ws []Worker
	for i := range n {
		c := claims[i%len(claims)]
		tz, ok := TZForPlace("US", c.state)
		if !ok {
			t.Fatalf("TZForPlace(US, %s) = false", c.state)
		}
		login := fmt.Sprintf("honest%d@corp.example", i)
		ps = append(ps, genPerson{
			login: login, tz: tz, city: c.city, pt: c.pt, nights: 2 + i%3,
			ips: []string{fmt.Sprintf("73.%d.20.%d", 10+i, 5+i), fmt.Sprintf("174.%d.3.%d", 200+i, 9+i)},
		})
		ws = append(ws, Worker{ID: fmt.Sprintf("honest-%d", i), Logins: []string{strings.ToUpper(login)}, TZ: tz, Claimed: c.pt, HasClaim: true})
	}
	return ps, ws
}

func analyzeLog(t *testing.T, data []byte, ws []Worker, cfg Config) []Finding {
	t.Helper()
	res, err := ReadOkta(strings.NewReader(string(data)))
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("ReadOkta(generated) = %v, %v", res.Errors, err)
	}
	return Analyze(res.SignIns, ws, cfg)
}

// TestLaptopFarm is the bar: five workers behind one egress IP working
// Seoul hours while claiming five US zones are each flagged for off-hours
// with a best fit at UTC+9 and for shared egress naming the other four;
// the honest workers in the same log are not flagged.
func TestLaptopFarm(t *testing.T) {
	for seed := range uint64(5) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { laptopFarm(t, seed) })
	}
}

func laptopFarm(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 2))
	seoulTZ := mustLoc(t, "Asia/Seoul")
	people, workers := honestPeople(t, 8)
	var farm []string
	for i, c := range claims {
		tz, _ := TZForPlace("US", c.state)
		login := fmt.Sprintf("farm%d@corp.example", i)
		id := fmt.Sprintf("farm-%d", i)
		farm = append(farm, id)
		// The laptops sit in a Phoenix farm: the IdP geolocates them there.
		people = append(people, genPerson{login: login, tz: seoulTZ, ips: []string{"203.0.113.50"}, city: "Phoenix", pt: phoenix})
		workers = append(workers, Worker{ID: id, Logins: []string{login}, TZ: tz, Claimed: c.pt, HasClaim: true})
	}
	people = append(people, genPerson{login: "contractor@other.example", tz: seoulTZ, ips: []string{"203.0.113.50"}, city: "Phoenix", pt: phoenix})
	data := oktaLog(t, rng, people)
	findings := analyzeLog(t, data, workers, Config{HostingRanges: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}})

	got := map[string][]Finding{}
	for _, f := range findings {
		got[f.WorkerID] = append(got[f.WorkerID], f)
	}
	for _, id := range farm {
		fs := got[id]
		kinds := map[string]Finding{}
		for _, f := range fs {
			kinds[f.Kind] = f
		}
		if len(fs) != 2 {
			t.Errorf("%s: %d findings %v, want off-hours and shared-egress", id, len(fs), fs)
		}
		off, ok := kinds[KindOffHours]
		if !ok || !strings.Contains(off.Explanation, "fit a working day at UTC+9 ") || off.LR != DefaultConfig().OffHoursLR || len(off.Evidence) == 0 {
			t.Errorf("%s: off-hours finding = %+v, want one fitting UTC+9", id, off)
		}
		eg, ok := kinds[KindSharedEgress]
		if !ok || !strings.Contains(eg.Explanation, "5 workers signed in from 203.0.113.50") {
			t.Errorf("%s: shared-egress finding = %+v, want 5 workers at 203.0.113.50", id, eg)
		}
		for _, other := range farm {
			if named := strings.Contains(eg.Explanation, other); named != (other != id) {
				t.Errorf("%s: shared-egress names %s = %v, want %v: %s", id, other, named, other != id, eg.Explanation)
			}
		}
		t.Logf("%s: %s", id, off.Explanation)
	}
	for id, fs := range got {
		if !slices.Contains(farm, id) {
			t.Errorf("honest worker %s flagged: %+v", id, fs)
		}
	}
	if users, n := Unmatched(mustRead(t, data), workers); users != 1 || n == 0 {
		t.Errorf("Unmatched = %d users, %d sign-ins; want 1 user", users, n)
	}
}

func mustRead(t *testing.T, data []byte) []SignIn {
	res, err := ReadOkta(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	return res.SignIns
}

// TestCleanControl: honest workers in their own zones, varied addresses,
// some late evenings, and a flight from New York to Los Angeles produce no
// finding at all.
func TestCleanControl(t *testing.T) {
	for seed := range uint64(5) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { cleanControl(t, seed) })
	}
}

func cleanControl(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 4))
	people, workers := honestPeople(t, 15)
	data := oktaLog(t, rng, people)
	// honest0 (New York) flies to Los Angeles on 12 March and stays: a
	// sign-in at JFK at 07:10 local, then from LAX 7 h later, and from Los
	// Angeles afterwards.
	fly := time.Date(2025, 3, 12, 11, 10, 0, 0, time.UTC)
	var signIns []SignIn
	for _, s := range mustRead(t, data) {
		if s.User == "honest0@corp.example" && !s.At.Before(fly) {
			s.Lat, s.Lon = la.Lat, la.Lon
			if s.At.Before(fly.Add(26 * time.Hour)) {
				continue
			}
		}
		signIns = append(signIns, s)
	}
	signIns = append(signIns,
		SignIn{At: fly, User: "honest0@corp.example", IP: netip.MustParseAddr("172.56.1.9"), Success: true, Lat: nyc.Lat, Lon: nyc.Lon, HasPoint: true, RecordID: "trip-1"},
		SignIn{At: fly.Add(7 * time.Hour), User: "honest0@corp.example", IP: netip.MustParseAddr("172.56.77.2"), Success: true, Lat: la.Lat, Lon: la.Lon, HasPoint: true, RecordID: "trip-2"},
		SignIn{At: fly.Add(26 * time.Hour), User: "honest0@corp.example", IP: netip.MustParseAddr("172.56.77.2"), Success: true, Lat: la.Lat, Lon: la.Lon, HasPoint: true, RecordID: "trip-3"},
	)
	cfg := Config{HostingRanges: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("2001:db8::/32")}}
	if fs := Analyze(signIns, workers, cfg); len(fs) != 0 {
		for _, f := range fs {
			t.Errorf("clean control flagged %s: %s: %s", f.WorkerID, f.Kind, f.Explanation)
		}
	}
}

func TestImpossibleTravel(t *testing.T) {
	t0 := time.Date(2025, 3, 3, 16, 0, 0, 0, time.UTC)
	w := []Worker{{ID: "w1", Logins: []string{"a@x"}}}
	ip := netip.MustParseAddr
	near := geo.Destination(phoenix, 90, 480)
	tests := []struct {
		name    string
		signIns []SignIn
		locate  func(netip.Addr) (geo.Point, bool)
		want    string // substring of the explanation; "" for no finding
		ids     []string
	}{
		{
			name: "phoenix then seoul in 90 minutes, from the log",
			signIns: []SignIn{
				{At: t0, User: "a@x", IP: ip("198.51.100.1"), Success: true, City: "Phoenix", Country: "US", Lat: phoenix.Lat, Lon: phoenix.Lon, HasPoint: true, RecordID: "r1"},
				{At: t0.Add(90 * time.Minute), User: "a@x", IP: ip("198.51.100.2"), Success: true, City: "Seoul", Country: "KR", Lat: seoul.Lat, Lon: seoul.Lon, HasPoint: true, RecordID: "r2"},
			},
			want: "are 10033 km apart in 1h30m0s, 6689 km/h",
			ids:  []string{"r1", "r2"},
		},
		{
			name: "same, located by Locate",
			signIns: []SignIn{
				{At: t0, User: "a@x", IP: ip("198.51.100.1"), Success: true, RecordID: "r1"},
				{At: t0.Add(90 * time.Minute), User: "a@x", IP: ip("198.51.100.2"), Success: true, RecordID: "r2"},
			},
			locate: func(a netip.Addr) (geo.Point, bool) {
				if a == ip("198.51.100.1") {
					return phoenix, true
				}
				return seoul, true
			},
			want: "km/h, above the 1000 km/h limit (1 such hop(s) in all)",
			ids:  []string{"r1", "r2"},
		},
		{
			name: "phoenix then seoul in 20 hours is a flight",
			signIns: []SignIn{
				{At: t0, User: "a@x", Success: true, Lat: phoenix.Lat, Lon: phoenix.Lon, HasPoint: true, RecordID: "r1"},
				{At: t0.Add(20 * time.Hour), User: "a@x", Success: true, Lat: seoul.Lat, Lon: seoul.Lon, HasPoint: true, RecordID: "r2"},
			},
		},
		{
			name: "480 km in 10 minutes is under the 500 km floor for geolocation error",
			signIns: []SignIn{
				{At: t0, User: "a@x", Success: true, Lat: phoenix.Lat, Lon: phoenix.Lon, HasPoint: true, RecordID: "r1"},
				{At: t0.Add(10 * time.Minute), User: "a@x", Success: true, Lat: near.Lat, Lon: near.Lon, HasPoint: true, RecordID: "r2"},
			},
		},
		{
			name: "phoenix then los angeles (574 km) in 10 minutes",
			signIns: []SignIn{
				{At: t0, User: "a@x", Success: true, Lat: phoenix.Lat, Lon: phoenix.Lon, HasPoint: true, RecordID: "r1"},
				{At: t0.Add(10 * time.Minute), User: "a@x", Success: true, Lat: la.Lat, Lon: la.Lon, HasPoint: true, RecordID: "r2"},
			},
			want: "sign-ins from 33.4484,-112.0740 at 2025-03-03T16:00:00Z and 34.0522,-118.2437 at 2025-03-03T16:10:00Z are 574 km apart in 10m0s, 3446 km/h",
			ids:  []string{"r1", "r2"},
		},
		{
			name: "failed sign-in from seoul does not count",
			signIns: []SignIn{
				{At: t0, User: "a@x", Success: true, Lat: phoenix.Lat, Lon: phoenix.Lon, HasPoint: true, RecordID: "r1"},
				{At: t0.Add(time.Hour), User: "a@x", Success: false, Lat: seoul.Lat, Lon: seoul.Lon, HasPoint: true, RecordID: "r2"},
			},
		},
		{
			name: "same instant, two continents",
			signIns: []SignIn{
				{At: t0, User: "a@x", Success: true, Lat: phoenix.Lat, Lon: phoenix.Lon, HasPoint: true, RecordID: "r1"},
				{At: t0, User: "a@x", Success: true, Lat: seoul.Lat, Lon: seoul.Lon, HasPoint: true, RecordID: "r2"},
			},
			want: "no time at all",
			ids:  []string{"r1", "r2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := Analyze(tt.signIns, w, Config{Locate: tt.locate})
			if tt.want == "" {
				if len(fs) != 0 {
					t.Errorf("Analyze = %+v, want no finding", fs)
				}
				return
			}
			if len(fs) != 1 || fs[0].Kind != KindImpossibleTravel || !strings.Contains(fs[0].Explanation, tt.want) || !slices.Equal(fs[0].Evidence, tt.ids) {
				t.Fatalf("Analyze = %+v, want one impossible-travel finding containing %q citing %v", fs, tt.want, tt.ids)
			}
			t.Log(fs[0].Explanation)
		})
	}
}

func TestHostingIP(t *testing.T) {
	t0 := time.Date(2025, 3, 3, 16, 0, 0, 0, time.UTC)
	w := []Worker{{ID: "w1", Logins: []string{"a@x"}}, {ID: "w2", Logins: []string{"b@x"}}}
	ip := netip.MustParseAddr
	signIns := []SignIn{
		{At: t0, User: "a@x", IP: ip("198.51.100.7"), Success: true, RecordID: "r1"},
		{At: t0.Add(time.Hour), User: "a@x", IP: ip("73.1.2.3"), Success: true, RecordID: "r2"},
		{At: t0.Add(2 * time.Hour), User: "a@x", IP: ip("2001:db8:5::9"), Success: true, RecordID: "r3"},
		{At: t0.Add(3 * time.Hour), User: "a@x", IP: ip("198.51.100.7"), Success: false, RecordID: "r4"},
		{At: t0, User: "b@x", IP: ip("73.1.2.4"), Success: true, RecordID: "r5"},
		{At: t0.Add(time.Hour), User: "b@x", IP: ip("198.51.101.1"), Success: false, RecordID: "r6"},
	}
	cfg := Config{HostingRanges: []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("2001:db8::/32")}, HostingLR: 2.5}
	fs := Analyze(signIns, w, cfg)
	if len(fs) != 1 {
		t.Fatalf("Analyze = %+v, want one finding for w1", fs)
	}
	f := fs[0]
	want := "2 of 3 successful sign-ins came from hosting or VPN ranges: 198.51.100.7 (in 198.51.100.0/24), 2001:db8:5::9 (in 2001:db8::/32)."
	if f.WorkerID != "w1" || f.Kind != KindHostingIP || f.Explanation != want || f.LR != 2.5 || !slices.Equal(f.Evidence, []string{"r1", "r3"}) ||
		!f.First.Equal(t0) || !f.Last.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("finding = %+v, want %q citing r1, r3", f, want)
	}
}

func TestSharedEgressWindow(t *testing.T) {
	t0 := time.Date(2025, 3, 3, 16, 0, 0, 0, time.UTC)
	var ws []Worker
	var ss []SignIn
	for i := range 3 {
		login := fmt.Sprintf("u%d@x", i)
		ws = append(ws, Worker{ID: fmt.Sprintf("w%d", i), Logins: []string{login}})
		// Ten days apart: never three workers within seven days.
		ss = append(ss, SignIn{At: t0.AddDate(0, 0, 10*i), User: login, IP: netip.MustParseAddr("203.0.113.5"), Success: true, RecordID: login})
		// A private office address shared by all is ignored.
		ss = append(ss, SignIn{At: t0, User: login, IP: netip.MustParseAddr("10.0.0.1"), Success: true, RecordID: "p" + login})
	}
	if fs := Analyze(ss, ws, Config{}); len(fs) != 0 {
		t.Errorf("Analyze(spread over 20 days) = %+v, want none", fs)
	}
	if fs := Analyze(ss, ws, Config{SharedEgressWindow: 21 * 24 * time.Hour}); len(fs) != 3 {
		t.Errorf("Analyze(21-day window) = %d findings, want 3", len(fs))
	}
}

func TestBestFitOffset(t *testing.T) {
	for _, off := range []int{-8, -5, 0, 1, 5, 9, 12} {
		loc := time.FixedZone("", off*3600)
		var ss []*SignIn
		for d := range 5 {
			for _, h := range []int{9, 10, 13, 15, 17} {
				ss = append(ss, &SignIn{At: time.Date(2025, 3, 3+d, h, 5*d, 0, 0, loc)})
			}
		}
		got, share := BestFitOffset(ss)
		if got != time.Duration(off)*time.Hour || share != 1 {
			t.Errorf("BestFitOffset(09–17 at UTC%+d) = %s, %.2f, want UTC%+d, 1", off, FormatOffset(got), share, off)
		}
	}
	if got := FormatOffset(5*time.Hour + 30*time.Minute); got != "UTC+5:30" {
		t.Errorf("FormatOffset(5h30m) = %q", got)
	}
}

func TestTZForPlace(t *testing.T) {
	tests := []struct{ country, admin1, want string }{
		{"US", "AZ", "America/Phoenix"}, {"us", " ca ", "America/Los_Angeles"}, {"US", "NY", "America/New_York"},
		{"CA", "ON", "America/Toronto"}, {"AU", "NSW", "Australia/Sydney"}, {"KR", "", "Asia/Seoul"},
		{"GB", "ENG", "Europe/London"}, {"BR", "27", ""}, {"US", "XX", ""}, {"", "", ""},
	}
	for _, tt := range tests {
		loc, ok := TZForPlace(tt.country, tt.admin1)
		if got := ""; ok {
			got = loc.String()
			if got != tt.want {
				t.Errorf("TZForPlace(%q, %q) = %s, want %s", tt.country, tt.admin1, got, tt.want)
			}
		} else if tt.want != "" {
			t.Errorf("TZForPlace(%q, %q) = false, want %s", tt.country, tt.admin1, tt.want)
		}
	}
	// Every zone in the tables loads.
	for _, m := range []map[string]string{usZones, caZones, auZones, countryZones} {
		for k, name := range m {
			if _, err := time.LoadLocation(name); err != nil {
				t.Errorf("zone of %s: %v", k, err)
			}
		}
	}
}
