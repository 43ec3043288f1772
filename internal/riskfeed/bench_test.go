package riskfeed_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/agent"
	"github.com/lagwatch/lagwatch/internal/geo"
	"github.com/lagwatch/lagwatch/internal/hiring"
	"github.com/lagwatch/lagwatch/internal/ingest"
	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/presence"
	"github.com/lagwatch/lagwatch/internal/relay"
	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/riskfeed"
	"github.com/lagwatch/lagwatch/internal/screen"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// BenchmarkRisks times riskfeed.Risks, what every dashboard page and
// every alerter pass runs, over the evidence window they use (7 days,
// alerts.DefaultWindow) on a SQLite store holding a week of a fleet's
// telemetry (see buildFleet). Each fleet is built once, outside the timed
// part; the benchmark reports the store's size on disk (db-MB) and how
// long the fleet took to build (build-s).
//
// A fleet takes about 8 s and 58 MB of disk per worker to build, so the
// default is 10 workers (under 2 minutes in all). LAGWATCH_BENCH_FLEET=large
// adds 100 workers (about 17 minutes to build, 6 GB of disk and 100 s per
// evaluation: run with -timeout 60m); LAGWATCH_BENCH_FLEET may also list
// sizes, e.g. "10,500". LAGWATCH_BENCH_DIR keeps the fleets for the next
// run (see fleetPath); build-s is then the time to open a kept one.
func BenchmarkRisks(b *testing.B) {
	sizes, err := fleetSizes(os.Getenv("LAGWATCH_BENCH_FLEET"))
	if err != nil {
		b.Fatal(err)
	}
	for _, w := range sizes {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			ctx := context.Background()
			path, kept := fleetPath(b, w)
			st, err := store.Open(ctx, path, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			start := time.Now()
			if kept {
				b.Logf("fleet of %d workers kept in %s, built %v ago", w, path, fleetAge(b, path).Round(time.Second))
			} else {
				stats := buildFleet(ctx, b, st, w, time.Now())
				b.Logf("fleet of %d workers built in %v: %s", w, time.Since(start).Round(time.Millisecond), stats)
			}
			built := time.Since(start)
			checkRelayBlocks(ctx, b, st, "dev-0000")
			size := dbSize(b, path)
			cfg := risk.DefaultConfig()
			b.ReportAllocs()
			b.ResetTimer()
			var rs []risk.Risk
			for b.Loop() {
				rs, err = riskfeed.Risks(ctx, st, nil, 7*24*time.Hour, cfg)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if got := countWorkers(rs); got != w {
				b.Fatalf("Risks returned risks of %d workers; want %d", got, w)
			}
			b.ReportMetric(float64(size)/(1<<20), "db-MB")
			b.ReportMetric(built.Seconds(), "build-s")
		})
	}
}

// fleetPath returns where the fleet of w workers is stored, and whether
// it is there already: in a temporary directory, or, when
// LAGWATCH_BENCH_DIR names a directory, in fleet-<w>.db there, kept for
// the next run. A kept fleet ages: its week ends when it was built, so
// reuse it within the hour for comparable runs. It must have been built by
// the same schema and agent defaults as the code under test.
func fleetPath(b *testing.B, w int) (string, bool) {
	dir := os.Getenv("LAGWATCH_BENCH_DIR")
	if dir == "" {
		return filepath.Join(b.TempDir(), "lagwatch.db"), false
	}
	path := filepath.Join(dir, fmt.Sprintf("fleet-%d.db", w))
	_, err := os.Stat(path)
	return path, err == nil
}

// fleetAge returns how long ago the fleet stored at path was written.
func fleetAge(b *testing.B, path string) time.Duration {
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return time.Since(fi.ModTime())
}

