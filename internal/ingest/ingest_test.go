package ingest_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/ingest"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/store/postgres"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// Both stores provide what ingest needs.
var (
	_ ingest.Store = (*store.Store)(nil)
	_ ingest.Store = (*postgres.Store)(nil)
)

// TestMain fails the package if a test leaves goroutines behind.
func TestMain(m *testing.M) {
	before := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		code = checkGoroutines(before)
	}
	os.Exit(code)
}

// checkGoroutines waits up to 5 s for the goroutine count to fall back to
// before and prints the stacks if it does not.
func checkGoroutines(before int) int {
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			fmt.Fprintf(os.Stderr, "goroutines leaked: %d before the tests, %d after\n%s\n", before, runtime.NumGoroutine(), buf)
			return 1
		}
		time.Sleep(10 * time.Millisecond)
	}
	return 0
}

const (
	token    = "enrol-token-w1-0123456789"
	worker   = "w-1"
	us, eu   = "us-west", "eu-central"
	hostname = "laptop-7"
)

// t0 is the server's wall clock in tests that fix it.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var landmarkUS = store.Landmark{Name: us, Location: "Los Angeles, CA, US", Lat: 34.05, Lon: -118.24}

// env is a landmark server on loopback with a real SQLite store.
type env struct {
	t    testing.TB
	st   *store.Store
	ing  *ingest.Server
	srv  *httptest.Server
	logs *syncBuffer
}

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// openStore opens a store in a temp dir with worker w-1, an enrolment
// token for it and two landmarks.
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
		st.PutWorker(ctx, store.Worker{ID: worker, Name: "Ada", ClaimedLocation: "Phoenix, AZ, US", Lat: 33.45, Lon: -112.07}),
		st.CreateEnrolmentToken(ctx, h[:], worker, time.Now().Add(30*24*time.Hour)),
		st.PutLandmark(ctx, landmarkUS),
		st.PutLandmark(ctx, store.Landmark{Name: eu, Location: "Frankfurt, DE", Lat: 50.11, Lon: 8.68}),
	} {
		if err != nil {
			tb.Fatal(err)
		}
	}
	return st
}

// newEnv starts an ingest server for landmark us-west over st (a fresh
// store if nil). cfg.Landmark and cfg.Logger are filled in.
func newEnv(tb testing.TB, st ingest.Store, cfg ingest.Config) *env {
	tb.Helper()
	e := &env{t: tb, logs: &syncBuffer{}}
	if st == nil {
		e.st = openStore(tb)
		st = e.st
	}
	cfg.Landmark = landmarkUS
	cfg.Logger = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ing, err := ingest.New(st, cfg)
	if err != nil {
		tb.Fatalf("ingest.New() = %v", err)
	}
	e.ing = ing
	e.srv = httptest.NewUnstartedServer(ing.Handler())
	e.srv.Config.ConnContext = ing.ConnContext
	e.srv.Start()
	tb.Cleanup(e.srv.Close)
	return e
}

// do sends a request and returns the status and body. cred "" sends no
// Authorization header; ctype "" sends no Content-Type.
func (e *env) do(method, path, cred, ctype string, body io.Reader) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if cred != "" {
		req.Header.Set("Authorization", "Bearer "+cred)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp.StatusCode, b
}

func (e *env) postJSON(path, cred string, v any) (int, []byte) {
	e.t.Helper()
	var body []byte
	switch v := v.(type) {
	case string:
		body = []byte(v)
	default:
		var err error
		if body, err = json.Marshal(v); err != nil {
			e.t.Fatal(err)
		}
	}
	return e.do("POST", path, cred, wire.ContentType, bytes.NewReader(body))
}

// enrol enrols a device with the test token.
func (e *env) enrol() wire.EnrolResponse {
	e.t.Helper()
	status, body := e.postJSON(wire.PathEnrol, "", wire.EnrolRequest{Version: 1, Token: token, Hostname: hostname, OS: "linux/amd64", AgentVersion: "1.0.0"})
	if status != http.StatusOK {
		e.t.Fatalf("enrol: %d %s", status, body)
	}
	r, err := wire.DecodeEnrolResponse(body)
	if err != nil {
		e.t.Fatalf("enrol: decode %s: %v", body, err)
	}
	return r
}

