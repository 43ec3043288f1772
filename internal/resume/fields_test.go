package resume

import (
	"reflect"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

func TestFindPhones(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []string
	}{
		{"Phoenix, AZ · +1 (602) 555-0134 · jane@example.com", []string{"+1 (602) 555-0134"}},
		{"(602) 555-0134", []string{"(602) 555-0134"}},
		{"Mobile: +86 138 0013 8000", []string{"+86 138 0013 8000"}},
		{"tel 602.555.0134 or 602-555-0188", []string{"602.555.0134", "602-555-0188"}},
		{"Phone: 6025550134", []string{"6025550134"}},
		{"Order 6025550134 shipped", nil},          // one unbroken run without a label
		{"+16025550134", []string{"+16025550134"}}, // E.164
		{"+44 20 7946 0958 (work)", []string{"+44 20 7946 0958"}},
		{"2016 - 2020 2021 2022", nil}, // years
		{"Jan 2019 – Present", nil},
		{"05/2018 – 08/2021", nil},
		{"Phoenix, AZ 85001", nil},         // ZIP code
		{"host 192.168.100.200 down", nil}, // IPv4
		{"Raised $1 200 000 000 in funding", nil},
		{"ISBN 978-3-16-148410-0", nil},
	} {
		got := findPhones([]string{tc.line})
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("findPhones(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
}

func TestFindEmails(t *testing.T) {
	got := findEmails("Jane <Jane.Doe+cv@Example.com>, jane.doe+cv@example.com; x@y, @home, " +
		"mailto:ops@mail.example.org. first.last@sub.example.co.uk")
	want := []string{"Jane.Doe+cv@Example.com", "ops@mail.example.org", "first.last@sub.example.co.uk"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findEmails = %q, want %q", got, want)
	}
}

func TestFindLinks(t *testing.T) {
	got := findLinks("linkedin.com/in/jane-doe · [GitHub](https://github.com/janedoe). www.janedoe.example " +
		"Node.js ASP.NET janedoe.dev medium.com/@janedoe jane@example.com mailto:jane@example.com " +
		"https://www.linkedin.com/in/jane-doe/, HTTPS://GITHUB.COM/JANEDOE")
	want := []string{"linkedin.com/in/jane-doe", "https://github.com/janedoe", "www.janedoe.example",
		"medium.com/@janedoe", "https://www.linkedin.com/in/jane-doe/"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findLinks = %q, want %q", got, want)
	}
}

func TestFindRange(t *testing.T) {
	ym := func(y, m int) hiring.YearMonth { return hiring.YearMonth{Year: y, Month: m} }
	for _, tc := range []struct {
		in       string
		from, to hiring.YearMonth
		current  bool
		span     string
	}{
		{"Acme\tJan 2019 – Present", ym(2019, 1), ym(0, 0), true, "Jan 2019 – Present"},
		{"2016 - 2020", ym(2016, 0), ym(2020, 0), false, "2016 - 2020"},
		{"(05/2018 – 08/2021)", ym(2018, 5), ym(2021, 8), false, "05/2018 – 08/2021"},
		{"2019–2021", ym(2019, 0), ym(2021, 0), false, "2019–2021"},
		{"Sept. 2015 to Aug. 2017", ym(2015, 9), ym(2017, 8), false, "Sept. 2015 to Aug. 2017"},
		{"March, 2020 — current", ym(2020, 3), ym(0, 0), true, "March, 2020 — current"},
		{"2019-03 – 2020-11", ym(2019, 3), ym(2020, 11), false, "2019-03 – 2020-11"},
		{"since 2019 to date", ym(2019, 0), ym(0, 0), true, "2019 to date"},
	} {
		r, ok := findRange(tc.in)
		if !ok || r.from != tc.from || r.to != tc.to || r.current != tc.current || tc.in[r.start:r.end] != tc.span {
			t.Errorf("findRange(%q) = %+v, %v; want %v–%v current=%v span %q", tc.in, r, ok, tc.from, tc.to, tc.current, tc.span)
		}
	}
	for _, in := range []string{"1,200 hosts in 3 regions", "Kubernetes 1.27 - 1.29", "2016", "ran 300 - 400 servers"} {
		if r, ok := findRange(in); ok {
			t.Errorf("findRange(%q) = %+v, want none", in, r)
		}
	}
}

func TestNameAndLocation(t *testing.T) {
	for _, tc := range []struct {
		text, name, loc string
	}{
		{"JANE DOE\nSenior Engineer\nKyiv, Ukraine | jane@example.com\nExperience\n", "JANE DOE", "Kyiv, Ukraine"},
		{"Curriculum Vitae\nName: Li Wei\nLocation: Shenzhen, Guangdong\nEducation\n", "Li Wei", "Shenzhen, Guangdong"},
		{"Senior Software Engineer\njane@example.com\nSkills\nGo", "", ""},
		{"Ana María de la Cruz\nBased in Remote, Philippines\nProfile\n", "Ana María de la Cruz", "Remote, Philippines"},
		{"Jean-Luc O'Neil · Austin, TX 78701\n", "Jean-Luc O'Neil", "Austin, TX 78701"},
		{"# Sam Park\n\nSan Jose, CA\n\n## Experience\n", "Sam Park", "San Jose, CA"},
		{"resume\nhello world\n", "", ""},
	} {
		a := FromText("x", tc.text)
		if a.Name != tc.name || a.ClaimedLocation != tc.loc {
			t.Errorf("FromText(%q): name %q, location %q; want %q, %q", tc.text, a.Name, a.ClaimedLocation, tc.name, tc.loc)
		}
	}
}

func TestHeadingKind(t *testing.T) {
	for in, want := range map[string]string{
		"EDUCATION":                                  sectionEducation,
		"Education & Certifications:":                sectionEducation,
		"Professional Experience":                    sectionExperience,
		"WORK HISTORY":                               sectionExperience,
		"Employment History":                         sectionExperience,
		"Technical Skills":                           sectionOther,
		"Experience with Go and Kubernetes at scale": "",
		"Education 2016":                             "",
		"Jane Doe":                                   "",
	} {
		if got := headingKind(in); got != want {
			t.Errorf("headingKind(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEmploymentLayouts(t *testing.T) {
	ym := func(y, m int) hiring.YearMonth { return hiring.YearMonth{Year: y, Month: m} }
	for _, tc := range []struct {
		name, text string
		want       []hiring.Employment
	}{
		{"title then employer and dates", "Experience\nDevOps Engineer\nGlobex LLC | Austin, TX | 2019 – 2021\n• Built CI\n",
			[]hiring.Employment{{Employer: "Globex LLC", Title: "DevOps Engineer", Location: "Austin, TX", Start: ym(2019, 0), End: ym(2021, 0)}}},
		{"employer then title and dates", "Employment\nInitech\nBackend Developer\tMar 2017 - Feb 2019\n- APIs\n",
			[]hiring.Employment{{Employer: "Initech", Title: "Backend Developer", Start: ym(2017, 3), End: ym(2019, 2)}}},
		{"dates on their own line", "Work Experience\nUmbrella Corporation\nQA Analyst\n2012 – 2014\nTested things.\n",
			[]hiring.Employment{{Employer: "Umbrella Corporation", Title: "QA Analyst", Start: ym(2012, 0), End: ym(2014, 0)}}},
		{"at, parentheses", "Experience\nSenior Engineer @ Hooli (Jun 2020 – Now)\n",
			[]hiring.Employment{{Employer: "Hooli", Title: "Senior Engineer", Start: ym(2020, 6), Current: true}}},
		{"two unmarked parts: first is the employer", "Experience\nPied Piper, Hacker Hostel  2014-2015\n",
			[]hiring.Employment{{Employer: "Pied Piper", Title: "Hacker Hostel", Start: ym(2014, 0), End: ym(2015, 0)}}},
		{"entries as bullets", "## Experience\n- Vandelay Industries — Import Manager — 2001–2003\n- Kramerica Inc — Intern — 1999–2000\n",
			[]hiring.Employment{
				{Employer: "Vandelay Industries", Title: "Import Manager", Start: ym(2001, 0), End: ym(2003, 0)},
				{Employer: "Kramerica Inc", Title: "Intern", Start: ym(1999, 0), End: ym(2000, 0)}}},
		{"a title alone is no entry", "Experience\nSoftware Engineer\t2019 – 2020\n• Wrote code\n", nil},
		{"a range inside a sentence is no entry", "Experience\nLed the migration of the billing platform used by 40 teams between 2019 - 2020 without downtime and on budget, as planned.\n", nil},
		{"dates outside the section are ignored", "Summary\nAcme Corp, Engineer, 2010 - 2012\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := FromText("x", tc.text).Employment
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("FromText(%q).Employment =\n%+v\nwant\n%+v", tc.text, got, tc.want)
			}
		})
	}
}

func TestEducationLayouts(t *testing.T) {
	y := func(y int) hiring.YearMonth { return hiring.YearMonth{Year: y} }
	for _, tc := range []struct {
		name, text string
		want       []hiring.Education
	}{
		{"degree, school, expected", "Education\nM.S., Computer Science, Stanford University, Expected May 2025\n",
			[]hiring.Education{{Institution: "Stanford University", Degree: "M.S.", Area: "Computer Science", End: hiring.YearMonth{Year: 2025, Month: 5}}}},
		{"no dates", "EDUCATION\nKyiv Polytechnic Institute\nBachelor's degree in Software Engineering\n",
			[]hiring.Education{{Institution: "Kyiv Polytechnic Institute", Degree: "Bachelor's degree", Area: "Software Engineering"}}},
		{"school in Boston, MA", "Education\nBS in Physics | Northeastern University, Boston, MA | 2008 - 2012\n",
			[]hiring.Education{{Institution: "Northeastern University", Degree: "BS", Area: "Physics", Start: y(2008), End: y(2012)}}},
		{"a degree alone is no entry", "Education\nB.Tech, 2015\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := FromText("x", tc.text).Education
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("FromText(%q).Education =\n%+v\nwant\n%+v", tc.text, got, tc.want)
			}
		})
	}
}

// TestFromTextInvents checks that text with no résumé structure yields no
// fields beyond the text itself.
func TestFromTextInvents(t *testing.T) {
	text := "the quick brown fox jumps over the lazy dog\n1999 was a year. so was 2004 - 2005.\n"
	a := FromText("x", text)
	want := hiring.Applicant{ID: "x", ResumeText: text}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("FromText(%q) = %+v, want only ID and text", text, a)
	}
	if strings.TrimSpace(a.Name) != "" {
		t.Errorf("name %q invented", a.Name)
	}
}
