package hiring

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestParseYearMonth(t *testing.T) {
	for in, want := range map[string]YearMonth{
		"":              {},
		"2019":          {Year: 2019},
		"2019-05":       {Year: 2019, Month: 5},
		"2019-05-17":    {Year: 2019, Month: 5},
		"05/2019":       {Year: 2019, Month: 5},
		"May 2019":      {Year: 2019, Month: 5},
		"Sep 2020":      {Year: 2020, Month: 9},
		"Sept 2020":     {Year: 2020, Month: 9},
		"december 2001": {Year: 2001, Month: 12},
	} {
		got, err := ParseYearMonth(in)
		if err != nil || got != want {
			t.Errorf("ParseYearMonth(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"19", "2019-13", "13/2019", "Smarch 2019", "1850", "2019-05x", "5/19", "May"} {
		if got, err := ParseYearMonth(in); err == nil {
			t.Errorf("ParseYearMonth(%q) = %v, want an error", in, got)
		}
	}
}

func TestYearMonthOrder(t *testing.T) {
	a, b := YearMonth{Year: 2019}, YearMonth{Year: 2019, Month: 7}
	if a.Months() >= b.Months() || a.String() != "2019" || b.String() != "2019-07" {
		t.Errorf("2019 should sort before 2019-07: %d %d %s %s", a.Months(), b.Months(), a, b)
	}
}

func TestValidate(t *testing.T) {
	good := Applicant{
		ID: "a-1", Name: "Ana Ruiz", Emails: []string{"ana@example.com"},
		Phones: []string{"(602) 555-0134"}, ApplicationIP: netip.MustParseAddr("203.0.113.9"),
		Education:   []Education{{Institution: "Arizona State University", Start: YearMonth{Year: 2012}, End: YearMonth{Year: 2016}}},
		Employment:  []Employment{{Employer: "Example Corp", Start: YearMonth{Year: 2016, Month: 7}, Current: true}},
		PhotoHashes: []string{"d:8f3c0a1b2c3d4e5f"},
	}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid applicant rejected: %v", err)
	}
	for name, tc := range map[string]struct {
		mut   func(*Applicant)
		field string
		msg   string
	}{
		"no id":         {func(a *Applicant) { a.ID = " " }, "id", "required"},
		"long name":     {func(a *Applicant) { a.Name = strings.Repeat("x", MaxTextLen+1) }, "name", "limit of 512"},
		"bad utf8":      {func(a *Applicant) { a.ShippingAddress = "\xff" }, "shipping_address", "UTF-8"},
		"many emails":   {func(a *Applicant) { a.Emails = make([]string, MaxContacts+1) }, "emails", "limit of 16"},
		"empty phone":   {func(a *Applicant) { a.Phones = []string{""} }, "phones[0]", "empty"},
		"end<start":     {func(a *Applicant) { a.Education[0].End = YearMonth{Year: 2010} }, "education[0].end", "before start"},
		"no employer":   {func(a *Applicant) { a.Employment[0].Employer = "" }, "employment[0].employer", "required"},
		"month 13":      {func(a *Applicant) { a.Employment[0].Start.Month = 13 }, "employment[0].start", "month 13"},
		"bad photohash": {func(a *Applicant) { a.PhotoHashes = []string{"zz"} }, "photo_hashes[0]", "16 hexadecimal"},
		"bad ip zone":   {func(a *Applicant) { a.ApplicationIP = netip.MustParseAddr("fe80::1").WithZone("eth\x9d") }, "application_ip", "zone: not valid UTF-8"},
		"long ip zone": {func(a *Applicant) {
			a.ApplicationIP = netip.MustParseAddr("fe80::1").WithZone(strings.Repeat("z", MaxZoneLen+1))
		}, "application_ip", "zone: 65 bytes, longer than the limit of 64"},
	} {
		a := good
		a.Education = append([]Education(nil), good.Education...)
		a.Employment = append([]Employment(nil), good.Employment...)
		tc.mut(&a)
		err := a.Validate()
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field || !strings.Contains(fe.Msg, tc.msg) {
			t.Errorf("%s: got %v, want field %s with %q", name, err, tc.field, tc.msg)
		}
	}
}

func FuzzParseYearMonth(f *testing.F) {
	for _, s := range []string{"2019", "2019-05", "05/2019", "May 2019", "", "x/y", "2019-05-17"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseYearMonth(s)
		if err != nil {
			return
		}
		a := Applicant{ID: "x", Employment: []Employment{{Employer: "e", Start: d}}}
		if verr := a.Validate(); verr != nil {
			t.Fatalf("ParseYearMonth(%q) = %v, which Validate rejects: %v", s, d, verr)
		}
	})
}
