-- Worker links (the application a worker was hired from, their
-- identity-provider accounts) and identity-provider findings. Keep in step
-- with ../../migrations/sqlite/00006_worker_links.sql. refs and body are
-- json, not jsonb, so that they return the bytes stored, as SQLite does.

-- +goose Up
-- One row per (worker, kind, ref): linking again changes nothing. ref is
-- an applicant ID, which need not be stored yet, or a login.
CREATE TABLE worker_links (
	worker_id text COLLATE "C" NOT NULL REFERENCES workers (id),
	kind      text COLLATE "C" NOT NULL CHECK (kind IN ('applicant', 'account')),
	ref       text COLLATE "C" NOT NULL,
	added_at  timestamptz NOT NULL,
	PRIMARY KEY (worker_id, kind, ref)
);

-- One row per finding: id is the SHA-256 of its content
-- (store.IdPFindingID), so a log imported twice stores its findings once.
-- refs is a JSON array of the provider's record IDs, body the finding.
CREATE TABLE idp_findings (
	id          text COLLATE "C" NOT NULL PRIMARY KEY,
	worker_id   text COLLATE "C" NOT NULL REFERENCES workers (id),
	kind        text COLLATE "C" NOT NULL,
	at          timestamptz NOT NULL,
	lr          double precision NOT NULL CHECK (lr >= 0),
	explanation text NOT NULL,
	refs        json NOT NULL,
	body        json NOT NULL
);

CREATE INDEX idp_findings_worker_id_at ON idp_findings (worker_id, at);

-- +goose Down
DROP TABLE idp_findings;
DROP TABLE worker_links;
