package dossier_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/lagwatch/lagwatch/internal/analyze"
	"github.com/lagwatch/lagwatch/internal/dossier"
	"github.com/lagwatch/lagwatch/internal/geo"
	"github.com/lagwatch/lagwatch/internal/ipgeo"
	"github.com/lagwatch/lagwatch/internal/latency"
	"github.com/lagwatch/lagwatch/internal/operator"
	"github.com/lagwatch/lagwatch/internal/report"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/store/postgres"
	"github.com/lagwatch/lagwatch/internal/wire"
)

var (
	_ dossier.Store = (*store.Store)(nil)
	_ dossier.Store = (*postgres.Store)(nil)
)

// fixtureStore is what the tests write through; both stores have it.
type fixtureStore interface {
	dossier.Store
	PutWorker(ctx context.Context, w store.Worker) error
	PutLandmark(ctx context.Context, l store.Landmark) error
	CreateEnrolmentToken(ctx context.Context, tokenHash []byte, workerID string, expires time.Time) error
	Enrol(ctx context.Context, tokenHash []byte, d store.Device, credentialHash []byte, now time.Time) (store.Device, error)
	AddSamples(ctx context.Context, samples []store.RTTSample) error
	SaveBatch(ctx context.Context, b store.Batch) (bool, error)
}

