-- Keep in step with ../../migrations/sqlite, which must give the same
-- results. Text that is sorted or compared uses the "C" collation so that
-- ORDER BY agrees with SQLite and Go (byte order) whatever the database's
-- locale. Durations are integer microseconds; times are timestamptz
-- (microsecond precision), NULL meaning "never".

-- +goose Up
CREATE TABLE workers (
	id               text COLLATE "C" PRIMARY KEY,
	name             text NOT NULL,
	claimed_location text NOT NULL,
	lat              double precision NOT NULL,
	lon              double precision NOT NULL,
	access           text NOT NULL,
	created_at       timestamptz NOT NULL
);

CREATE TABLE landmarks (
	name     text COLLATE "C" PRIMARY KEY,
	location text NOT NULL,
	lat      double precision NOT NULL,
	lon      double precision NOT NULL,
	seen_at  timestamptz
);

CREATE TABLE devices (
	id              text COLLATE "C" PRIMARY KEY,
	worker_id       text COLLATE "C" NOT NULL REFERENCES workers (id),
	credential_hash bytea NOT NULL UNIQUE,
	hostname        text NOT NULL,
	os              text NOT NULL,
	agent_version   text NOT NULL,
	enrolled_at     timestamptz NOT NULL,
	last_seen       timestamptz,
	last_ip         text NOT NULL
);

CREATE INDEX devices_worker_id ON devices (worker_id, id);

-- Single use: used_at is set in the same transaction that inserts the device.
CREATE TABLE enrolment_tokens (
	token_hash bytea PRIMARY KEY,
	worker_id  text COLLATE "C" NOT NULL REFERENCES workers (id),
	expires_at timestamptz NOT NULL,
	used_at    timestamptz,
	device_id  text COLLATE "C"
);

CREATE INDEX enrolment_tokens_worker_id ON enrolment_tokens (worker_id);

-- Batch ids seen per device, for idempotent ingest; pruned with the samples.
CREATE TABLE batches (
	device_id   text COLLATE "C" NOT NULL REFERENCES devices (id),
	batch_id    text COLLATE "C" NOT NULL,
	received_at timestamptz NOT NULL,
	PRIMARY KEY (device_id, batch_id)
);

CREATE INDEX batches_received_at ON batches (received_at);

CREATE TABLE samples (
	device_id  text COLLATE "C" NOT NULL REFERENCES devices (id),
	landmark   text COLLATE "C" NOT NULL,
	at         timestamptz NOT NULL,
	rtt_us     bigint NOT NULL CHECK (rtt_us >= 0),
	provenance text COLLATE "C" NOT NULL CHECK (provenance IN ('server-tcp', 'server-app', 'agent'))
);

CREATE INDEX samples_device_id_at ON samples (device_id, at);
CREATE INDEX samples_at ON samples (at);

-- +goose Down
DROP TABLE samples;
DROP TABLE batches;
DROP TABLE enrolment_tokens;
DROP TABLE devices;
DROP TABLE landmarks;
DROP TABLE workers;
