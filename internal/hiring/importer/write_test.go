package importer

import (
	"bytes"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

func TestWriteCSVRoundTrip(t *testing.T) {
	apps := []hiring.Applicant{
		{
			ID: "r-1", Name: "Ann Example", Emails: []string{"ann@example.com", "ann.w@example.org"},
			Phones: []string{"+1 (602) 555-0134"}, Links: []string{"https://github.com/ann-example"},
			Position: "SRE", ClaimedLocation: "Phoenix, AZ, US", ShippingAddress: "1 Main St, Phoenix, AZ 85001",
			ApplicationIP: netip.MustParseAddr("203.0.113.7"), UserAgent: "Mozilla/5.0 (X11; Linux x86_64)",
			AppliedAt: time.Date(2024, 3, 5, 14, 7, 0, 0, time.UTC),
			Education: []hiring.Education{{Institution: "Arizona State University", Degree: "BS", Area: "Computer Science",
				Start: hiring.YearMonth{Year: 2012, Month: 8}, End: hiring.YearMonth{Year: 2016, Month: 5}, Country: "US"}},
			Employment: []hiring.Employment{
				{Employer: "Example Corp", Title: "Admin", Start: hiring.YearMonth{Year: 2016, Month: 6}, Current: true, Location: "Phoenix, AZ", Website: "example.com"},
				{Employer: "Other Inc", Title: "Intern", Start: hiring.YearMonth{Year: 2015}, End: hiring.YearMonth{Year: 2015}},
			},
			ResumeText:  "Line one, with a comma.\nLine \"two\".",
			PhotoHashes: []string{"a:8f373714acfcf4d0"},
		},
		{ID: "r-2", Name: "Bo Sample", Emails: []string{"bo@example.net"}},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, apps); err != nil {
		t.Fatal(err)
	}
	res, err := ReadCSV(&buf, "out.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 0 {
		t.Fatalf("reading back: %v", res.Errors)
	}
	for i := range res.Applicants {
		res.Applicants[i].Source = ""
	}
	if !reflect.DeepEqual(res.Applicants, apps) {
		t.Errorf("round trip changed the applicants:\n got %+v\nwant %+v", res.Applicants, apps)
	}
}

func TestWriteCSVRefusesSeparators(t *testing.T) {
	apps := []hiring.Applicant{{ID: "r-1", Employment: []hiring.Employment{{Employer: "A|B Corp"}}}}
	err := WriteCSV(&bytes.Buffer{}, apps)
	if err == nil || !strings.Contains(err.Error(), "r-1") || !strings.Contains(err.Error(), "employment") {
		t.Fatalf("WriteCSV with a separator in an employer = %v, want an error naming r-1 and employment", err)
	}
}