func openSQLite(t *testing.T) fixtureStore {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "lagwatch.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Places of the fixture.
var (
	now         = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	phoenix     = geo.Point{Lat: 33.4484, Lon: -112.0740}
	losAngeles  = geo.Point{Lat: 34.0522, Lon: -118.2437}
	tokyo       = geo.Point{Lat: 35.6762, Lon: 139.6503}
	minUSWest   = 121 * time.Millisecond   // smallest server-measured RTT from Los Angeles
	minAPNorth  = 33500 * time.Microsecond // from Tokyo: faster than fibre allows from Phoenix
	sessionRTT  = 180 * time.Millisecond   // the remote-access session's kernel minimum RTT
	band        = mustBand()
	fixtureHost = "laptop-1"
)

func mustBand() *latency.Band {
	b, err := latency.DefaultBand()
	if err != nil {
		panic(err)
	}
	return b
}

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// enrol puts the worker if needed and enrols device id for it.
func enrol(t *testing.T, st fixtureStore, workerID, id string) {
	t.Helper()
	ctx := t.Context()
	tok := []byte("token-" + id)
	must(t, st.CreateEnrolmentToken(ctx, tok, workerID, now.Add(time.Hour)))
	_, err := st.Enrol(ctx, tok, store.Device{ID: id}, []byte("cred-"+id), now.Add(-10*24*time.Hour))
	must(t, err)
}

// laptopFarm stores a worker who claims Phoenix with one device that sits
// near Tokyo: server-measured samples every hour for three days to
// Los Angeles (about 121 ms) and Tokyo (about 33.5 ms), a lying agent's 9 ms
// to Los Angeles, an old sample outside the window, two input windows and
// two endpoint reports, one with an AnyDesk session of 180 ms.
func laptopFarm(t *testing.T, st fixtureStore) {
	t.Helper()
	ctx := t.Context()
	must(t, st.PutLandmark(ctx, store.Landmark{Name: "us-west", Location: "Los Angeles, CA, US", Lat: losAngeles.Lat, Lon: losAngeles.Lon}))
	must(t, st.PutLandmark(ctx, store.Landmark{Name: "ap-northeast", Location: "Tokyo, JP", Lat: tokyo.Lat, Lon: tokyo.Lon}))
	must(t, st.PutWorker(ctx, store.Worker{ID: "w-1", Name: "Daniel Brooks", ClaimedLocation: "Phoenix, AZ, US", Lat: phoenix.Lat, Lon: phoenix.Lon}))
	enrol(t, st, "w-1", "d-1")
	addSamples(t, st, "d-1", 72)

	body, err := json.Marshal(wire.EndpointReport{At: now.Add(-2 * time.Hour), RemoteTools: []wire.RemoteTool{{
		Name: "anydesk", Catalog: "lolrmm", PID: 4242, Process: "anydesk",
		Sessions: []wire.RemoteSession{
			{Local: "192.0.2.10:7070", Remote: "198.51.100.7:50123", RTTMicros: 186_000, MinRTTMicros: sessionRTT.Microseconds()},
			{Local: "192.0.2.10:7071", Remote: "198.51.100.8:50124", RTTMicros: 250_000}, // no minimum: smoothed RTT, farther
		},
	}}})
	must(t, err)
	batches := []store.Batch{
		{ID: "b-1", ReceivedAt: now.Add(-26 * time.Hour),
			Windows: []store.InputWindow{
				window("win-1", now.Add(-27*time.Hour), 100, 60, 10, 20), // 10 unknown
				window("win-2", now.Add(-26*time.Hour), 50, 50, 0, 0),
				window("win-idle", now.Add(-26*time.Hour+time.Minute), 0, 0, 0, 0), // no keys: no share
			},
			Endpoint: &store.EndpointReport{At: now.Add(-26 * time.Hour), Body: json.RawMessage(`{"at":"2026-03-09T10:00:00Z","remote_tools":[],"usb":[],"displays":[]}`)}},
		{ID: "b-2", ReceivedAt: now.Add(-time.Hour), RemoteIP: "8.8.8.8",
			Heartbeat: &store.Heartbeat{At: now.Add(-time.Hour), Hostname: fixtureHost, OS: "windows/amd64", AgentVersion: "1.2.0"},
			Endpoint:  &store.EndpointReport{At: now.Add(-2 * time.Hour), RemoteTools: 1, RemoteSessions: 2, MinSessionRTT: sessionRTT, Body: body}},
	}
	for _, b := range batches {
		b.DeviceID = "d-1"
		if _, err := st.SaveBatch(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
}

// addSamples stores hourly samples of device id for the last hours hours.
func addSamples(t *testing.T, st fixtureStore, id string, hours int) {
	t.Helper()
	var ss []store.RTTSample
	for h := range hours {
		at := now.Add(-time.Duration(h) * time.Hour)
		jitter := time.Duration(h%7) * time.Millisecond
		ss = append(ss,
			store.RTTSample{DeviceID: id, Landmark: "us-west", At: at, RTT: minUSWest + jitter, Provenance: store.ServerTCP},
			store.RTTSample{DeviceID: id, Landmark: "ap-northeast", At: at.Add(time.Second), RTT: minAPNorth + jitter, Provenance: store.ServerTCP},
			store.RTTSample{DeviceID: id, Landmark: "us-west", At: at.Add(2 * time.Second), RTT: 9 * time.Millisecond, Provenance: store.Agent},
		)
	}
	// Outside the 7-day window: must not count.
	ss = append(ss, store.RTTSample{DeviceID: id, Landmark: "ap-northeast", At: now.Add(-8 * 24 * time.Hour), RTT: 2 * time.Millisecond, Provenance: store.ServerTCP})
	must(t, st.AddSamples(t.Context(), ss))
}

func window(id string, start time.Time, keys, physical, virtual, injected int) store.InputWindow {
	return store.InputWindow{WindowID: id, Start: start, End: start.Add(time.Minute), Source: "evdev",
		Keys: keys, Physical: physical, Virtual: virtual, Injected: injected, Body: json.RawMessage(`{}`)}
}

func TestWorkerSQLite(t *testing.T) {
	st := openSQLite(t)
	laptopFarm(t, st)
	checkLaptopFarm(t, st)
}

// checkLaptopFarm builds the dossier of the laptop-farm fixture and checks
// every section.
func checkLaptopFarm(t *testing.T, st fixtureStore) {
	ctx := t.Context()
	loc := openLocator(t)
	c, err := dossier.Worker(ctx, st, dossier.Config{Band: band, Locator: loc, Now: func() time.Time { return now }}, "w-1")
	if err != nil {
		t.Fatalf("Worker(w-1) = %v", err)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Worker(w-1) does not validate: %v", err)
	}

	// Subject.
	s := c.Subject
	if s.ID != "w-1" || s.Name != "Daniel Brooks" || s.ClaimedPlace != "Phoenix, AZ, US" {
		t.Errorf("Subject = %+v, want w-1, Daniel Brooks, Phoenix, AZ, US", s)
	}
	if s.ClaimedPoint == nil || geo.Distance(*s.ClaimedPoint, phoenix) > 10 {
		t.Errorf("Subject.ClaimedPoint = %v, want Phoenix (%v)", s.ClaimedPoint, phoenix)
	}
	wantDev := report.Device{ID: "d-1", Hostname: fixtureHost, OS: "windows/amd64", IP: "8.8.8.8", LastSeen: now.Add(-time.Hour)}
	if len(s.Devices) != 1 || s.Devices[0] != wantDev {
		t.Errorf("Subject.Devices = %+v, want [%+v]", s.Devices, wantDev)
	}

	// RTT: one series per landmark, sorted by name, server-measured only.
	an, err := analyze.New(st, analyze.Config{Band: band, Window: dossier.DefaultWindow, Now: func() time.Time { return now }})
	must(t, err)
	dv, err := an.Device(ctx, "d-1")
	must(t, err)
	if dv.Verdict.Status != latency.Impossible {
		t.Errorf("fixture verdict = %s, want impossible (Tokyo answers faster than light from Phoenix)", dv.Verdict.Status)
	}
	threshold := map[string]float64{}
	for _, f := range dv.Verdict.Findings {
		threshold[f.Landmark] = f.ThresholdMs
	}
	if len(c.RTT) != 2 {
		t.Fatalf("RTT has %d series, want 2", len(c.RTT))
	}
	for i, want := range []struct {
		name, place string
		point       geo.Point
		min         time.Duration
	}{
		{"ap-northeast", "Tokyo, JP", tokyo, minAPNorth},
		{"us-west", "Los Angeles, CA, US", losAngeles, minUSWest},
	} {
		got := c.RTT[i]
		if got.Landmark != want.name || got.Place != want.place || got.Point != want.point {
			t.Errorf("RTT[%d] = %s (%s) at %v, want %s (%s) at %v", i, got.Landmark, got.Place, got.Point, want.name, want.place, want.point)
		}
		if len(got.Samples) != 72 {
			t.Errorf("RTT[%d] (%s) has %d samples, want 72: the hourly server samples of 3 days, not the agent's or the old one", i, want.name, len(got.Samples))
		}
		low := slices.MinFunc(got.Samples, func(a, b report.RTTSample) int { return int(a.RTT - b.RTT) })
		if low.RTT != want.min {
			t.Errorf("RTT[%d] (%s) minimum = %v, want %v", i, want.name, low.RTT, want.min)
		}
		if !slices.IsSortedFunc(got.Samples, func(a, b report.RTTSample) int { return a.At.Compare(b.At) }) {
			t.Errorf("RTT[%d] (%s) samples are not oldest first", i, want.name)
		}
		if got.ThresholdMs <= 0 || got.ThresholdMs != threshold[want.name] {
			t.Errorf("RTT[%d] (%s) ThresholdMs = %v, want the verdict's %v", i, want.name, got.ThresholdMs, threshold[want.name])
		}
	}

	// Map: the claim, one disk per landmark sized by the fibre bound of its
	// minimum RTT, the IP location.
	if c.Map.Claimed == nil || *c.Map.Claimed != *s.ClaimedPoint || c.Map.ClaimedLabel != "Phoenix, AZ, US" {
		t.Errorf("Map claim = %v %q, want the subject's", c.Map.Claimed, c.Map.ClaimedLabel)
	}
	fibreKm := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) * 299.792458 / 1.5 / 2 }
	wantDisks := []report.Disk{
		{Label: "ap-northeast ≤ 3,348 km", Center: tokyo, RadiusKm: fibreKm(minAPNorth)},
		{Label: "us-west ≤ 12,092 km", Center: losAngeles, RadiusKm: fibreKm(minUSWest)},
	}
	if len(c.Map.Disks) != len(wantDisks) {
		t.Fatalf("Map.Disks = %+v, want %+v", c.Map.Disks, wantDisks)
	}
	for i, want := range wantDisks {
		got := c.Map.Disks[i]
		if got.Label != want.Label || got.Center != want.Center || math.Abs(got.RadiusKm-want.RadiusKm) > 1e-6 {
			t.Errorf("Map.Disks[%d] = %+v, want %+v", i, got, want)
		}
	}
	// The claim is outside the Tokyo disk: the device cannot be in Phoenix.
	if d := geo.Distance(phoenix, tokyo); d <= c.Map.Disks[0].RadiusKm {
		t.Errorf("Phoenix is %.0f km from Tokyo, inside its %.0f km disk", d, c.Map.Disks[0].RadiusKm)
	}
	mv := geo.Point{Lat: 37.422, Lon: -122.085}
	if c.Map.IP == nil || geo.Distance(*c.Map.IP, mv) > 1 || c.Map.IPLabel != "8.8.8.8 (Mountain View, California, US)" {
		t.Errorf("Map IP = %v %q, want Mountain View from the locator", c.Map.IP, c.Map.IPLabel)
	}

	// Provenance: one share per window with keys, oldest first.
	wantProv := []report.ProvenanceShare{
		{At: now.Add(-27 * time.Hour), Physical: 60, Virtual: 10, Injected: 20, Unknown: 10},
		{At: now.Add(-26 * time.Hour), Physical: 50},
	}
	if !slices.EqualFunc(c.Provenance, wantProv, func(a, b report.ProvenanceShare) bool {
		return a.At.Equal(b.At) && a.Physical == b.Physical && a.Virtual == b.Virtual && a.Injected == b.Injected && a.Unknown == b.Unknown
	}) {
		t.Errorf("Provenance = %+v, want %+v", c.Provenance, wantProv)
	}

	// Operator: from the report with the session, not the one without.
	est, err := operator.Fuse(band, operator.Evidence{Session: &operator.Session{MinRTT: sessionRTT}}, 0)
	must(t, err)
	if est.AtLeastKm <= 0 || est.AtLeastKm >= geo.MaxDistance(sessionRTT) {
		t.Fatalf("operator.Fuse(180 ms) = %v km, want a lower bound between 0 and the fibre limit", est.AtLeastKm)
	}
	wantOp := report.OperatorEstimate{At: now.Add(-2 * time.Hour), AddedMs: 180, AtLeastKm: est.AtLeastKm, Confidence: operator.DefaultConfidence}
	if len(c.Operator) != 1 || !c.Operator[0].At.Equal(wantOp.At) || c.Operator[0].AddedMs != wantOp.AddedMs ||
		c.Operator[0].AtLeastKm != wantOp.AtLeastKm || c.Operator[0].Confidence != wantOp.Confidence {
		t.Errorf("Operator = %+v, want [%+v]", c.Operator, wantOp)
	}

	// It renders, plots and all.
	var page bytes.Buffer
	if err := report.HTML(&page, c); err != nil {
		t.Fatalf("report.HTML(dossier) = %v", err)
	}
	if n := strings.Count(page.String(), "<svg"); n != 4 {
		t.Errorf("report of the dossier has %d <svg, want 4 (RTT, operator, provenance, map)", n)
	}
	for _, want := range []string{"ap-northeast ≤ 3,348 km", "Daniel Brooks", "below the fibre minimum"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("report of the dossier does not contain %q", want)
		}
	}
	p, err := report.RenderPlots(c)
	must(t, err)
	if p.RTT == "" || p.Operator == "" || p.Provenance == "" || p.Map == "" {
		t.Errorf("RenderPlots(dossier) left a plot empty: RTT %d, Operator %d, Provenance %d, Map %d bytes", len(p.RTT), len(p.Operator), len(p.Provenance), len(p.Map))
	}
}

