-- Times are Unix microseconds (UTC) in INTEGER columns; NULL means "never".
-- Durations are integer microseconds. Keep in step with
-- ../../postgres/migrations, which must give the same results.

-- +goose Up
CREATE TABLE workers (
	id               TEXT PRIMARY KEY,
	name             TEXT NOT NULL,
	claimed_location TEXT NOT NULL,
	lat              REAL NOT NULL,
	lon              REAL NOT NULL,
	access           TEXT NOT NULL,
	created_at       INTEGER NOT NULL
) STRICT;

CREATE TABLE landmarks (
	name     TEXT PRIMARY KEY,
	location TEXT NOT NULL,
	lat      REAL NOT NULL,
	lon      REAL NOT NULL,
	seen_at  INTEGER
) STRICT;

CREATE TABLE devices (
	id              TEXT PRIMARY KEY,
	worker_id       TEXT NOT NULL REFERENCES workers (id),
	credential_hash BLOB NOT NULL UNIQUE,
	hostname        TEXT NOT NULL,
	os              TEXT NOT NULL,
	agent_version   TEXT NOT NULL,
	enrolled_at     INTEGER NOT NULL,
	last_seen       INTEGER,
	last_ip         TEXT NOT NULL
) STRICT;

CREATE INDEX devices_worker_id ON devices (worker_id, id);

-- Single use: used_at is set in the same transaction that inserts the device.
CREATE TABLE enrolment_tokens (
	token_hash BLOB PRIMARY KEY,
	worker_id  TEXT NOT NULL REFERENCES workers (id),
	expires_at INTEGER NOT NULL,
	used_at    INTEGER,
	device_id  TEXT
) STRICT;

CREATE INDEX enrolment_tokens_worker_id ON enrolment_tokens (worker_id);

-- Batch ids seen per device, for idempotent ingest; pruned with the samples.
CREATE TABLE batches (
	device_id   TEXT NOT NULL REFERENCES devices (id),
	batch_id    TEXT NOT NULL,
	received_at INTEGER NOT NULL,
	PRIMARY KEY (device_id, batch_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX batches_received_at ON batches (received_at);

CREATE TABLE samples (
	device_id  TEXT NOT NULL REFERENCES devices (id),
	landmark   TEXT NOT NULL,
	at         INTEGER NOT NULL,
	rtt_us     INTEGER NOT NULL CHECK (rtt_us >= 0),
	provenance TEXT NOT NULL CHECK (provenance IN ('server-tcp', 'server-app', 'agent'))
) STRICT;

CREATE INDEX samples_device_id_at ON samples (device_id, at);
CREATE INDEX samples_at ON samples (at);

-- +goose Down
DROP TABLE samples;
DROP TABLE batches;
DROP TABLE enrolment_tokens;
DROP TABLE devices;
DROP TABLE landmarks;
DROP TABLE workers;
