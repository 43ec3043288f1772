package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/analyze"
	"github.com/lagwatch/lagwatch/internal/geo"
	"github.com/lagwatch/lagwatch/internal/ipgeo"
	"github.com/lagwatch/lagwatch/internal/latency"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/web"
)

var screenshot = flag.String("screenshot", "", "write a PNG of the dashboard to this path (needs chromium on PATH)")

var (
	losAngeles = store.Landmark{Name: "us-west", Location: "Los Angeles, CA, US", Lat: 34.05, Lon: -118.24}
	ashburn    = store.Landmark{Name: "us-east", Location: "Ashburn, VA, US", Lat: 39.04, Lon: -77.49}
	computedAt = time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC)
)

// fixture is one device's made-up worker, device and measurements.
type fixture struct {
	worker store.Worker
	device store.Device
	ip     ipgeo.Location
	rtts   map[store.Landmark]float64 // landmark → minimum RTT in ms
	count  int
	prov   store.Provenance
	want   latency.Status
}

var fixtures = []fixture{
	{
		// Honest: at home in Phoenix on cable; both landmarks fit.
		worker: store.Worker{ID: "w-1", Name: "Alice Honest", ClaimedLocation: "Phoenix, AZ, US", Lat: 33.45, Lon: -112.07, Access: "cable"},
		device: store.Device{ID: "d-1", WorkerID: "w-1", Hostname: "alice-laptop", LastSeen: computedAt.Add(-3 * time.Minute), LastIP: "70.176.3.21"},
		ip:     ipgeo.Location{Country: "US", Region: "Arizona", City: "Phoenix", Source: ipgeo.SourceMMDB},
		rtts:   map[store.Landmark]float64{losAngeles: 20, ashburn: 62},
		count:  40, prov: store.ServerTCP, want: latency.Consistent,
	},
	{
		// Claims Phoenix, answers Los Angeles in 172 ms: traffic detours.
		worker: store.Worker{ID: "w-2", Name: "Mallory Relay", ClaimedLocation: "Phoenix, AZ, US", Lat: 33.45, Lon: -112.07, Access: "cable"},
		device: store.Device{ID: "d-2", WorkerID: "w-2", Hostname: "mallory-farm-07", LastSeen: computedAt.Add(-time.Hour), LastIP: "68.104.12.9"},
		ip:     ipgeo.Location{Country: "US", Region: "Arizona", City: "Phoenix", Source: ipgeo.SourceMMDB},
		rtts:   map[store.Landmark]float64{losAngeles: 172},
		count:  40, prov: store.ServerTCP, want: latency.TooSlow,
	},
	{
		// Claims Austin but answers Los Angeles in 9 ms: faster than light
		// allows from Austin.
		worker: store.Worker{ID: "w-3", Name: "Oscar Elsewhere", ClaimedLocation: "Austin, TX, US", Lat: 30.27, Lon: -97.74},
		device: store.Device{ID: "d-3", WorkerID: "w-3", Hostname: "oscar-pc", LastSeen: computedAt.Add(-10 * time.Minute), LastIP: "172.58.4.20"},
		ip:     ipgeo.Location{Country: "US", Source: ipgeo.SourceIPLoc},
		rtts:   map[store.Landmark]float64{losAngeles: 9, ashburn: 68},
		count:  12, prov: store.Agent, want: latency.Impossible,
	},
	{
		// Never reported: no verdict. Lab address; hostile name.
		worker: store.Worker{ID: "w-4", Name: "Eve <script>alert(1)</script>", ClaimedLocation: "Boise, ID, US", Lat: 43.62, Lon: -116.2},
		device: store.Device{ID: "d-4", WorkerID: "w-4", LastIP: "10.0.0.5"},
		ip:     ipgeo.Location{Source: ipgeo.SourceReserved},
		want:   latency.Insufficient,
	},
}

