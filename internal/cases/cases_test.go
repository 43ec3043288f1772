package cases_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/cases"
	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/store"
)

// clock is a fake clock that moves one minute per reading.
type clock struct{ t time.Time }

func (c *clock) now() time.Time {
	c.t = c.t.Add(time.Minute)
	return c.t
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newService(t *testing.T) (*cases.Service, *store.Store) {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "lagwatch.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{t: t0}
	return cases.New(st, c.now), st
}

func alert() risk.Alert {
	ev := func(det, expl string, at time.Duration, refs ...string) risk.Contribution {
		return risk.Contribution{Evidence: risk.Evidence{Subject: risk.Worker("w-7"), Detector: det, Explanation: expl,
			Provenance: risk.ServerMeasured, At: t0.Add(at), Refs: refs}, Bits: 3, Counted: true}
	}
	return risk.Alert{
		ID: "risk-42", Subject: risk.Worker("w-7"), Rule: "high-risk", At: t0, LogOdds: 6.5, Level: "high",
		Cites: []risk.Contribution{
			ev("latency.too-slow", "min RTT 190 ms to us-west, 40 ms expected", -2*time.Hour, "rtt:dev-1/us-west"),
			ev("endpoint.ip-kvm", "PiKVM USB gadget attached", -30*time.Minute, "endpoint:dev-1/batch-9"),
		},
		Summary: "Worker w-7 is probably not in Austin, TX.",
	}
}

func TestOpenFromAlert(t *testing.T) {
	svc, st := newService(t)
	ctx := t.Context()
	c, err := svc.OpenFromAlert(ctx, "ana", alert())
	if err != nil {
		t.Fatalf("OpenFromAlert() = %v", err)
	}
	if c.Subject != (store.CaseSubject{Kind: "worker", ID: "w-7"}) || c.AlertID != "risk-42" || c.Status != store.CaseOpen ||
		c.OpenedBy != "ana" || !c.OpenedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("OpenFromAlert() = %+v", c)
	}
	if !strings.Contains(c.Title, "high-risk") || !strings.Contains(c.Title, "worker:w-7") {
		t.Errorf("Title = %q, want the rule and the subject", c.Title)
	}
	if !strings.Contains(c.Reason, "not in Austin") || !strings.Contains(c.Reason, "+6.5 bits") {
		t.Errorf("Reason = %q, want the summary and the log-odds", c.Reason)
	}
	want := []store.CaseEvidence{
		{At: t0.Add(-2 * time.Hour), Detector: "latency.too-slow", Explanation: "min RTT 190 ms to us-west, 40 ms expected",
			Provenance: "server-measured", Refs: []string{"rtt:dev-1/us-west"}},
		{At: t0.Add(-30 * time.Minute), Detector: "endpoint.ip-kvm", Explanation: "PiKVM USB gadget attached",
			Provenance: "server-measured", Refs: []string{"endpoint:dev-1/batch-9"}},
	}
	got, err := st.Case(ctx, c.ID)
	if err != nil || len(got.Evidence) != 2 || got.Evidence[0].Detector != want[0].Detector ||
		got.Evidence[1].Refs[0] != want[1].Refs[0] || got.Evidence[0].Explanation != want[0].Explanation {
		t.Errorf("Case(%d).Evidence = %+v, %v; want %+v", c.ID, got.Evidence, err, want)
	}
	// The same alert again returns the open case.
	again, err := svc.OpenFromAlert(ctx, "bo", alert())
	if err != nil || again.ID != c.ID || again.OpenedBy != "ana" {
		t.Errorf("OpenFromAlert(again) = %+v, %v; want case %d opened by ana", again, err, c.ID)
	}
	bad := alert()
	bad.ID = ""
	if _, err := svc.OpenFromAlert(ctx, "ana", bad); err == nil || !strings.Contains(err.Error(), "alert ID") {
		t.Errorf("OpenFromAlert(no ID) = %v, want an error naming the alert ID", err)
	}
	bad = alert()
	bad.Subject.Kind = "laptop"
	if _, err := svc.OpenFromAlert(ctx, "ana", bad); err == nil || !strings.Contains(err.Error(), "Subject.Kind") {
		t.Errorf("OpenFromAlert(bad subject) = %v, want an error naming Subject.Kind", err)
	}
	long := alert()
	long.ID = "risk-43"
	long.Summary = strings.Repeat("é", 6000) // 12,000 bytes
	long.Cites[0].Evidence.Explanation = strings.Repeat("x", 5000)
	if c, err := svc.OpenFromAlert(ctx, "ana", long); err != nil || len(c.Reason) > store.MaxCaseTextLen || len(c.Evidence[0].Explanation) > store.MaxExplanationLen {
		t.Errorf("OpenFromAlert(long summary) = reason of %d bytes, %v; want it clipped to the limits", len(c.Reason), err)
	}
}

