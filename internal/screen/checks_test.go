package screen

import (
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

func TestHonestApplicant(t *testing.T) {
	s := newScreener(t, testConfig(t))
	r := s.Check(honest(), nil)
	if len(r.Evidence) != 0 || r.Score != 0 || r.Level != LevelLow {
		t.Fatalf("Check(honest) = score %v level %q evidence %+v, want 0, low, none", r.Score, r.Level, r.Evidence)
	}
	if r.ApplicantID != "a-100" {
		t.Errorf("ApplicantID = %q, want a-100", r.ApplicantID)
	}
	for _, want := range []string{"North American (+1) number", "hosting/VPN range list not configured", "language check not configured"} {
		if !notChecked(r, want) {
			t.Errorf("NotChecked = %q, want an entry with %q", r.NotChecked, want)
		}
	}
}

// checkCase is one applicant variant and what one check should say of it.
type checkCase struct {
	name   string
	edit   func(a *hiring.Applicant)
	shared []hiring.Shared
	cfg    func(c *Config)
	check  string // the check id under test
	absent bool   // the check must not fire
	field  string // the evidence's field, when it fires
	says   string // a part of the sentence, when it fires
}

func runCases(t *testing.T, cases []checkCase) {
	t.Helper()
	base := testConfig(t)
	plain := newScreener(t, base)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := plain
			if tc.cfg != nil {
				cfg := base
				tc.cfg(&cfg)
				s = newScreener(t, cfg)
			}
			a := honest()
			if tc.edit != nil {
				tc.edit(a)
			}
			r := s.Check(a, tc.shared)
			e, ok := evidence(r, tc.check)
			if tc.absent {
				if ok {
					t.Fatalf("Check() has %s: %q; want none", tc.check, e.Sentence)
				}
				return
			}
			if !ok {
				t.Fatalf("Check() evidence = %v, want %s (not checked: %q)", checks(r), tc.check, r.NotChecked)
			}
			if tc.field != "" && e.Field != tc.field {
				t.Errorf("%s field = %q, want %q", tc.check, e.Field, tc.field)
			}
			if tc.says != "" && !strings.Contains(e.Sentence, tc.says) {
				t.Errorf("%s sentence = %q, want it to say %q", tc.check, e.Sentence, tc.says)
			}
			if e.Weight != defaultWeights[tc.check] && tc.cfg == nil {
				t.Errorf("%s weight = %v, want default %v", tc.check, e.Weight, defaultWeights[tc.check])
			}
			t.Logf("%s: %s", tc.check, e.Sentence)
		})
	}
}

func school(inst, country string) func(a *hiring.Applicant) {
	return func(a *hiring.Applicant) {
		a.Education[0].Institution = inst
		a.Education[0].Country = country
	}
}

