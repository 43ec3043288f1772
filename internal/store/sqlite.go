package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

//go:embed migrations/sqlite/*.sql
var sqliteMigrations embed.FS

// maxChunk is the largest number of samples inserted by one statement; see
// [Store.insertSamples].
const maxChunk = 128

// Store is the SQLite store, one database file. Open it with [Open]; it is
// safe for concurrent use and must be closed with [Store.Close].
//
// SQLite allows one writer at a time, so the Store keeps a single writing
// connection (writers queue for it in Go, not in SQLite's busy handler) and
// a pool of read-only connections that read concurrently under WAL.
type Store struct {
	w      *sql.DB // exactly one connection; every write goes through it
	r      *sql.DB // read-only connections
	logger *slog.Logger

	touchDevice  *sql.Stmt               // sets last_seen, last_ip and maybe the heartbeat fields
	insertBatch  *sql.Stmt               // records a batch id unless already there
	insertRows   [maxChunk + 1]*sql.Stmt // insertRows[n] inserts n samples; n a power of two
	insertWindow *sql.Stmt               // inserts an input window unless already there
	insertReport *sql.Stmt               // inserts an endpoint report
	upsertHour   *sql.Stmt               // adds to an hourly RTT rollup (rtt_hourly)
}

// Open opens the SQLite database at path, creating it and its parent
// directory if needed, and migrates its schema to the current version.
// A nil logger discards log output.
//
// The database runs in WAL mode with synchronous=NORMAL: a committed write
// survives a crash of the process, but the last transactions before a power
// loss or kernel crash may be lost (the database stays consistent).
func Open(ctx context.Context, path string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s, err := open(ctx, path, logger)
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	return s, nil
}

func open(ctx context.Context, path string, logger *slog.Logger) (_ *Store, err error) {
	if path == "" {
		return nil, errors.New("empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, err
	}
	s := &Store{logger: logger}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.Close())
		}
	}()
	if s.w, err = sql.Open("sqlite", sqliteDSN(abs, false)); err != nil {
		return nil, err
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	if err := migrate(ctx, s.w, logger); err != nil {
		return nil, err
	}
	// The read pool is opened after the migrations so that its first
	// connection sees a database already in WAL mode.
	if s.r, err = sql.Open("sqlite", sqliteDSN(abs, true)); err != nil {
		return nil, err
	}
	s.r.SetMaxOpenConns(4)
	s.r.SetMaxIdleConns(4)
	if err := s.r.PingContext(ctx); err != nil {
		return nil, err
	}
	if err := s.prepare(ctx); err != nil {
		return nil, err
	}
	logger.Debug("opened sqlite store", "path", abs)
	return s, nil
}

// sqliteDSN returns the modernc.org/sqlite connection string for the file at
// the absolute path abs. Write transactions begin IMMEDIATE so that two of
// them never deadlock upgrading a read lock.
func sqliteDSN(abs string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "temp_store(MEMORY)") // the applicant upsert's sorting and indexes
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows: C:/x becomes file:///C:/x
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	return u.String()
}

// migrate brings the schema of db to the newest embedded migration.
func migrate(ctx context.Context, db *sql.DB, logger *slog.Logger) error {
	fsys, err := fs.Sub(sqliteMigrations, "migrations/sqlite")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys,
		goose.WithDisableGlobalRegistry(true),
		goose.WithSlog(logger))
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	for _, r := range results {
		logger.Info("applied store migration", "version", r.Source.Version, "duration", r.Duration)
	}
	return nil
}