// probe runs one GET+POST probe and returns the server's RTT.
func (e *env) probe(cred string) time.Duration {
	e.t.Helper()
	status, body := e.do("GET", wire.PathProbe, cred, "", nil)
	if status != http.StatusOK {
		e.t.Fatalf("GET probe: %d %s", status, body)
	}
	c, err := wire.DecodeProbeChallenge(body)
	if err != nil {
		e.t.Fatalf("GET probe: %v", err)
	}
	status, body = e.do("POST", wire.PathProbe+"/"+c.Nonce, cred, "", nil)
	if status != http.StatusOK {
		e.t.Fatalf("POST probe: %d %s", status, body)
	}
	r, err := wire.DecodeProbeResult(body)
	if err != nil {
		e.t.Fatalf("POST probe: %v", err)
	}
	return r.RTT()
}

// samples returns the device's samples by provenance.
func samplesOf(tb testing.TB, st *store.Store, deviceID string) map[store.Provenance][]store.RTTSample {
	tb.Helper()
	all, err := st.Samples(tb.Context(), deviceID, time.Time{}, 0)
	if err != nil {
		tb.Fatal(err)
	}
	m := map[store.Provenance][]store.RTTSample{}
	for _, x := range all {
		m[x.Provenance] = append(m[x.Provenance], x)
	}
	return m
}

// errorOf decodes an error body.
func errorOf(tb testing.TB, body []byte) wire.ErrorDetail {
	tb.Helper()
	b, err := wire.DecodeErrorBody(body)
	if err != nil {
		tb.Fatalf("error body %s: %v", body, err)
	}
	return b.Error
}

func TestEnrolBatchProbe(t *testing.T) {
	e := newEnv(t, nil, ingest.Config{})
	ctx := t.Context()
	enr := e.enrol()
	if enr.Landmark.Name != us || enr.Landmark.Lat != landmarkUS.Lat || len(enr.Credential) != 43 {
		t.Errorf("enrol = %v, want landmark %s and a 43-character credential", enr, us)
	}
	dev, err := e.st.DeviceByCredential(ctx, sha(enr.Credential))
	if err != nil || dev.ID != enr.DeviceID || dev.WorkerID != worker || dev.Hostname != hostname || dev.LastIP != "127.0.0.1" {
		t.Fatalf("DeviceByCredential(sha256(credential)) = %+v, %v; want device %s of %s", dev, err, enr.DeviceID, worker)
	}

	now := time.Now().UTC().Truncate(time.Microsecond)
	batch := wire.Batch{Version: 1, BatchID: "b-0001", Samples: []wire.Sample{
		{Landmark: us, At: now.Add(-2 * time.Second), RTTMicros: 31_250},
		{Landmark: eu, At: now.Add(-time.Second), RTTMicros: 152_000},
	}, Heartbeat: &wire.Heartbeat{At: now, Hostname: "laptop-7b", OS: "linux/arm64", AgentVersion: "1.0.1"}}
	for i, want := range []wire.BatchResponse{{Stored: true}, {Duplicate: true}, {Duplicate: true}} {
		status, body := e.postJSON(wire.PathBatches, enr.Credential, batch)
		got, err := wire.DecodeBatchResponse(body)
		if status != http.StatusOK || err != nil || got != want {
			t.Errorf("batch attempt %d = %d %s (%v), want 200 %+v", i, status, body, err, want)
		}
	}

	var rtts []time.Duration
	for range 3 {
		rtts = append(rtts, e.probe(enr.Credential))
	}
	t.Logf("server-app rtts on loopback: %v", rtts)

	got := samplesOf(t, e.st, enr.DeviceID)
	agent := got[store.Agent]
	slices.SortFunc(agent, func(a, b store.RTTSample) int { return a.At.Compare(b.At) })
	wantAgent := []store.RTTSample{
		{DeviceID: enr.DeviceID, Landmark: us, At: now.Add(-2 * time.Second), RTT: 31250 * time.Microsecond, Provenance: store.Agent},
		{DeviceID: enr.DeviceID, Landmark: eu, At: now.Add(-time.Second), RTT: 152 * time.Millisecond, Provenance: store.Agent},
	}
	if !slices.Equal(agent, wantAgent) {
		t.Errorf("agent samples = %+v, want %+v (stored once)", agent, wantAgent)
	}
	if n := len(got[store.ServerApp]); n != 3 {
		t.Errorf("server-app samples = %d, want 3", n)
	}
	for _, x := range got[store.ServerApp] {
		if x.Landmark != us || x.RTT <= 0 || x.RTT > 50*time.Millisecond {
			t.Errorf("server-app sample %+v, want landmark %s and a loopback RTT", x, us)
		}
	}
	if runtime.GOOS == "linux" {
		// All requests ran on one keep-alive connection within a second or
		// so: one or two server-tcp samples, not one per request.
		if n := len(got[store.ServerTCP]); n < 1 || n > 2 {
			t.Errorf("server-tcp samples = %d, want 1 or 2", n)
		}
		for _, x := range got[store.ServerTCP] {
			if x.Landmark != us || x.RTT <= 0 || x.RTT > 50*time.Millisecond {
				t.Errorf("server-tcp sample %+v, want landmark %s and a loopback RTT", x, us)
			}
		}
	}

	dev, err = e.st.Device(ctx, enr.DeviceID)
	if err != nil || dev.Hostname != "laptop-7b" || dev.OS != "linux/arm64" || dev.AgentVersion != "1.0.1" || dev.LastSeen.IsZero() {
		t.Errorf("device after heartbeat = %+v, %v; want hostname laptop-7b, os linux/arm64, agent 1.0.1, last seen set", dev, err)
	}

	logs := e.logs.String()
	for _, secret := range []string{token, enr.Credential} {
		if strings.Contains(logs, secret) {
			t.Errorf("server log contains a secret:\n%s", logs)
		}
	}
}

