package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/store"
)

// CaseStore is the set of case-management and audit methods every store
// implementation provides, with the semantics documented on
// [store.Store]. Implementations must be safe for concurrent use.
type CaseStore interface {
	Close() error
	OpenCase(ctx context.Context, c store.Case) (store.Case, bool, error)
	Case(ctx context.Context, id int64) (store.Case, error)
	Cases(ctx context.Context, f store.CaseFilter) ([]store.Case, error)
	AssignCase(ctx context.Context, id int64, assignee, actor string, at time.Time) (store.Case, error)
	SetCaseStatus(ctx context.Context, id int64, ch store.StatusChange) (store.Case, error)
	AddCaseNote(ctx context.Context, n store.Note) (store.Note, error)
	CaseNotes(ctx context.Context, id int64) ([]store.Note, error)
	AttachEvidence(ctx context.Context, id int64, actor string, at time.Time, ev []store.CaseEvidence) error
	CaseEvidence(ctx context.Context, id int64) ([]store.CaseEvidence, error)
	RecordAudit(ctx context.Context, e store.AuditEntry) (store.AuditEntry, error)
	Audit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error)
	AuditHead(ctx context.Context) (store.AuditHead, error)
	VerifyAudit(ctx context.Context) error
}

// RunCases runs the case part of the conformance suite against the stores
// that open returns, with the same rules as [Run].
func RunCases(t *testing.T, open func(t *testing.T) CaseStore) {
	tests := []subtest[CaseStore]{
		{"OpenAndGet", testOpenCase},
		{"OneOpenCasePerAlert", testCaseAlertDedup},
		{"ConcurrentOpenFromAlert", testCaseAlertConcurrent},
		{"Transitions", testCaseTransitions},
		{"AssignNotesEvidence", testCaseWork},
		{"ListAndPage", testCasesList},
		{"Invalid", testCasesInvalid},
		{"Audit", testAudit},
		{"AuditConcurrent", testAuditConcurrent},
	}
	runAll(t, tests, open)
}

func newCase(subject, alert string) store.Case {
	return store.Case{
		Title:    "Worker " + subject + " answers from too far away",
		Subject:  store.CaseSubject{Kind: store.SubjectWorker, ID: subject},
		OpenedBy: "ana",
		Reason:   "high-risk alert",
		OpenedAt: t0.Add(123456789 * time.Nanosecond), // sub-microsecond part is dropped
		AlertID:  alert,
		Evidence: []store.CaseEvidence{
			{At: t0.Add(-2 * time.Hour), Detector: "latency.too-slow", Explanation: "min RTT 180 ms to us-west", Provenance: "server-measured", Refs: []string{"rtt:dev-1/us-west"}},
			{At: t0.Add(-time.Hour), Detector: "endpoint.ip-kvm", Explanation: "PiKVM USB gadget", Provenance: "agent-reported"},
		},
	}
}

func openCase(t *testing.T, s CaseStore, c store.Case) store.Case {
	t.Helper()
	got, opened, err := s.OpenCase(t.Context(), c)
	if err != nil || !opened {
		t.Fatalf("OpenCase(%s, alert %q) = %v, %v; want a new case", c.Subject, c.AlertID, opened, err)
	}
	return got
}

func audit(t *testing.T, s CaseStore, f store.AuditFilter) []store.AuditEntry {
	t.Helper()
	es, err := s.Audit(t.Context(), f)
	if err != nil {
		t.Fatalf("Audit(%+v) = %v", f, err)
	}
	return es
}

func actions(es []store.AuditEntry) string {
	var out []string
	for _, e := range es {
		out = append(out, fmt.Sprintf("%d:%s:%s", e.Seq, e.Action, e.Actor))
	}
	return strings.Join(out, " ")
}

func verify(t *testing.T, s CaseStore) {
	t.Helper()
	if err := s.VerifyAudit(t.Context()); err != nil {
		t.Errorf("VerifyAudit() = %v, want nil", err)
	}
}

