package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/store"
)

// LinkStore is the set of worker-link and identity-provider finding methods
// every store implementation provides, with the semantics documented on
// [store.Store]. Implementations must be safe for concurrent use.
type LinkStore interface {
	Close() error
	PutWorker(ctx context.Context, w store.Worker) error
	LinkWorker(ctx context.Context, l store.WorkerLink) error
	UnlinkWorker(ctx context.Context, l store.WorkerLink) (bool, error)
	WorkerLinks(ctx context.Context, workerID string) ([]store.WorkerLink, error)
	AllWorkerLinks(ctx context.Context) ([]store.WorkerLink, error)
	SaveIdPFindings(ctx context.Context, fs []store.IdPFinding) (stored int, err error)
	IdPFindings(ctx context.Context, workerID string, since time.Time, limit int) ([]store.IdPFinding, error)
}

// RunLinks runs the worker-link and identity-provider finding part of the
// conformance suite against the stores that open returns, with the same
// rules as [Run].
func RunLinks(t *testing.T, open func(t *testing.T) LinkStore) {
	tests := []subtest[LinkStore]{
		{"WorkerLinks", testWorkerLinks},
		{"WorkerLinkTimeDefault", testWorkerLinkNow},
		{"WorkerLinkInvalid", testWorkerLinkInvalid},
		{"WorkerUnlink", testWorkerUnlink},
		{"IdPFindingsRoundTrip", testIdPFindings},
		{"IdPFindingsStoredOnce", testIdPFindingsOnce},
		{"IdPFindingsAllOrNothing", testIdPFindingsAllOrNothing},
		{"IdPFindingsInvalid", testIdPFindingsInvalid},
		{"IdPFindingsConcurrent", testIdPFindingsConcurrent},
	}
	runAll(t, tests, open)
}

func putLinkWorker(t *testing.T, s LinkStore, id string) {
	t.Helper()
	if err := s.PutWorker(t.Context(), store.Worker{ID: id, Name: id, ClaimedLocation: "Phoenix, AZ, US", Lat: 33.45, Lon: -112.07}); err != nil {
		t.Fatalf("PutWorker(%q) = %v", id, err)
	}
}

func link(t *testing.T, s LinkStore, l store.WorkerLink) {
	t.Helper()
	if err := s.LinkWorker(t.Context(), l); err != nil {
		t.Fatalf("LinkWorker(%+v) = %v", l, err)
	}
}

func testWorkerLinks(t *testing.T, s LinkStore) {
	ctx := t.Context()
	putLinkWorker(t, s, "w-1")
	putLinkWorker(t, s, "w-2")
	at := t0.Add(123456789 * time.Nanosecond) // the sub-microsecond part is dropped
	app := store.WorkerLink{WorkerID: "w-1", Kind: store.LinkApplicant, Ref: "app-42", AddedAt: at}
	link(t, s, store.WorkerLink{WorkerID: "w-1", Kind: store.LinkAccount, Ref: "zoe@example.com", AddedAt: at})
	link(t, s, app)
	link(t, s, store.WorkerLink{WorkerID: "w-1", Kind: store.LinkAccount, Ref: "ana@example.com", AddedAt: at.Add(time.Hour)})
	link(t, s, store.WorkerLink{WorkerID: "w-2", Kind: store.LinkApplicant, Ref: "app-42", AddedAt: at}) // one applicant, two workers: allowed
	// Linking again changes nothing, not even the time.
	again := app
	again.AddedAt = at.Add(48 * time.Hour)
	link(t, s, again)

	want1 := []store.WorkerLink{
		{WorkerID: "w-1", Kind: store.LinkAccount, Ref: "ana@example.com", AddedAt: utc(at.Add(time.Hour))},
		{WorkerID: "w-1", Kind: store.LinkAccount, Ref: "zoe@example.com", AddedAt: utc(at)},
		{WorkerID: "w-1", Kind: store.LinkApplicant, Ref: "app-42", AddedAt: utc(at)},
	}
	got, err := s.WorkerLinks(ctx, "w-1")
	if err != nil || !reflect.DeepEqual(got, want1) {
		t.Errorf("WorkerLinks(w-1) = %+v, %v; want %+v", got, err, want1)
	}
	all, err := s.AllWorkerLinks(ctx)
	want := append(want1, store.WorkerLink{WorkerID: "w-2", Kind: store.LinkApplicant, Ref: "app-42", AddedAt: utc(at)})
	if err != nil || !reflect.DeepEqual(all, want) {
		t.Errorf("AllWorkerLinks() = %+v, %v; want %+v", all, err, want)
	}
	for _, id := range []string{"w-9", ""} {
		if got, err := s.WorkerLinks(ctx, id); err != nil || len(got) != 0 {
			t.Errorf("WorkerLinks(%q) = %+v, %v; want none", id, got, err)
		}
	}
}