func sha(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func TestEnrolErrors(t *testing.T) {
	e := newEnv(t, nil, ingest.Config{})
	e.enrol() // uses the token
	tests := []struct {
		name   string
		ctype  string
		body   string
		status int
		code   wire.Code
		field  string
	}{
		{"used token", wire.ContentType, `{"version":1,"token":"` + token + `","hostname":"h","os":"o","agent_version":"v"}`, 401, wire.CodeUnauthorized, "token"},
		{"unknown token", wire.ContentType, `{"version":1,"token":"nope","hostname":"h","os":"o","agent_version":"v"}`, 401, wire.CodeUnauthorized, "token"},
		{"no hostname", wire.ContentType, `{"version":1,"token":"nope","os":"o","agent_version":"v"}`, 400, wire.CodeInvalidField, "hostname"},
		{"version", wire.ContentType, `{"version":3,"token":"nope"}`, 400, wire.CodeUnsupportedVersion, "version"},
		{"not json", wire.ContentType, `token=nope`, 400, wire.CodeInvalidJSON, ""},
		{"form", "application/x-www-form-urlencoded", `token=nope`, 415, wire.CodeUnsupportedMediaType, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.do("POST", wire.PathEnrol, "", tt.ctype, strings.NewReader(tt.body))
			got := errorOf(t, body)
			if status != tt.status || got.Code != tt.code || got.Field != tt.field {
				t.Errorf("POST enrol %s = %d %+v, want %d code %s field %q", tt.body, status, got, tt.status, tt.code, tt.field)
			}
		})
	}
	devs, err := e.st.Devices(t.Context())
	if err != nil || len(devs) != 1 {
		t.Errorf("Devices() = %d devices, %v; want only the first enrolment", len(devs), err)
	}
}