// verdicts assesses the fixtures with the default band, in fixture order.
func verdicts(t testing.TB) []analyze.DeviceVerdict {
	t.Helper()
	band, err := latency.DefaultBand()
	if err != nil {
		t.Fatal(err)
	}
	var out []analyze.DeviceVerdict
	for _, f := range fixtures {
		var sum []store.LandmarkRTT
		var lms []store.Landmark
		for lm, rtt := range f.rtts {
			lms = append(lms, lm)
			sum = append(sum, store.LandmarkRTT{
				Landmark: lm.Name, Provenance: f.prov, Count: f.count,
				Min:   time.Duration(rtt * float64(time.Millisecond)),
				First: computedAt.Add(-8 * time.Hour), Last: computedAt.Add(-5 * time.Minute),
			})
		}
		access, err := latency.ParseAccess(f.worker.Access)
		if err != nil {
			t.Fatal(err)
		}
		claim := latency.Claim{
			Place: f.worker.ClaimedLocation, Point: geo.Point{Lat: f.worker.Lat, Lon: f.worker.Lon},
			Access: access, AccessDeclared: f.worker.Access != "",
		}
		v := band.Assess(claim, analyze.Observations(sum, lms, 0, nil), latency.Options{})
		if v.Status != f.want {
			t.Fatalf("fixture %s: Assess status = %s, want %s (%s)", f.worker.ID, v.Status, f.want, v.Summary)
		}
		out = append(out, analyze.DeviceVerdict{Worker: f.worker, Device: f.device, Verdict: v, IP: f.ip, ComputedAt: computedAt})
	}
	return out
}

// wantOrder is the display order of the fixtures' workers.
var wantOrder = []string{"w-3", "w-2", "w-1", "w-4"}

// lockedBuffer collects log output written by server goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serve starts a Handler over cfg and returns its URL and its log.
func serve(t *testing.T, cfg web.Config) (string, *lockedBuffer) {
	t.Helper()
	logs := &lockedBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, err := web.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL, logs
}

func serveVerdicts(t *testing.T, dvs []analyze.DeviceVerdict) string {
	t.Helper()
	url, _ := serve(t, web.Config{Verdicts: func(context.Context) ([]analyze.DeviceVerdict, error) { return dvs, nil }})
	return url
}