func testOpenCase(t *testing.T, s CaseStore) {
	ctx := t.Context()
	in := newCase("w-1", "")
	c := openCase(t, s, in)
	want := in
	want.ID = c.ID
	want.Status = store.CaseOpen
	want.OpenedAt = t0.Add(123456 * time.Microsecond)
	want.UpdatedAt = want.OpenedAt
	if c.ID <= 0 || !same(c, want) {
		t.Errorf("OpenCase() = %+v, want %+v", c, want)
	}
	got, err := s.Case(ctx, c.ID)
	if err != nil || !same(got, want) {
		t.Errorf("Case(%d) = %+v, %v; want %+v", c.ID, got, err, want)
	}
	ev, err := s.CaseEvidence(ctx, c.ID)
	if err != nil || !same(ev, want.Evidence) {
		t.Errorf("CaseEvidence(%d) = %+v, %v; want %+v", c.ID, ev, err, want.Evidence)
	}
	es := audit(t, s, store.AuditFilter{})
	if len(es) != 1 || es[0].Action != store.AuditCaseOpened || es[0].CaseID != c.ID || es[0].Actor != "ana" ||
		es[0].Subject != in.Subject || !es[0].At.Equal(want.OpenedAt) || es[0].Seq != 1 {
		t.Errorf("Audit() after OpenCase = %+v, want one case.opened entry by ana", es)
	}
	if len(es) == 1 && !strings.Contains(string(es[0].Detail), `"evidence":2`) {
		t.Errorf("case.opened detail = %s, want the evidence count", es[0].Detail)
	}
	verify(t, s)

	// A case without evidence has none.
	bare := in
	bare.Evidence = nil
	c2 := openCase(t, s, bare)
	if c2.ID <= c.ID {
		t.Errorf("second case ID %d, want above %d", c2.ID, c.ID)
	}
	if ev, err := s.CaseEvidence(ctx, c2.ID); err != nil || ev != nil {
		t.Errorf("CaseEvidence(bare case) = %v, %v; want nil, nil", ev, err)
	}
	for _, call := range []struct {
		name string
		err  error
	}{
		{"Case", func() error { _, err := s.Case(ctx, 999); return err }()},
		{"CaseEvidence", func() error { _, err := s.CaseEvidence(ctx, 999); return err }()},
		{"CaseNotes", func() error { _, err := s.CaseNotes(ctx, 999); return err }()},
	} {
		wantErr(t, call.name+"(999)", call.err, store.ErrNotFound, "999")
	}
}

func testCaseAlertDedup(t *testing.T, s CaseStore) {
	ctx := t.Context()
	first := openCase(t, s, newCase("w-1", "risk-7"))
	again := newCase("w-1", "risk-7")
	again.Title = "another title"
	got, opened, err := s.OpenCase(ctx, again)
	if err != nil || opened || got.ID != first.ID || got.Title != first.Title {
		t.Errorf("OpenCase(same alert) = %+v, %v, %v; want case %d, not opened", got, opened, err, first.ID)
	}
	if es := audit(t, s, store.AuditFilter{}); len(es) != 1 {
		t.Errorf("Audit() after opening twice = %s, want one entry", actions(es))
	}
	// Another alert opens another case.
	other := openCase(t, s, newCase("w-1", "risk-8"))
	if other.ID == first.ID {
		t.Errorf("OpenCase(risk-8) = case %d, the case of risk-7", other.ID)
	}
	// Once closed, the alert may open a new case; the old one cannot be
	// reopened while the new one is not closed.
	if _, err := s.SetCaseStatus(ctx, first.ID, store.StatusChange{Status: store.CaseClosed, Resolution: store.ResolutionFalsePositive, Actor: "ana", At: t0.Add(time.Hour)}); err != nil {
		t.Fatalf("close case %d: %v", first.ID, err)
	}
	second := openCase(t, s, newCase("w-1", "risk-7"))
	if second.ID == first.ID {
		t.Errorf("OpenCase(risk-7) after closing = case %d again", second.ID)
	}
	_, err = s.SetCaseStatus(ctx, first.ID, store.StatusChange{Status: store.CaseOpen, Actor: "ana", At: t0.Add(2 * time.Hour)})
	wantErr(t, "SetCaseStatus(reopen while another case of the alert is open)", err, store.ErrConflict, "risk-7")
	if c, _ := s.Case(ctx, first.ID); c.Status != store.CaseClosed {
		t.Errorf("case %d status after refused reopen = %q, want closed", first.ID, c.Status)
	}
	verify(t, s)
}