// prepare prepares the statements of the ingest path on the writing
// connection; transactions reuse them through [sql.Tx.StmtContext].
func (s *Store) prepare(ctx context.Context) error {
	var err error
	s.touchDevice, err = s.w.PrepareContext(ctx, `
		UPDATE devices SET
			last_seen = ?1,
			last_ip = ?2,
			hostname = CASE WHEN ?3 THEN ?4 ELSE hostname END,
			os = CASE WHEN ?3 THEN ?5 ELSE os END,
			agent_version = CASE WHEN ?3 THEN ?6 ELSE agent_version END
		WHERE id = ?7`)
	if err != nil {
		return fmt.Errorf("prepare device update: %w", err)
	}
	s.insertBatch, err = s.w.PrepareContext(ctx, `
		INSERT INTO batches (device_id, batch_id, received_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`)
	if err != nil {
		return fmt.Errorf("prepare batch insert: %w", err)
	}
	for n := 1; n <= maxChunk; n *= 2 {
		var b strings.Builder
		b.WriteString("INSERT INTO samples (device_id, landmark, at, rtt_us, provenance) VALUES ")
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?,?,?,?,?)")
		}
		if s.insertRows[n], err = s.w.PrepareContext(ctx, b.String()); err != nil {
			return fmt.Errorf("prepare insert of %d samples: %w", n, err)
		}
	}
	s.insertWindow, err = s.w.PrepareContext(ctx, `
		INSERT INTO input_windows (device_id, window_id, batch_id, received_at, start_at, end_at, source,
			keys, physical, virtual, injected, fast_pairs, bursts, stall_bursts, body, relay)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`)
	if err != nil {
		return fmt.Errorf("prepare window insert: %w", err)
	}
	s.insertReport, err = s.w.PrepareContext(ctx, `
		INSERT INTO endpoint_reports (device_id, batch_id, received_at, at,
			remote_tools, remote_sessions, min_session_rtt_us, hardware_matches, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`)
	if err != nil {
		return fmt.Errorf("prepare endpoint report insert: %w", err)
	}
	s.upsertHour, err = s.w.PrepareContext(ctx, `
		INSERT INTO rtt_hourly (device_id, landmark, provenance, hour, min_us, n, first_at, last_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (device_id, landmark, provenance, hour) DO UPDATE SET
			min_us = MIN(min_us, excluded.min_us),
			n = n + excluded.n,
			first_at = MIN(first_at, excluded.first_at),
			last_at = MAX(last_at, excluded.last_at)`)
	if err != nil {
		return fmt.Errorf("prepare rtt rollup upsert: %w", err)
	}
	return nil
}

// Close closes the database. The Store must not be used afterwards.
func (s *Store) Close() error {
	var errs []error
	for _, st := range append([]*sql.Stmt{s.touchDevice, s.insertBatch, s.insertWindow, s.insertReport, s.upsertHour}, s.insertRows[:]...) {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close sqlite store: %w", err)
	}
	return nil
}

// inTx runs fn in a write transaction and commits it if fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	return tx.Commit()
}

// ignoreDone drops the error of rolling back a transaction that the
// database already ended (for example when ctx was cancelled).
func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// errRollback makes inTx roll back without reporting an error.
var errRollback = errors.New("rollback")

// PutWorker inserts w or, if a worker with w.ID exists, updates it. The
// store sets CreatedAt on first insert and keeps it on updates; the value in
// w is ignored.
func (s *Store) PutWorker(ctx context.Context, w Worker) error {
	if err := w.Validate(); err != nil {
		return fmt.Errorf("put worker %q: %w", w.ID, err)
	}
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO workers (id, name, claimed_location, lat, lon, access, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			name = excluded.name,
			claimed_location = excluded.claimed_location,
			lat = excluded.lat,
			lon = excluded.lon,
			access = excluded.access`,
		w.ID, w.Name, w.ClaimedLocation, w.Lat, w.Lon, w.Access, time.Now().UnixMicro())
	if err != nil {
		return fmt.Errorf("put worker %q: %w", w.ID, err)
	}
	return nil
}

const workerColumns = `id, name, claimed_location, lat, lon, access, created_at`

func scanWorker(row interface{ Scan(...any) error }) (Worker, error) {
	var w Worker
	var created int64
	err := row.Scan(&w.ID, &w.Name, &w.ClaimedLocation, &w.Lat, &w.Lon, &w.Access, &created)
	w.CreatedAt = fromMicros(created)
	return w, err
}

// Worker returns the worker with the given ID, or an error wrapping
// [ErrNotFound].
func (s *Store) Worker(ctx context.Context, id string) (Worker, error) {
	w, err := scanWorker(s.r.QueryRowContext(ctx, `SELECT `+workerColumns+` FROM workers WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Worker{}, fmt.Errorf("get worker %q: %w", id, err)
	}
	return w, nil
}

