package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/presence"
	"github.com/lagwatch/lagwatch/internal/store"
)

// PresenceStore is the set of presence-session methods every store
// implementation provides, with the semantics documented on
// [store.Store]; it includes presence.Store. Implementations must be safe
// for concurrent use.
type PresenceStore interface {
	Close() error
	presence.Store
	PresenceSession(ctx context.Context, id string) (presence.Session, error)
	PresenceSessions(ctx context.Context, workerID string, since time.Time, limit int) ([]presence.Session, error)
	PrunePresence(ctx context.Context, before time.Time) (int64, error)
}

// RunPresence runs the presence-session part of the conformance suite
// against the stores that open returns, with the same rules as [Run].
func RunPresence(t *testing.T, open func(t *testing.T) PresenceStore) {
	tests := []subtest[PresenceStore]{
		{"PresenceRoundTrip", testPresenceRoundTrip},
		{"PresenceSessionsQuery", testPresenceQuery},
		{"PresenceDefaultLimit", testPresenceDefaultLimit},
		{"PresenceBaseline", testPresenceBaseline},
		{"PresenceBaselineOrder", testPresenceBaselineOrder},
		{"PresenceStoredOnce", testPresenceOnce},
		{"PresenceConflictRace", testPresenceRace},
		{"PresenceInvalid", testPresenceInvalid},
		{"PresenceLongest", testPresenceLongest},
		{"PresenceConcurrent", testPresenceConcurrent},
		{"PresencePrune", testPresencePrune},
	}
	runAll(t, tests, open)
}

// reactions returns n reaction times of a local person drawn from an
// ex-Gaussian (mu 230 ms, sigma 25 ms, tau 50 ms) with nanosecond detail,
// the same for the same seed.
func reactions(seed uint64, n int) []time.Duration {
	r := rand.New(rand.NewPCG(seed, 7))
	out := make([]time.Duration, n)
	for i := range out {
		ms := 230 + 25*r.NormFloat64() + 50*r.ExpFloat64()
		out[i] = time.Duration(math.Round(max(ms, 120) * 1e6))
	}
	return out
}

// presenceSession returns a valid session of worker that finished at
// t0+finished, 30 s after it started, with the result presence.Assess
// gives rs against the population norms.
func presenceSession(id, worker string, enrol bool, finished time.Duration, rs []time.Duration) presence.Session {
	return presence.Session{
		ID: id, WorkerID: worker, Enrol: enrol,
		Started: t0.Add(finished - 30*time.Second), Finished: t0.Add(finished),
		Reactions: rs, FalseStarts: 1,
		PageRTT: 12*time.Millisecond + 345_678*time.Nanosecond, ClientRTT: 14*time.Millisecond + 100*time.Microsecond,
		Result: presence.Assess(rs, presence.PopulationBaseline()),
	}
}

func saveSession(t *testing.T, s PresenceStore, ps presence.Session) {
	t.Helper()
	if err := s.SaveSession(t.Context(), ps); err != nil {
		t.Fatalf("SaveSession(%q) = %v", ps.ID, err)
	}
}

func listSessions(t *testing.T, s PresenceStore, worker string, since time.Time, limit int) []presence.Session {
	t.Helper()
	got, err := s.PresenceSessions(t.Context(), worker, since, limit)
	if err != nil {
		t.Fatalf("PresenceSessions(%q, %v, %d) = %v", worker, since, limit, err)
	}
	return got
}

// sessionIDs returns the IDs of ss, in order.
func sessionIDs(ss []presence.Session) []string {
	ids := []string{}
	for _, s := range ss {
		ids = append(ids, s.ID)
	}
	return ids
}

