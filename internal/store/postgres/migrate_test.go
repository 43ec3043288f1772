package postgres_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/store/postgres"
)

// TestMigrateRTTHourlyBackfill stores samples, puts the schema back as it
// was before the hourly rollups (migrations 00010 and later undone) and opens the
// store again: the migration must build the rollups from the samples, so
// RTTSummary gives what it gave before, on hours in UTC whatever the
// server's time zone.
func TestMigrateRTTHourlyBackfill(t *testing.T) {
	ctx := t.Context()
	u := freshDatabase(t)
	s, err := postgres.Open(ctx, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := s.PutWorker(ctx, store.Worker{ID: "w-1", Name: "W", ClaimedLocation: "Phoenix, AZ, US", Lat: 33.45, Lon: -112.07}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateEnrolmentToken(ctx, []byte("tok"), "w-1", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enrol(ctx, []byte("tok"), store.Device{ID: "d-1", Hostname: "h", OS: "linux/amd64", AgentVersion: "1"}, []byte("cred"), t0); err != nil {
		t.Fatal(err)
	}
	var samples []store.RTTSample
	for i := range 300 {
		samples = append(samples, store.RTTSample{DeviceID: "d-1", Landmark: []string{"us-west", "eu"}[i%2],
			At: t0.Add(time.Duration(i) * 97 * time.Second), RTT: time.Duration(20+i%37) * time.Millisecond, Provenance: store.ServerTCP})
	}
	if err := s.AddSamples(ctx, samples); err != nil {
		t.Fatal(err)
	}
	sinces := []time.Time{t0.Add(-time.Hour), t0, t0.Add(37 * time.Minute), t0.Add(3*time.Hour + time.Second), t0.Add(9 * time.Hour)}
	want := map[time.Time][]store.LandmarkRTT{}
	for _, since := range sinces {
		if want[since], err = s.RTTSummary(ctx, "d-1", since); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	// Undo 00011 and 00010 by hand (a later migration must be undone here
	// too), and set the database's time zone half an hour
	// off UTC hours for the sessions that migrate and read.
	adminExec(t, u, `ALTER TABLE input_windows DROP COLUMN relay;
		DROP TABLE rtt_hourly;
		CREATE INDEX samples_summary ON samples (device_id, landmark, provenance, at, rtt_us);
		DELETE FROM goose_db_version WHERE version_id >= 10`)
	adminExec(t, u, `DO $$ BEGIN
		EXECUTE format('ALTER DATABASE %I SET timezone TO %L', current_database(), 'Asia/Kolkata');
	END $$`)

	s, err = postgres.Open(ctx, u, nil)
	if err != nil {
		t.Fatalf("open after undoing 00010 and 00011: %v", err)
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
	if len(want[sinces[0]]) != 2 {
		t.Errorf("RTTSummary(d-1, %v) = %+v; want 2 landmarks", sinces[0], want[sinces[0]])
	}
}
