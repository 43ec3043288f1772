package store_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/store/storetest"
)

var _ storetest.Store = (*store.Store)(nil)

func openTemp(tb testing.TB) *store.Store {
	tb.Helper()
	s, err := store.Open(tb.Context(), filepath.Join(tb.TempDir(), "data", "lagwatch.db"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return openTemp(t) })
}

func TestApplicantConformance(t *testing.T) {
	storetest.RunApplicants(t, func(t *testing.T) storetest.ApplicantStore { return openTemp(t) })
}

func TestUserConformance(t *testing.T) {
	storetest.RunUsers(t, func(t *testing.T) storetest.UserStore { return openTemp(t) })
}

func TestCaseConformance(t *testing.T) {
	storetest.RunCases(t, func(t *testing.T) storetest.CaseStore { return openTemp(t) })
}

func BenchmarkSaveApplicants100k(b *testing.B) {
	storetest.BenchSaveApplicants(b, func(b *testing.B) storetest.ApplicantStore { return openTemp(b) }, 100_000)
}

func FuzzApplicants(f *testing.F) { storetest.FuzzApplicants(f, openTemp(f)) }

// TestBatchAtomic makes the database fail half-way through a batch with a
// trigger, on a second connection to the same file.
func TestBatchAtomic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lagwatch.db")
	s, err := store.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.BatchAtomic(t, s, func(t *testing.T, table string) {
		key := map[string]string{"input_windows": "window_id", "endpoint_reports": "batch_id"}[table]
		_, err := db.ExecContext(t.Context(), fmt.Sprintf(`CREATE TRIGGER fail_%[1]s BEFORE INSERT ON %[1]s
			WHEN NEW.%[2]s = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END`, table, key))
		if err != nil {
			t.Fatalf("create trigger on %s: %v", table, err)
		}
	})
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir", "lagwatch.db")
	s, err := store.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatalf("Open(%s) = %v", path, err)
	}
	w := store.Worker{ID: "w-1", Name: "Ada"}
	if err := s.PutWorker(t.Context(), w); err != nil {
		t.Fatalf("PutWorker() = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	// A second Open finds the schema current and the data in place.
	s, err = store.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatalf("Open(%s) again = %v", path, err)
	}
	defer s.Close()
	got, err := s.Worker(t.Context(), "w-1")
	if err != nil || got.Name != "Ada" {
		t.Errorf("Worker(w-1) after reopen = %+v, %v; want Name Ada", got, err)
	}
}

func TestOpenError(t *testing.T) {
	// The parent "directory" is a file, so it cannot be created.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(file, "lagwatch.db")
	_, err := store.Open(t.Context(), path, nil)
	if err == nil || !strings.Contains(err.Error(), "open sqlite store "+path) {
		t.Errorf("Open(%s) = %v, want an error naming the action and path", path, err)
	}
}

// BenchmarkSaveBatch measures the ingest hot path: one batch of 50 agent
// samples plus a heartbeat per iteration, each batch new.
func BenchmarkSaveBatch(b *testing.B) {
	const perBatch = 50
	s := openTemp(b)
	b.Cleanup(func() { s.Close() })
	ctx := b.Context()
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
		batch.ID = fmt.Sprintf("b-%d", n)
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