func TestEducationChecks(t *testing.T) {
	runCases(t, []checkCase{
		{name: "sting school", edit: school("University of Farmington", "US"), check: "education.high-risk",
			field: "education[0].institution", says: "Homeland Security Investigations"},
		{name: "diploma mill written St.", edit: school("St. Regis University", ""), check: "education.high-risk", says: "Operation Gold Seal"},
		{name: "real school of a similar name", edit: school("Regis University", "US"), check: "education.high-risk", absent: true},
		{name: "real school", check: "education.high-risk", absent: true},
		{name: "unknown school", edit: school("Phoenix Institute of Computing Sciences", "US"), check: "education.unknown-institution",
			says: "not in the institution list of 11 schools for US"},
		{name: "acronym", edit: school("ASU", "US"), check: "education.unknown-institution", absent: true},
		{name: "abbreviated and punctuated", edit: school("Univ. of California - Berkeley", "US"), check: "education.unknown-institution", absent: true},
		{name: "leading The and swapped", edit: school("Oxford University", "GB"), check: "education.unknown-institution", absent: true},
		{name: "accents", edit: school("Universitat Wien", "AT"), check: "education.unknown-institution", absent: true},
		{name: "high-risk is not also unknown", edit: school("University of Farmington", "US"), check: "education.unknown-institution", absent: true},
		{name: "list not configured", cfg: func(c *Config) { c.Universities = nil },
			edit: school("Phoenix Institute of Computing Sciences", "US"), check: "education.unknown-institution", absent: true},
		{name: "school in another country", edit: school("University of Toronto", "US"), check: "education.institution-country",
			field: "education[0].country", says: `has "University of Toronto" in CA, not in US`},
		{name: "school in its country", edit: school("University of Toronto", "CA"), check: "education.institution-country", absent: true},
		{name: "e-mail of another school", edit: func(a *hiring.Applicant) { a.Emails = append(a.Emails, "mgonzalez@mit.edu") },
			check: "education.email-domain", field: "emails[1]", says: "Massachusetts Institute of Technology"},
		{name: "e-mail of the claimed school", edit: func(a *hiring.Applicant) { a.Emails = []string{"mgonzal7@asu.edu"} },
			check: "education.email-domain", absent: true},
		{name: "alumni subdomain", edit: func(a *hiring.Applicant) { a.Emails = []string{"maria.gonzalez@alumni.asu.edu"} },
			check: "education.email-domain", absent: true},
		{name: "school written short", edit: func(a *hiring.Applicant) {
			school("UC Berkeley", "US")(a)
			a.Emails = []string{"mgonzalez@berkeley.edu"}
		}, check: "education.email-domain", absent: true},
		{name: "one-year bachelor's", edit: func(a *hiring.Applicant) {
			a.Education[0].Start, a.Education[0].End = ym(2015, 9), ym(2016, 6)
		}, check: "education.short-degree", field: "education[0]", says: "9 months"},
		{name: "four-year bachelor's", check: "education.short-degree", absent: true},
		{name: "two-year master's", edit: func(a *hiring.Applicant) {
			a.Education[0].Degree, a.Education[0].Start, a.Education[0].End = "M.S. Computer Science", ym(2015, 9), ym(2016, 6)
		}, check: "education.short-degree", absent: true},
		{name: "bachelor's expected after nine years of work", edit: func(a *hiring.Applicant) {
			a.Education[0].Start, a.Education[0].End = ym(2023, 8), ym(2027, 5)
		}, check: "education.future-graduation", field: "education[0].end", says: "expected in 2027-05"},
		{name: "student with an internship", edit: func(a *hiring.Applicant) {
			a.Education[0].Start, a.Education[0].End = ym(2023, 8), ym(2027, 5)
			a.Employment = []hiring.Employment{{Employer: "Intel", Title: "Software Engineering Intern", Start: ym(2025, 5), End: ym(2025, 8)}}
		}, check: "education.future-graduation", absent: true},
		{name: "degree years after the first job", edit: func(a *hiring.Applicant) {
			a.Employment[0].Start = ym(2010, 1)
			a.Education[0].Start, a.Education[0].End = ym(2014, 8), ym(2018, 5)
		}, check: "education.graduation-after-career", says: "8 years and 4 months after the first full-time job"},
		{name: "degree before the first job", check: "education.graduation-after-career", absent: true},
	})
}

func job(employer, website string) func(a *hiring.Applicant) {
	return func(a *hiring.Applicant) {
		a.Employment[1].Employer = employer
		a.Employment[1].Website = website
	}
}