// fleetSizes returns the fleet sizes LAGWATCH_BENCH_FLEET asks for: 10
// when it is empty, 10 and 100 for "large", else its comma-separated
// sizes.
func fleetSizes(env string) ([]int, error) {
	switch env {
	case "":
		return []int{10}, nil
	case "large":
		return []int{10, 100}, nil
	}
	var sizes []int
	for f := range strings.SplitSeq(env, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 10000 {
			return nil, fmt.Errorf("LAGWATCH_BENCH_FLEET=%q: want empty, \"large\" or comma-separated fleet sizes from 1 to 10000", env)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

// checkRelayBlocks fails unless every stored window of device id carries a
// relay block that FromRelay reads and uses.
func checkRelayBlocks(ctx context.Context, b *testing.B, st *store.Store, id string) {
	b.Helper()
	ws, err := st.Windows(ctx, id, time.Time{}, time.Time{})
	if err != nil {
		b.Fatal(err)
	}
	var warnings []string
	riskfeed.FromRelay(id, ws, func(s string) { warnings = append(warnings, s) })
	if len(ws) == 0 || len(warnings) > 0 {
		b.Fatalf("device %s: %d windows, relay warnings %q; want windows with valid relay blocks", id, len(ws), warnings)
	}
}

// countWorkers counts the risks about workers.
func countWorkers(rs []risk.Risk) int {
	n := 0
	for _, r := range rs {
		if r.Subject.Kind == risk.KindWorker {
			n++
		}
	}
	return n
}

// dbSize returns the size of the SQLite database at path with its WAL and
// shared-memory files.
func dbSize(b *testing.B, path string) int64 {
	b.Helper()
	var n int64
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
		n += fi.Size()
	}
	return n
}

// fleetLandmarks are the landmark servers of the fleet, those of lagwatch
// demo. The agent probes every one of them each round.
var fleetLandmarks = []store.Landmark{
	{Name: "us-west", Location: "Los Angeles, CA, US", Lat: 34.05, Lon: -118.24},
	{Name: "eu-central", Location: "Frankfurt, DE", Lat: 50.11, Lon: 8.68},
	{Name: "ap-northeast", Location: "Tokyo, JP", Lat: 35.68, Lon: 139.69},
}

// fleetPlaces are the claimed work locations the workers are spread over,
// with the UTC offset their working day is in.
var fleetPlaces = []struct {
	name     string
	lat, lon float64
	utc      int // hours
}{
	{"Phoenix, AZ, US", 33.45, -112.07, -7},
	{"Chicago, IL, US", 41.88, -87.63, -6},
	{"New York, NY, US", 40.71, -74.01, -5},
	{"São Paulo, BR", -23.55, -46.63, -3},
	{"London, GB", 51.51, -0.13, 0},
	{"Berlin, DE", 52.52, 13.40, 1},
	{"Warsaw, PL", 52.23, 21.01, 1},
	{"Bengaluru, IN", 12.97, 77.59, 5},
	{"Manila, PH", 14.60, 120.98, 8},
	{"Sydney, AU", -33.87, 151.21, 10},
}

// fleetAccess are the declared access types, "" for undeclared.
var fleetAccess = []string{"", "fibre", "cable", "dsl", "cable", "mobile"}

// fleetKeyboard is the keyboard every device types on.
var fleetKeyboard = []keystroke.Device{{Number: 0, Source: "evdev", Name: "Logitech USB Keyboard", Prov: keystroke.ProvPhysical,
	Bus: "usb", VendorID: 0x046d, ProductID: 0xc31c, Path: "/dev/input/event3"}}

// fleetStats counts what buildFleet stored.
type fleetStats struct {
	batches, samples, windows, reports, keys int
}

func (s fleetStats) String() string {
	return fmt.Sprintf("%d batches, %d RTT samples, %d input windows (%d strokes), %d endpoint reports",
		s.batches, s.samples, s.windows, s.keys, s.reports)
}

// fleetDevice is one simulated device: its worker, its agent's input
// pipeline (kept across windows, as the agent keeps it) and its path to
// each landmark.
type fleetDevice struct {
	id, worker, ip string
	utc            time.Duration // the worker's UTC offset
	minRTT         []float64     // ms, to each landmark: the path's floor
	rng            *rand.Rand
	wd             *keystroke.Windower
	rx             relay.LiveExtractor
}

// buildFleet stores workers workers, each with one enrolled device, and
// the week of telemetry up to now that the device's agent (one round a
// minute, agent.DefaultInterval, to each of the three landmarks; an
// endpoint report every agent.DefaultEndpointInterval; input windows of
// keystroke.DefaultWindow) and the landmarks' ingest would have stored.
// Everything is encoded as the agent sends it, decoded with wire.DecodeBatch
// and converted as ingest converts it, and stored with SaveBatch (one call
// per batch, as ingest makes) and AddSamples (the server-measured
// samples), minute by minute across the fleet so that the rows of one
// device are spread over the tables as live ingest spreads them.
//
// One simulated day of one device holds, for each of the 3 landmarks,
// 1,440 rounds of 5 probes: 1,440 batches of 5 agent-reported samples
// and a heartbeat, 7,200 server-app samples and 1,440 server-tcp samples
// (one a round: ingest reads the kernel RTT at most once a second per
// connection); 1,440 endpoint reports (a laptop with a USB keyboard and
// mouse, a webcam, a Bluetooth controller, its panel and an external
// monitor; no remote-access tool), each its own batch, with a server-tcp
// sample at the landmark the agent uploads to; and, on working days
// (Monday to Friday, 09:00 to 17:00 in the worker's time zone), 480 input
// windows of 5 to 300 strokes of synthetic local typing with their relay
// block, each its own batch with a server-tcp sample. So a working day is
// 6,240 batches and 49,440 RTT samples per device and a weekend day 5,760
// batches and 48,960 samples; a week is 42,720 batches, 345,120 samples,
// 2,400 windows and 10,080 endpoint reports, about 58 MB of SQLite.
//
// Besides telemetry each worker has a claimed location (one of
// fleetPlaces) and declared access, the application they were hired from
// with its screening, an identity-provider account and a presence
// enrolment before the window and one challenge in it; one worker in ten
// has two identity-provider findings in the window.
func buildFleet(ctx context.Context, tb testing.TB, st *store.Store, workers int, now time.Time) fleetStats {
	tb.Helper()
	const days = 7
	end := now.UTC().Truncate(time.Minute)
	begin := end.Add(-days * 24 * time.Hour)
	for _, l := range fleetLandmarks {
		l.SeenAt = end
		if err := st.PutLandmark(ctx, l); err != nil {
			tb.Fatal(err)
		}
	}
	devs := make([]*fleetDevice, workers)
	for i := range devs {
		devs[i] = enrolFleetWorker(ctx, tb, st, i, begin, end)
	}
	// One goroutine simulates the agents and encodes and decodes their
	// batches while this one stores them, minute by minute.
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	minutes := make(chan fleetMinute, 16)
	wg.Go(func() {
		defer close(minutes)
		for t := begin; t.Before(end); t = t.Add(time.Minute) {
			var m fleetMinute
			for _, d := range devs {
				if m.err = d.minute(t, &m); m.err != nil {
					break
				}
			}
			select {
			case minutes <- m:
			case <-ctx.Done():
				return
			}
			if m.err != nil {
				return
			}
		}
	})
	var stats fleetStats
	for m := range minutes {
		if m.err != nil {
			tb.Fatal(m.err)
		}
		for _, b := range m.batches {
			if stored, err := st.SaveBatch(ctx, b); err != nil || !stored {
				tb.Fatalf("SaveBatch(%s of %s) = %v, %v; want stored", b.ID, b.DeviceID, stored, err)
			}
			stats.batches++
			stats.samples += len(b.Samples)
			stats.windows += len(b.Windows)
			if b.Endpoint != nil {
				stats.reports++
			}
		}
		if err := st.AddSamples(ctx, m.server); err != nil {
			tb.Fatal(err)
		}
		stats.samples += len(m.server)
		stats.keys += m.keys
	}
	return stats
}

// fleetMinute is what the fleet sends in one minute: the batches of every
// device as ingest stores them, and the samples the landmarks measure.
type fleetMinute struct {
	batches []store.Batch
	server  []store.RTTSample
	keys    int // strokes in the batches' windows
	err     error
}

// enrolFleetWorker stores worker i with its application, account, presence
// sessions and IdP findings, enrols its device and returns the device.
func enrolFleetWorker(ctx context.Context, tb testing.TB, st *store.Store, i int, begin, end time.Time) *fleetDevice {
	tb.Helper()
	pl := fleetPlaces[i%len(fleetPlaces)]
	w := store.Worker{ID: fmt.Sprintf("w-%04d", i), Name: fmt.Sprintf("Worker %d", i), ClaimedLocation: pl.name,
		Lat: pl.lat, Lon: pl.lon, Access: fleetAccess[i%len(fleetAccess)]}
	if err := st.PutWorker(ctx, w); err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(i), 0x1a6))
	d := &fleetDevice{id: fmt.Sprintf("dev-%04d", i), worker: w.ID, ip: fmt.Sprintf("198.18.%d.%d", i/250, i%250+1),
		utc: time.Duration(pl.utc) * time.Hour, rng: rng, wd: keystroke.NewWindower(false)}
	for _, l := range fleetLandmarks {
		km := geo.Distance(geo.Point{Lat: w.Lat, Lon: w.Lon}, geo.Point{Lat: l.Lat, Lon: l.Lon})
		// Fibre carries light 100 km per ms of RTT; routes are longer than
		// great circles, and the last mile adds its own.
		d.minRTT = append(d.minRTT, km/100*1.4+2+8*rng.Float64())
	}

	enrolled := begin.Add(-30 * 24 * time.Hour)
	tok := sha256.Sum256([]byte("token-" + d.id))
	cred := sha256.Sum256([]byte("cred-" + d.id))
	seed := sha256.Sum256([]byte("key-" + d.id))
	pub := ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)
	if err := st.CreateEnrolmentToken(ctx, tok[:], w.ID, enrolled.Add(time.Hour)); err != nil {
		tb.Fatal(err)
	}
	if _, err := st.Enrol(ctx, tok[:], store.Device{ID: d.id, Hostname: "laptop-" + w.ID, OS: "linux/amd64", AgentVersion: "1.4.0",
		LastIP: d.ip, PublicKey: pub}, cred[:], enrolled); err != nil {
		tb.Fatal(err)
	}

	// The application the worker was hired from, screened at import.
	appID := fmt.Sprintf("app-%04d", i)
	res := screen.Result{ApplicantID: appID, Level: screen.LevelLow, Evidence: []screen.Evidence{}}
	if i%10 == 3 {
		res.Level, res.Score = screen.LevelReview, 2
		res.Evidence = append(res.Evidence, screen.Evidence{Check: "phone.voip", Weight: 2, Sentence: "phone " + appID + " is a VoIP number"})
	}
	body, err := json.Marshal(res)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := st.SaveApplicants(ctx, store.ApplicantBatch{ImportID: "imp-" + appID, Source: "greenhouse.csv", At: enrolled.Add(-14 * 24 * time.Hour),
		Applicants: []store.StoredApplicant{{Applicant: hiring.Applicant{ID: appID, Name: w.Name, ClaimedLocation: pl.name,
			Emails: []string{fmt.Sprintf("worker%d@mail.example", i)}}, Score: res.Score, Level: res.Level, Result: body}}}); err != nil {
		tb.Fatal(err)
	}
	login := fmt.Sprintf("worker%d@corp.example", i)
	for _, l := range []store.WorkerLink{{WorkerID: w.ID, Kind: store.LinkApplicant, Ref: appID}, {WorkerID: w.ID, Kind: store.LinkAccount, Ref: login}} {
		if err := st.LinkWorker(ctx, l); err != nil {
			tb.Fatal(err)
		}
	}

	// Presence: the enrolment, and one challenge this week.
	reactions := func() []time.Duration {
		out := make([]time.Duration, 12)
		for k := range out {
			out[k] = time.Duration(330+rng.IntN(120)) * time.Millisecond
		}
		return out
	}
	for k, s := range []presence.Session{
		{ID: fmt.Sprintf("ps-%04d-enrol", i), Enrol: true, Finished: enrolled.Add(time.Hour),
			Result: presence.Result{Verdict: presence.Consistent, Baseline: "population"}},
		{ID: fmt.Sprintf("ps-%04d-1", i), Finished: end.Add(-time.Duration(1+rng.IntN(6*24)) * time.Hour),
			Result: presence.Result{Verdict: presence.Consistent, Baseline: "worker"}},
	} {
		s.WorkerID, s.Started, s.Reactions = w.ID, s.Finished.Add(-2*time.Minute), reactions()
		s.PageRTT, s.ClientRTT = time.Duration(d.minRTT[0]*float64(time.Millisecond)), time.Duration(d.minRTT[0]*1.1*float64(time.Millisecond))
		s.Result.Prompts, s.Result.Valid = len(s.Reactions), len(s.Reactions)
		s.Result.Explanation = fmt.Sprintf("challenge %d of %s", k, w.ID)
		if err := st.SaveSession(ctx, s); err != nil {
			tb.Fatal(err)
		}
	}
	if i%10 == 7 {
		var fs []store.IdPFinding
		for k := range 2 {
			fs = append(fs, store.IdPFinding{WorkerID: w.ID, Kind: "idp.shared-egress", At: end.Add(-time.Duration(10+30*k) * time.Hour),
				Explanation: login + " signed in from an address another worker used", Refs: []string{fmt.Sprintf("okta-%d-%d", i, k)}})
		}
		if _, err := st.SaveIdPFindings(ctx, fs); err != nil {
			tb.Fatal(err)
		}
	}
	return d
}

