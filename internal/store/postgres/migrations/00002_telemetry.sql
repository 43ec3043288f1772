-- Device public keys, input windows and endpoint reports. Keep in step
-- with ../../migrations/sqlite/00002_telemetry.sql. body columns are json,
-- not jsonb, so that they return the bytes stored, as SQLite does.

-- +goose Up
-- NULL for devices enrolled before agents signed their batches.
ALTER TABLE devices ADD COLUMN public_key bytea CHECK (public_key IS NULL OR octet_length(public_key) = 32);

-- One row per (device, window): a window sent again is stored once, as
-- first received. body is the whole window as JSON; the other columns are
-- what the dashboard lists without parsing it.
CREATE TABLE input_windows (
	device_id    text COLLATE "C" NOT NULL REFERENCES devices (id),
	window_id    text COLLATE "C" NOT NULL,
	batch_id     text COLLATE "C" NOT NULL,
	received_at  timestamptz NOT NULL,
	start_at     timestamptz NOT NULL,
	end_at       timestamptz NOT NULL CHECK (end_at > start_at),
	source       text NOT NULL,
	keys         bigint NOT NULL CHECK (keys >= 0),
	physical     bigint NOT NULL CHECK (physical >= 0),
	virtual      bigint NOT NULL CHECK (virtual >= 0),
	injected     bigint NOT NULL CHECK (injected >= 0),
	fast_pairs   bigint NOT NULL CHECK (fast_pairs >= 0),
	bursts       bigint NOT NULL CHECK (bursts >= 0),
	stall_bursts bigint NOT NULL CHECK (stall_bursts >= 0),
	body         json NOT NULL,
	PRIMARY KEY (device_id, window_id)
);

CREATE INDEX input_windows_device_id_start_at ON input_windows (device_id, start_at);
CREATE INDEX input_windows_end_at ON input_windows (end_at);

-- At most one report per batch.
CREATE TABLE endpoint_reports (
	device_id          text COLLATE "C" NOT NULL REFERENCES devices (id),
	batch_id           text COLLATE "C" NOT NULL,
	received_at        timestamptz NOT NULL,
	at                 timestamptz NOT NULL,
	remote_tools       bigint NOT NULL CHECK (remote_tools >= 0),
	remote_sessions    bigint NOT NULL CHECK (remote_sessions >= 0),
	min_session_rtt_us bigint NOT NULL CHECK (min_session_rtt_us >= 0),
	hardware_matches   bigint NOT NULL CHECK (hardware_matches >= 0),
	body               json NOT NULL,
	PRIMARY KEY (device_id, batch_id)
);

CREATE INDEX endpoint_reports_device_id_at ON endpoint_reports (device_id, at);
CREATE INDEX endpoint_reports_at ON endpoint_reports (at);

-- +goose Down
DROP TABLE endpoint_reports;
DROP TABLE input_windows;
ALTER TABLE devices DROP COLUMN public_key;
