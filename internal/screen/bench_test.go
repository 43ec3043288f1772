package screen

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// Pools for sampleApplicants: realistic field values, with the features of
// fraudulent applications mixed in often enough that every check runs.
var (
	firstNames = []string{"Maria", "James", "Wei", "Priya", "Oluwaseun", "Emily", "Carlos", "Anh", "Dmitri", "Fatima",
		"Michael", "Sarah", "Jin", "Rahul", "Aisha", "David", "Laura", "Kenji", "Sofia", "Tomasz"}
	lastNames = []string{"Gonzalez", "Smith", "Zhang", "Patel", "Adeyemi", "Johnson", "Nguyen", "Ivanov", "Khan", "Brown",
		"Kim", "Sharma", "Garcia", "Miller", "Lee", "Kowalski", "Tanaka", "Rossi", "Williams", "Davis"}
	cities = []struct{ claimed, ship, phone string }{
		{"Phoenix, AZ, US", "%d N Central Ave, Phoenix, AZ 85004", "(602) %03d-%04d"},
		{"Seattle, WA", "%d Pine St, Seattle, WA 98101", "(206) %03d-%04d"},
		{"Austin, Texas", "%d W 2nd St, Austin, TX 78701", "512-%03d-%04d"},
		{"New York, NY", "%d 5th Ave, New York, NY 10118", "(212) %03d-%04d"},
		{"Nashville, TN", "%d Old Lebanon Rd, Nashville, TN 37214", "615.%03d.%04d"},
		{"Chicago, IL", "%d S Wacker Dr, Chicago, IL 60606", "(312) %03d-%04d"},
		{"London, UK", "Flat %d, 10 Downing St, London SW1A 2AA", "+44 20 7%03d %04d"},
		{"Toronto, ON, Canada", "%d Queen St W, Toronto, ON M5H 2N2", "(416) %03d-%04d"},
	}
	schools = []string{"Arizona State University", "Massachusetts Institute of Technology", "UC Berkeley",
		"Georgia Institute of Technology", "The Ohio State University", "University of Washington",
		"University of Oxford", "Indian Institute of Technology, Bombay", "University of Toronto",
		"Maricopa Community College", "Phoenix Institute of Computing Sciences", "ASU", "University of Farmington"}
	employers = []struct{ name, site string }{
		{"Intel", "intel.com"}, {"Carvana", "carvana.com"}, {"Amazon", ""}, {"Honeywell", "honeywell.com"},
		{"GoDaddy", ""}, {"Microsoft", "microsoft.com"}, {"Zillow", "zillow.com"}, {"Acme Analytics", "acmeanalytics.io"},
		{"Global IT Services LLC", ""}, {"Apex Consulting Group", ""}, {"NovaByte Labs", "novabyte.wixsite.com"},
		{"Bluefin Robotics", "bluefin.dev"}, {"Tata Consultancy Services", "tcs.com"}, {"Stripe", "stripe.com"},
	}
	mailDomains = []string{"gmail.com", "gmail.com", "gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me",
		"asu.edu", "mailinator.com"}
	sampleIPs = []netip.Addr{ipPhoenix, ipPhoenix, ipSeattle, ipLondon, ipPyongyang, ipShenyang,
		netip.MustParseAddr("8.8.4.4"), netip.MustParseAddr("10.1.2.3"), {}}
	titles = []string{"Software Engineer", "Senior Software Engineer", "Backend Developer", "Software Engineering Intern",
		"Staff Engineer", "Freelance Developer", "DevOps Engineer", "Data Engineer"}
	sentences = []string{
		"Designed and built payment services handling a million transactions a day.",
		"Led the migration of a monolith to services on Kubernetes.",
		"Mentored four junior engineers and ran the team's code review practice.",
		"Cut p99 latency of the search API from 800 ms to 120 ms.",
		"Wrote the on-call runbooks and reduced pages by half.",
	}
)

