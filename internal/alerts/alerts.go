// Package alerts raises risk alerts continuously, as lagwatch serve runs:
// at each tick it fuses every worker's stored evidence (package riskfeed),
// holds the risks against the alert rules (risk.Alerter, with its
// deduplication and suppressions), stores the new alerts together with the
// alerter's state in one transaction, and sends the alerts not yet sent to
// the SIEM sinks configured, marking them sent only once every sink took
// them. A failed save leaves the alerter as it was, so the next tick raises
// the same alerts again; a failed send leaves the alerts to be sent again.
//
// A [Service] is the only writer of the alerter state in its store: run
// one per store.
package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/riskfeed"
	"github.com/lagwatch/lagwatch/internal/store"
)

// Store is what a Service needs of a store; store.Store and
// postgres.Store have it.
type Store interface {
	riskfeed.Store
	SaveAlerts(ctx context.Context, state json.RawMessage, alerts []store.Alert) error
	AlertState(ctx context.Context) (json.RawMessage, error)
	Alerts(ctx context.Context, f store.AlertFilter) ([]store.Alert, error)
	Alert(ctx context.Context, id string) (store.Alert, error)
	UnexportedAlerts(ctx context.Context, limit int) ([]store.Alert, error)
	MarkAlertsExported(ctx context.Context, ids []string, at time.Time) error
	RecordAudit(ctx context.Context, e store.AuditEntry) (store.AuditEntry, error)
}

// Sink receives alerts for a SIEM: a siem.Webhook, or a siem.SyslogWriter
// through [SinkFunc].
type Sink interface {
	Send(ctx context.Context, a risk.Alert) error
}

// SinkFunc adapts a function to a [Sink].
type SinkFunc func(ctx context.Context, a risk.Alert) error

// Send calls f.
func (f SinkFunc) Send(ctx context.Context, a risk.Alert) error { return f(ctx, a) }

// Defaults and limits of a [Config].
const (
	DefaultInterval = 5 * time.Minute
	DefaultWindow   = 7 * 24 * time.Hour
	MinInterval     = time.Second
	MinWindow       = time.Hour
	// exportBatch is how many unsent alerts one tick sends at most.
	exportBatch = 500
)

