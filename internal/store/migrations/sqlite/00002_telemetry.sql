-- Device public keys, input windows and endpoint reports. Times are Unix
-- microseconds (UTC); durations integer microseconds. Keep in step with
-- ../../postgres/migrations/00002_telemetry.sql.

-- +goose Up
-- NULL for devices enrolled before agents signed their batches.
ALTER TABLE devices ADD COLUMN public_key BLOB CHECK (public_key IS NULL OR length(public_key) = 32);

-- One row per (device, window): a window sent again is stored once, as
-- first received. body is the whole window as JSON; the other columns are
-- what the dashboard lists without parsing it.
CREATE TABLE input_windows (
	device_id    TEXT NOT NULL REFERENCES devices (id),
	window_id    TEXT NOT NULL,
	batch_id     TEXT NOT NULL,
	received_at  INTEGER NOT NULL,
	start_at     INTEGER NOT NULL,
	end_at       INTEGER NOT NULL CHECK (end_at > start_at),
	source       TEXT NOT NULL,
	keys         INTEGER NOT NULL CHECK (keys >= 0),
	physical     INTEGER NOT NULL CHECK (physical >= 0),
	virtual      INTEGER NOT NULL CHECK (virtual >= 0),
	injected     INTEGER NOT NULL CHECK (injected >= 0),
	fast_pairs   INTEGER NOT NULL CHECK (fast_pairs >= 0),
	bursts       INTEGER NOT NULL CHECK (bursts >= 0),
	stall_bursts INTEGER NOT NULL CHECK (stall_bursts >= 0),
	body         TEXT NOT NULL CHECK (json_valid(body)),
	PRIMARY KEY (device_id, window_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX input_windows_device_id_start_at ON input_windows (device_id, start_at);
CREATE INDEX input_windows_end_at ON input_windows (end_at);

-- At most one report per batch.
CREATE TABLE endpoint_reports (
	device_id          TEXT NOT NULL REFERENCES devices (id),
	batch_id           TEXT NOT NULL,
	received_at        INTEGER NOT NULL,
	at                 INTEGER NOT NULL,
	remote_tools       INTEGER NOT NULL CHECK (remote_tools >= 0),
	remote_sessions    INTEGER NOT NULL CHECK (remote_sessions >= 0),
	min_session_rtt_us INTEGER NOT NULL CHECK (min_session_rtt_us >= 0),
	hardware_matches   INTEGER NOT NULL CHECK (hardware_matches >= 0),
	body               TEXT NOT NULL CHECK (json_valid(body)),
	PRIMARY KEY (device_id, batch_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX endpoint_reports_device_id_at ON endpoint_reports (device_id, at);
CREATE INDEX endpoint_reports_at ON endpoint_reports (at);

-- +goose Down
DROP TABLE endpoint_reports;
DROP TABLE input_windows;
ALTER TABLE devices DROP COLUMN public_key;
