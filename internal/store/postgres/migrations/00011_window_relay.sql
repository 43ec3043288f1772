-- The relay block of each input window a second time, in the compact
-- binary form of wire.RelayFeatures (store.InputWindow.Relay), so that a
-- risk evaluation, which reads every window of a week, need not decode
-- each window's JSON body. NULL for windows without a block and for those
-- stored before this column: readers fall back to the body. Keep in step
-- with ../../migrations/sqlite/00011_window_relay.sql.

-- +goose Up
ALTER TABLE input_windows ADD COLUMN relay bytea CHECK (relay IS NULL OR length(relay) <= 1024);

-- +goose Down
ALTER TABLE input_windows DROP COLUMN relay;
