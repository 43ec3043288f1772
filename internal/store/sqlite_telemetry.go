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

// Windows returns the device's input windows that start at or after since
// and before until, oldest first (by Start, then WindowID). A zero until
// means no upper bound. A device without windows has none.
func (s *Store) Windows(ctx context.Context, deviceID string, since, until time.Time) ([]InputWindow, error) {
	untilUS := int64(math.MaxInt64)
	if !until.IsZero() {
		untilUS = until.UnixMicro()
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT device_id, window_id, batch_id, received_at, start_at, end_at, source,
			keys, physical, virtual, injected, fast_pairs, bursts, stall_bursts, body, relay
		FROM input_windows
		WHERE device_id = ? AND start_at >= ? AND start_at < ?
		ORDER BY start_at, window_id`,
		deviceID, since.UnixMicro(), untilUS)
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
