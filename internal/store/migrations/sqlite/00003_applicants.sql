-- Applicant screening: imports, applicants with their screening result,
-- rings found by linking and reviewers' decisions. Times are Unix
-- microseconds (UTC). Keep in step with
-- ../../postgres/migrations/00003_applicants.sql.

-- +goose Up
-- One row per import; an import ID used again takes the new source and time.
CREATE TABLE applicant_imports (
	id     TEXT PRIMARY KEY,
	source TEXT NOT NULL,
	at     INTEGER NOT NULL
) STRICT;

-- One row per applicant, replaced by a re-import except for the current
-- decision (decision, decided_by, decided_at), which only RecordDecision
-- sets: it is the latest row of applicant_decisions, copied here so that
-- the review queue needs no join. body is the whole applicant as JSON,
-- written by the store; result and shared are JSON that the store checked
-- before writing (a CHECK would parse every value of a large import again).
-- import_id names a row of applicant_imports, written in the same
-- transaction (a foreign key would check it once per applicant). The small
-- columns come first so that listing reads no overflow pages.
CREATE TABLE applicants (
	id          TEXT PRIMARY KEY,
	name        TEXT NOT NULL,
	score       REAL NOT NULL,
	level       TEXT NOT NULL,
	ring_id     TEXT NOT NULL, -- '' when in no ring
	import_id   TEXT NOT NULL,
	imported_at INTEGER NOT NULL,
	decision    TEXT NOT NULL DEFAULT '' CHECK (decision IN ('', 'cleared', 'rejected', 'escalate')),
	decided_by  TEXT NOT NULL DEFAULT '',
	decided_at  INTEGER,
	body        TEXT NOT NULL,
	result      TEXT,
	shared      TEXT
) STRICT;

-- The review queue: score, highest first, then id. Its filters (level,
-- decision) read the rows; one index is all a large import has to update
-- besides the primary key.
CREATE INDEX applicants_queue ON applicants (score DESC, id);

-- Append-only; seq orders decisions recorded at the same time.
CREATE TABLE applicant_decisions (
	seq          INTEGER PRIMARY KEY,
	applicant_id TEXT NOT NULL REFERENCES applicants (id),
	outcome      TEXT NOT NULL CHECK (outcome IN ('cleared', 'rejected', 'escalate')),
	reviewer     TEXT NOT NULL,
	note         TEXT NOT NULL,
	at           INTEGER NOT NULL
) STRICT;

CREATE INDEX applicant_decisions_applicant_id ON applicant_decisions (applicant_id, at, seq);

-- Replaced wholesale by ReplaceRings. Members may be applicants not (yet)
-- stored, or current workers ("worker:" + ID), so there is no foreign key
-- to applicants.
CREATE TABLE rings (
	ring_id    TEXT PRIMARY KEY,
	size       INTEGER NOT NULL CHECK (size > 0),
	shared     TEXT CHECK (shared IS NULL OR json_valid(shared)),
	updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX rings_size ON rings (size DESC, ring_id);

CREATE TABLE applicant_rings (
	ring_id      TEXT NOT NULL REFERENCES rings (ring_id),
	applicant_id TEXT NOT NULL,
	PRIMARY KEY (ring_id, applicant_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX applicant_rings_applicant_id ON applicant_rings (applicant_id);

-- +goose Down
DROP TABLE applicant_rings;
DROP TABLE rings;
DROP TABLE applicant_decisions;
DROP TABLE applicants;
DROP TABLE applicant_imports;
