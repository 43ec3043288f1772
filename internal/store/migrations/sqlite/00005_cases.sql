-- Case management: cases, the evidence attached to them, analysts' notes,
-- and the append-only, hash-chained audit log. Times are Unix microseconds
-- (UTC). Keep in step with ../../postgres/migrations/00005_cases.sql.

-- +goose Up
-- At most one case that is not closed per alert (cases_alert_open).
CREATE TABLE cases (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	title        TEXT NOT NULL,
	subject_kind TEXT NOT NULL CHECK (subject_kind IN ('worker', 'applicant', 'device', 'account')),
	subject_id   TEXT NOT NULL,
	status       TEXT NOT NULL CHECK (status IN ('open', 'investigating', 'escalated', 'closed')),
	resolution   TEXT NOT NULL DEFAULT '' CHECK (resolution IN ('', 'confirmed-fraud', 'false-positive', 'inconclusive')),
	assignee     TEXT NOT NULL DEFAULT '',
	opened_by    TEXT NOT NULL,
	reason       TEXT NOT NULL DEFAULT '',
	opened_at    INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	closed_at    INTEGER,
	alert_id     TEXT NOT NULL DEFAULT '',
	CHECK ((status = 'closed') = (resolution <> ''))
) STRICT;

CREATE UNIQUE INDEX cases_alert_open ON cases (alert_id) WHERE alert_id <> '' AND status <> 'closed';
CREATE INDEX cases_status ON cases (status, id);
CREATE INDEX cases_assignee ON cases (assignee, id);
CREATE INDEX cases_subject ON cases (subject_kind, subject_id, id);

-- Append-only: a copy of the evidence as it stood when attached. refs is a
-- JSON array of strings.
CREATE TABLE case_evidence (
	seq         INTEGER PRIMARY KEY,
	case_id     INTEGER NOT NULL REFERENCES cases (id),
	at          INTEGER NOT NULL,
	detector    TEXT NOT NULL,
	explanation TEXT NOT NULL,
	provenance  TEXT NOT NULL,
	refs        TEXT NOT NULL
) STRICT;

CREATE INDEX case_evidence_case_id ON case_evidence (case_id, at, seq);

-- Append-only.
CREATE TABLE case_notes (
	id      INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases (id),
	author  TEXT NOT NULL,
	text    TEXT NOT NULL,
	at      INTEGER NOT NULL
) STRICT;

CREATE INDEX case_notes_case_id ON case_notes (case_id, at, id);

-- The audit log: seq is 1, 2, 3, ... without gaps, assigned by the store
-- (the single writing connection orders appends); hash is SHA-256 over
-- prev_hash and the entry's content (store.AuditHash). case_id 0 and an
-- empty subject mean none. The triggers refuse every change and removal.
CREATE TABLE audit_log (
	seq          INTEGER PRIMARY KEY,
	at           INTEGER NOT NULL,
	actor        TEXT NOT NULL,
	action       TEXT NOT NULL,
	case_id      INTEGER NOT NULL,
	subject_kind TEXT NOT NULL,
	subject_id   TEXT NOT NULL,
	detail       TEXT NOT NULL,
	prev_hash    BLOB NOT NULL,
	hash         BLOB NOT NULL
) STRICT;

CREATE INDEX audit_log_case_id ON audit_log (case_id, seq) WHERE case_id <> 0;

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_log;
DROP TABLE case_notes;
DROP TABLE case_evidence;
DROP TABLE cases;
