package storetest

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/hiring"
	"github.com/lagwatch/lagwatch/internal/store"
)

// ApplicantStore is the set of applicant-screening methods every store
// implementation provides, with the semantics documented on [store.Store].
// Implementations must be safe for concurrent use.
type ApplicantStore interface {
	Close() error
	SaveApplicants(ctx context.Context, b store.ApplicantBatch) (store.ImportSummary, error)
	Applicant(ctx context.Context, id string) (store.ApplicantRecord, error)
	ApplicantCount(ctx context.Context) (int, error)
	ReviewQueue(ctx context.Context, q store.ReviewQuery) ([]store.ApplicantSummary, error)
	RecordDecision(ctx context.Context, d store.Decision) error
	Decisions(ctx context.Context, applicantID string) ([]store.Decision, error)
	ReplaceRings(ctx context.Context, rings []store.StoredRing) error
	Rings(ctx context.Context, limit int) ([]store.StoredRing, error)
	Ring(ctx context.Context, id string) (store.StoredRing, error)
	ForEachApplicant(ctx context.Context, fn func(store.StoredApplicant) error) error
}

// RunApplicants runs the applicant part of the conformance suite against
// the stores that open returns, with the same rules as [Run]: subtests run
// in parallel, each opens a new, empty store, and RunApplicants closes it.
func RunApplicants(t *testing.T, open func(t *testing.T) ApplicantStore) {
	tests := []subtest[ApplicantStore]{
		{"RoundTrip", testApplicantRoundTrip},
		{"AllOrNothing", testApplicantsAllOrNothing},
		{"InvalidErrors", testApplicantsInvalidErrors},
		{"UpsertKeepsDecisions", testApplicantUpsert},
		{"Large", testApplicantsLarge},
		{"ReviewQueue", testReviewQueue},
		{"ReviewQueuePaging", testReviewQueuePaging},
		{"ReviewQueueInvalid", testReviewQueueInvalid},
		{"Decisions", testDecisions},
		{"DecisionInvalid", testDecisionInvalid},
		{"Rings", testRings},
		{"RingsInvalid", testRingsInvalid},
		{"ConcurrentImports", testApplicantsConcurrent},
		{"ForEach", testForEachApplicant},
	}
	runAll(t, tests, open)
}

// fullApplicant returns an applicant with every field set.
func fullApplicant(id string) store.StoredApplicant {
	return store.StoredApplicant{
		Applicant: hiring.Applicant{
			ID:              id,
			Source:          "greenhouse.csv row 12",
			Name:            "Ana Ruiz <ana> & \"Çelik\" 🦊",
			Emails:          []string{"ana@example.com", "a.ruiz@example.org"},
			Phones:          []string{"+1 (602) 555-0134"},
			Links:           []string{"https://www.linkedin.com/in/ana-ruiz", "https://github.com/anaruiz"},
			Position:        "Senior Systems Administrator",
			ClaimedLocation: "Phoenix, AZ, US",
			ShippingAddress: "1 Main St, Phoenix, AZ 85001",
			ApplicationIP:   netip.MustParseAddr("2001:db8::7"),
			UserAgent:       "Mozilla/5.0 (X11; Linux x86_64)",
			AppliedAt:       time.Date(2026, 2, 27, 9, 15, 0, 123456789, time.FixedZone("MST", -7*3600)),
			Education: []hiring.Education{
				{Institution: "Arizona State University", Country: "US", Degree: "BSc", Area: "Computer Science",
					Start: hiring.YearMonth{Year: 2012, Month: 9}, End: hiring.YearMonth{Year: 2016}},
			},
			Employment: []hiring.Employment{
				{Employer: "Example Corp", Website: "example.com", Title: "Sysadmin", Location: "Tempe, AZ",
					Start: hiring.YearMonth{Year: 2016, Month: 7}, End: hiring.YearMonth{Year: 2020, Month: 1}},
				{Employer: "Acme", Title: "SRE", Start: hiring.YearMonth{Year: 2020, Month: 2}, Current: true},
			},
			ResumeText:  "Line one\nLine two\twith a tab, \"quotes\", <b>tags</b> and \\ backslashes — ünïcödé",
			PhotoHashes: []string{"d:8f3c0a1b2c3d4e5f", "0123456789abcdef"},
		},
		Score:  87.25,
		Level:  "high",
		Result: json.RawMessage(`{ "score": 87.25, "evidence": [ {"check": "voip", "weight": 0.4, "why": "\u00e9 \"quoted\""} ] }`),
		Shared: json.RawMessage(`[{"kind":"phone","value":"+16025550134","with":["a-2","worker:w-9"]}]`),
		RingID: "ring-1",
	}
}

// storedRecord returns what Applicant returns for a after batch b stored
// it, without a decision.
func storedRecord(a store.StoredApplicant, b store.ApplicantBatch) store.ApplicantRecord {
	a.Applicant.AppliedAt = utc(a.Applicant.AppliedAt)
	if a.Score == 0 {
		a.Score = 0 // -0 is stored as 0
	}
	if len(a.Result) == 0 {
		a.Result = nil
	}
	if len(a.Shared) == 0 {
		a.Shared = nil
	}
	return store.ApplicantRecord{StoredApplicant: a, ImportID: b.ImportID, ImportSource: b.Source, ImportedAt: utc(b.At)}
}

// simpleApplicant returns a small applicant with the given score and level.
func simpleApplicant(id string, score float64, level string) store.StoredApplicant {
	return store.StoredApplicant{
		Applicant: hiring.Applicant{ID: id, Name: "Name of " + id, Emails: []string{id + "@example.com"}},
		Score:     score, Level: level,
		Result: json.RawMessage(fmt.Sprintf(`{"id":%q,"score":%v}`, id, score)),
	}
}

func batch(importID string, at time.Time, as ...store.StoredApplicant) store.ApplicantBatch {
	return store.ApplicantBatch{ImportID: importID, Source: importID + ".csv", At: at, Applicants: as}
}

func saveApplicants(t *testing.T, s ApplicantStore, b store.ApplicantBatch, want store.ImportSummary) {
	t.Helper()
	got, err := s.SaveApplicants(t.Context(), b)
	if err != nil || got != want {
		t.Fatalf("SaveApplicants(%s, %d applicants) = %+v, %v; want %+v, nil", b.ImportID, len(b.Applicants), got, err, want)
	}
}

func getApplicant(t *testing.T, s ApplicantStore, id string) store.ApplicantRecord {
	t.Helper()
	r, err := s.Applicant(t.Context(), id)
	if err != nil {
		t.Fatalf("Applicant(%q) = %v", id, err)
	}
	return r
}

func applicantCount(t *testing.T, s ApplicantStore) int {
	t.Helper()
	n, err := s.ApplicantCount(t.Context())
	if err != nil {
		t.Fatalf("ApplicantCount() = %v", err)
	}
	return n
}

// recordDiff describes how got differs from want, "" if not at all. JSON
// values are compared byte for byte.
func recordDiff(got, want store.ApplicantRecord) string {
	if same(got, want) {
		return ""
	}
	var d []string
	if !same(got.Applicant, want.Applicant) {
		d = append(d, fmt.Sprintf("Applicant = %+v\nwant        %+v", got.Applicant, want.Applicant))
	}
	if string(got.Result) != string(want.Result) || (got.Result == nil) != (want.Result == nil) {
		d = append(d, fmt.Sprintf("Result = %q, want %q", got.Result, want.Result))
	}
	if string(got.Shared) != string(want.Shared) || (got.Shared == nil) != (want.Shared == nil) {
		d = append(d, fmt.Sprintf("Shared = %q, want %q", got.Shared, want.Shared))
	}
	if !same(got.Decision, want.Decision) {
		d = append(d, fmt.Sprintf("Decision = %+v, want %+v", got.Decision, want.Decision))
	}
	g, w := got, want
	g.Applicant, w.Applicant = hiring.Applicant{}, hiring.Applicant{}
	g.Result, w.Result, g.Shared, w.Shared, g.Decision, w.Decision = nil, nil, nil, nil, nil, nil
	if !same(g, w) {
		d = append(d, fmt.Sprintf("record = %+v, want %+v", g, w))
	}
	return strings.Join(d, "\n")
}

