// Package storetest is the conformance suite for lagwatch's stores: the
// SQLite store in package store and the PostgreSQL one in store/postgres
// must give the same answers to the same calls. A store's tests call [Run]
// with a function that opens a fresh, empty store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Store {
//			s, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "lagwatch.db"), nil)
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// Only tests import this package.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/store"
)

// Store is the set of methods every store implementation provides, with the
// semantics documented on [store.Store]. Implementations must be safe for
// concurrent use.
type Store interface {
	Close() error
	PutWorker(ctx context.Context, w store.Worker) error
	Worker(ctx context.Context, id string) (store.Worker, error)
	Workers(ctx context.Context) ([]store.Worker, error)
	PutLandmark(ctx context.Context, l store.Landmark) error
	Landmarks(ctx context.Context) ([]store.Landmark, error)
	CreateEnrolmentToken(ctx context.Context, tokenHash []byte, workerID string, expires time.Time) error
	Enrol(ctx context.Context, tokenHash []byte, d store.Device, credentialHash []byte, now time.Time) (store.Device, error)
	DeviceByCredential(ctx context.Context, credentialHash []byte) (store.Device, error)
	Device(ctx context.Context, id string) (store.Device, error)
	Devices(ctx context.Context) ([]store.Device, error)
	SaveBatch(ctx context.Context, b store.Batch) (stored bool, err error)
	AddSamples(ctx context.Context, samples []store.RTTSample) error
	RTTSummary(ctx context.Context, deviceID string, since time.Time) ([]store.LandmarkRTT, error)
	Samples(ctx context.Context, deviceID string, since time.Time, limit int) ([]store.RTTSample, error)
	PruneSamples(ctx context.Context, before time.Time) (int64, error)
	Windows(ctx context.Context, deviceID string, since, until time.Time) ([]store.InputWindow, error)
	CompactWindows(ctx context.Context, deviceID string, since, until time.Time) ([]store.InputWindow, error)
	EndpointReports(ctx context.Context, deviceID string, since time.Time, limit int) ([]store.EndpointReport, error)
}

// Run runs the conformance suite against the stores that open returns.
// Subtests run in parallel and each calls open once, so open must return a
// new, empty store every time and be safe for concurrent use. Run closes
// every store it is given (before open's own t.Cleanup functions run);
// open only arranges for the backing storage to be removed.
func Run(t *testing.T, open func(t *testing.T) Store) {
	tests := []subtest[Store]{
		{"Workers", testWorkers},
		{"WorkerUpdateKeepsCreatedAt", testWorkerUpdate},
		{"WorkerInvalid", testWorkerInvalid},
		{"Landmarks", testLandmarks},
		{"EnrolmentTokenErrors", testEnrolmentTokenErrors},
		{"Enrol", testEnrol},
		{"EnrolTokenInvalid", testEnrolTokenInvalid},
		{"EnrolConflictKeepsToken", testEnrolConflict},
		{"EnrolInvalid", testEnrolInvalid},
		{"EnrolConcurrentSingleUse", testEnrolConcurrent},
		{"Devices", testDevices},
		{"SaveBatch", testSaveBatch},
		{"SaveBatchIdempotent", testSaveBatchIdempotent},
		{"SaveBatchConcurrentRetries", testSaveBatchConcurrent},
		{"SaveBatchPerDeviceIDs", testSaveBatchPerDevice},
		{"SaveBatchUnknownDevice", testSaveBatchUnknownDevice},
		{"SaveBatchInvalidStoresNothing", testSaveBatchInvalid},
		{"SaveBatchLarge", testSaveBatchLarge},
		{"AddSamples", testAddSamples},
		{"AddSamplesAllOrNothing", testAddSamplesAllOrNothing},
		{"RTTSummary", testRTTSummary},
		{"RTTSummaryRollups", testRTTSummaryRollups},
		{"Samples", testSamples},
		{"PruneSamples", testPrune},
		{"TimePrecision", testTimePrecision},
		{"EnrolPublicKey", testEnrolPublicKey},
		{"SaveBatchTelemetry", testSaveBatchTelemetry},
		{"WindowsRange", testWindowsRange},
		{"WindowsStoredOnce", testWindowsStoredOnce},
		{"WindowsConcurrentBatches", testWindowsConcurrent},
		{"SaveBatchTelemetryAllOrNothing", testSaveBatchTelemetryInvalid},
		{"SaveBatchTelemetryUnknownDevice", testSaveBatchTelemetryUnknownDevice},
		{"SaveBatchTelemetryLarge", testSaveBatchTelemetryLarge},
		{"EndpointReports", testEndpointReports},
		{"PruneTelemetry", testPruneTelemetry},
	}
	runAll(t, tests, open)
}

// t0 is the suite's reference time; most records are placed around it.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// utc is what a store returns for t: UTC, truncated to the microsecond.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.Truncate(time.Microsecond).UTC()
}

func putWorker(t *testing.T, s Store, id string) store.Worker {
	t.Helper()
	w := store.Worker{ID: id, Name: "Name of " + id, ClaimedLocation: "Phoenix, AZ, US", Lat: 33.45, Lon: -112.07, Access: "cable"}
	if err := s.PutWorker(t.Context(), w); err != nil {
		t.Fatalf("PutWorker(%q) = %v", id, err)
	}
	return w
}

// enrol creates the worker if needed and enrols a device for it, with
// credential hash "cred-"+deviceID.
func enrol(t *testing.T, s Store, workerID, deviceID string) store.Device {
	t.Helper()
	ctx := t.Context()
	if _, err := s.Worker(ctx, workerID); errors.Is(err, store.ErrNotFound) {
		putWorker(t, s, workerID)
	}
	token := []byte("token-" + deviceID)
	if err := s.CreateEnrolmentToken(ctx, token, workerID, t0.Add(time.Hour)); err != nil {
		t.Fatalf("CreateEnrolmentToken(%q) = %v", workerID, err)
	}
	d, err := s.Enrol(ctx, token, store.Device{ID: deviceID, Hostname: "host-" + deviceID, OS: "linux/amd64", AgentVersion: "1.0.0"}, []byte("cred-"+deviceID), t0)
	if err != nil {
		t.Fatalf("Enrol(%q) = %v", deviceID, err)
	}
	return d
}