func testWorkerLinkNow(t *testing.T, s LinkStore) {
	putLinkWorker(t, s, "w-1")
	before := time.Now().Add(-time.Second)
	link(t, s, store.WorkerLink{WorkerID: "w-1", Kind: store.LinkAccount, Ref: "ana@example.com"})
	after := time.Now().Add(time.Second)
	got, err := s.WorkerLinks(t.Context(), "w-1")
	if err != nil || len(got) != 1 {
		t.Fatalf("WorkerLinks(w-1) = %+v, %v; want one link", got, err)
	}
	if a := got[0].AddedAt; a.Before(before) || a.After(after) || a.Location() != time.UTC {
		t.Errorf("AddedAt of a link made with none = %v; want now in UTC, between %v and %v", a, before, after)
	}
}

func testWorkerLinkInvalid(t *testing.T, s LinkStore) {
	ctx := t.Context()
	putLinkWorker(t, s, "w-1")
	ok := store.WorkerLink{WorkerID: "w-1", Kind: store.LinkApplicant, Ref: "app-1", AddedAt: t0}
	for _, tc := range []struct {
		name  string
		edit  func(l *store.WorkerLink)
		field string
	}{
		{"no worker", func(l *store.WorkerLink) { l.WorkerID = "" }, "WorkerID"},
		{"long worker", func(l *store.WorkerLink) { l.WorkerID = strings.Repeat("w", store.MaxLinkWorkerIDLen+1) }, "WorkerID"},
		{"unknown kind", func(l *store.WorkerLink) { l.Kind = "device" }, "Kind"},
		{"no kind", func(l *store.WorkerLink) { l.Kind = "" }, "Kind"},
		{"no ref", func(l *store.WorkerLink) { l.Ref = " " }, "Ref"},
		{"long ref", func(l *store.WorkerLink) { l.Ref = strings.Repeat("a", store.MaxLinkRefLen+1) }, "Ref"},
		{"NUL in ref", func(l *store.WorkerLink) { l.Ref = "a\x00b" }, "Ref"},
		{"bad UTF-8 ref", func(l *store.WorkerLink) { l.Ref = "a\xffb" }, "Ref"},
		{"year 10000", func(l *store.WorkerLink) { l.AddedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "AddedAt"},
	} {
		l := ok
		tc.edit(&l)
		err := s.LinkWorker(ctx, l)
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: LinkWorker() = %v; want an error naming %s", tc.name, err, tc.field)
		}
		if l.Validate() == nil {
			t.Errorf("%s: Validate() = nil; want an error", tc.name)
		}
	}
	l := ok
	l.WorkerID = "w-9"
	if err := s.LinkWorker(ctx, l); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LinkWorker(unknown worker) = %v; want ErrNotFound", err)
	}
	if all, err := s.AllWorkerLinks(ctx); err != nil || len(all) != 0 {
		t.Errorf("AllWorkerLinks() after only invalid links = %+v, %v; want none", all, err)
	}
	// The longest valid values are stored.
	l = store.WorkerLink{WorkerID: "w-1", Kind: store.LinkAccount, Ref: strings.Repeat("é", store.MaxLinkRefLen/2), AddedAt: t0}
	link(t, s, l)
}

// finding returns a finding of worker w at t0+at whose explanation ends
// with note.
func finding(w, kind string, at time.Duration, note string) store.IdPFinding {
	body := fmt.Sprintf(`{"WorkerID":%q,"Kind":%q,"LR":8,"Explanation":%q,"Evidence":["e-1","e-2"]}`, w, kind, note)
	return store.IdPFinding{
		WorkerID: w, Kind: kind, At: t0.Add(at), LR: 8,
		Explanation: "3 workers signed in from 203.0.113.50: " + note,
		Refs:        []string{"e-1", "e-2"},
		Body:        json.RawMessage(body),
	}
}

// storedFinding returns f as a store returns it.
func storedFinding(f store.IdPFinding) store.IdPFinding {
	return store.PrepareIdPFinding(f)
}

func allFindings(t *testing.T, s LinkStore, w string) []store.IdPFinding {
	t.Helper()
	got, err := s.IdPFindings(t.Context(), w, time.Time{}, 0)
	if err != nil {
		t.Fatalf("IdPFindings(%q) = %v", w, err)
	}
	return got
}

