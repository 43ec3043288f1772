package importer

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"testing"
)

// generateCSV writes a realistic export of n applicants in the generic
// layout: split names, one or two e-mails, phones, profile links, split
// claimed location and shipping address, IP, a browser user agent (with
// commas, so quoted), application time, and education and employment
// history in the combined-column form. The same seed gives the same bytes.
func generateCSV(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	first := []string{"Ann", "Bo", "Carlos", "Dmitri", "Elena", "Farah", "Grace", "Hiroshi", "Ines", "José", "Kwame", "Li", "Mónica", "Nikhil", "Olu", "Priya"}
	last := []string{"Example", "Sample", "García", "Kim", "Novak", "Okafor", "Patel", "Quinn", "Rossi", "Schmidt", "Tanaka", "Ueda", "Vargas", "Wang", "Yilmaz", "Zhou"}
	places := [][3]string{{"Phoenix", "AZ", "US"}, {"Austin", "TX", "US"}, {"Seattle", "WA", "US"}, {"Denver", "CO", "US"}, {"Toronto", "ON", "CA"}, {"London", "", "GB"}, {"Warsaw", "", "PL"}}
	positions := []string{"Site Reliability Engineer", "Senior Backend Engineer", "Systems Administrator", "Help Desk Analyst", "Data Engineer", "DevOps Engineer"}
	schools := []string{"Arizona State University", "University of Texas at Austin", "Example State College", "Grand Canyon University", "Politechnika Warszawska"}
	degrees := []string{"BS", "MS", "BA", "Bachelor of Science", "AAS"}
	areas := []string{"Computer Science", "Information Technology", "Mathematics", "Electrical Engineering"}
	firms := []string{"Example Corp", "Sample Hosting LLC", "Acme Cloud", "Northwind Traders", "Contoso Ltd", "Globex"}
	titles := []string{"Engineer", "Senior Engineer", "Systems Administrator", "Support Engineer", "Intern"}
	agents := []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
		"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
	}

	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"id", "first_name", "last_name", "emails", "phones", "links", "position", "city", "region", "country",
		"address_line1", "address_city", "address_region", "address_postal_code", "address_country",
		"application_ip", "user_agent", "applied_at", "education", "employment"})
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	for i := range n {
		fn, ln := pick(first), pick(last)
		user := fmt.Sprintf("%s.%s%d", fn, ln, i)
		emails := user + "@example.com"
		if rng.IntN(4) == 0 {
			emails += ";" + fmt.Sprintf("%s%d@example.org", ln, i)
		}
		place := places[rng.IntN(len(places))]
		ship := places[rng.IntN(len(places))]
		grad := 2000 + rng.IntN(22)
		edu := fmt.Sprintf("%s|%s|%s|%d-09|%d-05|US", pick(schools), pick(degrees), pick(areas), grad-4, grad)
		start := grad + rng.IntN(2)
		emp := fmt.Sprintf("%s|%s|%d-%02d|present|%s|example.com", pick(firms), pick(titles), start+2, 1+rng.IntN(12), place[0])
		if rng.IntN(2) == 0 {
			emp += fmt.Sprintf(";%s|%s|%d|%d", pick(firms), pick(titles), start, start+2)
		}
		_ = w.Write([]string{
			fmt.Sprintf("cand-%07d", i), fn, ln, emails,
			fmt.Sprintf("+1 (%03d) 555-%04d", 200+rng.IntN(800), rng.IntN(10000)),
			"https://github.com/" + fmt.Sprintf("user%d", i),
			pick(positions), place[0], place[1], place[2],
			fmt.Sprintf("%d %s St", 1+rng.IntN(9999), pick(last)), ship[0], ship[1], fmt.Sprintf("%05d", rng.IntN(100000)), ship[2],
			fmt.Sprintf("203.0.%d.%d", rng.IntN(256), 1+rng.IntN(254)), pick(agents),
			fmt.Sprintf("2024-%02d-%02dT%02d:%02d:00Z", 1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60)),
			edu, emp,
		})
	}
	w.Flush()
	return buf.Bytes()
}

func TestGeneratedCSV(t *testing.T) {
	const n = 2*chunkLen + 500 // more than one chunk of applicants
	res, err := ReadCSV(bytes.NewReader(generateCSV(n, 1)), "gen.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, res)
	if len(res.Applicants) != n {
		t.Fatalf("imported %d of %d generated rows; errors: %v", len(res.Applicants), n, res.Errors[:min(5, len(res.Errors))])
	}
	a := res.Applicants[0]
	if a.Name == "" || len(a.Emails) == 0 || !a.ApplicationIP.IsValid() || len(a.Education) != 1 || len(a.Employment) == 0 || a.ShippingAddress == "" {
		t.Errorf("generated applicant not fully read: %+v", a)
	}
}

// BenchmarkReadCSV imports 100,000 generated rows per op and reports the
// time per row besides the totals, and the CPU time the process spent
// (cpu-s/op, cpu-ns/row), which does not grow when other work competes for
// the machine's cores the way wall-clock time does.
func BenchmarkReadCSV(b *testing.B) {
	const rows = 100_000
	data := generateCSV(rows, 1)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		res, err := ReadCSV(bytes.NewReader(data), "bench.csv", Options{})
		if err != nil || len(res.Applicants) != rows {
			b.Fatalf("imported %d rows, err %v", len(res.Applicants), err)
		}
	}
	cpu := processCPU() - cpu0 // includes the garbage collector's background work
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*rows), "cpu-ns/row")
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	}
	b.ReportMetric(float64(len(data))/float64(rows), "bytes/row")
}