func testApplicantRoundTrip(t *testing.T, s ApplicantStore) {
	ctx := t.Context()
	if n := applicantCount(t, s); n != 0 {
		t.Fatalf("ApplicantCount() on empty store = %d, want 0", n)
	}
	full := fullApplicant("a-1")
	minimal := store.StoredApplicant{Applicant: hiring.Applicant{ID: "a-2"}, Score: math.Copysign(0, -1)}
	ipv4 := simpleApplicant("a-3", -1.5e-7, "")
	ipv4.Applicant.ApplicationIP = netip.MustParseAddr("203.0.113.9")
	ipv4.Applicant.AppliedAt = time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC) // before the Unix epoch
	ipv4.Result = json.RawMessage(`[]`)
	ipv4.Shared = json.RawMessage(`null`)
	b := batch("imp-1", t0.Add(123456789*time.Nanosecond).In(time.FixedZone("IST", 5*3600+1800)), full, minimal, ipv4)
	saveApplicants(t, s, b, store.ImportSummary{Inserted: 3})
	for _, a := range b.Applicants {
		got := getApplicant(t, s, a.Applicant.ID)
		if d := recordDiff(got, storedRecord(a, b)); d != "" {
			t.Errorf("Applicant(%q) after a round trip:\n%s", a.Applicant.ID, d)
		}
	}
	if got := getApplicant(t, s, "a-2"); math.Signbit(got.Score) {
		t.Errorf("Applicant(a-2).Score = %v, want +0", got.Score)
	}
	if n := applicantCount(t, s); n != 3 {
		t.Errorf("ApplicantCount() = %d, want 3", n)
	}
	_, err := s.Applicant(ctx, "a-missing")
	wantErr(t, `Applicant("a-missing")`, err, store.ErrNotFound, "a-missing")
	_, err = s.Applicant(ctx, "A-1") // IDs are case-sensitive
	wantErr(t, `Applicant("A-1")`, err, store.ErrNotFound)

	// An empty batch stores nothing and is not an error.
	saveApplicants(t, s, batch("imp-empty", t0), store.ImportSummary{})
}

// manyApplicants returns n simple applicants "prefix-0000" ...
func manyApplicants(prefix string, from, n int) []store.StoredApplicant {
	out := make([]store.StoredApplicant, n)
	for i := range out {
		out[i] = simpleApplicant(fmt.Sprintf("%s-%04d", prefix, from+i), float64((from+i)%97), []string{"low", "medium", "high"}[(from+i)%3])
	}
	return out
}

func testApplicantsAllOrNothing(t *testing.T, s ApplicantStore) {
	ctx := t.Context()
	// 300 applicants span several statements; the bad one comes last.
	good := func() store.ApplicantBatch {
		as := manyApplicants("a", 0, 300)
		return batch("imp-2", t0.Add(time.Hour), as...)
	}
	first := batch("imp-1", t0, manyApplicants("a", 0, 10)...)
	saveApplicants(t, s, first, store.ImportSummary{Inserted: 10})

	tests := []struct {
		name    string
		break_  func(b *store.ApplicantBatch)
		mention []string
	}{
		{"email too long", func(b *store.ApplicantBatch) {
			b.Applicants[299].Applicant.Emails = []string{strings.Repeat("x", hiring.MaxTextLen+1)}
		}, []string{"a-0299", "emails[0]", "512"}},
		{"no ID", func(b *store.ApplicantBatch) { b.Applicants[299].Applicant.ID = "" }, []string{"id", "required"}},
		{"NaN score", func(b *store.ApplicantBatch) { b.Applicants[250].Score = math.NaN() }, []string{"a-0250", "Score"}},
		{"infinite score", func(b *store.ApplicantBatch) { b.Applicants[5].Score = math.Inf(-1) }, []string{"a-0005", "Score"}},
		{"level too long", func(b *store.ApplicantBatch) {
			b.Applicants[299].Level = strings.Repeat("h", store.MaxLevelLen+1)
		}, []string{"a-0299", "Level", "64"}},
		{"result not JSON", func(b *store.ApplicantBatch) { b.Applicants[299].Result = json.RawMessage(`{"a":`) }, []string{"a-0299", "Result"}},
		{"result two values", func(b *store.ApplicantBatch) { b.Applicants[299].Result = json.RawMessage(`{} {}`) }, []string{"a-0299", "Result"}},
		{"result too deep", func(b *store.ApplicantBatch) {
			b.Applicants[299].Result = json.RawMessage(strings.Repeat("[", store.MaxJSONDepth+1) + strings.Repeat("]", store.MaxJSONDepth+1))
		}, []string{"a-0299", "Result", "100"}},
		{"result too large", func(b *store.ApplicantBatch) {
			b.Applicants[299].Result = json.RawMessage(`"` + strings.Repeat("x", store.MaxResultLen) + `"`)
		}, []string{"a-0299", "Result", "1048576"}},
		{"shared bad UTF-8", func(b *store.ApplicantBatch) { b.Applicants[299].Shared = json.RawMessage("[\"\xff\"]") }, []string{"a-0299", "Shared"}},
		{"ring NUL", func(b *store.ApplicantBatch) { b.Applicants[299].RingID = "r\x00" }, []string{"a-0299", "RingID"}},
		{"applied far future", func(b *store.ApplicantBatch) {
			b.Applicants[299].Applicant.AppliedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
		}, []string{"a-0299", "applied_at"}},
		{"bad photo hash", func(b *store.ApplicantBatch) { b.Applicants[299].Applicant.PhotoHashes = []string{"xyz"} }, []string{"a-0299", "photo_hashes[0]"}},
		{"duplicate ID", func(b *store.ApplicantBatch) { b.Applicants[299].Applicant.ID = "a-0007" }, []string{"a-0007", "twice"}},
		{"no import ID", func(b *store.ApplicantBatch) { b.ImportID = "" }, []string{"ImportID"}},
		{"source NUL", func(b *store.ApplicantBatch) { b.Source = "x\x00" }, []string{"Source"}},
		{"zero time", func(b *store.ApplicantBatch) { b.At = time.Time{} }, []string{"At"}},
	}
	for _, tt := range tests {
		b := good()
		tt.break_(&b)
		if err := b.Validate(); err == nil {
			t.Errorf("ApplicantBatch.Validate(%s) = nil, want an error", tt.name)
		}
		sum, err := s.SaveApplicants(ctx, b)
		wantErr(t, fmt.Sprintf("SaveApplicants(%s)", tt.name), err, nil, tt.mention...)
		if sum != (store.ImportSummary{}) {
			t.Errorf("SaveApplicants(%s) summary = %+v, want zero", tt.name, sum)
		}
	}
	// Nothing of any bad batch was written: the first ten are as first
	// stored, the rest are absent.
	if n := applicantCount(t, s); n != 10 {
		t.Errorf("ApplicantCount() after bad batches = %d, want 10", n)
	}
	for _, a := range first.Applicants {
		if d := recordDiff(getApplicant(t, s, a.Applicant.ID), storedRecord(a, first)); d != "" {
			t.Errorf("Applicant(%q) after bad batches:\n%s", a.Applicant.ID, d)
		}
	}
	// The corrected batch is stored.
	saveApplicants(t, s, good(), store.ImportSummary{Inserted: 290, Updated: 10})
}

