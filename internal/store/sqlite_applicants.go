package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// applicantChunk is the number of applicants one upsert statement writes
// (10 parameters each, far below SQLite's limit of 32766).
const applicantChunk = 128

// applicantColumns are the columns SaveApplicants writes, in the order of
// the arguments of each row.
const applicantColumns = `id, name, score, level, ring_id, import_id, imported_at, body, result, shared`

// upsertApplicantsSQL returns the statement that inserts or updates n
// applicants. The current decision is not among the columns it sets.
func upsertApplicantsSQL(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO applicants (" + applicantColumns + ") VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?,?,?)")
	}
	b.WriteString(` ON CONFLICT (id) DO UPDATE SET
		name = excluded.name,
		score = excluded.score,
		level = excluded.level,
		ring_id = excluded.ring_id,
		import_id = excluded.import_id,
		imported_at = excluded.imported_at,
		body = excluded.body,
		result = excluded.result,
		shared = excluded.shared`)
	return b.String()
}

// SaveApplicants stores the applicants of b in one transaction, all or
// nothing: an applicant stored before (same ID) has its record, screening
// result, ring and import replaced, and keeps its decisions. If any
// applicant is invalid (see [ApplicantBatch.Validate]) nothing is stored and
// the error names the applicant and the field. The import itself is
// recorded with its Source and At, which become each applicant's
// ImportSource and ImportedAt. Concurrent calls are applied one after the
// other. A batch without applicants stores nothing.
func (s *Store) SaveApplicants(ctx context.Context, b ApplicantBatch) (ImportSummary, error) {
	order, err := b.check()
	if err != nil {
		return ImportSummary{}, fmt.Errorf("save applicants of import %q: %w", clip(b.ImportID), err)
	}
	if len(order) == 0 {
		return ImportSummary{}, nil
	}
	var sum ImportSummary
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO applicant_imports (id, source, at) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET source = excluded.source, at = excluded.at`,
			b.ImportID, b.Source, b.At.UnixMicro())
		if err != nil {
			return fmt.Errorf("record import: %w", err)
		}
		// The single writing connection makes the difference of the counts
		// the number of new applicants.
		var before, after int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM applicants`).Scan(&before); err != nil {
			return err
		}
		if err := s.upsertApplicants(ctx, tx, b, order); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM applicants`).Scan(&after); err != nil {
			return err
		}
		sum.Inserted = after - before
		sum.Updated = len(order) - sum.Inserted
		return nil
	})
	if err != nil {
		return ImportSummary{}, fmt.Errorf("save applicants of import %q: %w", clip(b.ImportID), err)
	}
	return sum, nil
}

// encodedChunk is the statement arguments of up to applicantChunk
// applicants, or the error that stopped encoding them.
type encodedChunk struct {
	args []any
	err  error
}

// upsertApplicants writes the applicants of b in the given order, in
// statements of applicantChunk rows and one for the rest. A goroutine
// encodes the next chunks while SQLite writes one.
func (s *Store) upsertApplicants(ctx context.Context, tx *sql.Tx, b ApplicantBatch, order []int) error {
	chunks := make(chan encodedChunk, 2)
	spare := make(chan []any, 3) // argument slices to reuse
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(chunks)
		enc := NewApplicantEncoder()
		importedAt := b.At.UnixMicro()
		for start := 0; start < len(order); start += applicantChunk {
			var args []any
			select {
			case args = <-spare:
				args = args[:0]
			default:
				args = make([]any, 0, 10*applicantChunk)
			}
			var err error
			for _, i := range order[start:min(start+applicantChunk, len(order))] {
				a := &b.Applicants[i]
				var body []byte
				if body, err = enc.Encode(a.Applicant); err != nil {
					break
				}
				args = append(args, a.Applicant.ID, a.Applicant.Name, finite(a.Score), a.Level, a.RingID,
					b.ImportID, importedAt, string(body), nullJSON(a.Result), nullJSON(a.Shared))
			}
			select {
			case chunks <- encodedChunk{args, err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	})
	defer func() {
		close(stop)
		wg.Wait()
	}()

	var full *sql.Stmt
	done := 0
	for c := range chunks {
		if c.err != nil {
			return c.err
		}
		n := len(c.args) / 10
		var err error
		if n == applicantChunk {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, upsertApplicantsSQL(n)); err != nil {
					return fmt.Errorf("prepare applicant upsert: %w", err)
				}
				defer full.Close()
			}
			_, err = full.ExecContext(ctx, c.args...)
		} else {
			_, err = tx.ExecContext(ctx, upsertApplicantsSQL(n), c.args...)
		}
		if err != nil {
			return fmt.Errorf("upsert applicants %q to %q: %w",
				clip(b.Applicants[order[done]].Applicant.ID), clip(b.Applicants[order[done+n-1]].Applicant.ID), err)
		}
		done += n
		select {
		case spare <- c.args:
		default:
		}
	}
	return nil
}

// finite returns the score as stored: -0 becomes 0, which SQLite cannot
// keep apart.
func finite(score float64) float64 {
	if score == 0 {
		return 0
	}
	return score
}

// nullJSON maps an empty JSON value to NULL and any other to text.
func nullJSON(v []byte) any {
	if len(v) == 0 {
		return nil
	}
	return string(v)
}

// Applicant returns the applicant with the given ID as last stored, with
// its import and its current decision, or an error wrapping
// [ErrNotFound].
func (s *Store) Applicant(ctx context.Context, id string) (ApplicantRecord, error) {
	var r ApplicantRecord
	var importedAt int64
	var body []byte
	var result, shared, outcome, reviewer, note sql.NullString
	var decidedAt sql.NullInt64
	err := s.r.QueryRowContext(ctx, `
		SELECT a.score, a.level, a.ring_id, a.import_id, i.source, a.imported_at, a.body, a.result, a.shared,
			d.outcome, d.reviewer, d.note, d.at
		FROM applicants a
		JOIN applicant_imports i ON i.id = a.import_id
		LEFT JOIN applicant_decisions d ON d.seq = (
			SELECT seq FROM applicant_decisions WHERE applicant_id = a.id ORDER BY at DESC, seq DESC LIMIT 1)
		WHERE a.id = ?`, id).Scan(
		&r.Score, &r.Level, &r.RingID, &r.ImportID, &r.ImportSource, &importedAt, &body, &result, &shared,
		&outcome, &reviewer, &note, &decidedAt)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err == nil {
		r.Applicant, err = DecodeApplicant(body)
	}
	if err != nil {
		return ApplicantRecord{}, fmt.Errorf("get applicant %q: %w", clip(id), err)
	}
	r.ImportedAt = fromMicros(importedAt)
	r.Result, r.Shared = nullStringJSON(result), nullStringJSON(shared)
	if outcome.Valid {
		r.Decision = &Decision{ApplicantID: r.Applicant.ID, Outcome: outcome.String, Reviewer: reviewer.String,
			Note: note.String, At: fromNullMicros(decidedAt)}
	}
	return r, nil
}

func nullStringJSON(v sql.NullString) []byte {
	if !v.Valid {
		return nil
	}
	return nilIfEmpty([]byte(v.String))
}

// ApplicantCount returns the number of applicants stored.
func (s *Store) ApplicantCount(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM applicants`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count applicants: %w", err)
	}
	return n, nil
}