func testPresenceRoundTrip(t *testing.T, s PresenceStore) {
	ctx := t.Context()
	enrol := presenceSession("s-a", "w-1", true, 0, reactions(1, 20))
	enrol.Started = enrol.Started.Add(123 * time.Nanosecond).In(time.FixedZone("IST", 5*3600+1800)) // dropped below the microsecond
	enrol.FalseStarts, enrol.ClientRTT = 0, 0
	// An anticipation and a lapse are stored like any reaction.
	assessed := presenceSession("s-b", "w-1", false, time.Minute, append(reactions(2, 3), 50*time.Millisecond, 2500*time.Millisecond+1))
	assessed.FalseStarts, assessed.PageRTT = 2, 0
	tie := presenceSession("s-0", "w-1", false, time.Minute, reactions(3, 4)) // same Finished: ID decides
	tie.Result.Explanation = `Ça va? <b>"quoted"</b> & 🦊` + "\n"
	none := presenceSession("s-c", "w-2", false, 0, []time.Duration{}) // finished at once: no reactions
	for _, ps := range []presence.Session{enrol, assessed, tie, none} {
		saveSession(t, s, ps)
	}
	for _, in := range []presence.Session{enrol, assessed, tie, none} {
		got, err := s.PresenceSession(ctx, in.ID)
		if want := store.PreparePresenceSession(in); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("PresenceSession(%q) =\n%+v, %v\nwant\n%+v", in.ID, got, err, want)
		}
		if err == nil && (got.Started.Location() != time.UTC || got.Finished.Location() != time.UTC) {
			t.Errorf("PresenceSession(%q) times %v, %v; want UTC", in.ID, got.Started, got.Finished)
		}
	}
	if got, err := s.PresenceSession(ctx, "s-c"); err == nil && got.Reactions != nil {
		t.Errorf("PresenceSession(s-c).Reactions = %#v; want nil for no reactions", got.Reactions)
	}
	want := []presence.Session{store.PreparePresenceSession(assessed), store.PreparePresenceSession(tie), store.PreparePresenceSession(enrol)}
	if got := listSessions(t, s, "w-1", time.Time{}, 0); !reflect.DeepEqual(got, want) {
		t.Errorf("PresenceSessions(w-1) = %q; want %q, newest first and equal times by ID descending, as saved", sessionIDs(got), sessionIDs(want))
	}
	for _, id := range []string{"s-9", "", "S-A"} {
		if got, err := s.PresenceSession(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("PresenceSession(%q) = %+v, %v; want ErrNotFound", id, got, err)
		}
	}
}

func testPresenceQuery(t *testing.T, s PresenceStore) {
	ctx := t.Context()
	for i := range 5 {
		saveSession(t, s, presenceSession(fmt.Sprintf("s-%d", i), "w-1", i == 0, time.Duration(i)*time.Minute, reactions(uint64(i), 5)))
	}
	saveSession(t, s, presenceSession("s-other", "w-2", false, 2*time.Minute, reactions(9, 5)))
	all := []string{"s-4", "s-3", "s-2", "s-1", "s-0"}
	for _, tc := range []struct {
		name   string
		worker string
		since  time.Time
		limit  int
		want   []string
	}{
		{"all", "w-1", time.Time{}, 0, all},
		{"negative limit", "w-1", time.Time{}, -1, all},
		{"limit", "w-1", time.Time{}, 2, all[:2]},
		{"limit at most", "w-1", time.Time{}, store.MaxPresenceList, all},
		{"since is inclusive", "w-1", t0.Add(2 * time.Minute), 0, all[:3]},
		{"since, sub-microsecond", "w-1", t0.Add(2*time.Minute + time.Nanosecond), 0, all[:2]},
		{"since, another zone", "w-1", t0.Add(2 * time.Minute).In(time.FixedZone("X", -3600)), 0, all[:3]},
		{"since, limit", "w-1", t0.Add(time.Minute), 1, all[:1]},
		{"since year 1", "w-1", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), 0, all},
		{"since after the last", "w-1", t0.Add(time.Hour), 0, nil},
		{"other worker", "w-2", time.Time{}, 0, []string{"s-other"}},
		{"unknown worker", "w-9", time.Time{}, 0, nil},
		{"worker IDs are exact", "W-1", time.Time{}, 0, nil},
	} {
		got := sessionIDs(listSessions(t, s, tc.worker, tc.since, tc.limit))
		if want := append([]string{}, tc.want...); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: PresenceSessions(%q, %v, %d) = %q; want %q", tc.name, tc.worker, tc.since, tc.limit, got, want)
		}
	}
	for _, tc := range []struct {
		name   string
		worker string
		since  time.Time
		limit  int
		want   []string
	}{
		{"no worker", "", time.Time{}, 0, []string{"workerID is required"}},
		{"long worker", strings.Repeat("w", store.MaxPresenceWorkerIDLen+1), time.Time{}, 0, []string{"workerID", fmt.Sprint(store.MaxPresenceWorkerIDLen)}},
		{"NUL in worker", "w\x001", time.Time{}, 0, []string{"workerID"}},
		{"bad UTF-8 worker", "w\xff", time.Time{}, 0, []string{"workerID"}},
		{"limit over", "w-1", time.Time{}, store.MaxPresenceList + 1, []string{"limit", fmt.Sprint(store.MaxPresenceList)}},
		{"year 10000", "w-1", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), 0, []string{"since", "9999"}},
	} {
		got, err := s.PresenceSessions(ctx, tc.worker, tc.since, tc.limit)
		wantErr(t, fmt.Sprintf("%s: PresenceSessions(%.20q, %v, %d)", tc.name, tc.worker, tc.since, tc.limit), err, nil, tc.want...)
		if len(got) != 0 {
			t.Errorf("%s: PresenceSessions() returned %d sessions with its error", tc.name, len(got))
		}
		if store.ValidatePresenceQuery(tc.worker, tc.since, tc.limit) == nil {
			t.Errorf("%s: ValidatePresenceQuery() = nil; want an error", tc.name)
		}
	}
}

