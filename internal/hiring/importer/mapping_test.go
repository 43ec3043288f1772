package importer

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestLayouts(t *testing.T) {
	if got := Layouts(); !reflect.DeepEqual(got, []string{"generic", "greenhouse", "lever", "workday"}) {
		t.Errorf("Layouts() = %v", got)
	}
	for _, name := range Layouts() {
		m, err := LayoutByName(strings.ToUpper(name))
		if err != nil {
			t.Fatalf("LayoutByName(%q): %v", name, err)
		}
		if m.Name != name || !m.identifies() {
			t.Errorf("LayoutByName(%q) = %+v", name, m)
		}
		// MarshalText writes what ParseMapping reads back.
		text, _ := m.MarshalText()
		back, err := ParseMapping(bytes.NewReader(text))
		if err != nil {
			t.Fatalf("ParseMapping(MarshalText(%s)): %v\n%s", name, err, text)
		}
		if !reflect.DeepEqual(back.Columns, m.Columns) {
			t.Errorf("layout %s did not round-trip:\n%s", name, text)
		}
	}
	// Changing a returned layout does not change the built-in one.
	m, _ := LayoutByName("lever")
	m.Columns[FieldID][0] = "changed"
	delete(m.Columns, FieldName)
	if again, _ := LayoutByName("lever"); again.Columns[FieldID][0] != "Opportunity ID" || len(again.Columns[FieldName]) == 0 {
		t.Errorf("LayoutByName(lever) after a caller changed its copy = %+v", again.Columns)
	}
	// The generic layout uses every field's own name.
	g, _ := LayoutByName("generic")
	for _, f := range Fields() {
		if len(g.Columns[f]) == 0 {
			t.Errorf("generic layout does not map %s", f)
		}
	}
	if _, err := LayoutByName("taleo"); err == nil || !strings.Contains(err.Error(), "generic, greenhouse, lever, workday") {
		t.Errorf("LayoutByName(taleo) error = %v, want the list of layouts", err)
	}
}

