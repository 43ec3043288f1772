package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/lagwatch/lagwatch/internal/store"
)

// applicantsLock is the key of the transaction-level advisory lock that
// SaveApplicants and ReplaceRings hold, so that imports and ring
// replacements run one after the other as they do in SQLite: the counts of
// an import are exact and their row locks cannot deadlock.
const applicantsLock int64 = 0x6c61_6777_6170_706c // "lagwappl"

// SaveApplicants stores the applicants of b in one transaction, all or
// nothing: an applicant stored before (same ID) has its record, screening
// result, ring and import replaced, and keeps its decisions. If any
// applicant is invalid (see [store.ApplicantBatch.Validate]) nothing is
// stored and the error names the applicant and the field. The import
// itself is recorded with its Source and At, which become each applicant's
// ImportSource and ImportedAt. Concurrent calls are applied one after the
// other. A batch without applicants stores nothing.
//
// The applicants are copied (COPY) into a temporary table and upserted
// from there with one statement.
func (s *Store) SaveApplicants(ctx context.Context, b store.ApplicantBatch) (store.ImportSummary, error) {
	if err := b.Validate(); err != nil {
		return store.ImportSummary{}, fmt.Errorf("save applicants of import %q: %w", clip(b.ImportID), err)
	}
	if len(b.Applicants) == 0 {
		return store.ImportSummary{}, nil
	}
	var sum store.ImportSummary
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, applicantsLock); err != nil {
			return fmt.Errorf("lock applicants: %w", err)
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO applicant_imports (id, source, at) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET source = excluded.source, at = excluded.at`,
			b.ImportID, b.Source, utcMicro(b.At))
		if err != nil {
			return fmt.Errorf("record import: %w", err)
		}
		_, err = tx.Exec(ctx, `
			CREATE TEMPORARY TABLE applicants_import (
				id      text,
				name    text,
				score   double precision,
				level   text,
				ring_id text,
				body    json,
				result  json,
				shared  json
			) ON COMMIT DROP`)
		if err != nil {
			return fmt.Errorf("create import table: %w", err)
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"applicants_import"},
			[]string{"id", "name", "score", "level", "ring_id", "body", "result", "shared"},
			&applicantSource{as: b.Applicants, enc: store.NewApplicantEncoder()})
		if err != nil {
			return fmt.Errorf("copy applicants: %w", err)
		}
		// xmax is 0 in a row version that the statement inserted, and set
		// in one it updated.
		err = tx.QueryRow(ctx, `
			WITH up AS (
				INSERT INTO applicants (id, name, score, level, ring_id, import_id, imported_at, body, result, shared)
				SELECT id, name, score, level, ring_id, $1, $2, body, result, shared
				FROM applicants_import
				ON CONFLICT (id) DO UPDATE SET
					name = excluded.name,
					score = excluded.score,
					level = excluded.level,
					ring_id = excluded.ring_id,
					import_id = excluded.import_id,
					imported_at = excluded.imported_at,
					body = excluded.body,
					result = excluded.result,
					shared = excluded.shared
				RETURNING xmax = 0 AS inserted
			)
			SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up`,
			b.ImportID, utcMicro(b.At)).Scan(&sum.Inserted, &sum.Updated)
		if err != nil {
			return fmt.Errorf("upsert applicants: %w", err)
		}
		return nil
	})
	if err != nil {
		return store.ImportSummary{}, fmt.Errorf("save applicants of import %q: %w", clip(b.ImportID), err)
	}
	return sum, nil
}

// applicantSource feeds applicants to CopyFrom, encoding each body as it
// goes, so that the bodies of a large import are never all in memory at
// once.
type applicantSource struct {
	as  []store.StoredApplicant
	i   int
	enc *store.ApplicantEncoder
	row [8]any
}

// Next moves to the next applicant.
func (s *applicantSource) Next() bool {
	s.i++
	return s.i <= len(s.as)
}

// Values returns the current applicant's row of the import table.
func (s *applicantSource) Values() ([]any, error) {
	a := &s.as[s.i-1]
	body, err := s.enc.Encode(a.Applicant)
	if err != nil {
		return nil, err
	}
	// A copy: CopyFrom does not promise to be done with the row before
	// it asks for the next one, which reuses the encoder's buffer.
	s.row = [8]any{a.Applicant.ID, a.Applicant.Name, finite(a.Score), a.Level, a.RingID,
		json.RawMessage(bytes.Clone(body)), nullJSON(a.Result), nullJSON(a.Shared)}
	return s.row[:], nil
}

// Err returns nil: Values reports the only error there can be.
func (s *applicantSource) Err() error { return nil }

// finite returns the score as stored: -0 becomes 0, which the SQLite store
// cannot keep apart.
func finite(score float64) float64 {
	if score == 0 {
		return 0
	}
	return score
}

// nullJSON maps an empty JSON value to NULL.
func nullJSON(v json.RawMessage) any {
	if len(v) == 0 {
		return nil
	}
	return v
}

// fromNullJSON maps NULL to nil.
func fromNullJSON(v *string) []byte {
	if v == nil || *v == "" {
		return nil
	}
	return []byte(*v)
}

// Applicant returns the applicant with the given ID as last stored, with
// its import and its current decision, or an error wrapping
// [store.ErrNotFound].
func (s *Store) Applicant(ctx context.Context, id string) (store.ApplicantRecord, error) {
	var r store.ApplicantRecord
	var body string
	var result, shared, outcome, reviewer, note *string
	var decidedAt *time.Time
	err := s.pool.QueryRow(ctx, `
		SELECT a.score, a.level, a.ring_id, a.import_id, i.source, a.imported_at, a.body::text, a.result::text, a.shared::text,
			d.outcome, d.reviewer, d.note, d.at
		FROM applicants a
		JOIN applicant_imports i ON i.id = a.import_id
		LEFT JOIN applicant_decisions d ON d.seq = (
			SELECT seq FROM applicant_decisions WHERE applicant_id = a.id ORDER BY at DESC, seq DESC LIMIT 1)
		WHERE a.id = $1`, id).Scan(
		&r.Score, &r.Level, &r.RingID, &r.ImportID, &r.ImportSource, &r.ImportedAt, &body, &result, &shared,
		&outcome, &reviewer, &note, &decidedAt)
	err = notFound(err)
	if err == nil {
		r.Applicant, err = store.DecodeApplicant([]byte(body))
	}
	if err != nil {
		return store.ApplicantRecord{}, fmt.Errorf("get applicant %q: %w", clip(id), err)
	}
	r.ImportedAt = r.ImportedAt.UTC()
	r.Result, r.Shared = fromNullJSON(result), fromNullJSON(shared)
	if outcome != nil {
		r.Decision = &store.Decision{ApplicantID: r.Applicant.ID, Outcome: *outcome, Reviewer: *reviewer,
			Note: *note, At: fromNull(decidedAt)}
	}
	return r, nil
}

// ApplicantCount returns the number of applicants stored.
func (s *Store) ApplicantCount(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM applicants`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count applicants: %w", err)
	}
	return n, nil
}