func testPresenceDefaultLimit(t *testing.T, s PresenceStore) {
	n := store.DefaultPresenceLimit + 5
	for i := range n {
		saveSession(t, s, presenceSession(fmt.Sprintf("s-%04d", i), "w-1", false, time.Duration(i)*time.Second, reactions(uint64(i), 3)))
	}
	for _, limit := range []int{0, -1} {
		got := listSessions(t, s, "w-1", time.Time{}, limit)
		if len(got) != store.DefaultPresenceLimit || got[0].ID != fmt.Sprintf("s-%04d", n-1) {
			t.Errorf("PresenceSessions(limit %d) = %d sessions; want the newest %d", limit, len(got), store.DefaultPresenceLimit)
		}
	}
	if got := listSessions(t, s, "w-1", time.Time{}, n+1); len(got) != n {
		t.Errorf("PresenceSessions(limit %d) = %d sessions; want all %d", n+1, len(got), n)
	}
}

// testPresenceBaseline checks the enrolment-only rule and that the
// baseline is the one presence.MemStore gives for the same sessions.
func testPresenceBaseline(t *testing.T, s PresenceStore) {
	ctx := t.Context()
	mem := presence.NewMemStore()
	save := func(ps presence.Session) {
		t.Helper()
		saveSession(t, s, ps)
		if err := mem.SaveSession(ctx, ps); err != nil {
			t.Fatal(err)
		}
	}
	noBaseline := func(worker, mention string) {
		t.Helper()
		b, err := s.Baseline(ctx, worker)
		wantErr(t, fmt.Sprintf("Baseline(%q)", worker), err, presence.ErrNoBaseline, worker, mention)
		if err == nil {
			t.Errorf("Baseline(%q) = %+v; want none", worker, b)
		}
		if _, memErr := mem.Baseline(ctx, worker); !errors.Is(memErr, presence.ErrNoBaseline) {
			t.Errorf("MemStore.Baseline(%q) = %v; the suite expects ErrNoBaseline as from the store", worker, memErr)
		}
	}
	noBaseline("w-1", "no enrolment")

	// Assessed sessions never count, however many valid reactions they hold.
	save(presenceSession("s-assessed", "w-1", false, 0, reactions(1, 20)))
	noBaseline("w-1", "no enrolment")

	// 9 valid reactions are too few; the anticipation and the lapse do not
	// count.
	first := append(reactions(2, 9), 60*time.Millisecond, 3*time.Second)
	save(presenceSession("s-enrol-1", "w-1", true, time.Minute, first))
	noBaseline("w-1", fmt.Sprintf("need at least %d", presence.MinEnrol))

	second := reactions(3, 12)
	save(presenceSession("s-enrol-2", "w-1", true, 2*time.Minute, second))
	// Another worker's enrolment is theirs alone.
	other := reactions(4, 20)
	save(presenceSession("s-enrol-w2", "w-2", true, 90*time.Second, other))
	save(presenceSession("s-late", "w-1", false, time.Hour, reactions(5, 20)))

	for worker, enrolled := range map[string][][]time.Duration{"w-1": {first, second}, "w-2": {other}} {
		want, err := presence.WorkerBaseline(enrolled)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Baseline(ctx, worker)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Baseline(%q) =\n%+v, %v\nwant presence.WorkerBaseline of its enrolments\n%+v", worker, got, err, want)
		}
		if fromMem, err := mem.Baseline(ctx, worker); err != nil || !reflect.DeepEqual(got, fromMem) {
			t.Errorf("Baseline(%q) differs from presence.MemStore's for the same sessions:\n%+v\n%+v, %v", worker, got, fromMem, err)
		}
	}
	noBaseline("w-3", "no enrolment")
	for _, worker := range []string{"", strings.Repeat("w", store.MaxPresenceWorkerIDLen+1), "w\x00"} {
		_, err := s.Baseline(ctx, worker)
		wantErr(t, fmt.Sprintf("Baseline(%.20q)", worker), err, nil, "workerID")
		if errors.Is(err, presence.ErrNoBaseline) {
			t.Errorf("Baseline(%.20q) = %v; want an invalid-argument error, not ErrNoBaseline", worker, err)
		}
	}
}

