// Package postgres stores lagwatch's records in PostgreSQL, for deployments
// that outgrow the default single-file SQLite store of package store. Its
// [Store] has the same methods with the same semantics (both pass the
// store/storetest conformance suite), and uses store's record types and
// sentinel errors.
//
// [Open] migrates the schema with embedded goose migrations, holding a
// PostgreSQL advisory lock so that several servers may start at once.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/lagwatch/lagwatch/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the PostgreSQL store. Open it with [Open]; it is safe for
// concurrent use and must be closed with [Store.Close].
type Store struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
}

// Open connects to the PostgreSQL database at url (a postgres:// URL or a
// key=value connection string, as pgx accepts) and migrates its schema to
// the current version. A nil logger discards log output.
func Open(ctx context.Context, url string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx redacts the password in its parse errors.
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	// Name the database without the password.
	where := fmt.Sprintf("%s@%s:%d/%s", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres store %s: %w", where, err)
	}
	if err := migrate(ctx, pool, logger); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres store %s: %w", where, err)
	}
	logger.Debug("opened postgres store", "database", where)
	return &Store{pool: pool, logger: logger}, nil
}

// migrate brings the schema to the newest embedded migration, holding an
// advisory lock so that concurrent servers migrate one at a time.
func migrate(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	// Poll for the lock every second for up to five minutes (goose's
	// default polls every five seconds, slowing down every concurrent start).
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return err
	}
	db := stdlib.OpenDBFromPool(pool) // closing db leaves pool open
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithDisableGlobalRegistry(true),
		goose.WithSessionLocker(locker),
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

// Close closes all connections. The Store must not be used afterwards.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// PutWorker inserts w or, if a worker with w.ID exists, updates it. The
// store sets CreatedAt on first insert and keeps it on updates; the value in
// w is ignored.
func (s *Store) PutWorker(ctx context.Context, w store.Worker) error {
	if err := w.Validate(); err != nil {
		return fmt.Errorf("put worker %q: %w", w.ID, err)
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO workers (id, name, claimed_location, lat, lon, access, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (id) DO UPDATE SET
			name = excluded.name,
			claimed_location = excluded.claimed_location,
			lat = excluded.lat,
			lon = excluded.lon,
			access = excluded.access`,
		w.ID, w.Name, w.ClaimedLocation, w.Lat, w.Lon, w.Access, utcMicro(time.Now()))
	if err != nil {
		return fmt.Errorf("put worker %q: %w", w.ID, err)
	}
	return nil
}

const workerColumns = `id, name, claimed_location, lat, lon, access, created_at`

func scanWorker(row pgx.CollectableRow) (store.Worker, error) {
	var w store.Worker
	err := row.Scan(&w.ID, &w.Name, &w.ClaimedLocation, &w.Lat, &w.Lon, &w.Access, &w.CreatedAt)
	w.CreatedAt = w.CreatedAt.UTC()
	return w, err
}

// Worker returns the worker with the given ID, or an error wrapping
// [store.ErrNotFound].
func (s *Store) Worker(ctx context.Context, id string) (store.Worker, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+workerColumns+` FROM workers WHERE id = $1`, id)
	w, err := pgx.CollectExactlyOneRow(rows, scanWorker)
	if err != nil {
		return store.Worker{}, fmt.Errorf("get worker %q: %w", id, notFound(err))
	}
	return w, nil
}

// notFound turns pgx.ErrNoRows into store.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// Workers returns all workers sorted by ID.
func (s *Store) Workers(ctx context.Context) ([]store.Worker, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+workerColumns+` FROM workers ORDER BY id`)
	out, err := pgx.CollectRows(rows, scanWorker)
	if err != nil {
		return nil, fmt.Errorf("list workers: %w", err)
	}
	return out, nil
}

// PutLandmark inserts l or, if a landmark named l.Name exists, replaces it.
func (s *Store) PutLandmark(ctx context.Context, l store.Landmark) error {
	if err := l.Validate(); err != nil {
		return fmt.Errorf("put landmark %q: %w", l.Name, err)
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO landmarks (name, location, lat, lon, seen_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (name) DO UPDATE SET
			location = excluded.location,
			lat = excluded.lat,
			lon = excluded.lon,
			seen_at = excluded.seen_at`,
		l.Name, l.Location, l.Lat, l.Lon, nullTime(l.SeenAt))
	if err != nil {
		return fmt.Errorf("put landmark %q: %w", l.Name, err)
	}
	return nil
}

// Landmarks returns all landmarks sorted by name.
func (s *Store) Landmarks(ctx context.Context) ([]store.Landmark, error) {
	rows, _ := s.pool.Query(ctx, `SELECT name, location, lat, lon, seen_at FROM landmarks ORDER BY name`)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Landmark, error) {
		var l store.Landmark
		var seen *time.Time
		err := row.Scan(&l.Name, &l.Location, &l.Lat, &l.Lon, &seen)
		l.SeenAt = fromNull(seen)
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("list landmarks: %w", err)
	}
	return out, nil
}

