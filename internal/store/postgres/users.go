package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lagwatch/lagwatch/internal/store"
)

// PutUser inserts u or, if a user named u.Name exists, replaces its role,
// password hash and disabled flag. The store sets CreatedAt on first insert
// and keeps it on updates. When the password hash changes or u is disabled,
// the user's sessions are deleted in the same transaction.
func (s *Store) PutUser(ctx context.Context, u store.User) error {
	if err := u.Validate(); err != nil {
		return fmt.Errorf("put user %q: %w", u.Name, err)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var old []byte
		err := tx.QueryRow(ctx, `SELECT password_hash FROM users WHERE name = $1 FOR UPDATE`, u.Name).Scan(&old)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO users (name, role, password_hash, created_at, disabled) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (name) DO UPDATE SET
				role = excluded.role,
				password_hash = excluded.password_hash,
				disabled = excluded.disabled`,
			u.Name, u.Role, u.PasswordHash, utcMicro(time.Now()), u.Disabled)
		if err != nil {
			return err
		}
		if u.Disabled || (old != nil && !bytes.Equal(old, u.PasswordHash)) {
			_, err = tx.Exec(ctx, `DELETE FROM sessions WHERE user_name = $1`, u.Name)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("put user %q: %w", u.Name, err)
	}
	return nil
}

const userColumns = `name, role, password_hash, created_at, disabled`

func scanUser(row pgx.CollectableRow) (store.User, error) {
	var u store.User
	err := row.Scan(&u.Name, &u.Role, &u.PasswordHash, &u.CreatedAt, &u.Disabled)
	u.CreatedAt = u.CreatedAt.UTC()
	return u, err
}

// User returns the user with the given name, or an error wrapping
// [store.ErrNotFound].
func (s *Store) User(ctx context.Context, name string) (store.User, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users WHERE name = $1`, name)
	u, err := pgx.CollectExactlyOneRow(rows, scanUser)
	if err != nil {
		return store.User{}, fmt.Errorf("get user %q: %w", name, notFound(err))
	}
	return u, nil
}

// Users returns all users sorted by name.
func (s *Store) Users(ctx context.Context) ([]store.User, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
	out, err := pgx.CollectRows(rows, scanUser)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// SetPassword replaces the password hash of the user name and deletes its
// sessions, in one transaction. It returns an error wrapping
// [store.ErrNotFound] if there is no such user.
func (s *Store) SetPassword(ctx context.Context, name string, hash []byte) error {
	if len(hash) == 0 || len(hash) > store.MaxHashLen {
		return fmt.Errorf("set password of user %q: PasswordHash: want 1–%d bytes, have %d", name, store.MaxHashLen, len(hash))
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET password_hash = $1 WHERE name = $2`, hash, name)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return store.ErrNotFound
		}
		_, err = tx.Exec(ctx, `DELETE FROM sessions WHERE user_name = $1`, name)
		return err
	})
	if err != nil {
		return fmt.Errorf("set password of user %q: %w", name, err)
	}
	return nil
}

// CreateSession stores a new session. It returns an error wrapping
// [store.ErrNotFound] if the user does not exist and [store.ErrConflict] if
// the token hash is already stored.
func (s *Store) CreateSession(ctx context.Context, sess store.Session) error {
	if err := sess.Validate(); err != nil {
		return fmt.Errorf("create session for user %q: %w", sess.User, err)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var one int
		// FOR SHARE keeps the user from being deleted until the insert commits.
		if err := tx.QueryRow(ctx, `SELECT 1 FROM users WHERE name = $1 FOR SHARE`, sess.User).Scan(&one); err != nil {
			return notFound(err)
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO sessions (token_hash, user_name, created_at, expires_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`,
			sess.TokenHash, sess.User, utcMicro(sess.CreatedAt), utcMicro(sess.ExpiresAt))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return store.ErrConflict
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create session for user %q: %w", sess.User, err)
	}
	return nil
}

// Session returns the session with the given token hash, expired or not,
// or an error wrapping [store.ErrNotFound]. Errors do not quote the hash.
func (s *Store) Session(ctx context.Context, tokenHash []byte) (store.Session, error) {
	var sess store.Session
	err := s.pool.QueryRow(ctx, `SELECT token_hash, user_name, created_at, expires_at FROM sessions WHERE token_hash = $1`,
		tokenHash).Scan(&sess.TokenHash, &sess.User, &sess.CreatedAt, &sess.ExpiresAt)
	if err != nil {
		return store.Session{}, fmt.Errorf("get session: %w", notFound(err))
	}
	sess.CreatedAt, sess.ExpiresAt = sess.CreatedAt.UTC(), sess.ExpiresAt.UTC()
	return sess, nil
}

// TouchSession sets the expiry of the session with the given token hash. It
// returns an error wrapping [store.ErrNotFound] if there is no such session.
func (s *Store) TouchSession(ctx context.Context, tokenHash []byte, expires time.Time) error {
	if expires.IsZero() {
		return errors.New("touch session: zero expiry")
	}
	tag, err := s.pool.Exec(ctx, `UPDATE sessions SET expires_at = $1 WHERE token_hash = $2`, utcMicro(expires), tokenHash)
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession deletes the session with the given token hash; deleting a
// session that does not exist is not an error.
func (s *Store) DeleteSession(ctx context.Context, tokenHash []byte) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// PruneSessions deletes the sessions that expire at or before now and
// returns how many it deleted.
func (s *Store) PruneSessions(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, utcMicro(now))
	if err != nil {
		return 0, fmt.Errorf("prune sessions before %s: %w", now.UTC().Format(time.RFC3339), err)
	}
	return tag.RowsAffected(), nil
}