func getDevice(t *testing.T, s Store, id string) store.Device {
	t.Helper()
	d, err := s.Device(t.Context(), id)
	if err != nil {
		t.Fatalf("Device(%q) = %v", id, err)
	}
	return d
}

func allSamples(t *testing.T, s Store, deviceID string) []store.RTTSample {
	t.Helper()
	got, err := s.Samples(t.Context(), deviceID, time.Unix(0, 0), 0)
	if err != nil {
		t.Fatalf("Samples(%q) = %v", deviceID, err)
	}
	return got
}

// sample returns a sample of deviceID to landmark taken at t0+at.
func sample(deviceID, landmark string, p store.Provenance, at, rtt time.Duration) store.RTTSample {
	return store.RTTSample{DeviceID: deviceID, Landmark: landmark, At: t0.Add(at), RTT: rtt, Provenance: p}
}

// newestFirst returns samples as Samples returns them: normalised, newest
// first (the suite never stores two samples at the same time and landmark).
func newestFirst(samples ...store.RTTSample) []store.RTTSample {
	out := make([]store.RTTSample, len(samples))
	for i, x := range samples {
		x.At = utc(x.At)
		x.RTT = x.RTT.Truncate(time.Microsecond)
		out[i] = x
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].At.After(out[j-1].At); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func same(got, want any) bool { return reflect.DeepEqual(got, want) }

// wantErr checks that err is non-nil, wraps target if target is not nil,
// and mentions every string in mention.
func wantErr(t *testing.T, call string, err, target error, mention ...string) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s = nil, want error", call)
		return
	case target != nil && !errors.Is(err, target):
		t.Errorf("%s = %v, want an error wrapping %v", call, err, target)
	}
	for _, m := range mention {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("%s = %v, want an error mentioning %q", call, err, m)
		}
	}
}

func testWorkers(t *testing.T, s Store) {
	ctx := t.Context()
	if got, err := s.Workers(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Workers() on empty store = %+v, %v; want none", got, err)
	}
	before := time.Now()
	in := []store.Worker{
		{ID: "w-b", Name: "Bea", ClaimedLocation: "Phoenix, AZ, US", Lat: 33.448, Lon: -112.074, Access: "cable"},
		{ID: "w-a", Name: "Ada", ClaimedLocation: "Lisboa, PT", Lat: 38.72, Lon: -9.14},
		{ID: "W-c", Name: "Çelik ünal", ClaimedLocation: "", Lat: -90, Lon: 180, Access: "lte"},
		{ID: "w-a0", Name: "Zed", Lat: 90, Lon: -180},
	}
	for _, w := range in {
		if err := s.PutWorker(ctx, w); err != nil {
			t.Fatalf("PutWorker(%+v) = %v", w, err)
		}
	}
	after := time.Now()

	got, err := s.Workers(ctx)
	if err != nil {
		t.Fatalf("Workers() = %v", err)
	}
	// Byte order: upper case sorts before lower case, "w-a" before "w-a0".
	wantOrder := []string{"W-c", "w-a", "w-a0", "w-b"}
	var gotOrder []string
	for _, w := range got {
		gotOrder = append(gotOrder, w.ID)
	}
	if !same(gotOrder, wantOrder) {
		t.Errorf("Workers() IDs = %q, want %q", gotOrder, wantOrder)
	}
	for _, want := range in {
		w, err := s.Worker(ctx, want.ID)
		if err != nil {
			t.Fatalf("Worker(%q) = %v", want.ID, err)
		}
		if w.CreatedAt.Before(utc(before)) || w.CreatedAt.After(after) || w.CreatedAt != utc(w.CreatedAt) {
			t.Errorf("Worker(%q).CreatedAt = %v, want a UTC microsecond time in [%v, %v]", want.ID, w.CreatedAt, before, after)
		}
		want.CreatedAt = w.CreatedAt
		if !same(w, want) {
			t.Errorf("Worker(%q) = %+v, want %+v", want.ID, w, want)
		}
	}

	_, err = s.Worker(ctx, "w-missing")
	wantErr(t, `Worker("w-missing")`, err, store.ErrNotFound, "w-missing")
}

func testWorkerUpdate(t *testing.T, s Store) {
	ctx := t.Context()
	putWorker(t, s, "w-1")
	first, err := s.Worker(ctx, "w-1")
	if err != nil {
		t.Fatalf("Worker(w-1) = %v", err)
	}
	upd := store.Worker{ID: "w-1", Name: "Renamed", ClaimedLocation: "Tucson, AZ, US", Lat: 32.22, Lon: -110.97, Access: "dsl",
		CreatedAt: t0.Add(-24 * time.Hour)} // ignored: the store owns CreatedAt
	if err := s.PutWorker(ctx, upd); err != nil {
		t.Fatalf("PutWorker(%+v) = %v", upd, err)
	}
	got, err := s.Worker(ctx, "w-1")
	if err != nil {
		t.Fatalf("Worker(w-1) = %v", err)
	}
	want := upd
	want.CreatedAt = first.CreatedAt
	if !same(got, want) {
		t.Errorf("Worker(w-1) after update = %+v, want %+v", got, want)
	}
	if all, err := s.Workers(ctx); err != nil || len(all) != 1 {
		t.Errorf("Workers() after update = %d workers, %v; want 1", len(all), err)
	}
}

func testWorkerInvalid(t *testing.T, s Store) {
	tests := []struct {
		name  string
		w     store.Worker
		field string
	}{
		{"empty ID", store.Worker{Name: "x"}, "ID"},
		{"NUL in ID", store.Worker{ID: "w\x00"}, "ID"},
		{"bad UTF-8 name", store.Worker{ID: "w-1", Name: "\xff"}, "Name"},
		{"latitude", store.Worker{ID: "w-1", Lat: 91}, "Lat"},
		{"longitude", store.Worker{ID: "w-1", Lon: -180.5}, "Lon"},
		{"NaN", store.Worker{ID: "w-1", Lat: nanValue()}, "Lat"},
	}
	for _, tt := range tests {
		err := s.PutWorker(t.Context(), tt.w)
		wantErr(t, fmt.Sprintf("PutWorker(%s)", tt.name), err, nil, tt.field)
	}
	if got, err := s.Workers(t.Context()); err != nil || len(got) != 0 {
		t.Errorf("Workers() after invalid puts = %+v, %v; want none", got, err)
	}
}

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}

