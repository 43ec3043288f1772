-- Case management: cases, the evidence attached to them, analysts' notes,
-- and the append-only, hash-chained audit log. Keep in step with
-- ../../migrations/sqlite/00005_cases.sql. detail is json, not jsonb, so
-- that it returns the bytes stored, which the hash chain covers.

-- +goose Up
-- At most one case that is not closed per alert (cases_alert_open).
CREATE TABLE cases (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	title        text NOT NULL,
	subject_kind text COLLATE "C" NOT NULL CHECK (subject_kind IN ('worker', 'applicant', 'device', 'account')),
	subject_id   text COLLATE "C" NOT NULL,
	status       text COLLATE "C" NOT NULL CHECK (status IN ('open', 'investigating', 'escalated', 'closed')),
	resolution   text COLLATE "C" NOT NULL DEFAULT '' CHECK (resolution IN ('', 'confirmed-fraud', 'false-positive', 'inconclusive')),
	assignee     text COLLATE "C" NOT NULL DEFAULT '',
	opened_by    text NOT NULL,
	reason       text NOT NULL DEFAULT '',
	opened_at    timestamptz NOT NULL,
	updated_at   timestamptz NOT NULL,
	closed_at    timestamptz,
	alert_id     text COLLATE "C" NOT NULL DEFAULT '',
	CHECK ((status = 'closed') = (resolution <> ''))
);

CREATE UNIQUE INDEX cases_alert_open ON cases (alert_id) WHERE alert_id <> '' AND status <> 'closed';
CREATE INDEX cases_status ON cases (status, id);
CREATE INDEX cases_assignee ON cases (assignee, id);
CREATE INDEX cases_subject ON cases (subject_kind, subject_id, id);

-- Append-only: a copy of the evidence as it stood when attached.
CREATE TABLE case_evidence (
	seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	case_id     bigint NOT NULL REFERENCES cases (id),
	at          timestamptz NOT NULL,
	detector    text NOT NULL,
	explanation text NOT NULL,
	provenance  text NOT NULL,
	refs        json NOT NULL
);

CREATE INDEX case_evidence_case_id ON case_evidence (case_id, at, seq);

-- Append-only.
CREATE TABLE case_notes (
	id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	case_id bigint NOT NULL REFERENCES cases (id),
	author  text NOT NULL,
	text    text NOT NULL,
	at      timestamptz NOT NULL
);

CREATE INDEX case_notes_case_id ON case_notes (case_id, at, id);

-- The audit log: seq is 1, 2, 3, ... without gaps, assigned by the store
-- under a transaction-scoped advisory lock; hash is SHA-256 over prev_hash
-- and the entry's content (store.AuditHash). case_id 0 and an empty
-- subject mean none. The triggers refuse every change and removal.
CREATE TABLE audit_log (
	seq          bigint PRIMARY KEY,
	at           timestamptz NOT NULL,
	actor        text COLLATE "C" NOT NULL,
	action       text COLLATE "C" NOT NULL,
	case_id      bigint NOT NULL,
	subject_kind text COLLATE "C" NOT NULL,
	subject_id   text COLLATE "C" NOT NULL,
	detail       json NOT NULL,
	prev_hash    bytea NOT NULL,
	hash         bytea NOT NULL
);

CREATE INDEX audit_log_case_id ON audit_log (case_id, seq) WHERE case_id <> 0;

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END $$;
-- +goose StatementEnd

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- +goose Down
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE case_notes;
DROP TABLE case_evidence;
DROP TABLE cases;
