-- Presence-challenge sessions (package presence). Durations are
-- nanoseconds. Keep in step with ../../migrations/sqlite/00008_presence.sql.

-- +goose Up
-- One row per finished session, by the session ID that presence issued:
-- saving a session again changes nothing. reactions holds the reaction
-- times in prompt order, each in nanoseconds as an unsigned varint
-- (store.EncodePresenceReactions); result is the assessment as JSON
-- (store.EncodePresenceResult). A worker's baseline is built from the
-- reactions of their rows with enrol, oldest first by finished_at.
CREATE TABLE presence_sessions (
	id            text COLLATE "C" NOT NULL PRIMARY KEY,
	worker_id     text COLLATE "C" NOT NULL,
	enrol         boolean NOT NULL,
	started_at    timestamptz NOT NULL,
	finished_at   timestamptz NOT NULL CHECK (finished_at >= started_at),
	reactions     bytea NOT NULL,
	false_starts  integer NOT NULL CHECK (false_starts >= 0),
	page_rtt_ns   bigint NOT NULL CHECK (page_rtt_ns >= 0),
	client_rtt_ns bigint NOT NULL CHECK (client_rtt_ns >= 0),
	result        json NOT NULL
);

CREATE INDEX presence_sessions_worker ON presence_sessions (worker_id, finished_at, id);
CREATE INDEX presence_sessions_finished ON presence_sessions (finished_at);

-- +goose Down
DROP TABLE presence_sessions;