func testLandmarks(t *testing.T, s Store) {
	ctx := t.Context()
	in := []store.Landmark{
		{Name: "us-west", Location: "Los Angeles, CA, US", Lat: 34.05, Lon: -118.24, SeenAt: t0},
		{Name: "eu-central", Location: "Frankfurt, DE", Lat: 50.11, Lon: 8.68}, // never seen: zero SeenAt
		{Name: "US-east", Location: "Ashburn, VA, US", Lat: 39.04, Lon: -77.49, SeenAt: t0.Add(time.Minute)},
	}
	for _, l := range in {
		if err := s.PutLandmark(ctx, l); err != nil {
			t.Fatalf("PutLandmark(%+v) = %v", l, err)
		}
	}
	// Upsert by name replaces every field.
	upd := store.Landmark{Name: "us-west", Location: "San Jose, CA, US", Lat: 37.34, Lon: -121.89, SeenAt: t0.Add(time.Hour)}
	if err := s.PutLandmark(ctx, upd); err != nil {
		t.Fatalf("PutLandmark(%+v) = %v", upd, err)
	}
	got, err := s.Landmarks(ctx)
	if err != nil {
		t.Fatalf("Landmarks() = %v", err)
	}
	want := []store.Landmark{in[2], in[1], upd}
	if !same(got, want) {
		t.Errorf("Landmarks() = %+v, want %+v", got, want)
	}
	err = s.PutLandmark(ctx, store.Landmark{Location: "nowhere"})
	wantErr(t, "PutLandmark(empty name)", err, nil, "Name")
}

func testEnrolmentTokenErrors(t *testing.T, s Store) {
	ctx := t.Context()
	err := s.CreateEnrolmentToken(ctx, []byte("tok"), "w-missing", t0)
	wantErr(t, "CreateEnrolmentToken(unknown worker)", err, store.ErrNotFound, "w-missing")

	putWorker(t, s, "w-1")
	putWorker(t, s, "w-2")
	if err := s.CreateEnrolmentToken(ctx, []byte("tok"), "w-1", t0); err != nil {
		t.Fatalf("CreateEnrolmentToken() = %v", err)
	}
	err = s.CreateEnrolmentToken(ctx, []byte("tok"), "w-2", t0)
	wantErr(t, "CreateEnrolmentToken(duplicate hash)", err, store.ErrConflict)
	err = s.CreateEnrolmentToken(ctx, nil, "w-1", t0)
	wantErr(t, "CreateEnrolmentToken(empty hash)", err, nil)
	err = s.CreateEnrolmentToken(ctx, []byte("tok-2"), "w-1", time.Time{})
	wantErr(t, "CreateEnrolmentToken(zero expiry)", err, nil)

	// The duplicate did not move the token to w-2.
	d, err := s.Enrol(ctx, []byte("tok"), store.Device{ID: "d-1"}, []byte("cred"), t0.Add(-time.Second))
	if err != nil {
		t.Fatalf("Enrol() = %v", err)
	}
	if d.WorkerID != "w-1" {
		t.Errorf("Enrol().WorkerID = %q, want w-1", d.WorkerID)
	}
}

func testEnrol(t *testing.T, s Store) {
	ctx := t.Context()
	putWorker(t, s, "w-1")
	token, cred := []byte{0x01, 0x00, 0xff}, []byte{0x00, 0xfe, 0x02}
	if err := s.CreateEnrolmentToken(ctx, token, "w-1", t0.Add(time.Hour)); err != nil {
		t.Fatalf("CreateEnrolmentToken() = %v", err)
	}
	now := t0.Add(123456789 * time.Nanosecond).In(time.FixedZone("MST", -7*3600))
	in := store.Device{ID: "d-1", WorkerID: "w-forged", Hostname: "laptop-7", OS: "darwin/arm64", AgentVersion: "0.3.1"}
	got, err := s.Enrol(ctx, token, in, cred, now)
	if err != nil {
		t.Fatalf("Enrol() = %v", err)
	}
	want := in
	want.WorkerID = "w-1" // from the token, not the caller
	want.EnrolledAt = utc(now)
	if !same(got, want) {
		t.Errorf("Enrol() = %+v, want %+v", got, want)
	}
	if d := getDevice(t, s, "d-1"); !same(d, want) {
		t.Errorf("Device(d-1) = %+v, want %+v", d, want)
	}
	d, err := s.DeviceByCredential(ctx, cred)
	if err != nil || !same(d, want) {
		t.Errorf("DeviceByCredential() = %+v, %v; want %+v", d, err, want)
	}

	_, err = s.Enrol(ctx, token, store.Device{ID: "d-2"}, []byte("cred-2"), now)
	wantErr(t, "Enrol(used token)", err, store.ErrTokenInvalid)
	if _, err := s.Device(ctx, "d-2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Device(d-2) after failed Enrol = %v, want ErrNotFound", err)
	}
}

func testEnrolTokenInvalid(t *testing.T, s Store) {
	ctx := t.Context()
	putWorker(t, s, "w-1")
	expires := t0.Add(time.Hour)
	tests := []struct {
		name    string
		create  bool // create the token first
		now     time.Time
		wantErr error
	}{
		{"unknown token", false, t0, store.ErrTokenInvalid},
		{"well before expiry", true, t0, nil},
		{"last microsecond", true, expires.Add(-time.Microsecond), nil},
		{"at expiry", true, expires, store.ErrTokenInvalid},
		{"after expiry", true, expires.Add(time.Hour), store.ErrTokenInvalid},
	}
	for i, tt := range tests {
		token := fmt.Appendf(nil, "token-%d", i)
		if tt.create {
			if err := s.CreateEnrolmentToken(ctx, token, "w-1", expires); err != nil {
				t.Fatalf("CreateEnrolmentToken() = %v", err)
			}
		}
		id := fmt.Sprintf("d-%d", i)
		_, err := s.Enrol(ctx, token, store.Device{ID: id}, fmt.Appendf(nil, "cred-%d", i), tt.now)
		if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
			t.Errorf("Enrol(%s) = %v, want %v", tt.name, err, tt.wantErr)
		}
		_, err = s.Device(ctx, id)
		if stored := err == nil; stored != (tt.wantErr == nil) {
			t.Errorf("Enrol(%s): device stored = %v, want %v (Device() = %v)", tt.name, stored, tt.wantErr == nil, err)
		}
	}
}

