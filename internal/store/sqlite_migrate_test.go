package store

import (
	"database/sql"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"
)

// TestMigrateRTTHourlyBackfill stores samples, takes the schema back to
// before the hourly rollups (migration 00009) and opens the store again:
// migration 00010 must build the rollups from the samples, so RTTSummary
// gives what it gave before, also for samples before 1970, whose hours a
// truncating division would get wrong.
func TestMigrateRTTHourlyBackfill(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "lagwatch.db")
	s, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := s.PutWorker(ctx, Worker{ID: "w-1", Name: "W", ClaimedLocation: "Phoenix, AZ, US", Lat: 33.45, Lon: -112.07}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateEnrolmentToken(ctx, []byte("tok"), "w-1", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enrol(ctx, []byte("tok"), Device{ID: "d-1", Hostname: "h", OS: "linux/amd64", AgentVersion: "1"}, []byte("cred"), t0); err != nil {
		t.Fatal(err)
	}
	var samples []RTTSample
	for i := range 300 {
		samples = append(samples, RTTSample{DeviceID: "d-1", Landmark: []string{"us-west", "eu"}[i%2],
			At: t0.Add(time.Duration(i) * 97 * time.Second), RTT: time.Duration(20+i%37) * time.Millisecond, Provenance: ServerTCP})
	}
	for _, sec := range []int64{-1, -1800, -3600, -3601} { // before 1970
		samples = append(samples, RTTSample{DeviceID: "d-1", Landmark: "old", At: time.Unix(sec, 0), RTT: time.Duration(-sec) * time.Microsecond, Provenance: Agent})
	}
	if err := s.AddSamples(ctx, samples); err != nil {
		t.Fatal(err)
	}
	sinces := []time.Time{time.Unix(-7200, 0), time.Unix(-3600, 0), time.Unix(-1799, 0), t0, t0.Add(37 * time.Minute), t0.Add(3 * time.Hour)}
	want := map[time.Time][]LandmarkRTT{}
	for _, since := range sinces {
		if want[since], err = s.RTTSummary(ctx, "d-1", since); err != nil {
			t.Fatal(err)
		}
	}
	db := reopenRaw(t, s, path)
	fsys, err := fs.Sub(sqliteMigrations, "migrations/sqlite")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 9); err != nil {
		t.Fatalf("migrate down to 9: %v", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE name = 'rtt_hourly'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rtt_hourly after migrating down: %d tables, %v; want gone", n, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(ctx, path, nil)
	if err != nil {
		t.Fatalf("open after migrating down: %v", err)
	}
	defer s.Close()
	for _, since := range sinces {
		got, err := s.RTTSummary(ctx, "d-1", since)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want[since]) {
			t.Errorf("RTTSummary(d-1, %v) after backfill =\n%+v\nwant\n%+v", since, got, want[since])
		}
	}
	if len(want[sinces[0]]) != 3 {
		t.Errorf("RTTSummary(d-1, %v) = %+v; want 3 landmarks", sinces[0], want[sinces[0]])
	}
}

// TestCompactWindowsPlan checks that CompactWindows reads the windows with
// a relay block from the covering index alone and finds those without one
// through the partial index, never by walking every row of the table: the
// rows hold the JSON bodies, and reading them was most of the cost of a
// risk evaluation.
func TestCompactWindowsPlan(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lagwatch.db")
	s, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	db := reopenRaw(t, s, path)
	defer db.Close()
	rows, err := db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+compactWindowsQuery, "d-1", 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(plan, "\n")
	for _, want := range []string{
		"SEARCH input_windows USING COVERING INDEX input_windows_compact (device_id=? AND start_at>? AND start_at<?)",
		"SEARCH input_windows USING INDEX input_windows_no_relay (device_id=? AND start_at>? AND start_at<?)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("query plan lacks %q:\n%s", want, got)
		}
	}
}

// reopenRaw closes s, the store at path, and opens its database directly.
func reopenRaw(t *testing.T, s *Store, path string) *sql.DB {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		t.Fatal(err)
	}
	return db
}
