package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// OpenCase opens c as a new case in status open, stores its Evidence, and
// records a "case.opened" audit entry by c.OpenedBy, in one transaction.
// It returns the case as stored and opened true. If c.AlertID is set and a
// case for that alert is not closed, OpenCase changes nothing and returns
// that case with opened false. It returns an error naming the field if c
// is invalid (see [Case.Validate]).
func (s *Store) OpenCase(ctx context.Context, c Case) (_ Case, opened bool, err error) {
	if err := c.Validate(); err != nil {
		return Case{}, false, fmt.Errorf("open case on %s: %w", clip(c.Subject.String()), err)
	}
	c = PrepareCase(c)
	var existing int64
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if c.AlertID != "" {
			err := tx.QueryRowContext(ctx, `SELECT id FROM cases WHERE alert_id = ? AND status <> 'closed'`, c.AlertID).Scan(&existing)
			if err == nil {
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		at := c.OpenedAt.UnixMicro()
		err := tx.QueryRowContext(ctx, `
			INSERT INTO cases (title, subject_kind, subject_id, status, assignee, opened_by, reason, opened_at, updated_at, alert_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.Title, c.Subject.Kind, c.Subject.ID, c.Status, c.Assignee, c.OpenedBy, c.Reason, at, at, c.AlertID).Scan(&c.ID)
		if err != nil {
			return err
		}
		if err := insertEvidence(ctx, tx, c.ID, c.Evidence); err != nil {
			return err
		}
		_, err = appendAudit(ctx, tx, AuditEntry{At: c.OpenedAt, Actor: c.OpenedBy, Action: AuditCaseOpened,
			CaseID: c.ID, Subject: c.Subject, Detail: OpenedDetail(c)})
		return err
	})
	if err != nil {
		return Case{}, false, fmt.Errorf("open case on %s: %w", clip(c.Subject.String()), err)
	}
	if existing != 0 {
		got, err := s.Case(ctx, existing)
		return got, false, err
	}
	return c, true, nil
}

func insertEvidence(ctx context.Context, tx *sql.Tx, caseID int64, ev []CaseEvidence) error {
	if len(ev) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `
		INSERT INTO case_evidence (case_id, at, detector, explanation, provenance, refs) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for i, e := range ev {
		if _, err := st.ExecContext(ctx, caseID, e.At.UnixMicro(), e.Detector, e.Explanation, e.Provenance, EncodeRefs(e.Refs)); err != nil {
			return fmt.Errorf("insert evidence %d: %w", i, err)
		}
	}
	return nil
}

// appendAudit appends e (valid, not yet prepared) to the audit log in tx,
// chained to the last entry, and returns it as stored. The single writing
// connection orders appends.
func appendAudit(ctx context.Context, tx *sql.Tx, e AuditEntry) (AuditEntry, error) {
	e = PrepareAudit(e)
	e.PrevHash = GenesisHash
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&e.Seq, &e.PrevHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return AuditEntry{}, fmt.Errorf("read audit head: %w", err)
	}
	e.Seq++
	e.Hash = AuditHash(e.PrevHash, e)
	_, err = tx.ExecContext(ctx, `
		INSERT INTO audit_log (seq, at, actor, action, case_id, subject_kind, subject_id, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, e.At.UnixMicro(), e.Actor, e.Action, e.CaseID, e.Subject.Kind, e.Subject.ID, string(e.Detail), e.PrevHash, e.Hash)
	if err != nil {
		return AuditEntry{}, fmt.Errorf("append audit entry %d: %w", e.Seq, err)
	}
	return e, nil
}

const caseColumns = `id, title, subject_kind, subject_id, status, resolution, assignee, opened_by, reason,
	opened_at, updated_at, closed_at, alert_id`

func scanCase(row interface{ Scan(...any) error }) (Case, error) {
	var c Case
	var opened, updated int64
	var closed sql.NullInt64
	err := row.Scan(&c.ID, &c.Title, &c.Subject.Kind, &c.Subject.ID, &c.Status, &c.Resolution, &c.Assignee,
		&c.OpenedBy, &c.Reason, &opened, &updated, &closed, &c.AlertID)
	c.OpenedAt, c.UpdatedAt, c.ClosedAt = fromMicros(opened), fromMicros(updated), fromNullMicros(closed)
	return c, err
}

// lockCase reads case id in tx, or returns ErrNotFound.
func lockCase(ctx context.Context, tx *sql.Tx, id int64) (Case, error) {
	c, err := scanCase(tx.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return c, err
}

// Case returns the case with the given ID with all its evidence, or an
// error wrapping [ErrNotFound].
func (s *Store) Case(ctx context.Context, id int64) (Case, error) {
	c, err := scanCase(s.r.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err == nil {
		c.Evidence, err = s.evidence(ctx, id)
	}
	if err != nil {
		return Case{}, fmt.Errorf("get case %d: %w", id, err)
	}
	return c, nil
}

// Cases returns the cases f selects, newest first, without their
// evidence; see [CaseFilter] for paging.
func (s *Store) Cases(ctx context.Context, f CaseFilter) ([]Case, error) {
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	var where []string
	var args []any
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.Assignee != "" {
		where, args = append(where, "assignee = ?"), append(args, f.Assignee)
	}
	if f.Subject != (CaseSubject{}) {
		where, args = append(where, "subject_kind = ? AND subject_id = ?"), append(args, f.Subject.Kind, f.Subject.ID)
	}
	if f.AlertID != "" {
		where, args = append(where, "alert_id = ?"), append(args, f.AlertID)
	}
	if f.Before > 0 {
		where, args = append(where, "id < ?"), append(args, f.Before)
	}
	q := `SELECT ` + caseColumns + ` FROM cases`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.r.QueryContext(ctx, q, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	out, err := collect(rows, scanCase)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	return out, nil
}

// AssignCase assigns case id to assignee ("" to unassign) and records a
// "case.assigned" audit entry by actor at at, in one transaction, and
// returns the case as changed (without evidence). Assigning the current
// assignee changes and records nothing. It returns an error wrapping
// [ErrNotFound] if the case does not exist.
func (s *Store) AssignCase(ctx context.Context, id int64, assignee, actor string, at time.Time) (Case, error) {
	if err := ValidateAssign(assignee, actor, at); err != nil {
		return Case{}, fmt.Errorf("assign case %d: %w", id, err)
	}
	at = utcMicro(at)
	var c Case
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = lockCase(ctx, tx, id); err != nil || c.Assignee == assignee {
			return err
		}
		from := c.Assignee
		c.Assignee, c.UpdatedAt = assignee, LaterOf(c.UpdatedAt, at)
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET assignee = ?, updated_at = ? WHERE id = ?`,
			c.Assignee, c.UpdatedAt.UnixMicro(), id); err != nil {
			return err
		}
		_, err = appendAudit(ctx, tx, AuditEntry{At: at, Actor: actor, Action: AuditCaseAssigned, CaseID: id,
			Subject: c.Subject, Detail: AuditDetail(map[string]string{"from": from, "to": assignee})})
		return err
	})
	if err != nil {
		return Case{}, fmt.Errorf("assign case %d: %w", id, err)
	}
	return c, nil
}

