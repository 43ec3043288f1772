package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lagwatch/lagwatch/internal/store"
)

// windowColumns holds input windows column by column, to be passed as
// arrays to unnest.
type windowColumns struct {
	ids, source, body                                                 []string
	start, end                                                        []time.Time
	keys, physical, virtual, injected, fastPairs, bursts, stallBursts []int64
	relay                                                             [][]byte // nil elements are NULL
}

func windowColumnsOf(ws []store.InputWindow) windowColumns {
	n := len(ws)
	c := windowColumns{
		ids: make([]string, n), source: make([]string, n), body: make([]string, n),
		start: make([]time.Time, n), end: make([]time.Time, n),
		keys: make([]int64, n), physical: make([]int64, n), virtual: make([]int64, n), injected: make([]int64, n),
		fastPairs: make([]int64, n), bursts: make([]int64, n), stallBursts: make([]int64, n),
		relay: make([][]byte, n),
	}
	for i, w := range ws {
		c.ids[i], c.source[i], c.body[i] = w.WindowID, w.Source, string(w.Body)
		c.start[i], c.end[i] = utcMicro(w.Start), utcMicro(w.End)
		c.keys[i], c.physical[i], c.virtual[i], c.injected[i] = int64(w.Keys), int64(w.Physical), int64(w.Virtual), int64(w.Injected)
		c.fastPairs[i], c.bursts[i], c.stallBursts[i] = int64(w.FastPairs), int64(w.Bursts), int64(w.StallBursts)
		if len(w.Relay) > 0 {
			c.relay[i] = w.Relay
		}
	}
	return c
}

// Windows returns the device's input windows that start at or after since
// and before until, oldest first (by Start, then WindowID). A zero until
// means no upper bound. A device without windows has none.
func (s *Store) Windows(ctx context.Context, deviceID string, since, until time.Time) ([]store.InputWindow, error) {
	return s.windows(ctx, deviceID, since, until, "body::text")
}

// CompactWindows is Windows without the Body of the windows that have a
// Relay block: what a reader of the counts and the relay block needs. The
// body is the bulk of a window, so a risk evaluation, which reads every
// window of a week, reads it only for windows stored before the Relay
// column.
func (s *Store) CompactWindows(ctx context.Context, deviceID string, since, until time.Time) ([]store.InputWindow, error) {
	return s.windows(ctx, deviceID, since, until, "CASE WHEN relay IS NULL THEN body::text END")
}

// windows lists the windows, reading bodyExpr as each one's body.
func (s *Store) windows(ctx context.Context, deviceID string, since, until time.Time, bodyExpr string) ([]store.InputWindow, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT device_id, window_id, batch_id, received_at, start_at, end_at, source,
			keys, physical, virtual, injected, fast_pairs, bursts, stall_bursts, `+bodyExpr+`, relay
		FROM input_windows
		WHERE device_id = $1 AND start_at >= $2 AND ($3::timestamptz IS NULL OR start_at < $3)
		ORDER BY start_at, window_id`,
		deviceID, utcMicro(since), nullTime(until))
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.InputWindow, error) {
		var w store.InputWindow
		var body *string
		err := row.Scan(&w.DeviceID, &w.WindowID, &w.BatchID, &w.ReceivedAt, &w.Start, &w.End, &w.Source,
			&w.Keys, &w.Physical, &w.Virtual, &w.Injected, &w.FastPairs, &w.Bursts, &w.StallBursts, &body, &w.Relay)
		w.ReceivedAt, w.Start, w.End = w.ReceivedAt.UTC(), w.Start.UTC(), w.End.UTC()
		if body != nil {
			w.Body = []byte(*body)
		}
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
func (s *Store) EndpointReports(ctx context.Context, deviceID string, since time.Time, limit int) ([]store.EndpointReport, error) {
	var lim *int64 // NULL: no limit
	if limit > 0 {
		l := int64(limit)
		lim = &l
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT device_id, batch_id, received_at, at, remote_tools, remote_sessions, min_session_rtt_us, hardware_matches, body::text
		FROM endpoint_reports
		WHERE device_id = $1 AND at >= $2
		ORDER BY at DESC, batch_id
		LIMIT $3`,
		deviceID, utcMicro(since), lim)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.EndpointReport, error) {
		var r store.EndpointReport
		var minRTT int64
		var body string
		err := row.Scan(&r.DeviceID, &r.BatchID, &r.ReceivedAt, &r.At, &r.RemoteTools, &r.RemoteSessions, &minRTT, &r.HardwareMatches, &body)
		r.ReceivedAt, r.At = r.ReceivedAt.UTC(), r.At.UTC()
		r.MinSessionRTT = time.Duration(minRTT) * time.Microsecond
		r.Body = []byte(body)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("list endpoint reports of device %q: %w", deviceID, err)
	}
	return out, nil
}
