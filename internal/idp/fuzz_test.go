package idp

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// fuzzRead checks the invariants every importer keeps on any input: no
// panic, every record accounted for, errors numbered within the records
// (CSV numbers spreadsheet rows, which count the header and blank rows),
// sign-ins with a user, a time and a valid point when HasPoint.
func fuzzRead(f *testing.F, read func(io.Reader) (Result, error), csvRows bool, seeds ...string) {
	for _, s := range seeds {
		if data, err := os.ReadFile(filepath.Join("testdata", s)); err == nil {
			f.Add(data)
		} else {
			f.Add([]byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		res, err := read(bytes.NewReader(data))
		if err != nil {
			if len(res.SignIns) > 0 || len(res.Errors) > 0 {
				t.Fatalf("error %v with a non-empty result", err)
			}
			return
		}
		if got := len(res.SignIns) + len(res.Errors) + res.Skipped; got != res.Records {
			t.Fatalf("sign-ins %d + errors %d + skipped %d != records %d", len(res.SignIns), len(res.Errors), res.Skipped, res.Records)
		}
		for _, e := range res.Errors {
			if e.Record < 1 || !csvRows && e.Record > res.Records || e.Error() == "" {
				t.Fatalf("error %v numbered outside 1..%d", e, res.Records)
			}
		}
		for _, s := range res.SignIns {
			if s.User == "" || s.At.IsZero() || s.Source == "" || s.RecordID == "" {
				t.Fatalf("incomplete sign-in %+v", s)
			}
			if s.HasPoint && (s.Lat < -90 || s.Lat > 90 || s.Lon < -180 || s.Lon > 180) {
				t.Fatalf("bad point %+v", s)
			}
		}
	})
}

func FuzzReadOkta(f *testing.F) {
	fuzzRead(f, ReadOkta, false, "okta.json", "okta.jsonl", `[]`, `{"eventType":"user.session.start"}`)
}

func FuzzReadEntra(f *testing.F) {
	fuzzRead(f, ReadEntra, false, "entra.json", `{"value":[]}`, `[{"status":{"errorCode":0}}]`)
}

func FuzzReadEntraCSV(f *testing.F) {
	fuzzRead(f, ReadEntraCSV, true, "entra.csv", "Date (UTC),User\n2025-01-01T00:00:00Z,a\n")
}

func FuzzReadGoogle(f *testing.F) {
	fuzzRead(f, ReadGoogle, false, "google.json", `{"items":[]}`, `[{"events":[{"name":"login_success"}]}]`)
}
