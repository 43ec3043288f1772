package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lagwatch/lagwatch/internal/store"
)

// auditLockKey is the transaction-scoped advisory lock that orders appends
// to the audit log, so that each entry chains to the one committed before
// it. (goose's migration lock uses a different key.)
const auditLockKey = 0x6c6167_6175646974 // "lag" "audit"

// OpenCase opens c as a new case in status open, stores its Evidence, and
// records a "case.opened" audit entry by c.OpenedBy, in one transaction.
// It returns the case as stored and opened true. If c.AlertID is set and a
// case for that alert is not closed, OpenCase changes nothing and returns
// that case with opened false, also when called concurrently. It returns
// an error naming the field if c is invalid (see [store.Case.Validate]).
func (s *Store) OpenCase(ctx context.Context, c store.Case) (_ store.Case, opened bool, err error) {
	if err := c.Validate(); err != nil {
		return store.Case{}, false, fmt.Errorf("open case on %s: %w", clip(c.Subject.String()), err)
	}
	c = store.PrepareCase(c)
	var existing int64
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO cases (title, subject_kind, subject_id, status, assignee, opened_by, reason, opened_at, updated_at, alert_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)
			ON CONFLICT (alert_id) WHERE alert_id <> '' AND status <> 'closed' DO NOTHING
			RETURNING id`,
			c.Title, c.Subject.Kind, c.Subject.ID, c.Status, c.Assignee, c.OpenedBy, c.Reason, c.OpenedAt, c.AlertID).Scan(&c.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			// The conflicting row is committed (ON CONFLICT waited for it),
			// and a new statement sees it.
			return tx.QueryRow(ctx, `SELECT id FROM cases WHERE alert_id = $1 AND status <> 'closed'`, c.AlertID).Scan(&existing)
		}
		if err != nil {
			return err
		}
		if err := insertEvidence(ctx, tx, c.ID, c.Evidence); err != nil {
			return err
		}
		_, err = appendAudit(ctx, tx, store.AuditEntry{At: c.OpenedAt, Actor: c.OpenedBy, Action: store.AuditCaseOpened,
			CaseID: c.ID, Subject: c.Subject, Detail: store.OpenedDetail(c)})
		return err
	})
	if err != nil {
		return store.Case{}, false, fmt.Errorf("open case on %s: %w", clip(c.Subject.String()), err)
	}
	if existing != 0 {
		got, err := s.Case(ctx, existing)
		return got, false, err
	}
	return c, true, nil
}

func insertEvidence(ctx context.Context, tx pgx.Tx, caseID int64, ev []store.CaseEvidence) error {
	if len(ev) == 0 {
		return nil
	}
	var b pgx.Batch
	for _, e := range ev {
		b.Queue(`INSERT INTO case_evidence (case_id, at, detector, explanation, provenance, refs) VALUES ($1, $2, $3, $4, $5, $6)`,
			caseID, e.At, e.Detector, e.Explanation, e.Provenance, store.EncodeRefs(e.Refs))
	}
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return fmt.Errorf("insert evidence: %w", err)
	}
	return nil
}

// appendAudit appends e (valid, not yet prepared) to the audit log in tx,
// chained to the last committed entry, and returns it as stored.
func appendAudit(ctx context.Context, tx pgx.Tx, e store.AuditEntry) (store.AuditEntry, error) {
	e = store.PrepareAudit(e)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(auditLockKey)); err != nil {
		return store.AuditEntry{}, fmt.Errorf("lock audit log: %w", err)
	}
	// Under READ COMMITTED this statement, run after the lock is held,
	// sees every entry committed before.
	e.PrevHash = store.GenesisHash
	err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&e.Seq, &e.PrevHash)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return store.AuditEntry{}, fmt.Errorf("read audit head: %w", err)
	}
	e.Seq++
	e.Hash = store.AuditHash(e.PrevHash, e)
	_, err = tx.Exec(ctx, `
		INSERT INTO audit_log (seq, at, actor, action, case_id, subject_kind, subject_id, detail, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.Seq, e.At, e.Actor, e.Action, e.CaseID, e.Subject.Kind, e.Subject.ID, string(e.Detail), e.PrevHash, e.Hash)
	if err != nil {
		return store.AuditEntry{}, fmt.Errorf("append audit entry %d: %w", e.Seq, err)
	}
	return e, nil
}

