package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// LinkWorker stores link l: the worker l.WorkerID is the same person as
// the applicant or account l.Ref. Linking again changes nothing (the link
// keeps the AddedAt it was first stored with). It returns an error wrapping
// [ErrNotFound] if the worker does not exist, and an error naming the
// field if l is invalid (see [WorkerLink.Validate]).
func (s *Store) LinkWorker(ctx context.Context, l WorkerLink) error {
	if err := l.Validate(); err != nil {
		return fmt.Errorf("link worker %q to %s %q: %w", clip(l.WorkerID), clip(l.Kind), clip(l.Ref), err)
	}
	l = PrepareLink(l, time.Now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := workerExists(ctx, tx, l.WorkerID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO worker_links (worker_id, kind, ref, added_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`,
			l.WorkerID, l.Kind, l.Ref, l.AddedAt.UnixMicro())
		return err
	})
	if err != nil {
		return fmt.Errorf("link worker %q to %s %q: %w", l.WorkerID, l.Kind, l.Ref, err)
	}
	return nil
}

// UnlinkWorker removes the link l (worker, kind and ref; AddedAt is
// ignored) and reports whether it was stored. It returns an error naming
// the field if l is invalid (see [WorkerLink.Validate]).
func (s *Store) UnlinkWorker(ctx context.Context, l WorkerLink) (bool, error) {
	if err := l.Validate(); err != nil {
		return false, fmt.Errorf("unlink worker %q from %s %q: %w", clip(l.WorkerID), clip(l.Kind), clip(l.Ref), err)
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM worker_links WHERE worker_id = ? AND kind = ? AND ref = ?`, l.WorkerID, l.Kind, l.Ref)
	if err != nil {
		return false, fmt.Errorf("unlink worker %q from %s %q: %w", l.WorkerID, l.Kind, l.Ref, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("unlink worker %q from %s %q: %w", l.WorkerID, l.Kind, l.Ref, err)
	}
	return n > 0, nil
}

// workerExists returns an error wrapping ErrNotFound unless worker id is
// stored.
func workerExists(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM workers WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("worker %q: %w", id, ErrNotFound)
	}
	return err
}

func scanLink(row interface{ Scan(...any) error }) (WorkerLink, error) {
	var l WorkerLink
	var added int64
	err := row.Scan(&l.WorkerID, &l.Kind, &l.Ref, &added)
	l.AddedAt = fromMicros(added)
	return l, err
}

// WorkerLinks returns the links of worker workerID, by kind, then ref. A
// worker without links, or not stored, has none.
func (s *Store) WorkerLinks(ctx context.Context, workerID string) ([]WorkerLink, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT worker_id, kind, ref, added_at FROM worker_links WHERE worker_id = ? ORDER BY kind, ref`, workerID)
	if err != nil {
		return nil, fmt.Errorf("list links of worker %q: %w", workerID, err)
	}
	out, err := collect(rows, scanLink)
	if err != nil {
		return nil, fmt.Errorf("list links of worker %q: %w", workerID, err)
	}
	return out, nil
}

// AllWorkerLinks returns every worker link, by worker ID, kind, then ref.
func (s *Store) AllWorkerLinks(ctx context.Context) ([]WorkerLink, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT worker_id, kind, ref, added_at FROM worker_links ORDER BY worker_id, kind, ref`)
	if err != nil {
		return nil, fmt.Errorf("list worker links: %w", err)
	}
	out, err := collect(rows, scanLink)
	if err != nil {
		return nil, fmt.Errorf("list worker links: %w", err)
	}
	return out, nil
}

// SaveIdPFindings stores the findings fs in one transaction and returns
// how many were new; a finding whose ID ([IdPFindingID]) is already
// stored, or repeated within fs, is stored once. It stores nothing and
// returns an error wrapping [ErrNotFound] if a finding's worker does not
// exist, or an error naming the finding and field if one is invalid (see
// [ValidateIdPFindings]).
func (s *Store) SaveIdPFindings(ctx context.Context, fs []IdPFinding) (stored int, err error) {
	if err := ValidateIdPFindings(fs); err != nil {
		return 0, fmt.Errorf("save identity-provider findings: %w", err)
	}
	if len(fs) == 0 {
		return 0, nil
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		for _, id := range DistinctWorkers(fs) {
			if err := workerExists(ctx, tx, id); err != nil {
				return err
			}
		}
		st, err := tx.PrepareContext(ctx, `
			INSERT INTO idp_findings (id, worker_id, kind, at, lr, explanation, refs, body)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer st.Close()
		for i, f := range fs {
			f = PrepareIdPFinding(f)
			res, err := st.ExecContext(ctx, f.ID, f.WorkerID, f.Kind, f.At.UnixMicro(), f.LR, f.Explanation, EncodeRefs(f.Refs), string(f.Body))
			if err != nil {
				return fmt.Errorf("insert finding %d: %w", i, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			stored += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("save identity-provider findings: %w", err)
	}
	return stored, nil
}

// IdPFindings returns up to limit of worker workerID's findings that hold
// at or after since, newest first (by At, then ID); limit <= 0 means no
// limit. A worker without findings, or not stored, has none.
func (s *Store) IdPFindings(ctx context.Context, workerID string, since time.Time, limit int) ([]IdPFinding, error) {
	lim := int64(-1) // SQLite: a negative LIMIT is no limit
	if limit > 0 {
		lim = int64(limit)
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT id, worker_id, kind, at, lr, explanation, refs, body
		FROM idp_findings
		WHERE worker_id = ? AND at >= ?
		ORDER BY at DESC, id
		LIMIT ?`,
		workerID, since.UnixMicro(), lim)
	if err != nil {
		return nil, fmt.Errorf("list identity-provider findings of worker %q: %w", workerID, err)
	}
	out, err := collect(rows, func(row interface{ Scan(...any) error }) (IdPFinding, error) {
		var f IdPFinding
		var at int64
		var refs, body string
		if err := row.Scan(&f.ID, &f.WorkerID, &f.Kind, &at, &f.LR, &f.Explanation, &refs, &body); err != nil {
			return f, err
		}
		f.At, f.Body = fromMicros(at), []byte(body)
		var err error
		f.Refs, err = DecodeRefs(refs)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("list identity-provider findings of worker %q: %w", workerID, err)
	}
	return out, nil
}