func TestBadBatches(t *testing.T) {
	const limit = 16 << 10
	e := newEnv(t, nil, ingest.Config{MaxBodyBytes: limit})
	enr := e.enrol()
	at := time.Now().UTC().Format(time.RFC3339Nano)
	sample := func(landmark string, rtt int) string {
		return fmt.Sprintf(`{"landmark":%q,"at":%q,"rtt_us":%d}`, landmark, at, rtt)
	}
	batch := func(samples ...string) string {
		return `{"version":1,"batch_id":"b-bad","samples":[` + strings.Join(samples, ",") + `]}`
	}
	big := batch(slices.Repeat([]string{sample(us, 1000)}, limit/40)...)
	tests := []struct {
		name   string
		ctype  string
		body   io.Reader
		status int
		code   wire.Code
		field  string
	}{
		{"not json", wire.ContentType, strings.NewReader(`{"version":1,`), 400, wire.CodeInvalidJSON, ""},
		{"version 2", wire.ContentType, strings.NewReader(`{"version":2,"batch_id":"b"}`), 400, wire.CodeUnsupportedVersion, "version"},
		{"unknown field", wire.ContentType, strings.NewReader(`{"version":1,"batch_id":"b","device_id":"other"}`), 400, wire.CodeInvalidField, "device_id"},
		{"bad batch id", wire.ContentType, strings.NewReader(`{"version":1,"batch_id":"../b"}`), 400, wire.CodeInvalidField, "batch_id"},
		{"rtt zero", wire.ContentType, strings.NewReader(batch(sample(us, 1000), sample(us, 0))), 400, wire.CodeInvalidField, "samples[1].rtt_us"},
		{"rtt above 60 s", wire.ContentType, strings.NewReader(batch(sample(us, 60_000_001))), 400, wire.CodeInvalidField, "samples[0].rtt_us"},
		{"old sample", wire.ContentType, strings.NewReader(`{"version":1,"batch_id":"b","samples":[{"landmark":"us-west","at":"2020-01-01T00:00:00Z","rtt_us":5}]}`), 400, wire.CodeInvalidField, "samples[0].at"},
		{"unknown landmark", wire.ContentType, strings.NewReader(batch(sample(us, 1000), sample(eu, 1000), sample("mars-1", 1000))), 400, wire.CodeUnknownLandmark, "samples[2].landmark"},
		{"heartbeat", wire.ContentType, strings.NewReader(`{"version":1,"batch_id":"b","heartbeat":{"at":"` + at + `","hostname":"","os":"o","agent_version":"v"}}`), 400, wire.CodeInvalidField, "heartbeat.hostname"},
		{"text/plain", "text/plain", strings.NewReader(batch()), 415, wire.CodeUnsupportedMediaType, ""},
		{"no content type", "", strings.NewReader(batch()), 415, wire.CodeUnsupportedMediaType, ""},
		{"too large", wire.ContentType, strings.NewReader(big), 413, wire.CodeTooLarge, ""},
		{"too large chunked", wire.ContentType, io.MultiReader(strings.NewReader(big)), 413, wire.CodeTooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.do("POST", wire.PathBatches, enr.Credential, tt.ctype, tt.body)
			got := errorOf(t, body)
			if status != tt.status || got.Code != tt.code || got.Field != tt.field {
				t.Errorf("POST batch = %d %+v, want %d code %s field %q", status, got, tt.status, tt.code, tt.field)
			}
			if got.Field != "" && !strings.HasPrefix(got.Message, got.Field+": ") {
				t.Errorf("message %q does not start with the field %q", got.Message, got.Field)
			}
		})
	}
	// Nothing of any rejected batch was stored: no agent samples, and the
	// device was never marked seen by a batch.
	got := samplesOf(t, e.st, enr.DeviceID)
	if n := len(got[store.Agent]); n != 0 {
		t.Errorf("agent samples after bad batches = %d, want 0", n)
	}
	if dev, err := e.st.Device(t.Context(), enr.DeviceID); err != nil || !dev.LastSeen.IsZero() {
		t.Errorf("device after bad batches = %+v, %v; want LastSeen zero", dev, err)
	}
	// The same batch ID is still free: the rejected batches did not use it.
	status, body := e.postJSON(wire.PathBatches, enr.Credential, batch(sample(us, 1000)))
	if status != http.StatusOK || !strings.Contains(string(body), `"stored":true`) {
		t.Errorf("good batch b-bad = %d %s, want stored", status, body)
	}
}