func testEnrolConflict(t *testing.T, s Store) {
	ctx := t.Context()
	existing := enrol(t, s, "w-1", "d-1")
	tests := []struct {
		name string
		id   string
		cred string
	}{
		{"duplicate device ID", "d-1", "cred-new"},
		{"duplicate credential", "d-new", "cred-d-1"},
	}
	for _, tt := range tests {
		token := []byte("token " + tt.name)
		if err := s.CreateEnrolmentToken(ctx, token, "w-1", t0.Add(time.Hour)); err != nil {
			t.Fatalf("CreateEnrolmentToken() = %v", err)
		}
		_, err := s.Enrol(ctx, token, store.Device{ID: tt.id, Hostname: "other"}, []byte(tt.cred), t0)
		wantErr(t, fmt.Sprintf("Enrol(%s)", tt.name), err, store.ErrConflict)
		// The token was not used up by the failed enrolment.
		id := "d-after " + tt.name
		if _, err := s.Enrol(ctx, token, store.Device{ID: id}, []byte("cred "+id), t0); err != nil {
			t.Errorf("Enrol(%s) with the same token after the conflict = %v, want success", tt.name, err)
		}
	}
	if d := getDevice(t, s, "d-1"); !same(d, existing) {
		t.Errorf("Device(d-1) after conflicts = %+v, want unchanged %+v", d, existing)
	}
}

func testEnrolInvalid(t *testing.T, s Store) {
	ctx := t.Context()
	putWorker(t, s, "w-1")
	token := []byte("tok")
	if err := s.CreateEnrolmentToken(ctx, token, "w-1", t0.Add(time.Hour)); err != nil {
		t.Fatalf("CreateEnrolmentToken() = %v", err)
	}
	tests := []struct {
		name  string
		token []byte
		d     store.Device
		cred  []byte
		now   time.Time
	}{
		{"empty device ID", token, store.Device{}, []byte("c"), t0},
		{"empty credential", token, store.Device{ID: "d-1"}, nil, t0},
		{"empty token", nil, store.Device{ID: "d-1"}, []byte("c"), t0},
		{"zero now", token, store.Device{ID: "d-1"}, []byte("c"), time.Time{}},
		{"bad UTF-8 hostname", token, store.Device{ID: "d-1", Hostname: "\xc3"}, []byte("c"), t0},
	}
	for _, tt := range tests {
		_, err := s.Enrol(ctx, tt.token, tt.d, tt.cred, tt.now)
		wantErr(t, fmt.Sprintf("Enrol(%s)", tt.name), err, nil)
	}
	// None of them used the token.
	if _, err := s.Enrol(ctx, token, store.Device{ID: "d-1"}, []byte("c"), t0); err != nil {
		t.Errorf("Enrol() after invalid attempts = %v, want success", err)
	}
}

func testEnrolConcurrent(t *testing.T, s Store) {
	ctx := t.Context()
	putWorker(t, s, "w-1")
	token := []byte("shared token")
	if err := s.CreateEnrolmentToken(ctx, token, "w-1", t0.Add(time.Hour)); err != nil {
		t.Fatalf("CreateEnrolmentToken() = %v", err)
	}
	const n = 16
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			id := fmt.Sprintf("d-%02d", i)
			_, errs[i] = s.Enrol(ctx, token, store.Device{ID: id}, []byte("cred-"+id), t0)
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrTokenInvalid):
			t.Errorf("concurrent Enrol #%d = %v, want nil or ErrTokenInvalid", i, err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d concurrent Enrols with one token succeeded, want 1", ok, n)
	}
	if devices, err := s.Devices(ctx); err != nil || len(devices) != 1 {
		t.Errorf("Devices() after concurrent Enrols = %+v, %v; want 1 device", devices, err)
	}
}

func testDevices(t *testing.T, s Store) {
	ctx := t.Context()
	if got, err := s.Devices(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Devices() on empty store = %+v, %v; want none", got, err)
	}
	var want []store.Device
	for _, wd := range [][2]string{{"w-2", "a"}, {"w-1", "z"}, {"w-1", "B"}, {"W-0", "y"}} {
		want = append(want, enrol(t, s, wd[0], wd[1]))
	}
	want = []store.Device{want[3], want[2], want[1], want[0]} // W-0/y, w-1/B, w-1/z, w-2/a
	got, err := s.Devices(ctx)
	if err != nil {
		t.Fatalf("Devices() = %v", err)
	}
	if !same(got, want) {
		t.Errorf("Devices() = %+v, want %+v", got, want)
	}
	_, err = s.Device(ctx, "d-missing")
	wantErr(t, `Device("d-missing")`, err, store.ErrNotFound, "d-missing")
	_, err = s.DeviceByCredential(ctx, []byte("no such credential"))
	wantErr(t, "DeviceByCredential(unknown)", err, store.ErrNotFound)
}

func testSaveBatch(t *testing.T, s Store) {
	ctx := t.Context()
	dev := enrol(t, s, "w-1", "d-1")
	b := store.Batch{
		DeviceID:   "d-1",
		ID:         "b-1",
		ReceivedAt: t0.Add(time.Minute),
		RemoteIP:   "203.0.113.7",
		Samples: []store.RTTSample{
			sample("d-1", "us-west", store.Agent, 10*time.Second, 31*time.Millisecond),
			sample("", "us-west", store.Agent, 20*time.Second, 32*time.Millisecond), // empty: the batch's device
			sample("d-1", "eu-central", store.Agent, 30*time.Second, 140*time.Millisecond),
		},
		Heartbeat: &store.Heartbeat{At: t0.Add(50 * time.Second), Hostname: "renamed", OS: "linux/arm64", AgentVersion: "1.1.0"},
	}
	stored, err := s.SaveBatch(ctx, b)
	if err != nil || !stored {
		t.Fatalf("SaveBatch(%s) = %v, %v; want true, nil", b.ID, stored, err)
	}
	want := dev
	want.LastSeen, want.LastIP = b.ReceivedAt, b.RemoteIP
	want.Hostname, want.OS, want.AgentVersion = "renamed", "linux/arm64", "1.1.0"
	if got := getDevice(t, s, "d-1"); !same(got, want) {
		t.Errorf("Device(d-1) after SaveBatch = %+v, want %+v", got, want)
	}
	wantSamples := b.Samples
	wantSamples[1].DeviceID = "d-1"
	if got, want := allSamples(t, s, "d-1"), newestFirst(wantSamples...); !same(got, want) {
		t.Errorf("Samples(d-1) = %+v, want %+v", got, want)
	}

	// Without a heartbeat only LastSeen and LastIP change; a batch may have
	// no samples.
	b2 := store.Batch{DeviceID: "d-1", ID: "b-2", ReceivedAt: t0.Add(2 * time.Minute), RemoteIP: "2001:db8::1"}
	if stored, err := s.SaveBatch(ctx, b2); err != nil || !stored {
		t.Fatalf("SaveBatch(%s) = %v, %v; want true, nil", b2.ID, stored, err)
	}
	want.LastSeen, want.LastIP = b2.ReceivedAt, b2.RemoteIP
	if got := getDevice(t, s, "d-1"); !same(got, want) {
		t.Errorf("Device(d-1) after heartbeat-less SaveBatch = %+v, want %+v", got, want)
	}
	if got := allSamples(t, s, "d-1"); len(got) != 3 {
		t.Errorf("Samples(d-1) after empty batch: %d samples, want 3", len(got))
	}
}

