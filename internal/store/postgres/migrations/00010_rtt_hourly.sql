-- Hourly RTT rollups (store.RTTSummary). Each row holds one device's
-- minimum RTT, sample count and first and last sample time for one
-- landmark and provenance in one UTC hour (hour: the hour's start), kept
-- in step with samples by every insert and by PruneSamples. A summary over
-- a week reads about 170 rollup rows per landmark and provenance instead of
-- every sample, plus the raw samples of the partial hour at its start. The
-- rollup replaces the covering index of 00009, which made every sample
-- insert dearer. Keep in step with
-- ../../migrations/sqlite/00010_rtt_hourly.sql.

-- +goose Up
CREATE TABLE rtt_hourly (
	device_id  text COLLATE "C" NOT NULL REFERENCES devices (id),
	landmark   text COLLATE "C" NOT NULL,
	provenance text COLLATE "C" NOT NULL,
	hour       timestamptz NOT NULL,
	min_us     bigint NOT NULL,
	n          bigint NOT NULL CHECK (n > 0),
	first_at   timestamptz NOT NULL,
	last_at    timestamptz NOT NULL,
	PRIMARY KEY (device_id, landmark, provenance, hour)
);

CREATE INDEX rtt_hourly_hour ON rtt_hourly (hour);

INSERT INTO rtt_hourly (device_id, landmark, provenance, hour, min_us, n, first_at, last_at)
SELECT device_id, landmark, provenance,
	date_trunc('hour', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS h,
	min(rtt_us), count(*), min(at), max(at)
FROM samples
GROUP BY device_id, landmark, provenance, h;

DROP INDEX samples_summary;

-- +goose Down
CREATE INDEX samples_summary ON samples (device_id, landmark, provenance, at, rtt_us);
DROP TABLE rtt_hourly;