func TestAuthFailures(t *testing.T) {
	e := newEnv(t, nil, ingest.Config{})
	enr := e.enrol()
	batch := `{"version":1,"batch_id":"b"}`
	status, body := e.do("GET", wire.PathProbe, enr.Credential, "", nil)
	if status != http.StatusOK {
		t.Fatalf("GET probe = %d %s", status, body)
	}
	c, _ := wire.DecodeProbeChallenge(body)
	routes := []struct {
		method, path string
	}{{"POST", wire.PathBatches}, {"GET", wire.PathProbe}, {"POST", wire.PathProbe + "/" + c.Nonce}}
	auths := []struct {
		name, header string
	}{
		{"none", ""},
		{"basic", "Basic " + enr.Credential},
		{"wrong credential", "Bearer " + strings.Repeat("A", 43)},
		{"empty bearer", "Bearer "},
		{"too long", "Bearer " + strings.Repeat("A", 129)},
		{"space inside", "Bearer a b"},
	}
	for _, rt := range routes {
		for _, a := range auths {
			t.Run(rt.method+rt.path+"/"+a.name, func(t *testing.T) {
				req, _ := http.NewRequestWithContext(t.Context(), rt.method, e.srv.URL+rt.path, strings.NewReader(batch))
				req.Header.Set("Content-Type", wire.ContentType)
				if a.header != "" {
					req.Header.Set("Authorization", a.header)
				}
				resp, err := e.srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				got := errorOf(t, b)
				if resp.StatusCode != 401 || got.Code != wire.CodeUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
					t.Errorf("%s %s with %q = %d %+v, want 401 unauthorized with WWW-Authenticate", rt.method, rt.path, a.header, resp.StatusCode, got)
				}
			})
		}
	}
	// The open probe survived the unauthenticated attempts.
	status, body = e.do("POST", wire.PathProbe+"/"+c.Nonce, enr.Credential, "", nil)
	if status != http.StatusOK {
		t.Errorf("POST probe by its device after failed attempts = %d %s, want 200", status, body)
	}
}