func testApplicantsInvalidErrors(t *testing.T, s ApplicantStore) {
	b := batch("imp-1", t0, manyApplicants("a", 0, 40)...)
	for i := range 15 {
		b.Applicants[2*i].Score = math.NaN()
	}
	_, err := s.SaveApplicants(t.Context(), b)
	// The error lists the first ten and counts the rest.
	wantErr(t, "SaveApplicants(15 bad applicants)", err, nil, "imp-1", "a-0000", "a-0018", "5 more invalid applicants")
	if err != nil && strings.Contains(err.Error(), "a-0020") {
		t.Errorf("SaveApplicants(15 bad applicants) = %v, want only the first ten named", err)
	}
	if n := applicantCount(t, s); n != 0 {
		t.Errorf("ApplicantCount() = %d, want 0", n)
	}
}

func recordDecision(t *testing.T, s ApplicantStore, d store.Decision) {
	t.Helper()
	if err := s.RecordDecision(t.Context(), d); err != nil {
		t.Fatalf("RecordDecision(%+v) = %v", d, err)
	}
}

func decisions(t *testing.T, s ApplicantStore, id string) []store.Decision {
	t.Helper()
	got, err := s.Decisions(t.Context(), id)
	if err != nil {
		t.Fatalf("Decisions(%q) = %v", id, err)
	}
	return got
}

// storedDecision returns d as the store returns it.
func storedDecision(d store.Decision) store.Decision {
	d.At = utc(d.At)
	return d
}

func testApplicantUpsert(t *testing.T, s ApplicantStore) {
	first := batch("imp-1", t0, fullApplicant("a-1"), simpleApplicant("a-2", 10, "low"))
	saveApplicants(t, s, first, store.ImportSummary{Inserted: 2})
	ds := []store.Decision{
		{ApplicantID: "a-1", Outcome: store.OutcomeEscalate, Reviewer: "bob", Note: "check the degree", At: t0.Add(time.Hour)},
		{ApplicantID: "a-1", Outcome: store.OutcomeRejected, Reviewer: "carol", At: t0.Add(2 * time.Hour)},
	}
	for _, d := range ds {
		recordDecision(t, s, d)
	}

	// The re-import changes everything but the decisions, and clears the
	// screening output it no longer has.
	upd := simpleApplicant("a-1", 12.5, "medium")
	upd.Applicant.Name = "Ana R."
	upd.Result, upd.Shared, upd.RingID = nil, nil, ""
	second := batch("imp-2", t0.Add(3*time.Hour), upd, simpleApplicant("a-3", 99, "high"))
	second.Source = "second.json"
	saveApplicants(t, s, second, store.ImportSummary{Inserted: 1, Updated: 1})

	want := storedRecord(upd, second)
	last := storedDecision(ds[1])
	want.Decision = &last
	if d := recordDiff(getApplicant(t, s, "a-1"), want); d != "" {
		t.Errorf("Applicant(a-1) after re-import:\n%s", d)
	}
	if got, want := decisions(t, s, "a-1"), []store.Decision{storedDecision(ds[0]), storedDecision(ds[1])}; !same(got, want) {
		t.Errorf("Decisions(a-1) after re-import = %+v, want %+v", got, want)
	}
	// a-2 was not in the second import and is unchanged.
	if d := recordDiff(getApplicant(t, s, "a-2"), storedRecord(first.Applicants[1], first)); d != "" {
		t.Errorf("Applicant(a-2) after an import without it:\n%s", d)
	}
	got, err := s.ReviewQueue(t.Context(), store.ReviewQuery{})
	if err != nil {
		t.Fatalf("ReviewQueue() = %v", err)
	}
	wantQ := []store.ApplicantSummary{
		{ID: "a-3", Name: "Name of a-3", Score: 99, Level: "high", ImportedAt: utc(second.At)},
		{ID: "a-1", Name: "Ana R.", Score: 12.5, Level: "medium", ImportedAt: utc(second.At),
			Decision: store.OutcomeRejected, Reviewer: "carol", DecidedAt: utc(ds[1].At)},
		{ID: "a-2", Name: "Name of a-2", Score: 10, Level: "low", ImportedAt: utc(first.At)},
	}
	if !same(got, wantQ) {
		t.Errorf("ReviewQueue() after re-import = %+v, want %+v", got, wantQ)
	}
	// The same import again updates both and changes nothing.
	saveApplicants(t, s, second, store.ImportSummary{Updated: 2})
	if d := recordDiff(getApplicant(t, s, "a-1"), want); d != "" {
		t.Errorf("Applicant(a-1) after the same import again:\n%s", d)
	}
	if n := applicantCount(t, s); n != 3 {
		t.Errorf("ApplicantCount() = %d, want 3", n)
	}
}

// testApplicantsLarge imports more applicants than one statement holds,
// then a second import that overlaps half of them.
func testApplicantsLarge(t *testing.T, s ApplicantStore) {
	first := batch("imp-1", t0, manyApplicants("a", 0, 2000)...)
	first.Applicants[1500] = fullApplicant("a-1500")
	// Out of ID order: the store sorts.
	slices.Reverse(first.Applicants[:1000])
	saveApplicants(t, s, first, store.ImportSummary{Inserted: 2000})
	second := batch("imp-2", t0.Add(time.Hour), manyApplicants("a", 1000, 2000)...)
	for i := range second.Applicants {
		second.Applicants[i].Score += 1000
	}
	saveApplicants(t, s, second, store.ImportSummary{Inserted: 1000, Updated: 1000})
	if n := applicantCount(t, s); n != 3000 {
		t.Errorf("ApplicantCount() = %d, want 3000", n)
	}
	for _, c := range []struct {
		b store.ApplicantBatch
		i int
	}{{first, 0}, {first, 127}, {first, 128}, {first, 999}, {second, 0}, {second, 500}, {second, 1999}} {
		a := c.b.Applicants[c.i]
		if d := recordDiff(getApplicant(t, s, a.Applicant.ID), storedRecord(a, c.b)); d != "" {
			t.Errorf("Applicant(%q):\n%s", a.Applicant.ID, d)
		}
	}
	got, err := s.ReviewQueue(t.Context(), store.ReviewQuery{})
	if err != nil || len(got) != 3000 {
		t.Fatalf("ReviewQueue() = %d summaries, %v; want 3000", len(got), err)
	}
	if !slices.IsSortedFunc(got, queueOrder) {
		t.Errorf("ReviewQueue() is not sorted by score, then ID")
	}
}