// Config configures a [Service].
type Config struct {
	// Risk holds the detector weights, levels and alert rules; zero means
	// risk.DefaultConfig().
	Risk *risk.Config
	// Interval is the time between ticks of [Service.Run];
	// DefaultInterval when zero, at least MinInterval.
	Interval time.Duration
	// Window is how far back evidence is read; DefaultWindow when zero,
	// at least MinWindow.
	Window time.Duration
	// Sinks receive every new alert once it is stored. None when empty.
	Sinks []Sink
	// Logger receives tick failures and counts; nil discards them.
	Logger *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Service raises, stores, sends and reads alerts. It is safe for
// concurrent use.
type Service struct {
	st    Store
	cfg   Config
	risk  risk.Config
	log   *slog.Logger
	now   func() time.Time
	mu    sync.Mutex // serialises ticks and suppressions: the alerter and its stored state change together
	al    *risk.Alerter
	sends sync.Mutex // one export at a time
}

// New returns a Service on st with the alerter state stored there, or an
// empty one when none is.
func New(ctx context.Context, st Store, cfg Config) (*Service, error) {
	rc := risk.DefaultConfig()
	if cfg.Risk != nil {
		rc = *cfg.Risk
	}
	switch {
	case cfg.Interval == 0:
		cfg.Interval = DefaultInterval
	case cfg.Interval < MinInterval:
		return nil, fmt.Errorf("alerts: interval %v: must be at least %v", cfg.Interval, MinInterval)
	}
	switch {
	case cfg.Window == 0:
		cfg.Window = DefaultWindow
	case cfg.Window < MinWindow:
		return nil, fmt.Errorf("alerts: window %v: must be at least %v", cfg.Window, MinWindow)
	}
	s := &Service{st: st, cfg: cfg, risk: rc, log: cfg.Logger, now: cfg.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	al, err := risk.NewAlerter(rc)
	if err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	raw, err := st.AlertState(ctx)
	if err != nil {
		return nil, fmt.Errorf("alerts: read stored state: %w", err)
	}
	if raw != nil {
		state, err := risk.ParseState(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("alerts: stored state: %w", err)
		}
		if err := al.Restore(state); err != nil {
			return nil, fmt.Errorf("alerts: stored state: %w", err)
		}
	}
	s.al = al
	return s, nil
}

// Run ticks until ctx ends: at once, then every Interval. A failed tick
// is logged and retried at the next.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("alert tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick raises the alerts of now ([Service.Evaluate]) and sends what is
// unsent ([Service.Export]). It returns the new alerts; an export error is
// returned with them.
func (s *Service) Tick(ctx context.Context) ([]risk.Alert, error) {
	alerts, err := s.Evaluate(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.Export(ctx); err != nil {
		return alerts, err
	}
	return alerts, nil
}

// Evaluate fuses the stored evidence of the last Window, holds the risks
// against the rules and stores the new alerts with the alerter's state, in
// one transaction. On error nothing is stored and the alerter is as it was.
func (s *Service) Evaluate(ctx context.Context) ([]risk.Alert, error) {
	now := s.now()
	ev, links, err := riskfeed.Gather(ctx, s.st, nil, now.Add(-s.cfg.Window), now, func(msg string) { s.log.Debug("risk feed", "msg", msg) })
	if err != nil {
		return nil, fmt.Errorf("evaluate alerts: %w", err)
	}
	risks := risk.Fuse(ev, links, s.risk, now)
	s.mu.Lock()
	defer s.mu.Unlock()
	before := s.al.Snapshot()
	alerts := s.al.Evaluate(risks, now)
	rows := make([]store.Alert, 0, len(alerts))
	for _, a := range alerts {
		row, err := rowOf(a)
		if err != nil {
			s.restore(before)
			return nil, fmt.Errorf("evaluate alerts: %w", err)
		}
		rows = append(rows, row)
	}
	if err := s.save(ctx, rows); err != nil {
		s.restore(before)
		return nil, fmt.Errorf("evaluate alerts: %w", err)
	}
	if len(alerts) > 0 {
		s.log.Info("alerts raised", "count", len(alerts), "risks", len(risks))
	}
	return alerts, nil
}

// save stores rows and the alerter's current state; s.mu is held.
func (s *Service) save(ctx context.Context, rows []store.Alert) error {
	state, err := json.Marshal(s.al.Snapshot())
	if err != nil {
		return fmt.Errorf("encode alert state: %w", err)
	}
	if err := s.st.SaveAlerts(ctx, state, rows); err != nil {
		return fmt.Errorf("save %d alerts: %w", len(rows), err)
	}
	return nil
}

// restore puts back a snapshot taken under s.mu. It cannot fail: the
// snapshot came from the alerter itself.
func (s *Service) restore(st risk.State) {
	if err := s.al.Restore(st); err != nil {
		s.log.Error("restore alert state", "err", err)
	}
}

// rowOf is how an alert is stored.
func rowOf(a risk.Alert) (store.Alert, error) {
	body, err := json.Marshal(a)
	if err != nil {
		return store.Alert{}, fmt.Errorf("encode alert %s: %w", a.ID, err)
	}
	return store.Alert{ID: a.ID, SubjectKind: a.Subject.Kind, SubjectID: a.Subject.ID, Rule: a.Rule, Level: a.Level,
		At: a.At, LogOdds: a.LogOdds, Summary: a.Summary, Body: body}, nil
}

// Export sends the stored alerts not yet sent, oldest first, to every
// sink, and marks those every sink took as sent. It stops at the first
// alert a sink refuses, so that alerts reach the SIEM in order, and
// returns how many were sent. Without sinks it sends nothing and marks
// nothing: alerts raised before a sink is configured are sent to it then.
func (s *Service) Export(ctx context.Context) (int, error) {
	if len(s.cfg.Sinks) == 0 {
		return 0, nil
	}
	s.sends.Lock()
	defer s.sends.Unlock()
	rows, err := s.st.UnexportedAlerts(ctx, exportBatch)
	if err != nil {
		return 0, fmt.Errorf("export alerts: %w", err)
	}
	var sent []string
	var serr error
	for _, row := range rows {
		a, err := decode(row)
		if err != nil {
			serr = fmt.Errorf("export alerts: %w", err)
			break
		}
		for i, sink := range s.cfg.Sinks {
			if err := sink.Send(ctx, a); err != nil {
				serr = fmt.Errorf("export alert %s to sink %d: %w", a.ID, i, err)
				break
			}
		}
		if serr != nil {
			break
		}
		sent = append(sent, row.ID)
	}
	if len(sent) > 0 {
		if err := s.st.MarkAlertsExported(ctx, sent, s.now()); err != nil {
			return 0, errors.Join(serr, fmt.Errorf("export alerts: mark %d sent: %w", len(sent), err))
		}
		s.log.Info("alerts sent", "count", len(sent))
	}
	return len(sent), serr
}

// decode returns the alert a stored row holds.
func decode(row store.Alert) (risk.Alert, error) {
	var a risk.Alert
	if err := json.Unmarshal(row.Body, &a); err != nil {
		return risk.Alert{}, fmt.Errorf("decode stored alert %s: %w", row.ID, err)
	}
	if a.ID != row.ID {
		return risk.Alert{}, fmt.Errorf("decode stored alert %s: body has ID %q", row.ID, a.ID)
	}
	return a, nil
}

// Stored is an alert as read back: the alert and when it was sent to the
// SIEM (zero if not yet, or no sink is configured).
type Stored struct {
	risk.Alert
	SentAt time.Time `json:"sent_at,omitzero"`
}

// Newest returns up to limit alerts, newest first; for one subject when
// subject is not zero.
func (s *Service) Newest(ctx context.Context, subject risk.Subject, limit int) ([]Stored, error) {
	rows, err := s.st.Alerts(ctx, store.AlertFilter{SubjectKind: subject.Kind, SubjectID: subject.ID, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	out := make([]Stored, 0, len(rows))
	for _, row := range rows {
		a, err := decode(row)
		if err != nil {
			return nil, fmt.Errorf("list alerts: %w", err)
		}
		out = append(out, Stored{Alert: a, SentAt: row.ExportedAt})
	}
	return out, nil
}

// Get returns the alert id, or an error wrapping store.ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (Stored, error) {
	row, err := s.st.Alert(ctx, id)
	if err != nil {
		return Stored{}, fmt.Errorf("read alert %q: %w", clip(id), err)
	}
	a, err := decode(row)
	if err != nil {
		return Stored{}, err
	}
	return Stored{Alert: a, SentAt: row.ExportedAt}, nil
}

// AuditAlertSuppressed is the audit action [Service.Suppress] records.
const AuditAlertSuppressed = "alert.suppressed"

// Suppress silences rule ("" for every rule) for subject until the given
// time, for the reason given, by actor. It is recorded in the audit log
// first, then stored with the alerter's state; if storing fails the
// suppression is undone, an error returned, and the audit entry stands as
// the record of what was asked.
func (s *Service) Suppress(ctx context.Context, actor string, subject risk.Subject, rule, reason string, until time.Time) error {
	if rule != "" && !slices.ContainsFunc(s.risk.Rules, func(r risk.Rule) bool { return r.Name == rule }) {
		return fmt.Errorf("suppress alerts: rule %q is not one of the configured rules", clip(rule))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	before := s.al.Snapshot()
	if err := s.al.Suppress(subject, rule, until, reason, actor); err != nil {
		return fmt.Errorf("suppress alerts of %s: %w", subject, err)
	}
	entry := store.AuditEntry{At: s.now(), Actor: actor, Action: AuditAlertSuppressed,
		Subject: store.CaseSubject{Kind: subject.Kind, ID: subject.ID},
		Detail:  store.AuditDetail(map[string]any{"rule": rule, "until": until.UTC(), "reason": reason})}
	if _, err := s.st.RecordAudit(ctx, entry); err != nil {
		s.restore(before)
		return fmt.Errorf("suppress alerts of %s: audit: %w", subject, err)
	}
	if err := s.save(ctx, nil); err != nil {
		s.restore(before)
		return fmt.Errorf("suppress alerts of %s: %w", subject, err)
	}
	return nil
}

// Suppressions returns the suppressions in force at now.
func (s *Service) Suppressions() []risk.Suppression {
	now := s.now()
	var out []risk.Suppression
	for _, sp := range s.al.Snapshot().Suppressions {
		if now.Before(sp.Until) {
			out = append(out, sp)
		}
	}
	return out
}

// Rules returns the names of the configured alert rules.
func (s *Service) Rules() []string {
	names := make([]string, len(s.risk.Rules))
	for i, r := range s.risk.Rules {
		names[i] = r.Name
	}
	return names
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