const caseColumns = `id, title, subject_kind, subject_id, status, resolution, assignee, opened_by, reason,
	opened_at, updated_at, closed_at, alert_id`

func scanCase(row pgx.Row) (store.Case, error) {
	var c store.Case
	var closed *time.Time
	err := row.Scan(&c.ID, &c.Title, &c.Subject.Kind, &c.Subject.ID, &c.Status, &c.Resolution, &c.Assignee,
		&c.OpenedBy, &c.Reason, &c.OpenedAt, &c.UpdatedAt, &closed, &c.AlertID)
	c.OpenedAt, c.UpdatedAt, c.ClosedAt = c.OpenedAt.UTC(), c.UpdatedAt.UTC(), fromNull(closed)
	return c, err
}

// lockCase reads case id in tx and locks its row until tx ends, or
// returns store.ErrNotFound.
func lockCase(ctx context.Context, tx pgx.Tx, id int64) (store.Case, error) {
	c, err := scanCase(tx.QueryRow(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = $1 FOR UPDATE`, id))
	return c, notFound(err)
}

// Case returns the case with the given ID with all its evidence, or an
// error wrapping [store.ErrNotFound].
func (s *Store) Case(ctx context.Context, id int64) (store.Case, error) {
	c, err := scanCase(s.pool.QueryRow(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = $1`, id))
	err = notFound(err)
	if err == nil {
		c.Evidence, err = s.evidence(ctx, id)
	}
	if err != nil {
		return store.Case{}, fmt.Errorf("get case %d: %w", id, err)
	}
	return c, nil
}

// Cases returns the cases f selects, newest first, without their
// evidence; see [store.CaseFilter] for paging.
func (s *Store) Cases(ctx context.Context, f store.CaseFilter) ([]store.Case, error) {
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if f.Status != "" {
		where = append(where, "status = "+arg(f.Status))
	}
	if f.Assignee != "" {
		where = append(where, "assignee = "+arg(f.Assignee))
	}
	if f.Subject != (store.CaseSubject{}) {
		where = append(where, "subject_kind = "+arg(f.Subject.Kind)+" AND subject_id = "+arg(f.Subject.ID))
	}
	if f.AlertID != "" {
		where = append(where, "alert_id = "+arg(f.AlertID))
	}
	if f.Before > 0 {
		where = append(where, "id < "+arg(f.Before))
	}
	q := `SELECT ` + caseColumns + ` FROM cases`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC"
	if f.Limit > 0 {
		q += " LIMIT " + arg(f.Limit)
	}
	rows, _ := s.pool.Query(ctx, q, args...)
	out, err := nilIfNone(pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Case, error) { return scanCase(row) }))
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	return out, nil
}

// AssignCase assigns case id to assignee ("" to unassign) and records a
// "case.assigned" audit entry by actor at at, in one transaction, and
// returns the case as changed (without evidence). Assigning the current
// assignee changes and records nothing. It returns an error wrapping
// [store.ErrNotFound] if the case does not exist.
func (s *Store) AssignCase(ctx context.Context, id int64, assignee, actor string, at time.Time) (store.Case, error) {
	if err := store.ValidateAssign(assignee, actor, at); err != nil {
		return store.Case{}, fmt.Errorf("assign case %d: %w", id, err)
	}
	at = utcMicro(at)
	var c store.Case
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if c, err = lockCase(ctx, tx, id); err != nil || c.Assignee == assignee {
			return err
		}
		from := c.Assignee
		c.Assignee, c.UpdatedAt = assignee, store.LaterOf(c.UpdatedAt, at)
		if _, err := tx.Exec(ctx, `UPDATE cases SET assignee = $1, updated_at = $2 WHERE id = $3`, c.Assignee, c.UpdatedAt, id); err != nil {
			return err
		}
		_, err = appendAudit(ctx, tx, store.AuditEntry{At: at, Actor: actor, Action: store.AuditCaseAssigned, CaseID: id,
			Subject: c.Subject, Detail: store.AuditDetail(map[string]string{"from": from, "to": assignee})})
		return err
	})
	if err != nil {
		return store.Case{}, fmt.Errorf("assign case %d: %w", id, err)
	}
	return c, nil
}