// testPresenceBaselineOrder saves enrolments out of order: the baseline
// takes them oldest first by Finished, which decides the newest reactions
// that presence.WorkerBaseline keeps.
func testPresenceBaselineOrder(t *testing.T, s PresenceStore) {
	a, b, c := reactions(10, 200), reactions(11, 200), reactions(12, 200)
	for i := range c {
		c[i] += 40 * time.Millisecond // so that which 400 are kept shows
	}
	saveSession(t, s, presenceSession("s-c", "w-1", true, 2*time.Hour, c))
	saveSession(t, s, presenceSession("s-z", "w-1", true, 0, a))
	saveSession(t, s, presenceSession("s-b", "w-1", true, time.Hour, b))
	want, err := presence.WorkerBaseline([][]time.Duration{a, b, c})
	if err != nil {
		t.Fatal(err)
	}
	if saveOrder, _ := presence.WorkerBaseline([][]time.Duration{c, a, b}); reflect.DeepEqual(saveOrder, want) {
		t.Fatal("the test's sessions give the same baseline in any order; it could not fail")
	}
	got, err := s.Baseline(t.Context(), "w-1")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Baseline(w-1) = %+v, %v; want the baseline of the enrolments oldest first (%v, Spread %v)", got.Mu, err, want.Mu, want.Spread)
	}
}

