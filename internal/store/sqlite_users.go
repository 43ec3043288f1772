package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PutUser inserts u or, if a user named u.Name exists, replaces its role,
// password hash and disabled flag. The store sets CreatedAt on first insert
// and keeps it on updates. When the password hash changes or u is disabled,
// the user's sessions are deleted in the same transaction.
func (s *Store) PutUser(ctx context.Context, u User) error {
	if err := u.Validate(); err != nil {
		return fmt.Errorf("put user %q: %w", u.Name, err)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var old []byte
		err := tx.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE name = ?`, u.Name).Scan(&old)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO users (name, role, password_hash, created_at, disabled) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET
				role = excluded.role,
				password_hash = excluded.password_hash,
				disabled = excluded.disabled`,
			u.Name, u.Role, u.PasswordHash, time.Now().UnixMicro(), u.Disabled)
		if err != nil {
			return err
		}
		if u.Disabled || (old != nil && !bytes.Equal(old, u.PasswordHash)) {
			_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_name = ?`, u.Name)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("put user %q: %w", u.Name, err)
	}
	return nil
}

const userColumns = `name, role, password_hash, created_at, disabled`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var created int64
	err := row.Scan(&u.Name, &u.Role, &u.PasswordHash, &created, &u.Disabled)
	u.CreatedAt = fromMicros(created)
	return u, err
}

// User returns the user with the given name, or an error wrapping
// [ErrNotFound].
func (s *Store) User(ctx context.Context, name string) (User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("get user %q: %w", name, err)
	}
	return u, nil
}

// Users returns all users sorted by name.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out, err := collect(rows, scanUser)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// SetPassword replaces the password hash of the user name and deletes its
// sessions, in one transaction. It returns an error wrapping [ErrNotFound]
// if there is no such user.
func (s *Store) SetPassword(ctx context.Context, name string, hash []byte) error {
	if len(hash) == 0 || len(hash) > MaxHashLen {
		return fmt.Errorf("set password of user %q: PasswordHash: want 1–%d bytes, have %d", name, MaxHashLen, len(hash))
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE name = ?`, hash, name)
		if err != nil {
			return err
		}
		if err := notFoundIfNone(res); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_name = ?`, name)
		return err
	})
	if err != nil {
		return fmt.Errorf("set password of user %q: %w", name, err)
	}
	return nil
}

// notFoundIfNone returns ErrNotFound if res affected no row.
func notFoundIfNone(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// CreateSession stores a new session. It returns an error wrapping
// [ErrNotFound] if the user does not exist and [ErrConflict] if the token
// hash is already stored.
func (s *Store) CreateSession(ctx context.Context, sess Session) error {
	if err := sess.Validate(); err != nil {
		return fmt.Errorf("create session for user %q: %w", sess.User, err)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE name = ?`, sess.User).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO sessions (token_hash, user_name, created_at, expires_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`,
			sess.TokenHash, sess.User, sess.CreatedAt.UnixMicro(), sess.ExpiresAt.UnixMicro())
		if err != nil {
			return err
		}
		return conflictIfNone(res)
	})
	if err != nil {
		return fmt.Errorf("create session for user %q: %w", sess.User, err)
	}
	return nil
}

// Session returns the session with the given token hash, expired or not,
// or an error wrapping [ErrNotFound]. Errors do not quote the hash.
func (s *Store) Session(ctx context.Context, tokenHash []byte) (Session, error) {
	var sess Session
	var created, expires int64
	err := s.r.QueryRowContext(ctx, `SELECT token_hash, user_name, created_at, expires_at FROM sessions WHERE token_hash = ?`,
		tokenHash).Scan(&sess.TokenHash, &sess.User, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("get session: %w", err)
	}
	sess.CreatedAt, sess.ExpiresAt = fromMicros(created), fromMicros(expires)
	return sess, nil
}

// TouchSession sets the expiry of the session with the given token hash. It
// returns an error wrapping [ErrNotFound] if there is no such session.
func (s *Store) TouchSession(ctx context.Context, tokenHash []byte, expires time.Time) error {
	if expires.IsZero() {
		return errors.New("touch session: zero expiry")
	}
	res, err := s.w.ExecContext(ctx, `UPDATE sessions SET expires_at = ? WHERE token_hash = ?`, expires.UnixMicro(), tokenHash)
	if err == nil {
		err = notFoundIfNone(res)
	}
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession deletes the session with the given token hash; deleting a
// session that does not exist is not an error.
func (s *Store) DeleteSession(ctx context.Context, tokenHash []byte) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// PruneSessions deletes the sessions that expire at or before now and
// returns how many it deleted.
func (s *Store) PruneSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, now.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("prune sessions before %s: %w", now.UTC().Format(time.RFC3339), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune sessions before %s: %w", now.UTC().Format(time.RFC3339), err)
	}
	return n, nil
}