func testSaveBatchIdempotent(t *testing.T, s Store) {
	ctx := t.Context()
	enrol(t, s, "w-1", "d-1")
	b := store.Batch{DeviceID: "d-1", ID: "b-1", ReceivedAt: t0, RemoteIP: "198.51.100.1",
		Samples:   []store.RTTSample{sample("d-1", "us-west", store.Agent, 0, 30*time.Millisecond), sample("d-1", "us-west", store.Agent, time.Second, 31*time.Millisecond)},
		Heartbeat: &store.Heartbeat{At: t0, Hostname: "first", OS: "linux/amd64", AgentVersion: "1"}}
	if stored, err := s.SaveBatch(ctx, b); err != nil || !stored {
		t.Fatalf("SaveBatch(first) = %v, %v; want true, nil", stored, err)
	}
	wantDevice := getDevice(t, s, "d-1")
	wantSamples := allSamples(t, s, "d-1")

	// A retry, even with different content, changes nothing.
	retry := b
	retry.ReceivedAt = t0.Add(time.Hour)
	retry.RemoteIP = "192.0.2.99"
	retry.Samples = append([]store.RTTSample{sample("d-1", "us-east", store.Agent, 5*time.Second, time.Millisecond)}, b.Samples...)
	retry.Heartbeat = &store.Heartbeat{At: t0, Hostname: "second", OS: "windows/amd64", AgentVersion: "2"}
	for i := range 3 {
		stored, err := s.SaveBatch(ctx, retry)
		if err != nil || stored {
			t.Errorf("SaveBatch(retry %d) = %v, %v; want false, nil", i, stored, err)
		}
	}
	if got := getDevice(t, s, "d-1"); !same(got, wantDevice) {
		t.Errorf("Device(d-1) after retries = %+v, want unchanged %+v", got, wantDevice)
	}
	if got := allSamples(t, s, "d-1"); !same(got, wantSamples) {
		t.Errorf("Samples(d-1) after retries = %+v, want unchanged %+v", got, wantSamples)
	}
}

func testSaveBatchConcurrent(t *testing.T, s Store) {
	ctx := t.Context()
	enrol(t, s, "w-1", "d-1")
	b := store.Batch{DeviceID: "d-1", ID: "b-1", ReceivedAt: t0, RemoteIP: "198.51.100.1"}
	for i := range 20 {
		b.Samples = append(b.Samples, sample("d-1", "us-west", store.ServerTCP, time.Duration(i)*time.Second, 30*time.Millisecond))
	}
	const n = 8
	stored := make([]bool, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			retry := b
			retry.ReceivedAt = t0.Add(time.Duration(i) * time.Second)
			stored[i], errs[i] = s.SaveBatch(ctx, retry)
		})
	}
	close(start)
	wg.Wait()
	count := 0
	for i := range n {
		if errs[i] != nil {
			t.Errorf("concurrent SaveBatch #%d = %v", i, errs[i])
		}
		if stored[i] {
			count++
		}
	}
	if count != 1 {
		t.Errorf("%d of %d concurrent SaveBatch calls of one batch stored it, want 1", count, n)
	}
	if got := allSamples(t, s, "d-1"); len(got) != len(b.Samples) {
		t.Errorf("Samples(d-1) after concurrent retries: %d samples, want %d", len(got), len(b.Samples))
	}
}

func testSaveBatchPerDevice(t *testing.T, s Store) {
	ctx := t.Context()
	enrol(t, s, "w-1", "d-1")
	enrol(t, s, "w-1", "d-2")
	for _, dev := range []string{"d-1", "d-2"} {
		b := store.Batch{DeviceID: dev, ID: "same-id", ReceivedAt: t0,
			Samples: []store.RTTSample{sample(dev, "us-west", store.Agent, 0, time.Millisecond)}}
		if stored, err := s.SaveBatch(ctx, b); err != nil || !stored {
			t.Errorf("SaveBatch(%s, same-id) = %v, %v; want true, nil", dev, stored, err)
		}
		if got := allSamples(t, s, dev); len(got) != 1 {
			t.Errorf("Samples(%s): %d samples, want 1", dev, len(got))
		}
	}
}

func testSaveBatchUnknownDevice(t *testing.T, s Store) {
	ctx := t.Context()
	b := store.Batch{DeviceID: "d-missing", ID: "b-1", ReceivedAt: t0,
		Samples: []store.RTTSample{sample("d-missing", "us-west", store.Agent, 0, time.Millisecond)}}
	stored, err := s.SaveBatch(ctx, b)
	wantErr(t, "SaveBatch(unknown device)", err, store.ErrNotFound, "d-missing")
	if stored {
		t.Errorf("SaveBatch(unknown device) stored = true")
	}
	if got := allSamples(t, s, "d-missing"); len(got) != 0 {
		t.Errorf("Samples(d-missing) = %+v, want none", got)
	}
}