func testCaseAlertConcurrent(t *testing.T, s CaseStore) {
	const n = 8
	ids := make([]int64, n)
	opened := make([]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var c store.Case
			c, opened[i], errs[i] = s.OpenCase(t.Context(), newCase("w-1", "risk-1"))
			ids[i] = c.ID
		})
	}
	wg.Wait()
	news := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("concurrent OpenCase #%d = %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Errorf("concurrent OpenCase #%d = case %d, #0 = case %d; want one case", i, ids[i], ids[0])
		}
		news += boolInt(opened[i])
	}
	if news != 1 {
		t.Errorf("concurrent OpenCase opened %d cases, want 1", news)
	}
	if es := audit(t, s, store.AuditFilter{}); len(es) != 1 {
		t.Errorf("Audit() = %s, want one case.opened", actions(es))
	}
}

func testCaseTransitions(t *testing.T, s CaseStore) {
	ctx := t.Context()
	for _, from := range store.CaseStatuses {
		for _, to := range store.CaseStatuses {
			t.Run(from+"->"+to, func(t *testing.T) {
				c := openCase(t, s, newCase("w-"+from+"-"+to, ""))
				at := t0.Add(time.Hour)
				if from != store.CaseOpen {
					// Reach from along allowed moves.
					path := map[string][]string{
						store.CaseInvestigating: {store.CaseInvestigating},
						store.CaseEscalated:     {store.CaseEscalated},
						store.CaseClosed:        {store.CaseClosed},
					}[from]
					for _, st := range path {
						ch := store.StatusChange{Status: st, Actor: "ana", At: at}
						if st == store.CaseClosed {
							ch.Resolution = store.ResolutionInconclusive
						}
						if _, err := s.SetCaseStatus(ctx, c.ID, ch); err != nil {
							t.Fatalf("SetCaseStatus(%d, %s) = %v", c.ID, st, err)
						}
					}
				}
				before := len(audit(t, s, store.AuditFilter{CaseID: c.ID}))
				ch := store.StatusChange{Status: to, Actor: "bo", At: at.Add(time.Minute)}
				if to == store.CaseClosed {
					ch.Resolution = store.ResolutionConfirmedFraud
				}
				got, err := s.SetCaseStatus(ctx, c.ID, ch)
				after := audit(t, s, store.AuditFilter{CaseID: c.ID})
				if !store.CanTransition(from, to) {
					wantErr(t, fmt.Sprintf("SetCaseStatus(%s -> %s)", from, to), err, store.ErrConflict, from, to)
					if len(after) != before {
						t.Errorf("refused transition recorded audit entries: %s", actions(after))
					}
					return
				}
				if err != nil {
					t.Fatalf("SetCaseStatus(%s -> %s) = %v", from, to, err)
				}
				stored, _ := s.Case(ctx, c.ID)
				stored.Evidence = nil
				if !same(got, stored) {
					t.Errorf("SetCaseStatus() = %+v, but Case() = %+v", got, stored)
				}
				wantClosed := to == store.CaseClosed
				if got.Status != to || (got.Resolution != "") != wantClosed || got.ClosedAt.IsZero() == wantClosed ||
					!got.UpdatedAt.Equal(at.Add(time.Minute)) {
					t.Errorf("after %s -> %s: case %+v", from, to, got)
				}
				if wantClosed && (got.Resolution != store.ResolutionConfirmedFraud || !got.ClosedAt.Equal(at.Add(time.Minute))) {
					t.Errorf("closed case: Resolution %q ClosedAt %v", got.Resolution, got.ClosedAt)
				}
				last := after[len(after)-1]
				if len(after) != before+1 || last.Action != store.AuditCaseStatus || last.Actor != "bo" ||
					!strings.Contains(string(last.Detail), `"from":"`+from+`"`) || !strings.Contains(string(last.Detail), `"to":"`+to+`"`) {
					t.Errorf("audit after %s -> %s = %s, last detail %s", from, to, actions(after), last.Detail)
				}
			})
		}
	}
	verify(t, s)
}

