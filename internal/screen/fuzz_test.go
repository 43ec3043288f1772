package screen

import (
	"math"
	"net/netip"
	"testing"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// FuzzCheck screens applicants built from arbitrary field values: Check
// must not panic, its score must be finite and match its evidence, and
// every item must carry a check id, a sentence and a field.
func FuzzCheck(f *testing.F) {
	f.Add("Maria Gonzalez", "maria.gonzalez@mailinator.com", "+1 (602) 555-0134", "Phoenix, AZ, US",
		"2710 Old Lebanon Rd, Nashville, TN 37214", "University of Farmington", "B.S.", "Global IT Services LLC",
		"apex.wixsite.com", "Senior Engineer", "175.45.176.9", 2015, 9, 2016, 6, "address", "a-2")
	f.Add("", "@", "+", "", "", "(", "", "", "://", "", "", 0, 0, 0, 0, "", "")
	f.Add("Łukasz Żółć", "ŁUKASZ@例え.jp", "00 44 56 1234 5678", "London, UK", "Flat 2, 10 Downing St, London",
		"Universität Wien (Uni Wien)", "BSc", "Tech", "http://user@host:99/x", "Intern", "::1", 1900, 13, 2200, 0, "employer", "worker:w-1")
	cfg := testConfig(f)
	cfg.Language = fakeLanguage(3, 10)
	s := newScreener(f, cfg)
	f.Fuzz(func(t *testing.T, name, email, phone, claimed, ship, inst, degree, employer, site, title, ip string,
		startY, startM, endY, endM int, sharedKind, sharedWith string) {
		addr, _ := netip.ParseAddr(ip)
		a := &hiring.Applicant{
			ID: "f-1", Name: name, Emails: []string{email}, Phones: []string{phone},
			ClaimedLocation: claimed, ShippingAddress: ship, ApplicationIP: addr, ResumeText: name,
			Education: []hiring.Education{{Institution: inst, Country: "US", Degree: degree,
				Start: hiring.YearMonth{Year: startY, Month: startM}, End: hiring.YearMonth{Year: endY, Month: endM}}},
			Employment: []hiring.Employment{
				{Employer: employer, Website: site, Title: title, Location: claimed,
					Start: hiring.YearMonth{Year: startY, Month: startM}, End: hiring.YearMonth{Year: endY, Month: endM}},
				{Employer: employer, Title: title, Start: hiring.YearMonth{Year: startY}, Current: true},
				{Employer: inst, Title: degree, Start: hiring.YearMonth{Year: startY}, Current: true},
			},
		}
		shared := []hiring.Shared{{Kind: sharedKind, Value: employer, With: []string{sharedWith, "a-9"}}}
		r := s.Check(a, shared)
		if math.IsNaN(r.Score) || math.IsInf(r.Score, 0) {
			t.Fatalf("score %v", r.Score)
		}
		strong, weak, pos := 0.0, 0.0, false
		for _, e := range r.Evidence {
			if e.Check == "" || e.Sentence == "" || e.Field == "" {
				t.Fatalf("incomplete evidence %+v", e)
			}
			if _, ok := defaultWeights[e.Check]; !ok {
				t.Fatalf("evidence of unknown check %q", e.Check)
			}
			if e.Weak {
				weak += e.Weight
			} else {
				strong += e.Weight
				pos = pos || e.Weight > 0
			}
		}
		want := strong
		if pos {
			want += weak
		}
		if math.Abs(want-r.Score) > 0.01 || r.Level != LevelFor(strong) {
			t.Fatalf("score %v level %q, want %v %q from %+v", r.Score, r.Level, want, LevelFor(strong), r.Evidence)
		}
	})
}
