-- Presence-challenge sessions (package presence). Times are Unix
-- microseconds (UTC); durations are nanoseconds. Keep in step with
-- ../../postgres/migrations/00008_presence.sql.

-- +goose Up
-- One row per finished session, by the session ID that presence issued:
-- saving a session again changes nothing. reactions holds the reaction
-- times in prompt order, each in nanoseconds as an unsigned varint
-- (store.EncodePresenceReactions); result is the assessment as JSON
-- (store.EncodePresenceResult). A worker's baseline is built from the
-- reactions of their rows with enrol = 1, oldest first by finished_at.
CREATE TABLE presence_sessions (
	id            TEXT NOT NULL PRIMARY KEY,
	worker_id     TEXT NOT NULL,
	enrol         INTEGER NOT NULL CHECK (enrol IN (0, 1)),
	started_at    INTEGER NOT NULL,
	finished_at   INTEGER NOT NULL CHECK (finished_at >= started_at),
	reactions     BLOB NOT NULL,
	false_starts  INTEGER NOT NULL CHECK (false_starts >= 0),
	page_rtt_ns   INTEGER NOT NULL CHECK (page_rtt_ns >= 0),
	client_rtt_ns INTEGER NOT NULL CHECK (client_rtt_ns >= 0),
	result        TEXT NOT NULL CHECK (json_valid(result))
) STRICT, WITHOUT ROWID;

CREATE INDEX presence_sessions_worker ON presence_sessions (worker_id, finished_at, id);
CREATE INDEX presence_sessions_finished ON presence_sessions (finished_at);

-- +goose Down
DROP TABLE presence_sessions;