// minute adds to m what device d's agent sends in the minute from t, and
// the samples the landmarks measure.
func (d *fleetDevice) minute(t time.Time, m *fleetMinute) error {
	// One round per landmark: the agent's probe loops tick together.
	for li, l := range fleetLandmarks {
		at := t.Add(time.Duration(d.rng.IntN(200)) * time.Millisecond)
		var samples []wire.Sample
		for k := range agent.DefaultProbes {
			rtt := d.minRTT[li] + d.rng.ExpFloat64()*2 // queueing
			srv := time.Duration(rtt * float64(time.Millisecond)).Round(time.Microsecond)
			m.server = append(m.server, store.RTTSample{DeviceID: d.id, Landmark: l.Name, At: at, RTT: srv, Provenance: store.ServerApp})
			if k == 0 {
				tcp := time.Duration((d.minRTT[li] + 0.2*d.rng.Float64()) * float64(time.Millisecond)).Round(time.Microsecond)
				m.server = append(m.server, store.RTTSample{DeviceID: d.id, Landmark: l.Name, At: at, RTT: tcp, Provenance: store.ServerTCP})
			}
			// The agent's own timing adds its scheduling.
			samples = append(samples, wire.Sample{Landmark: l.Name, At: at, RTTMicros: (srv + time.Duration(200+d.rng.IntN(800))*time.Microsecond).Microseconds()})
			at = at.Add(2*srv + 2*time.Millisecond)
		}
		err := d.send(m, wire.Batch{Version: wire.Version, BatchID: d.batchID(), Samples: samples,
			Heartbeat: &wire.Heartbeat{At: at, Hostname: "laptop-" + d.worker, OS: "linux/amd64", AgentVersion: "1.4.0"}}, at.Add(50*time.Millisecond))
		if err != nil {
			return err
		}
	}
	// The endpoint loop has its own phase.
	at := t.Add(20 * time.Second)
	if err := d.send(m, wire.Batch{Version: wire.Version, BatchID: d.batchID(), Endpoint: fleetEndpoint(at, d.worker)}, at.Add(150*time.Millisecond)); err != nil {
		return err
	}
	m.server = append(m.server, d.tcpSample(at))
	if w, ok := d.typing(t); ok {
		m.keys += w.Keys
		received := w.End.Add(300 * time.Millisecond)
		if err := d.send(m, wire.Batch{Version: wire.Version, BatchID: w.WindowID, Windows: []wire.InputWindow{w}}, received); err != nil {
			return err
		}
		m.server = append(m.server, d.tcpSample(received))
	}
	return nil
}