// Workers returns all workers sorted by ID.
func (s *Store) Workers(ctx context.Context) ([]Worker, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+workerColumns+` FROM workers ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list workers: %w", err)
	}
	out, err := collect(rows, scanWorker)
	if err != nil {
		return nil, fmt.Errorf("list workers: %w", err)
	}
	return out, nil
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// PutLandmark inserts l or, if a landmark named l.Name exists, replaces it.
func (s *Store) PutLandmark(ctx context.Context, l Landmark) error {
	if err := l.Validate(); err != nil {
		return fmt.Errorf("put landmark %q: %w", l.Name, err)
	}
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO landmarks (name, location, lat, lon, seen_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET
			location = excluded.location,
			lat = excluded.lat,
			lon = excluded.lon,
			seen_at = excluded.seen_at`,
		l.Name, l.Location, l.Lat, l.Lon, nullMicros(l.SeenAt))
	if err != nil {
		return fmt.Errorf("put landmark %q: %w", l.Name, err)
	}
	return nil
}

// Landmarks returns all landmarks sorted by name.
func (s *Store) Landmarks(ctx context.Context) ([]Landmark, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT name, location, lat, lon, seen_at FROM landmarks ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list landmarks: %w", err)
	}
	out, err := collect(rows, func(row interface{ Scan(...any) error }) (Landmark, error) {
		var l Landmark
		var seen sql.NullInt64
		err := row.Scan(&l.Name, &l.Location, &l.Lat, &l.Lon, &seen)
		l.SeenAt = fromNullMicros(seen)
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("list landmarks: %w", err)
	}
	return out, nil
}

// CreateEnrolmentToken records the hash of a new single-use enrolment token
// for the worker workerID, valid until expires. It returns an error wrapping
// [ErrNotFound] if the worker does not exist and [ErrConflict] if the hash
// is already recorded.
func (s *Store) CreateEnrolmentToken(ctx context.Context, tokenHash []byte, workerID string, expires time.Time) error {
	if len(tokenHash) == 0 {
		return fmt.Errorf("create enrolment token for worker %q: empty token hash", workerID)
	}
	if expires.IsZero() {
		return fmt.Errorf("create enrolment token for worker %q: zero expiry", workerID)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM workers WHERE id = ?`, workerID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO enrolment_tokens (token_hash, worker_id, expires_at) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`,
			tokenHash, workerID, expires.UnixMicro())
		if err != nil {
			return err
		}
		return conflictIfNone(res)
	})
	if err != nil {
		return fmt.Errorf("create enrolment token for worker %q: %w", workerID, err)
	}
	return nil
}

// conflictIfNone returns ErrConflict if res affected no row.
func conflictIfNone(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrConflict
	}
	return nil
}

// Enrol redeems the enrolment token with hash tokenHash and stores d as a
// new device with the given credential hash, in one transaction. The token
// must exist, be unused and not expired at now, else Enrol returns an error
// wrapping [ErrTokenInvalid]; it can be redeemed once, even by concurrent
// calls. Enrol sets d.WorkerID to the token's worker and d.EnrolledAt to now,
// and returns d as stored. If d.ID or the credential hash is already taken
// it returns an error wrapping [ErrConflict] and the token stays unused.
func (s *Store) Enrol(ctx context.Context, tokenHash []byte, d Device, credentialHash []byte, now time.Time) (Device, error) {
	if err := checkEnrol(tokenHash, d, credentialHash, now); err != nil {
		return Device{}, fmt.Errorf("enrol device %q: %w", d.ID, err)
	}
	d = enrolled(d, now)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			UPDATE enrolment_tokens SET used_at = ?1, device_id = ?2
			WHERE token_hash = ?3 AND used_at IS NULL AND ?1 < expires_at
			RETURNING worker_id`,
			now.UnixMicro(), d.ID, tokenHash).Scan(&d.WorkerID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrTokenInvalid
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO devices (id, worker_id, credential_hash, hostname, os, agent_version, enrolled_at, last_seen, last_ip, public_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`,
			d.ID, d.WorkerID, credentialHash, d.Hostname, d.OS, d.AgentVersion,
			d.EnrolledAt.UnixMicro(), nullMicros(d.LastSeen), d.LastIP, nullBytes(d.PublicKey))
		if err != nil {
			return err
		}
		return conflictIfNone(res)
	})
	if err != nil {
		return Device{}, fmt.Errorf("enrol device %q: %w", d.ID, err)
	}
	return d, nil
}

