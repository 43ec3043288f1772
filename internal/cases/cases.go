// Package cases is case management for analysts: opening a case from a
// risk alert (with the alert's cited evidence as a snapshot) or by hand,
// assigning it, moving it through its statuses, taking notes, and reading
// its timeline, which merges evidence, notes and the audit log.
//
// The records, the allowed status transitions and the audit log live in
// package store (see docs/cases.md); a [Service] adds the domain rules on
// top of the few store methods it needs ([Store]), which both store.Store
// and postgres.Store have. Every change a Service makes is recorded in the
// audit log in the same transaction as the change, by the store.
package cases

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/store"
)

// Store is what a Service needs of a store.
type Store interface {
	OpenCase(ctx context.Context, c store.Case) (store.Case, bool, error)
	Case(ctx context.Context, id int64) (store.Case, error)
	AssignCase(ctx context.Context, id int64, assignee, actor string, at time.Time) (store.Case, error)
	SetCaseStatus(ctx context.Context, id int64, ch store.StatusChange) (store.Case, error)
	AddCaseNote(ctx context.Context, n store.Note) (store.Note, error)
	CaseNotes(ctx context.Context, id int64) ([]store.Note, error)
	Audit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error)
}

// Service applies the case rules on a store. It is safe for concurrent
// use if its store is.
type Service struct {
	store Store
	now   func() time.Time
}

// New returns a Service on st that stamps changes with now (time.Now
// when nil).
func New(st Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, now: now}
}

// OpenFromAlert opens a case on the alert's subject, titled by its rule
// and subject, with the alert's summary, level and log-odds as the reason
// and its cited contributions as the evidence snapshot. If a case for the
// alert ID is already open (not closed), it returns that case and changes
// nothing.
func (s *Service) OpenFromAlert(ctx context.Context, actor string, a risk.Alert) (store.Case, error) {
	if a.ID == "" {
		return store.Case{}, errors.New("open case from alert: alert ID is empty")
	}
	ev := evidenceOf(a.Cites)
	reason := a.Summary
	if !math.IsNaN(a.LogOdds) && !math.IsInf(a.LogOdds, 0) {
		reason = strings.TrimSpace(fmt.Sprintf("%s (rule %s, level %s, %+.1f bits)", a.Summary, a.Rule, a.Level, a.LogOdds))
	}
	c, _, err := s.store.OpenCase(ctx, store.Case{
		Title:    clip(fmt.Sprintf("%s: %s", a.Rule, a.Subject), store.MaxCaseTitleLen),
		Subject:  store.CaseSubject{Kind: a.Subject.Kind, ID: a.Subject.ID},
		OpenedBy: actor,
		Reason:   clip(reason, store.MaxCaseTextLen),
		OpenedAt: s.now(),
		AlertID:  a.ID,
		Evidence: ev,
	})
	if err != nil {
		return store.Case{}, fmt.Errorf("open case from alert %q: %w", clip(a.ID, 64), err)
	}
	return c, nil
}

// evidenceOf snapshots contributions as case evidence.
func evidenceOf(cs []risk.Contribution) []store.CaseEvidence {
	ev := make([]store.CaseEvidence, 0, len(cs))
	for _, c := range cs {
		ev = append(ev, store.CaseEvidence{
			At:          c.Evidence.At,
			Detector:    c.Evidence.Detector,
			Explanation: clip(c.Evidence.Explanation, store.MaxExplanationLen),
			Provenance:  c.Evidence.Provenance,
			Refs:        c.Evidence.Refs,
		})
	}
	return ev
}

// OpenOnRisk opens a case by hand on rk's subject, with title and reason,
// and the contributions that counted in rk (nonzero bits, at most
// store.MaxCaseEvidence, strongest first) as its evidence snapshot.
func (s *Service) OpenOnRisk(ctx context.Context, actor string, rk risk.Risk, title, reason string) (store.Case, error) {
	var cs []risk.Contribution
	for _, c := range rk.Contributions {
		if c.Bits != 0 && len(cs) < store.MaxCaseEvidence {
			cs = append(cs, c)
		}
	}
	c, _, err := s.store.OpenCase(ctx, store.Case{Title: title, Subject: store.CaseSubject{Kind: rk.Subject.Kind, ID: rk.Subject.ID},
		OpenedBy: actor, Reason: reason, OpenedAt: s.now(), Evidence: evidenceOf(cs)})
	if err != nil {
		return store.Case{}, fmt.Errorf("open case on %s: %w", clip(rk.Subject.String(), 64), err)
	}
	return c, nil
}

