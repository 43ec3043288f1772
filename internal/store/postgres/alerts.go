package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lagwatch/lagwatch/internal/store"
)

// SaveAlerts stores, in one transaction, the alerts and the alerter's
// state, which replaces the state saved before. An alert whose ID is
// already stored, or repeated within alerts, is stored once, as first
// saved; ExportedAt is ignored. It stores nothing, not even the state, and
// returns an error naming the state or the alert (by index) and the field
// if either is invalid (see [store.ValidateAlerts]).
func (s *Store) SaveAlerts(ctx context.Context, state json.RawMessage, alerts []store.Alert) error {
	if err := store.ValidateAlerts(state, alerts); err != nil {
		return fmt.Errorf("save alerts: %w", err)
	}
	alerts = store.PrepareAlerts(alerts)
	// In order of ID, so that concurrent saves of the same alerts wait for
	// each other rather than deadlock.
	slices.SortFunc(alerts, func(a, b store.Alert) int { return cmp.Compare(a.ID, b.ID) })
	n := len(alerts)
	ids, kinds, subjects, rules, levels := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	summaries, bodies := make([]string, n), make([]string, n)
	at, logOdds := make([]time.Time, n), make([]float64, n)
	for i, a := range alerts {
		ids[i], kinds[i], subjects[i], rules[i], levels[i] = a.ID, a.SubjectKind, a.SubjectID, a.Rule, a.Level
		at[i], logOdds[i], summaries[i], bodies[i] = a.At, a.LogOdds, a.Summary, string(a.Body)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if n > 0 {
			_, err := tx.Exec(ctx, `
				INSERT INTO alerts (id, subject_kind, subject_id, rule, level, at, log_odds, summary, body)
				SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
					$6::timestamptz[], $7::float8[], $8::text[], $9::json[])
				ON CONFLICT DO NOTHING`,
				ids, kinds, subjects, rules, levels, at, logOdds, summaries, bodies)
			if err != nil {
				return fmt.Errorf("insert alerts: %w", err)
			}
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO alert_state (id, state, saved_at) VALUES (1, $1::text::json, $2)
			ON CONFLICT (id) DO UPDATE SET state = excluded.state, saved_at = excluded.saved_at`,
			string(state), utcMicro(time.Now()))
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
	err := s.pool.QueryRow(ctx, `SELECT state::text FROM alert_state WHERE id = 1`).Scan(&state)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get alert state: %w", err)
	}
	return json.RawMessage(state), nil
}

const alertColumns = `id, subject_kind, subject_id, rule, level, at, log_odds, summary, body::text, exported_at`

func scanAlert(row pgx.CollectableRow) (store.Alert, error) {
	var a store.Alert
	var body string
	var exported *time.Time
	err := row.Scan(&a.ID, &a.SubjectKind, &a.SubjectID, &a.Rule, &a.Level, &a.At, &a.LogOdds, &a.Summary, &body, &exported)
	a.At, a.Body, a.ExportedAt = a.At.UTC(), json.RawMessage(body), fromNull(exported)
	return a, err
}

// Alerts returns the alerts that f selects, newest first: by At, then by
// the ID's length and text, all descending, so that of two alerts raised
// together risk-10 comes before risk-9. It returns an error naming the
// field if f is invalid (see [store.AlertFilter.Validate]).
func (s *Store) Alerts(ctx context.Context, f store.AlertFilter) ([]store.Alert, error) {
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	f = store.PrepareAlertFilter(f)
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if f.SubjectID != "" {
		where = append(where, "subject_kind = "+arg(f.SubjectKind)+" AND subject_id = "+arg(f.SubjectID))
	}
	if !f.Before.IsZero() {
		where = append(where, "at < "+arg(f.Before))
	}
	q := `SELECT ` + alertColumns + ` FROM alerts`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY at DESC, length(id) DESC, id DESC LIMIT " + arg(f.Limit)
	rows, _ := s.pool.Query(ctx, q, args...)
	out, err := nilIfNone(pgx.CollectRows(rows, scanAlert))
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}

// Alert returns the alert with the given ID, or an error wrapping
// [store.ErrNotFound].
func (s *Store) Alert(ctx context.Context, id string) (store.Alert, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+alertColumns+` FROM alerts WHERE id = $1`, id)
	a, err := pgx.CollectExactlyOneRow(rows, scanAlert)
	if err != nil {
		return store.Alert{}, fmt.Errorf("get alert %q: %w", clip(id), notFound(err))
	}
	return a, nil
}

// UnexportedAlerts returns up to limit alerts not yet marked exported,
// oldest first (by At, then ID by length and text); limit <= 0 means
// [store.DefaultAlertLimit], and more than [store.MaxAlertList] is an
// error.
func (s *Store) UnexportedAlerts(ctx context.Context, limit int) ([]store.Alert, error) {
	if err := store.ValidateUnexportedLimit(limit); err != nil {
		return nil, fmt.Errorf("list unexported alerts: %w", err)
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT `+alertColumns+` FROM alerts
		WHERE exported_at IS NULL
		ORDER BY at, length(id), id
		LIMIT $1`, store.AlertLimit(limit))
	out, err := nilIfNone(pgx.CollectRows(rows, scanAlert))
	if err != nil {
		return nil, fmt.Errorf("list unexported alerts: %w", err)
	}
	return out, nil
}

// MarkAlertsExported sets ExportedAt to at (in UTC at microsecond
// precision) on the alerts with the given IDs that are not yet marked
// exported, in one transaction. Unknown IDs are ignored. It returns an
// error naming the argument if ids or at is invalid (see
// [store.ValidateMarkExported]).
func (s *Store) MarkAlertsExported(ctx context.Context, ids []string, at time.Time) error {
	if err := store.ValidateMarkExported(ids, at); err != nil {
		return fmt.Errorf("mark alerts exported: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	// One statement: it marks all of the alerts or none.
	_, err := s.pool.Exec(ctx, `
		UPDATE alerts SET exported_at = $1
		WHERE exported_at IS NULL AND id = ANY ($2::text[])`,
		utcMicro(at), ids)
	if err != nil {
		return fmt.Errorf("mark alerts exported: %w", err)
	}
	return nil
}