func TestWorkerSeveralDevices(t *testing.T) {
	ctx := t.Context()
	st := openSQLite(t)
	laptopFarm(t, st)
	enrol(t, st, "w-1", "d-2") // no heartbeat: named by its ID
	must(t, st.AddSamples(ctx, []store.RTTSample{
		{DeviceID: "d-2", Landmark: "us-west", At: now.Add(-time.Hour), RTT: 30 * time.Millisecond, Provenance: store.Agent},
		{DeviceID: "d-2", Landmark: "us-west", At: now.Add(-2 * time.Hour), RTT: 31 * time.Millisecond, Provenance: store.Agent},
	}))
	c, err := dossier.Worker(ctx, st, dossier.Config{Band: band, Now: func() time.Time { return now }}, "w-1")
	if err != nil {
		t.Fatalf("Worker(w-1) = %v", err)
	}
	var got []string
	for _, s := range c.RTT {
		got = append(got, fmt.Sprintf("%s: %d", s.Landmark, len(s.Samples)))
	}
	want := []string{"ap-northeast (laptop-1): 72", "us-west (d-2, agent-reported): 2", "us-west (laptop-1): 72"}
	if !slices.Equal(got, want) {
		t.Errorf("RTT series = %q, want %q", got, want)
	}
	if c.RTT[1].ThresholdMs != 0 {
		t.Errorf("d-2's series has threshold %v, want 0: its verdict has no finding (2 samples)", c.RTT[1].ThresholdMs)
	}
	// The us-west disk uses the smallest RTT of either device, and says
	// it is agent-reported.
	if len(c.Map.Disks) != 2 || c.Map.Disks[1].Label != "us-west ≤ 2,998 km (agent-reported)" || c.Map.Disks[1].RadiusKm != geo.MaxDistance(30*time.Millisecond) {
		t.Errorf("Map.Disks = %+v, want us-west from d-2's 30 ms, agent-reported", c.Map.Disks)
	}
	if len(c.Subject.Devices) != 2 {
		t.Errorf("Subject.Devices = %+v, want d-1 and d-2", c.Subject.Devices)
	}
	if c.Map.IP != nil {
		t.Errorf("Map.IP = %v without a locator, want nil", c.Map.IP)
	}
}

