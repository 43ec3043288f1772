package idp

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// wantErr is an expected per-record error.
type wantErr struct {
	record int
	field  string
}

func checkResult(t *testing.T, res Result, records, skipped int, ids []string, errs []wantErr) {
	t.Helper()
	if res.Records != records || res.Skipped != skipped {
		t.Errorf("Records, Skipped = %d, %d, want %d, %d", res.Records, res.Skipped, records, skipped)
	}
	var got []string
	for _, s := range res.SignIns {
		got = append(got, s.RecordID)
	}
	if strings.Join(got, " ") != strings.Join(ids, " ") {
		t.Errorf("sign-in IDs = %v, want %v", got, ids)
	}
	if len(res.Errors) != len(errs) {
		t.Errorf("errors = %v, want %d: %v", res.Errors, len(errs), errs)
		return
	}
	for i, e := range res.Errors {
		if e.Record != errs[i].record || e.Field != errs[i].field {
			t.Errorf("error %d = record %d field %q (%v), want record %d field %q", i, e.Record, e.Field, e, errs[i].record, errs[i].field)
		}
	}
}

func readFixture(t *testing.T, name string, read func(io.Reader) (Result, error)) Result {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := read(f)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return res
}

func TestReadOktaArray(t *testing.T) {
	res := readFixture(t, "okta.json", ReadOkta)
	checkResult(t, res, 7, 1, []string{"a1b2c3d4-0001", "a1b2c3d4-0002", "a1b2c3d4-0004"}, []wantErr{
		{5, "published"}, {6, "client.ipAddress"}, {7, "client.ipAddress"},
	})
	s := res.SignIns[0]
	want := SignIn{
		At: time.Date(2025, 3, 3, 14, 2, 11, 123e6, time.UTC), User: "ann@example.com",
		IP: netip.MustParseAddr("198.51.100.23"), UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
		Success: true, Country: "United States", City: "Phoenix", Lat: 33.4484, Lon: -112.074, HasPoint: true,
		Source: "okta", RecordID: "a1b2c3d4-0001",
	}
	if s != want {
		t.Errorf("first sign-in = %+v, want %+v", s, want)
	}
	if app := res.SignIns[1].App; app != "Slack" {
		t.Errorf("sso App = %q, want Slack", app)
	}
	if f := res.SignIns[2]; f.Success || f.HasPoint || f.IP != netip.MustParseAddr("2001:db8::1") {
		t.Errorf("failed MFA sign-in = %+v, want failure from 2001:db8::1 without a point", f)
	}
}

func TestReadOktaJSONLines(t *testing.T) {
	res := readFixture(t, "okta.jsonl", ReadOkta)
	checkResult(t, res, 4, 0, []string{"e-1", "e-4"}, []wantErr{
		{2, ""}, {3, "client.geographicalContext.geolocation"},
	})
	last := res.SignIns[1]
	if last.Success || last.IP != netip.MustParseAddr("198.51.100.23") || !last.At.Equal(time.Date(2025, 3, 4, 8, 3, 0, 0, time.UTC)) || last.At.Location() != time.UTC {
		t.Errorf("DENY sign-in = %+v, want failure, unmapped IPv4, 08:03 UTC", last)
	}
}

func TestReadEntraJSON(t *testing.T) {
	res := readFixture(t, "entra.json", ReadEntra)
	checkResult(t, res, 4, 0, []string{"66ea54eb-6301-4ee5-be62-ff5a759b0100", "66ea54eb-6301-4ee5-be62-ff5a759b0101"}, []wantErr{
		{3, "status.errorCode"}, {4, "userPrincipalName"},
	})
	a, b := res.SignIns[0], res.SignIns[1]
	if !a.Success || a.App != "Microsoft Teams" || !a.HasPoint || a.Lat != 33.4484 || a.Country != "US" || a.City != "Phoenix" || a.User != "ann@contoso.com" {
		t.Errorf("first = %+v", a)
	}
	if b.Success || b.HasPoint || b.App != "Mobile Apps and Desktop clients" {
		t.Errorf("second = %+v, want failure without point, app from clientAppUsed", b)
	}
	// The same records as a bare array.
	var arr bytes.Buffer
	arr.WriteString(`[{"id":"x","createdDateTime":"2025-03-03T14:02:11Z","userPrincipalName":"a@b","status":{"errorCode":0}}]`)
	res, err := ReadEntra(&arr)
	if err != nil || len(res.SignIns) != 1 || !res.SignIns[0].Success {
		t.Errorf("ReadEntra(array) = %+v, %v", res, err)
	}
}