func testCaseWork(t *testing.T, s CaseStore) {
	ctx := t.Context()
	c := openCase(t, s, newCase("w-1", ""))
	got, err := s.AssignCase(ctx, c.ID, "bo", "ana", t0.Add(time.Minute))
	if err != nil || got.Assignee != "bo" || !got.UpdatedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("AssignCase(bo) = %+v, %v", got, err)
	}
	// The same assignee again records nothing.
	if _, err := s.AssignCase(ctx, c.ID, "bo", "ana", t0.Add(2*time.Minute)); err != nil {
		t.Errorf("AssignCase(bo) again = %v", err)
	}
	n1, err := s.AddCaseNote(ctx, store.Note{CaseID: c.ID, Author: "bo", Text: "called the worker; says he is in Ohio", At: t0.Add(3 * time.Minute)})
	if err != nil || n1.ID <= 0 {
		t.Fatalf("AddCaseNote() = %+v, %v", n1, err)
	}
	// A note dated earlier sorts first but does not move UpdatedAt back.
	n0, err := s.AddCaseNote(ctx, store.Note{CaseID: c.ID, Author: "ana", Text: "opened after the weekly review", At: t0})
	if err != nil {
		t.Fatalf("AddCaseNote(earlier) = %v", err)
	}
	notes, err := s.CaseNotes(ctx, c.ID)
	if err != nil || !same(notes, []store.Note{n0, n1}) {
		t.Errorf("CaseNotes() = %+v, %v; want %+v", notes, err, []store.Note{n0, n1})
	}
	more := []store.CaseEvidence{{At: t0.Add(-3 * time.Hour), Detector: "keystroke.injected", Refs: []string{}}}
	if err := s.AttachEvidence(ctx, c.ID, "bo", t0.Add(4*time.Minute), more); err != nil {
		t.Fatalf("AttachEvidence() = %v", err)
	}
	ev, err := s.CaseEvidence(ctx, c.ID)
	if err != nil || len(ev) != 3 || ev[0].Detector != "keystroke.injected" || ev[0].Refs != nil {
		t.Errorf("CaseEvidence() = %+v, %v; want the attached item first (oldest) with nil Refs", ev, err)
	}
	got, _ = s.Case(ctx, c.ID)
	if !got.UpdatedAt.Equal(t0.Add(4*time.Minute)) || len(got.Evidence) != 3 {
		t.Errorf("Case() after work: UpdatedAt %v, %d evidence items", got.UpdatedAt, len(got.Evidence))
	}
	es := audit(t, s, store.AuditFilter{CaseID: c.ID})
	want := "1:case.opened:ana 2:case.assigned:ana 3:case.note:bo 4:case.note:ana 5:case.evidence:bo"
	if actions(es) != want {
		t.Errorf("Audit(case) = %s, want %s", actions(es), want)
	}
	for _, e := range es {
		if e.Subject != c.Subject {
			t.Errorf("audit %d subject = %v, want %v", e.Seq, e.Subject, c.Subject)
		}
	}
	if _, err := s.AssignCase(ctx, c.ID, "", "bo", t0.Add(5*time.Minute)); err != nil {
		t.Errorf("AssignCase(unassign) = %v", err)
	}
	_, err = s.AssignCase(ctx, 999, "bo", "ana", t0)
	wantErr(t, "AssignCase(999)", err, store.ErrNotFound)
	_, err = s.AddCaseNote(ctx, store.Note{CaseID: 999, Author: "bo", Text: "x", At: t0})
	wantErr(t, "AddCaseNote(case 999)", err, store.ErrNotFound)
	err = s.AttachEvidence(ctx, 999, "bo", t0, more)
	wantErr(t, "AttachEvidence(case 999)", err, store.ErrNotFound)
	if es := audit(t, s, store.AuditFilter{}); len(es) != 6 {
		t.Errorf("Audit() = %s, want 6 entries (failed calls record nothing)", actions(es))
	}
	verify(t, s)
}

