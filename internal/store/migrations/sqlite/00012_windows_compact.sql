-- A covering index for store.CompactWindows: every column of an input
-- window but its body. The table is WITHOUT ROWID and a window's row, with
-- its JSON body, is larger than a page can hold inline, so reading a
-- window's counts and relay block from the table costs a seek by primary
-- key and a walk through the body's overflow pages. A risk evaluation
-- reads every window of a week, and from this index it reads them in
-- order without touching the table (except for windows stored before
-- 00011, which have no relay block and need the body). It starts with
-- (device_id, start_at), so it replaces input_windows_device_id_start_at.
-- The windows without a relay block have a partial index of their own,
-- so that finding them (to read their bodies) does not visit the others'
-- rows either. SQLite only: PostgreSQL reads rows of this size from its
-- heap pages directly.

-- +goose Up
CREATE INDEX input_windows_compact ON input_windows (device_id, start_at, window_id, batch_id, received_at, end_at, source,
	keys, physical, virtual, injected, fast_pairs, bursts, stall_bursts, relay);
CREATE INDEX input_windows_no_relay ON input_windows (device_id, start_at) WHERE relay IS NULL;
DROP INDEX input_windows_device_id_start_at;

-- +goose Down
CREATE INDEX input_windows_device_id_start_at ON input_windows (device_id, start_at);
DROP INDEX input_windows_no_relay;
DROP INDEX input_windows_compact;