func saveFindings(t *testing.T, s LinkStore, fs []store.IdPFinding, want int) {
	t.Helper()
	n, err := s.SaveIdPFindings(t.Context(), fs)
	if err != nil || n != want {
		t.Fatalf("SaveIdPFindings(%d findings) = %d, %v; want %d stored", len(fs), n, err, want)
	}
}

func testIdPFindings(t *testing.T, s LinkStore) {
	ctx := t.Context()
	putLinkWorker(t, s, "w-1")
	putLinkWorker(t, s, "w-2")
	a := finding("w-1", "idp.shared-egress", -72*time.Hour, "a")
	b := finding("w-1", "idp.off-hours", -time.Hour+123*time.Nanosecond, "b") // the sub-microsecond part is dropped
	b.LR, b.Refs, b.Body = 0, nil, nil                                        // LR 0: the configured weight; no refs; body {}
	c := finding("w-2", "idp.impossible-travel", 0, "c")
	c.Explanation = `Ça va? <b>"quoted"</b> 🦊`
	c.At = c.At.In(time.FixedZone("MST", -7*3600))
	saveFindings(t, s, []store.IdPFinding{a, b, c}, 3)

	want := []store.IdPFinding{storedFinding(b), storedFinding(a)}
	got := allFindings(t, s, "w-1")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("IdPFindings(w-1) =\n%+v\nwant (newest first)\n%+v", got, want)
	}
	if len(got) == 2 && (string(got[0].Body) != "{}" || got[0].Refs != nil || got[0].ID != store.IdPFindingID(b) || len(got[0].ID) != 64) {
		t.Errorf("finding without refs and body = %+v; want Refs nil, Body {}, ID the 64-hex-digit IdPFindingID", got[0])
	}
	if got := allFindings(t, s, "w-2"); len(got) != 1 || got[0].Explanation != c.Explanation || !got[0].At.Equal(c.At) || got[0].At.Location() != time.UTC {
		t.Errorf("IdPFindings(w-2) = %+v; want c with its text and time (in UTC)", got)
	}
	// since is inclusive; limit keeps the newest.
	if got, err := s.IdPFindings(ctx, "w-1", utc(a.At), 0); err != nil || len(got) != 2 {
		t.Errorf("IdPFindings(w-1, since the oldest) = %d findings, %v; want 2", len(got), err)
	}
	if got, err := s.IdPFindings(ctx, "w-1", a.At.Add(time.Microsecond), 0); err != nil || len(got) != 1 || got[0].Kind != "idp.off-hours" {
		t.Errorf("IdPFindings(w-1, after the oldest) = %+v, %v; want only the newer", got, err)
	}
	if got, err := s.IdPFindings(ctx, "w-1", time.Time{}, 1); err != nil || len(got) != 1 || got[0].Kind != "idp.off-hours" {
		t.Errorf("IdPFindings(w-1, limit 1) = %+v, %v; want the newest", got, err)
	}
	if got, err := s.IdPFindings(ctx, "w-9", time.Time{}, 0); err != nil || len(got) != 0 {
		t.Errorf("IdPFindings(unknown worker) = %+v, %v; want none", got, err)
	}
	if n, err := s.SaveIdPFindings(ctx, nil); err != nil || n != 0 {
		t.Errorf("SaveIdPFindings(nil) = %d, %v; want 0, nil", n, err)
	}
}

func testIdPFindingsOnce(t *testing.T, s LinkStore) {
	putLinkWorker(t, s, "w-1")
	a := finding("w-1", "idp.shared-egress", -time.Hour, "a")
	b := finding("w-1", "idp.hosting-ip", -2*time.Hour, "b")
	saveFindings(t, s, []store.IdPFinding{a, b, a}, 2) // a repeat within one call counts once
	// The same log imported again: nothing new, whatever ID the caller
	// gives and whatever body a newer analysis encodes.
	a2 := a
	a2.ID, a2.Body = "made-up", json.RawMessage(`{"new_field":1}`)
	saveFindings(t, s, []store.IdPFinding{b, a2}, 0)
	if got := allFindings(t, s, "w-1"); len(got) != 2 || string(got[0].Body) != string(a.Body) {
		t.Fatalf("after saving again: %+v; want the 2 findings as first stored", got)
	}
	// Any change of content is a new finding.
	for _, edit := range []func(f *store.IdPFinding){
		func(f *store.IdPFinding) { f.Explanation += "." },
		func(f *store.IdPFinding) { f.At = f.At.Add(time.Microsecond) },
		func(f *store.IdPFinding) { f.LR = 4 },
		func(f *store.IdPFinding) { f.Refs = append(f.Refs, "e-3") },
		func(f *store.IdPFinding) { f.Kind = "idp.shared-egress2" },
	} {
		f := a
		f.Refs = append([]string(nil), a.Refs...)
		edit(&f)
		saveFindings(t, s, []store.IdPFinding{f}, 1)
	}
	if got := allFindings(t, s, "w-1"); len(got) != 7 {
		t.Errorf("IdPFindings after 5 changed findings = %d findings; want 7", len(got))
	}
}