func do(t *testing.T, method, url string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// escaped returns s as html/template writes it in text.
func escaped(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	if err := template.Must(template.New("").Parse("{{.}}")).Execute(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// rows splits the dashboard into its device rows, keyed by worker ID, and
// returns the worker IDs in page order.
func rows(t *testing.T, body string) (map[string]string, []string) {
	t.Helper()
	byID := map[string]string{}
	var order []string
	parts := strings.Split(body, `<tbody class="device row-`)[1:]
	for _, p := range parts {
		for _, f := range fixtures {
			if strings.Contains(p, "<code>"+f.worker.ID+"</code>") {
				byID[f.worker.ID] = p
				order = append(order, f.worker.ID)
			}
		}
	}
	return byID, order
}

func TestDashboard(t *testing.T) {
	dvs := verdicts(t)
	url := serveVerdicts(t, dvs)
	resp, body := do(t, "GET", url+"/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d, want 200", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q, want text/html; charset=utf-8", ct)
	}

	byID, order := rows(t, body)
	if !slices.Equal(order, wantOrder) {
		t.Fatalf("rows in order %v, want %v", order, wantOrder)
	}
	if !strings.Contains(body, "4 devices: 2 flagged, 1 consistent, 1 without a verdict.") {
		t.Errorf("page lacks the counts line")
	}

	byWorker := map[string]analyze.DeviceVerdict{}
	for _, dv := range dvs {
		byWorker[dv.Worker.ID] = dv
	}
	badges := map[string]string{
		"w-1": `<span class="badge badge-ok">Consistent</span>`,
		"w-2": `<span class="badge badge-bad">Too slow</span>`,
		"w-3": `<span class="badge badge-bad">Impossible</span>`,
		"w-4": `<span class="badge badge-none">Insufficient</span>`,
	}
	for id, badge := range badges {
		row := byID[id]
		dv := byWorker[id]
		if !strings.Contains(row, badge) {
			t.Errorf("row %s lacks badge %s", id, badge)
		}
		for _, want := range []string{dv.Worker.ClaimedLocation, dv.Verdict.Summary} {
			if !strings.Contains(row, escaped(t, want)) {
				t.Errorf("row %s lacks %q", id, want)
			}
		}
		for _, line := range dv.Verdict.Explanation {
			if !strings.Contains(row, escaped(t, line)) {
				t.Errorf("row %s lacks explanation %q", id, line)
			}
		}
		for _, f := range dv.Verdict.Findings {
			for _, want := range []string{
				f.Landmark, f.Place,
				">" + msText(f.MinMs) + "<",
				">" + msText(f.ExpectedMs) + "<",
				">" + msText(f.ThresholdMs) + "<",
			} {
				if !strings.Contains(row, want) {
					t.Errorf("row %s, landmark %s: lacks %q", id, f.Landmark, want)
				}
			}
		}
	}

	for id, want := range map[string][]string{
		"w-1": {"Access: cable", "alice-laptop", "70.176.3.21", "Phoenix, Arizona, US", "40 samples, server-measured TCP", "Where physics puts the device", "which contains Phoenix"},
		"w-2": {">172 ms<", "40 samples, server-measured TCP", "mallory-farm-07", `datetime="2026-03-01T16:00:00Z"`, "2026-03-01 16:00 UTC"},
		"w-3": {"Access: undeclared", "12 samples, agent-reported", "lies outside it", ">Impossible<"},
		"w-4": {"reserved", "10.0.0.5", "Last seen never", "No landmark has enough samples yet."},
	} {
		for _, w := range want {
			if !strings.Contains(byID[id], w) {
				t.Errorf("row %s lacks %q", id, w)
			}
		}
	}

	// Escaping: the hostile worker name is text, and the page has no
	// scripts or inline styles at all (the CSP would block them).
	if !strings.Contains(body, "Eve &lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("page lacks the escaped worker name")
	}
	for _, bad := range []string{"<script", "style="} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	if !strings.Contains(body, `<a href="https://db-ip.com">IP Geolocation by DB-IP</a>`) {
		t.Errorf("page shows city data but lacks the DB-IP credit")
	}
	if !strings.Contains(body, `<a href="https://lite.ip2location.com">IP2Location LITE</a>`) {
		t.Errorf("page shows iploc data but lacks the IP2Location credit")
	}
	if !strings.Contains(body, `href="static/style.css"`) {
		t.Errorf("page does not link static/style.css")
	}
}

// msText formats milliseconds as the page (and package latency) does.
func msText(x float64) string {
	if x >= 10 {
		return fmt.Sprintf("%.0f ms", x)
	}
	return fmt.Sprintf("%.1f ms", x)
}

func TestDashboardEmptyAndCredit(t *testing.T) {
	tests := []struct {
		name       string
		credit     bool
		dvs        []analyze.DeviceVerdict
		want, deny []string
	}{
		{"empty", false, nil, []string{"No devices are enrolled yet.", "0 devices"}, []string{"DB-IP", "<table"}},
		{"credit-configured", true, nil, []string{"IP Geolocation by DB-IP"}, []string{"IP2Location"}},
		{"reserved-only", false, verdicts(t)[3:], []string{"reserved"}, []string{"DB-IP", "IP2Location"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, _ := serve(t, web.Config{
				Title:        "Acme lagwatch",
				IPCityCredit: tt.credit,
				Verdicts:     func(context.Context) ([]analyze.DeviceVerdict, error) { return tt.dvs, nil },
			})
			resp, body := do(t, "GET", url+"/")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET / = %d, want 200", resp.StatusCode)
			}
			if !strings.Contains(body, "<h1>Acme lagwatch</h1>") {
				t.Errorf("page lacks the configured title")
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, d := range tt.deny {
				if strings.Contains(body, d) {
					t.Errorf("page contains %q", d)
				}
			}
		})
	}
}

// The documented v1 shape. Decoding with DisallowUnknownFields fails on an
// undocumented field or a wrong type.
type (
	apiVerdict struct {
		WorkerID        string         `json:"worker_id"`
		WorkerName      string         `json:"worker_name"`
		ClaimedLocation string         `json:"claimed_location"`
		Access          *string        `json:"access"`
		DeviceID        string         `json:"device_id"`
		Hostname        string         `json:"hostname"`
		LastSeen        *time.Time     `json:"last_seen"`
		LastIP          *string        `json:"last_ip"`
		IPLocation      *apiIPLocation `json:"ip_location"`
		Status          string         `json:"status"`
		Summary         string         `json:"summary"`
		Explanation     []string       `json:"explanation"`
		Landmarks       []apiLandmark  `json:"landmarks"`
		Region          *apiRegion     `json:"region"`
		ComputedAt      time.Time      `json:"computed_at"`
	}
	apiIPLocation struct {
		Country string `json:"country"`
		City    string `json:"city"`
		Source  string `json:"source"`
	}
	apiLandmark struct {
		Name          string     `json:"name"`
		Place         string     `json:"place"`
		MinRTTMs      float64    `json:"min_rtt_ms"`
		Samples       int        `json:"samples"`
		Provenance    string     `json:"provenance"`
		FirstSampleAt *time.Time `json:"first_sample_at"`
		LastSampleAt  *time.Time `json:"last_sample_at"`
		ExpectedMs    float64    `json:"expected_ms"`
		ThresholdMs   float64    `json:"threshold_ms"`
		FibreMinMs    float64    `json:"fibre_min_ms"`
		DistanceKm    float64    `json:"distance_km"`
		Method        string     `json:"method"`
		Status        string     `json:"status"`
		Text          string     `json:"text"`
	}
	apiRegion struct {
		Empty         bool      `json:"empty"`
		AreaKm2       float64   `json:"area_km2"`
		Centroid      *apiPoint `json:"centroid"`
		RadiusKm      float64   `json:"radius_km"`
		Near          string    `json:"near"`
		ContainsClaim bool      `json:"contains_claim"`
		ClaimToEdgeKm float64   `json:"claim_to_edge_km"`
	}
	apiPoint struct {
		Lat float64 `json:"lat"`
		Lon float64 `json:"lon"`
	}
)

// keys lists the documented fields of each object, so that a field
// documented but not sent (or sent under another name) fails too.
var keys = map[string][]string{
	"verdict":     {"access", "claimed_location", "computed_at", "device_id", "explanation", "hostname", "ip_location", "landmarks", "last_ip", "last_seen", "region", "status", "summary", "worker_id", "worker_name"},
	"ip_location": {"city", "country", "source"},
	"landmark":    {"distance_km", "expected_ms", "fibre_min_ms", "first_sample_at", "last_sample_at", "method", "min_rtt_ms", "name", "place", "provenance", "samples", "status", "text", "threshold_ms"},
	"region":      {"area_km2", "centroid", "claim_to_edge_km", "contains_claim", "empty", "near", "radius_km"},
	"centroid":    {"lat", "lon"},
}

func checkKeys(t *testing.T, what string, obj any) {
	t.Helper()
	m, ok := obj.(map[string]any)
	if !ok {
		if obj != nil {
			t.Errorf("%s is %T, want an object or null", what, obj)
		}
		return
	}
	if got := slices.Sorted(maps.Keys(m)); !slices.Equal(got, keys[what]) {
		t.Errorf("%s keys = %v, want %v", what, got, keys[what])
	}
}

func TestAPI(t *testing.T) {
	dvs := verdicts(t)
	url := serveVerdicts(t, dvs)
	resp, body := do(t, "GET", url+"/api/v1/verdicts")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/verdicts = %d, want 200", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}

	var raw []map[string]any
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatalf("decode: %v\n%s", err, body)
	}
	for _, v := range raw {
		checkKeys(t, "verdict", v)
		checkKeys(t, "ip_location", v["ip_location"])
		checkKeys(t, "region", v["region"])
		if r, ok := v["region"].(map[string]any); ok {
			checkKeys(t, "centroid", r["centroid"])
		}
		lms, ok := v["landmarks"].([]any)
		if !ok {
			t.Errorf("landmarks of %v is %T, want an array", v["worker_id"], v["landmarks"])
		}
		for _, lm := range lms {
			checkKeys(t, "landmark", lm)
		}
		if _, ok := v["explanation"].([]any); !ok {
			t.Errorf("explanation of %v is %T, want an array", v["worker_id"], v["explanation"])
		}
	}

	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	var got []apiVerdict
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decode into the documented shape: %v", err)
	}
	var ids, statuses []string
	for _, v := range got {
		ids = append(ids, v.WorkerID)
		statuses = append(statuses, v.Status)
	}
	if !slices.Equal(ids, wantOrder) {
		t.Errorf("worker IDs in order %v, want %v", ids, wantOrder)
	}
	if want := []string{"impossible", "too-slow", "consistent", "insufficient"}; !slices.Equal(statuses, want) {
		t.Errorf("statuses = %v, want %v", statuses, want)
	}

	byID := map[string]apiVerdict{}
	for _, v := range got {
		byID[v.WorkerID] = v
	}
	want := map[string]analyze.DeviceVerdict{}
	for _, dv := range dvs {
		want[dv.Worker.ID] = dv
	}

	// The too-slow device: every landmark value as assessed.
	m, dv := byID["w-2"], want["w-2"]
	if m.WorkerName != "Mallory Relay" || m.DeviceID != "d-2" || m.Hostname != "mallory-farm-07" || m.ClaimedLocation != "Phoenix, AZ, US" {
		t.Errorf("w-2 identity = %+v", m)
	}
	if m.Access == nil || *m.Access != "cable" {
		t.Errorf("w-2 access = %v, want cable", m.Access)
	}
	if m.LastSeen == nil || !m.LastSeen.Equal(computedAt.Add(-time.Hour)) {
		t.Errorf("w-2 last_seen = %v, want %v", m.LastSeen, computedAt.Add(-time.Hour))
	}
	if m.LastIP == nil || *m.LastIP != "68.104.12.9" {
		t.Errorf("w-2 last_ip = %v", m.LastIP)
	}
	if m.IPLocation == nil || *m.IPLocation != (apiIPLocation{Country: "US", City: "Phoenix", Source: "mmdb"}) {
		t.Errorf("w-2 ip_location = %+v", m.IPLocation)
	}
	if m.Summary != dv.Verdict.Summary || !slices.Equal(m.Explanation, dv.Verdict.Explanation) {
		t.Errorf("w-2 summary/explanation differ from the verdict")
	}
	if !m.ComputedAt.Equal(computedAt) {
		t.Errorf("w-2 computed_at = %v, want %v", m.ComputedAt, computedAt)
	}
	if m.Region != nil {
		t.Errorf("w-2 region = %+v, want null with one landmark", m.Region)
	}
	if len(m.Landmarks) != 1 {
		t.Fatalf("w-2 has %d landmarks, want 1", len(m.Landmarks))
	}
	f := dv.Verdict.Findings[0]
	wantLM := apiLandmark{
		Name: "us-west", Place: "Los Angeles, CA, US", MinRTTMs: 172, Samples: 40, Provenance: "server-tcp",
		ExpectedMs: f.ExpectedMs, ThresholdMs: f.ThresholdMs, FibreMinMs: f.FibreMs, DistanceKm: f.DistanceKm,
		Method: "band", Status: "too-slow", Text: f.Text,
	}
	gotLM := m.Landmarks[0]
	if gotLM.FirstSampleAt == nil || !gotLM.FirstSampleAt.Equal(computedAt.Add(-8*time.Hour)) ||
		gotLM.LastSampleAt == nil || !gotLM.LastSampleAt.Equal(computedAt.Add(-5*time.Minute)) {
		t.Errorf("w-2 sample window = %v..%v", gotLM.FirstSampleAt, gotLM.LastSampleAt)
	}
	gotLM.FirstSampleAt, gotLM.LastSampleAt = nil, nil
	if gotLM != wantLM {
		t.Errorf("w-2 landmark =\n%+v, want\n%+v", gotLM, wantLM)
	}
	if gotLM.ThresholdMs >= 172 || gotLM.ExpectedMs >= gotLM.ThresholdMs {
		t.Errorf("w-2 expected %v, threshold %v: want expected < threshold < 172", gotLM.ExpectedMs, gotLM.ThresholdMs)
	}

	// The honest device: a region that contains the claim.
	if r := byID["w-1"].Region; r == nil || r.Empty || !r.ContainsClaim || r.ClaimToEdgeKm != 0 || r.AreaKm2 <= 0 || r.Centroid == nil {
		t.Errorf("w-1 region = %+v, want a non-empty region containing the claim", r)
	}
	// The impossible device: its region lies away from Austin.
	if r := byID["w-3"].Region; r == nil || r.ContainsClaim || r.ClaimToEdgeKm <= 0 {
		t.Errorf("w-3 region = %+v, want one not containing the claim", r)
	}
	if byID["w-3"].Access != nil {
		t.Errorf("w-3 access = %q, want null (undeclared)", *byID["w-3"].Access)
	}
	if p := byID["w-3"].Landmarks[0].Provenance; p != "agent" {
		t.Errorf("w-3 provenance = %q, want agent", p)
	}

	// The silent device: nulls and empty arrays, the name as sent.
	e := byID["w-4"]
	if e.WorkerName != "Eve <script>alert(1)</script>" {
		t.Errorf("w-4 worker_name = %q", e.WorkerName)
	}
	if e.LastSeen != nil || e.Region != nil || len(e.Landmarks) != 0 {
		t.Errorf("w-4 = %+v, want no last_seen, region or landmarks", e)
	}
	if e.IPLocation == nil || e.IPLocation.Source != "reserved" || e.IPLocation.Country != "" {
		t.Errorf("w-4 ip_location = %+v, want source reserved", e.IPLocation)
	}
	if !strings.Contains(body, `"landmarks":[]`) {
		t.Errorf("body lacks an empty landmarks array")
	}
}

func TestAPIEmpty(t *testing.T) {
	url := serveVerdicts(t, nil)
	_, body := do(t, "GET", url+"/api/v1/verdicts")
	if body != "[]\n" {
		t.Errorf("GET /api/v1/verdicts with no devices = %q, want []", body)
	}
}

func TestRoutes(t *testing.T) {
	url := serveVerdicts(t, verdicts(t))
	tests := []struct {
		method, path string
		code         int
		body         string // substring of the body
		header       string // "Name: value" the response must carry
	}{
		{"GET", "/", 200, "<h1>lagwatch</h1>", ""},
		{"HEAD", "/", 200, "", "Content-Type: text/html; charset=utf-8"},
		{"GET", "/healthz", 200, "ok", ""},
		{"GET", "/static/style.css", 200, ".badge-bad", "Content-Type: text/css; charset=utf-8"},
		{"GET", "/api/v1/verdicts", 200, `"worker_id":"w-3"`, ""},
		{"GET", "/nope", 404, "not found", ""},
		{"GET", "/index.html", 404, "not found", ""},
		{"GET", "/api/v1/verdicts/", 404, "not found", ""},
		{"GET", "/static/", 404, "not found", ""},
		{"GET", "/templates/index.html", 404, "not found", ""},
		{"POST", "/", 405, "Method Not Allowed", "Allow: GET, HEAD"},
		{"DELETE", "/api/v1/verdicts", 405, "Method Not Allowed", "Allow: GET, HEAD"},
		{"PUT", "/healthz", 405, "Method Not Allowed", "Allow: GET, HEAD"},
	}
	for _, tt := range tests {
		resp, body := do(t, tt.method, url+tt.path)
		if resp.StatusCode != tt.code {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.path, resp.StatusCode, tt.code)
		}
		if !strings.Contains(body, tt.body) {
			t.Errorf("%s %s body = %.80q, want it to contain %q", tt.method, tt.path, body, tt.body)
		}
		if tt.header != "" {
			name, value, _ := strings.Cut(tt.header, ": ")
			if got := resp.Header.Get(name); got != value {
				t.Errorf("%s %s header %s = %q, want %q", tt.method, tt.path, name, got, value)
			}
		}
		checkSecurityHeaders(t, tt.method+" "+tt.path, resp)
	}
}