func testPresenceOnce(t *testing.T, s PresenceStore) {
	ctx := t.Context()
	a := presenceSession("s-1", "w-1", true, 0, reactions(1, 20))
	if stored, err := s.SessionStored(ctx, "s-1"); err != nil || stored {
		t.Errorf("SessionStored(s-1) before it was saved = %v, %v; want false", stored, err)
	}
	saveSession(t, s, a)
	if stored, err := s.SessionStored(ctx, "s-1"); err != nil || !stored {
		t.Errorf("SessionStored(s-1) after it was saved = %v, %v; want true", stored, err)
	}
	if stored, err := s.SessionStored(ctx, "s-2"); err != nil || stored {
		t.Errorf("SessionStored(s-2), never saved = %v, %v; want false", stored, err)
	}
	saveSession(t, s, a) // a retried save
	retry := a
	retry.Started = retry.Started.Add(999 * time.Nanosecond).In(time.FixedZone("X", 7200)) // the same as stored
	retry.Reactions = append([]time.Duration{}, a.Reactions...)
	saveSession(t, s, retry)

	for _, tc := range []struct {
		name string
		edit func(ps *presence.Session)
	}{
		{"worker", func(ps *presence.Session) { ps.WorkerID = "w-2" }},
		{"enrol", func(ps *presence.Session) { ps.Enrol = false }},
		{"started", func(ps *presence.Session) { ps.Started = ps.Started.Add(-time.Microsecond) }},
		{"finished", func(ps *presence.Session) { ps.Finished = ps.Finished.Add(time.Second) }},
		{"a reaction", func(ps *presence.Session) { ps.Reactions[3]++ }},
		{"fewer reactions", func(ps *presence.Session) { ps.Reactions = ps.Reactions[:19] }},
		{"false starts", func(ps *presence.Session) { ps.FalseStarts++ }},
		{"page RTT", func(ps *presence.Session) { ps.PageRTT++ }},
		{"client RTT", func(ps *presence.Session) { ps.ClientRTT = 0 }},
		{"verdict", func(ps *presence.Session) { ps.Result.Verdict = presence.Delayed }},
		{"explanation", func(ps *presence.Session) { ps.Result.Explanation += "." }},
	} {
		b := a
		b.Reactions = append([]time.Duration{}, a.Reactions...)
		tc.edit(&b)
		err := s.SaveSession(ctx, b)
		wantErr(t, fmt.Sprintf("SaveSession(s-1 with another %s)", tc.name), err, store.ErrConflict, "s-1")
		if !errors.Is(err, presence.ErrSessionExists) {
			t.Errorf("SaveSession(s-1 with another %s) = %v; want it to wrap presence.ErrSessionExists too, which the presence handler reads", tc.name, err)
		}
	}
	got, err := s.PresenceSession(ctx, "s-1")
	if want := store.PreparePresenceSession(a); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("PresenceSession(s-1) after conflicting saves = %+v, %v; want the first saved", got, err)
	}
	if got := listSessions(t, s, "w-1", time.Time{}, 0); len(got) != 1 {
		t.Errorf("PresenceSessions(w-1) = %q; want s-1 once", sessionIDs(got))
	}
	if got := listSessions(t, s, "w-2", time.Time{}, 0); len(got) != 0 {
		t.Errorf("PresenceSessions(w-2) = %q; want none", sessionIDs(got))
	}
}

// testPresenceRace saves sessions under one ID from several goroutines at
// once: a retry of the same session always succeeds; of different ones,
// exactly one is stored and every other save is a conflict.
func testPresenceRace(t *testing.T, s PresenceStore) {
	const goroutines = 8
	same := presenceSession("s-same", "w-1", false, 0, reactions(1, 5))
	errs := make([]error, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() { errs[g] = s.SaveSession(t.Context(), same) })
	}
	wg.Wait()
	for g, err := range errs {
		if err != nil {
			t.Errorf("SaveSession(s-same) in goroutine %d = %v; want nil for a retry", g, err)
		}
	}
	variants := make([]presence.Session, goroutines)
	for g := range goroutines {
		variants[g] = presenceSession("s-race", fmt.Sprintf("w-%d", g), false, time.Duration(g)*time.Second, reactions(uint64(g), 5))
		wg.Go(func() { errs[g] = s.SaveSession(t.Context(), variants[g]) })
	}
	wg.Wait()
	winner := -1
	for g, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("SaveSession(s-race) succeeded in goroutines %d and %d; want one", winner, g)
		case err == nil:
			winner = g
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("SaveSession(s-race) in goroutine %d = %v; want nil or ErrConflict", g, err)
		}
	}
	if winner < 0 {
		t.Fatal("no SaveSession(s-race) succeeded")
	}
	got, err := s.PresenceSession(t.Context(), "s-race")
	if want := store.PreparePresenceSession(variants[winner]); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("PresenceSession(s-race) = %+v, %v; want the session of the save that succeeded", got, err)
	}
}