// ReviewQueue returns the applicants q selects, sorted by Score, highest
// first, then by ID, starting after q.After; see [store.ReviewQuery] for
// paging.
func (s *Store) ReviewQueue(ctx context.Context, q store.ReviewQuery) ([]store.ApplicantSummary, error) {
	if err := q.Validate(); err != nil {
		return nil, fmt.Errorf("list review queue: %w", err)
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q.Level != "" {
		where = append(where, "level = "+arg(q.Level))
	}
	if q.Undecided {
		where = append(where, "decision = ''")
	}
	if q.Outcome != "" {
		where = append(where, "decision = "+arg(q.Outcome))
	}
	if q.After.ID != "" {
		score := arg(finite(q.After.Score))
		where = append(where, "(score < "+score+" OR (score = "+score+" AND id > "+arg(q.After.ID)+"))")
	}
	query := `SELECT id, name, score, level, ring_id, imported_at, decision, decided_by, decided_at FROM applicants`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY score DESC, id"
	if q.Limit > 0 {
		query += " LIMIT " + arg(int64(q.Limit))
	}
	rows, _ := s.pool.Query(ctx, query, args...)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.ApplicantSummary, error) {
		var a store.ApplicantSummary
		var decidedAt *time.Time
		err := row.Scan(&a.ID, &a.Name, &a.Score, &a.Level, &a.RingID, &a.ImportedAt, &a.Decision, &a.Reviewer, &decidedAt)
		a.ImportedAt, a.DecidedAt = a.ImportedAt.UTC(), fromNull(decidedAt)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("list review queue: %w", err)
	}
	return out, nil
}

