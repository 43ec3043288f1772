-- Dashboard users and their sessions. Keep in step with
-- ../../migrations/sqlite/00004_users.sql.

-- +goose Up
CREATE TABLE users (
	name          text COLLATE "C" PRIMARY KEY,
	role          text COLLATE "C" NOT NULL,
	password_hash bytea NOT NULL,
	created_at    timestamptz NOT NULL,
	disabled      boolean NOT NULL DEFAULT false
);

-- Only the SHA-256 of a session token is stored. A session goes with its
-- user.
CREATE TABLE sessions (
	token_hash bytea PRIMARY KEY,
	user_name  text COLLATE "C" NOT NULL REFERENCES users (name) ON DELETE CASCADE,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL
);

CREATE INDEX sessions_by_user ON sessions (user_name);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- +goose Down
DROP TABLE sessions;
DROP TABLE users;