// SetCaseStatus moves case id to ch.Status and records a "case.status"
// audit entry by ch.Actor, in one transaction, and returns the case as
// changed (without evidence). Closing sets Resolution and ClosedAt;
// reopening clears them. It returns an error naming the field if ch is
// invalid, one wrapping [ErrNotFound] if the case does not exist, and one
// wrapping [ErrConflict] if [CanTransition] does not allow the move or
// reopening would leave two cases of one alert not closed.
func (s *Store) SetCaseStatus(ctx context.Context, id int64, ch StatusChange) (Case, error) {
	if err := ch.Validate(); err != nil {
		return Case{}, fmt.Errorf("set status of case %d: %w", id, err)
	}
	at := utcMicro(ch.At)
	var c Case
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = lockCase(ctx, tx, id); err != nil {
			return err
		}
		from := c.Status
		if !CanTransition(from, ch.Status) {
			return fmt.Errorf("%w: status %q cannot move to %q (allowed: %q)", ErrConflict, from, ch.Status, CaseTransitions[from])
		}
		if ch.Status == CaseOpen && c.AlertID != "" {
			var other int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM cases WHERE alert_id = ? AND status <> 'closed'`, c.AlertID).Scan(&other)
			if err == nil {
				return fmt.Errorf("%w: case %d of alert %q is not closed", ErrConflict, other, clip(c.AlertID))
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		c = ChangedStatus(c, ch)
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET status = ?, resolution = ?, closed_at = ?, updated_at = ? WHERE id = ?`,
			c.Status, c.Resolution, nullMicros(c.ClosedAt), c.UpdatedAt.UnixMicro(), id); err != nil {
			return err
		}
		_, err = appendAudit(ctx, tx, AuditEntry{At: at, Actor: ch.Actor, Action: AuditCaseStatus, CaseID: id,
			Subject: c.Subject, Detail: AuditDetail(map[string]string{"from": from, "to": c.Status, "resolution": c.Resolution})})
		return err
	})
	if err != nil {
		return Case{}, fmt.Errorf("set status of case %d: %w", id, err)
	}
	return c, nil
}