// checkEnrol validates the arguments of Enrol.
func checkEnrol(tokenHash []byte, d Device, credentialHash []byte, now time.Time) error {
	return errors.Join(
		d.Validate(),
		nonEmpty("token hash", tokenHash),
		nonEmpty("credential hash", credentialHash),
		nonZero("now", now),
	)
}

func nonEmpty(what string, b []byte) error {
	if len(b) == 0 {
		return fmt.Errorf("%s is empty", what)
	}
	return nil
}

func nonZero(what string, t time.Time) error {
	if t.IsZero() {
		return fmt.Errorf("%s is zero", what)
	}
	return nil
}

// enrolled returns d as Enrol stores it: enrolled at now, times in UTC at
// microsecond precision, an empty public key nil.
func enrolled(d Device, now time.Time) Device {
	d.EnrolledAt = utcMicro(now)
	d.LastSeen = utcMicro(d.LastSeen)
	if len(d.PublicKey) == 0 {
		d.PublicKey = nil
	}
	return d
}

// nullBytes maps an empty byte slice to NULL.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// utcMicro returns t in UTC truncated to the microsecond, the precision
// both stores keep; the zero time stays zero.
func utcMicro(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.Truncate(time.Microsecond).UTC()
}

const deviceColumns = `id, worker_id, hostname, os, agent_version, enrolled_at, last_seen, last_ip, public_key`

func scanDevice(row interface{ Scan(...any) error }) (Device, error) {
	var d Device
	var enrolledAt int64
	var lastSeen sql.NullInt64
	var key []byte
	err := row.Scan(&d.ID, &d.WorkerID, &d.Hostname, &d.OS, &d.AgentVersion, &enrolledAt, &lastSeen, &d.LastIP, &key)
	d.EnrolledAt = fromMicros(enrolledAt)
	d.LastSeen = fromNullMicros(lastSeen)
	if len(key) > 0 {
		d.PublicKey = key
	}
	return d, err
}