func TestEmploymentChecks(t *testing.T) {
	threeJobs := func(title string) func(a *hiring.Applicant) {
		return func(a *hiring.Applicant) {
			a.Employment = append(a.Employment,
				hiring.Employment{Employer: "Honeywell", Title: "Software Engineer", Start: ym(2021, 1), End: ym(2022, 6)},
				hiring.Employment{Employer: "GoDaddy", Title: title, Start: ym(2021, 2), End: ym(2022, 3)})
		}
	}
	runCases(t, []checkCase{
		{name: "generic name without website", edit: job("Global IT Services LLC", ""), check: "employment.generic-name",
			field: "employment[1].employer", says: `"Global IT Services LLC"`},
		{name: "generic name with website", edit: job("Global IT Services LLC", "globalitservices.com"), check: "employment.generic-name", absent: true},
		{name: "distinctive name", edit: job("Carvana", ""), check: "employment.generic-name", absent: true},
		{name: "consultancy without website", edit: job("Apex Consulting Group", ""), check: "employment.consultancy-no-website",
			field: "employment[1].employer"},
		{name: "consultancy with website", edit: job("Apex Consulting Group", "apexcg.com"), check: "employment.consultancy-no-website", absent: true},
		{name: "well-known consultancy", edit: job("Tata Consultancy Services", ""), check: "employment.consultancy-no-website", absent: true},
		{name: "site on a free host", edit: job("Apexsoft", "https://apexsoft.wixsite.com/home"), check: "employment.free-host",
			field: "employment[1].website", says: "wixsite.com"},
		{name: "google sites", edit: job("Apexsoft", "sites.google.com/view/apexsoft"), check: "employment.free-host"},
		{name: "own domain", edit: job("Apexsoft", "https://apexsoft.io"), check: "employment.free-host", absent: true},
		{name: "obscure employer shared by a cluster", edit: job("NovaByte Labs", "novabytelabs.com"),
			shared: []hiring.Shared{{Kind: "employer", Value: "novabyte labs", With: []string{"a-201", "a-202", "a-100"}}},
			check:  "employment.shared-employer", field: "employment[1].employer", says: `"NovaByte Labs", not a widely known company, also appears on the applications of 2 other applicants (a-201 and a-202)`},
		{name: "well-known employer shared", shared: []hiring.Shared{{Kind: "employer", Value: "intel", With: []string{"a-201", "a-202", "a-203"}}},
			check: "employment.shared-employer", absent: true},
		{name: "obscure employer shared with one", shared: []hiring.Shared{{Kind: "employer", Value: "novabyte labs", With: []string{"a-201"}}},
			check: "employment.shared-employer", absent: true},
		{name: "three full-time jobs at once", edit: threeJobs("Senior Developer"), check: "employment.overlap",
			says: "3 full-time jobs at once from 2021-02 to 2022-03"},
		{name: "one of three is freelance", edit: threeJobs("Freelance Developer"), check: "employment.overlap", absent: true},
	})
}

func phone(p string) func(a *hiring.Applicant) {
	return func(a *hiring.Applicant) { a.Phones = []string{p} }
}