// AddCaseNote appends n to its case's notes and records a "case.note"
// audit entry by n.Author, in one transaction, and returns the note as
// stored (with its ID). It returns an error naming the field if n is
// invalid (see [Note.Validate]) and one wrapping [ErrNotFound] if the case
// does not exist.
func (s *Store) AddCaseNote(ctx context.Context, n Note) (Note, error) {
	if err := n.Validate(); err != nil {
		return Note{}, fmt.Errorf("add note to case %d: %w", n.CaseID, err)
	}
	n.At = utcMicro(n.At)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		c, err := lockCase(ctx, tx, n.CaseID)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO case_notes (case_id, author, text, at) VALUES (?, ?, ?, ?) RETURNING id`,
			n.CaseID, n.Author, n.Text, n.At.UnixMicro()).Scan(&n.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET updated_at = ? WHERE id = ?`,
			LaterOf(c.UpdatedAt, n.At).UnixMicro(), n.CaseID); err != nil {
			return err
		}
		_, err = appendAudit(ctx, tx, AuditEntry{At: n.At, Actor: n.Author, Action: AuditCaseNote, CaseID: n.CaseID,
			Subject: c.Subject, Detail: AuditDetail(map[string]any{"note_id": n.ID, "bytes": len(n.Text)})})
		return err
	})
	if err != nil {
		return Note{}, fmt.Errorf("add note to case %d: %w", n.CaseID, err)
	}
	return n, nil
}

// CaseNotes returns the notes of case id, oldest first (by At, then in
// the order added), or an error wrapping [ErrNotFound] if the case does
// not exist.
func (s *Store) CaseNotes(ctx context.Context, id int64) ([]Note, error) {
	err := s.caseExists(ctx, id)
	var out []Note
	if err == nil {
		var rows *sql.Rows
		rows, err = s.r.QueryContext(ctx, `SELECT id, case_id, author, text, at FROM case_notes WHERE case_id = ? ORDER BY at, id`, id)
		if err == nil {
			out, err = collect(rows, func(row interface{ Scan(...any) error }) (Note, error) {
				var n Note
				var at int64
				err := row.Scan(&n.ID, &n.CaseID, &n.Author, &n.Text, &at)
				n.At = fromMicros(at)
				return n, err
			})
		}
	}
	if err != nil {
		return nil, fmt.Errorf("list notes of case %d: %w", id, err)
	}
	return out, nil
}

// caseExists returns ErrNotFound if case id does not exist.
func (s *Store) caseExists(ctx context.Context, id int64) error {
	var one int
	err := s.r.QueryRowContext(ctx, `SELECT 1 FROM cases WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// AttachEvidence appends ev to the evidence of case id and records a
// "case.evidence" audit entry by actor at at, in one transaction. It
// returns an error naming the item and field if ev is invalid (see
// [ValidateEvidence]) or empty, and one wrapping [ErrNotFound] if the case
// does not exist.
func (s *Store) AttachEvidence(ctx context.Context, id int64, actor string, at time.Time, ev []CaseEvidence) error {
	if err := ValidateAttach(actor, at, ev); err != nil {
		return fmt.Errorf("attach evidence to case %d: %w", id, err)
	}
	ev, at = PrepareEvidence(ev), utcMicro(at)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		c, err := lockCase(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := insertEvidence(ctx, tx, id, ev); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET updated_at = ? WHERE id = ?`,
			LaterOf(c.UpdatedAt, at).UnixMicro(), id); err != nil {
			return err
		}
		_, err = appendAudit(ctx, tx, AuditEntry{At: at, Actor: actor, Action: AuditCaseEvidence, CaseID: id,
			Subject: c.Subject, Detail: EvidenceDetail(ev)})
		return err
	})
	if err != nil {
		return fmt.Errorf("attach evidence to case %d: %w", id, err)
	}
	return nil
}

