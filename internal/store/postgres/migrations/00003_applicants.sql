-- Applicant screening: imports, applicants with their screening result,
-- rings found by linking and reviewers' decisions. Keep in step with
-- ../../migrations/sqlite/00003_applicants.sql. JSON columns are json, not
-- jsonb, so that they return the bytes stored, as SQLite does.

-- +goose Up
-- One row per import; an import ID used again takes the new source and time.
CREATE TABLE applicant_imports (
	id     text COLLATE "C" PRIMARY KEY,
	source text NOT NULL,
	at     timestamptz NOT NULL
);

-- One row per applicant, replaced by a re-import except for the current
-- decision (decision, decided_by, decided_at), which only RecordDecision
-- sets: it is the latest row of applicant_decisions, copied here so that
-- the review queue needs no join. body is the whole applicant as JSON.
-- import_id names a row of applicant_imports, written in the same
-- transaction (a foreign key would check it once per applicant).
CREATE TABLE applicants (
	id          text COLLATE "C" PRIMARY KEY,
	name        text NOT NULL,
	score       double precision NOT NULL,
	level       text COLLATE "C" NOT NULL,
	ring_id     text COLLATE "C" NOT NULL, -- '' when in no ring
	import_id   text COLLATE "C" NOT NULL,
	imported_at timestamptz NOT NULL,
	decision    text COLLATE "C" NOT NULL DEFAULT '' CHECK (decision IN ('', 'cleared', 'rejected', 'escalate')),
	decided_by  text NOT NULL DEFAULT '',
	decided_at  timestamptz,
	body        json NOT NULL,
	result      json,
	shared      json
);

-- The review queue: score, highest first, then id. Its filters (level,
-- decision) read the rows; one index is all a large import has to update
-- besides the primary key.
CREATE INDEX applicants_queue ON applicants (score DESC, id);

-- Append-only; seq orders decisions recorded at the same time.
CREATE TABLE applicant_decisions (
	seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	applicant_id text COLLATE "C" NOT NULL REFERENCES applicants (id),
	outcome      text COLLATE "C" NOT NULL CHECK (outcome IN ('cleared', 'rejected', 'escalate')),
	reviewer     text NOT NULL,
	note         text NOT NULL,
	at           timestamptz NOT NULL
);

CREATE INDEX applicant_decisions_applicant_id ON applicant_decisions (applicant_id, at, seq);

-- Replaced wholesale by ReplaceRings. Members may be applicants not (yet)
-- stored, or current workers ("worker:" + ID), so there is no foreign key
-- to applicants.
CREATE TABLE rings (
	ring_id    text COLLATE "C" PRIMARY KEY,
	size       bigint NOT NULL CHECK (size > 0),
	shared     json,
	updated_at timestamptz NOT NULL
);

CREATE INDEX rings_size ON rings (size DESC, ring_id);

CREATE TABLE applicant_rings (
	ring_id      text COLLATE "C" NOT NULL REFERENCES rings (ring_id),
	applicant_id text COLLATE "C" NOT NULL,
	PRIMARY KEY (ring_id, applicant_id)
);

CREATE INDEX applicant_rings_applicant_id ON applicant_rings (applicant_id);

-- +goose Down
DROP TABLE applicant_rings;
DROP TABLE rings;
DROP TABLE applicant_decisions;
DROP TABLE applicants;
DROP TABLE applicant_imports;
