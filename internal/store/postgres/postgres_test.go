package postgres_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/store/postgres"
	"github.com/lagwatch/lagwatch/internal/store/storetest"
)

var _ storetest.Store = (*postgres.Store)(nil)

// freshDatabase creates a new database through the admin URL in
// LAGWATCH_TEST_POSTGRES, drops it when the test ends, and returns its URL.
func freshDatabase(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("LAGWATCH_TEST_POSTGRES")
	if admin == "" {
		t.Skip("LAGWATCH_TEST_POSTGRES not set (e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)")
	}
	name := "lagwatch_test_" + strings.ToLower(rand.Text())
	adminExec(t, admin, "CREATE DATABASE "+name)
	t.Cleanup(func() { adminExec(t, admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	return withDatabase(t, admin, name)
}

// adminExec runs one statement on a connection of its own. It does not use
// t.Context because it also runs in t.Cleanup, after that is cancelled.
func adminExec(t testing.TB, admin, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to LAGWATCH_TEST_POSTGRES: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// withDatabase returns the connection string admin with its database
// replaced by name.
func withDatabase(t testing.TB, admin, name string) string {
	t.Helper()
	if !strings.HasPrefix(admin, "postgres://") && !strings.HasPrefix(admin, "postgresql://") {
		return admin + " dbname=" + name // key=value form: the last dbname wins
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parse LAGWATCH_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		u := freshDatabase(t)
		s, err := postgres.Open(t.Context(), u, nil)
		if err != nil {
			t.Fatalf("Open(fresh database) = %v", err)
		}
		return s
	})
}

func TestApplicantConformance(t *testing.T) {
	storetest.RunApplicants(t, func(t *testing.T) storetest.ApplicantStore { return openFresh(t) })
}

func TestUserConformance(t *testing.T) {
	storetest.RunUsers(t, func(t *testing.T) storetest.UserStore { return openFresh(t) })
}

func TestCaseConformance(t *testing.T) {
	storetest.RunCases(t, func(t *testing.T) storetest.CaseStore { return openFresh(t) })
}

func BenchmarkSaveApplicants100k(b *testing.B) {
	storetest.BenchSaveApplicants(b, func(b *testing.B) storetest.ApplicantStore { return openFresh(b) }, 100_000)
}

func FuzzApplicants(f *testing.F) { storetest.FuzzApplicants(f, openFresh(f)) }

// openFresh opens a store on a new database (see freshDatabase).
func openFresh(tb testing.TB) *postgres.Store {
	tb.Helper()
	s, err := postgres.Open(tb.Context(), freshDatabase(tb), nil)
	if err != nil {
		tb.Fatalf("Open(fresh database) = %v", err)
	}
	return s
}

// TestBatchAtomic makes the database fail half-way through a batch with a
// trigger.
func TestBatchAtomic(t *testing.T) {
	u := freshDatabase(t)
	s, err := postgres.Open(t.Context(), u, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.BatchAtomic(t, s, func(t *testing.T, table string) {
		key := map[string]string{"input_windows": "window_id", "endpoint_reports": "batch_id"}[table]
		adminExec(t, u, fmt.Sprintf(`CREATE FUNCTION fail_%[1]s() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF NEW.%[2]s = 'boom' THEN RAISE EXCEPTION 'boom'; END IF;
				RETURN NEW;
			END $$`, table, key))
		adminExec(t, u, fmt.Sprintf(`CREATE TRIGGER fail_%[1]s BEFORE INSERT ON %[1]s
			FOR EACH ROW EXECUTE FUNCTION fail_%[1]s()`, table))
	})
}

// TestConcurrentOpen starts several stores on one new database at once, as
// several servers would: the migration lock lets exactly one migrate.
func TestConcurrentOpen(t *testing.T) {
	u := freshDatabase(t)
	const n = 4
	stores := make([]*postgres.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(t.Context(), u, nil) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("concurrent Open #%d = %v", i, err)
		}
		defer stores[i].Close()
	}
	if err := stores[0].PutWorker(t.Context(), store.Worker{ID: "w-1"}); err != nil {
		t.Fatalf("PutWorker() = %v", err)
	}
	if _, err := stores[n-1].Worker(t.Context(), "w-1"); err != nil {
		t.Errorf("Worker(w-1) through another store = %v", err)
	}
}

func TestOpenUnreachable(t *testing.T) {
	const u = "postgres://lagwatch:hunter2@127.0.0.1:1/lagwatch?sslmode=disable&connect_timeout=2"
	_, err := postgres.Open(t.Context(), u, nil)
	if err == nil {
		t.Fatal("Open(unreachable) = nil error, want one")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Open(unreachable) = %v, which contains the password", err)
	}
}

// BenchmarkSaveBatch measures the ingest hot path as the SQLite benchmark
// in package store does: one new batch of 50 agent samples plus a heartbeat
// per iteration.
func BenchmarkSaveBatch(b *testing.B) {
	const perBatch = 50
	u := freshDatabase(b)
	ctx := b.Context()
	s, err := postgres.Open(ctx, u, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := s.PutWorker(ctx, store.Worker{ID: "w-1"}); err != nil {
		b.Fatal(err)
	}
	if err := s.CreateEnrolmentToken(ctx, []byte("token"), "w-1", t0.Add(time.Hour)); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Enrol(ctx, []byte("token"), store.Device{ID: "d-1"}, []byte("cred"), t0); err != nil {
		b.Fatal(err)
	}
	landmarks := []string{"us-west", "us-east", "eu-central", "ap-south"}
	batch := store.Batch{DeviceID: "d-1", RemoteIP: "203.0.113.7", Samples: make([]store.RTTSample, perBatch),
		Heartbeat: &store.Heartbeat{Hostname: "laptop", OS: "linux/amd64", AgentVersion: "1.0.0"}}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		batch.ID = "b-" + strconv.Itoa(n)
		batch.ReceivedAt = t0.Add(time.Duration(n) * time.Second)
		for i := range batch.Samples {
			batch.Samples[i] = store.RTTSample{Landmark: landmarks[i%len(landmarks)],
				At: batch.ReceivedAt.Add(time.Duration(i) * time.Millisecond), RTT: time.Duration(30000+i) * time.Microsecond, Provenance: store.Agent}
		}
		if stored, err := s.SaveBatch(ctx, batch); err != nil || !stored {
			b.Fatalf("SaveBatch() = %v, %v", stored, err)
		}
		n++
	}
	b.ReportMetric(float64(n*perBatch)/b.Elapsed().Seconds(), "samples/s")
}