func testPresenceInvalid(t *testing.T, s PresenceStore) {
	ctx := t.Context()
	day := store.MaxPresenceDuration
	for _, tc := range []struct {
		name    string
		edit    func(ps *presence.Session)
		mention []string
	}{
		{"no ID", func(ps *presence.Session) { ps.ID = "" }, []string{"ID is required"}},
		{"blank ID", func(ps *presence.Session) { ps.ID = " " }, []string{"ID is required"}},
		{"long ID", func(ps *presence.Session) { ps.ID = strings.Repeat("a", store.MaxPresenceIDLen+1) }, []string{"ID", fmt.Sprint(store.MaxPresenceIDLen)}},
		{"NUL in ID", func(ps *presence.Session) { ps.ID = "s\x001" }, []string{"ID"}},
		{"no worker", func(ps *presence.Session) { ps.WorkerID = "" }, []string{"WorkerID is required"}},
		{"long worker", func(ps *presence.Session) { ps.WorkerID = strings.Repeat("w", store.MaxPresenceWorkerIDLen+1) }, []string{"WorkerID", fmt.Sprint(store.MaxPresenceWorkerIDLen)}},
		{"bad UTF-8 worker", func(ps *presence.Session) { ps.WorkerID = "w\xff" }, []string{"WorkerID"}},
		{"no start", func(ps *presence.Session) { ps.Started = time.Time{} }, []string{"Started is zero"}},
		{"no finish", func(ps *presence.Session) { ps.Finished = time.Time{} }, []string{"Finished is zero"}},
		{"finish in year 10000", func(ps *presence.Session) { ps.Finished = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, []string{"Finished", "9999"}},
		{"finished before started", func(ps *presence.Session) { ps.Finished = ps.Started.Add(-time.Nanosecond) }, []string{"Finished", "before Started"}},
		{"too many reactions", func(ps *presence.Session) { ps.Reactions = reactions(1, store.MaxPresenceReactions+1) }, []string{"Reactions", fmt.Sprint(store.MaxPresenceReactions)}},
		{"negative reaction", func(ps *presence.Session) { ps.Reactions[3] = -time.Millisecond }, []string{"Reactions[3]", "outside [0s, 24h0m0s]"}},
		{"reaction over a day", func(ps *presence.Session) { ps.Reactions[0] = day + 1 }, []string{"Reactions[0]", "24h0m0s"}},
		{"negative false starts", func(ps *presence.Session) { ps.FalseStarts = -1 }, []string{"FalseStarts", "[0, 400]"}},
		{"too many false starts", func(ps *presence.Session) { ps.FalseStarts = store.MaxPresenceReactions + 1 }, []string{"FalseStarts", "[0, 400]"}},
		{"negative page RTT", func(ps *presence.Session) { ps.PageRTT = -1 }, []string{"PageRTT"}},
		{"client RTT over a day", func(ps *presence.Session) { ps.ClientRTT = day + time.Second }, []string{"ClientRTT", "24h0m0s"}},
		{"no verdict", func(ps *presence.Session) { ps.Result.Verdict = "" }, []string{"Result.Verdict", "consistent"}},
		{"unknown verdict", func(ps *presence.Session) { ps.Result.Verdict = "remote" }, []string{"Result.Verdict", `"remote"`}},
		{"added delay over a day", func(ps *presence.Session) { ps.Result.AddedDelay = day + 1 }, []string{"Result.AddedDelay"}},
		{"CI low under minus a day", func(ps *presence.Session) { ps.Result.CILow = -day - 1 }, []string{"Result.CILow", "-24h0m0s"}},
		{"CI high over a day", func(ps *presence.Session) { ps.Result.CIHigh = math.MaxInt64 }, []string{"Result.CIHigh"}},
		{"negative median", func(ps *presence.Session) { ps.Result.MedianRT = -1 }, []string{"Result.MedianRT"}},
		{"negative prompts", func(ps *presence.Session) { ps.Result.Prompts = -1 }, []string{"Result.Prompts"}},
		{"too many valid", func(ps *presence.Session) { ps.Result.Valid = store.MaxPresenceReactions + 1 }, []string{"Result.Valid", "400"}},
		{"negative excluded", func(ps *presence.Session) { ps.Result.Excluded = -2 }, []string{"Result.Excluded"}},
		{"long baseline", func(ps *presence.Session) { ps.Result.Baseline = strings.Repeat("b", store.MaxPresenceBaselineLen+1) }, []string{"Result.Baseline", fmt.Sprint(store.MaxPresenceBaselineLen)}},
		{"long explanation", func(ps *presence.Session) {
			ps.Result.Explanation = strings.Repeat("e", store.MaxPresenceExplanationLen+1)
		}, []string{"Result.Explanation", fmt.Sprint(store.MaxPresenceExplanationLen)}},
		{"NUL in explanation", func(ps *presence.Session) { ps.Result.Explanation = "a\x00b" }, []string{"Result.Explanation"}},
		{"bad UTF-8 explanation", func(ps *presence.Session) { ps.Result.Explanation = "\xc3" }, []string{"Result.Explanation"}},
	} {
		ps := presenceSession("s-1", "w-1", true, 0, reactions(1, 20))
		tc.edit(&ps)
		err := s.SaveSession(ctx, ps)
		wantErr(t, fmt.Sprintf("%s: SaveSession()", tc.name), err, nil, tc.mention...)
		if errors.Is(err, store.ErrConflict) {
			t.Errorf("%s: SaveSession() = %v; want a validation error, not a conflict", tc.name, err)
		}
		wantErr(t, fmt.Sprintf("%s: ValidatePresenceSession()", tc.name), store.ValidatePresenceSession(ps), nil, tc.mention...)
	}
	if got, err := s.PresenceSession(ctx, "s-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PresenceSession(s-1) after invalid saves = %+v, %v; want ErrNotFound", got, err)
	}
	if got := listSessions(t, s, "w-1", time.Time{}, 0); len(got) != 0 {
		t.Errorf("PresenceSessions(w-1) after invalid saves = %q; want none", sessionIDs(got))
	}
	// Every field in error is named, not only the first.
	ps := presenceSession("s-2", "w-1", false, 0, reactions(1, 3))
	ps.WorkerID, ps.FalseStarts, ps.Result.Verdict = "", -1, "?"
	wantErr(t, "SaveSession(three invalid fields)", s.SaveSession(ctx, ps), nil, "WorkerID", "FalseStarts", "Result.Verdict")
}