// SetCaseStatus moves case id to ch.Status and records a "case.status"
// audit entry by ch.Actor, in one transaction, and returns the case as
// changed (without evidence). Closing sets Resolution and ClosedAt;
// reopening clears them. It returns an error naming the field if ch is
// invalid, one wrapping [store.ErrNotFound] if the case does not exist,
// and one wrapping [store.ErrConflict] if [store.CanTransition] does not
// allow the move or reopening would leave two cases of one alert not
// closed.
func (s *Store) SetCaseStatus(ctx context.Context, id int64, ch store.StatusChange) (store.Case, error) {
	if err := ch.Validate(); err != nil {
		return store.Case{}, fmt.Errorf("set status of case %d: %w", id, err)
	}
	var c store.Case
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if c, err = lockCase(ctx, tx, id); err != nil {
			return err
		}
		from := c.Status
		if !store.CanTransition(from, ch.Status) {
			return fmt.Errorf("%w: status %q cannot move to %q (allowed: %q)", store.ErrConflict, from, ch.Status, store.CaseTransitions[from])
		}
		c = store.ChangedStatus(c, ch)
		tag, err := tx.Exec(ctx, `
			UPDATE cases SET status = $1, resolution = $2, closed_at = $3, updated_at = $4
			WHERE id = $5 AND NOT ($1 = 'open' AND alert_id <> '' AND EXISTS (
				SELECT 1 FROM cases o WHERE o.alert_id = cases.alert_id AND o.status <> 'closed' AND o.id <> cases.id))`,
			c.Status, c.Resolution, nullTime(c.ClosedAt), c.UpdatedAt, id)
		if err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("%w: another case of alert %q is not closed", store.ErrConflict, clip(c.AlertID))
			}
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: another case of alert %q is not closed", store.ErrConflict, clip(c.AlertID))
		}
		_, err = appendAudit(ctx, tx, store.AuditEntry{At: ch.At, Actor: ch.Actor, Action: store.AuditCaseStatus, CaseID: id,
			Subject: c.Subject, Detail: store.AuditDetail(map[string]string{"from": from, "to": c.Status, "resolution": c.Resolution})})
		return err
	})
	if err != nil {
		return store.Case{}, fmt.Errorf("set status of case %d: %w", id, err)
	}
	return c, nil
}

// AddCaseNote appends n to its case's notes and records a "case.note"
// audit entry by n.Author, in one transaction, and returns the note as
// stored (with its ID). It returns an error naming the field if n is
// invalid (see [store.Note.Validate]) and one wrapping
// [store.ErrNotFound] if the case does not exist.
func (s *Store) AddCaseNote(ctx context.Context, n store.Note) (store.Note, error) {
	if err := n.Validate(); err != nil {
		return store.Note{}, fmt.Errorf("add note to case %d: %w", n.CaseID, err)
	}
	n.At = utcMicro(n.At)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lockCase(ctx, tx, n.CaseID)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO case_notes (case_id, author, text, at) VALUES ($1, $2, $3, $4) RETURNING id`,
			n.CaseID, n.Author, n.Text, n.At).Scan(&n.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE cases SET updated_at = $1 WHERE id = $2`, store.LaterOf(c.UpdatedAt, n.At), n.CaseID); err != nil {
			return err
		}
		_, err = appendAudit(ctx, tx, store.AuditEntry{At: n.At, Actor: n.Author, Action: store.AuditCaseNote, CaseID: n.CaseID,
			Subject: c.Subject, Detail: store.AuditDetail(map[string]any{"note_id": n.ID, "bytes": len(n.Text)})})
		return err
	})
	if err != nil {
		return store.Note{}, fmt.Errorf("add note to case %d: %w", n.CaseID, err)
	}
	return n, nil
}

