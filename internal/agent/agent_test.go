package agent_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/agent"
	"github.com/lagwatch/lagwatch/internal/ingest"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// TestMain fails the package if a test leaves goroutines behind.
func TestMain(m *testing.M) {
	before := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && code == 0 {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				fmt.Fprintf(os.Stderr, "goroutines leaked: %d before the tests, %d after\n%s\n", before, runtime.NumGoroutine(), buf)
				code = 1
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	os.Exit(code)
}

const (
	token  = "enrol-token-w1-0123456789"
	worker = "w-1"
)

var (
	landmarkUS = store.Landmark{Name: "us-west", Location: "Los Angeles, CA, US", Lat: 34.05, Lon: -118.24}
	landmarkEU = store.Landmark{Name: "eu-central", Location: "Frankfurt, DE", Lat: 50.11, Lon: 8.68}
)

// openStore opens a store in a temp dir with worker w-1, an enrolment
// token for it and the two landmarks.
func openStore(tb testing.TB) *store.Store {
	tb.Helper()
	ctx := tb.Context()
	st, err := store.Open(ctx, filepath.Join(tb.TempDir(), "lagwatch.db"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	h := sha256.Sum256([]byte(token))
	for _, err := range []error{
		st.PutWorker(ctx, store.Worker{ID: worker, Name: "Ada"}),
		st.CreateEnrolmentToken(ctx, h[:], worker, time.Now().Add(time.Hour)),
		st.PutLandmark(ctx, landmarkUS),
		st.PutLandmark(ctx, landmarkEU),
	} {
		if err != nil {
			tb.Fatal(err)
		}
	}
	return st
}

// startLandmark serves the ingest API of landmark l over st on loopback.
func startLandmark(tb testing.TB, st *store.Store, l store.Landmark) *httptest.Server {
	tb.Helper()
	ing, err := ingest.New(st, ingest.Config{Landmark: l})
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(ing.Handler())
	srv.Config.ConnContext = ing.ConnContext
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv
}

// byProvenance returns the device's samples counted by landmark and
// provenance.
func byProvenance(tb testing.TB, st *store.Store, deviceID string) map[string]map[store.Provenance][]time.Duration {
	tb.Helper()
	all, err := st.Samples(tb.Context(), deviceID, time.Time{}, 0)
	if err != nil {
		tb.Fatal(err)
	}
	m := map[string]map[store.Provenance][]time.Duration{}
	for _, x := range all {
		if m[x.Landmark] == nil {
			m[x.Landmark] = map[store.Provenance][]time.Duration{}
		}
		m[x.Landmark][x.Provenance] = append(m[x.Landmark][x.Provenance], x.RTT)
	}
	return m
}

func TestClient(t *testing.T) {
	st := openStore(t)
	srv := startLandmark(t, st, landmarkUS)
	c, err := agent.NewClient(srv.URL+"/", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	_, err = c.Enrol(ctx, wire.EnrolRequest{Token: "wrong", Hostname: "h", OS: "o", AgentVersion: "v"})
	if e, ok := errors.AsType[*agent.APIError](err); !ok || e.StatusCode != 401 || e.Code != wire.CodeUnauthorized || e.Temporary() {
		t.Errorf("Enrol(wrong token) = %v, want a permanent 401 unauthorized APIError", err)
	}
	enr, err := c.Enrol(ctx, wire.EnrolRequest{Token: token, Hostname: "laptop", OS: "linux/amd64", AgentVersion: "1.0.0"})
	if err != nil || enr.Landmark.Name != landmarkUS.Name {
		t.Fatalf("Enrol() = %v, %v; want landmark %s", enr, err, landmarkUS.Name)
	}

	now := time.Now().UTC()
	b := wire.Batch{BatchID: "b-1", Samples: []wire.Sample{{Landmark: "eu-central", At: now, RTTMicros: 150_000}}}
	for i, want := range []wire.BatchResponse{{Stored: true}, {Duplicate: true}} {
		got, err := c.SendBatch(ctx, enr.Credential, b)
		if err != nil || got != want {
			t.Errorf("SendBatch() attempt %d = %+v, %v; want %+v", i, got, err, want)
		}
	}
	b.BatchID, b.Samples[0].Landmark = "b-2", "nowhere"
	_, err = c.SendBatch(ctx, enr.Credential, b)
	if e, ok := errors.AsType[*agent.APIError](err); !ok || e.StatusCode != 400 || e.Code != wire.CodeUnknownLandmark || e.Field != "samples[0].landmark" {
		t.Errorf("SendBatch(unknown landmark) = %v, want 400 unknown_landmark naming samples[0].landmark", err)
	}
	if _, err := c.SendBatch(ctx, "not-the-credential", b); err == nil || !strings.Contains(err.Error(), "401 unauthorized") {
		t.Errorf("SendBatch(bad credential) = %v, want 401 unauthorized", err)
	}

	p, err := c.Probe(ctx, enr.Credential)
	if err != nil {
		t.Fatalf("Probe() = %v", err)
	}
	if p.Landmark != landmarkUS.Name || p.Agent <= 0 || p.Agent > 50*time.Millisecond || p.Server <= 0 || p.Server > 50*time.Millisecond || time.Since(p.At) > time.Minute {
		t.Errorf("Probe() = %+v, want landmark us-west, loopback RTTs, now", p)
	}
	got := byProvenance(t, st, enr.DeviceID)
	if n := len(got["us-west"][store.ServerApp]); n != 1 {
		t.Errorf("server-app samples after one probe = %d, want 1", n)
	}
}

func TestNewClientErrors(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "https://", "https://user:pw@x", "https://x/?q=1", "https://x/#f", "://x"} {
		if _, err := agent.NewClient(u, nil); err == nil {
			t.Errorf("NewClient(%q) = nil error, want an error", u)
		}
	}
	c, err := agent.NewClient("https://lm.example.com/prefix/", nil)
	if err != nil || c.URL() != "https://lm.example.com/prefix" {
		t.Errorf("NewClient(with prefix) = %v, %v; want URL https://lm.example.com/prefix", c.URL(), err)
	}
}

func TestNewErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		cfg  agent.Config
	}{
		{"no servers", agent.Config{StateDir: dir}},
		{"no state dir", agent.Config{Servers: []string{"https://x"}}},
		{"bad url", agent.Config{Servers: []string{"gopher://x"}, StateDir: dir}},
		{"twice", agent.Config{Servers: []string{"https://x", "https://x/"}, StateDir: dir}},
		{"probes", agent.Config{Servers: []string{"https://x"}, StateDir: dir, Probes: 101}},
		{"interval", agent.Config{Servers: []string{"https://x"}, StateDir: dir, Interval: -time.Second}},
		{"token", agent.Config{Servers: []string{"https://x"}, StateDir: dir, Token: "has space"}},
	}
	for _, tt := range tests {
		if _, err := agent.New(tt.cfg); err == nil {
			t.Errorf("New(%s) = nil error, want an error", tt.name)
		}
	}
}

// runAgent runs a until cond holds (polled) or 20 s pass, then stops it
// and returns Run's error.
func runAgent(t *testing.T, a *agent.Agent, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("Run() returned early: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatal("condition not met within 20 s")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run() after cancel = %v, want nil", err)
	}
}

