-- Worker links (the application a worker was hired from, their
-- identity-provider accounts) and identity-provider findings. Times are
-- Unix microseconds (UTC). Keep in step with
-- ../../postgres/migrations/00006_worker_links.sql.

-- +goose Up
-- One row per (worker, kind, ref): linking again changes nothing. ref is
-- an applicant ID, which need not be stored yet, or a login.
CREATE TABLE worker_links (
	worker_id TEXT NOT NULL REFERENCES workers (id),
	kind      TEXT NOT NULL CHECK (kind IN ('applicant', 'account')),
	ref       TEXT NOT NULL,
	added_at  INTEGER NOT NULL,
	PRIMARY KEY (worker_id, kind, ref)
) STRICT, WITHOUT ROWID;

-- One row per finding: id is the SHA-256 of its content
-- (store.IdPFindingID), so a log imported twice stores its findings once.
-- refs is a JSON array of the provider's record IDs, body the finding.
CREATE TABLE idp_findings (
	id          TEXT NOT NULL PRIMARY KEY,
	worker_id   TEXT NOT NULL REFERENCES workers (id),
	kind        TEXT NOT NULL,
	at          INTEGER NOT NULL,
	lr          REAL NOT NULL CHECK (lr >= 0),
	explanation TEXT NOT NULL,
	refs        TEXT NOT NULL CHECK (json_valid(refs)),
	body        TEXT NOT NULL CHECK (json_valid(body))
) STRICT, WITHOUT ROWID;

CREATE INDEX idp_findings_worker_id_at ON idp_findings (worker_id, at);

-- +goose Down
DROP TABLE idp_findings;
DROP TABLE worker_links;