// sampleApplicants returns n varied, realistic applicants and what linking
// found for each, from a fixed seed.
func sampleApplicants(n int, seed uint64) ([]*hiring.Applicant, [][]hiring.Shared) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pick := func(n int) int { return r.IntN(n) }
	apps := make([]*hiring.Applicant, n)
	shared := make([][]hiring.Shared, n)
	for i := range apps {
		first, last := firstNames[pick(len(firstNames))], lastNames[pick(len(lastNames))]
		city := cities[pick(len(cities))]
		ship := city.ship
		if pick(10) == 0 {
			ship = cities[pick(len(cities))].ship
		}
		ship = fmt.Sprintf(ship, 1+r.IntN(9999))
		handle := strings.ToLower(first + "." + last)
		switch pick(6) {
		case 0:
			handle = strings.ToLower(first[:1]+last) + fmt.Sprint(r.IntN(100000))
		case 1:
			handle = "xkq" + strings.ToLower(last[:2]) + "zvt"
		}
		phone := fmt.Sprintf(city.phone, 200+r.IntN(800), r.IntN(10000))
		if pick(8) == 0 {
			phone = "+1 " + strings.NewReplacer("(", "", ")", "", "-", " ").Replace(phone)
		}
		a := &hiring.Applicant{
			ID:              fmt.Sprintf("a-%06d", i),
			Name:            first + " " + last,
			Emails:          []string{handle + "@" + mailDomains[pick(len(mailDomains))]},
			Phones:          []string{phone},
			Links:           []string{"https://www.linkedin.com/in/" + strings.ReplaceAll(handle, ".", "-")},
			ClaimedLocation: city.claimed,
			ShippingAddress: ship,
			ApplicationIP:   sampleIPs[pick(len(sampleIPs))],
			AppliedAt:       time.Date(2026, time.Month(1+pick(12)), 1+pick(28), 12, 0, 0, 0, time.UTC),
		}
		grad := 2000 + pick(24)
		a.Education = append(a.Education, hiring.Education{
			Institution: schools[pick(len(schools))], Degree: []string{"B.S. Computer Science", "BA Economics", "B.Tech", "MSc"}[pick(4)],
			Start: ym(grad-4+pick(3), 8), End: ym(grad, 5),
		})
		start := grad*12 + pick(12)
		for j := range 1 + pick(5) {
			e := employers[pick(len(employers))]
			length := 6 + pick(48)
			job := hiring.Employment{Employer: e.name, Website: e.site, Title: titles[pick(len(titles))],
				Location: city.claimed, Start: ym(start/12, start%12+1)}
			if pick(10) == 0 {
				job.Location = "Remote"
			}
			if j == 0 || start+length > 2026*12 {
				job.Current = true
			} else {
				job.End = ym((start+length)/12, (start+length)%12+1)
			}
			a.Employment = append(a.Employment, job)
			start -= length + pick(6) + 6
		}
		var text strings.Builder
		for range 20 + pick(30) {
			text.WriteString(sentences[pick(len(sentences))])
			text.WriteByte(' ')
		}
		a.ResumeText = text.String()
		if pick(10) == 0 {
			shared[i] = []hiring.Shared{{Kind: "address", Value: strings.ToLower(ship), With: []string{"a-1", "a-2", "worker:w-" + fmt.Sprint(pick(50))}}}
		}
		if pick(20) == 0 {
			shared[i] = append(shared[i], hiring.Shared{Kind: "employer", Value: "novabyte labs", With: []string{"a-3", "a-4", "a-5"}},
				hiring.Shared{Kind: "phone", Value: "+16025550134", With: []string{"a-6"}})
		}
		apps[i] = a
	}
	return apps, shared
}

// benchScreener is a Screener with the test lists, a language check and a
// hosting range list, as a deployment would run it.
func benchScreener(b *testing.B) *Screener {
	cfg := testConfig(b)
	if u := realUniversities(b); u != nil {
		cfg.Universities = u
	}
	cfg.Language = func(text string) (int, int, []string) {
		n := strings.Count(text, ". ")
		return n / 10, n, nil
	}
	rs, err := LoadRanges(strings.NewReader("98.97.40.0/24 test hosting\n2001:db8::/32\n"))
	if err != nil {
		b.Fatal(err)
	}
	cfg.HostingRanges = rs
	return newScreener(b, cfg)
}

