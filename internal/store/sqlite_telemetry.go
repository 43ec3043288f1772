package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"
)

// insertWindows inserts the windows of b that the device has not sent
// before; the first copy of a window wins.
func (s *Store) insertWindows(ctx context.Context, tx *sql.Tx, b Batch) error {
	if len(b.Windows) == 0 {
		return nil
	}
	st := tx.StmtContext(ctx, s.insertWindow)
	for _, w := range UniqueWindows(b.Windows) {
		_, err := st.ExecContext(ctx, b.DeviceID, w.WindowID, b.ID, b.ReceivedAt.UnixMicro(),
			w.Start.UnixMicro(), w.End.UnixMicro(), w.Source,
			w.Keys, w.Physical, w.Virtual, w.Injected, w.FastPairs, w.Bursts, w.StallBursts, string(w.Body), nullBytes(w.Relay))
		if err != nil {
			return fmt.Errorf("insert window %q: %w", w.WindowID, err)
		}
	}
	return nil
}

// insertEndpointReport inserts the endpoint report of b, if any.
func (s *Store) insertEndpointReport(ctx context.Context, tx *sql.Tx, b Batch) error {
	r := b.Endpoint
	if r == nil {
		return nil
	}
	_, err := tx.StmtContext(ctx, s.insertReport).ExecContext(ctx, b.DeviceID, b.ID, b.ReceivedAt.UnixMicro(),
		r.At.UnixMicro(), r.RemoteTools, r.RemoteSessions, int64(r.MinSessionRTT/time.Microsecond), r.HardwareMatches, string(r.Body))
	if err != nil {
		return fmt.Errorf("insert endpoint report: %w", err)
	}
	return nil
}

// windowColumns are the columns of an input window but its body and relay
// block, in the order windows scans them.
const windowColumns = `device_id, window_id, batch_id, received_at, start_at, end_at, source,
	keys, physical, virtual, injected, fast_pairs, bursts, stall_bursts`

// Windows returns the device's input windows that start at or after since
// and before until, oldest first (by Start, then WindowID). A zero until
// means no upper bound. A device without windows has none.
func (s *Store) Windows(ctx context.Context, deviceID string, since, until time.Time) ([]InputWindow, error) {
	return s.windows(ctx, `
		SELECT `+windowColumns+`, body, relay
		FROM input_windows
		WHERE device_id = ?1 AND start_at >= ?2 AND start_at < ?3
		ORDER BY start_at, window_id`, deviceID, since, until)
}

// CompactWindows is Windows without the Body of the windows that have a
// Relay block: what a reader of the counts and the relay block needs. The
// body is the bulk of a window, so a risk evaluation, which reads every
// window of a week, reads it only for windows stored before the Relay
// column.
func (s *Store) CompactWindows(ctx context.Context, deviceID string, since, until time.Time) ([]InputWindow, error) {
	return s.windows(ctx, compactWindowsQuery, deviceID, since, until)
}

// compactWindowsQuery is CompactWindows' query: the windows with a relay
// block from the covering index input_windows_compact, those without one
// through the partial index input_windows_no_relay (migration 00012).
const compactWindowsQuery = `
	SELECT ` + windowColumns + `, NULL AS body, relay
	FROM input_windows
	WHERE device_id = ?1 AND start_at >= ?2 AND start_at < ?3 AND relay IS NOT NULL
	UNION ALL
	SELECT ` + windowColumns + `, body, NULL
	FROM input_windows
	WHERE device_id = ?1 AND start_at >= ?2 AND start_at < ?3 AND relay IS NULL
	ORDER BY start_at, window_id`

// windows lists the windows query selects, with parameters ?1 the device,
// ?2 and ?3 the bounds of the start in µs since the epoch.
func (s *Store) windows(ctx context.Context, query, deviceID string, since, until time.Time) ([]InputWindow, error) {
	untilUS := int64(math.MaxInt64)
	if !until.IsZero() {
		untilUS = until.UnixMicro()
	}
	rows, err := s.r.QueryContext(ctx, query, deviceID, since.UnixMicro(), untilUS)
	if err != nil {
		return nil, fmt.Errorf("list windows of device %q: %w", deviceID, err)
	}
	out, err := collect(rows, func(row interface{ Scan(...any) error }) (InputWindow, error) {
		var w InputWindow
		var received, start, end int64
		var body []byte
		err := row.Scan(&w.DeviceID, &w.WindowID, &w.BatchID, &received, &start, &end, &w.Source,
			&w.Keys, &w.Physical, &w.Virtual, &w.Injected, &w.FastPairs, &w.Bursts, &w.StallBursts, &body, &w.Relay)
		w.ReceivedAt, w.Start, w.End = fromMicros(received), fromMicros(start), fromMicros(end)
		w.Body = body
		return w, err
	})
	if err != nil {
		return nil, fmt.Errorf("list windows of device %q: %w", deviceID, err)
	}
	return out, nil
}

// EndpointReports returns up to limit of the device's endpoint reports
// taken at or after since, newest first (by At, then BatchID); limit <= 0
// means no limit.
func (s *Store) EndpointReports(ctx context.Context, deviceID string, since time.Time, limit int) ([]EndpointReport, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT device_id, batch_id, received_at, at, remote_tools, remote_sessions, min_session_rtt_us, hardware_matches, body
		FROM endpoint_reports
		WHERE device_id = ? AND at >= ?
		ORDER BY at DESC, batch_id
		LIMIT ?`,
		deviceID, since.UnixMicro(), limit)
	if err != nil {
		return nil, fmt.Errorf("list endpoint reports of device %q: %w", deviceID, err)
	}
	out, err := collect(rows, func(row interface{ Scan(...any) error }) (EndpointReport, error) {
		var r EndpointReport
		var received, at, minRTT int64
		var body []byte
		err := row.Scan(&r.DeviceID, &r.BatchID, &received, &at, &r.RemoteTools, &r.RemoteSessions, &minRTT, &r.HardwareMatches, &body)
		r.ReceivedAt, r.At = fromMicros(received), fromMicros(at)
		r.MinSessionRTT = time.Duration(minRTT) * time.Microsecond
		r.Body = body
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("list endpoint reports of device %q: %w", deviceID, err)
	}
	return out, nil
}