func checkSecurityHeaders(t *testing.T, what string, resp *http.Response) {
	t.Helper()
	for name, want := range map[string]string{
		"Content-Security-Policy": "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"X-Frame-Options":         "DENY",
	} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s: header %s = %q, want %q", what, name, got, want)
		}
	}
}

func TestVerdictsError(t *testing.T) {
	secret := "open /var/lib/lagwatch/lagwatch.db: password hunter2 rejected"
	url, logs := serve(t, web.Config{
		Verdicts: func(context.Context) ([]analyze.DeviceVerdict, error) { return nil, errors.New(secret) },
	})
	tests := []struct {
		path, contentType, body string
	}{
		{"/", "text/plain; charset=utf-8", "internal server error\n"},
		{"/api/v1/verdicts", "application/json", `{"error":{"code":"internal","message":"internal server error"}}` + "\n"},
	}
	for _, tt := range tests {
		resp, body := do(t, "GET", url+tt.path)
		if resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("GET %s = %d, want 500", tt.path, resp.StatusCode)
		}
		if body != tt.body {
			t.Errorf("GET %s body = %q, want %q", tt.path, body, tt.body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != tt.contentType {
			t.Errorf("GET %s Content-Type = %q, want %q", tt.path, ct, tt.contentType)
		}
		checkSecurityHeaders(t, "GET "+tt.path, resp)
	}
	if got := strings.Count(logs.String(), "hunter2"); got != len(tests) {
		t.Errorf("log mentions the error %d times, want %d:\n%s", got, len(tests), logs)
	}
	if !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("log has no error line:\n%s", logs)
	}
	// The health check does not depend on the verdicts.
	if resp, _ := do(t, "GET", url+"/healthz"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz = %d while verdicts fail, want 200", resp.StatusCode)
	}
}

