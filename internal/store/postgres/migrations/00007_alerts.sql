-- Risk alerts and the alerter's state. Keep in step with
-- ../../migrations/sqlite/00007_alerts.sql. body and state are json, not
-- jsonb, so that they return the bytes stored, as SQLite does.

-- +goose Up
-- One row per alert, by the alerter's ID: saving an alert again changes
-- nothing. body is the whole alert (a risk.Alert) as JSON; the other
-- columns are what listing filters and sorts on. exported_at is NULL until
-- the alert is marked exported.
CREATE TABLE alerts (
	id           text COLLATE "C" NOT NULL PRIMARY KEY,
	subject_kind text COLLATE "C" NOT NULL,
	subject_id   text COLLATE "C" NOT NULL,
	rule         text COLLATE "C" NOT NULL,
	level        text COLLATE "C" NOT NULL CHECK (level IN ('clear', 'watch', 'high')),
	at           timestamptz NOT NULL,
	log_odds     double precision NOT NULL,
	summary      text NOT NULL,
	body         json NOT NULL,
	exported_at  timestamptz
);

CREATE INDEX alerts_at ON alerts (at, id);
CREATE INDEX alerts_subject_at ON alerts (subject_kind, subject_id, at, id);
CREATE INDEX alerts_unexported ON alerts (at, id) WHERE exported_at IS NULL;

-- The alerter's state, one JSON object saved with the alerts it raised.
CREATE TABLE alert_state (
	id       integer NOT NULL PRIMARY KEY CHECK (id = 1),
	state    json NOT NULL,
	saved_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE alert_state;
DROP TABLE alerts;
