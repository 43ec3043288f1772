-- Risk alerts and the alerter's state. Times are Unix microseconds (UTC).
-- Keep in step with ../../postgres/migrations/00007_alerts.sql.

-- +goose Up
-- One row per alert, by the alerter's ID: saving an alert again changes
-- nothing. body is the whole alert (a risk.Alert) as JSON; the other
-- columns are what listing filters and sorts on. exported_at is NULL until
-- the alert is marked exported.
CREATE TABLE alerts (
	id           TEXT NOT NULL PRIMARY KEY,
	subject_kind TEXT NOT NULL,
	subject_id   TEXT NOT NULL,
	rule         TEXT NOT NULL,
	level        TEXT NOT NULL CHECK (level IN ('clear', 'watch', 'high')),
	at           INTEGER NOT NULL,
	log_odds     REAL NOT NULL,
	summary      TEXT NOT NULL,
	body         TEXT NOT NULL CHECK (json_valid(body)),
	exported_at  INTEGER
) STRICT, WITHOUT ROWID;

CREATE INDEX alerts_at ON alerts (at, id);
CREATE INDEX alerts_subject_at ON alerts (subject_kind, subject_id, at, id);
CREATE INDEX alerts_unexported ON alerts (at, id) WHERE exported_at IS NULL;

-- The alerter's state, one JSON object saved with the alerts it raised.
CREATE TABLE alert_state (
	id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	state    TEXT NOT NULL CHECK (json_valid(state)),
	saved_at INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE alert_state;
DROP TABLE alerts;
