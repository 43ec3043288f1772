package importer

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

func TestReadJSONResumeSingle(t *testing.T) {
	res, err := ReadJSONResume(bytes.NewReader(readFixture(t, "resume.json")), "testdata/resume.json", Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, res)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	diffApplicants(t, res.Applicants, []hiring.Applicant{{
		ID: "90210", Source: "testdata/resume.json", Name: "Jane Example",
		Emails: []string{"jane@example.com"}, Phones: []string{"+1 (480) 555-0175"},
		Links:    []string{"https://jane.example.com", "https://github.com/jane-example", "https://www.linkedin.com/in/jane-example"},
		Position: "Cloud Engineer", ClaimedLocation: "Tempe, AZ, US",
		ShippingAddress: "55 Desert Rd Apt 4, Tempe, AZ 85281, US",
		ApplicationIP:   mustAddr("198.51.100.77"), UserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4)",
		AppliedAt: date("2024-05-01T23:20:00Z"),
		Education: []hiring.Education{{Institution: "Arizona State University", Degree: "Bachelor", Area: "Information Technology",
			Start: hiring.YearMonth{Year: 2013, Month: 8}, End: hiring.YearMonth{Year: 2017, Month: 5}}},
		Employment: []hiring.Employment{
			{Employer: "Example Cloud", Title: "Systems Engineer", Website: "https://cloud.example.com", Location: "Remote",
				Start: hiring.YearMonth{Year: 2020, Month: 2}, Current: true},
			{Employer: "Sample Hosting", Title: "Support Engineer", Start: hiring.YearMonth{Year: 2017, Month: 6}, End: hiring.YearMonth{Year: 2020, Month: 1}},
		},
		PhotoHashes: []string{"p:c3a1b2d4e5f60718", "d:0f0e0d0c0b0a0908"},
	}})
}

func TestReadJSONResumeArray(t *testing.T) {
	res, err := ReadJSONResume(bytes.NewReader(readFixture(t, "resumes.json")), "resumes.json", Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, res)
	var ids []string
	for _, a := range res.Applicants {
		ids = append(ids, a.ID+"@"+a.Source)
	}
	if want := "k-1@resumes.json record 1,resumes.json#5@resumes.json record 5"; strings.Join(ids, ",") != want {
		t.Errorf("imported %v, want %s", ids, want)
	}
	if got := res.Applicants[1].AppliedAt; !got.Equal(date("2024-06-01T00:00:00Z")) {
		t.Errorf("applied_at from x-lagwatch = %v", got)
	}
	wantErrs := []struct {
		rec  int
		want string
	}{
		{2, "resumes.json record 2: basics.email: want a string, got a JSON array"},
		{3, "resumes.json record 3: education[0].end: 2011 before start 2015"},
		{4, "resumes.json record 4: want a JSON Resume object, got a JSON string"},
	}
	if len(res.Errors) != len(wantErrs) {
		t.Fatalf("errors = %v, want %d", res.Errors, len(wantErrs))
	}
	for i, w := range wantErrs {
		if e := res.Errors[i]; e.Record != w.rec || e.Error() != w.want {
			t.Errorf("error %d = %q (record %d), want %q", i, e.Error(), e.Record, w.want)
		}
	}
}

func TestReadJSONResumeLines(t *testing.T) {
	res, err := ReadJSONResume(bytes.NewReader(readFixture(t, "resumes.jsonl")), "resumes.jsonl", Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, res)
	var ids []string
	for _, a := range res.Applicants {
		ids = append(ids, a.ID+"@"+a.Source)
	}
	if want := "o-1@resumes.jsonl line 1,resumes.jsonl#6@resumes.jsonl line 6"; strings.Join(ids, ",") != want {
		t.Errorf("imported %v, want %s", ids, want)
	}
	wantErrs := []struct {
		rec  int
		want string
	}{
		{3, `application_ip: "not-an-ip" is not an IP address`},
		{4, "invalid JSON: unexpected end of JSON input"},
		{5, `id: "o-1" already used by resumes.jsonl line 1`},
	}
	if len(res.Errors) != len(wantErrs) {
		t.Fatalf("errors = %v, want %d", res.Errors, len(wantErrs))
	}
	for i, w := range wantErrs {
		if e := res.Errors[i]; e.Record != w.rec || !strings.Contains(e.Error(), w.want) {
			t.Errorf("error %d = %q (record %d), want record %d containing %q", i, e.Error(), e.Record, w.rec, w.want)
		}
	}
}