// RecordDecision appends d to the applicant's decisions. It becomes the
// current decision unless that one has a later At. It returns an error
// naming the field if d is invalid (see [store.Decision.Validate]) and one
// wrapping [store.ErrNotFound] if the applicant does not exist.
func (s *Store) RecordDecision(ctx context.Context, d store.Decision) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("record decision on applicant %q: %w", clip(d.ApplicantID), err)
	}
	at := utcMicro(d.At)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The row lock orders concurrent decisions on one applicant: seq
		// is taken after it, so the copy in applicants is always the
		// latest row of applicant_decisions.
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM applicants WHERE id = $1 FOR NO KEY UPDATE`, d.ApplicantID).Scan(&one)
		if err != nil {
			return notFound(err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO applicant_decisions (applicant_id, outcome, reviewer, note, at) VALUES ($1, $2, $3, $4, $5)`,
			d.ApplicantID, d.Outcome, d.Reviewer, d.Note, at); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			UPDATE applicants SET decision = $1, decided_by = $2, decided_at = $3
			WHERE id = $4 AND (decided_at IS NULL OR decided_at <= $3)`,
			d.Outcome, d.Reviewer, at, d.ApplicantID)
		return err
	})
	if err != nil {
		return fmt.Errorf("record decision on applicant %q: %w", clip(d.ApplicantID), err)
	}
	return nil
}

// Decisions returns the applicant's decisions, oldest first (by At, then
// in the order recorded), or an error wrapping [store.ErrNotFound] if the
// applicant does not exist. An applicant without decisions has none.
func (s *Store) Decisions(ctx context.Context, applicantID string) ([]store.Decision, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT a.id, d.outcome, d.reviewer, d.note, d.at
		FROM applicants a
		LEFT JOIN applicant_decisions d ON d.applicant_id = a.id
		WHERE a.id = $1
		ORDER BY d.at, d.seq`, applicantID)
	found := false
	var out []store.Decision
	var id string
	var outcome, reviewer, note *string
	var at *time.Time
	_, err := pgx.ForEachRow(rows, []any{&id, &outcome, &reviewer, &note, &at}, func() error {
		found = true
		if outcome != nil {
			out = append(out, store.Decision{ApplicantID: id, Outcome: *outcome, Reviewer: *reviewer, Note: *note, At: fromNull(at)})
		}
		return nil
	})
	if err == nil && !found {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("list decisions on applicant %q: %w", clip(applicantID), err)
	}
	return out, nil
}