func TestRun(t *testing.T) {
	st := openStore(t)
	us := startLandmark(t, st, landmarkUS)
	eu := startLandmark(t, st, landmarkEU)
	stateDir := filepath.Join(t.TempDir(), "state")
	var logs bytes.Buffer
	var logMu sync.Mutex
	cfg := agent.Config{
		Servers:    []string{us.URL, eu.URL},
		Token:      token,
		StateDir:   stateDir,
		Interval:   100 * time.Millisecond,
		Probes:     3,
		HTTPClient: us.Client(),
		Hostname:   "laptop-7",
		Logger:     slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) { logMu.Lock(); defer logMu.Unlock(); return logs.Write(p) }), &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	a, err := agent.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var deviceID string
	// At least two rounds at both landmarks.
	runAgent(t, a, func() bool {
		s, err := agent.LoadState(stateDir)
		if err != nil || s.DeviceID == "" {
			return false
		}
		deviceID = s.DeviceID
		got := byProvenance(t, st, deviceID)
		for _, l := range []string{landmarkUS.Name, landmarkEU.Name} {
			if len(got[l][store.Agent]) < 6 || len(got[l][store.ServerApp]) < 6 {
				return false
			}
		}
		return true
	})

	st1, err := agent.LoadState(stateDir)
	if err != nil || st1.Landmark != landmarkUS.Name || st1.Server != us.URL {
		t.Errorf("LoadState() = %v, %v; want enrolled at %s (%s)", st1, err, us.URL, landmarkUS.Name)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(filepath.Join(stateDir, agent.StateFile))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("state file mode = %v, %v; want 0600", fi.Mode(), err)
		}
		di, err := os.Stat(stateDir)
		if err != nil || di.Mode().Perm() != 0o700 {
			t.Errorf("state dir mode = %v, %v; want 0700", di.Mode(), err)
		}
	}
	got := byProvenance(t, st, deviceID)
	// A loaded machine (the race detector, a parallel test) can stall one
	// probe for tens of milliseconds; the least of a landmark's samples,
	// which is what verdicts use, must still be a loopback RTT.
	for _, l := range []string{landmarkUS.Name, landmarkEU.Name} {
		least := time.Duration(math.MaxInt64)
		for _, rtt := range got[l][store.Agent] {
			if rtt <= 0 || rtt > 5*time.Second {
				t.Errorf("agent sample to %s = %v, want a positive RTT of at most 5 s", l, rtt)
			}
			least = min(least, rtt)
		}
		if n := len(got[l][store.Agent]); n > 0 && least > 50*time.Millisecond {
			t.Errorf("least of %d agent samples to %s = %v, want a loopback RTT", n, l, least)
		}
	}
	dev, err := st.Device(t.Context(), deviceID)
	if err != nil || dev.Hostname != "laptop-7" || dev.LastSeen.IsZero() {
		t.Errorf("device = %+v, %v; want hostname laptop-7, seen", dev, err)
	}
	logMu.Lock()
	if strings.Contains(logs.String(), st1.Credential) || strings.Contains(logs.String(), token) {
		t.Errorf("agent log contains a secret:\n%s", logs.String())
	}
	logMu.Unlock()

	// A restarted agent without a token reuses the saved credential.
	cfg.Token, cfg.Logger = "", nil
	a2, err := agent.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	before := len(byProvenance(t, st, deviceID)[landmarkEU.Name][store.Agent])
	runAgent(t, a2, func() bool {
		return len(byProvenance(t, st, deviceID)[landmarkEU.Name][store.Agent]) >= before+3
	})
	if devs, err := st.Devices(t.Context()); err != nil || len(devs) != 1 {
		t.Errorf("Devices() = %d, %v; want the one device", len(devs), err)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestRunCredentialErrors(t *testing.T) {
	st := openStore(t)
	srv := startLandmark(t, st, landmarkUS)
	tests := []struct {
		name    string
		token   string
		state   string // contents of the state file, "" for none
		wantErr string
	}{
		{"no token", "", "", "no enrolment token"},
		{"refused token", "not-a-token", "", "401 unauthorized"},
		{"corrupt state", token, "{not json", "decode agent state"},
		{"state without credential", token, `{"device_id":"dev-1"}`, "credential missing or malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.state != "" {
				if err := os.WriteFile(filepath.Join(dir, agent.StateFile), []byte(tt.state), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			a, err := agent.New(agent.Config{Servers: []string{srv.URL}, Token: tt.token, StateDir: dir, HTTPClient: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			err = a.Run(t.Context())
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Run() = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
	if devs, err := st.Devices(t.Context()); err != nil || len(devs) != 0 {
		t.Errorf("Devices() = %d, %v; want none", len(devs), err)
	}
}

// flakyProxy forwards requests to upstream, but mistreats the first two
// batch uploads: the first is forwarded and stored, and then the
// connection is dropped before the answer; the second gets 503.
type flakyProxy struct {
	upstream string
	client   *http.Client

	mu       sync.Mutex
	batchIDs []string
	answers  []string // what the upstream answered to forwarded batches
}

func (p *flakyProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	attempt := 0
	if r.URL.Path == wire.PathBatches {
		var b struct {
			BatchID string `json:"batch_id"`
		}
		json.Unmarshal(body, &b)
		p.mu.Lock()
		p.batchIDs = append(p.batchIDs, b.BatchID)
		attempt = len(p.batchIDs)
		p.mu.Unlock()
		if attempt == 2 {
			http.Error(w, "upstream restarting", http.StatusServiceUnavailable)
			return
		}
	}
	req, _ := http.NewRequestWithContext(r.Context(), r.Method, p.upstream+r.URL.Path, bytes.NewReader(body))
	req.Header = r.Header.Clone()
	resp, err := p.client.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	if r.URL.Path == wire.PathBatches {
		p.mu.Lock()
		p.answers = append(p.answers, string(rb))
		p.mu.Unlock()
	}
	if attempt == 1 {
		// Stored upstream; the agent never hears of it.
		if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
			c.Close()
		}
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(rb)
}

func TestBatchRetriedWithSameID(t *testing.T) {
	st := openStore(t)
	upstream := startLandmark(t, st, landmarkUS)
	proxy := &flakyProxy{upstream: upstream.URL, client: upstream.Client()}
	front := httptest.NewServer(proxy)
	defer front.Close()

	const probes = 4
	a, err := agent.New(agent.Config{
		Servers:    []string{front.URL},
		Token:      token,
		StateDir:   t.TempDir(),
		Interval:   time.Hour, // one round
		Probes:     probes,
		HTTPClient: front.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	agent.SetBackoff(a, 10*time.Millisecond, 50*time.Millisecond)
	runAgent(t, a, func() bool {
		proxy.mu.Lock()
		defer proxy.mu.Unlock()
		return len(proxy.answers) >= 2
	})

	proxy.mu.Lock()
	ids, answers := proxy.batchIDs, proxy.answers
	proxy.mu.Unlock()
	if len(ids) != 3 || ids[0] == "" || ids[1] != ids[0] || ids[2] != ids[0] {
		t.Errorf("batch IDs sent = %q, want the same ID three times", ids)
	}
	if len(answers) != 2 || !strings.Contains(answers[0], `"stored":true`) || !strings.Contains(answers[1], `"duplicate":true`) {
		t.Errorf("upstream answers = %q, want stored, then duplicate", answers)
	}
	devs, err := st.Devices(t.Context())
	if err != nil || len(devs) != 1 {
		t.Fatalf("Devices() = %d, %v; want 1", len(devs), err)
	}
	if n := len(byProvenance(t, st, devs[0].ID)[landmarkUS.Name][store.Agent]); n != probes {
		t.Errorf("agent samples stored = %d, want %d (the batch once)", n, probes)
	}
}
