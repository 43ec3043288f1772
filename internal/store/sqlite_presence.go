package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lagwatch/lagwatch/internal/presence"
)

// SaveSession stores a finished presence-challenge session; it implements
// presence.Store. A session whose ID is stored already is not stored
// again: SaveSession returns nil if the stored session is the same (a
// retried save, compared after [PreparePresenceSession]) and an error
// wrapping [ErrConflict] if it differs. It stores nothing and returns an
// error naming the field and the limit if s is invalid (see
// [ValidatePresenceSession]).
func (s *Store) SaveSession(ctx context.Context, ps presence.Session) error {
	if err := ValidatePresenceSession(ps); err != nil {
		return fmt.Errorf("save presence session %q: %w", clip(ps.ID), err)
	}
	ps = PreparePresenceSession(ps)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO presence_sessions (id, worker_id, enrol, started_at, finished_at, reactions,
				false_starts, page_rtt_ns, client_rtt_ns, result)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`,
			ps.ID, ps.WorkerID, ps.Enrol, ps.Started.UnixMicro(), ps.Finished.UnixMicro(), EncodePresenceReactions(ps.Reactions),
			ps.FalseStarts, int64(ps.PageRTT), int64(ps.ClientRTT), string(EncodePresenceResult(ps.Result)))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		stored, err := scanPresenceSession(tx.QueryRowContext(ctx, `SELECT `+presenceColumns+` FROM presence_sessions WHERE id = ?`, ps.ID))
		if err != nil {
			return fmt.Errorf("read the stored session: %w", err)
		}
		if !SamePresenceSession(stored, ps) {
			return fmt.Errorf("%w: %w (worker %q, finished %v)", ErrConflict, presence.ErrSessionExists, clip(stored.WorkerID), stored.Finished)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save presence session %q: %w", clip(ps.ID), err)
	}
	return nil
}

const presenceColumns = `id, worker_id, enrol, started_at, finished_at, reactions, false_starts, page_rtt_ns, client_rtt_ns, result`

func scanPresenceSession(row interface{ Scan(...any) error }) (presence.Session, error) {
	var ps presence.Session
	var started, finished, pageRTT, clientRTT int64
	var reactions []byte
	var result string
	if err := row.Scan(&ps.ID, &ps.WorkerID, &ps.Enrol, &started, &finished, &reactions, &ps.FalseStarts, &pageRTT, &clientRTT, &result); err != nil {
		return presence.Session{}, err
	}
	ps.Started, ps.Finished = fromMicros(started), fromMicros(finished)
	ps.PageRTT, ps.ClientRTT = time.Duration(pageRTT), time.Duration(clientRTT)
	var err error
	if ps.Reactions, err = DecodePresenceReactions(reactions); err != nil {
		return presence.Session{}, fmt.Errorf("stored session %q: %w", clip(ps.ID), err)
	}
	if ps.Result, err = DecodePresenceResult([]byte(result)); err != nil {
		return presence.Session{}, fmt.Errorf("stored session %q: %w", clip(ps.ID), err)
	}
	return ps, nil
}

// PresenceSession returns the stored session with the given ID, or an
// error wrapping [ErrNotFound].
func (s *Store) PresenceSession(ctx context.Context, id string) (presence.Session, error) {
	ps, err := scanPresenceSession(s.r.QueryRowContext(ctx, `SELECT `+presenceColumns+` FROM presence_sessions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return presence.Session{}, fmt.Errorf("get presence session %q: %w", clip(id), err)
	}
	return ps, nil
}

// SessionStored reports whether a presence session with the given ID is
// stored (presence.Store).
func (s *Store) SessionStored(ctx context.Context, id string) (bool, error) {
	var one int
	err := s.r.QueryRowContext(ctx, `SELECT 1 FROM presence_sessions WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up presence session %q: %w", clip(id), err)
	}
	return true, nil
}

// PrunePresence deletes the presence sessions that were assessed (not
// enrolments) and finished before before, and returns how many it
// deleted. Enrolments are kept: they are the workers' baselines.
func (s *Store) PrunePresence(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM presence_sessions WHERE enrol = 0 AND finished_at < ?`, before.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("prune presence sessions before %s: %w", before.UTC().Format(time.RFC3339Nano), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune presence sessions before %s: %w", before.UTC().Format(time.RFC3339Nano), err)
	}
	return n, nil
}

// PresenceSessions returns the sessions of workerID that finished at or
// after since (zero for all), newest first (by Finished, then ID, both
// descending), at most limit of them: limit <= 0 means
// DefaultPresenceLimit, more than MaxPresenceList is an error. It returns
// an error naming the argument if one is invalid (see
// [ValidatePresenceQuery]).
func (s *Store) PresenceSessions(ctx context.Context, workerID string, since time.Time, limit int) ([]presence.Session, error) {
	if err := ValidatePresenceQuery(workerID, since, limit); err != nil {
		return nil, fmt.Errorf("list presence sessions of worker %q: %w", clip(workerID), err)
	}
	var from int64 = minMicros
	if since = PreparePresenceSince(since); !since.IsZero() {
		from = since.UnixMicro()
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT `+presenceColumns+` FROM presence_sessions
		WHERE worker_id = ? AND finished_at >= ?
		ORDER BY finished_at DESC, id DESC
		LIMIT ?`, workerID, from, PresenceLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list presence sessions of worker %q: %w", clip(workerID), err)
	}
	out, err := collect(rows, scanPresenceSession)
	if err != nil {
		return nil, fmt.Errorf("list presence sessions of worker %q: %w", clip(workerID), err)
	}
	return out, nil
}

// minMicros is below every stored time (years 1–9999).
const minMicros = -1 << 62

// Baseline returns the baseline that presence.WorkerBaseline builds from
// the reactions of workerID's enrolment sessions, oldest first by
// Finished (then ID); it implements presence.Store. Sessions that were
// assessed never count, so a baseline cannot creep towards a delayed
// operator. The error wraps presence.ErrNoBaseline when there is no
// enrolment or it holds too few valid reactions, exactly as
// presence.MemStore's does; an invalid workerID is an error naming it
// (see [ValidatePresenceWorker]).
func (s *Store) Baseline(ctx context.Context, workerID string) (presence.Baseline, error) {
	if err := ValidatePresenceWorker(workerID); err != nil {
		return presence.Baseline{}, fmt.Errorf("baseline for worker %q: %w", clip(workerID), err)
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT id, reactions FROM presence_sessions
		WHERE worker_id = ? AND enrol = 1
		ORDER BY finished_at, id`, workerID)
	if err != nil {
		return presence.Baseline{}, fmt.Errorf("baseline for worker %q: %w", clip(workerID), err)
	}
	enrol, err := collect(rows, scanEnrolReactions)
	if err != nil {
		return presence.Baseline{}, fmt.Errorf("baseline for worker %q: %w", clip(workerID), err)
	}
	return PresenceBaseline(workerID, enrol)
}

func scanEnrolReactions(row interface{ Scan(...any) error }) ([]time.Duration, error) {
	var id string
	var b []byte
	if err := row.Scan(&id, &b); err != nil {
		return nil, err
	}
	rs, err := DecodePresenceReactions(b)
	if err != nil {
		return nil, fmt.Errorf("stored session %q: %w", clip(id), err)
	}
	return rs, nil
}