// CreateEnrolmentToken records the hash of a new single-use enrolment token
// for the worker workerID, valid until expires. It returns an error wrapping
// [store.ErrNotFound] if the worker does not exist and [store.ErrConflict]
// if the hash is already recorded.
func (s *Store) CreateEnrolmentToken(ctx context.Context, tokenHash []byte, workerID string, expires time.Time) error {
	if len(tokenHash) == 0 {
		return fmt.Errorf("create enrolment token for worker %q: empty token hash", workerID)
	}
	if expires.IsZero() {
		return fmt.Errorf("create enrolment token for worker %q: zero expiry", workerID)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM workers WHERE id = $1`, workerID).Scan(&one)
		if err != nil {
			return notFound(err)
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO enrolment_tokens (token_hash, worker_id, expires_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`,
			tokenHash, workerID, utcMicro(expires))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return store.ErrConflict
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create enrolment token for worker %q: %w", workerID, err)
	}
	return nil
}

// Enrol redeems the enrolment token with hash tokenHash and stores d as a
// new device with the given credential hash, in one transaction. The token
// must exist, be unused and not expired at now, else Enrol returns an error
// wrapping [store.ErrTokenInvalid]; it can be redeemed once, even by
// concurrent calls. Enrol sets d.WorkerID to the token's worker and
// d.EnrolledAt to now, and returns d as stored. If d.ID or the credential
// hash is already taken it returns an error wrapping [store.ErrConflict] and
// the token stays unused.
func (s *Store) Enrol(ctx context.Context, tokenHash []byte, d store.Device, credentialHash []byte, now time.Time) (store.Device, error) {
	if err := checkEnrol(tokenHash, d, credentialHash, now); err != nil {
		return store.Device{}, fmt.Errorf("enrol device %q: %w", d.ID, err)
	}
	d.EnrolledAt = utcMicro(now)
	d.LastSeen = utcMicro(d.LastSeen)
	if len(d.PublicKey) == 0 {
		d.PublicKey = nil // stored as NULL
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Under READ COMMITTED a concurrent Enrol waits for this row lock,
		// then re-checks used_at and finds the token used (or, if this
		// transaction rolled back, still free).
		err := tx.QueryRow(ctx, `
			UPDATE enrolment_tokens SET used_at = $1, device_id = $2
			WHERE token_hash = $3 AND used_at IS NULL AND $1 < expires_at
			RETURNING worker_id`,
			d.EnrolledAt, d.ID, tokenHash).Scan(&d.WorkerID)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrTokenInvalid
		}
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO devices (id, worker_id, credential_hash, hostname, os, agent_version, enrolled_at, last_seen, last_ip, public_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT DO NOTHING`,
			d.ID, d.WorkerID, credentialHash, d.Hostname, d.OS, d.AgentVersion, d.EnrolledAt, nullTime(d.LastSeen), d.LastIP, []byte(d.PublicKey))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return store.ErrConflict
		}
		return nil
	})
	if err != nil {
		return store.Device{}, fmt.Errorf("enrol device %q: %w", d.ID, err)
	}
	return d, nil
}

// checkEnrol validates the arguments of Enrol as the SQLite store does.
func checkEnrol(tokenHash []byte, d store.Device, credentialHash []byte, now time.Time) error {
	var errs []error
	errs = append(errs, d.Validate())
	if len(tokenHash) == 0 {
		errs = append(errs, errors.New("token hash is empty"))
	}
	if len(credentialHash) == 0 {
		errs = append(errs, errors.New("credential hash is empty"))
	}
	if now.IsZero() {
		errs = append(errs, errors.New("now is zero"))
	}
	return errors.Join(errs...)
}

const deviceColumns = `id, worker_id, hostname, os, agent_version, enrolled_at, last_seen, last_ip, public_key`

func scanDevice(row pgx.CollectableRow) (store.Device, error) {
	var d store.Device
	var lastSeen *time.Time
	var key []byte
	err := row.Scan(&d.ID, &d.WorkerID, &d.Hostname, &d.OS, &d.AgentVersion, &d.EnrolledAt, &lastSeen, &d.LastIP, &key)
	d.EnrolledAt = d.EnrolledAt.UTC()
	d.LastSeen = fromNull(lastSeen)
	if len(key) > 0 {
		d.PublicKey = key
	}
	return d, err
}

// DeviceByCredential returns the device enrolled with the given credential
// hash, or an error wrapping [store.ErrNotFound].
func (s *Store) DeviceByCredential(ctx context.Context, credentialHash []byte) (store.Device, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+deviceColumns+` FROM devices WHERE credential_hash = $1`, credentialHash)
	d, err := pgx.CollectExactlyOneRow(rows, scanDevice)
	if err != nil {
		return store.Device{}, fmt.Errorf("get device by credential: %w", notFound(err))
	}
	return d, nil
}

// Device returns the device with the given ID, or an error wrapping
// [store.ErrNotFound].
func (s *Store) Device(ctx context.Context, id string) (store.Device, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+deviceColumns+` FROM devices WHERE id = $1`, id)
	d, err := pgx.CollectExactlyOneRow(rows, scanDevice)
	if err != nil {
		return store.Device{}, fmt.Errorf("get device %q: %w", id, notFound(err))
	}
	return d, nil
}

// Devices returns all devices sorted by WorkerID, then ID.
func (s *Store) Devices(ctx context.Context) ([]store.Device, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+deviceColumns+` FROM devices ORDER BY worker_id, id`)
	out, err := pgx.CollectRows(rows, scanDevice)
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	return out, nil
}

// saveBatchSQL stores a batch in one statement, so one round trip and one
// implicit transaction. The batch id is inserted only if the device exists;
// the device update, the samples, the windows and the endpoint report
// depend on that insert, so a batch seen before (or an unknown device)
// changes nothing. The result tells the two apart. Windows the device sent
// before are skipped; the caller removes duplicates within the batch.
const saveBatchSQL = `
WITH dev AS (
	SELECT id FROM devices WHERE id = $1
), b AS (
	INSERT INTO batches (device_id, batch_id, received_at)
	SELECT id, $2, $3 FROM dev
	ON CONFLICT DO NOTHING
	RETURNING device_id
), d AS (
	UPDATE devices SET
		last_seen = $3,
		last_ip = $4,
		hostname = CASE WHEN $5::boolean THEN $6 ELSE hostname END,
		os = CASE WHEN $5::boolean THEN $7 ELSE os END,
		agent_version = CASE WHEN $5::boolean THEN $8 ELSE agent_version END
	WHERE id = (SELECT device_id FROM b)
), s AS (
	INSERT INTO samples (device_id, landmark, at, rtt_us, provenance)
	SELECT b.device_id, u.landmark, u.at, u.rtt_us, u.provenance
	FROM b, unnest($9::text[], $10::timestamptz[], $11::bigint[], $12::text[]) AS u (landmark, at, rtt_us, provenance)
), w AS (
	INSERT INTO input_windows (device_id, window_id, batch_id, received_at, start_at, end_at, source,
		keys, physical, virtual, injected, fast_pairs, bursts, stall_bursts, body, relay)
	SELECT b.device_id, u.window_id, $2, $3, u.start_at, u.end_at, u.source,
		u.keys, u.physical, u.virtual, u.injected, u.fast_pairs, u.bursts, u.stall_bursts, u.body::json, u.relay
	FROM b, unnest($13::text[], $14::timestamptz[], $15::timestamptz[], $16::text[],
		$17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[], $22::bigint[], $23::bigint[], $24::text[], $39::bytea[])
		AS u (window_id, start_at, end_at, source, keys, physical, virtual, injected, fast_pairs, bursts, stall_bursts, body, relay)
	ON CONFLICT DO NOTHING
), e AS (
	INSERT INTO endpoint_reports (device_id, batch_id, received_at, at,
		remote_tools, remote_sessions, min_session_rtt_us, hardware_matches, body)
	SELECT b.device_id, $2, $3, $26, $27, $28, $29, $30, $31::json
	FROM b WHERE $25::boolean
	ON CONFLICT DO NOTHING
), r AS (
	INSERT INTO rtt_hourly (device_id, landmark, provenance, hour, min_us, n, first_at, last_at)
	SELECT b.device_id, u.landmark, u.provenance, u.hour, u.min_us, u.n, u.first_at, u.last_at
	FROM b, unnest($32::text[], $33::text[], $34::timestamptz[], $35::bigint[], $36::bigint[], $37::timestamptz[], $38::timestamptz[])
		AS u (landmark, provenance, hour, min_us, n, first_at, last_at)
	` + upsertHourTail + `
)
SELECT EXISTS (SELECT 1 FROM dev), EXISTS (SELECT 1 FROM b)`

// upsertHourTail ends an insert into rtt_hourly: a rollup already there
// takes the new one in.
const upsertHourTail = `ON CONFLICT (device_id, landmark, provenance, hour) DO UPDATE SET
		min_us = LEAST(rtt_hourly.min_us, EXCLUDED.min_us),
		n = rtt_hourly.n + EXCLUDED.n,
		first_at = LEAST(rtt_hourly.first_at, EXCLUDED.first_at),
		last_at = GREATEST(rtt_hourly.last_at, EXCLUDED.last_at)`

// SaveBatch stores b unless the device already sent a batch with b.ID, in
// which case it changes nothing and returns false. Storing a batch records
// its ID, inserts its samples, its input windows that the device has not
// sent before (the first copy of a window wins, within the batch too) and
// its endpoint report, sets the device's LastSeen to b.ReceivedAt and
// LastIP to b.RemoteIP and, if b.Heartbeat is set, its Hostname, OS and
// AgentVersion, all in one transaction. Windows and the report get BatchID
// b.ID and ReceivedAt b.ReceivedAt. It returns an error wrapping
// [store.ErrNotFound] if the device does not exist, and stores nothing if
// any part of b is invalid (see [store.Batch.Validate]).
func (s *Store) SaveBatch(ctx context.Context, b store.Batch) (stored bool, err error) {
	if err := b.Validate(); err != nil {
		return false, fmt.Errorf("save batch %q of device %q: %w", b.ID, b.DeviceID, err)
	}
	var hb store.Heartbeat
	if b.Heartbeat != nil {
		hb = *b.Heartbeat
	}
	c := columnsOf(b.Samples)
	h := hourColumnsOf(store.RollUp(b.DeviceID, b.Samples))
	w := windowColumnsOf(store.UniqueWindows(b.Windows))
	var e store.EndpointReport
	var eBody any // NULL without a report: the parameter is parsed as json even then
	if b.Endpoint != nil {
		e, eBody = *b.Endpoint, string(b.Endpoint.Body)
	}
	var deviceExists bool
	err = s.pool.QueryRow(ctx, saveBatchSQL,
		b.DeviceID, b.ID, utcMicro(b.ReceivedAt), b.RemoteIP,
		b.Heartbeat != nil, hb.Hostname, hb.OS, hb.AgentVersion,
		c.landmarks, c.at, c.rttUS, c.provenances,
		w.ids, w.start, w.end, w.source, w.keys, w.physical, w.virtual, w.injected, w.fastPairs, w.bursts, w.stallBursts, w.body,
		b.Endpoint != nil, utcMicro(e.At), e.RemoteTools, e.RemoteSessions, int64(e.MinSessionRTT/time.Microsecond), e.HardwareMatches, eBody,
		h.landmarks, h.provenances, h.hours, h.minUS, h.counts, h.first, h.last,
		w.relay,
	).Scan(&deviceExists, &stored)
	if err == nil && !deviceExists {
		err = store.ErrNotFound
	}
	if err != nil {
		return false, fmt.Errorf("save batch %q of device %q: %w", b.ID, b.DeviceID, err)
	}
	return stored, nil
}

// columns holds samples column by column, to be passed as arrays to unnest.
type columns struct {
	devices, landmarks, provenances []string
	at                              []time.Time
	rttUS                           []int64
}

func columnsOf(samples []store.RTTSample) columns {
	c := columns{
		devices:     make([]string, len(samples)),
		landmarks:   make([]string, len(samples)),
		provenances: make([]string, len(samples)),
		at:          make([]time.Time, len(samples)),
		rttUS:       make([]int64, len(samples)),
	}
	for i, x := range samples {
		c.devices[i] = x.DeviceID
		c.landmarks[i] = x.Landmark
		c.provenances[i] = string(x.Provenance)
		c.at[i] = utcMicro(x.At)
		c.rttUS[i] = int64(x.RTT / time.Microsecond)
	}
	return c
}

// hourColumns holds hourly rollups column by column, to be passed as
// arrays to unnest.
type hourColumns struct {
	devices, landmarks, provenances []string
	hours, first, last              []time.Time
	minUS, counts                   []int64
}

func hourColumnsOf(hs []store.RTTHour) hourColumns {
	var c hourColumns
	for _, h := range hs {
		c.devices = append(c.devices, h.DeviceID)
		c.landmarks = append(c.landmarks, h.Landmark)
		c.provenances = append(c.provenances, string(h.Provenance))
		c.hours = append(c.hours, h.Hour)
		c.minUS = append(c.minUS, int64(h.Min/time.Microsecond))
		c.counts = append(c.counts, int64(h.Count))
		c.first = append(c.first, h.First)
		c.last = append(c.last, h.Last)
	}
	return c
}

// AddSamples stores server-measured samples that arrived outside a batch, in
// one transaction. It returns an error wrapping [store.ErrNotFound] if a
// sample's device does not exist, and stores nothing if any sample is
// invalid.
func (s *Store) AddSamples(ctx context.Context, samples []store.RTTSample) error {
	var errs []error
	for i, x := range samples {
		if err := x.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("sample %d: %w", i, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("add samples: %w", err)
	}
	if len(samples) == 0 {
		return nil
	}
	c := columnsOf(samples)
	h := hourColumnsOf(store.RollUp("", samples))
	_, err := s.pool.Exec(ctx, `
		WITH s AS (
			INSERT INTO samples (device_id, landmark, at, rtt_us, provenance)
			SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[], $5::text[])
		)
		INSERT INTO rtt_hourly (device_id, landmark, provenance, hour, min_us, n, first_at, last_at)
		SELECT * FROM unnest($6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::bigint[], $11::bigint[], $12::timestamptz[], $13::timestamptz[])
		`+upsertHourTail,
		c.devices, c.landmarks, c.at, c.rttUS, c.provenances,
		h.devices, h.landmarks, h.provenances, h.hours, h.minUS, h.counts, h.first, h.last)
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && pgErr.Code == "23503" { // foreign_key_violation
		err = s.missingDevice(ctx, c.devices)
	}
	if err != nil {
		return fmt.Errorf("add samples: %w", err)
	}
	return nil
}

// missingDevice names a device in ids that does not exist, after an insert
// of samples violated the foreign key.
func (s *Store) missingDevice(ctx context.Context, ids []string) error {
	var id string
	err := s.pool.QueryRow(ctx, `
		SELECT u.id FROM unnest($1::text[]) AS u (id)
		WHERE NOT EXISTS (SELECT 1 FROM devices d WHERE d.id = u.id)
		LIMIT 1`, ids).Scan(&id)
	if err != nil {
		return fmt.Errorf("find the unknown device: %w", notFound(err))
	}
	return fmt.Errorf("device %q: %w", id, store.ErrNotFound)
}

// RTTSummary summarises the device's samples taken at or after since, one
// [store.LandmarkRTT] per landmark and provenance, sorted by landmark, then
// provenance. A device without samples has an empty summary. It reads the
// hourly rollups of the hours that start at or after since, and the
// samples themselves only for the part of an hour before the first of them.
func (s *Store) RTTSummary(ctx context.Context, deviceID string, since time.Time) ([]store.LandmarkRTT, error) {
	since = utcMicro(since)
	from := store.HourOf(since)
	if from.Before(since) {
		from = from.Add(time.Hour)
	}
	hours, err := s.summarise(ctx, `
		SELECT landmark, provenance, min(min_us), sum(n)::bigint, min(first_at), max(last_at)
		FROM rtt_hourly
		WHERE device_id = $1 AND hour >= $2
		GROUP BY landmark, provenance`,
		deviceID, from)
	if err != nil {
		return nil, fmt.Errorf("summarise rtt of device %q: %w", deviceID, err)
	}
	if !from.After(since) {
		return store.MergeSummaries(hours), nil
	}
	head, err := s.summarise(ctx, `
		SELECT landmark, provenance, min(rtt_us), count(*), min(at), max(at)
		FROM samples
		WHERE device_id = $1 AND at >= $2 AND at < $3
		GROUP BY landmark, provenance`,
		deviceID, since, from)
	if err != nil {
		return nil, fmt.Errorf("summarise rtt of device %q: %w", deviceID, err)
	}
	return store.MergeSummaries(head, hours), nil
}

// summarise runs a query that returns landmark, provenance, minimum RTT in
// µs, count, and first and last time.
func (s *Store) summarise(ctx context.Context, query string, args ...any) ([]store.LandmarkRTT, error) {
	rows, _ := s.pool.Query(ctx, query, args...)
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.LandmarkRTT, error) {
		var l store.LandmarkRTT
		var minUS int64
		err := row.Scan(&l.Landmark, &l.Provenance, &minUS, &l.Count, &l.First, &l.Last)
		l.Min = time.Duration(minUS) * time.Microsecond
		l.First, l.Last = l.First.UTC(), l.Last.UTC()
		return l, err
	})
}

// Samples returns up to limit of the device's samples taken at or after
// since, newest first; limit <= 0 means no limit.
func (s *Store) Samples(ctx context.Context, deviceID string, since time.Time, limit int) ([]store.RTTSample, error) {
	var lim *int64 // NULL: no limit
	if limit > 0 {
		l := int64(limit)
		lim = &l
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT device_id, landmark, at, rtt_us, provenance
		FROM samples
		WHERE device_id = $1 AND at >= $2
		ORDER BY at DESC, landmark, provenance, rtt_us
		LIMIT $3`,
		deviceID, utcMicro(since), lim)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.RTTSample, error) {
		var x store.RTTSample
		var rttUS int64
		err := row.Scan(&x.DeviceID, &x.Landmark, &x.At, &rttUS, &x.Provenance)
		x.At = x.At.UTC()
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
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM samples WHERE at < $1`, utcMicro(before))
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		hour := store.HourOf(before) // partial unless before starts it
		if _, err := tx.Exec(ctx, `DELETE FROM rtt_hourly WHERE hour <= $1`, hour); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO rtt_hourly (device_id, landmark, provenance, hour, min_us, n, first_at, last_at)
			SELECT device_id, landmark, provenance, $1, min(rtt_us), count(*), min(at), max(at)
			FROM samples
			WHERE at >= $2 AND at < $3
			GROUP BY device_id, landmark, provenance`,
			hour, utcMicro(before), hour.Add(time.Hour))
		if err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM input_windows WHERE end_at < $1`,
			`DELETE FROM endpoint_reports WHERE at < $1`,
			`DELETE FROM batches WHERE received_at < $1`,
		} {
			if _, err := tx.Exec(ctx, q, utcMicro(before)); err != nil {
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

// utcMicro returns t in UTC truncated to the microsecond, the precision
// both stores keep; the zero time stays zero.
func utcMicro(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.Truncate(time.Microsecond).UTC()
}

// nullTime maps the zero time to NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return utcMicro(t)
}

func fromNull(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