func testCasesList(t *testing.T, s CaseStore) {
	ctx := t.Context()
	var all []store.Case
	for i := range 9 {
		c := newCase(fmt.Sprintf("w-%d", i%3), "")
		if i%3 == 2 {
			c.Subject.Kind = store.SubjectApplicant
		}
		c.Evidence = nil
		if i%3 == 0 {
			c.AlertID = fmt.Sprintf("risk-%d", i)
		}
		c = openCase(t, s, c)
		if i%2 == 0 {
			var err error
			if c, err = s.AssignCase(ctx, c.ID, "bo", "ana", t0); err != nil {
				t.Fatal(err)
			}
		}
		if i%4 == 0 {
			var err error
			if c, err = s.SetCaseStatus(ctx, c.ID, store.StatusChange{Status: store.CaseInvestigating, Actor: "bo", At: t0}); err != nil {
				t.Fatal(err)
			}
		}
		all = append([]store.Case{c}, all...) // newest first
	}
	filter := func(f store.CaseFilter) []int64 {
		var ids []int64
		for _, c := range all {
			if (f.Status == "" || c.Status == f.Status) && (f.Assignee == "" || c.Assignee == f.Assignee) &&
				(f.Subject == (store.CaseSubject{}) || c.Subject == f.Subject) && (f.AlertID == "" || c.AlertID == f.AlertID) {
				ids = append(ids, c.ID)
			}
		}
		return ids
	}
	ids := func(cs []store.Case) []int64 {
		var out []int64
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	for _, f := range []store.CaseFilter{
		{},
		{Status: store.CaseInvestigating},
		{Status: store.CaseOpen, Assignee: "bo"},
		{Subject: store.CaseSubject{Kind: store.SubjectWorker, ID: "w-1"}},
		{Subject: store.CaseSubject{Kind: store.SubjectApplicant, ID: "w-2"}},
		{Assignee: "nobody"},
		{AlertID: "risk-3"},
		{AlertID: "risk-6", Subject: store.CaseSubject{Kind: store.SubjectWorker, ID: "w-0"}},
		{AlertID: "risk-6", Subject: store.CaseSubject{Kind: store.SubjectWorker, ID: "w-1"}},
		{AlertID: "risk-9"},
	} {
		got, err := s.Cases(ctx, f)
		if err != nil || !same(ids(got), filter(f)) {
			t.Errorf("Cases(%+v) = %v, %v; want %v", f, ids(got), err, filter(f))
		}
		// Page through two at a time.
		var paged []int64
		p := f
		p.Limit = 2
		for range 10 {
			page, err := s.Cases(ctx, p)
			if err != nil {
				t.Fatalf("Cases(%+v) = %v", p, err)
			}
			if len(page) == 0 {
				break
			}
			paged = append(paged, ids(page)...)
			p.Before = page[len(page)-1].ID
		}
		if !same(paged, filter(f)) {
			t.Errorf("Cases(%+v) paged by 2 = %v, want %v", f, paged, filter(f))
		}
	}
	got, _ := s.Cases(ctx, store.CaseFilter{Limit: 1})
	if len(got) == 1 && !same(got[0], all[0]) {
		t.Errorf("Cases(Limit 1) = %+v, want %+v", got[0], all[0])
	}
}

func testCasesInvalid(t *testing.T, s CaseStore) {
	ctx := t.Context()
	bad := func(mod func(c *store.Case)) store.Case {
		c := newCase("w-1", "")
		mod(&c)
		return c
	}
	for _, tt := range []struct {
		c       store.Case
		mention []string
	}{
		{bad(func(c *store.Case) { c.Title = "" }), []string{"Title"}},
		{bad(func(c *store.Case) { c.Title = strings.Repeat("x", 501) }), []string{"Title", "500"}},
		{bad(func(c *store.Case) { c.Subject.Kind = "laptop" }), []string{"Subject.Kind", "laptop"}},
		{bad(func(c *store.Case) { c.Subject.ID = "" }), []string{"Subject.ID"}},
		{bad(func(c *store.Case) { c.OpenedBy = " " }), []string{"OpenedBy"}},
		{bad(func(c *store.Case) { c.OpenedAt = time.Time{} }), []string{"OpenedAt"}},
		{bad(func(c *store.Case) { c.Reason = strings.Repeat("x", 10_001) }), []string{"Reason", "10000"}},
		{bad(func(c *store.Case) { c.AlertID = "a\x00b" }), []string{"AlertID", "NUL"}},
		{bad(func(c *store.Case) { c.Evidence[1].Detector = "" }), []string{"Evidence[1]", "Detector"}},
		{bad(func(c *store.Case) { c.Evidence[0].Refs = make([]string, 101) }), []string{"Evidence[0]", "Refs", "100"}},
		{bad(func(c *store.Case) { c.Evidence = make([]store.CaseEvidence, 1001) }), []string{"Evidence", "1000"}},
	} {
		_, _, err := s.OpenCase(ctx, tt.c)
		wantErr(t, "OpenCase(invalid)", err, nil, tt.mention...)
	}
	c := openCase(t, s, newCase("w-1", ""))
	_, err := s.AddCaseNote(ctx, store.Note{CaseID: c.ID, Author: "bo", Text: strings.Repeat("n", 10_001), At: t0})
	wantErr(t, "AddCaseNote(10001 bytes)", err, nil, "Text", "10001", "10000")
	if _, err := s.AddCaseNote(ctx, store.Note{CaseID: c.ID, Author: "bo", Text: strings.Repeat("n", 10_000), At: t0}); err != nil {
		t.Errorf("AddCaseNote(10000 bytes) = %v, want nil", err)
	}
	_, err = s.AddCaseNote(ctx, store.Note{CaseID: c.ID, Author: "", Text: "x", At: t0})
	wantErr(t, "AddCaseNote(no author)", err, nil, "Author")
	for _, tt := range []struct {
		ch      store.StatusChange
		mention []string
	}{
		{store.StatusChange{Status: "done", Actor: "bo", At: t0}, []string{"Status", "done"}},
		{store.StatusChange{Status: store.CaseClosed, Actor: "bo", At: t0}, []string{"Resolution", "close"}},
		{store.StatusChange{Status: store.CaseInvestigating, Resolution: store.ResolutionInconclusive, Actor: "bo", At: t0}, []string{"Resolution"}},
		{store.StatusChange{Status: store.CaseInvestigating, At: t0}, []string{"Actor"}},
	} {
		_, err := s.SetCaseStatus(ctx, c.ID, tt.ch)
		wantErr(t, fmt.Sprintf("SetCaseStatus(%+v)", tt.ch), err, nil, tt.mention...)
	}
	_, err = s.SetCaseStatus(ctx, 999, store.StatusChange{Status: store.CaseInvestigating, Actor: "bo", At: t0})
	wantErr(t, "SetCaseStatus(999)", err, store.ErrNotFound)
	err = s.AttachEvidence(ctx, c.ID, "bo", t0, nil)
	wantErr(t, "AttachEvidence(none)", err, nil, "Evidence is empty")
	_, err = s.AssignCase(ctx, c.ID, strings.Repeat("a", 257), "bo", t0)
	wantErr(t, "AssignCase(long assignee)", err, nil, "Assignee", "256")
	_, err = s.Cases(ctx, store.CaseFilter{Status: "done"})
	wantErr(t, "Cases(status done)", err, nil, "Status")
	for _, e := range []store.AuditEntry{
		{At: t0, Actor: "bo", Action: "Report Exported"},
		{At: t0, Actor: "bo", Action: "report.exported", Detail: []byte(`[1]`)},
		{At: t0, Actor: "", Action: "report.exported"},
		{Actor: "bo", Action: "report.exported"},
		{At: t0, Actor: "bo", Action: "report.exported", Subject: store.CaseSubject{Kind: "x", ID: "1"}},
	} {
		_, err := s.RecordAudit(ctx, e)
		wantErr(t, fmt.Sprintf("RecordAudit(%+v)", e), err, nil)
	}
	_, err = s.RecordAudit(ctx, store.AuditEntry{At: t0, Actor: "bo", Action: "report.exported", CaseID: 999})
	wantErr(t, "RecordAudit(case 999)", err, store.ErrNotFound)
	if es := audit(t, s, store.AuditFilter{}); len(es) != 2 {
		t.Errorf("Audit() = %s, want the opening and the one valid note", actions(es))
	}
}

func testAudit(t *testing.T, s CaseStore) {
	ctx := t.Context()
	head, err := s.AuditHead(ctx)
	if err != nil || head.Seq != 0 || !same(head.Hash, store.GenesisHash) {
		t.Errorf("AuditHead(empty) = %+v, %v; want 0 and the genesis hash", head, err)
	}
	verify(t, s)
	c := openCase(t, s, newCase("w-1", ""))
	e, err := s.RecordAudit(ctx, store.AuditEntry{At: t0.Add(time.Hour), Actor: "bo", Action: "report.exported", CaseID: c.ID,
		Detail: []byte(` { "format" : "pdf",  "pages": 3 } `)})
	if err != nil {
		t.Fatalf("RecordAudit() = %v", err)
	}
	if e.Seq != 2 || string(e.Detail) != `{"format":"pdf","pages":3}` || len(e.Hash) != 32 {
		t.Errorf("RecordAudit() = %+v, want Seq 2, compacted detail and a hash", e)
	}
	dec, err := s.RecordAudit(ctx, store.AuditEntry{At: t0.Add(2 * time.Hour), Actor: "cy", Action: "applicant.decision",
		Subject: store.CaseSubject{Kind: store.SubjectApplicant, ID: "app-9"}})
	if err != nil || string(dec.Detail) != "{}" {
		t.Fatalf("RecordAudit(no case) = %+v, %v; want detail {}", dec, err)
	}
	all := audit(t, s, store.AuditFilter{})
	if len(all) != 3 || !same(all[1], e) || !same(all[2], dec) {
		t.Errorf("Audit() = %+v, want the opening, %+v, %+v", all, e, dec)
	}
	if _, err := store.VerifyChain(store.GenesisHash, all); err != nil {
		t.Errorf("VerifyChain(Audit()) = %v", err)
	}
	for f, want := range map[store.AuditFilter]string{
		{Actor: "cy"}:                   "3:applicant.decision:cy",
		{Action: "report.exported"}:     "2:report.exported:bo",
		{CaseID: c.ID}:                  "1:case.opened:ana 2:report.exported:bo",
		{After: 1, Limit: 1}:            "2:report.exported:bo",
		{After: 3}:                      "",
		{CaseID: c.ID, Actor: "nobody"}: "",
	} {
		if got := actions(audit(t, s, f)); got != want {
			t.Errorf("Audit(%+v) = %q, want %q", f, got, want)
		}
	}
	head, err = s.AuditHead(ctx)
	if err != nil || head.Seq != 3 || !same(head.Hash, dec.Hash) {
		t.Errorf("AuditHead() = %+v, %v; want seq 3 and the last hash", head, err)
	}
	verify(t, s)
}

func testAuditConcurrent(t *testing.T, s CaseStore) {
	c := openCase(t, s, newCase("w-1", ""))
	const n = 24
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			switch i % 3 {
			case 0:
				_, errs[i] = s.AddCaseNote(t.Context(), store.Note{CaseID: c.ID, Author: "bo", Text: fmt.Sprint("note ", i), At: t0})
			case 1:
				_, errs[i] = s.RecordAudit(t.Context(), store.AuditEntry{At: t0, Actor: "cy", Action: "report.exported", CaseID: c.ID})
			default:
				errs[i] = s.AttachEvidence(t.Context(), c.ID, "dee", t0, []store.CaseEvidence{{At: t0, Detector: "latency.too-slow"}})
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent writes: %v", err)
	}
	es := audit(t, s, store.AuditFilter{})
	if len(es) != n+1 {
		t.Errorf("Audit() has %d entries, want %d", len(es), n+1)
	}
	for i, e := range es {
		if e.Seq != int64(i+1) {
			t.Errorf("entry %d has Seq %d", i, e.Seq)
		}
	}
	verify(t, s)
}

// AuditTamper checks that the audit log of s refuses changes and that
// VerifyAudit finds them once the refusal is bypassed. exec runs one SQL
// statement on the store's database, bypassing the store; disable lists
// the statements that turn the append-only triggers off (only the owner
// or a superuser of the database can).
func AuditTamper(t *testing.T, s CaseStore, exec func(query string) error, disable ...string) {
	ctx := t.Context()
	c := openCase(t, s, newCase("w-1", ""))
	for i := range 3 {
		if _, err := s.AddCaseNote(ctx, store.Note{CaseID: c.ID, Author: "bo", Text: fmt.Sprint("note ", i), At: t0}); err != nil {
			t.Fatal(err)
		}
	}
	verify(t, s)
	for _, q := range []string{
		`UPDATE audit_log SET actor = 'mallory' WHERE seq = 2`,
		`DELETE FROM audit_log WHERE seq = 4`,
		`DELETE FROM audit_log`,
	} {
		err := exec(q)
		wantErr(t, q, err, nil, "append-only")
	}
	verify(t, s)

	for _, q := range disable {
		if err := exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := exec(`UPDATE audit_log SET actor = 'mallory' WHERE seq = 3`); err != nil {
		t.Fatalf("update with the triggers off: %v", err)
	}
	err := s.VerifyAudit(ctx)
	var ae *store.AuditError
	if !errors.As(err, &ae) || !errors.Is(err, store.ErrAuditBroken) || ae.Seq != 3 {
		t.Errorf("VerifyAudit() after changing entry 3 = %v, want an AuditError at 3", err)
	}
	if err := exec(`UPDATE audit_log SET actor = 'bo' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	verify(t, s)

	// Removing an entry breaks the chain where it was.
	if err := exec(`DELETE FROM audit_log WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	err = s.VerifyAudit(ctx)
	if !errors.As(err, &ae) || ae.Seq != 2 {
		t.Errorf("VerifyAudit() after deleting entry 2 = %v, want an AuditError at 2", err)
	}
}