// ReviewQueue returns the applicants q selects, sorted by Score, highest
// first, then by ID, starting after q.After; see [ReviewQuery] for paging.
func (s *Store) ReviewQueue(ctx context.Context, q ReviewQuery) ([]ApplicantSummary, error) {
	if err := q.Validate(); err != nil {
		return nil, fmt.Errorf("list review queue: %w", err)
	}
	var where []string
	var args []any
	if q.Level != "" {
		where, args = append(where, "level = ?"), append(args, q.Level)
	}
	if q.Undecided {
		where = append(where, "decision = ''")
	}
	if q.Outcome != "" {
		where, args = append(where, "decision = ?"), append(args, q.Outcome)
	}
	if q.After.ID != "" {
		score := finite(q.After.Score)
		where, args = append(where, "(score < ? OR (score = ? AND id > ?))"), append(args, score, score, q.After.ID)
	}
	query := `SELECT id, name, score, level, ring_id, imported_at, decision, decided_by, decided_at FROM applicants`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY score DESC, id LIMIT ?"
	limit := q.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.r.QueryContext(ctx, query, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list review queue: %w", err)
	}
	out, err := collect(rows, func(row interface{ Scan(...any) error }) (ApplicantSummary, error) {
		var a ApplicantSummary
		var importedAt int64
		var decidedAt sql.NullInt64
		err := row.Scan(&a.ID, &a.Name, &a.Score, &a.Level, &a.RingID, &importedAt, &a.Decision, &a.Reviewer, &decidedAt)
		a.ImportedAt, a.DecidedAt = fromMicros(importedAt), fromNullMicros(decidedAt)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("list review queue: %w", err)
	}
	return out, nil
}

// RecordDecision appends d to the applicant's decisions. It becomes the
// current decision unless that one has a later At. It returns an error
// naming the field if d is invalid (see [Decision.Validate]) and one
// wrapping [ErrNotFound] if the applicant does not exist.
func (s *Store) RecordDecision(ctx context.Context, d Decision) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("record decision on applicant %q: %w", clip(d.ApplicantID), err)
	}
	at := d.At.UnixMicro()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM applicants WHERE id = ?`, d.ApplicantID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO applicant_decisions (applicant_id, outcome, reviewer, note, at) VALUES (?, ?, ?, ?, ?)`,
			d.ApplicantID, d.Outcome, d.Reviewer, d.Note, at); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE applicants SET decision = ?1, decided_by = ?2, decided_at = ?3
			WHERE id = ?4 AND (decided_at IS NULL OR decided_at <= ?3)`,
			d.Outcome, d.Reviewer, at, d.ApplicantID)
		return err
	})
	if err != nil {
		return fmt.Errorf("record decision on applicant %q: %w", clip(d.ApplicantID), err)
	}
	return nil
}

// Decisions returns the applicant's decisions, oldest first (by At, then
// in the order recorded), or an error wrapping [ErrNotFound] if the
// applicant does not exist. An applicant without decisions has none.
func (s *Store) Decisions(ctx context.Context, applicantID string) ([]Decision, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT a.id, d.outcome, d.reviewer, d.note, d.at
		FROM applicants a
		LEFT JOIN applicant_decisions d ON d.applicant_id = a.id
		WHERE a.id = ?
		ORDER BY d.at, d.seq`, applicantID)
	if err != nil {
		return nil, fmt.Errorf("list decisions on applicant %q: %w", clip(applicantID), err)
	}
	found := false
	out, err := collect(rows, func(row interface{ Scan(...any) error }) (*Decision, error) {
		found = true
		var id string
		var outcome, reviewer, note sql.NullString
		var at sql.NullInt64
		if err := row.Scan(&id, &outcome, &reviewer, &note, &at); err != nil || !outcome.Valid {
			return nil, err
		}
		return &Decision{ApplicantID: id, Outcome: outcome.String, Reviewer: reviewer.String, Note: note.String, At: fromNullMicros(at)}, nil
	})
	if err == nil && !found {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("list decisions on applicant %q: %w", clip(applicantID), err)
	}
	return derefDecisions(out), nil
}