// ReplaceRings replaces all rings with rings in one transaction, stamping
// them with the current time, and sets every stored applicant's RingID to
// the largest ring listing it (of equally large ones, the one with the
// smallest ID), or "" if none does. If any ring is invalid (see
// [store.ValidateRings]) nothing changes.
func (s *Store) ReplaceRings(ctx context.Context, rings []store.StoredRing) error {
	if err := store.ValidateRings(rings); err != nil {
		return fmt.Errorf("replace rings: %w", err)
	}
	now := utcMicro(time.Now())
	ids := make([]string, len(rings))
	sizes := make([]int64, len(rings))
	shared := make([]*string, len(rings))
	var memberRings, members []string
	for i, r := range rings {
		ids[i], sizes[i] = r.ID, int64(len(r.Members))
		if len(r.Shared) > 0 {
			v := string(r.Shared)
			shared[i] = &v
		}
		for _, m := range r.Members {
			memberRings, members = append(memberRings, r.ID), append(members, m)
		}
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, applicantsLock); err != nil {
			return fmt.Errorf("lock applicants: %w", err)
		}
		for _, q := range []string{`DELETE FROM applicant_rings`, `DELETE FROM rings`} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO rings (ring_id, size, shared, updated_at)
			SELECT u.id, u.size, u.shared::json, $4 FROM unnest($1::text[], $2::bigint[], $3::text[]) AS u (id, size, shared)`,
			ids, sizes, shared, now); err != nil {
			return fmt.Errorf("insert rings: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO applicant_rings (ring_id, applicant_id)
			SELECT * FROM unnest($1::text[], $2::text[])`,
			memberRings, members); err != nil {
			return fmt.Errorf("insert ring members: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			UPDATE applicants a SET ring_id = ''
			WHERE a.ring_id <> '' AND NOT EXISTS (SELECT 1 FROM applicant_rings m WHERE m.applicant_id = a.id)`); err != nil {
			return fmt.Errorf("clear ring of applicants in no ring: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			UPDATE applicants a SET ring_id = best.ring_id
			FROM (
				SELECT DISTINCT ON (m.applicant_id) m.applicant_id, m.ring_id
				FROM applicant_rings m JOIN rings r ON r.ring_id = m.ring_id
				ORDER BY m.applicant_id, r.size DESC, r.ring_id
			) best
			WHERE a.id = best.applicant_id AND a.ring_id <> best.ring_id`); err != nil {
			return fmt.Errorf("set ring of applicants: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("replace rings: %w", err)
	}
	return nil
}

// Rings returns up to limit rings, largest first, then by ID; limit <= 0
// means no limit.
func (s *Store) Rings(ctx context.Context, limit int) ([]store.StoredRing, error) {
	var lim *int64 // NULL: no limit
	if limit > 0 {
		l := int64(limit)
		lim = &l
	}
	out, err := s.rings(ctx, `SELECT ring_id, size, shared, updated_at FROM rings ORDER BY size DESC, ring_id LIMIT $1`, lim)
	if err != nil {
		return nil, fmt.Errorf("list rings: %w", err)
	}
	return out, nil
}

// Ring returns the ring with the given ID, or an error wrapping
// [store.ErrNotFound].
func (s *Store) Ring(ctx context.Context, id string) (store.StoredRing, error) {
	out, err := s.rings(ctx, `SELECT ring_id, size, shared, updated_at FROM rings WHERE ring_id = $1`, id)
	if err == nil && len(out) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.StoredRing{}, fmt.Errorf("get ring %q: %w", clip(id), err)
	}
	return out[0], nil
}

// rings returns the rings that sel (selecting ring_id, size, shared and
// updated_at from rings) selects, with their members, in sel's order.
func (s *Store) rings(ctx context.Context, sel string, args ...any) ([]store.StoredRing, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT r.ring_id, r.shared::text, r.updated_at, m.applicant_id
		FROM (`+sel+`) r
		JOIN applicant_rings m ON m.ring_id = r.ring_id
		ORDER BY r.size DESC, r.ring_id, m.applicant_id`, args...)
	var out []store.StoredRing
	var id, member string
	var shared *string
	var updated time.Time
	_, err := pgx.ForEachRow(rows, []any{&id, &shared, &updated, &member}, func() error {
		if len(out) == 0 || out[len(out)-1].ID != id {
			out = append(out, store.StoredRing{ID: id, Shared: fromNullJSON(shared), UpdatedAt: updated.UTC()})
		}
		last := &out[len(out)-1]
		last.Members = append(last.Members, member)
		return nil
	})
	return out, err
}

// clip shortens s for an error message.
func clip(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// ForEachApplicant calls fn with every stored applicant (record, score,
// level, result, shared details and ring), in ID order, for linking a new
// import against everyone already stored. It stops at fn's first error and
// returns it.
func (s *Store) ForEachApplicant(ctx context.Context, fn func(store.StoredApplicant) error) error {
	rows, err := s.pool.Query(ctx, `SELECT body::text, score, level, ring_id, result::text, shared::text FROM applicants ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read applicants: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sa store.StoredApplicant
		var body string
		var result, shared *string
		if err := rows.Scan(&body, &sa.Score, &sa.Level, &sa.RingID, &result, &shared); err != nil {
			return fmt.Errorf("read applicants: %w", err)
		}
		if sa.Applicant, err = store.DecodeApplicant([]byte(body)); err != nil {
			return fmt.Errorf("read applicants: %w", err)
		}
		sa.Result, sa.Shared = fromNullJSON(result), fromNullJSON(shared)
		if err := fn(sa); err != nil {
			rows.Close()
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read applicants: %w", err)
	}
	return nil
}