// OpenManual opens a case on subject with the given title and reason,
// without evidence (attach it later).
func (s *Service) OpenManual(ctx context.Context, actor string, subject store.CaseSubject, title, reason string) (store.Case, error) {
	c, _, err := s.store.OpenCase(ctx, store.Case{Title: title, Subject: subject, OpenedBy: actor, Reason: reason, OpenedAt: s.now()})
	if err != nil {
		return store.Case{}, fmt.Errorf("open case on %s: %w", clip(subject.String(), 64), err)
	}
	return c, nil
}

// Assign assigns case id to assignee ("" to unassign).
func (s *Service) Assign(ctx context.Context, actor string, id int64, assignee string) (store.Case, error) {
	return s.store.AssignCase(ctx, id, assignee, actor, s.now())
}

// Transition moves case id to status; resolution is required to close
// and must be empty otherwise. Moving a case to investigating also
// assigns it to actor if it has no assignee, so that someone owns every
// case being worked (a second change, with its own audit entry). It
// returns an error wrapping
// store.ErrConflict if the move is not allowed (see
// store.CaseTransitions).
func (s *Service) Transition(ctx context.Context, actor string, id int64, status, resolution string) (store.Case, error) {
	c, err := s.store.SetCaseStatus(ctx, id, store.StatusChange{Status: status, Resolution: resolution, Actor: actor, At: s.now()})
	if err != nil {
		return store.Case{}, err
	}
	if c.Assignee == "" && status == store.CaseInvestigating {
		return s.store.AssignCase(ctx, id, actor, actor, s.now())
	}
	return c, nil
}

// Note adds a note by actor to case id.
func (s *Service) Note(ctx context.Context, actor string, id int64, text string) (store.Note, error) {
	return s.store.AddCaseNote(ctx, store.Note{CaseID: id, Author: actor, Text: text, At: s.now()})
}

// Kinds of [TimelineItem].
const (
	ItemEvidence = "evidence"
	ItemNote     = "note"
	ItemAudit    = "audit"
)

// TimelineItem is one line of a case's timeline: exactly one of Evidence,
// Note and Audit is set, as Kind says.
type TimelineItem struct {
	At       time.Time
	Kind     string // ItemEvidence, ItemNote or ItemAudit
	Evidence *store.CaseEvidence
	Note     *store.Note
	Audit    *store.AuditEntry
}

// Timeline returns everything about case id in time order: its evidence
// (by when each finding was made), its notes and its audit entries. Items
// at the same time keep the order evidence, notes, audit entries, and
// within each kind their stored order. It returns an error wrapping
// store.ErrNotFound if the case does not exist.
func (s *Service) Timeline(ctx context.Context, id int64) ([]TimelineItem, error) {
	c, err := s.store.Case(ctx, id)
	if err != nil {
		return nil, err
	}
	notes, err := s.store.CaseNotes(ctx, id)
	if err != nil {
		return nil, err
	}
	audit, err := s.store.Audit(ctx, store.AuditFilter{CaseID: id})
	if err != nil {
		return nil, fmt.Errorf("timeline of case %d: %w", id, err)
	}
	items := make([]TimelineItem, 0, len(c.Evidence)+len(notes)+len(audit))
	for i := range c.Evidence {
		items = append(items, TimelineItem{At: c.Evidence[i].At, Kind: ItemEvidence, Evidence: &c.Evidence[i]})
	}
	for i := range notes {
		items = append(items, TimelineItem{At: notes[i].At, Kind: ItemNote, Note: &notes[i]})
	}
	for i := range audit {
		items = append(items, TimelineItem{At: audit[i].At, Kind: ItemAudit, Audit: &audit[i]})
	}
	rank := map[string]int{ItemEvidence: 0, ItemNote: 1, ItemAudit: 2}
	slices.SortStableFunc(items, func(a, b TimelineItem) int {
		return cmp.Or(a.At.Compare(b.At), rank[a.Kind]-rank[b.Kind])
	})
	return items, nil
}

// clip shortens s to at most n bytes on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "…"
	i := n - len(mark)
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + mark
}