// CaseNotes returns the notes of case id, oldest first (by At, then in
// the order added), or an error wrapping [store.ErrNotFound] if the case
// does not exist.
func (s *Store) CaseNotes(ctx context.Context, id int64) ([]store.Note, error) {
	err := s.caseExists(ctx, id)
	var out []store.Note
	if err == nil {
		rows, _ := s.pool.Query(ctx, `SELECT id, case_id, author, text, at FROM case_notes WHERE case_id = $1 ORDER BY at, id`, id)
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Note, error) {
			var n store.Note
			err := row.Scan(&n.ID, &n.CaseID, &n.Author, &n.Text, &n.At)
			n.At = n.At.UTC()
			return n, err
		})
		out, err = nilIfNone(out, err)
	}
	if err != nil {
		return nil, fmt.Errorf("list notes of case %d: %w", id, err)
	}
	return out, nil
}

// caseExists returns store.ErrNotFound if case id does not exist.
func (s *Store) caseExists(ctx context.Context, id int64) error {
	var one int
	return notFound(s.pool.QueryRow(ctx, `SELECT 1 FROM cases WHERE id = $1`, id).Scan(&one))
}

// AttachEvidence appends ev to the evidence of case id and records a
// "case.evidence" audit entry by actor at at, in one transaction. It
// returns an error naming the item and field if ev is invalid (see
// [store.ValidateEvidence]) or empty, and one wrapping
// [store.ErrNotFound] if the case does not exist.
func (s *Store) AttachEvidence(ctx context.Context, id int64, actor string, at time.Time, ev []store.CaseEvidence) error {
	if err := store.ValidateAttach(actor, at, ev); err != nil {
		return fmt.Errorf("attach evidence to case %d: %w", id, err)
	}
	ev, at = store.PrepareEvidence(ev), utcMicro(at)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lockCase(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := insertEvidence(ctx, tx, id, ev); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE cases SET updated_at = $1 WHERE id = $2`, store.LaterOf(c.UpdatedAt, at), id); err != nil {
			return err
		}
		_, err = appendAudit(ctx, tx, store.AuditEntry{At: at, Actor: actor, Action: store.AuditCaseEvidence, CaseID: id,
			Subject: c.Subject, Detail: store.EvidenceDetail(ev)})
		return err
	})
	if err != nil {
		return fmt.Errorf("attach evidence to case %d: %w", id, err)
	}
	return nil
}

// CaseEvidence returns the evidence of case id, oldest first (by At, then
// in the order attached), or an error wrapping [store.ErrNotFound] if the
// case does not exist.
func (s *Store) CaseEvidence(ctx context.Context, id int64) ([]store.CaseEvidence, error) {
	err := s.caseExists(ctx, id)
	var out []store.CaseEvidence
	if err == nil {
		out, err = s.evidence(ctx, id)
	}
	if err != nil {
		return nil, fmt.Errorf("list evidence of case %d: %w", id, err)
	}
	return out, nil
}

func (s *Store) evidence(ctx context.Context, id int64) ([]store.CaseEvidence, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT at, detector, explanation, provenance, refs::text FROM case_evidence WHERE case_id = $1 ORDER BY at, seq`, id)
	return nilIfNone(pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.CaseEvidence, error) {
		var e store.CaseEvidence
		var refs string
		if err := row.Scan(&e.At, &e.Detector, &e.Explanation, &e.Provenance, &refs); err != nil {
			return e, err
		}
		e.At = e.At.UTC()
		var err error
		e.Refs, err = store.DecodeRefs(refs)
		return e, err
	}))
}