func testIdPFindingsAllOrNothing(t *testing.T, s LinkStore) {
	ctx := t.Context()
	putLinkWorker(t, s, "w-1")
	ok := finding("w-1", "idp.shared-egress", 0, "ok")
	_, err := s.SaveIdPFindings(ctx, []store.IdPFinding{ok, finding("w-9", "idp.off-hours", 0, "unknown worker")})
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "w-9") {
		t.Errorf("SaveIdPFindings(with an unknown worker) = %v; want ErrNotFound naming w-9", err)
	}
	bad := finding("w-1", "idp.off-hours", 0, "bad")
	bad.LR = math.NaN()
	_, err = s.SaveIdPFindings(ctx, []store.IdPFinding{ok, bad})
	if err == nil || !strings.Contains(err.Error(), "finding 1") || !strings.Contains(err.Error(), "LR") {
		t.Errorf("SaveIdPFindings(with an invalid finding) = %v; want an error naming finding 1 and LR", err)
	}
	if got := allFindings(t, s, "w-1"); len(got) != 0 {
		t.Errorf("IdPFindings after failed saves = %+v; want none", got)
	}
	saveFindings(t, s, []store.IdPFinding{ok}, 1)
}

func testIdPFindingsInvalid(t *testing.T, s LinkStore) {
	putLinkWorker(t, s, "w-1")
	for _, tc := range []struct {
		name  string
		edit  func(f *store.IdPFinding)
		field string
	}{
		{"no worker", func(f *store.IdPFinding) { f.WorkerID = "" }, "WorkerID"},
		{"long worker", func(f *store.IdPFinding) { f.WorkerID = strings.Repeat("w", store.MaxLinkWorkerIDLen+1) }, "WorkerID"},
		{"not idp", func(f *store.IdPFinding) { f.Kind = "latency.impossible" }, "Kind"},
		{"idp. alone", func(f *store.IdPFinding) { f.Kind = "idp." }, "Kind"},
		{"upper case", func(f *store.IdPFinding) { f.Kind = "idp.Off-Hours" }, "Kind"},
		{"long kind", func(f *store.IdPFinding) { f.Kind = "idp." + strings.Repeat("k", store.MaxDetectorLen) }, "Kind"},
		{"no time", func(f *store.IdPFinding) { f.At = time.Time{} }, "At"},
		{"negative LR", func(f *store.IdPFinding) { f.LR = -1 }, "LR"},
		{"infinite LR", func(f *store.IdPFinding) { f.LR = math.Inf(1) }, "LR"},
		{"long explanation", func(f *store.IdPFinding) { f.Explanation = strings.Repeat("x", store.MaxIdPExplanationLen+1) }, "Explanation"},
		{"NUL in explanation", func(f *store.IdPFinding) { f.Explanation = "a\x00" }, "Explanation"},
		{"too many refs", func(f *store.IdPFinding) { f.Refs = make([]string, store.MaxIdPRefs+1) }, "Refs"},
		{"empty ref", func(f *store.IdPFinding) { f.Refs = []string{"e-1", ""} }, "Refs[1]"},
		{"long ref", func(f *store.IdPFinding) { f.Refs = []string{strings.Repeat("r", store.MaxIdPRefLen+1)} }, "Refs[0]"},
		{"body array", func(f *store.IdPFinding) { f.Body = json.RawMessage(`[1]`) }, "Body"},
		{"body not JSON", func(f *store.IdPFinding) { f.Body = json.RawMessage(`{"a":`) }, "Body"},
		{"body NUL", func(f *store.IdPFinding) { f.Body = json.RawMessage("{\"a\":\"\x00\"}") }, "Body"},
		{"body too large", func(f *store.IdPFinding) {
			f.Body = json.RawMessage(`{"a":"` + strings.Repeat("x", store.MaxIdPBodyLen) + `"}`)
		}, "Body"},
	} {
		f := finding("w-1", "idp.off-hours", 0, tc.name)
		tc.edit(&f)
		_, err := s.SaveIdPFindings(t.Context(), []store.IdPFinding{f})
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: SaveIdPFindings() = %v; want an error naming %s", tc.name, err, tc.field)
		}
	}
	if _, err := s.SaveIdPFindings(t.Context(), make([]store.IdPFinding, store.MaxIdPFindings+1)); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("SaveIdPFindings(%d findings) = %v; want an error naming the limit", store.MaxIdPFindings+1, err)
	}
	if got := allFindings(t, s, "w-1"); len(got) != 0 {
		t.Errorf("IdPFindings after invalid saves = %+v; want none", got)
	}
	// The longest valid values are stored unchanged.
	f := finding("w-1", "idp."+strings.Repeat("k", store.MaxDetectorLen-4), 0, "")
	f.Explanation = strings.Repeat("é", store.MaxIdPExplanationLen/2)
	f.Refs = make([]string, store.MaxIdPRefs)
	for i := range f.Refs {
		f.Refs[i] = fmt.Sprintf("%04d", i) + strings.Repeat("r", store.MaxIdPRefLen-4)
	}
	saveFindings(t, s, []store.IdPFinding{f}, 1)
	if got := allFindings(t, s, "w-1"); len(got) != 1 || !reflect.DeepEqual(got[0], storedFinding(f)) {
		t.Errorf("the longest valid finding did not come back unchanged")
	}
}