// derefDecisions drops the nil that an applicant without decisions yields.
func derefDecisions(ds []*Decision) []Decision {
	var out []Decision
	for _, d := range ds {
		if d != nil {
			out = append(out, *d)
		}
	}
	return out
}

// ReplaceRings replaces all rings with rings in one transaction, stamping
// them with the current time, and sets every stored applicant's RingID to
// the largest ring listing it (of equally large ones, the one with the
// smallest ID), or "" if none does. If any ring is invalid (see
// [ValidateRings]) nothing changes.
func (s *Store) ReplaceRings(ctx context.Context, rings []StoredRing) error {
	if err := ValidateRings(rings); err != nil {
		return fmt.Errorf("replace rings: %w", err)
	}
	now := time.Now().UnixMicro()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM applicant_rings`, `DELETE FROM rings`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		insRing, err := tx.PrepareContext(ctx, `INSERT INTO rings (ring_id, size, shared, updated_at) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer insRing.Close()
		insMember, err := tx.PrepareContext(ctx, `INSERT INTO applicant_rings (ring_id, applicant_id) VALUES (?, ?)`)
		if err != nil {
			return err
		}
		defer insMember.Close()
		for _, r := range rings {
			if _, err := insRing.ExecContext(ctx, r.ID, len(r.Members), nullJSON(r.Shared), now); err != nil {
				return fmt.Errorf("insert ring %q: %w", clip(r.ID), err)
			}
			for _, m := range r.Members {
				if _, err := insMember.ExecContext(ctx, r.ID, m); err != nil {
					return fmt.Errorf("insert member %q of ring %q: %w", clip(m), clip(r.ID), err)
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE applicants SET ring_id = ''
			WHERE ring_id <> '' AND id NOT IN (SELECT applicant_id FROM applicant_rings)`); err != nil {
			return fmt.Errorf("clear ring of applicants in no ring: %w", err)
		}
		setRing, err := tx.PrepareContext(ctx, `UPDATE applicants SET ring_id = ?1 WHERE id = ?2 AND ring_id <> ?1`)
		if err != nil {
			return err
		}
		defer setRing.Close()
		for member, ring := range ringOf(rings) {
			if _, err := setRing.ExecContext(ctx, ring, member); err != nil {
				return fmt.Errorf("set ring of applicant %q: %w", clip(member), err)
			}
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
func (s *Store) Rings(ctx context.Context, limit int) ([]StoredRing, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	out, err := s.rings(ctx, `SELECT ring_id, size, shared, updated_at FROM rings ORDER BY size DESC, ring_id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list rings: %w", err)
	}
	return out, nil
}

// Ring returns the ring with the given ID, or an error wrapping
// [ErrNotFound].
func (s *Store) Ring(ctx context.Context, id string) (StoredRing, error) {
	out, err := s.rings(ctx, `SELECT ring_id, size, shared, updated_at FROM rings WHERE ring_id = ?`, id)
	if err == nil && len(out) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return StoredRing{}, fmt.Errorf("get ring %q: %w", clip(id), err)
	}
	return out[0], nil
}

// rings returns the rings that sel (selecting ring_id, size, shared and
// updated_at from rings) selects, with their members, in sel's order.
func (s *Store) rings(ctx context.Context, sel string, args ...any) ([]StoredRing, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT r.ring_id, r.shared, r.updated_at, m.applicant_id
		FROM (`+sel+`) r
		JOIN applicant_rings m ON m.ring_id = r.ring_id
		ORDER BY r.size DESC, r.ring_id, m.applicant_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StoredRing
	for rows.Next() {
		var id, member string
		var shared sql.NullString
		var updated int64
		if err := rows.Scan(&id, &shared, &updated, &member); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ID != id {
			out = append(out, StoredRing{ID: id, Shared: nullStringJSON(shared), UpdatedAt: fromMicros(updated)})
		}
		last := &out[len(out)-1]
		last.Members = append(last.Members, member)
	}
	return out, rows.Err()
}

// ForEachApplicant calls fn with every stored applicant (record, score,
// level, result, shared details and ring), in ID order, for linking a new
// import against everyone already stored. It stops at fn's first error and
// returns it.
func (s *Store) ForEachApplicant(ctx context.Context, fn func(StoredApplicant) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT body, score, level, ring_id, result, shared FROM applicants ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read applicants: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sa StoredApplicant
		var body []byte
		var result, shared sql.NullString
		if err := rows.Scan(&body, &sa.Score, &sa.Level, &sa.RingID, &result, &shared); err != nil {
			return fmt.Errorf("read applicants: %w", err)
		}
		if sa.Applicant, err = DecodeApplicant(body); err != nil {
			return fmt.Errorf("read applicants: %w", err)
		}
		sa.Result, sa.Shared = nullStringJSON(result), nullStringJSON(shared)
		if err := fn(sa); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read applicants: %w", err)
	}
	return nil
}