func TestWorkerThinsLongSeries(t *testing.T) {
	st := openSQLite(t)
	laptopFarm(t, st)
	c, err := dossier.Worker(t.Context(), st, dossier.Config{Band: band, MaxSamples: 30, Now: func() time.Time { return now }}, "w-1")
	if err != nil {
		t.Fatalf("Worker(w-1) = %v", err)
	}
	for _, s := range c.RTT {
		if len(s.Samples) != 30 {
			t.Errorf("%s has %d samples, want MaxSamples 30", s.Landmark, len(s.Samples))
		}
		if !slices.IsSortedFunc(s.Samples, func(a, b report.RTTSample) int { return a.At.Compare(b.At) }) {
			t.Errorf("%s: thinned samples are not oldest first", s.Landmark)
		}
		// The picks span the series: the newest (h = 0) and next to
		// the oldest (h = 70, the first of the minima, replaces h = 71).
		if first, last := s.Samples[0].At, s.Samples[len(s.Samples)-1].At; last.Sub(first) < 70*time.Hour {
			t.Errorf("%s: thinned samples span %v, want at least 70 h of the 71 h", s.Landmark, last.Sub(first))
		}
		if low := slices.MinFunc(s.Samples, func(a, b report.RTTSample) int { return int(a.RTT - b.RTT) }).RTT; low != minUSWest && low != minAPNorth {
			t.Errorf("%s: thinned minimum %v, want the series' minimum kept", s.Landmark, low)
		}
	}
	if c.Map.Disks[0].RadiusKm != geo.MaxDistance(minAPNorth) {
		t.Errorf("disk of a thinned series = %v km, want %v", c.Map.Disks[0].RadiusKm, geo.MaxDistance(minAPNorth))
	}
}

