package store_test

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/store/storetest"
)

var _ storetest.LinkStore = (*store.Store)(nil)

func TestLinkConformance(t *testing.T) {
	storetest.RunLinks(t, func(t *testing.T) storetest.LinkStore { return openTemp(t) })
}

// FuzzSaveIdPFindings saves arbitrary findings: invalid ones are refused
// with an error and store nothing, valid ones come back as prepared, and a
// second save stores nothing new. The body is not part of a finding's ID,
// so a finding that differs from a stored one only in its body is a
// duplicate: the stored body stays.
func FuzzSaveIdPFindings(f *testing.F) {
	s := openTemp(f)
	f.Cleanup(func() { s.Close() })
	if err := s.PutWorker(f.Context(), store.Worker{ID: "w-1"}); err != nil {
		f.Fatal(err)
	}
	f.Add("w-1", "idp.shared-egress", int64(1_772_366_400_000_000), 8.0, "3 workers signed in from 203.0.113.50", "e-1", `{"LR":8}`)
	f.Add("w-2", "idp.off-hours", int64(0), math.NaN(), "", "", `[1]`)
	f.Add("w-1", "idp.x", int64(-62_135_596_800_000_000), 0.0, "\x00", "\xff", ``)
	// The same finding again with another body: found by the fuzzer.
	f.Add("w-1", "idp.shared-egress", int64(1_772_366_400_000_000), 8.0, "3 workers signed in from 203.0.113.50", "e-1", ``)
	f.Fuzz(func(t *testing.T, worker, kind string, atMicros int64, lr float64, explanation, ref, body string) {
		fd := store.IdPFinding{WorkerID: worker, Kind: kind, At: time.UnixMicro(atMicros), LR: lr, Explanation: explanation, Body: json.RawMessage(body)}
		if ref != "" {
			fd.Refs = []string{ref}
		}
		before, err := s.IdPFindings(t.Context(), worker, time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		n, err := s.SaveIdPFindings(t.Context(), []store.IdPFinding{fd})
		valid := fd.Validate() == nil && worker == "w-1"
		if (err == nil) != valid {
			t.Fatalf("SaveIdPFindings(%+v) = %v but Validate() = %v", fd, err, fd.Validate())
		}
		after, err2 := s.IdPFindings(t.Context(), worker, time.Time{}, 0)
		if err2 != nil {
			t.Fatal(err2)
		}
		if err != nil {
			if len(after) != len(before) {
				t.Fatalf("a refused finding changed the store: %d findings, then %d", len(before), len(after))
			}
			return
		}
		want := store.PrepareIdPFinding(fd)
		found := false
		for _, g := range after {
			if g.ID == want.ID {
				if n == 0 {
					// Stored before, perhaps with another body.
					want.Body = g.Body
				}
				found = reflect.DeepEqual(g, want)
				if !found {
					t.Fatalf("stored finding = %+v; want %+v", g, want)
				}
			}
		}
		if !found || len(after) != len(before)+n {
			t.Fatalf("after saving (%d new): %d findings, then %d; finding found %v", n, len(before), len(after), found)
		}
		if n, err := s.SaveIdPFindings(t.Context(), []store.IdPFinding{fd}); err != nil || n != 0 {
			t.Fatalf("saving again = %d, %v; want 0 new", n, err)
		}
	})
}
