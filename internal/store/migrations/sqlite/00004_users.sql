-- Dashboard users and their sessions. Times are Unix microseconds (UTC).
-- Keep in step with ../../postgres/migrations/00004_users.sql.

-- +goose Up
CREATE TABLE users (
	name          TEXT PRIMARY KEY,
	role          TEXT NOT NULL,
	password_hash BLOB NOT NULL,
	created_at    INTEGER NOT NULL,
	disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
) STRICT;

-- Only the SHA-256 of a session token is stored. A session goes with its
-- user.
CREATE TABLE sessions (
	token_hash BLOB PRIMARY KEY,
	user_name  TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX sessions_by_user ON sessions (user_name);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- +goose Down
DROP TABLE sessions;
DROP TABLE users;