func BenchmarkCheck(b *testing.B) {
	s := benchScreener(b)
	apps, shared := sampleApplicants(2000, 1)
	for i := range apps { // warm up lazily loaded data
		s.Check(apps[i], shared[i])
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.Check(apps[i%len(apps)], shared[i%len(apps)])
		i++
	}
}

// BenchmarkCheckParallel screens on every core, as a bulk import does.
func BenchmarkCheckParallel(b *testing.B) {
	s := benchScreener(b)
	apps, shared := sampleApplicants(2000, 2)
	for i := range apps {
		s.Check(apps[i], shared[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	var mu sync.Mutex
	next := 0
	b.RunParallel(func(pb *testing.PB) {
		mu.Lock()
		i := next * 997
		next++
		mu.Unlock()
		for pb.Next() {
			s.Check(apps[i%len(apps)], shared[i%len(apps)])
			i++
		}
	})
}

// BenchmarkCheckLatency times each call over 20,000 varied applicants and
// reports percentiles in microseconds: of wall time (p50-µs, p99-µs,
// max-µs), and of the calling thread's CPU time (cpu-p50-µs, cpu-p99-µs),
// which other work on a shared machine does not inflate.
func BenchmarkCheckLatency(b *testing.B) {
	s := benchScreener(b)
	apps, shared := sampleApplicants(20000, 3)
	for i := range 200 {
		s.Check(apps[i], shared[i])
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	wall := make([]time.Duration, 0, len(apps))
	cpu := make([]time.Duration, 0, len(apps))
	proc0 := cpuTime()
	calls := 0
	for b.Loop() {
		wall, cpu = wall[:0], cpu[:0]
		for i := range apps {
			t0, c0 := time.Now(), threadCPUTime()
			s.Check(apps[i], shared[i])
			cpu = append(cpu, threadCPUTime()-c0)
			wall = append(wall, time.Since(t0))
		}
		calls += len(apps)
	}
	proc := cpuTime() - proc0
	slices.Sort(wall)
	slices.Sort(cpu)
	q := func(d []time.Duration, p float64) float64 { return float64(d[int(p*float64(len(d)-1))]) / 1e3 }
	b.ReportMetric(q(wall, 0.50), "p50-µs")
	b.ReportMetric(q(wall, 0.99), "p99-µs")
	b.ReportMetric(float64(wall[len(wall)-1])/1e3, "max-µs")
	b.ReportMetric(q(cpu, 0.50), "cpu-p50-µs")
	b.ReportMetric(q(cpu, 0.99), "cpu-p99-µs")
	b.ReportMetric(float64(proc)/float64(calls)/1e3, "cpu-µs/op")
	b.ReportMetric(0, "ns/op")
}

// TestBulkThroughput screens 100,000 applicants on every core. The budget
// is 100,000 applicants in 15 s on 2 cores, that is 300 µs of CPU time per
// applicant; the test checks CPU time, since wall time on a shared machine
// also counts other work. It is skipped in -short runs and under -race.
func TestBulkThroughput(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("bulk timing run skipped in -short mode and under the race detector")
	}
	s := newScreener(t, testConfig(t))
	apps, shared := sampleApplicants(5000, 4)
	for i := range 200 {
		s.Check(apps[i], shared[i])
	}
	const total = 100_000
	start, cpu0 := time.Now(), cpuTime()
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < total; i += workers {
				s.Check(apps[i%len(apps)], shared[i%len(apps)])
			}
		}()
	}
	wg.Wait()
	wall, cpu := time.Since(start), cpuTime()-cpu0
	perApp := cpu / total
	t.Logf("%d applicants on %d cores: wall %v, CPU %v (%v per applicant; %v of wall time on 2 idle cores)",
		total, workers, wall.Round(time.Millisecond), cpu.Round(time.Millisecond), perApp, (cpu / 2).Round(time.Millisecond))
	if perApp > 300*time.Microsecond {
		t.Errorf("CPU time per applicant %v, want at most 300 µs (100,000 in 15 s on 2 cores)", perApp)
	}
}