// queueOrder is the order of the review queue.
func queueOrder(a, b store.ApplicantSummary) int {
	if c := cmp.Compare(b.Score, a.Score); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// queueFixture stores applicants with tied scores, several levels, IDs
// that differ in case and decisions of each outcome, and returns their
// summaries in queue order.
func queueFixture(t *testing.T, s ApplicantStore) []store.ApplicantSummary {
	t.Helper()
	type row struct {
		id    string
		score float64
		level string
	}
	rows := []row{
		{"a-01", 90, "high"}, {"A-02", 90, "high"}, {"a-02", 90, "high"}, {"a-03", 90, "medium"},
		{"a-04", 75.5, "medium"}, {"a-05", 75.5, "low"}, {"a-06", 50, "low"}, {"a-07", 50, "high"},
		{"a-08", 0, "low"}, {"a-09", -3, "low"}, {"a-10", 1e-9, "medium"}, {"a-11", 90.0000001, "high"},
		{"b-01", 40, "medium"}, {"b-02", 40, "medium"}, {"b-03", 40, "medium"}, {"b-04", 40, "medium"},
	}
	var as []store.StoredApplicant
	for _, r := range rows {
		as = append(as, simpleApplicant(r.id, r.score, r.level))
	}
	b := batch("imp-q", t0, as...)
	saveApplicants(t, s, b, store.ImportSummary{Inserted: len(rows)})
	ds := []store.Decision{
		{ApplicantID: "a-01", Outcome: store.OutcomeCleared, Reviewer: "ann", At: t0.Add(time.Hour)},
		{ApplicantID: "a-01", Outcome: store.OutcomeEscalate, Reviewer: "bob", At: t0.Add(30 * time.Minute)}, // older: not current
		{ApplicantID: "a-03", Outcome: store.OutcomeEscalate, Reviewer: "bob", At: t0.Add(time.Hour)},
		{ApplicantID: "a-06", Outcome: store.OutcomeRejected, Reviewer: "cy", At: t0.Add(time.Hour)},
		{ApplicantID: "a-09", Outcome: store.OutcomeEscalate, Reviewer: "dee", At: t0.Add(time.Hour)},
		{ApplicantID: "b-02", Outcome: store.OutcomeRejected, Reviewer: "ann", At: t0.Add(time.Hour)},
		{ApplicantID: "b-02", Outcome: store.OutcomeCleared, Reviewer: "bob", At: t0.Add(time.Hour)}, // same time, later: current
	}
	for _, d := range ds {
		recordDecision(t, s, d)
	}
	current := map[string]store.Decision{"a-01": ds[0], "a-03": ds[2], "a-06": ds[3], "a-09": ds[4], "b-02": ds[6]}
	var want []store.ApplicantSummary
	for _, r := range rows {
		sum := store.ApplicantSummary{ID: r.id, Name: "Name of " + r.id, Score: r.score, Level: r.level, ImportedAt: utc(b.At)}
		if d, ok := current[r.id]; ok {
			sum.Decision, sum.Reviewer, sum.DecidedAt = d.Outcome, d.Reviewer, utc(d.At)
		}
		want = append(want, sum)
	}
	slices.SortFunc(want, queueOrder)
	return want
}

// filterQueue returns the summaries of all that q's filters select.
func filterQueue(all []store.ApplicantSummary, q store.ReviewQuery) []store.ApplicantSummary {
	var out []store.ApplicantSummary
	for _, a := range all {
		if (q.Level == "" || a.Level == q.Level) && (!q.Undecided || a.Decision == "") && (q.Outcome == "" || a.Decision == q.Outcome) {
			out = append(out, a)
		}
	}
	return out
}

func queueIDs(as []store.ApplicantSummary) []string {
	ids := []string{}
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	return ids
}

var queueFilters = []store.ReviewQuery{
	{},
	{Level: "high"},
	{Level: "medium"},
	{Level: "none"},
	{Undecided: true},
	{Undecided: true, Level: "low"},
	{Outcome: store.OutcomeEscalate},
	{Outcome: store.OutcomeCleared, Level: "medium"},
	{Outcome: store.OutcomeRejected},
}

func testReviewQueue(t *testing.T, s ApplicantStore) {
	ctx := t.Context()
	all := queueFixture(t, s)
	wantOrder := []string{"a-11", "A-02", "a-01", "a-02", "a-03", "a-04", "a-05", "a-06", "a-07",
		"b-01", "b-02", "b-03", "b-04", "a-10", "a-08", "a-09"}
	if got := queueIDs(all); !same(got, wantOrder) {
		t.Fatalf("fixture order = %q, want %q", got, wantOrder) // the fixture itself is wrong
	}
	for _, q := range queueFilters {
		got, err := s.ReviewQueue(ctx, q)
		if err != nil {
			t.Fatalf("ReviewQueue(%+v) = %v", q, err)
		}
		want := filterQueue(all, q)
		if len(got) != 0 || len(want) != 0 {
			if !same(got, want) {
				t.Errorf("ReviewQueue(%+v) =\n%+v\nwant\n%+v", q, got, want)
			}
		}
	}
	// Limits.
	for _, limit := range []int{-1, 0, 1, 5, 16, 17} {
		got, err := s.ReviewQueue(ctx, store.ReviewQuery{Limit: limit})
		want := all
		if limit > 0 && limit < len(all) {
			want = all[:limit]
		}
		if err != nil || !same(got, want) {
			t.Errorf("ReviewQueue(Limit %d) = %q, %v; want %q", limit, queueIDs(got), err, queueIDs(want))
		}
	}
	// A cursor between tied scores, and one at a position no applicant has.
	cursors := []struct {
		after store.QueueCursor
		want  []string
	}{
		{store.QueueCursor{Score: 90, ID: "A-02"}, wantOrder[2:]},
		{store.QueueCursor{Score: 90, ID: "a-015"}, wantOrder[3:]},
		{store.QueueCursor{Score: 40, ID: "b-04"}, wantOrder[13:]},
		{store.QueueCursor{Score: 45, ID: "zzz"}, wantOrder[9:]},
		{store.QueueCursor{Score: 0, ID: "a-08"}, wantOrder[15:]},
		{store.QueueCursor{Score: -3, ID: "a-09"}, []string{}},
		{store.QueueCursor{Score: 1000, ID: "a"}, wantOrder},
	}
	for _, c := range cursors {
		got, err := s.ReviewQueue(ctx, store.ReviewQuery{After: c.after})
		if err != nil || !same(queueIDs(got), c.want) {
			t.Errorf("ReviewQueue(After %+v) = %q, %v; want %q", c.after, queueIDs(got), err, c.want)
		}
	}
}

func testReviewQueuePaging(t *testing.T, s ApplicantStore) {
	ctx := t.Context()
	all := queueFixture(t, s)
	for _, q := range queueFilters {
		want := filterQueue(all, q)
		for _, limit := range []int{1, 2, 3, 7} {
			q := q
			q.Limit = limit
			var got []store.ApplicantSummary
			for page := 0; ; page++ {
				if page > len(all) {
					t.Fatalf("ReviewQueue(%+v) does not end", q)
				}
				p, err := s.ReviewQueue(ctx, q)
				if err != nil {
					t.Fatalf("ReviewQueue(%+v) = %v", q, err)
				}
				if len(p) > limit {
					t.Fatalf("ReviewQueue(%+v) = %d summaries, more than the limit", q, len(p))
				}
				got = append(got, p...)
				if len(p) < limit {
					break
				}
				q.After = p[len(p)-1].Cursor()
			}
			if !same(queueIDs(got), queueIDs(want)) {
				t.Errorf("pages of %d of ReviewQueue(%+v) = %q, want %q", limit, q, queueIDs(got), queueIDs(want))
			}
		}
	}
	// A decision between pages takes the applicant out of the undecided
	// queue without disturbing the rest.
	q := store.ReviewQuery{Undecided: true, Limit: 3}
	p1, err := s.ReviewQueue(ctx, q)
	if err != nil || len(p1) != 3 {
		t.Fatalf("ReviewQueue(%+v) = %q, %v", q, queueIDs(p1), err)
	}
	undecided := filterQueue(all, store.ReviewQuery{Undecided: true})
	recordDecision(t, s, store.Decision{ApplicantID: undecided[3].ID, Outcome: store.OutcomeCleared, Reviewer: "ann", At: t0.Add(2 * time.Hour)})
	q.After = p1[2].Cursor()
	p2, err := s.ReviewQueue(ctx, q)
	if want := queueIDs(undecided[4:7]); err != nil || !same(queueIDs(p2), want) {
		t.Errorf("second page after a decision = %q, %v; want %q", queueIDs(p2), err, want)
	}
}

func testReviewQueueInvalid(t *testing.T, s ApplicantStore) {
	tests := []struct {
		name    string
		q       store.ReviewQuery
		mention []string
	}{
		{"unknown outcome", store.ReviewQuery{Outcome: "maybe"}, []string{"Outcome", "maybe", "cleared", "rejected", "escalate"}},
		{"outcome and undecided", store.ReviewQuery{Outcome: store.OutcomeCleared, Undecided: true}, []string{"Outcome", "Undecided"}},
		{"NaN cursor", store.ReviewQuery{After: store.QueueCursor{Score: math.NaN(), ID: "a"}}, []string{"After.Score"}},
		{"level NUL", store.ReviewQuery{Level: "\x00"}, []string{"Level"}},
	}
	for _, tt := range tests {
		_, err := s.ReviewQueue(t.Context(), tt.q)
		wantErr(t, fmt.Sprintf("ReviewQueue(%s)", tt.name), err, nil, tt.mention...)
	}
}

func testDecisions(t *testing.T, s ApplicantStore) {
	ctx := t.Context()
	saveApplicants(t, s, batch("imp-1", t0, simpleApplicant("a-1", 50, "medium"), simpleApplicant("a-2", 60, "high")), store.ImportSummary{Inserted: 2})
	if got := decisions(t, s, "a-1"); len(got) != 0 {
		t.Errorf("Decisions(a-1) before any = %+v, want none", got)
	}
	if r := getApplicant(t, s, "a-1"); r.Decision != nil {
		t.Errorf("Applicant(a-1).Decision before any = %+v, want nil", r.Decision)
	}
	zone := time.FixedZone("PDT", -7*3600)
	ds := []store.Decision{
		{ApplicantID: "a-1", Outcome: store.OutcomeEscalate, Reviewer: "bob", Note: "degree not offered by the school", At: t0.Add(2 * time.Hour).In(zone)},
		{ApplicantID: "a-1", Outcome: store.OutcomeCleared, Reviewer: "ann", Note: strings.Repeat("é", store.MaxNoteLen/2), At: t0.Add(time.Hour + 999)}, // earlier, recorded later
		{ApplicantID: "a-1", Outcome: store.OutcomeRejected, Reviewer: "carol", At: t0.Add(2 * time.Hour)},                                               // same time as the first, recorded later
		{ApplicantID: "a-2", Outcome: store.OutcomeCleared, Reviewer: "ann", At: t0},
	}
	for i, d := range ds {
		recordDecision(t, s, d)
		if i == 0 {
			if r := getApplicant(t, s, "a-1"); !same(r.Decision, ptr(storedDecision(d))) {
				t.Errorf("Applicant(a-1).Decision after one = %+v, want %+v", r.Decision, storedDecision(d))
			}
		}
	}
	want := []store.Decision{storedDecision(ds[1]), storedDecision(ds[0]), storedDecision(ds[2])}
	if got := decisions(t, s, "a-1"); !same(got, want) {
		t.Errorf("Decisions(a-1) =\n%+v\nwant\n%+v", got, want)
	}
	if r := getApplicant(t, s, "a-1"); !same(r.Decision, ptr(storedDecision(ds[2]))) {
		t.Errorf("Applicant(a-1).Decision = %+v, want the latest %+v", r.Decision, storedDecision(ds[2]))
	}
	if got := decisions(t, s, "a-2"); !same(got, []store.Decision{storedDecision(ds[3])}) {
		t.Errorf("Decisions(a-2) = %+v, want %+v", got, ds[3])
	}
	q, err := s.ReviewQueue(ctx, store.ReviewQuery{})
	if err != nil || len(q) != 2 || q[1].ID != "a-1" || q[1].Decision != store.OutcomeRejected || q[1].Reviewer != "carol" || q[1].DecidedAt != utc(ds[2].At) {
		t.Errorf("ReviewQueue() = %+v, %v; want a-1 rejected by carol at %v", q, err, utc(ds[2].At))
	}
	_, err = s.Decisions(ctx, "a-missing")
	wantErr(t, `Decisions("a-missing")`, err, store.ErrNotFound, "a-missing")
}

func ptr[T any](v T) *T { return &v }

func testDecisionInvalid(t *testing.T, s ApplicantStore) {
	ctx := t.Context()
	saveApplicants(t, s, batch("imp-1", t0, simpleApplicant("a-1", 50, "medium")), store.ImportSummary{Inserted: 1})
	good := store.Decision{ApplicantID: "a-1", Outcome: store.OutcomeRejected, Reviewer: "ann", Note: "n", At: t0}
	tests := []struct {
		name    string
		break_  func(d *store.Decision)
		target  error
		mention []string
	}{
		{"unknown outcome", func(d *store.Decision) { d.Outcome = "approved" }, nil, []string{"Outcome", "approved", "cleared", "rejected", "escalate"}},
		{"empty outcome", func(d *store.Decision) { d.Outcome = "" }, nil, []string{"Outcome"}},
		{"outcome case", func(d *store.Decision) { d.Outcome = "Cleared" }, nil, []string{"Outcome"}},
		{"no reviewer", func(d *store.Decision) { d.Reviewer = "" }, nil, []string{"Reviewer", "required"}},
		{"blank reviewer", func(d *store.Decision) { d.Reviewer = " \t" }, nil, []string{"Reviewer", "required"}},
		{"long reviewer", func(d *store.Decision) { d.Reviewer = strings.Repeat("r", store.MaxReviewerLen+1) }, nil, []string{"Reviewer", "256"}},
		{"long note", func(d *store.Decision) { d.Note = strings.Repeat("n", store.MaxNoteLen+1) }, nil, []string{"Note", "2001", "2000"}},
		{"note bad UTF-8", func(d *store.Decision) { d.Note = "\xff" }, nil, []string{"Note"}},
		{"zero time", func(d *store.Decision) { d.At = time.Time{} }, nil, []string{"At"}},
		{"no applicant ID", func(d *store.Decision) { d.ApplicantID = "" }, nil, []string{"ApplicantID"}},
		{"unknown applicant", func(d *store.Decision) { d.ApplicantID = "a-missing" }, store.ErrNotFound, []string{"a-missing"}},
	}
	for _, tt := range tests {
		d := good
		tt.break_(&d)
		err := s.RecordDecision(ctx, d)
		wantErr(t, fmt.Sprintf("RecordDecision(%s)", tt.name), err, tt.target, tt.mention...)
	}
	if got := decisions(t, s, "a-1"); len(got) != 0 {
		t.Errorf("Decisions(a-1) after invalid ones = %+v, want none", got)
	}
	if r := getApplicant(t, s, "a-1"); r.Decision != nil {
		t.Errorf("Applicant(a-1).Decision after invalid ones = %+v, want nil", r.Decision)
	}
	// The limit itself is allowed.
	good.Note = strings.Repeat("n", store.MaxNoteLen)
	recordDecision(t, s, good)
}

func allRings(t *testing.T, s ApplicantStore) []store.StoredRing {
	t.Helper()
	got, err := s.Rings(t.Context(), 0)
	if err != nil {
		t.Fatalf("Rings(0) = %v", err)
	}
	return got
}

func ringOfApplicant(t *testing.T, s ApplicantStore, id string) string {
	t.Helper()
	return getApplicant(t, s, id).RingID
}

func testRings(t *testing.T, s ApplicantStore) {
	ctx := t.Context()
	if got := allRings(t, s); len(got) != 0 {
		t.Fatalf("Rings() on empty store = %+v, want none", got)
	}
	var as []store.StoredApplicant
	for i := range 8 {
		a := simpleApplicant(fmt.Sprintf("a-%d", i), float64(i), "low")
		a.RingID = "old-ring"
		as = append(as, a)
	}
	saveApplicants(t, s, batch("imp-1", t0, as...), store.ImportSummary{Inserted: len(as)})

	before := time.Now()
	rings := []store.StoredRing{
		{ID: "r-small", Members: []string{"a-7", "a-6"}},
		{ID: "r-big", Members: []string{"a-3", "worker:w-9", "a-1", "a-2", "a-missing"}, // a worker and an applicant not stored
			Shared: json.RawMessage(`[{"kind": "phone", "value": "+16025550134", "with": ["a-1", "a-2"]}]`)},
		{ID: "r-tie-b", Members: []string{"a-4", "a-5", "a-1"}}, // a-1 is also in r-big, the larger ring
		{ID: "r-tie-a", Members: []string{"a-5", "a-6", "A-0"}}, // a-5 in two rings of 3: the smaller ID wins
	}
	if err := s.ReplaceRings(ctx, rings); err != nil {
		t.Fatalf("ReplaceRings() = %v", err)
	}
	after := time.Now()
	got := allRings(t, s)
	wantIDs := []string{"r-big", "r-tie-a", "r-tie-b", "r-small"}
	var gotIDs []string
	for _, r := range got {
		gotIDs = append(gotIDs, r.ID)
	}
	if !same(gotIDs, wantIDs) {
		t.Fatalf("Rings() IDs = %q, want %q", gotIDs, wantIDs)
	}
	updated := got[0].UpdatedAt
	if updated.Before(utc(before)) || updated.After(after) || updated != utc(updated) {
		t.Errorf("Rings()[0].UpdatedAt = %v, want a UTC microsecond time in [%v, %v]", updated, before, after)
	}
	byID := map[string]store.StoredRing{}
	for _, r := range rings {
		r.Members = slices.Sorted(slices.Values(r.Members))
		r.UpdatedAt = updated
		byID[r.ID] = r
	}
	for _, r := range got {
		if want := byID[r.ID]; !same(r, want) {
			t.Errorf("ring %s = %+v (shared %s), want %+v (shared %s)", r.ID, r, r.Shared, want, want.Shared)
		}
	}
	if got, err := s.Rings(ctx, 2); err != nil || len(got) != 2 || got[0].ID != "r-big" || got[1].ID != "r-tie-a" {
		t.Errorf("Rings(2) = %+v, %v; want r-big, r-tie-a", got, err)
	}
	r, err := s.Ring(ctx, "r-tie-b")
	if want := byID["r-tie-b"]; err != nil || !same(r, want) {
		t.Errorf("Ring(r-tie-b) = %+v, %v; want %+v", r, err, want)
	}
	_, err = s.Ring(ctx, "old-ring")
	wantErr(t, "Ring(old-ring)", err, store.ErrNotFound, "old-ring")

	// Every stored applicant's RingID follows the rings.
	wantRing := map[string]string{"a-0": "", "a-1": "r-big", "a-2": "r-big", "a-3": "r-big", "a-4": "r-tie-b",
		"a-5": "r-tie-a", "a-6": "r-tie-a", "a-7": "r-small"}
	for id, want := range wantRing {
		if got := ringOfApplicant(t, s, id); got != want {
			t.Errorf("Applicant(%s).RingID after ReplaceRings = %q, want %q", id, got, want)
		}
	}
	q, err := s.ReviewQueue(ctx, store.ReviewQuery{Limit: 1})
	if err != nil || len(q) != 1 || q[0].ID != "a-7" || q[0].RingID != "r-small" {
		t.Errorf("ReviewQueue(Limit 1) = %+v, %v; want a-7 in r-small", q, err)
	}

	// A second replacement drops the old rings entirely.
	next := []store.StoredRing{{ID: "r-new", Members: []string{"a-0", "a-1"}, Shared: json.RawMessage(`{}`)}}
	if err := s.ReplaceRings(ctx, next); err != nil {
		t.Fatalf("ReplaceRings(next) = %v", err)
	}
	got = allRings(t, s)
	if len(got) != 1 || got[0].ID != "r-new" || !same(got[0].Members, []string{"a-0", "a-1"}) || string(got[0].Shared) != `{}` {
		t.Errorf("Rings() after the second ReplaceRings = %+v, want only r-new", got)
	}
	for _, id := range wantIDs {
		_, err := s.Ring(ctx, id)
		wantErr(t, fmt.Sprintf("Ring(%s) after the second ReplaceRings", id), err, store.ErrNotFound)
	}
	for id := range wantRing {
		want := ""
		if id == "a-0" || id == "a-1" {
			want = "r-new"
		}
		if got := ringOfApplicant(t, s, id); got != want {
			t.Errorf("Applicant(%s).RingID after the second ReplaceRings = %q, want %q", id, got, want)
		}
	}
	// A later import sets the ring it is given, and no rings at all clears them.
	a := simpleApplicant("a-3", 3, "low")
	a.RingID = "r-new"
	saveApplicants(t, s, batch("imp-2", t0.Add(time.Hour), a), store.ImportSummary{Updated: 1})
	if got := ringOfApplicant(t, s, "a-3"); got != "r-new" {
		t.Errorf("Applicant(a-3).RingID after import = %q, want r-new", got)
	}
	if err := s.ReplaceRings(ctx, nil); err != nil {
		t.Fatalf("ReplaceRings(nil) = %v", err)
	}
	if got := allRings(t, s); len(got) != 0 {
		t.Errorf("Rings() after ReplaceRings(nil) = %+v, want none", got)
	}
	for id := range wantRing {
		if got := ringOfApplicant(t, s, id); got != "" {
			t.Errorf("Applicant(%s).RingID after ReplaceRings(nil) = %q, want none", id, got)
		}
	}
}

func testRingsInvalid(t *testing.T, s ApplicantStore) {
	ctx := t.Context()
	saveApplicants(t, s, batch("imp-1", t0, simpleApplicant("a-1", 1, "low"), simpleApplicant("a-2", 2, "low")), store.ImportSummary{Inserted: 2})
	keep := []store.StoredRing{{ID: "r-1", Members: []string{"a-1", "a-2"}, Shared: json.RawMessage(`[1]`)}}
	if err := s.ReplaceRings(ctx, keep); err != nil {
		t.Fatalf("ReplaceRings() = %v", err)
	}
	stored := allRings(t, s)
	tests := []struct {
		name    string
		rings   []store.StoredRing
		mention []string
	}{
		{"no ID", []store.StoredRing{{Members: []string{"a-1"}}}, []string{"ID"}},
		{"duplicate ID", []store.StoredRing{{ID: "r", Members: []string{"a-1"}}, {ID: "r", Members: []string{"a-2"}}}, []string{`"r"`, "index 1"}},
		{"no members", []store.StoredRing{{ID: "r-2"}}, []string{"r-2", "Members"}},
		{"empty member", []store.StoredRing{{ID: "r-2", Members: []string{"a-1", ""}}}, []string{"r-2", "Members[1]"}},
		{"duplicate member", []store.StoredRing{{ID: "r-2", Members: []string{"a-1", "a-2", "a-1"}}}, []string{"r-2", "a-1", "twice"}},
		{"member bad UTF-8", []store.StoredRing{{ID: "r-2", Members: []string{"\xff"}}}, []string{"r-2", "Members[0]"}},
		{"shared not JSON", []store.StoredRing{{ID: "r-2", Members: []string{"a-1"}, Shared: json.RawMessage(`[`)}}, []string{"r-2", "Shared"}},
	}
	for _, tt := range tests {
		rings := append([]store.StoredRing{{ID: "r-ok", Members: []string{"a-1"}}}, tt.rings...)
		err := s.ReplaceRings(ctx, rings)
		wantErr(t, fmt.Sprintf("ReplaceRings(%s)", tt.name), err, nil, tt.mention...)
	}
	if got := allRings(t, s); !same(got, stored) {
		t.Errorf("Rings() after invalid replacements = %+v, want unchanged %+v", got, stored)
	}
	if got := ringOfApplicant(t, s, "a-1"); got != "r-1" {
		t.Errorf("Applicant(a-1).RingID after invalid replacements = %q, want r-1", got)
	}
}

// testApplicantsConcurrent runs imports with overlapping IDs at the same
// time as decisions on those applicants: every applicant ends up wholly
// from one import, the counts add up, and no decision is lost.
func testApplicantsConcurrent(t *testing.T, s ApplicantStore) {
	ctx := t.Context()
	const (
		imports = 8
		each    = 150
		step    = 50 // import g stores IDs [g*step, g*step+each)
		total   = (imports-1)*step + each
	)
	version := func(g, i int) store.StoredApplicant {
		id := fmt.Sprintf("a-%04d", i)
		a := simpleApplicant(id, float64(g), fmt.Sprintf("level-%d", g))
		a.Applicant.Position = fmt.Sprintf("position-%d", g)
		a.Result = json.RawMessage(fmt.Sprintf(`{"import":%d}`, g))
		a.RingID = fmt.Sprintf("ring-%d", g)
		return a
	}
	// Decisions go to applicants that the first import stores.
	saveApplicants(t, s, batch("imp-seed", t0, version(-1, 0), version(-1, 1), version(-1, 2)), store.ImportSummary{Inserted: 3})
	sums := make([]store.ImportSummary, imports)
	errs := make([]error, imports)
	decErrs := make([]error, imports)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for g := range imports {
		wg.Go(func() {
			<-start
			var as []store.StoredApplicant
			for i := g * step; i < g*step+each; i++ {
				as = append(as, version(g, i))
			}
			if g%2 == 1 {
				slices.Reverse(as)
			}
			sums[g], errs[g] = s.SaveApplicants(ctx, batch(fmt.Sprintf("imp-%d", g), t0.Add(time.Duration(g)*time.Minute), as...))
		})
		wg.Go(func() {
			<-start
			decErrs[g] = s.RecordDecision(ctx, store.Decision{ApplicantID: fmt.Sprintf("a-%04d", g%3),
				Outcome: store.Outcomes[g%3], Reviewer: fmt.Sprintf("reviewer-%d", g), At: t0.Add(time.Duration(g) * time.Hour)})
		})
	}
	close(start)
	wg.Wait()
	inserted := 0
	for g := range imports {
		if errs[g] != nil || decErrs[g] != nil {
			t.Fatalf("concurrent import #%d = %v; decision #%d = %v", g, errs[g], g, decErrs[g])
		}
		if sums[g].Inserted+sums[g].Updated != each {
			t.Errorf("concurrent import #%d = %+v, want %d in all", g, sums[g], each)
		}
		inserted += sums[g].Inserted
	}
	if inserted != total-3 {
		t.Errorf("concurrent imports inserted %d in all, want %d", inserted, total-3)
	}
	if n := applicantCount(t, s); n != total {
		t.Errorf("ApplicantCount() = %d, want %d", n, total)
	}
	for i := range total {
		id := fmt.Sprintf("a-%04d", i)
		r := getApplicant(t, s, id)
		g := int(r.Score)
		if g*step > i || i >= g*step+each {
			t.Errorf("Applicant(%s) comes from import %d, which did not include it", id, g)
			continue
		}
		want := storedRecord(version(g, i), batch(fmt.Sprintf("imp-%d", g), t0.Add(time.Duration(g)*time.Minute)))
		want.Decision = r.Decision
		if d := recordDiff(r, want); d != "" {
			t.Errorf("Applicant(%s) is not wholly from import %d:\n%s", id, g, d)
		}
	}
	for i := range 3 {
		id := fmt.Sprintf("a-%04d", i)
		ds := decisions(t, s, id)
		if len(ds) != imports/3+boolInt(i < imports%3) {
			t.Errorf("Decisions(%s) = %d, want %d", id, len(ds), imports/3+boolInt(i < imports%3))
			continue
		}
		latest := ds[len(ds)-1]
		if r := getApplicant(t, s, id); !same(r.Decision, &latest) {
			t.Errorf("Applicant(%s).Decision = %+v, want the latest %+v", id, r.Decision, latest)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// benchApplicants returns n applicants of a realistic size (about 1.4 KB
// of JSON each with their screening result) with IDs prefix-0000001 ...
func benchApplicants(prefix string, n int) []store.StoredApplicant {
	levels := []string{"low", "medium", "high", "critical"}
	out := make([]store.StoredApplicant, n)
	resume := strings.Repeat("Administered Linux and Windows servers, automated deployments with Ansible. ", 6)
	for i := range out {
		id := fmt.Sprintf("%s-%07d", prefix, i)
		out[i] = store.StoredApplicant{
			Applicant: hiring.Applicant{
				ID: id, Source: fmt.Sprintf("ats-export.csv row %d", i+2),
				Name:            fmt.Sprintf("Applicant %d", i),
				Emails:          []string{fmt.Sprintf("applicant%d@example.com", i)},
				Phones:          []string{fmt.Sprintf("+1 (602) 555-%04d", i%10000)},
				Links:           []string{fmt.Sprintf("https://www.linkedin.com/in/applicant-%d", i)},
				Position:        "Systems Administrator",
				ClaimedLocation: "Phoenix, AZ, US",
				ShippingAddress: fmt.Sprintf("%d Main St, Phoenix, AZ 85001", i%9000+1),
				ApplicationIP:   netip.AddrFrom4([4]byte{203, 0, byte(i >> 8), byte(i)}),
				UserAgent:       "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
				AppliedAt:       t0.Add(-time.Duration(i) * time.Minute),
				Education: []hiring.Education{{Institution: "Arizona State University", Country: "US", Degree: "BSc", Area: "Computer Science",
					Start: hiring.YearMonth{Year: 2010, Month: 9}, End: hiring.YearMonth{Year: 2014, Month: 5}}},
				Employment: []hiring.Employment{
					{Employer: "Example Corp", Website: "example.com", Title: "Sysadmin", Location: "Tempe, AZ",
						Start: hiring.YearMonth{Year: 2014, Month: 7}, End: hiring.YearMonth{Year: 2019, Month: 12}},
					{Employer: "Acme Hosting", Title: "Senior Sysadmin", Start: hiring.YearMonth{Year: 2020, Month: 1}, Current: true},
				},
				ResumeText: resume,
			},
			Score:  float64(i%1000) / 10,
			Level:  levels[i%len(levels)],
			Result: json.RawMessage(fmt.Sprintf(`{"score":%d,"level":%q,"evidence":[{"check":"phone_voip","weight":0.3,"why":"number is VoIP"},{"check":"degree","weight":0.2,"why":"degree not offered"}]}`, i%1000, levels[i%len(levels)])),
		}
		if i%10 == 0 {
			out[i].Shared = json.RawMessage(fmt.Sprintf(`[{"kind":"phone","value":"+1602555%04d","with":["%s-%07d"]}]`, i%10000, prefix, (i+10)%n))
			out[i].RingID = fmt.Sprintf("ring-%d", i/100)
		}
	}
	return out
}

// BenchSaveApplicants measures importing n applicants of a realistic size
// in one SaveApplicants call: "insert" into a store that does not have them
// (each iteration imports new IDs), "reimport" of the same n (every one an
// update). open returns a new, empty store, which BenchSaveApplicants
// closes. Bytes per operation are the JSON sizes of the applicants, their
// results and linking output.
func BenchSaveApplicants(b *testing.B, open func(b *testing.B) ApplicantStore, n int) {
	encoded := func(as []store.StoredApplicant) int64 {
		enc := store.NewApplicantEncoder()
		var total int64
		for _, a := range as {
			body, err := enc.Encode(a.Applicant)
			if err != nil {
				b.Fatal(err)
			}
			total += int64(len(body) + len(a.Result) + len(a.Shared))
		}
		return total
	}
	run := func(b *testing.B, s ApplicantStore, batchFor func(iter int) store.ApplicantBatch, want func(iter int) store.ImportSummary) {
		b.Cleanup(func() { s.Close() })
		b.SetBytes(encoded(batchFor(0).Applicants))
		b.ReportAllocs()
		iter := 0
		for b.Loop() {
			bt := batchFor(iter)
			sum, err := s.SaveApplicants(b.Context(), bt)
			if err != nil || sum != want(iter) {
				b.Fatalf("SaveApplicants(%d applicants) = %+v, %v; want %+v", len(bt.Applicants), sum, err, want(iter))
			}
			iter++
		}
		b.ReportMetric(float64(iter*n)/b.Elapsed().Seconds(), "applicants/s")
	}
	b.Run("insert", func(b *testing.B) {
		s := open(b)
		var cur []store.StoredApplicant
		curIter := -1
		batchFor := func(iter int) store.ApplicantBatch {
			if iter != curIter {
				b.StopTimer()
				cur, curIter = benchApplicants(fmt.Sprintf("i%d", iter), n), iter
				b.StartTimer()
			}
			return batch(fmt.Sprintf("imp-%d", iter), t0.Add(time.Duration(iter)*time.Hour), cur...)
		}
		run(b, s, batchFor, func(int) store.ImportSummary { return store.ImportSummary{Inserted: n} })
	})
	b.Run("reimport", func(b *testing.B) {
		s := open(b)
		as := benchApplicants("r", n)
		if _, err := s.SaveApplicants(b.Context(), batch("imp-first", t0, as...)); err != nil {
			b.Fatal(err)
		}
		batchFor := func(iter int) store.ApplicantBatch {
			return batch(fmt.Sprintf("imp-%d", iter), t0.Add(time.Duration(iter+1)*time.Hour), as...)
		}
		run(b, s, batchFor, func(int) store.ImportSummary { return store.ImportSummary{Updated: n} })
	})
}

// FuzzApplicants checks, on a store that the fuzzer fills as it goes, that
// SaveApplicants stores exactly the applicants that
// [store.StoredApplicant.Validate] accepts and that each reads back as
// stored. A store's tests call it with a store they opened; it closes it.
func FuzzApplicants(f *testing.F, s ApplicantStore) {
	f.Cleanup(func() { s.Close() })
	f.Add("a-1", "Ana Ruiz", "ana@example.com", "Phoenix, AZ", "résumé <text>", 87.5, "high", []byte(`{"score":87.5}`), []byte(`[]`), "203.0.113.9", int64(1772366400123456789), 2016, 5)
	f.Add("a-2", "", "", "", "", 0.0, "", []byte(nil), []byte(nil), "", int64(0), 0, 0)
	f.Add("a-3", "x\x00", "\xff", " ", "", math.Inf(1), "lvl", []byte(`{"a":`), []byte("\"\\u0000\""), "fe80::1%eth0", int64(-1), 1899, 13)
	f.Add("a-4", "N", "e", "p", "r", -1e308, "l", []byte(`"\ud800"`), []byte(`[1e999]`), "::ffff:1.2.3.4", int64(253402300800000000), 2200, 12)
	f.Fuzz(func(t *testing.T, id, name, email, place, resume string, score float64, level string, result, shared []byte, ip string, appliedNanos int64, year, month int) {
		a := store.StoredApplicant{
			Applicant: hiring.Applicant{ID: id, Name: name, ClaimedLocation: place, ResumeText: resume,
				Education: []hiring.Education{{Institution: "U", Start: hiring.YearMonth{Year: year, Month: month}}}},
			Score: score, Level: level, Result: result, Shared: shared, RingID: level,
		}
		if email != "" {
			a.Applicant.Emails = []string{email}
		}
		if addr, err := netip.ParseAddr(ip); err == nil {
			a.Applicant.ApplicationIP = addr
		}
		if appliedNanos != 0 {
			a.Applicant.AppliedAt = time.Unix(0, appliedNanos).In(time.FixedZone("Z", int(appliedNanos%7)*3600))
		}
		b := batch("fuzz", t0, a)
		valid := a.Validate() == nil
		_, err := s.SaveApplicants(t.Context(), b)
		if valid != (err == nil) {
			t.Fatalf("Validate() says valid = %v, but SaveApplicants() = %v", valid, err)
		}
		if !valid {
			return
		}
		got, err := s.Applicant(t.Context(), id)
		if err != nil {
			t.Fatalf("Applicant(%q) after SaveApplicants = %v", id, err)
		}
		if d := recordDiff(got, storedRecord(a, b)); d != "" {
			t.Fatalf("Applicant(%q) after a round trip:\n%s", id, d)
		}
	})
}

func testForEachApplicant(t *testing.T, s ApplicantStore) {
	ctx := t.Context()
	visit := func() []store.StoredApplicant {
		var got []store.StoredApplicant
		if err := s.ForEachApplicant(ctx, func(a store.StoredApplicant) error {
			got = append(got, a)
			return nil
		}); err != nil {
			t.Fatalf("ForEachApplicant() = %v", err)
		}
		return got
	}
	if got := visit(); len(got) != 0 {
		t.Fatalf("ForEachApplicant on an empty store visited %d", len(got))
	}
	full := fullApplicant("b-full")
	as := append(manyApplicants("a-", 0, 5), full)
	saveApplicants(t, s, batch("imp-1", t0, as...), store.ImportSummary{Inserted: len(as)})
	got := visit()
	if len(got) != len(as) {
		t.Fatalf("ForEachApplicant visited %d applicants, want %d", len(got), len(as))
	}
	for i := 1; i < len(got); i++ {
		if got[i-1].Applicant.ID >= got[i].Applicant.ID {
			t.Fatalf("ForEachApplicant not in ID order: %q before %q", got[i-1].Applicant.ID, got[i].Applicant.ID)
		}
	}
	last := got[len(got)-1]
	want := getApplicant(t, s, full.Applicant.ID).StoredApplicant
	if d := recordDiff(store.ApplicantRecord{StoredApplicant: last}, store.ApplicantRecord{StoredApplicant: want}); d != "" {
		t.Errorf("ForEachApplicant's record differs from Applicant's: %s", d)
	}
	stop := errors.New("stop")
	n := 0
	err := s.ForEachApplicant(ctx, func(store.StoredApplicant) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("ForEachApplicant with fn failing = %v after %d calls, want fn's error after 1", err, n)
	}
}