func TestReadJSONResumeCases(t *testing.T) {
	tests := []struct {
		name, in string
		wantIDs  string // comma-separated
		wantErr  string // first record error
	}{
		{"meta only", `{"basics":{"name":"A"},"meta":{"id":"m","position":"SRE"}}`, "m", ""},
		{"x-lagwatch wins", `{"basics":{"name":"A"},"meta":{"id":"m"},"x-lagwatch":{"id":"x"}}`, "x", ""},
		{"numeric postal code and string location", `[{"basics":{"name":"A","location":"Phoenix, AZ"}},{"basics":{"name":"B","location":{"postalCode":85001,"address":"1 Main"}}}]`, "in.json#1,in.json#2", ""},
		{"null fields", `{"basics":{"name":"A","email":null,"location":null},"work":null,"x-lagwatch":null}`, "in.json", ""},
		{"single photo hash string", `{"basics":{"name":"A"},"x-lagwatch":{"photo_hashes":"0123456789abcdef"}}`, "in.json", ""},
		{"bad photo hash", `{"basics":{"name":"A"},"x-lagwatch":{"photo_hashes":["xyz"]}}`, "", `photo_hashes[0]: photo hash "xyz"`},
		{"bad date", `{"basics":{"name":"A"},"work":[{"name":"W","startDate":"spring 2020"}]}`, "", `employment[0].start: date "spring 2020"`},
		{"work without name", `{"basics":{"name":"A"},"work":[{"position":"Dev","startDate":"2020"}]}`, "", "employment[0].employer: required"},
		{"object as id", `{"basics":{"name":"A"},"x-lagwatch":{"id":{"v":1}}}`, "", "x-lagwatch.id: want a string, got a JSON object"},
		{"nested type error", `{"basics":{"name":"A","location":{"city":{}}}}`, "", "location.city: want a string, got a JSON object"},
		{"basics not an object", `{"basics":"A"}`, "", "basics: want an object, got a JSON string"},
		{"work not an array", `{"basics":{"name":"A"},"work":{"name":"W"}}`, "", "work: want an array, got a JSON object"},
		{"nothing identifies", `{"work":[{"name":"W"}]}`, "", "no id, name or e-mail"},
		{"crlf jsonl", "{\"basics\":{\"name\":\"A\"}}\r\n{\"basics\":{\"name\":\"B\"}}\r\n", "in.json#1,in.json#2", ""},
		{"bom", "\uFEFF[{\"basics\":{\"name\":\"A\"}}]", "in.json#1", ""},
		{"empty array", `[]`, "", ""},
		{"invalid utf8 line", "{\"basics\":{\"name\":\"A\"}}\n{\"basics\":{\"name\":\"\xff\"}}\n", "in.json#1", "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ReadJSONResume(strings.NewReader(tt.in), "in.json", Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, res)
			var ids []string
			for _, a := range res.Applicants {
				ids = append(ids, a.ID)
			}
			if got := strings.Join(ids, ","); got != tt.wantIDs {
				t.Errorf("IDs = %q, want %q (errors %v)", got, tt.wantIDs, res.Errors)
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

func TestReadJSONResumeWholeInputErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "  \n", "no JSON: the input is empty"},
		{"scalar", "42", "want a JSON Resume object, an array of them or JSON Lines, got a JSON number"},
		{"broken object", "{\n  \"basics\": {\"name\": \"A\",,}\n}", "invalid JSON at line 2"},
		{"broken array", `[{"basics":{}}, {"basics": }]`, "array element 2: invalid JSON"},
		{"unclosed array", `[{"basics":{}}`, "invalid JSON"},
		{"text after array", `[{"basics":{}}] x`, "text after the closing ]"},
		{"csv", "id,name\n1,Ann\n", "invalid JSON at line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ReadJSONResume(strings.NewReader(tt.in), "in.json", Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
			if res.Records != 0 || len(res.Applicants) != 0 {
				t.Errorf("got %+v with the error, want an empty Result", res)
			}
		})
	}
}

func TestReadJSONResumeLimits(t *testing.T) {
	in := `[{"basics":{"name":"A"}},{"basics":{"name":"B"}}]`
	if _, err := ReadJSONResume(strings.NewReader(in), "in.json", Options{MaxRecords: 1}); !isLimit(err, "MaxRecords") {
		t.Errorf("MaxRecords 1: error = %v, want a MaxRecords LimitError", err)
	}
	if _, err := ReadJSONResume(strings.NewReader(in), "in.json", Options{MaxFileBytes: 10}); !isLimit(err, "MaxFileBytes") {
		t.Errorf("MaxFileBytes 10: error = %v, want a MaxFileBytes LimitError", err)
	}
	res, err := ReadJSONResume(strings.NewReader(in), "in.json", Options{MaxRecords: 2, MaxFileBytes: int64(len(in))})
	if err != nil || len(res.Applicants) != 2 {
		t.Errorf("at the limits: %+v, %v, want 2 applicants", res, err)
	}
	lines := "{\"basics\":{\"name\":\"A\"}}\n{\"basics\":{\"name\":\"B\"}}\n"
	if _, err := ReadJSONResume(strings.NewReader(lines), "in.jsonl", Options{MaxRecords: 1}); !isLimit(err, "MaxRecords") {
		t.Errorf("JSON Lines MaxRecords 1: error = %v, want a MaxRecords LimitError", err)
	}
}

func isLimit(err error, limit string) bool {
	le, ok := errors.AsType[*LimitError](err)
	return ok && le.Limit == limit && strings.Contains(err.Error(), "Options."+limit)
}