func testSaveBatchInvalid(t *testing.T, s Store) {
	ctx := t.Context()
	dev := enrol(t, s, "w-1", "d-1")
	enrol(t, s, "w-1", "d-2")
	good := func() store.Batch {
		return store.Batch{DeviceID: "d-1", ID: "b-1", ReceivedAt: t0.Add(time.Hour), RemoteIP: "203.0.113.7",
			Samples: []store.RTTSample{
				sample("d-1", "us-west", store.ServerTCP, 0, 30*time.Millisecond),
				sample("d-1", "us-west", store.ServerApp, time.Second, 31*time.Millisecond),
				sample("d-1", "us-east", store.Agent, 2*time.Second, 60*time.Millisecond),
			},
			Heartbeat: &store.Heartbeat{At: t0, Hostname: "h", OS: "o", AgentVersion: "v"}}
	}
	tests := []struct {
		name   string
		break_ func(b *store.Batch)
		field  string
	}{
		{"unknown provenance", func(b *store.Batch) { b.Samples[2].Provenance = "gps" }, "Provenance"},
		{"empty provenance", func(b *store.Batch) { b.Samples[0].Provenance = "" }, "Provenance"},
		{"negative RTT", func(b *store.Batch) { b.Samples[1].RTT = -time.Millisecond }, "RTT"},
		{"empty landmark", func(b *store.Batch) { b.Samples[2].Landmark = "" }, "Landmark"},
		{"zero sample time", func(b *store.Batch) { b.Samples[1].At = time.Time{} }, "At"},
		{"sample of another device", func(b *store.Batch) { b.Samples[2].DeviceID = "d-2" }, "DeviceID"},
		{"empty batch ID", func(b *store.Batch) { b.ID = "" }, "ID"},
		{"zero ReceivedAt", func(b *store.Batch) { b.ReceivedAt = time.Time{} }, "ReceivedAt"},
		{"NUL in hostname", func(b *store.Batch) { b.Heartbeat.Hostname = "a\x00b" }, "Hostname"},
		{"bad UTF-8 landmark", func(b *store.Batch) { b.Samples[0].Landmark = "us-\xffwest" }, "Landmark"},
	}
	for _, tt := range tests {
		b := good()
		tt.break_(&b)
		stored, err := s.SaveBatch(ctx, b)
		wantErr(t, fmt.Sprintf("SaveBatch(%s)", tt.name), err, nil, tt.field)
		if stored {
			t.Errorf("SaveBatch(%s) stored = true", tt.name)
		}
	}
	// Nothing was written: not the device, not a sample, not the batch id.
	if got := getDevice(t, s, "d-1"); !same(got, dev) {
		t.Errorf("Device(d-1) after invalid batches = %+v, want unchanged %+v", got, dev)
	}
	for _, id := range []string{"d-1", "d-2"} {
		if got := allSamples(t, s, id); len(got) != 0 {
			t.Errorf("Samples(%s) after invalid batches = %+v, want none", id, got)
		}
	}
	if stored, err := s.SaveBatch(ctx, good()); err != nil || !stored {
		t.Errorf("SaveBatch(corrected batch with the same ID) = %v, %v; want true, nil", stored, err)
	}
}

func testSaveBatchLarge(t *testing.T, s Store) {
	ctx := t.Context()
	enrol(t, s, "w-1", "d-1")
	landmarks := []string{"us-west", "us-east", "eu-central"}
	provenances := []store.Provenance{store.ServerTCP, store.ServerApp, store.Agent}
	for _, n := range []int{1, 127, 128, 129, 500} {
		b := store.Batch{DeviceID: "d-1", ID: fmt.Sprintf("b-%d", n), ReceivedAt: t0}
		for i := range n {
			b.Samples = append(b.Samples, sample("d-1", landmarks[i%3], provenances[i/3%3],
				time.Duration(n)*time.Hour+time.Duration(i)*time.Millisecond, time.Duration(1000+i)*time.Microsecond))
		}
		if stored, err := s.SaveBatch(ctx, b); err != nil || !stored {
			t.Fatalf("SaveBatch(%d samples) = %v, %v; want true, nil", n, stored, err)
		}
		got, err := s.Samples(ctx, "d-1", t0.Add(time.Duration(n)*time.Hour), 0)
		if err != nil {
			t.Fatalf("Samples() = %v", err)
		}
		if want := newestFirst(b.Samples...); !same(got, want) {
			t.Errorf("Samples() after a batch of %d: got %d samples, want %d, or they differ", n, len(got), len(want))
		}
	}
}

func testAddSamples(t *testing.T, s Store) {
	ctx := t.Context()
	enrol(t, s, "w-1", "d-1")
	enrol(t, s, "w-2", "d-2")
	in := []store.RTTSample{
		sample("d-1", "us-west", store.ServerTCP, 0, 30*time.Millisecond),
		sample("d-2", "us-west", store.ServerTCP, time.Second, 90*time.Millisecond),
		sample("d-1", "us-west", store.ServerApp, 2*time.Second, 33*time.Millisecond),
	}
	if err := s.AddSamples(ctx, in); err != nil {
		t.Fatalf("AddSamples() = %v", err)
	}
	if err := s.AddSamples(ctx, nil); err != nil {
		t.Errorf("AddSamples(nil) = %v, want nil", err)
	}
	if got, want := allSamples(t, s, "d-1"), newestFirst(in[0], in[2]); !same(got, want) {
		t.Errorf("Samples(d-1) = %+v, want %+v", got, want)
	}
	if got, want := allSamples(t, s, "d-2"), newestFirst(in[1]); !same(got, want) {
		t.Errorf("Samples(d-2) = %+v, want %+v", got, want)
	}
	// Server samples do not touch the device.
	if got := getDevice(t, s, "d-1"); !got.LastSeen.IsZero() {
		t.Errorf("Device(d-1).LastSeen after AddSamples = %v, want zero", got.LastSeen)
	}
}

func testAddSamplesAllOrNothing(t *testing.T, s Store) {
	ctx := t.Context()
	enrol(t, s, "w-1", "d-1")
	ok := sample("d-1", "us-west", store.ServerTCP, 0, 30*time.Millisecond)
	tests := []struct {
		name    string
		samples []store.RTTSample
		target  error
		mention string
	}{
		{"unknown device", []store.RTTSample{ok, sample("d-missing", "us-west", store.ServerTCP, 0, time.Millisecond)}, store.ErrNotFound, "d-missing"},
		{"invalid provenance", []store.RTTSample{ok, sample("d-1", "us-west", "server-udp", 0, time.Millisecond)}, nil, "Provenance"},
		{"empty device", []store.RTTSample{ok, sample("", "us-west", store.ServerTCP, 0, time.Millisecond)}, nil, "DeviceID"},
		{"negative RTT", []store.RTTSample{ok, sample("d-1", "us-west", store.ServerTCP, 0, -1)}, nil, "RTT"},
	}
	for _, tt := range tests {
		err := s.AddSamples(ctx, tt.samples)
		wantErr(t, fmt.Sprintf("AddSamples(%s)", tt.name), err, tt.target, tt.mention)
	}
	if got := allSamples(t, s, "d-1"); len(got) != 0 {
		t.Errorf("Samples(d-1) after failed AddSamples = %+v, want none", got)
	}
}