// DeviceByCredential returns the device enrolled with the given credential
// hash, or an error wrapping [ErrNotFound].
func (s *Store) DeviceByCredential(ctx context.Context, credentialHash []byte) (Device, error) {
	d, err := scanDevice(s.r.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE credential_hash = ?`, credentialHash))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Device{}, fmt.Errorf("get device by credential: %w", err)
	}
	return d, nil
}

// Device returns the device with the given ID, or an error wrapping
// [ErrNotFound].
func (s *Store) Device(ctx context.Context, id string) (Device, error) {
	d, err := scanDevice(s.r.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Device{}, fmt.Errorf("get device %q: %w", id, err)
	}
	return d, nil
}

// Devices returns all devices sorted by WorkerID, then ID.
func (s *Store) Devices(ctx context.Context) ([]Device, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+deviceColumns+` FROM devices ORDER BY worker_id, id`)
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	out, err := collect(rows, scanDevice)
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	return out, nil
}

// SaveBatch stores b unless the device already sent a batch with b.ID, in
// which case it changes nothing and returns false. Storing a batch records
// its ID, inserts its samples, its input windows that the device has not
// sent before (the first copy of a window wins, within the batch too) and
// its endpoint report, sets the device's LastSeen to b.ReceivedAt and
// LastIP to b.RemoteIP and, if b.Heartbeat is set, its Hostname, OS and
// AgentVersion, all in one transaction. Windows and the report get BatchID
// b.ID and ReceivedAt b.ReceivedAt. It returns an error wrapping
// [ErrNotFound] if the device does not exist, and stores nothing if any
// part of b is invalid (see [Batch.Validate]).
func (s *Store) SaveBatch(ctx context.Context, b Batch) (stored bool, err error) {
	if err := b.Validate(); err != nil {
		return false, fmt.Errorf("save batch %q of device %q: %w", b.ID, b.DeviceID, err)
	}
	var hb Heartbeat
	if b.Heartbeat != nil {
		hb = *b.Heartbeat
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, s.touchDevice).ExecContext(ctx,
			b.ReceivedAt.UnixMicro(), b.RemoteIP, b.Heartbeat != nil, hb.Hostname, hb.OS, hb.AgentVersion, b.DeviceID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmpOr(err, ErrNotFound)
		}
		res, err = tx.StmtContext(ctx, s.insertBatch).ExecContext(ctx, b.DeviceID, b.ID, b.ReceivedAt.UnixMicro())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmpOr(err, errRollback) // seen before: undo the device update
		}
		if err := s.insertSamples(ctx, tx, b.DeviceID, b.Samples); err != nil {
			return err
		}
		if err := s.insertWindows(ctx, tx, b); err != nil {
			return err
		}
		return s.insertEndpointReport(ctx, tx, b)
	})
	switch {
	case errors.Is(err, errRollback):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("save batch %q of device %q: %w", b.ID, b.DeviceID, err)
	}
	return true, nil
}

// cmpOr returns err if it is not nil, else otherwise.
func cmpOr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// insertSamples inserts samples with as few statements as the prepared
// power-of-two sizes allow (50 samples: 32+16+2), and adds them to their
// hourly rollups (one upsert per device, landmark, provenance and hour). A
// sample with an empty DeviceID gets deviceID.
func (s *Store) insertSamples(ctx context.Context, tx *sql.Tx, deviceID string, samples []RTTSample) error {
	all := samples
	args := make([]any, 0, 5*min(len(samples), maxChunk))
	for len(samples) > 0 {
		n := maxChunk
		for n > len(samples) {
			n /= 2
		}
		args = args[:0]
		for _, x := range samples[:n] {
			dev := x.DeviceID
			if dev == "" {
				dev = deviceID
			}
			args = append(args, dev, x.Landmark, x.At.UnixMicro(), int64(x.RTT/time.Microsecond), string(x.Provenance))
		}
		if _, err := tx.StmtContext(ctx, s.insertRows[n]).ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("insert samples: %w", err)
		}
		samples = samples[n:]
	}
	upsert := tx.StmtContext(ctx, s.upsertHour)
	for _, h := range RollUp(deviceID, all) {
		_, err := upsert.ExecContext(ctx, h.DeviceID, h.Landmark, string(h.Provenance), h.Hour.UnixMicro(),
			int64(h.Min/time.Microsecond), h.Count, h.First.UnixMicro(), h.Last.UnixMicro())
		if err != nil {
			return fmt.Errorf("update rtt rollup of device %q, %s, %s, hour %s: %w", h.DeviceID, h.Landmark, h.Provenance, h.Hour.Format(time.RFC3339), err)
		}
	}
	return nil
}

// AddSamples stores server-measured samples that arrived outside a batch, in
// one transaction. It returns an error wrapping [ErrNotFound] if a sample's
// device does not exist, and stores nothing if any sample is invalid.
func (s *Store) AddSamples(ctx context.Context, samples []RTTSample) error {
	if err := validateSamples(samples); err != nil {
		return fmt.Errorf("add samples: %w", err)
	}
	if len(samples) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, id := range deviceIDs(samples) {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM devices WHERE id = ?`, id).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("device %q: %w", id, ErrNotFound)
			}
			if err != nil {
				return err
			}
		}
		return s.insertSamples(ctx, tx, "", samples)
	})
	if err != nil {
		return fmt.Errorf("add samples: %w", err)
	}
	return nil
}