func TestWorkerWithoutEvidence(t *testing.T) {
	ctx := t.Context()
	st := openSQLite(t)
	must(t, st.PutWorker(ctx, store.Worker{ID: "w-new", ClaimedLocation: "Nowhereville, Atlantis"}))
	c, err := dossier.Worker(ctx, st, dossier.Config{Band: band}, "w-new")
	if err != nil {
		t.Fatalf("Worker(w-new) = %v", err)
	}
	if c.ID != "w-new" || c.Subject.ClaimedPoint != nil || c.Map.Claimed != nil || len(c.RTT)+len(c.Map.Disks)+len(c.Provenance)+len(c.Operator)+len(c.Subject.Devices) != 0 {
		t.Errorf("Worker(w-new) = %+v, want only the subject, no claimed point (the place does not resolve)", c)
	}
	p, err := report.RenderPlots(c)
	if err != nil || p != (report.Plots{}) {
		t.Errorf("RenderPlots(empty dossier) = %+v, %v; want no plots", p, err)
	}
}

func TestWorkerErrors(t *testing.T) {
	st := openSQLite(t)
	_, err := dossier.Worker(t.Context(), st, dossier.Config{Band: band}, "nobody")
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), `"nobody"`) {
		t.Errorf("Worker(nobody) = %v, want an error wrapping store.ErrNotFound naming the worker", err)
	}
	_, err = dossier.Worker(t.Context(), st, dossier.Config{}, "nobody")
	if err == nil || !strings.Contains(err.Error(), "Band") {
		t.Errorf("Worker without a band = %v, want an error naming Config.Band", err)
	}
}