func TestProbeRules(t *testing.T) {
	st := openStore(t)
	e := newEnv(t, st, ingest.Config{})
	e.st = st
	a := e.enrol()
	// A second device of the same worker.
	h := sha256.Sum256([]byte("token-2"))
	if err := st.CreateEnrolmentToken(t.Context(), h[:], worker, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	status, body := e.postJSON(wire.PathEnrol, "", wire.EnrolRequest{Version: 1, Token: "token-2", Hostname: "other", OS: "o", AgentVersion: "v"})
	b, err := wire.DecodeEnrolResponse(body)
	if status != 200 || err != nil {
		t.Fatalf("second enrol = %d %s", status, body)
	}

	challenge := func(cred string) string {
		status, body := e.do("GET", wire.PathProbe, cred, "", nil)
		c, err := wire.DecodeProbeChallenge(body)
		if status != 200 || err != nil || c.Landmark != us {
			t.Fatalf("GET probe = %d %s (%v), want 200 with landmark %s", status, body, err, us)
		}
		return c.Nonce
	}
	answer := func(cred, nonce string) (int, wire.Code) {
		status, body := e.do("POST", wire.PathProbe+"/"+nonce, cred, "", nil)
		if status == 200 {
			return status, ""
		}
		return status, errorOf(t, body).Code
	}

	n := challenge(a.Credential)
	if status, code := answer(b.Credential, n); status != 404 || code != wire.CodeNotFound {
		t.Errorf("answer by another device = %d %s, want 404 not_found", status, code)
	}
	if status, _ := answer(a.Credential, n); status != 200 {
		t.Errorf("answer by its device = %d, want 200", status)
	}
	if status, code := answer(a.Credential, n); status != 404 || code != wire.CodeNotFound {
		t.Errorf("second answer = %d %s, want 404 not_found (single use)", status, code)
	}
	if status, code := answer(a.Credential, "no-such-nonce"); status != 404 || code != wire.CodeNotFound {
		t.Errorf("answer to unknown nonce = %d %s, want 404 not_found", status, code)
	}
	// A device may hold MaxProbesPerDevice open probes, no more; others
	// are not affected.
	for range ingest.MaxProbesPerDevice {
		challenge(a.Credential)
	}
	status, body = e.do("GET", wire.PathProbe, a.Credential, "", nil)
	if got := errorOf(t, body); status != 429 || got.Code != wire.CodeTooManyRequests {
		t.Errorf("GET probe beyond the per-device limit = %d %+v, want 429 too_many_requests", status, got)
	}
	challenge(b.Credential)
}

func TestRoutes(t *testing.T) {
	e := newEnv(t, nil, ingest.Config{})
	tests := []struct {
		method, path string
		status       int
		code         wire.Code
		allow        string
	}{
		{"GET", "/", 404, wire.CodeNotFound, ""},
		{"GET", "/api/v2/batches", 404, wire.CodeNotFound, ""},
		{"GET", wire.PathBatches, 405, wire.CodeMethodNotAllowed, "POST"},
		{"DELETE", wire.PathEnrol, 405, wire.CodeMethodNotAllowed, "POST"},
		{"POST", wire.PathProbe, 405, wire.CodeMethodNotAllowed, "GET, HEAD"},
		{"GET", wire.PathProbe + "/abc", 405, wire.CodeMethodNotAllowed, "POST"},
		{"POST", wire.PathHealthz, 405, wire.CodeMethodNotAllowed, "GET, HEAD"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequestWithContext(t.Context(), tt.method, e.srv.URL+tt.path, nil)
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := errorOf(t, b); resp.StatusCode != tt.status || got.Code != tt.code || resp.Header.Get("Allow") != tt.allow {
			t.Errorf("%s %s = %d %+v Allow %q, want %d %s Allow %q", tt.method, tt.path, resp.StatusCode, got, resp.Header.Get("Allow"), tt.status, tt.code, tt.allow)
		}
	}

	status, body := e.do("GET", wire.PathHealthz, "", "", nil)
	if status != 200 || string(body) != `{"status":"ok"}` {
		t.Errorf("healthz = %d %s, want 200 ok", status, body)
	}
	e.ing.Drain()
	status, body = e.do("GET", wire.PathHealthz, "", "", nil)
	if status != 503 || string(body) != `{"status":"draining"}` {
		t.Errorf("healthz after Drain = %d %s, want 503 draining", status, body)
	}
}

// failingStore fails SaveBatch with an error full of internals.
type failingStore struct {
	ingest.Store
}

func (failingStore) SaveBatch(context.Context, store.Batch) (bool, error) {
	return false, errors.New("sqlite: disk I/O error at /var/lib/lagwatch/lagwatch.db")
}

func TestInternalErrorHidesDetails(t *testing.T) {
	st := openStore(t)
	e := newEnv(t, failingStore{st}, ingest.Config{})
	e.st = st
	enr := e.enrol()
	status, body := e.postJSON(wire.PathBatches, enr.Credential, `{"version":1,"batch_id":"b"}`)
	got := errorOf(t, body)
	if status != 500 || got.Code != wire.CodeInternal || strings.Contains(string(body), "sqlite") || strings.Contains(string(body), "/var/lib") {
		t.Errorf("batch with failing store = %d %s, want 500 internal without details", status, body)
	}
	if !strings.Contains(e.logs.String(), "disk I/O error") {
		t.Errorf("server log lacks the error:\n%s", e.logs.String())
	}
}

// TestServerTCPPerConnection checks that requests on one connection store
// at most one server-tcp sample per second, and a new connection gets its
// own.
func TestServerTCPPerConnection(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("TCP_INFO is Linux-only")
	}
	e := newEnv(t, nil, ingest.Config{})
	enr := e.enrol()
	start := time.Now()
	for i := range 10 {
		status, body := e.postJSON(wire.PathBatches, enr.Credential, fmt.Sprintf(`{"version":1,"batch_id":"b-%d"}`, i))
		if status != 200 {
			t.Fatalf("batch %d = %d %s", i, status, body)
		}
	}
	if time.Since(start) > 900*time.Millisecond {
		t.Skip("machine too slow for the one-second window")
	}
	if n := len(samplesOf(t, e.st, enr.DeviceID)[store.ServerTCP]); n != 1 {
		t.Errorf("server-tcp samples after 10 batches on one connection = %d, want 1", n)
	}
	e.srv.Client().CloseIdleConnections()
	if status, body := e.postJSON(wire.PathBatches, enr.Credential, `{"version":1,"batch_id":"b-new-conn"}`); status != 200 {
		t.Fatalf("batch on a new connection = %d %s", status, body)
	}
	if n := len(samplesOf(t, e.st, enr.DeviceID)[store.ServerTCP]); n != 2 {
		t.Errorf("server-tcp samples after a second connection = %d, want 2", n)
	}
}

// TestNoServerTCP checks the two ways a server stores no server-tcp
// samples while probes keep working: no ConnContext, and NoKernelRTT.
func TestNoServerTCP(t *testing.T) {
	tests := []struct {
		name        string
		noKernelRTT bool
		connContext bool
	}{
		{"no ConnContext", false, false},
		{"NoKernelRTT", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t)
			ing, err := ingest.New(st, ingest.Config{Landmark: landmarkUS, NoKernelRTT: tt.noKernelRTT})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewUnstartedServer(ing.Handler())
			if tt.connContext {
				srv.Config.ConnContext = ing.ConnContext
			}
			srv.Start()
			defer srv.Close()
			e := &env{t: t, st: st, ing: ing, srv: srv, logs: &syncBuffer{}}
			enr := e.enrol()
			if rtt := e.probe(enr.Credential); rtt <= 0 {
				t.Errorf("probe = %v, want a positive RTT", rtt)
			}
			if status, body := e.postJSON(wire.PathBatches, enr.Credential, `{"version":1,"batch_id":"b"}`); status != 200 {
				t.Errorf("batch = %d %s, want 200", status, body)
			}
			got := samplesOf(t, st, enr.DeviceID)
			if len(got[store.ServerTCP]) != 0 || len(got[store.ServerApp]) != 1 {
				t.Errorf("samples = %d server-tcp, %d server-app; want 0, 1", len(got[store.ServerTCP]), len(got[store.ServerApp]))
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	st := openStore(t)
	tests := []struct {
		name string
		cfg  ingest.Config
	}{
		{"no landmark", ingest.Config{}},
		{"long landmark name", ingest.Config{Landmark: store.Landmark{Name: strings.Repeat("x", 65)}}},
		{"bad latitude", ingest.Config{Landmark: store.Landmark{Name: "x", Lat: 100}}},
		{"negative body limit", ingest.Config{Landmark: landmarkUS, MaxBodyBytes: -1}},
		{"negative ttl", ingest.Config{Landmark: landmarkUS, ProbeTTL: -time.Second}},
	}
	for _, tt := range tests {
		if _, err := ingest.New(st, tt.cfg); err == nil {
			t.Errorf("New(%s) = nil error, want an error", tt.name)
		}
	}
	if _, err := ingest.New(nil, ingest.Config{Landmark: landmarkUS}); err == nil {
		t.Error("New(nil store) = nil error, want an error")
	}
}

func TestRunRegistersLandmark(t *testing.T) {
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "lagwatch.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	lm := store.Landmark{Name: "ap-south", Location: "Mumbai, IN", Lat: 19.08, Lon: 72.88}
	ing, err := ingest.New(st, ingest.Config{Landmark: lm, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- ing.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ls, err := st.Landmarks(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(ls) == 1 {
			lm.SeenAt = t0
			if ls[0] != lm {
				t.Errorf("Landmarks() = %+v, want %+v", ls[0], lm)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Run did not register the landmark within 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run() after cancel = %v, want nil", err)
	}
}

// BenchmarkIngestBatch measures POST /api/v1/batches over loopback HTTP
// into SQLite in a temp dir: 50 agent samples and a heartbeat per batch,
// every batch new, one device on one client connection. Each request
// includes authentication (a store read), decoding and validation.
func BenchmarkIngestBatch(b *testing.B) {
	const perBatch = 50
	e := newEnv(b, nil, ingest.Config{})
	enr := e.enrol()
	landmarks := []string{us, eu}
	// Sample times increase from batch to batch, as an agent's do, one
	// millisecond apart, starting an hour ago: a run of a few thousand
	// batches stays inside the window the server accepts.
	start := time.Now().UTC().Add(-time.Hour)
	batch := wire.Batch{Version: 1, Samples: make([]wire.Sample, perBatch),
		Heartbeat: &wire.Heartbeat{At: start, Hostname: hostname, OS: "linux/amd64", AgentVersion: "1.0.0"}}
	fill := func(n int) {
		batch.BatchID = fmt.Sprintf("bench-%d", n)
		for i := range batch.Samples {
			at := start.Add(time.Duration(n*perBatch+i) * time.Millisecond)
			batch.Samples[i] = wire.Sample{Landmark: landmarks[i%2], At: at, RTTMicros: int64(30000 + i)}
		}
	}
	fill(0)
	client := e.srv.Client()
	url := e.srv.URL + wire.PathBatches
	if body, err := json.Marshal(batch); err == nil {
		b.SetBytes(int64(len(body)))
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		fill(n)
		body, err := json.Marshal(batch)
		if err != nil {
			b.Fatal(err)
		}
		req, _ := http.NewRequestWithContext(b.Context(), "POST", url, bytes.NewReader(body))
		req.Header.Set("Content-Type", wire.ContentType)
		req.Header.Set("Authorization", "Bearer "+enr.Credential)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		rb, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("batch %d = %d %s", n, resp.StatusCode, rb)
		}
		n++
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(n)/sec, "batches/s")
	b.ReportMetric(float64(n*perBatch)/sec, "samples/s")
}