// testPresenceLongest stores the longest and most extreme valid values,
// which come back unchanged.
func testPresenceLongest(t *testing.T, s PresenceStore) {
	day := store.MaxPresenceDuration
	rs := reactions(1, store.MaxPresenceReactions)
	rs[0], rs[1], rs[2] = 0, day, 1
	ps := presence.Session{
		ID:        strings.Repeat("f", store.MaxPresenceIDLen),
		WorkerID:  strings.Repeat("é", store.MaxPresenceWorkerIDLen/2),
		Enrol:     true,
		Started:   time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC),
		Finished:  time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		Reactions: rs, FalseStarts: store.MaxPresenceReactions, PageRTT: day, ClientRTT: day - 1,
		Result: presence.Result{
			Verdict: presence.Delayed, AddedDelay: -day, CILow: -day, CIHigh: day,
			Prompts: store.MaxPresenceReactions, Valid: store.MaxPresenceReactions, Excluded: store.MaxPresenceReactions, MedianRT: day,
			Baseline:    strings.Repeat("b", store.MaxPresenceBaselineLen),
			Explanation: strings.Repeat("🦊", store.MaxPresenceExplanationLen/4-2) + `<"&>` + "\t\u2028",
		},
	}
	if n := len(ps.Result.Explanation); n != store.MaxPresenceExplanationLen {
		t.Fatalf("test explanation is %d bytes; want %d", n, store.MaxPresenceExplanationLen)
	}
	saveSession(t, s, ps)
	want := store.PreparePresenceSession(ps)
	got, err := s.PresenceSession(t.Context(), ps.ID)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("PresenceSession(longest) differs from the session saved: %v", err)
	}
	if list := listSessions(t, s, ps.WorkerID, ps.Started, 0); len(list) != 1 || !reflect.DeepEqual(list[0], want) {
		t.Errorf("PresenceSessions(longest worker) = %d sessions; want the one saved", len(list))
	}
	// 397 reactions in [MinReaction, MaxReaction] enrol the worker.
	if _, err := s.Baseline(t.Context(), ps.WorkerID); err != nil {
		t.Errorf("Baseline(longest worker) = %v", err)
	}
}