func TestNew(t *testing.T) {
	if _, err := web.New(web.Config{}); err == nil {
		t.Errorf("New without Verdicts: no error")
	}
}

// TestInputNotReordered checks that sorting for display leaves the
// caller's slice alone.
func TestInputNotReordered(t *testing.T) {
	dvs := verdicts(t)
	before := make([]string, len(dvs))
	for i, dv := range dvs {
		before[i] = dv.Device.ID
	}
	url := serveVerdicts(t, dvs)
	do(t, "GET", url+"/")
	do(t, "GET", url+"/api/v1/verdicts")
	for i, dv := range dvs {
		if dv.Device.ID != before[i] {
			t.Fatalf("verdicts reordered: device %d is %s, was %s", i, dv.Device.ID, before[i])
		}
	}
}

// TestScreenshot renders the dashboard in headless Chromium when run with
// -screenshot=PATH, for a person to look at.
func TestScreenshot(t *testing.T) {
	if *screenshot == "" {
		t.Skip("run with -screenshot=/tmp/lagwatch.png to render the dashboard")
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skipf("chromium not installed: %v", err)
	}
	url := serveVerdicts(t, verdicts(t))
	out, err := filepath.Abs(*screenshot)
	if err != nil {
		t.Fatal(err)
	}
	profile := t.TempDir()
	cmd := exec.CommandContext(t.Context(), chromium,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
		"--user-data-dir="+profile, "--screenshot="+out, "--window-size=1400,900", url+"/")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, b)
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
		t.Fatalf("no screenshot at %s: %v", out, err)
	}
	t.Logf("screenshot: %s", out)
}