// tcpSample is the server-tcp sample ingest takes when a batch arrives at
// the first landmark, where the agent uploads.
func (d *fleetDevice) tcpSample(at time.Time) store.RTTSample {
	rtt := time.Duration((d.minRTT[0] + 0.2*d.rng.Float64()) * float64(time.Millisecond)).Round(time.Microsecond)
	return store.RTTSample{DeviceID: d.id, Landmark: fleetLandmarks[0].Name, At: at, RTT: rtt, Provenance: store.ServerTCP}
}

// batchID returns a batch ID like the agent's: 26 characters of base32.
func (d *fleetDevice) batchID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], d.rng.Uint64())
	binary.LittleEndian.PutUint64(b[8:], d.rng.Uint64())
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])[:26]
}

// send encodes b as the agent does, decodes it as ingest does at received
// and adds it to m converted as ingest converts it (ingest.StoreBatch).
func (d *fleetDevice) send(m *fleetMinute, b wire.Batch, received time.Time) error {
	body, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("encode batch %s of %s: %w", b.BatchID, d.id, err)
	}
	wb, err := wire.DecodeBatch(body, received)
	if err != nil {
		return fmt.Errorf("decode batch %s of %s at %v: %w", b.BatchID, d.id, received, err)
	}
	sb, err := ingest.StoreBatch(d.id, wb, received, d.ip)
	if err != nil {
		return fmt.Errorf("convert batch %s of %s: %w", b.BatchID, d.id, err)
	}
	m.batches = append(m.batches, sb)
	return nil
}