func TestWorkflowAndTimeline(t *testing.T) {
	svc, st := newService(t)
	ctx := t.Context()
	c, err := svc.OpenFromAlert(ctx, "ana", alert()) // t0+1m
	if err != nil {
		t.Fatal(err)
	}
	if c, err = svc.Transition(ctx, "bo", c.ID, store.CaseInvestigating, ""); err != nil { // +2m, assign +3m
		t.Fatalf("Transition(investigating) = %v", err)
	}
	if c.Assignee != "bo" {
		t.Errorf("after Transition(investigating) by bo, Assignee = %q, want bo", c.Assignee)
	}
	if _, err := svc.Note(ctx, "bo", c.ID, "worker's ISP is a residential line in Lagos"); err != nil { // +4m
		t.Fatalf("Note() = %v", err)
	}
	if _, err := svc.Assign(ctx, "bo", c.ID, "cy"); err != nil { // +5m
		t.Fatalf("Assign() = %v", err)
	}
	_, err = svc.Transition(ctx, "cy", c.ID, store.CaseOpen, "")
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("Transition(investigating -> open) = %v, want ErrConflict", err)
	}
	_, err = svc.Transition(ctx, "cy", c.ID, store.CaseClosed, "")
	if err == nil || !strings.Contains(err.Error(), "Resolution") {
		t.Errorf("Transition(closed without resolution) = %v, want an error naming Resolution", err)
	}
	if c, err = svc.Transition(ctx, "cy", c.ID, store.CaseClosed, store.ResolutionConfirmedFraud); err != nil { // the failed calls read the clock too
		t.Fatalf("Transition(closed) = %v", err)
	}
	if c.Resolution != store.ResolutionConfirmedFraud || c.ClosedAt.IsZero() || c.Assignee != "cy" {
		t.Errorf("closed case = %+v", c)
	}

	items, err := svc.Timeline(ctx, c.ID)
	if err != nil {
		t.Fatalf("Timeline() = %v", err)
	}
	var got []string
	for i, it := range items {
		if i > 0 && it.At.Before(items[i-1].At) {
			t.Errorf("Timeline item %d at %v before item %d at %v", i, it.At, i-1, items[i-1].At)
		}
		switch it.Kind {
		case cases.ItemEvidence:
			got = append(got, "evidence:"+it.Evidence.Detector)
		case cases.ItemNote:
			got = append(got, "note:"+it.Note.Author)
		case cases.ItemAudit:
			got = append(got, "audit:"+it.Audit.Action)
		}
	}
	want := []string{
		"evidence:latency.too-slow", "evidence:endpoint.ip-kvm",
		"audit:case.opened", "audit:case.status", "audit:case.assigned",
		"note:bo", "audit:case.note", "audit:case.assigned", "audit:case.status",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Timeline() =\n%s\nwant\n%s", strings.Join(got, " "), strings.Join(want, " "))
	}
	if err := st.VerifyAudit(ctx); err != nil {
		t.Errorf("VerifyAudit() = %v", err)
	}
	if _, err := svc.Timeline(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Timeline(999) = %v, want ErrNotFound", err)
	}
}

func TestOpenManual(t *testing.T) {
	svc, st := newService(t)
	ctx := t.Context()
	subj := store.CaseSubject{Kind: store.SubjectApplicant, ID: "app-3"}
	c, err := svc.OpenManual(ctx, "ana", subj, "Résumé reuses a known ring's employer", "tip from recruiter")
	if err != nil {
		t.Fatalf("OpenManual() = %v", err)
	}
	if c.Subject != subj || c.AlertID != "" || c.Reason != "tip from recruiter" || c.Evidence != nil {
		t.Errorf("OpenManual() = %+v", c)
	}
	// Manual cases are not deduplicated.
	c2, err := svc.OpenManual(ctx, "ana", subj, "Second look", "")
	if err != nil || c2.ID == c.ID {
		t.Errorf("OpenManual(again) = %+v, %v; want a new case", c2, err)
	}
	_, err = svc.OpenManual(ctx, "ana", subj, "", "")
	if err == nil || !strings.Contains(err.Error(), "Title") {
		t.Errorf("OpenManual(no title) = %v, want an error naming Title", err)
	}
	_, err = svc.Note(ctx, "ana", c.ID, strings.Repeat("x", 10_001))
	if err == nil || !strings.Contains(err.Error(), "10000") {
		t.Errorf("Note(10001 bytes) = %v, want an error naming the limit", err)
	}
	es, err := st.Audit(ctx, store.AuditFilter{Action: store.AuditCaseOpened})
	if err != nil || len(es) != 2 {
		t.Errorf("Audit(case.opened) = %d entries, %v; want 2", len(es), err)
	}
}