func TestDetectLayout(t *testing.T) {
	tests := []struct {
		header []string
		want   string
		ok     bool
	}{
		{[]string{"id", "name", "emails", "applied_at"}, "generic", true},
		{[]string{"Candidate ID", "First Name", "Last Name", "Email", "Job", "Stage"}, "greenhouse", true},
		{[]string{"Name", "Email", "Phone", "Location", "Posting Title", "Applied On", "Opportunity ID"}, "lever", true},
		{[]string{"Candidate ID", "Legal Name - First Name", "Legal Name - Last Name", "Email Address", "Job Requisition", "Date Applied"}, "workday", true},
		{[]string{"NAME", "E-MAIL"}, "generic", true}, // a tie goes to the first layout
		{[]string{"Stage", "Source", "Recruiter"}, "", false},
		{[]string{"Posting Title", "Applied On"}, "", false}, // recognised, but nothing identifies
		{nil, "", false},
	}
	for _, tt := range tests {
		got, ok := DetectLayout(tt.header)
		if got != tt.want || ok != tt.ok {
			t.Errorf("DetectLayout(%q) = %q, %v, want %q, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseMapping(t *testing.T) {
	m, err := ParseMapping(strings.NewReader(`
# comment
extends = greenhouse
name = "Name, full", "Say ""hi"""
emails =  Work Email ,Email {n}
phones =
education.institution = Uni {n}
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Columns[FieldName]; !reflect.DeepEqual(got, []string{"Name, full", `Say "hi"`}) {
		t.Errorf("name = %q", got)
	}
	if got := m.Columns[FieldEmails]; !reflect.DeepEqual(got, []string{"Work Email", "Email {n}"}) {
		t.Errorf("emails = %q", got)
	}
	if _, ok := m.Columns[FieldPhones]; ok {
		t.Error("phones = (empty) did not remove the inherited field")
	}
	if got := m.Columns[FieldID]; !reflect.DeepEqual(got, []string{"Candidate ID", "Application ID"}) {
		t.Errorf("id not inherited from greenhouse: %q", got)
	}
	if m.Name != "" {
		t.Errorf("Name = %q, want empty for a mapping file", m.Name)
	}

	p := m.resolve([]string{"Candidate ID", "Name, full", "Email 2", "Email 1", "Work Email", "Uni 2", "Uni 1", "Uni x", "Phone"})
	if !reflect.DeepEqual(p.cols[fxEmails], []int{4, 2, 3}) {
		t.Errorf("email columns = %v, want alias order then column order [4 2 3]", p.cols[fxEmails])
	}
	if len(p.edu) != 2 || p.edu[0].n != 1 || p.edu[0].part[0] != 6 || p.edu[1].part[0] != 5 {
		t.Errorf("education entries = %+v, want entry 1 in column 6 and entry 2 in column 5", p.edu)
	}
	if len(p.cols[fxPhones]) != 0 {
		t.Errorf("removed phones still resolve: %v", p.cols[fxPhones])
	}
}

func TestParseMappingErrors(t *testing.T) {
	long := strings.Repeat("h", 300)
	tests := []struct{ in, want string }{
		{"name Name", "mapping line 1: want `field = Header A, Header B`"},
		{"name = Name\nemial = Email", `mapping line 2: unknown field "emial"; fields are id, name`},
		{"name = A\nname = B", "mapping line 2: field name already given on line 1"},
		{"name = \"A", "mapping line 1: name: unterminated quoted header"},
		{"name = \"A\" B", `mapping line 1: name: text "B" after quoted header`},
		{"name = A \"B\"", "quote inside an unquoted header"},
		{"name = A,", "empty header after the last comma"},
		{"name = A,,B", `header "": empty once case, spaces`},
		{"name = _-", "empty once case"},
		{"name = " + long, "300 bytes, longer than the limit of 256"},
		{"name = " + strings.Repeat("a,", 64) + "a", "65 headers, more than the limit of 64"},
		{"name = Name {n}", "{n} is only for emails, phones, links, photo_hashes"},
		{"emails = {n}", "{n} needs text around it"},
		{"emails = E{n}{n}", "more than one {n}"},
		{"name = \"a\tb\"", "contains a control character"},
		{"position = Job", "mapping maps none of id, name, first_name, last_name, emails"},
		{"name = A\nextends = lever", "mapping line 2: extends must come before every field"},
		{"extends = taleo", `mapping line 1: layout "taleo": unknown`},
		{"name = \xff", "not valid UTF-8"},
		{strings.Repeat("#", 70<<10), "larger than the limit of 65536 bytes"},
		{"", "mapping maps none of"},
	}
	for _, tt := range tests {
		_, err := ParseMapping(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseMapping(%q) error = %v, want %q", clip(tt.in, 40), err, tt.want)
		}
	}
}

func TestNormHeader(t *testing.T) {
	for _, h := range []string{"First Name", "first_name", "FIRSTNAME", " first-name ", "\uFEFFFirst Name"} {
		if got := normHeader(h); got != "firstname" {
			t.Errorf("normHeader(%q) = %q, want firstname", h, got)
		}
	}
	if got := normHeader("Straße"); got != "straße" {
		t.Errorf("normHeader(Straße) = %q", got)
	}
}

func TestEntryNumber(t *testing.T) {
	tests := []struct {
		h, pre, suf string
		n           int
		ok          bool
	}{
		{"school1", "school", "", 1, true},
		{"education12institution", "education", "institution", 12, true},
		{"school", "school", "", 0, false},
		{"school0", "school", "", 0, false},
		{"school1000", "school", "", 0, false},
		{"school1x", "school", "", 0, false},
		{"1school", "", "school", 1, true},
	}
	for _, tt := range tests {
		n, ok := entryNumber(tt.h, tt.pre, tt.suf)
		if n != tt.n || ok != tt.ok {
			t.Errorf("entryNumber(%q, %q, %q) = %d, %v, want %d, %v", tt.h, tt.pre, tt.suf, n, ok, tt.n, tt.ok)
		}
	}
}

// TestFieldIndexes checks the fx constants against fieldTable.
func TestFieldIndexes(t *testing.T) {
	checks := map[int]Field{
		fxID: FieldID, fxName: FieldName, fxFirstName: FieldFirstName, fxLastName: FieldLastName,
		fxEmails: FieldEmails, fxPhones: FieldPhones, fxLinks: FieldLinks, fxPosition: FieldPosition,
		fxClaimedLocation: FieldClaimedLocation, fxCity: FieldCity, fxRegion: FieldRegion, fxCountry: FieldCountry,
		fxShippingAddress: FieldShippingAddress, fxAddressLine1: FieldAddressLine1, fxAddressLine2: FieldAddressLine2,
		fxAddressCity: FieldAddressCity, fxAddressRegion: FieldAddressRegion, fxAddressPostal: FieldAddressPostal,
		fxAddressCountry: FieldAddressCountry, fxApplicationIP: FieldApplicationIP, fxUserAgent: FieldUserAgent,
		fxAppliedAt: FieldAppliedAt, fxEducation: FieldEducation, fxEmployment: FieldEmployment,
		fxResumeText: FieldResumeText, fxPhotoHashes: FieldPhotoHashes,
		fxEduInstitution: FieldEduInstitution, fxEmpEmployer: FieldEmpEmployer,
	}
	for fx, f := range checks {
		if fieldTable[fx].f != f {
			t.Errorf("fieldTable[%d] = %s, want %s", fx, fieldTable[fx].f, f)
		}
	}
	for k := range numParts {
		if e, m := fieldTable[fxEduInstitution+k], fieldTable[fxEmpEmployer+k]; e.part != k || e.emp || m.part != k || !m.emp {
			t.Errorf("part %d: education %+v, employment %+v", k, e, m)
		}
	}
}