func testRTTSummary(t *testing.T, s Store) {
	ctx := t.Context()
	enrol(t, s, "w-1", "d-1")
	enrol(t, s, "w-1", "d-2")
	samples := []store.RTTSample{
		sample("d-1", "us-west", store.ServerTCP, -time.Hour, 10*time.Millisecond), // before every window below
		sample("d-1", "us-west", store.ServerTCP, 0, 40*time.Millisecond),
		sample("d-1", "us-west", store.ServerTCP, time.Minute, 31*time.Millisecond+400*time.Nanosecond),
		sample("d-1", "us-west", store.ServerTCP, 2*time.Minute, 35*time.Millisecond),
		sample("d-1", "us-west", store.Agent, time.Minute, 30*time.Millisecond),
		sample("d-1", "eu-central", store.ServerApp, 30*time.Second, 120*time.Millisecond),
		sample("d-1", "US-east", store.ServerApp, 90*time.Second, 70*time.Millisecond),
		sample("d-2", "us-west", store.ServerTCP, time.Minute, time.Millisecond), // another device
	}
	if err := s.AddSamples(ctx, samples); err != nil {
		t.Fatalf("AddSamples() = %v", err)
	}
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	tests := []struct {
		since time.Time
		want  []store.LandmarkRTT
	}{
		{t0, []store.LandmarkRTT{
			{Landmark: "US-east", Provenance: store.ServerApp, Min: 70 * time.Millisecond, Count: 1, First: at(90 * time.Second), Last: at(90 * time.Second)},
			{Landmark: "eu-central", Provenance: store.ServerApp, Min: 120 * time.Millisecond, Count: 1, First: at(30 * time.Second), Last: at(30 * time.Second)},
			{Landmark: "us-west", Provenance: store.Agent, Min: 30 * time.Millisecond, Count: 1, First: at(time.Minute), Last: at(time.Minute)},
			{Landmark: "us-west", Provenance: store.ServerTCP, Min: 31 * time.Millisecond, Count: 3, First: at(0), Last: at(2 * time.Minute)},
		}},
		{at(time.Minute), []store.LandmarkRTT{ // since is inclusive
			{Landmark: "US-east", Provenance: store.ServerApp, Min: 70 * time.Millisecond, Count: 1, First: at(90 * time.Second), Last: at(90 * time.Second)},
			{Landmark: "us-west", Provenance: store.Agent, Min: 30 * time.Millisecond, Count: 1, First: at(time.Minute), Last: at(time.Minute)},
			{Landmark: "us-west", Provenance: store.ServerTCP, Min: 31 * time.Millisecond, Count: 2, First: at(time.Minute), Last: at(2 * time.Minute)},
		}},
		{at(time.Minute + time.Microsecond), []store.LandmarkRTT{
			{Landmark: "US-east", Provenance: store.ServerApp, Min: 70 * time.Millisecond, Count: 1, First: at(90 * time.Second), Last: at(90 * time.Second)},
			{Landmark: "us-west", Provenance: store.ServerTCP, Min: 35 * time.Millisecond, Count: 1, First: at(2 * time.Minute), Last: at(2 * time.Minute)},
		}},
		{at(-2 * time.Hour), []store.LandmarkRTT{
			{Landmark: "US-east", Provenance: store.ServerApp, Min: 70 * time.Millisecond, Count: 1, First: at(90 * time.Second), Last: at(90 * time.Second)},
			{Landmark: "eu-central", Provenance: store.ServerApp, Min: 120 * time.Millisecond, Count: 1, First: at(30 * time.Second), Last: at(30 * time.Second)},
			{Landmark: "us-west", Provenance: store.Agent, Min: 30 * time.Millisecond, Count: 1, First: at(time.Minute), Last: at(time.Minute)},
			{Landmark: "us-west", Provenance: store.ServerTCP, Min: 10 * time.Millisecond, Count: 4, First: at(-time.Hour), Last: at(2 * time.Minute)},
		}},
		{at(time.Hour), nil},
	}
	for _, tt := range tests {
		got, err := s.RTTSummary(ctx, "d-1", tt.since)
		if err != nil {
			t.Fatalf("RTTSummary(d-1, %v) = %v", tt.since, err)
		}
		if len(got) != 0 || len(tt.want) != 0 {
			if !same(got, tt.want) {
				t.Errorf("RTTSummary(d-1, %v) =\n%+v\nwant\n%+v", tt.since, got, tt.want)
			}
		}
	}
	got, err := s.RTTSummary(ctx, "d-missing", t0)
	if err != nil || len(got) != 0 {
		t.Errorf("RTTSummary(d-missing) = %+v, %v; want none", got, err)
	}
}

func testSamples(t *testing.T, s Store) {
	ctx := t.Context()
	enrol(t, s, "w-1", "d-1")
	enrol(t, s, "w-1", "d-2")
	in := []store.RTTSample{
		sample("d-1", "us-west", store.ServerTCP, 0, 30*time.Millisecond),
		sample("d-1", "us-west", store.Agent, 3*time.Second, 33*time.Millisecond),
		sample("d-1", "eu-central", store.ServerApp, time.Second, 130*time.Millisecond),
		sample("d-1", "us-east", store.ServerTCP, 2*time.Second, 60*time.Millisecond),
		sample("d-2", "us-west", store.ServerTCP, 4*time.Second, 5*time.Millisecond),
	}
	if err := s.AddSamples(ctx, in); err != nil {
		t.Fatalf("AddSamples() = %v", err)
	}
	tests := []struct {
		since time.Time
		limit int
		want  []store.RTTSample
	}{
		{t0, 0, newestFirst(in[1], in[3], in[2], in[0])},
		{t0, -1, newestFirst(in[1], in[3], in[2], in[0])},
		{t0, 10, newestFirst(in[1], in[3], in[2], in[0])},
		{t0, 2, newestFirst(in[1], in[3])},
		{t0.Add(time.Second), 0, newestFirst(in[1], in[3], in[2])},
		{t0.Add(time.Second), 1, newestFirst(in[1])},
		{t0.Add(time.Minute), 0, nil},
	}
	for _, tt := range tests {
		got, err := s.Samples(ctx, "d-1", tt.since, tt.limit)
		if err != nil {
			t.Fatalf("Samples(d-1, %v, %d) = %v", tt.since, tt.limit, err)
		}
		if len(got) != 0 || len(tt.want) != 0 {
			if !same(got, tt.want) {
				t.Errorf("Samples(d-1, %v, %d) = %+v, want %+v", tt.since, tt.limit, got, tt.want)
			}
		}
	}
}

