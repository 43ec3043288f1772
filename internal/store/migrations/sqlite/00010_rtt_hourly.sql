-- Hourly RTT rollups (store.RTTSummary). Each row holds one device's
-- minimum RTT, sample count and first and last sample time for one
-- landmark and provenance in one UTC hour (hour: the hour's start, µs
-- since the epoch), kept in step with samples by every insert and by
-- PruneSamples. A summary over a week reads about 170 rollup rows per
-- landmark and provenance instead of every sample, plus the raw samples of
-- the partial hour at its start. The rollup replaces the covering index of
-- 00009, which made every sample insert dearer. Keep in step with
-- ../../postgres/migrations/00010_rtt_hourly.sql.

-- +goose Up
CREATE TABLE rtt_hourly (
	device_id  TEXT NOT NULL REFERENCES devices (id),
	landmark   TEXT NOT NULL,
	provenance TEXT NOT NULL,
	hour       INTEGER NOT NULL,
	min_us     INTEGER NOT NULL,
	n          INTEGER NOT NULL CHECK (n > 0),
	first_at   INTEGER NOT NULL,
	last_at    INTEGER NOT NULL,
	PRIMARY KEY (device_id, landmark, provenance, hour)
) STRICT, WITHOUT ROWID;

CREATE INDEX rtt_hourly_hour ON rtt_hourly (hour);

-- hour = floor(at / 1 h), also for times before 1970 (% truncates).
INSERT INTO rtt_hourly (device_id, landmark, provenance, hour, min_us, n, first_at, last_at)
SELECT device_id, landmark, provenance,
	at - ((at % 3600000000) + 3600000000) % 3600000000 AS h,
	MIN(rtt_us), COUNT(*), MIN(at), MAX(at)
FROM samples
GROUP BY device_id, landmark, provenance, h;

DROP INDEX samples_summary;

-- +goose Down
CREATE INDEX samples_summary ON samples (device_id, landmark, provenance, at, rtt_us);
DROP TABLE rtt_hourly;