// validateSamples validates every sample, naming the bad ones by index.
func validateSamples(samples []RTTSample) error {
	var errs []error
	for i, x := range samples {
		if err := x.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("sample %d: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

// deviceIDs returns the distinct device IDs of samples in order of first
// appearance.
func deviceIDs(samples []RTTSample) []string {
	var ids []string
	seen := map[string]bool{}
	for _, x := range samples {
		if !seen[x.DeviceID] {
			seen[x.DeviceID] = true
			ids = append(ids, x.DeviceID)
		}
	}
	return ids
}

// RTTSummary summarises the device's samples taken at or after since, one
// [LandmarkRTT] per landmark and provenance, sorted by landmark, then
// provenance. A device without samples has an empty summary. It reads the
// hourly rollups of the hours that start at or after since, and the
// samples themselves only for the part of an hour before the first of them.
func (s *Store) RTTSummary(ctx context.Context, deviceID string, since time.Time) ([]LandmarkRTT, error) {
	from := HourOf(since)
	if from.Before(since) {
		from = from.Add(time.Hour)
	}
	hours, err := s.summarise(ctx, `
		SELECT landmark, provenance, MIN(min_us), SUM(n), MIN(first_at), MAX(last_at)
		FROM rtt_hourly
		WHERE device_id = ? AND hour >= ?
		GROUP BY landmark, provenance`,
		deviceID, from.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("summarise rtt of device %q: %w", deviceID, err)
	}
	if !from.After(since) {
		return MergeSummaries(hours), nil
	}
	head, err := s.summarise(ctx, `
		SELECT landmark, provenance, MIN(rtt_us), COUNT(*), MIN(at), MAX(at)
		FROM samples
		WHERE device_id = ? AND at >= ? AND at < ?
		GROUP BY landmark, provenance`,
		deviceID, since.UnixMicro(), from.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("summarise rtt of device %q: %w", deviceID, err)
	}
	return MergeSummaries(head, hours), nil
}

// summarise runs a query that returns landmark, provenance, minimum RTT in
// µs, count, and first and last time in µs.
func (s *Store) summarise(ctx context.Context, query string, args ...any) ([]LandmarkRTT, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (LandmarkRTT, error) {
		var l LandmarkRTT
		var minUS, first, last int64
		err := row.Scan(&l.Landmark, &l.Provenance, &minUS, &l.Count, &first, &last)
		l.Min = time.Duration(minUS) * time.Microsecond
		l.First, l.Last = fromMicros(first), fromMicros(last)
		return l, err
	})
}

// Samples returns up to limit of the device's samples taken at or after
// since, newest first; limit <= 0 means no limit.
func (s *Store) Samples(ctx context.Context, deviceID string, since time.Time, limit int) ([]RTTSample, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT device_id, landmark, at, rtt_us, provenance
		FROM samples
		WHERE device_id = ? AND at >= ?
		ORDER BY at DESC, landmark, provenance, rtt_us
		LIMIT ?`,
		deviceID, since.UnixMicro(), limit)
	if err != nil {
		return nil, fmt.Errorf("list samples of device %q: %w", deviceID, err)
	}
	out, err := collect(rows, func(row interface{ Scan(...any) error }) (RTTSample, error) {
		var x RTTSample
		var at, rttUS int64
		err := row.Scan(&x.DeviceID, &x.Landmark, &at, &rttUS, &x.Provenance)
		x.At = fromMicros(at)
		x.RTT = time.Duration(rttUS) * time.Microsecond
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("list samples of device %q: %w", deviceID, err)
	}
	return out, nil
}

// PruneSamples deletes, in one transaction, the samples taken before
// before, the input windows that ended before it, the endpoint reports
// taken before it and the IDs of batches received before it, and returns
// the number of samples deleted. A batch retried after its ID was pruned is
// stored again, and so is a window sent again after it was pruned. The
// hourly rollups of the hours before before go too; the rollups of the
// hour that holds before are rebuilt from the samples that remain in it.
func (s *Store) PruneSamples(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM samples WHERE at < ?`, before.UnixMicro())
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		hour := HourOf(before) // partial unless before starts it
		if _, err := tx.ExecContext(ctx, `DELETE FROM rtt_hourly WHERE hour <= ?`, hour.UnixMicro()); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO rtt_hourly (device_id, landmark, provenance, hour, min_us, n, first_at, last_at)
			SELECT device_id, landmark, provenance, ?, MIN(rtt_us), COUNT(*), MIN(at), MAX(at)
			FROM samples
			WHERE at >= ? AND at < ?
			GROUP BY device_id, landmark, provenance`,
			hour.UnixMicro(), before.UnixMicro(), hour.Add(time.Hour).UnixMicro())
		if err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM input_windows WHERE end_at < ?`,
			`DELETE FROM endpoint_reports WHERE at < ?`,
			`DELETE FROM batches WHERE received_at < ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, before.UnixMicro()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("prune samples before %s: %w", before.UTC().Format(time.RFC3339Nano), err)
	}
	return n, nil
}

func nullMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func fromNullMicros(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromMicros(n.Int64)
}