// openLocator opens a locator on a city database that places 8.8.8.0/24
// in Mountain View, like DB-IP's.
func openLocator(t *testing.T) *ipgeo.Locator {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "city ipv4", IPVersion: 4, RecordSize: 28, DisableIPv4Aliasing: true, IncludeReservedNetworks: true})
	must(t, err)
	_, network, err := net.ParseCIDR("8.8.8.0/24")
	must(t, err)
	must(t, tree.Insert(network, mmdbtype.Map{
		"country_code": mmdbtype.String("US"), "state1": mmdbtype.String("California"), "state2": mmdbtype.String(""),
		"city": mmdbtype.String("Mountain View"), "postcode": mmdbtype.String(""),
		"latitude": mmdbtype.Float32(37.422), "longitude": mmdbtype.Float32(-122.085), "timezone": mmdbtype.String(""),
	}))
	path := filepath.Join(t.TempDir(), "dbip-city-ipv4.mmdb")
	f, err := os.Create(path)
	must(t, err)
	_, err = tree.WriteTo(f)
	must(t, errors.Join(err, f.Close()))
	l, err := ipgeo.Open(path)
	must(t, err)
	t.Cleanup(func() { l.Close() })
	return l
}

// TestWorkerPostgres builds the laptop-farm dossier from PostgreSQL when
// LAGWATCH_TEST_POSTGRES names a server (an admin URL such as
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable): one fresh
// database for the test, dropped after it.
func TestWorkerPostgres(t *testing.T) {
	admin := os.Getenv("LAGWATCH_TEST_POSTGRES")
	if admin == "" {
		t.Skip("LAGWATCH_TEST_POSTGRES not set")
	}
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Skipf("LAGWATCH_TEST_POSTGRES is not a postgres:// URL: %v", err)
	}
	name := "lagwatch_test_dossier_" + strings.ToLower(rand.Text())
	adminExec(t, admin, "CREATE DATABASE "+name)
	t.Cleanup(func() { adminExec(t, admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	u.Path = "/" + name
	st, err := postgres.Open(t.Context(), u.String(), nil)
	if err != nil {
		t.Fatalf("open fresh database: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	laptopFarm(t, st)
	checkLaptopFarm(t, st)
}

// adminExec runs one statement on a connection of its own; not with
// t.Context, which t.Cleanup runs after.
func adminExec(t *testing.T, admin, sql string) {
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