func TestPhoneChecks(t *testing.T) {
	runCases(t, []checkCase{
		{name: "too short", edit: phone("(602) 555-01"), check: "phone.invalid", field: "phones[0]", says: "US numbering plan"},
		{name: "letters", edit: phone("call me"), check: "phone.invalid", says: "not a telephone number"},
		{name: "valid", check: "phone.invalid", absent: true},
		{name: "+1 on a US-only history", edit: func(a *hiring.Applicant) {
			a.Phones = []string{"+1 602 555 0134"}
			a.ResumeText = "Ann Example\n+1 602 555 0134 · ann@example.com\nSystems engineer in Phoenix."
		}, check: "phone.intl-format", says: "+1 602-555-0134 is written in international format"},
		{name: "+1 only in the ATS field", edit: func(a *hiring.Applicant) {
			a.Phones = []string{"+16025550134"}
			a.ResumeText = "Ann Example\n(602) 555-0134 · ann@example.com\nSystems engineer in Phoenix."
		}, check: "phone.intl-format", absent: true},
		{name: "+1 with a job abroad", edit: func(a *hiring.Applicant) {
			a.Phones = []string{"+1 602 555 0134"}
			a.Employment[0].Location = "Bengaluru, India"
		}, check: "phone.intl-format", absent: true},
		{name: "+1 with a school abroad", edit: func(a *hiring.Applicant) {
			a.Phones = []string{"+1 602 555 0134"}
			a.Education[0] = hiring.Education{Institution: "University of Toronto", Country: "CA", Degree: "BSc", Start: ym(2012, 9), End: ym(2016, 5)}
		}, check: "phone.intl-format", absent: true},
		{name: "national format", check: "phone.intl-format", absent: true},
		{name: "UK number for Phoenix", edit: phone("+44 20 7946 0958"), check: "phone.country", says: "GB numbering plan (London)"},
		{name: "Canadian number for Phoenix", edit: phone("+1 416 555 0199"), check: "phone.country", says: "CA numbering plan"},
		{name: "local number", check: "phone.country", absent: true},
		{name: "New York area code for Phoenix", edit: phone("(212) 736-5000"), check: "phone.area-code", says: "area code 212 of +1 212-736-5000 is in NY"},
		{name: "Arizona area code", check: "phone.area-code", absent: true},
		{name: "UK VoIP range", edit: func(a *hiring.Applicant) {
			a.ClaimedLocation = "London, UK"
			a.ShippingAddress = ""
			a.ApplicationIP = ipLondon
			a.Phones = []string{"+44 56 1234 5678"}
		}, check: "phone.voip", says: "sets aside for VoIP"},
		{name: "UK personal number", edit: func(a *hiring.Applicant) {
			a.ClaimedLocation = "London, UK"
			a.Phones = []string{"+44 70 1234 5678"}
		}, check: "phone.voip", says: "follow-me"},
		{name: "UK landline", edit: func(a *hiring.Applicant) {
			a.ClaimedLocation = "London, UK"
			a.Phones = []string{"+44 20 7946 0958"}
		}, check: "phone.voip", absent: true},
	})
}

func email(e string) func(a *hiring.Applicant) {
	return func(a *hiring.Applicant) { a.Emails = []string{e} }
}

func TestEmailChecks(t *testing.T) {
	runCases(t, []checkCase{
		{name: "mailinator", edit: email("maria.gonzalez@mailinator.com"), check: "email.disposable", field: "emails[0]", says: "at mailinator.com"},
		{name: "subdomain of a disposable service", edit: email("Maria <maria@mx.yopmail.com>"), check: "email.disposable", says: "at yopmail.com"},
		{name: "configured list", edit: email("maria@throwaway.example"), check: "email.disposable",
			cfg: func(c *Config) {
				l, err := LoadDisposable(strings.NewReader("# extra\nthrowaway.example\n"))
				if err != nil {
					t.Fatal(err)
				}
				c.Disposable = l
			}},
		{name: "gmail", check: "email.disposable", absent: true},
		{name: "long digit run", edit: email("mgonzalez48213@gmail.com"), check: "email.handle-digits", says: "48213"},
		{name: "four digits that are no year", edit: email("mgonzalez7731@gmail.com"), check: "email.handle-digits"},
		{name: "birth year", edit: email("maria.gonzalez1988@gmail.com"), check: "email.handle-digits", absent: true},
		{name: "random letters", edit: email("xkqzvtr.dev@gmail.com"), check: "email.handle-random", says: `"xkqzvtr"`},
		{name: "name with consonant runs", edit: func(a *hiring.Applicant) {
			a.Name = "Katarzyna Szczepanska"
			a.Emails = []string{"k.szczepanska@gmail.com"}
		}, check: "email.handle-random", absent: true},
		{name: "handle unrelated to the name", edit: email("dragonslayer77@gmail.com"), check: "email.name-mismatch", says: "Maria Gonzalez"},
		{name: "initial and surname", edit: email("mgonzalez@gmail.com"), check: "email.name-mismatch", absent: true},
		{name: "nickname prefix", edit: func(a *hiring.Applicant) {
			a.Name = "Alexander Petrov"
			a.Emails = []string{"alex.p@outlook.com"}
		}, check: "email.name-mismatch", absent: true},
		{name: "initials", edit: email("mg@gonzalez-family.net"), check: "email.name-mismatch", absent: true},
	})
}