// RecordAudit appends e to the audit log, chained to the last entry, and
// returns it as stored (with Seq and hashes). Use it for actions outside
// the case methods, which record their own, e.g. "report.exported". It
// returns an error naming the field if e is invalid (see
// [store.AuditEntry.Validate]) and one wrapping [store.ErrNotFound] if
// e.CaseID names no case.
func (s *Store) RecordAudit(ctx context.Context, e store.AuditEntry) (store.AuditEntry, error) {
	if err := e.Validate(); err != nil {
		return store.AuditEntry{}, fmt.Errorf("record audit %q by %q: %w", clip(e.Action), clip(e.Actor), err)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if e.CaseID != 0 {
			var one int
			err := tx.QueryRow(ctx, `SELECT 1 FROM cases WHERE id = $1 FOR KEY SHARE`, e.CaseID).Scan(&one)
			if err != nil {
				return fmt.Errorf("case %d: %w", e.CaseID, notFound(err))
			}
		}
		var err error
		e, err = appendAudit(ctx, tx, e)
		return err
	})
	if err != nil {
		return store.AuditEntry{}, fmt.Errorf("record audit %q by %q: %w", clip(e.Action), clip(e.Actor), err)
	}
	return e, nil
}

const auditColumns = `seq, at, actor, action, case_id, subject_kind, subject_id, detail::text, prev_hash, hash`

func scanAudit(row pgx.CollectableRow) (store.AuditEntry, error) {
	var e store.AuditEntry
	var detail string
	err := row.Scan(&e.Seq, &e.At, &e.Actor, &e.Action, &e.CaseID, &e.Subject.Kind, &e.Subject.ID, &detail, &e.PrevHash, &e.Hash)
	e.At, e.Detail = e.At.UTC(), []byte(detail)
	return e, err
}

// Audit returns the audit entries f selects, in order of Seq; see
// [store.AuditFilter] for paging.
func (s *Store) Audit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	args := []any{f.After}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	where := []string{"seq > $1"}
	if f.CaseID != 0 {
		where = append(where, "case_id = "+arg(f.CaseID))
	}
	if f.Actor != "" {
		where = append(where, "actor = "+arg(f.Actor))
	}
	if f.Action != "" {
		where = append(where, "action = "+arg(f.Action))
	}
	q := `SELECT ` + auditColumns + ` FROM audit_log WHERE ` + strings.Join(where, " AND ") + ` ORDER BY seq`
	if f.Limit > 0 {
		q += " LIMIT " + arg(f.Limit)
	}
	rows, _ := s.pool.Query(ctx, q, args...)
	out, err := nilIfNone(pgx.CollectRows(rows, scanAudit))
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}

// AuditHead returns the Seq and Hash of the newest audit entry.
func (s *Store) AuditHead(ctx context.Context) (store.AuditHead, error) {
	h := store.AuditHead{Hash: store.GenesisHash}
	err := s.pool.QueryRow(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&h.Seq, &h.Hash)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return store.AuditHead{}, fmt.Errorf("read audit head: %w", err)
	}
	return h, nil
}

// auditPage is how many entries VerifyAudit reads at a time.
const auditPage = 1000

// VerifyAudit reads the whole audit log in order and checks its hash
// chain (see [store.VerifyChain]): it returns nil if every entry is intact
// and chained, and otherwise an [*store.AuditError] wrapping
// [store.ErrAuditBroken] naming the first entry that is not.
func (s *Store) VerifyAudit(ctx context.Context) error {
	prev, after := store.GenesisHash, int64(0)
	for {
		page, err := s.Audit(ctx, store.AuditFilter{After: after, Limit: auditPage})
		if err != nil {
			return fmt.Errorf("verify audit log: %w", err)
		}
		if len(page) == 0 {
			return nil
		}
		if page[0].Seq != after+1 {
			return fmt.Errorf("verify audit log: %w", &store.AuditError{Seq: after + 1, Reason: fmt.Sprintf("missing; the next entry is %d", page[0].Seq)})
		}
		if prev, err = store.VerifyChain(prev, page); err != nil {
			return fmt.Errorf("verify audit log: %w", err)
		}
		after = page[len(page)-1].Seq
	}
}

// isUniqueViolation reports whether err is PostgreSQL's unique_violation.
func isUniqueViolation(err error) bool {
	pgErr, ok := errors.AsType[*pgconn.PgError](err)
	return ok && pgErr.Code == "23505"
}

// nilIfNone returns nil for no rows, as the SQLite store does.
func nilIfNone[T any](out []T, err error) ([]T, error) {
	if len(out) == 0 {
		return nil, err
	}
	return out, err
}