// testPresenceConcurrent saves sessions and reads baselines from several
// goroutines at once, as the presence handler does: every session is
// stored and every baseline read succeeds or has too few enrolments.
func testPresenceConcurrent(t *testing.T, s PresenceStore) {
	const goroutines, saves = 6, 8
	errs := make([]error, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			worker := fmt.Sprintf("w-%d", g%2)
			for i := range saves {
				ps := presenceSession(fmt.Sprintf("s-%d-%d", g, i), worker, i%2 == 0, time.Duration(g*saves+i)*time.Second, reactions(uint64(g*saves+i), 6))
				if err := s.SaveSession(t.Context(), ps); err != nil {
					errs[g] = err
					return
				}
				if _, err := s.Baseline(t.Context(), worker); err != nil && !errors.Is(err, presence.ErrNoBaseline) {
					errs[g] = err
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for w := range 2 {
		worker := fmt.Sprintf("w-%d", w)
		got := listSessions(t, s, worker, time.Time{}, 0)
		if len(got) != goroutines/2*saves {
			t.Errorf("PresenceSessions(%s) = %d sessions; want %d", worker, len(got), goroutines/2*saves)
		}
		var enrol [][]time.Duration
		for i := len(got) - 1; i >= 0; i-- {
			if got[i].Enrol {
				enrol = append(enrol, got[i].Reactions)
			}
		}
		want, _ := presence.WorkerBaseline(enrol)
		if b, err := s.Baseline(t.Context(), worker); err != nil || !reflect.DeepEqual(b, want) {
			t.Errorf("Baseline(%s) after concurrent saves = %v, %v; want %v", worker, b.Mu, err, want.Mu)
		}
	}
}

// testPresencePrune: PrunePresence deletes the assessed sessions that
// finished before the cut-off, on every worker, and keeps every enrolment
// (the baselines) and the newer sessions.
func testPresencePrune(t *testing.T, s PresenceStore) {
	ctx := t.Context()
	old := presenceSession("old-test", "w-1", false, 0, reactions(1, 10))
	oldEnrol := presenceSession("old-enrol", "w-1", true, time.Second, reactions(2, 20))
	other := presenceSession("old-test-w2", "w-2", false, 2*time.Second, reactions(3, 10))
	atCut := presenceSession("at-cut", "w-1", false, time.Hour, reactions(4, 10))
	newer := presenceSession("new-test", "w-1", false, 2*time.Hour, reactions(5, 10))
	for _, ps := range []presence.Session{old, oldEnrol, other, atCut, newer} {
		saveSession(t, s, ps)
	}
	before, err := s.Baseline(ctx, "w-1")
	if err != nil {
		t.Fatalf("Baseline(w-1) = %v", err)
	}
	n, err := s.PrunePresence(ctx, t0.Add(time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("PrunePresence(t0+1h) = %d, %v; want 2 (the assessed sessions of w-1 and w-2 before it)", n, err)
	}
	for id, want := range map[string]bool{"old-test": false, "old-test-w2": false, "old-enrol": true, "at-cut": true, "new-test": true} {
		if stored, err := s.SessionStored(ctx, id); err != nil || stored != want {
			t.Errorf("SessionStored(%s) after pruning = %v, %v; want %v", id, stored, err, want)
		}
	}
	if got := listSessions(t, s, "w-1", time.Time{}, 0); len(got) != 3 {
		t.Errorf("PresenceSessions(w-1) after pruning = %q; want new-test, at-cut, old-enrol", sessionIDs(got))
	}
	if after, err := s.Baseline(ctx, "w-1"); err != nil || !reflect.DeepEqual(after, before) {
		t.Errorf("Baseline(w-1) after pruning = %+v, %v; want it unchanged, %+v", after, err, before)
	}
	if n, err := s.PrunePresence(ctx, t0.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("PrunePresence again = %d, %v; want 0", n, err)
	}
}
