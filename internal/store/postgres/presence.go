package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lagwatch/lagwatch/internal/presence"
	"github.com/lagwatch/lagwatch/internal/store"
)

// SaveSession stores a finished presence-challenge session; it implements
// presence.Store. A session whose ID is stored already is not stored
// again: SaveSession returns nil if the stored session is the same (a
// retried save, compared after [store.PreparePresenceSession]) and an
// error wrapping [store.ErrConflict] if it differs. It stores nothing and
// returns an error naming the field and the limit if s is invalid (see
// [store.ValidatePresenceSession]).
func (s *Store) SaveSession(ctx context.Context, ps presence.Session) error {
	if err := store.ValidatePresenceSession(ps); err != nil {
		return fmt.Errorf("save presence session %q: %w", clip(ps.ID), err)
	}
	ps = store.PreparePresenceSession(ps)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			INSERT INTO presence_sessions (id, worker_id, enrol, started_at, finished_at, reactions,
				false_starts, page_rtt_ns, client_rtt_ns, result)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::json)
			ON CONFLICT (id) DO NOTHING`,
			ps.ID, ps.WorkerID, ps.Enrol, ps.Started, ps.Finished, store.EncodePresenceReactions(ps.Reactions),
			ps.FalseStarts, int64(ps.PageRTT), int64(ps.ClientRTT), string(store.EncodePresenceResult(ps.Result)))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		// The row that won is committed (ON CONFLICT waited for it) and
		// never changes, so this statement's snapshot sees it.
		rows, _ := tx.Query(ctx, `SELECT `+presenceColumns+` FROM presence_sessions WHERE id = $1`, ps.ID)
		stored, err := pgx.CollectExactlyOneRow(rows, scanPresenceSession)
		if err != nil {
			return fmt.Errorf("read the stored session: %w", err)
		}
		if !store.SamePresenceSession(stored, ps) {
			return fmt.Errorf("%w: %w (worker %q, finished %v)", store.ErrConflict, presence.ErrSessionExists, clip(stored.WorkerID), stored.Finished)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save presence session %q: %w", clip(ps.ID), err)
	}
	return nil
}

const presenceColumns = `id, worker_id, enrol, started_at, finished_at, reactions, false_starts, page_rtt_ns, client_rtt_ns, result::text`

func scanPresenceSession(row pgx.CollectableRow) (presence.Session, error) {
	var ps presence.Session
	var pageRTT, clientRTT int64
	var reactions []byte
	var result string
	if err := row.Scan(&ps.ID, &ps.WorkerID, &ps.Enrol, &ps.Started, &ps.Finished, &reactions, &ps.FalseStarts, &pageRTT, &clientRTT, &result); err != nil {
		return presence.Session{}, err
	}
	ps.Started, ps.Finished = ps.Started.UTC(), ps.Finished.UTC()
	ps.PageRTT, ps.ClientRTT = time.Duration(pageRTT), time.Duration(clientRTT)
	var err error
	if ps.Reactions, err = store.DecodePresenceReactions(reactions); err != nil {
		return presence.Session{}, fmt.Errorf("stored session %q: %w", clip(ps.ID), err)
	}
	if ps.Result, err = store.DecodePresenceResult([]byte(result)); err != nil {
		return presence.Session{}, fmt.Errorf("stored session %q: %w", clip(ps.ID), err)
	}
	return ps, nil
}

// PresenceSession returns the stored session with the given ID, or an
// error wrapping [store.ErrNotFound].
func (s *Store) PresenceSession(ctx context.Context, id string) (presence.Session, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+presenceColumns+` FROM presence_sessions WHERE id = $1`, id)
	ps, err := pgx.CollectExactlyOneRow(rows, scanPresenceSession)
	if err != nil {
		return presence.Session{}, fmt.Errorf("get presence session %q: %w", clip(id), notFound(err))
	}
	return ps, nil
}

// SessionStored reports whether a presence session with the given ID is
// stored (presence.Store).
func (s *Store) SessionStored(ctx context.Context, id string) (bool, error) {
	var stored bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM presence_sessions WHERE id = $1)`, id).Scan(&stored); err != nil {
		return false, fmt.Errorf("look up presence session %q: %w", clip(id), err)
	}
	return stored, nil
}

// PrunePresence deletes the presence sessions that were assessed (not
// enrolments) and finished before before, and returns how many it
// deleted. Enrolments are kept: they are the workers' baselines.
func (s *Store) PrunePresence(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM presence_sessions WHERE NOT enrol AND finished_at < $1`, utcMicro(before))
	if err != nil {
		return 0, fmt.Errorf("prune presence sessions before %s: %w", before.UTC().Format(time.RFC3339Nano), err)
	}
	return tag.RowsAffected(), nil
}

// PresenceSessions returns the sessions of workerID that finished at or
// after since (zero for all), newest first (by Finished, then ID, both
// descending), at most limit of them: limit <= 0 means
// [store.DefaultPresenceLimit], more than [store.MaxPresenceList] is an
// error. It returns an error naming the argument if one is invalid (see
// [store.ValidatePresenceQuery]).
func (s *Store) PresenceSessions(ctx context.Context, workerID string, since time.Time, limit int) ([]presence.Session, error) {
	if err := store.ValidatePresenceQuery(workerID, since, limit); err != nil {
		return nil, fmt.Errorf("list presence sessions of worker %q: %w", clip(workerID), err)
	}
	q := `SELECT ` + presenceColumns + ` FROM presence_sessions WHERE worker_id = $1`
	args := []any{workerID, store.PresenceLimit(limit)}
	if since = store.PreparePresenceSince(since); !since.IsZero() {
		q += ` AND finished_at >= $3`
		args = append(args, since)
	}
	q += ` ORDER BY finished_at DESC, id DESC LIMIT $2`
	rows, _ := s.pool.Query(ctx, q, args...)
	out, err := nilIfNone(pgx.CollectRows(rows, scanPresenceSession))
	if err != nil {
		return nil, fmt.Errorf("list presence sessions of worker %q: %w", clip(workerID), err)
	}
	return out, nil
}

// Baseline returns the baseline that presence.WorkerBaseline builds from
// the reactions of workerID's enrolment sessions, oldest first by
// Finished (then ID); it implements presence.Store. Sessions that were
// assessed never count, so a baseline cannot creep towards a delayed
// operator. The error wraps presence.ErrNoBaseline when there is no
// enrolment or it holds too few valid reactions, exactly as
// presence.MemStore's does; an invalid workerID is an error naming it
// (see [store.ValidatePresenceWorker]).
func (s *Store) Baseline(ctx context.Context, workerID string) (presence.Baseline, error) {
	if err := store.ValidatePresenceWorker(workerID); err != nil {
		return presence.Baseline{}, fmt.Errorf("baseline for worker %q: %w", clip(workerID), err)
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT id, reactions FROM presence_sessions
		WHERE worker_id = $1 AND enrol
		ORDER BY finished_at, id`, workerID)
	enrol, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) ([]time.Duration, error) {
		var id string
		var b []byte
		if err := row.Scan(&id, &b); err != nil {
			return nil, err
		}
		rs, err := store.DecodePresenceReactions(b)
		if err != nil {
			return nil, fmt.Errorf("stored session %q: %w", clip(id), err)
		}
		return rs, nil
	})
	if err != nil {
		return presence.Baseline{}, fmt.Errorf("baseline for worker %q: %w", clip(workerID), err)
	}
	return store.PresenceBaseline(workerID, enrol)
}
