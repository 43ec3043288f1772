package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/hiring"
	"golang.org/x/text/encoding/unicode"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkResult asserts the invariants every Result must hold.
func checkResult(t testing.TB, res Result) {
	t.Helper()
	if res.Records != len(res.Applicants)+len(res.Errors) {
		t.Errorf("Records = %d, want len(Applicants)+len(Errors) = %d+%d", res.Records, len(res.Applicants), len(res.Errors))
	}
	ids := map[string]bool{}
	for i := range res.Applicants {
		a := &res.Applicants[i]
		if err := a.Validate(); err != nil {
			t.Errorf("applicant %q does not validate: %v", a.ID, err)
		}
		if ids[a.ID] {
			t.Errorf("ID %q imported twice", a.ID)
		}
		ids[a.ID] = true
	}
	for _, e := range res.Errors {
		if e == nil || e.Err == nil {
			t.Errorf("nil record error in %v", res.Errors)
		}
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// normalise makes applicants comparable with reflect.DeepEqual.
func normalise(as []hiring.Applicant) []hiring.Applicant {
	out := make([]hiring.Applicant, len(as))
	for i, a := range as {
		if !a.AppliedAt.IsZero() {
			a.AppliedAt = a.AppliedAt.UTC()
		}
		out[i] = a
	}
	return out
}

func diffApplicants(t *testing.T, got, want []hiring.Applicant) {
	t.Helper()
	got, want = normalise(got), normalise(want)
	if len(got) != len(want) {
		t.Fatalf("got %d applicants, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("applicant %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestReadCSVLayouts(t *testing.T) {
	tests := []struct {
		file   string
		layout string // what DetectLayout must pick
		want   []hiring.Applicant
	}{
		{"generic.csv", "generic", []hiring.Applicant{{
			ID: "app-1001", Source: "generic.csv row 2", Name: "Ann Example",
			Emails:   []string{"ann@example.com", "ann.work@example.org"},
			Phones:   []string{"+1 (602) 555-0134"},
			Links:    []string{"https://github.com/ann-example", "https://www.linkedin.com/in/ann-example"},
			Position: "Site Reliability Engineer", ClaimedLocation: "Phoenix, AZ, US",
			ShippingAddress: "1 Main St, Phoenix, AZ 85001, US",
			ApplicationIP:   mustAddr("203.0.113.7"), UserAgent: "Mozilla/5.0 (X11; Linux x86_64)",
			AppliedAt: date("2024-03-05T14:07:00Z"),
			Education: []hiring.Education{{Institution: "Arizona State University", Degree: "BS", Area: "Computer Science",
				Start: hiring.YearMonth{Year: 2012, Month: 8}, End: hiring.YearMonth{Year: 2016, Month: 5}, Country: "US"}},
			Employment: []hiring.Employment{{Employer: "Example Corp", Title: "Systems Administrator",
				Start: hiring.YearMonth{Year: 2016, Month: 6}, Current: true, Location: "Phoenix AZ", Website: "example.com"}},
			PhotoHashes: []string{"a:8f373714acfcf4d0"},
		}, {
			ID: "app-1002", Source: "generic.csv row 3", Name: "Bo Sample", Emails: []string{"bo@example.net"},
			Position: "Systems Administrator", ClaimedLocation: "Austin, TX, US",
			ApplicationIP: mustAddr("198.51.100.23"), AppliedAt: date("2024-03-06T00:00:00Z"),
			Employment: []hiring.Employment{
				{Employer: "Sample LLC", Title: "Engineer", Start: hiring.YearMonth{Year: 2019}, End: hiring.YearMonth{Year: 2023}},
				{Employer: "Other Inc", Title: "Intern", Start: hiring.YearMonth{Year: 2018}, End: hiring.YearMonth{Year: 2018}},
			},
		}}},
		{"greenhouse.csv", "greenhouse", []hiring.Applicant{{
			ID: "48213377", Source: "greenhouse.csv row 2", Name: "Carol Tester",
			Emails: []string{"carol@example.com"}, Phones: []string{"602-555-0187"},
			Links:    []string{"https://carol.example.com"},
			Position: "Senior SRE", ClaimedLocation: "Phoenix, Arizona, United States",
			ShippingAddress: "22 Elm St, Phoenix, AZ 85004",
			AppliedAt:       date("2024-02-11T09:30:00Z"),
			Education:       []hiring.Education{{Institution: "University of Arizona", Degree: "Bachelor's Degree", Area: "Computer Science"}},
			Employment:      []hiring.Employment{{Employer: "Example Corp", Title: "DevOps Engineer"}},
		}, {
			ID: "48213378", Source: "greenhouse.csv row 3", Name: "Dan Trial",
			Emails: []string{"dan@example.org", "dan.t@example.org"}, Phones: []string{"+1 480 555 0110"},
			Position: "Senior SRE", ClaimedLocation: "Tempe, AZ", AppliedAt: date("2024-02-12T00:00:00Z"),
		}}},
		{"lever.csv", "lever", []hiring.Applicant{{
			ID: "0b6f1c2e-1111-4a0e-9d11-000000000001", Source: "lever.csv row 2", Name: "Erin Placeholder",
			Emails: []string{"erin@example.com"}, Phones: []string{"+44 20 7946 0958"},
			Links:    []string{"https://github.com/erin-p", "https://erin.example.co.uk"},
			Position: "Platform Engineer", ClaimedLocation: "London, UK", AppliedAt: date("2024-01-20T00:00:00Z"),
			Employment: []hiring.Employment{{Employer: "Example Ltd", Title: "SRE"}},
		}, {
			// Row 3 although the file's line 4: row 2 holds a line break.
			ID: "0b6f1c2e-1111-4a0e-9d11-000000000002", Source: "lever.csv row 3", Name: "Frank Sample",
			Emails: []string{"frank@example.net"}, Position: "Platform Engineer", ClaimedLocation: "Berlin; Germany",
			AppliedAt: date("2024-01-22T00:00:00Z"),
		}}},
		{"workday.csv", "workday", []hiring.Applicant{{
			ID: "C-000412", Source: "workday.csv row 2", Name: "Grace Example",
			Emails: []string{"grace@example.com"}, Phones: []string{"(602) 555-0199"},
			Position: "R-2024-118 Network Engineer", ClaimedLocation: "Scottsdale, AZ, US",
			ShippingAddress: "300 Oak Ave, Scottsdale, AZ 85251, US", AppliedAt: date("2024-03-01T00:00:00Z"),
			Education: []hiring.Education{
				{Institution: "Grand Canyon University", Degree: "Master of Science", Area: "Cybersecurity", End: hiring.YearMonth{Year: 2021}},
				{Institution: "Example State College", Degree: "Bachelor of Science", Area: "Information Technology", End: hiring.YearMonth{Year: 2018}},
			},
			Employment: []hiring.Employment{{Employer: "Example Networks", Title: "Network Engineer",
				Start: hiring.YearMonth{Year: 2018, Month: 7}, End: hiring.YearMonth{Year: 2024, Month: 2}}},
		}, {
			ID: "C-000413", Source: "workday.csv row 3", Name: "Henry Sample", Emails: []string{"henry@example.org"},
			Position: "R-2024-118 Network Engineer", AppliedAt: date("2024-03-02T00:00:00Z"),
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readFixture(t, tt.file)
			r := csvReaderForTest(data)
			header := r
			if got, ok := DetectLayout(header); !ok || got != tt.layout {
				t.Errorf("DetectLayout(%s header) = %q, %v, want %q", tt.file, got, ok, tt.layout)
			}
			res, err := ReadCSV(bytes.NewReader(data), tt.file, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, res)
			if len(res.Errors) > 0 {
				t.Errorf("errors: %v", res.Errors)
			}
			diffApplicants(t, res.Applicants, tt.want)
		})
	}
}

// csvReaderForTest returns the trimmed header of a fixture, read the way
// ReadCSV reads it.
func csvReaderForTest(data []byte) []string {
	text := textReader(bufio.NewReader(bytes.NewReader(data)))
	cr := csv.NewReader(text)
	cr.Comma = sniffDelimiter(text)
	rec, err := cr.Read()
	if err != nil {
		panic(err)
	}
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
	}
	return rec
}

func TestReadCSVCustomMapping(t *testing.T) {
	m, err := ParseMapping(bytes.NewReader(readFixture(t, "custom.mapping")))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := DetectLayout(csvReaderForTest(readFixture(t, "custom.csv"))); ok {
		t.Error("DetectLayout found a layout for custom.csv, whose header no built-in layout knows")
	}
	if _, err := ReadCSV(bytes.NewReader(readFixture(t, "custom.csv")), "custom.csv", Options{}); err == nil ||
		!strings.Contains(err.Error(), "matches no built-in layout") {
		t.Errorf("ReadCSV(custom.csv) without mapping = %v, want a no-layout error", err)
	}
	res, err := ReadCSV(bytes.NewReader(readFixture(t, "custom.csv")), "custom.csv", Options{Mapping: &m})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, res)
	diffApplicants(t, res.Applicants, []hiring.Applicant{{
		ID: "77", Source: "custom.csv row 2", Name: "Ivy Example",
		Emails: []string{"ivy@example.com", "ivy.alt@example.com"}, Phones: []string{"+1 602 555 0142"},
		Position: "Help Desk", ClaimedLocation: "Mesa, AZ", ApplicationIP: mustAddr("192.0.2.44"),
		UserAgent: "Mozilla/5.0 (Windows NT 10.0)", AppliedAt: date("2024-04-02T10:15:00Z"),
		Education: []hiring.Education{
			{Institution: "Mesa Community College", End: hiring.YearMonth{Year: 2019, Month: 5}},
			{Institution: "Example University", End: hiring.YearMonth{Year: 2021}},
		},
	}})
}

func TestReadCSVMalformed(t *testing.T) {
	res, err := ReadCSV(bytes.NewReader(readFixture(t, "malformed.csv")), "malformed.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, res)
	var ids []string
	for _, a := range res.Applicants {
		ids = append(ids, a.ID+"@"+a.Source)
	}
	wantIDs := []string{"m-1@malformed.csv row 2", "m-3@malformed.csv row 4", "m-9@malformed.csv row 12", "malformed.csv#15@malformed.csv row 15"}
	if !reflect.DeepEqual(ids, wantIDs) {
		t.Errorf("imported %v, want %v", ids, wantIDs)
	}
	if got := res.Applicants[1].Education; len(got) != 2 || got[1].Institution != "Example University" {
		t.Errorf("row 4 education = %+v, want two entries split at the quoted line break", got)
	}
	// Each bad row: its number, and text its error must contain.
	wantErrs := []struct {
		row  int
		want string
	}{
		{3, `emails[0]: "bob.example.com" is not an e-mail address`},
		{5, "2 fields, but the header has 6"},
		{7, `applied_at: "31/12/2024": want RFC 3339`},
		{8, `malformed CSV at line 9, column 10: bare " in non-quoted-field`},
		{9, `name: column "name": not valid UTF-8`},
		{10, `id: "m-1" already used by malformed.csv row 2`},
		{11, `application_ip: "999.1.1.1" is not an IP address; education[0].end: 2018 before start 2020`},
		{14, "no id, name or e-mail"},
	}
	if len(res.Errors) != len(wantErrs) {
		t.Fatalf("got %d errors, want %d: %v", len(res.Errors), len(wantErrs), res.Errors)
	}
	for i, w := range wantErrs {
		e := res.Errors[i]
		if e.Source != "malformed.csv" || e.Record != w.row || !strings.Contains(e.Error(), w.want) {
			t.Errorf("error %d = %q (record %d), want record %d containing %q", i, e.Error(), e.Record, w.row, w.want)
		}
	}
	// Field errors can be told apart by callers.
	fe, ok := errors.AsType[*hiring.FieldError](res.Errors[0])
	if !ok || fe.Field != "emails[0]" {
		t.Errorf("errors.AsType[*hiring.FieldError](%v) = %v, %v, want field emails[0]", res.Errors[0], fe, ok)
	}
	if res.Records != 12 {
		t.Errorf("Records = %d, want 12 (blank rows are not counted)", res.Records)
	}
}

func TestReadCSVRobustness(t *testing.T) {
	const header = "id,name,email\n"
	utf16 := func(s string) string {
		b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(s)
		if err != nil {
			panic(err)
		}
		return b
	}
	tests := []struct {
		name, in string
		wantIDs  []string
		wantErr  string // in the first record error, if any
	}{
		{"bom", "\uFEFF" + header + "a,Ann,ann@example.com\n", []string{"a"}, ""},
		{"crlf", "id,name,email\r\na,Ann,ann@example.com\r\nb,Bo,bo@example.com\r\n", []string{"a", "b"}, ""},
		{"cr only", "id,name,email\ra,Ann,ann@example.com\rb,Bo,bo@example.com\r", []string{"a", "b"}, ""},
		{"semicolon", "id;name;email\na;Ann, Jr.;ann@example.com\n", []string{"a"}, ""},
		{"tab", "id\tname\temail\na\tAnn\tann@example.com\n", []string{"a"}, ""},
		{"utf16", utf16("id\tname\temail\r\na\tAnné\tann@example.com\r\n"), []string{"a"}, ""},
		{"no final newline", header + "a,Ann,ann@example.com", []string{"a"}, ""},
		{"quoted newline", header + "a,\"Ann\nExample\",ann@example.com\nb,Bo,bo@example.com\n", []string{"a", "b"}, ""},
		{"blank rows", header + "\n\n,,\na,Ann,ann@example.com\n  ,\t, \n", []string{"a"}, ""},
		{"ragged long", header + "a,Ann,ann@example.com,extra\nb,Bo,bo@example.com\n", []string{"b"}, "record 2: 4 fields, but the header has 3"},
		{"field too long", header + "a," + strings.Repeat("x", 600) + ",ann@example.com\nb,Bo,bo@example.com\n", []string{"b"},
			"record 2: name: 600 bytes, longer than the limit of 512"},
		{"unterminated quote", header + "a,Ann,ann@example.com\nb,\"Bo,bo@example.com\n", []string{"a"}, "record 3: malformed CSV"},
		{"placeholders", "id,name,email,phone,application_ip\na,Ann,N/A,n/a,-\n", []string{"a"}, ""},
		{"header spaces", " ID , Name ,E-Mail\na,Ann,ann@example.com\n", []string{"a"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ReadCSV(strings.NewReader(tt.in), "in.csv", Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, res)
			var ids []string
			for _, a := range res.Applicants {
				ids = append(ids, a.ID)
			}
			if !reflect.DeepEqual(ids, tt.wantIDs) {
				t.Errorf("IDs = %v, want %v (errors %v)", ids, tt.wantIDs, res.Errors)
			}
			switch {
			case tt.wantErr == "" && len(res.Errors) > 0:
				t.Errorf("unexpected errors %v", res.Errors)
			case tt.wantErr != "" && (len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Error(), tt.wantErr)):
				t.Errorf("errors = %v, want one containing %q", res.Errors, tt.wantErr)
			}
		})
	}
}

func TestReadCSVUTF16Name(t *testing.T) {
	in, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().String("name,email\nZoë Ñandú,zoe@example.com\n")
	res, err := ReadCSV(strings.NewReader(in), "be.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Applicants) != 1 || res.Applicants[0].Name != "Zoë Ñandú" {
		t.Errorf("applicants = %+v, want Zoë Ñandú", res.Applicants)
	}
}

func TestReadCSVWholeInputErrors(t *testing.T) {
	gh, _ := LayoutByName("greenhouse")
	tests := []struct {
		name, in string
		mapping  *Mapping
		want     string
	}{
		{"empty", "", nil, "no header: the input is empty"},
		{"only blank lines", "\n\n\r\n", nil, "no header"},
		{"no identifying column", "stage,source\nnew,referral\n", nil, `matches no built-in layout (generic, greenhouse, lever, workday): none finds an id, name or e-mail column in "stage", "source"`},
		{"mapping misses", "Name,Email\nAnn,ann@example.com\n", &Mapping{Columns: map[Field][]string{FieldID: {"Candidate ID"}}},
			`header has no column for id, name, first_name/last_name or emails (looked for "Candidate ID"); header is "Name", "Email"`},
		{"greenhouse misses", "Stage\nx\n", &gh, `looked for "Candidate ID", "Application ID", "Candidate Name"`},
		{"header bad quote", "id,\"name\nAnn", nil, "read header: malformed CSV"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ReadCSV(strings.NewReader(tt.in), "x.csv", Options{Mapping: tt.mapping})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "import x.csv: ") {
				t.Errorf("ReadCSV(%q) error = %v, want one starting with the source and containing %q", tt.in, err, tt.want)
			}
			if res.Records != 0 || len(res.Applicants) != 0 {
				t.Errorf("ReadCSV(%q) returned %+v with its error, want an empty Result", tt.in, res)
			}
		})
	}
}

func TestReadCSVLimits(t *testing.T) {
	in := "id,name\n1,Ann\n2,Bo\n3,Cy\n"
	tests := []struct {
		name      string
		opts      Options
		wantLimit string
		wantRecs  int
	}{
		{"records at limit", Options{MaxRecords: 3}, "", 3},
		{"records over limit", Options{MaxRecords: 2}, "MaxRecords", 0},
		{"bytes at limit", Options{MaxFileBytes: int64(len(in))}, "", 3},
		{"bytes over limit", Options{MaxFileBytes: int64(len(in)) - 1}, "MaxFileBytes", 0},
		{"bytes over limit in header", Options{MaxFileBytes: 4}, "MaxFileBytes", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ReadCSV(strings.NewReader(in), "lim.csv", tt.opts)
			if tt.wantLimit == "" {
				if err != nil {
					t.Fatal(err)
				}
				checkResult(t, res)
			} else {
				le, ok := errors.AsType[*LimitError](err)
				if !ok || le.Limit != tt.wantLimit || !strings.Contains(err.Error(), "Options."+tt.wantLimit) {
					t.Fatalf("error = %v, want a LimitError naming Options.%s", err, tt.wantLimit)
				}
			}
			if res.Records != tt.wantRecs || len(res.Applicants) != tt.wantRecs {
				t.Errorf("Records = %d, applicants %d, want %d", res.Records, len(res.Applicants), tt.wantRecs)
			}
		})
	}
	// The message names the number.
	_, err := ReadCSV(strings.NewReader(in), "lim.csv", Options{MaxRecords: 2})
	if want := "import lim.csv: more than 2 records, the limit set by Options.MaxRecords"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestReadCSVDerivedIDs(t *testing.T) {
	in := "name,email\nAnn,ann@example.com\n\nBo,bo@example.com\n"
	res, err := ReadCSV(strings.NewReader(in), "exports/june/people.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, res)
	got := []string{res.Applicants[0].ID, res.Applicants[1].ID}
	if want := []string{"people.csv#2", "people.csv#4"}; !reflect.DeepEqual(got, want) {
		t.Errorf("derived IDs = %v, want %v", got, want)
	}
	if res.Applicants[1].Source != "exports/june/people.csv row 4" {
		t.Errorf("Source = %q, want the source as given and the row", res.Applicants[1].Source)
	}
	// Re-reading gives the same IDs.
	res2, _ := ReadCSV(strings.NewReader(in), "people.csv", Options{})
	if res2.Applicants[0].ID != got[0] {
		t.Errorf("IDs not stable: %q then %q", got[0], res2.Applicants[0].ID)
	}
	// A long or unclean source name still gives a valid, distinct ID.
	long := strings.Repeat("n", 300) + ".csv"
	for _, src := range []string{long, "bad\xffname.csv", "tab\tname.csv"} {
		id := derivedID(src, 12)
		a := hiring.Applicant{ID: id, Source: sourceLabel(src)}
		if err := a.Validate(); err != nil || !strings.HasSuffix(id, "#12") {
			t.Errorf("derivedID(%q, 12) = %q: %v", src, id, err)
		}
	}
	if derivedID(long, 1) == derivedID(long+"x", 1) {
		t.Error("derivedID of two long names collided")
	}
}

func TestAppliedAtFormats(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"2024-03-05T14:07:00Z", "2024-03-05T14:07:00Z"},
		{"2024-03-05T14:07:00.250-07:00", "2024-03-05T21:07:00.25Z"},
		{"2024-03-05T14:07:00", "2024-03-05T14:07:00Z"},
		{"2024-03-05 14:07:00", "2024-03-05T14:07:00Z"},
		{"2024-01-31 06:00:00.000", "2024-01-31T06:00:00Z"},
		{"2024-03-05 14:07", "2024-03-05T14:07:00Z"},
		{"2024-03-05", "2024-03-05T00:00:00Z"},
		{"03/05/2024", "2024-03-05T00:00:00Z"},
		{"3/5/2024", "2024-03-05T00:00:00Z"},
		{"03/05/2024 14:07", "2024-03-05T14:07:00Z"},
		{"3/5/2024 2:07 PM", "2024-03-05T14:07:00Z"},
	}
	for _, tt := range tests {
		got, err := parseAppliedAt(tt.in)
		if err != nil || !got.Equal(date(tt.want)) {
			t.Errorf("parseAppliedAt(%q) = %v, %v, want %s", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"31/12/2024", "2024-13-01", "yesterday", "1850-01-01", "2024/03/05"} {
		if _, err := parseAppliedAt(bad); err == nil {
			t.Errorf("parseAppliedAt(%q) succeeded, want an error", bad)
		}
	}
}

func TestHistoryColumn(t *testing.T) {
	tests := []struct {
		in      string
		emp     bool
		want    any
		wantErr string
	}{
		{"MIT|BS|Physics|2010|2014|us; Caltech|PhD", false, []hiring.Education{
			{Institution: "MIT", Degree: "BS", Area: "Physics", Start: hiring.YearMonth{Year: 2010}, End: hiring.YearMonth{Year: 2014}, Country: "US"},
			{Institution: "Caltech", Degree: "PhD"},
		}, ""},
		{"Acme|Dev|2020-01|Present|Remote|acme.example", true, []hiring.Employment{
			{Employer: "Acme", Title: "Dev", Start: hiring.YearMonth{Year: 2020, Month: 1}, Current: true, Location: "Remote", Website: "acme.example"},
		}, ""},
		{" ; ;", false, []hiring.Education(nil), ""},
		{"A|B|C|D|E|F|G", true, nil, "employment[0]: 7 parts, want at most 6 (employer|title|start|end|location|website)"},
		{"A||2020|sometime", true, nil, `employment[0].end: date "sometime"`},
	}
	for _, tt := range tests {
		var b builder
		b.addHistory(tt.emp, tt.in)
		if tt.wantErr != "" {
			if err := fieldErrors(b.errs); len(b.errs) == 0 || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("addHistory(%q) errors = %v, want %q", tt.in, b.errs, tt.wantErr)
			}
			continue
		}
		if len(b.errs) > 0 {
			t.Errorf("addHistory(%q) errors = %v", tt.in, b.errs)
		}
		var got any = b.a.Education
		if tt.emp {
			got = b.a.Employment
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("addHistory(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestListFields(t *testing.T) {
	var b builder
	b.addEmails("Ann <ann@example.com>; mailto:ANN@example.com, ann2@example.org")
	b.addPhones("+1 602 555 0134; 12")
	b.addLinks("https://a.example https://b.example,https://a.example")
	if want := []string{"ann@example.com", "ann2@example.org"}; !reflect.DeepEqual(b.a.Emails, want) {
		t.Errorf("emails = %v, want %v (duplicates differing in case dropped)", b.a.Emails, want)
	}
	if want := []string{"https://a.example", "https://b.example"}; !reflect.DeepEqual(b.a.Links, want) {
		t.Errorf("links = %v, want %v", b.a.Links, want)
	}
	if err := fieldErrors(b.errs).Error(); err != `phones[1]: "12" has 2 digits, want at least 5` {
		t.Errorf("errors = %q", err)
	}
	var ip builder
	ip.setIP("203.0.113.5, 10.0.0.1")
	ip.setIP("[2001:db8::1]:443")
	if len(ip.errs) > 0 || ip.a.ApplicationIP != mustAddr("2001:db8::1") {
		t.Errorf("setIP = %v, %v", ip.a.ApplicationIP, ip.errs)
	}
	ip.setIP("::ffff:192.0.2.1")
	if ip.a.ApplicationIP != mustAddr("192.0.2.1") {
		t.Errorf("setIP(4in6) = %v, want the IPv4 address", ip.a.ApplicationIP)
	}
}

func TestDuplicateIDs(t *testing.T) {
	in := "id,name\n7,Ann\n8,Bo\n7,Cy\n7,Di\n"
	res, err := ReadCSV(strings.NewReader(in), "dup.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, res)
	if len(res.Applicants) != 2 || res.Applicants[0].Name != "Ann" {
		t.Errorf("applicants = %+v, want Ann and Bo (the first with each ID)", res.Applicants)
	}
	for i, row := range []int{4, 5} {
		e := res.Errors[i]
		if e.Record != row || !strings.Contains(e.Error(), `id: "7" already used by dup.csv row 2`) {
			t.Errorf("error %d = %v, want row %d naming row 2", i, e, row)
		}
	}
	// A rejected record does not take its ID.
	res, _ = ReadCSV(strings.NewReader("id,name,email\n7,Ann,bad\n7,Bo,bo@example.com\n"), "dup.csv", Options{})
	if len(res.Applicants) != 1 || res.Applicants[0].Name != "Bo" {
		t.Errorf("applicants = %+v, want Bo: the rejected row 2 must not reserve ID 7", res.Applicants)
	}
}

func TestFastYearMonth(t *testing.T) {
	for _, s := range []string{"2019", "2019-05", "2019-05-17", "1900", "2200-12", "1899", "2201", "2019-00", "2019-13",
		"2019-5", "2019/05", "20x9", "2019-05-1x", "2019-05-170", "05/2019", "May 2019", "", "abcd-ef-gh"} {
		got, ok := fastYearMonth(s)
		want, err := hiring.ParseYearMonth(s)
		if ok && (err != nil || got != want) {
			t.Errorf("fastYearMonth(%q) = %v, but ParseYearMonth gives %v, %v", s, got, want, err)
		}
	}
}
