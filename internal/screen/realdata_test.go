package screen

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// sharedData returns the evaluation data directory: $LAGWATCH_SHARED_DATA,
// or ../../../shared/data from this package; "" when absent.
func sharedData() string {
	dir := os.Getenv("LAGWATCH_SHARED_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data")
	}
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}

var realUnis = sync.OnceValues(func() (*Universities, error) {
	dir := sharedData()
	if dir == "" {
		return nil, nil
	}
	f, err := os.Open(filepath.Join(dir, "university-domains", "world_universities_and_domains.json"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return LoadUniversities(f)
})

// realUniversities loads the Hipo list from the shared data, or returns nil
// when it is absent.
func realUniversities(t testing.TB) *Universities {
	u, err := realUnis()
	if err != nil {
		t.Fatalf("load real university list: %v", err)
	}
	return u
}

// honestSchools are schools as honest applicants write them: official
// names, short names and acronyms of real US, UK and Indian institutions.
var honestSchools = []struct{ name, country string }{
	{"Arizona State University", "US"}, {"University of California, Berkeley", "US"}, {"UC Berkeley", "US"},
	{"UCLA", "US"}, {"MIT", "US"}, {"Massachusetts Institute of Technology", "US"}, {"Georgia Tech", "US"},
	{"Georgia Institute of Technology", "US"}, {"University of Texas at Austin", "US"}, {"UT Austin", "US"},
	{"Carnegie Mellon University", "US"}, {"Stanford University", "US"}, {"University of Michigan", "US"},
	{"University of Michigan, Ann Arbor", "US"}, {"Purdue University", "US"},
	{"University of Illinois Urbana-Champaign", "US"}, {"University of Washington", "US"},
	{"Ohio State University", "US"}, {"Penn State", "US"}, {"Pennsylvania State University", "US"},
	{"New York University", "US"}, {"NYU", "US"}, {"Northeastern University", "US"}, {"Rutgers University", "US"},
	{"University of Florida", "US"}, {"Texas A&M University", "US"}, {"University of Southern California", "US"},
	{"Cornell University", "US"}, {"Columbia University", "US"}, {"Virginia Tech", "US"},
	{"North Carolina State University", "US"}, {"University of Wisconsin–Madison", "US"},
	{"San Jose State University", "US"}, {"Cal Poly", "US"}, {"Boston University", "US"},
	{"University of Maryland, College Park", "US"}, {"Drexel University", "US"}, {"DeVry University", "US"},
	{"Western Governors University", "US"}, {"Southern New Hampshire University", "US"},
	{"University of Phoenix", "US"}, {"Grand Canyon University", "US"}, {"Mesa Community College", "US"},
	{"University of Oxford", "GB"}, {"University of Cambridge", "GB"}, {"Imperial College London", "GB"},
	{"University College London", "GB"}, {"UCL", "GB"}, {"King's College London", "GB"},
	{"University of Manchester", "GB"}, {"University of Edinburgh", "GB"}, {"University of Warwick", "GB"},
	{"University of Bristol", "GB"}, {"London School of Economics", "GB"}, {"University of Leeds", "GB"},
	{"University of Glasgow", "GB"}, {"The Open University", "GB"}, {"Queen Mary University of London", "GB"},
	{"Indian Institute of Technology Bombay", "IN"}, {"IIT Delhi", "IN"}, {"IIT Madras", "IN"},
	{"Indian Institute of Technology, Kanpur", "IN"}, {"Anna University", "IN"},
	{"Vellore Institute of Technology", "IN"}, {"VIT University", "IN"}, {"BITS Pilani", "IN"},
	{"Birla Institute of Technology and Science, Pilani", "IN"}, {"University of Delhi", "IN"},
	{"Delhi University", "IN"}, {"Jawaharlal Nehru Technological University", "IN"}, {"JNTU Hyderabad", "IN"},
	{"Osmania University", "IN"}, {"University of Mumbai", "IN"}, {"Savitribai Phule Pune University", "IN"},
	{"Manipal Institute of Technology", "IN"}, {"SRM Institute of Science and Technology", "IN"},
	{"Amity University", "IN"}, {"Visvesvaraya Technological University", "IN"}, {"NIT Trichy", "IN"},
	{"National Institute of Technology, Tiruchirappalli", "IN"}, {"Jadavpur University", "IN"},
	{"Andhra University", "IN"}, {"Kalinga Institute of Industrial Technology", "IN"},
}

// TestRealLists loads the real university and disposable-domain lists and
// measures how many honest applicants are flagged "institution unknown",
// and that well-known disposable domains are detected and webmail is not.
func TestRealLists(t *testing.T) {
	dir := sharedData()
	if dir == "" {
		t.Skip("shared data not found (set LAGWATCH_SHARED_DATA or place it at ../shared/data beside the repository)")
	}
	unis := realUniversities(t)
	f, err := os.Open(filepath.Join(dir, "disposable-email-domains", "disposable_email_blocklist.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	disp, err := LoadDisposable(f)
	if err != nil {
		t.Fatalf("LoadDisposable(real list) = %v", err)
	}
	t.Logf("loaded %d institutions and %d disposable domains", unis.Len(), disp.Len())
	if unis.Len() < 5000 || disp.Len() < 1000 {
		t.Fatalf("lists too small: %d institutions, %d domains", unis.Len(), disp.Len())
	}
	cfg := testConfig(t)
	cfg.Universities, cfg.Disposable = unis, disp
	s := newScreener(t, cfg)

	var unknown []string
	byCountry := map[string][2]int{}
	for _, sc := range honestSchools {
		a := honest()
		a.Education[0].Institution, a.Education[0].Country = sc.name, sc.country
		r := s.Check(a, nil)
		c := byCountry[sc.country]
		c[1]++
		if _, ok := evidence(r, "education.unknown-institution"); ok {
			unknown = append(unknown, sc.name)
			c[0]++
		}
		byCountry[sc.country] = c
		if _, ok := evidence(r, "education.institution-country"); ok {
			t.Errorf("%q (%s): flagged as in another country", sc.name, sc.country)
		}
	}
	for _, cc := range []string{"US", "GB", "IN"} {
		t.Logf("%s: %d of %d honest schools flagged unknown", cc, byCountry[cc][0], byCountry[cc][1])
	}
	t.Logf("flagged unknown: %d of %d (%.0f%%): %s", len(unknown), len(honestSchools),
		100*float64(len(unknown))/float64(len(honestSchools)), strings.Join(unknown, "; "))
	// Acronyms and short names the list cannot know are the expected false
	// alarms; the weight of 0.5 is set for a rate of this size.
	if len(unknown)*100 > 20*len(honestSchools) {
		t.Errorf("%d of %d honest schools flagged unknown, want at most 20%%", len(unknown), len(honestSchools))
	}

	for _, addr := range []string{"x@mailinator.com", "x@guerrillamail.com", "x@10minutemail.com", "x@yopmail.com",
		"x@temp-mail.org", "x@sharklasers.com", "x@trashmail.com", "x@getnada.com", "x@maildrop.cc"} {
		if _, ok := evidence(s.Check(&hiring.Applicant{ID: "d", Emails: []string{addr}}, nil), "email.disposable"); !ok {
			t.Errorf("%s not detected as disposable", addr)
		}
	}
	for _, d := range []string{"gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com", "proton.me",
		"protonmail.com", "aol.com", "gmx.com", "zoho.com", "asu.edu", "ox.ac.uk"} {
		if m, ok := disp.match(d); ok {
			t.Errorf("%s matched the disposable list as %s", d, m)
		}
	}
}