func TestReadEntraCSV(t *testing.T) {
	res := readFixture(t, "entra.csv", ReadEntraCSV)
	checkResult(t, res, 4, 0, []string{"66ea54eb-0200", "66ea54eb-0201", "66ea54eb-0203"}, []wantErr{
		{4, "Date (UTC)"},
	})
	a, b, c := res.SignIns[0], res.SignIns[1], res.SignIns[2]
	if !a.Success || a.User != "ann@contoso.com" || a.City != "Phoenix" || a.Country != "US" || a.App != "Microsoft Teams" || a.UserAgent != "Mozilla/5.0" {
		t.Errorf("row 2 = %+v", a)
	}
	if b.Success || b.IP != netip.MustParseAddr("2001:db8::7") || b.Country != "KR" {
		t.Errorf("row 3 = %+v", b)
	}
	if c.Success {
		t.Errorf("row 6 (Interrupted) = success, want failure")
	}
	if _, err := ReadEntraCSV(strings.NewReader("Foo,Bar\n1,2\n")); err == nil || !strings.Contains(err.Error(), "Date (UTC)") {
		t.Errorf("ReadEntraCSV(no date column) error = %v, want one naming \"Date (UTC)\"", err)
	}
	if _, err := ReadEntraCSV(strings.NewReader("")); err == nil {
		t.Error("ReadEntraCSV(empty) = nil error")
	}
}

func TestReadGoogle(t *testing.T) {
	res := readFixture(t, "google.json", ReadGoogle)
	checkResult(t, res, 5, 1, []string{"-4129867251829712345", "6131234567890"}, []wantErr{
		{4, "actor.email"}, {5, "events"},
	})
	a := res.SignIns[0]
	if !a.Success || a.User != "ann@example.org" || a.Country != "US" || a.App != "login" || a.HasPoint {
		t.Errorf("first = %+v", a)
	}
	if res.SignIns[1].Success {
		t.Error("login_failure imported as success")
	}
}

func TestReadWholeInputErrors(t *testing.T) {
	readers := map[string]func(io.Reader) (Result, error){"okta": ReadOkta, "entra": ReadEntra, "google": ReadGoogle}
	for name, read := range readers {
		for _, in := range []string{`[{"uuid": 1,`, `{"a":1} {"b":`} {
			if _, err := read(strings.NewReader(in)); err == nil {
				t.Errorf("%s(%q) = nil error, want syntax error", name, in)
			}
		}
		res, err := read(strings.NewReader(" \n"))
		if err != nil || res.Records != 0 {
			t.Errorf("%s(blank) = %+v, %v; want nothing, no error", name, res, err)
		}
	}
}

func TestReadTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("reads MaxInputBytes")
	}
	r := io.MultiReader(strings.NewReader("["), &repeatReader{b: ' ', n: MaxInputBytes})
	_, err := ReadOkta(r)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "MaxInputBytes") {
		t.Errorf("ReadOkta(%d bytes) error = %v, want ErrTooLarge naming MaxInputBytes", MaxInputBytes+1, err)
	}
}

func TestFieldTooLong(t *testing.T) {
	in := `{"uuid":"u","published":"2025-03-04T09:00:00Z","eventType":"user.session.start","actor":{"alternateId":"` +
		strings.Repeat("a", MaxFieldBytes+1) + `"},"outcome":{"result":"SUCCESS"}}`
	res, err := ReadOkta(strings.NewReader(in))
	if err != nil || len(res.Errors) != 1 || res.Errors[0].Field != "actor.alternateId" || !strings.Contains(res.Errors[0].Error(), "MaxFieldBytes") {
		t.Errorf("ReadOkta(long alternateId) = %+v, %v; want one error naming the field and MaxFieldBytes", res.Errors, err)
	}
}

// repeatReader yields n copies of b.
type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range k {
		p[i] = r.b
	}
	r.n -= k
	return k, nil
}
