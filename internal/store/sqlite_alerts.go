package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SaveAlerts stores, in one transaction, the alerts and the alerter's
// state, which replaces the state saved before. An alert whose ID is
// already stored, or repeated within alerts, is stored once, as first
// saved; ExportedAt is ignored. It stores nothing, not even the state, and
// returns an error naming the state or the alert (by index) and the field
// if either is invalid (see [ValidateAlerts]).
func (s *Store) SaveAlerts(ctx context.Context, state json.RawMessage, alerts []Alert) error {
	if err := ValidateAlerts(state, alerts); err != nil {
		return fmt.Errorf("save alerts: %w", err)
	}
	alerts = PrepareAlerts(alerts)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if len(alerts) > 0 {
			st, err := tx.PrepareContext(ctx, `
				INSERT INTO alerts (id, subject_kind, subject_id, rule, level, at, log_odds, summary, body)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT DO NOTHING`)
			if err != nil {
				return err
			}
			defer st.Close()
			for i, a := range alerts {
				_, err := st.ExecContext(ctx, a.ID, a.SubjectKind, a.SubjectID, a.Rule, a.Level, a.At.UnixMicro(), a.LogOdds, a.Summary, string(a.Body))
				if err != nil {
					return fmt.Errorf("insert alert %q: %w", clip(alerts[i].ID), err)
				}
			}
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO alert_state (id, state, saved_at) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET state = excluded.state, saved_at = excluded.saved_at`,
			string(state), time.Now().UnixMicro())
		if err != nil {
			return fmt.Errorf("save state: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save alerts: %w", err)
	}
	return nil
}

// AlertState returns the alerter's state as last saved by SaveAlerts, byte
// for byte, or nil and no error if none has been saved.
func (s *Store) AlertState(ctx context.Context) (json.RawMessage, error) {
	var state string
	err := s.r.QueryRowContext(ctx, `SELECT state FROM alert_state WHERE id = 1`).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get alert state: %w", err)
	}
	return json.RawMessage(state), nil
}

const alertColumns = `id, subject_kind, subject_id, rule, level, at, log_odds, summary, body, exported_at`

func scanAlert(row interface{ Scan(...any) error }) (Alert, error) {
	var a Alert
	var at int64
	var body string
	var exported sql.NullInt64
	err := row.Scan(&a.ID, &a.SubjectKind, &a.SubjectID, &a.Rule, &a.Level, &at, &a.LogOdds, &a.Summary, &body, &exported)
	a.At, a.Body, a.ExportedAt = fromMicros(at), json.RawMessage(body), fromNullMicros(exported)
	return a, err
}

// Alerts returns the alerts that f selects, newest first: by At, then by
// the ID's length and text, all descending, so that of two alerts raised
// together risk-10 comes before risk-9. It returns an error naming the
// field if f is invalid (see [AlertFilter.Validate]).
func (s *Store) Alerts(ctx context.Context, f AlertFilter) ([]Alert, error) {
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	f = PrepareAlertFilter(f)
	var where []string
	var args []any
	if f.SubjectID != "" {
		where, args = append(where, "subject_kind = ? AND subject_id = ?"), append(args, f.SubjectKind, f.SubjectID)
	}
	if !f.Before.IsZero() {
		where, args = append(where, "at < ?"), append(args, f.Before.UnixMicro())
	}
	q := `SELECT ` + alertColumns + ` FROM alerts`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY at DESC, length(id) DESC, id DESC LIMIT ?"
	rows, err := s.r.QueryContext(ctx, q, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	out, err := collect(rows, scanAlert)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}

// Alert returns the alert with the given ID, or an error wrapping
// [ErrNotFound].
func (s *Store) Alert(ctx context.Context, id string) (Alert, error) {
	a, err := scanAlert(s.r.QueryRowContext(ctx, `SELECT `+alertColumns+` FROM alerts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Alert{}, fmt.Errorf("get alert %q: %w", clip(id), err)
	}
	return a, nil
}

// UnexportedAlerts returns up to limit alerts not yet marked exported,
// oldest first (by At, then ID by length and text); limit <= 0 means DefaultAlertLimit, and
// more than MaxAlertList is an error.
func (s *Store) UnexportedAlerts(ctx context.Context, limit int) ([]Alert, error) {
	if err := ValidateUnexportedLimit(limit); err != nil {
		return nil, fmt.Errorf("list unexported alerts: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT `+alertColumns+` FROM alerts
		WHERE exported_at IS NULL
		ORDER BY at, length(id), id
		LIMIT ?`, AlertLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list unexported alerts: %w", err)
	}
	out, err := collect(rows, scanAlert)
	if err != nil {
		return nil, fmt.Errorf("list unexported alerts: %w", err)
	}
	return out, nil
}

// MarkAlertsExported sets ExportedAt to at (in UTC at microsecond
// precision) on the alerts with the given IDs that are not yet marked
// exported, in one transaction. Unknown IDs are ignored. It returns an
// error naming the argument if ids or at is invalid (see
// [ValidateMarkExported]).
func (s *Store) MarkAlertsExported(ctx context.Context, ids []string, at time.Time) error {
	if err := ValidateMarkExported(ids, at); err != nil {
		return fmt.Errorf("mark alerts exported: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("mark alerts exported: %w", err)
	}
	// One statement: it marks all of the alerts or none.
	_, err = s.w.ExecContext(ctx, `
		UPDATE alerts SET exported_at = ?
		WHERE exported_at IS NULL AND id IN (SELECT value FROM json_each(?))`,
		utcMicro(at).UnixMicro(), string(list))
	if err != nil {
		return fmt.Errorf("mark alerts exported: %w", err)
	}
	return nil
}