func TestEmailNameMismatchIsWeak(t *testing.T) {
	s := newScreener(t, testConfig(t))
	a := honest()
	a.Emails = []string{"dragonslayer@gmail.com"}
	r := s.Check(a, nil)
	e, ok := evidence(r, "email.name-mismatch")
	if !ok || !e.Weak {
		t.Fatalf("email.name-mismatch = %+v, %v; want weak evidence", e, ok)
	}
	if r.Score != 0 || r.Level != LevelLow {
		t.Errorf("score, level = %v, %q; want 0, low with only weak evidence", r.Score, r.Level)
	}
}

func TestLocationChecks(t *testing.T) {
	ranges := func(c *Config) {
		r, err := LoadRanges(strings.NewReader("72.201.10.0/24 Example Hosting (test fixture)\n"))
		if err != nil {
			t.Fatal(err)
		}
		c.HostingRanges = r
	}
	runCases(t, []checkCase{
		{name: "IP in North Korea", edit: func(a *hiring.Applicant) { a.ApplicationIP = ipPyongyang }, check: "location.ip-country",
			field: "application_ip", says: "Pyongyang, KP, not in the claimed country US"},
		{name: "IP in China", edit: func(a *hiring.Applicant) { a.ApplicationIP = ipShenyang }, check: "location.ip-country", says: "Shenyang, CN"},
		{name: "IP at home", check: "location.ip-country", absent: true},
		{name: "IP in Seattle for Phoenix", edit: func(a *hiring.Applicant) { a.ApplicationIP = ipSeattle }, check: "location.ip-distance",
			says: "Seattle, US, 1"},
		{name: "IP near home", check: "location.ip-distance", absent: true},
		{name: "IP in a hosting range", cfg: ranges, check: "location.ip-hosting", says: "72.201.10.0/24 listed as a hosting or VPN range (Example Hosting (test fixture))"},
		{name: "IP outside the hosting ranges", cfg: ranges, edit: func(a *hiring.Applicant) { a.ApplicationIP = ipSeattle },
			check: "location.ip-hosting", absent: true},
		{name: "shipping abroad", edit: func(a *hiring.Applicant) { a.ShippingAddress = "100 Queen St W, Toronto, ON M5H 2N2, Canada" },
			check: "location.shipping-country", field: "shipping_address", says: "Canada"},
		{name: "shipping home", check: "location.shipping-country", absent: true},
		{name: "shipping to another state", edit: func(a *hiring.Applicant) { a.ShippingAddress = "2710 Old Lebanon Rd, Nashville, TN 37214" },
			check: "location.shipping-distance", says: "Nashville, TN, US"},
		{name: "shipping to the next town", edit: func(a *hiring.Applicant) { a.ShippingAddress = "500 S Mill Ave, Tempe, AZ 85281" },
			check: "location.shipping-distance", absent: true},
	})
}

func TestNotChecked(t *testing.T) {
	s := newScreener(t, Config{})
	a := honest()
	a.ApplicationIP = ipPhoenix
	r := s.Check(a, nil)
	for _, want := range []string{"institution list not configured", "IP geolocation not configured", "hosting/VPN range list not configured", "language check not configured"} {
		if !notChecked(r, want) {
			t.Errorf("NotChecked = %q, want %q", r.NotChecked, want)
		}
	}
	a = &hiring.Applicant{ID: "a-1", ClaimedLocation: "Somewhere Nice", Phones: []string{"602 555 0134"}}
	r = newScreener(t, testConfig(t)).Check(a, nil)
	for _, want := range []string{"no application IP", "claimed location \"Somewhere Nice\" not resolved", "has no country code", "no e-mail address", "no shipping address"} {
		if !notChecked(r, want) {
			t.Errorf("NotChecked = %q, want %q", r.NotChecked, want)
		}
	}
	if len(r.Evidence) != 0 {
		t.Errorf("Evidence = %+v, want none for a sparse applicant", r.Evidence)
	}
	if r := s.Check(nil, nil); r.Level != LevelLow || !notChecked(r, "no applicant") {
		t.Errorf("Check(nil) = %+v", r)
	}
}