// CaseEvidence returns the evidence of case id, oldest first (by At, then
// in the order attached), or an error wrapping [ErrNotFound] if the case
// does not exist.
func (s *Store) CaseEvidence(ctx context.Context, id int64) ([]CaseEvidence, error) {
	err := s.caseExists(ctx, id)
	var out []CaseEvidence
	if err == nil {
		out, err = s.evidence(ctx, id)
	}
	if err != nil {
		return nil, fmt.Errorf("list evidence of case %d: %w", id, err)
	}
	return out, nil
}

func (s *Store) evidence(ctx context.Context, id int64) ([]CaseEvidence, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT at, detector, explanation, provenance, refs FROM case_evidence WHERE case_id = ? ORDER BY at, seq`, id)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (CaseEvidence, error) {
		var e CaseEvidence
		var at int64
		var refs string
		if err := row.Scan(&at, &e.Detector, &e.Explanation, &e.Provenance, &refs); err != nil {
			return e, err
		}
		e.At = fromMicros(at)
		var err error
		e.Refs, err = DecodeRefs(refs)
		return e, err
	})
}

// RecordAudit appends e to the audit log, chained to the last entry, and
// returns it as stored (with Seq and hashes). Use it for actions outside
// the case methods, which record their own, e.g. "report.exported". It
// returns an error naming the field if e is invalid (see
// [AuditEntry.Validate]) and one wrapping [ErrNotFound] if e.CaseID names
// no case.
func (s *Store) RecordAudit(ctx context.Context, e AuditEntry) (AuditEntry, error) {
	if err := e.Validate(); err != nil {
		return AuditEntry{}, fmt.Errorf("record audit %q by %q: %w", clip(e.Action), clip(e.Actor), err)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if e.CaseID != 0 {
			if _, err := lockCase(ctx, tx, e.CaseID); err != nil {
				return fmt.Errorf("case %d: %w", e.CaseID, err)
			}
		}
		var err error
		e, err = appendAudit(ctx, tx, e)
		return err
	})
	if err != nil {
		return AuditEntry{}, fmt.Errorf("record audit %q by %q: %w", clip(e.Action), clip(e.Actor), err)
	}
	return e, nil
}

const auditColumns = `seq, at, actor, action, case_id, subject_kind, subject_id, detail, prev_hash, hash`

func scanAudit(row interface{ Scan(...any) error }) (AuditEntry, error) {
	var e AuditEntry
	var at int64
	var detail string
	err := row.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.CaseID, &e.Subject.Kind, &e.Subject.ID, &detail, &e.PrevHash, &e.Hash)
	e.At, e.Detail = fromMicros(at), []byte(detail)
	return e, err
}

// Audit returns the audit entries f selects, in order of Seq; see
// [AuditFilter] for paging.
func (s *Store) Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	where, args := []string{"seq > ?"}, []any{f.After}
	if f.CaseID != 0 {
		where, args = append(where, "case_id = ?"), append(args, f.CaseID)
	}
	if f.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, f.Actor)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE `+strings.Join(where, " AND ")+
		` ORDER BY seq LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	out, err := collect(rows, scanAudit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}

// AuditHead returns the Seq and Hash of the newest audit entry.
func (s *Store) AuditHead(ctx context.Context) (AuditHead, error) {
	h := AuditHead{Hash: GenesisHash}
	err := s.r.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&h.Seq, &h.Hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return AuditHead{}, fmt.Errorf("read audit head: %w", err)
	}
	return h, nil
}

// auditPage is how many entries VerifyAudit reads at a time.
const auditPage = 1000

// VerifyAudit reads the whole audit log in order and checks its hash
// chain (see [VerifyChain]): it returns nil if every entry is intact and
// chained, and otherwise an [*AuditError] wrapping [ErrAuditBroken] naming
// the first entry that is not. See docs/cases.md for what this proves.
func (s *Store) VerifyAudit(ctx context.Context) error {
	prev, after := GenesisHash, int64(0)
	for {
		page, err := s.Audit(ctx, AuditFilter{After: after, Limit: auditPage})
		if err != nil {
			return fmt.Errorf("verify audit log: %w", err)
		}
		if len(page) == 0 {
			return nil
		}
		if page[0].Seq != after+1 {
			return fmt.Errorf("verify audit log: %w", &AuditError{Seq: after + 1, Reason: fmt.Sprintf("missing; the next entry is %d", page[0].Seq)})
		}
		if prev, err = VerifyChain(prev, page); err != nil {
			return fmt.Errorf("verify audit log: %w", err)
		}
		after = page[len(page)-1].Seq
	}
}
