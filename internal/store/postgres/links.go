package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lagwatch/lagwatch/internal/store"
)

// LinkWorker stores link l: the worker l.WorkerID is the same person as
// the applicant or account l.Ref. Linking again changes nothing (the link
// keeps the AddedAt it was first stored with). It returns an error wrapping
// [store.ErrNotFound] if the worker does not exist, and an error naming the
// field if l is invalid (see [store.WorkerLink.Validate]).
func (s *Store) LinkWorker(ctx context.Context, l store.WorkerLink) error {
	if err := l.Validate(); err != nil {
		return fmt.Errorf("link worker %q to %s %q: %w", clip(l.WorkerID), clip(l.Kind), clip(l.Ref), err)
	}
	l = store.PrepareLink(l, time.Now())
	_, err := s.pool.Exec(ctx, `
		INSERT INTO worker_links (worker_id, kind, ref, added_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`,
		l.WorkerID, l.Kind, l.Ref, l.AddedAt)
	if isForeignKey(err) {
		err = fmt.Errorf("worker %q: %w", l.WorkerID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("link worker %q to %s %q: %w", l.WorkerID, l.Kind, l.Ref, err)
	}
	return nil
}

// UnlinkWorker removes the link l (worker, kind and ref; AddedAt is
// ignored) and reports whether it was stored. It returns an error naming
// the field if l is invalid (see [store.WorkerLink.Validate]).
func (s *Store) UnlinkWorker(ctx context.Context, l store.WorkerLink) (bool, error) {
	if err := l.Validate(); err != nil {
		return false, fmt.Errorf("unlink worker %q from %s %q: %w", clip(l.WorkerID), clip(l.Kind), clip(l.Ref), err)
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM worker_links WHERE worker_id = $1 AND kind = $2 AND ref = $3`, l.WorkerID, l.Kind, l.Ref)
	if err != nil {
		return false, fmt.Errorf("unlink worker %q from %s %q: %w", l.WorkerID, l.Kind, l.Ref, err)
	}
	return tag.RowsAffected() > 0, nil
}

// isForeignKey reports whether err is a foreign-key violation.
func isForeignKey(err error) bool {
	pgErr, ok := errors.AsType[*pgconn.PgError](err)
	return ok && pgErr.Code == "23503"
}

func scanLink(row pgx.CollectableRow) (store.WorkerLink, error) {
	var l store.WorkerLink
	err := row.Scan(&l.WorkerID, &l.Kind, &l.Ref, &l.AddedAt)
	l.AddedAt = l.AddedAt.UTC()
	return l, err
}

// WorkerLinks returns the links of worker workerID, by kind, then ref. A
// worker without links, or not stored, has none.
func (s *Store) WorkerLinks(ctx context.Context, workerID string) ([]store.WorkerLink, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT worker_id, kind, ref, added_at FROM worker_links WHERE worker_id = $1 ORDER BY kind, ref`, workerID)
	out, err := pgx.CollectRows(rows, scanLink)
	if err != nil {
		return nil, fmt.Errorf("list links of worker %q: %w", workerID, err)
	}
	return out, nil
}

// AllWorkerLinks returns every worker link, by worker ID, kind, then ref.
func (s *Store) AllWorkerLinks(ctx context.Context) ([]store.WorkerLink, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT worker_id, kind, ref, added_at FROM worker_links ORDER BY worker_id, kind, ref`)
	out, err := pgx.CollectRows(rows, scanLink)
	if err != nil {
		return nil, fmt.Errorf("list worker links: %w", err)
	}
	return out, nil
}

// SaveIdPFindings stores the findings fs in one transaction and returns
// how many were new; a finding whose ID ([store.IdPFindingID]) is already
// stored, or repeated within fs, is stored once. It stores nothing and
// returns an error wrapping [store.ErrNotFound] if a finding's worker does
// not exist, or an error naming the finding and field if one is invalid
// (see [store.ValidateIdPFindings]).
func (s *Store) SaveIdPFindings(ctx context.Context, fs []store.IdPFinding) (stored int, err error) {
	if err := store.ValidateIdPFindings(fs); err != nil {
		return 0, fmt.Errorf("save identity-provider findings: %w", err)
	}
	if len(fs) == 0 {
		return 0, nil
	}
	n := len(fs)
	ids, workers, kinds, expl, refs, bodies := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	at, lr := make([]time.Time, n), make([]float64, n)
	for i, f := range fs {
		f = store.PrepareIdPFinding(f)
		ids[i], workers[i], kinds[i], at[i], lr[i] = f.ID, f.WorkerID, f.Kind, f.At, f.LR
		expl[i], refs[i], bodies[i] = f.Explanation, store.EncodeRefs(f.Refs), string(f.Body)
	}
	// One statement: it stores all of the findings or none.
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO idp_findings (id, worker_id, kind, at, lr, explanation, refs, body)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::float8[], $6::text[], $7::json[], $8::json[])
		ON CONFLICT DO NOTHING`,
		ids, workers, kinds, at, lr, expl, refs, bodies)
	if isForeignKey(err) {
		err = s.missingWorker(ctx, store.DistinctWorkers(fs))
	}
	if err != nil {
		return 0, fmt.Errorf("save identity-provider findings: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// missingWorker names a worker in ids that does not exist, after an insert
// violated the foreign key.
func (s *Store) missingWorker(ctx context.Context, ids []string) error {
	var id string
	err := s.pool.QueryRow(ctx, `
		SELECT u.id FROM unnest($1::text[]) AS u (id)
		WHERE NOT EXISTS (SELECT 1 FROM workers w WHERE w.id = u.id)
		LIMIT 1`, ids).Scan(&id)
	if err != nil {
		return fmt.Errorf("find the unknown worker: %w", notFound(err))
	}
	return fmt.Errorf("worker %q: %w", id, store.ErrNotFound)
}

// IdPFindings returns up to limit of worker workerID's findings that hold
// at or after since, newest first (by At, then ID); limit <= 0 means no
// limit. A worker without findings, or not stored, has none.
func (s *Store) IdPFindings(ctx context.Context, workerID string, since time.Time, limit int) ([]store.IdPFinding, error) {
	var lim *int64 // NULL: no limit
	if limit > 0 {
		l := int64(limit)
		lim = &l
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT id, worker_id, kind, at, lr, explanation, refs::text, body::text
		FROM idp_findings
		WHERE worker_id = $1 AND at >= $2
		ORDER BY at DESC, id
		LIMIT $3`,
		workerID, utcMicro(since), lim)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.IdPFinding, error) {
		var f store.IdPFinding
		var refs, body string
		if err := row.Scan(&f.ID, &f.WorkerID, &f.Kind, &f.At, &f.LR, &f.Explanation, &refs, &body); err != nil {
			return f, err
		}
		f.At, f.Body = f.At.UTC(), []byte(body)
		var err error
		f.Refs, err = store.DecodeRefs(refs)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("list identity-provider findings of worker %q: %w", workerID, err)
	}
	return out, nil
}