func TestSharedChecks(t *testing.T) {
	addr := func(with ...string) []hiring.Shared {
		return []hiring.Shared{{Kind: "address", Value: "2710 old lebanon rd nashville tn 37214", With: with}}
	}
	runCases(t, []checkCase{
		{name: "address of a current worker", shared: addr("worker:w-17", "a-100"), check: "shared.address-worker",
			field: "shipping_address", says: "current worker w-17"},
		{name: "address of three applicants", shared: addr("a-201", "a-202", "a-203"), check: "shared.address-cluster",
			says: "3 other applicants (a-201, a-202 and a-203)"},
		{name: "address of one applicant", shared: addr("a-201"), check: "shared.address", says: "applicant a-201"},
		{name: "address shared with oneself only", shared: addr("a-100"), check: "shared.address", absent: true},
		{name: "phone", shared: []hiring.Shared{{Kind: "phone", Value: "+16025550134", With: []string{"a-300"}}},
			check: "shared.phone", field: "phones[0]", says: `"+16025550134" is also in the applications of applicant a-300`},
		{name: "e-mail", shared: []hiring.Shared{{Kind: "email", Value: "maria.gonzalez@gmail.com", With: []string{"a-301", "worker:w-2"}}},
			check: "shared.email", field: "emails[0]", says: "applicant a-301 and current worker w-2"},
		{name: "résumé", shared: []hiring.Shared{{Kind: "resume", Value: "résumé text 91% similar", With: []string{"a-302"}}},
			check: "shared.resume", field: "resume_text"},
		{name: "photo", shared: []hiring.Shared{{Kind: "photo", Value: "photo hash within 4 bits", With: []string{"a-303"}}},
			check: "shared.photo", field: "photo_hashes"},
		{name: "ip", shared: []hiring.Shared{{Kind: "ip", Value: "72.201.10.0/24", With: []string{"a-304"}}},
			check: "shared.ip", field: "application_ip"},
		{name: "link", shared: []hiring.Shared{{Kind: "link", Value: "linkedin.com/in/maria-gonzalez-dev", With: []string{"a-305"}}},
			check: "shared.link", field: "links"},
		{name: "unknown kind", shared: []hiring.Shared{{Kind: "shoe size", Value: "9", With: []string{"a-306"}}},
			check: "shared.link", absent: true},
	})
}

func TestSharedListsManyIDs(t *testing.T) {
	s := newScreener(t, testConfig(t))
	var with []string
	for i := range 12 {
		with = append(with, "a-"+string(rune('a'+i)))
	}
	r := s.Check(honest(), []hiring.Shared{{Kind: "address", Value: "x", With: with}, {Kind: "address", Value: "x", With: with}})
	if n := len(r.Evidence); n != 1 {
		t.Fatalf("evidence = %v, want one item for a repeated identifier", checks(r))
	}
	if got := r.Evidence[0].Sentence; !strings.Contains(got, "12 other applicants (a-a, a-b, a-c, a-d, a-e, a-f, a-g, a-h and 4 more)") {
		t.Errorf("sentence = %q, want the first eight IDs and a count", got)
	}
}

func TestHandleMatchesShortName(t *testing.T) {
	for _, tc := range []struct {
		handle string
		name   []string
		want   bool
	}{
		{"bo", []string{"bo", "sample"}, true},
		{"bo.sample", []string{"bo", "sample"}, true},
		{"jo", []string{"bo", "sample"}, false},
		{"dragonslayer", []string{"ann", "example"}, false},
	} {
		if got := handleMatchesName(tc.handle, tc.name); got != tc.want {
			t.Errorf("handleMatchesName(%q, %q) = %v, want %v", tc.handle, tc.name, got, tc.want)
		}
	}
}