// testIdPFindingsConcurrent imports one log several times at once: each
// finding is stored once and counted as new by exactly one call.
func testIdPFindingsConcurrent(t *testing.T, s LinkStore) {
	putLinkWorker(t, s, "w-1")
	var fs []store.IdPFinding
	for i := range 50 {
		fs = append(fs, finding("w-1", "idp.shared-egress", time.Duration(-i)*time.Minute, fmt.Sprint(i)))
	}
	const n = 6
	var wg sync.WaitGroup
	counts := make([]int, n)
	errs := make([]error, n)
	for g := range n {
		wg.Go(func() { counts[g], errs[g] = s.SaveIdPFindings(t.Context(), fs) })
	}
	wg.Wait()
	total := 0
	for g := range n {
		if errs[g] != nil {
			t.Fatalf("SaveIdPFindings() in goroutine %d = %v", g, errs[g])
		}
		total += counts[g]
	}
	if got := allFindings(t, s, "w-1"); total != len(fs) || len(got) != len(fs) {
		t.Errorf("%d concurrent imports of %d findings: counted %d new, stored %d; want %d and %d", n, len(fs), total, len(got), len(fs), len(fs))
	}
}

// testWorkerUnlink: UnlinkWorker removes exactly the link named by worker,
// kind and ref, reports whether it was there, and refuses an invalid one
// without touching the others.
func testWorkerUnlink(t *testing.T, s LinkStore) {
	ctx := t.Context()
	putLinkWorker(t, s, "w-1")
	putLinkWorker(t, s, "w-2")
	keep := []store.WorkerLink{
		{WorkerID: "w-1", Kind: store.LinkAccount, Ref: "app-1"},   // same ref, other kind
		{WorkerID: "w-2", Kind: store.LinkApplicant, Ref: "app-1"}, // same ref, other worker
		{WorkerID: "w-1", Kind: store.LinkApplicant, Ref: "app-2"},
	}
	gone := store.WorkerLink{WorkerID: "w-1", Kind: store.LinkApplicant, Ref: "app-1"}
	for _, l := range append(keep, gone) {
		link(t, s, l)
	}
	if ok, err := s.UnlinkWorker(ctx, gone); err != nil || !ok {
		t.Fatalf("UnlinkWorker(%+v) = %v, %v; want true", gone, ok, err)
	}
	if ok, err := s.UnlinkWorker(ctx, gone); err != nil || ok {
		t.Errorf("UnlinkWorker(%+v) again = %v, %v; want false", gone, ok, err)
	}
	if ok, err := s.UnlinkWorker(ctx, store.WorkerLink{WorkerID: "w-9", Kind: store.LinkApplicant, Ref: "app-1"}); err != nil || ok {
		t.Errorf("UnlinkWorker() of a worker never stored = %v, %v; want false", ok, err)
	}
	_, err := s.UnlinkWorker(ctx, store.WorkerLink{WorkerID: "w-1", Kind: "phone", Ref: "app-2"})
	if err == nil || !strings.Contains(err.Error(), "Kind") {
		t.Errorf("UnlinkWorker() of an unknown kind = %v; want an error naming Kind", err)
	}
	all, err := s.AllWorkerLinks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(keep) {
		t.Fatalf("AllWorkerLinks() after unlinking = %+v; want the %d others", all, len(keep))
	}
	for _, l := range all {
		if l.WorkerID == gone.WorkerID && l.Kind == gone.Kind && l.Ref == gone.Ref {
			t.Errorf("AllWorkerLinks() still holds %+v", l)
		}
	}
}