// fleetEndpoint is the endpoint report of an ordinary laptop with an
// external monitor, taken at at.
func fleetEndpoint(at time.Time, worker string) *wire.EndpointReport {
	return &wire.EndpointReport{At: at, RemoteTools: []wire.RemoteTool{},
		USB: []wire.USBDevice{
			{Path: "1-1", VendorID: "046d", ProductID: "c31c", Manufacturer: "Logitech", Product: "USB Keyboard", HID: true},
			{Path: "1-2", VendorID: "046d", ProductID: "c077", Manufacturer: "Logitech", Product: "USB Optical Mouse", HID: true},
			{Path: "1-5", VendorID: "0c45", ProductID: "6a09", Manufacturer: "Sonix Technology Co., Ltd.", Product: "Integrated_Webcam_HD"},
			{Path: "1-10", VendorID: "8087", ProductID: "0033"},
		},
		Displays: []wire.Display{
			{Connector: "card0-eDP-1", Manufacturer: "BOE", ProductCode: "0974"},
			{Connector: "card0-HDMI-A-1", Manufacturer: "DEL", ProductCode: "a0ec", Name: "DELL P2419H", Serial: "CFV9N9" + worker[len(worker)-3:]},
		},
	}
}

// typing returns the input window of the minute from t when the worker is
// at work then: the strokes of synthetic local typing folded by the
// agent's windower and relay extractor, in the wire form the agent sends.
func (d *fleetDevice) typing(t time.Time) (wire.InputWindow, bool) {
	local := t.Add(d.utc)
	if wd := local.Weekday(); wd == time.Saturday || wd == time.Sunday || local.Hour() < 9 || local.Hour() >= 17 {
		return wire.InputWindow{}, false
	}
	r := d.rng
	var n int // strokes this minute: some minutes are reading, some writing
	switch p := r.IntN(10); {
	case p < 2:
		n = 5 + r.IntN(25)
	case p < 7:
		n = 30 + r.IntN(120)
	default:
		n = 150 + r.IntN(150)
	}
	// Presses on the agent's monotonic clock; the windower and the relay
	// extractor see them in the order the reader reports them, at release.
	origin := time.Duration(t.UnixNano())
	at := origin + time.Duration(r.IntN(3000))*time.Millisecond
	limit := origin + time.Minute - 300*time.Millisecond
	ev := make([]keystroke.Event, 0, n)
	for range n {
		at += time.Duration(80+r.IntN(170)) * time.Millisecond
		if r.IntN(40) == 0 {
			at += time.Duration(r.IntN(3000)) * time.Millisecond
		}
		if at >= limit {
			break
		}
		ev = append(ev, keystroke.Event{Press: at, Release: at + time.Duration(50+r.IntN(70))*time.Millisecond, Class: fleetClass(r)})
	}
	if len(ev) == 0 {
		return wire.InputWindow{}, false
	}
	slices.SortStableFunc(ev, func(a, b keystroke.Event) int { return int(a.Release - b.Release) })
	for _, e := range ev {
		d.wd.Add(e)
		d.rx.Add(e)
	}
	w := d.wd.Cut(t, t.Add(keystroke.DefaultWindow))
	f := d.rx.Cut()
	ww := agent.WireWindow("evdev", w, fleetKeyboard)
	ww.Relay = wire.NewRelayFeatures(&f)
	return ww, true
}

// fleetClass draws a key class with the frequencies of prose typing.
func fleetClass(r *rand.Rand) keystroke.Class {
	switch p := r.IntN(100); {
	case p < 70:
		return keystroke.ClassLetter
	case p < 85:
		return keystroke.ClassSpace
	case p < 90:
		return keystroke.ClassBackspace
	case p < 94:
		return keystroke.ClassPunctuation
	case p < 96:
		return keystroke.ClassEnter
	case p < 98:
		return keystroke.ClassModifier
	default:
		return keystroke.ClassDigit
	}
}