func testPrune(t *testing.T, s Store) {
	ctx := t.Context()
	enrol(t, s, "w-1", "d-1")
	enrol(t, s, "w-1", "d-2")
	in := []store.RTTSample{
		sample("d-1", "us-west", store.ServerTCP, -2*time.Hour, time.Millisecond),
		sample("d-2", "us-west", store.ServerTCP, -time.Hour, time.Millisecond),
		sample("d-1", "us-west", store.ServerTCP, 0, time.Millisecond), // exactly at before: kept
		sample("d-2", "us-west", store.ServerTCP, time.Hour, time.Millisecond),
	}
	if err := s.AddSamples(ctx, in); err != nil {
		t.Fatalf("AddSamples() = %v", err)
	}
	old := store.Batch{DeviceID: "d-1", ID: "old", ReceivedAt: t0.Add(-time.Minute),
		Samples: []store.RTTSample{sample("d-1", "us-east", store.Agent, -time.Minute, time.Millisecond)}}
	recent := store.Batch{DeviceID: "d-1", ID: "recent", ReceivedAt: t0}
	for _, b := range []store.Batch{old, recent} {
		if stored, err := s.SaveBatch(ctx, b); err != nil || !stored {
			t.Fatalf("SaveBatch(%s) = %v, %v; want true, nil", b.ID, stored, err)
		}
	}

	n, err := s.PruneSamples(ctx, t0)
	if err != nil || n != 3 {
		t.Fatalf("PruneSamples(t0) = %d, %v; want 3, nil", n, err)
	}
	if got, want := allSamples(t, s, "d-1"), newestFirst(in[2]); !same(got, want) {
		t.Errorf("Samples(d-1) after prune = %+v, want %+v", got, want)
	}
	if got, want := allSamples(t, s, "d-2"), newestFirst(in[3]); !same(got, want) {
		t.Errorf("Samples(d-2) after prune = %+v, want %+v", got, want)
	}
	if n, err := s.PruneSamples(ctx, t0); err != nil || n != 0 {
		t.Errorf("PruneSamples(t0) again = %d, %v; want 0, nil", n, err)
	}
	// The old batch id went with its samples; the recent one is remembered.
	if stored, err := s.SaveBatch(ctx, old); err != nil || !stored {
		t.Errorf("SaveBatch(old) after prune = %v, %v; want true, nil", stored, err)
	}
	if stored, err := s.SaveBatch(ctx, recent); err != nil || stored {
		t.Errorf("SaveBatch(recent) after prune = %v, %v; want false, nil", stored, err)
	}
}

func testTimePrecision(t *testing.T, s Store) {
	ctx := t.Context()
	zone := time.FixedZone("IST", 5*3600+1800)
	tests := []time.Time{
		time.Date(2026, 3, 1, 17, 30, 0, 123456789, zone),
		time.Date(2026, 3, 1, 12, 0, 0, 999, time.UTC),                 // below a microsecond
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),       // before the Unix epoch
		time.Date(2100, 1, 1, 0, 0, 0, 1000, time.FixedZone("X", -60)), // far future, odd zone
	}
	for i, at := range tests {
		dev := fmt.Sprintf("d-%d", i)
		d := enrol(t, s, "w-1", dev)
		if d.EnrolledAt != utc(t0) {
			t.Errorf("Enrol().EnrolledAt = %v, want %v", d.EnrolledAt, utc(t0))
		}
		rtt := 31*time.Millisecond + 999*time.Nanosecond
		b := store.Batch{DeviceID: dev, ID: "b", ReceivedAt: at,
			Samples: []store.RTTSample{{Landmark: "us-west", At: at, RTT: rtt, Provenance: store.Agent}}}
		if stored, err := s.SaveBatch(ctx, b); err != nil || !stored {
			t.Fatalf("SaveBatch(%v) = %v, %v; want true, nil", at, stored, err)
		}
		if got := getDevice(t, s, dev).LastSeen; got != utc(at) {
			t.Errorf("LastSeen after batch received at %v = %v, want %v", at, got, utc(at))
		}
		got, err := s.Samples(ctx, dev, utc(at), 0)
		want := []store.RTTSample{{DeviceID: dev, Landmark: "us-west", At: utc(at), RTT: 31 * time.Millisecond, Provenance: store.Agent}}
		if err != nil || !same(got, want) {
			t.Errorf("Samples(since %v) = %+v, %v; want %+v", utc(at), got, err, want)
		}
		l := store.Landmark{Name: fmt.Sprintf("lm-%d", i), SeenAt: at}
		if err := s.PutLandmark(ctx, l); err != nil {
			t.Fatalf("PutLandmark() = %v", err)
		}
	}
	landmarks, err := s.Landmarks(ctx)
	if err != nil || len(landmarks) != len(tests) {
		t.Fatalf("Landmarks() = %+v, %v; want %d", landmarks, err, len(tests))
	}
	for i, l := range landmarks {
		if l.SeenAt != utc(tests[i]) {
			t.Errorf("Landmark %s SeenAt = %v, want %v", l.Name, l.SeenAt, utc(tests[i]))
		}
	}
}

// subtest is one conformance test, run on a new store of type S.
type subtest[S io.Closer] struct {
	name string
	fn   func(t *testing.T, s S)
}

// runAll runs tests in parallel, each on a new, empty store from open,
// which it closes after the test.
func runAll[S io.Closer](t *testing.T, tests []subtest[S], open func(t *testing.T) S) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close() = %v", err)
				}
			})
			tt.fn(t, s)
		})
	}
}
