package ingest_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/ingest"
	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/relay"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// agentKey is the test agent's signing key.
var agentKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{42}, ed25519.SeedSize))

// enrolSigned enrols a device with agentKey's public key.
func (e *env) enrolSigned() wire.EnrolResponse {
	e.t.Helper()
	req := wire.EnrolRequest{Version: 1, Token: token, Hostname: hostname, OS: "linux/amd64", AgentVersion: "1.1.0",
		PublicKey: wire.EncodePublicKey(agentKey.Public().(ed25519.PublicKey))}
	status, body := e.postJSON(wire.PathEnrol, "", req)
	if status != http.StatusOK {
		e.t.Fatalf("enrol with key: %d %s", status, body)
	}
	r, err := wire.DecodeEnrolResponse(body)
	if err != nil {
		e.t.Fatalf("enrol with key: decode %s: %v", body, err)
	}
	return r
}

// postBatch posts body as a batch with the given signature header ("" for
// none) and returns the status and the response body.
func (e *env) postBatch(cred string, body []byte, sig string) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), "POST", e.srv.URL+wire.PathBatches, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", wire.ContentType)
	req.Header.Set("Authorization", "Bearer "+cred)
	if sig != "" {
		req.Header.Set(wire.SignatureHeader, sig)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("POST batch: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("POST batch: read body: %v", err)
	}
	return resp.StatusCode, b
}

// inputWindow returns a valid window of 5 strokes, 4 physical and one
// injected, starting at start.
func inputWindow(id string, start time.Time, note string) wire.InputWindow {
	flight := make([]int, keystroke.NumFlightBins)
	flight[1], flight[10] = 2, 2
	hold := make([]int, keystroke.NumHoldBins)
	hold[8] = 5
	return wire.InputWindow{WindowID: id, Start: start, End: start.Add(time.Minute), Source: note,
		Keys: 5, ByClass: map[string]int{"letter": 4, "space": 1}, ByProvenance: map[string]int{"physical": 4, "injected": 1},
		FlightHist: flight, HoldHist: hold, FlightSum: 0.2, FlightSumSq: 0.02, HoldSum: 0.4, HoldSumSq: 0.032,
		FastPairs: 2, Bursts: 1, StallBursts: 0,
		Devices: []wire.InputDevice{{Name: "kbd", Provenance: "physical", Bus: "usb", VendorID: "046d", ProductID: "c31c", Keys: 4}}}
}

// endpointReport returns a report with a VNC server in two sessions and a
// PiKVM on USB.
func endpointReport(at time.Time) *wire.EndpointReport {
	return &wire.EndpointReport{At: at,
		RemoteTools: []wire.RemoteTool{{Name: "x11vnc", Catalog: "lolrmm", PID: 811, Process: "x11vnc", Listening: []string{"0.0.0.0:5900"},
			Sessions: []wire.RemoteSession{
				{Local: "192.0.2.10:5900", Remote: "198.51.100.7:51514", RTTMicros: 150_000, MinRTTMicros: 0},
				{Local: "192.0.2.10:5900", Remote: "198.51.100.7:51515", RTTMicros: 149_000, MinRTTMicros: 141_250},
			}}},
		USB: []wire.USBDevice{{Path: "1-1", VendorID: "1d6b", ProductID: "0104", HID: true,
			Match: &wire.HardwareMatch{Device: "PiKVM", Rule: "usb 1d6b:0104", Evidence: "A PiKVM gadget types on this laptop.", Strength: wire.StrengthStrong}}},
		Displays: []wire.Display{{Connector: "card0-HDMI-A-1", Manufacturer: "DEL", ProductCode: "a0b1"}},
	}
}

func marshal(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// telemetryOf returns the device's windows and endpoint reports.
func telemetryOf(tb testing.TB, st *store.Store, deviceID string) ([]store.InputWindow, []store.EndpointReport) {
	tb.Helper()
	ws, err := st.Windows(tb.Context(), deviceID, time.Time{}, time.Time{})
	if err != nil {
		tb.Fatal(err)
	}
	rs, err := st.EndpointReports(tb.Context(), deviceID, time.Time{}, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return ws, rs
}

func TestSignedBatch(t *testing.T) {
	e := newEnv(t, nil, ingest.Config{Now: func() time.Time { return t0 }})
	enr := e.enrolSigned()
	dev, err := e.st.Device(t.Context(), enr.DeviceID)
	if err != nil || !dev.PublicKey.Equal(agentKey.Public()) {
		t.Fatalf("Device() after enrolment = %+v, %v; want the agent's public key", dev, err)
	}
	batch := wire.Batch{Version: 1, BatchID: "b-signed",
		Samples:  []wire.Sample{{Landmark: us, At: t0.Add(-time.Minute), RTTMicros: 31_000}},
		Windows:  []wire.InputWindow{inputWindow("w-1", t0.Add(-3*time.Minute), "evdev"), inputWindow("w-2", t0.Add(-2*time.Minute), "x11")},
		Endpoint: endpointReport(t0.Add(-10 * time.Second))}
	body := marshal(t, batch)
	sig := wire.Sign(agentKey, body)
	for i, want := range []wire.BatchResponse{{Stored: true}, {Duplicate: true}, {Duplicate: true}} {
		status, resp := e.postBatch(enr.Credential, body, sig) // the same bytes again: a replay or a retry
		got, err := wire.DecodeBatchResponse(resp)
		if status != http.StatusOK || err != nil || got != want {
			t.Errorf("signed batch, attempt %d = %d %s (%v), want 200 %+v", i, status, resp, err, want)
		}
	}
	if n := len(samplesOf(t, e.st, enr.DeviceID)[store.Agent]); n != 1 {
		t.Errorf("agent samples = %d, want 1", n)
	}
	ws, rs := telemetryOf(t, e.st, enr.DeviceID)
	if len(ws) != 2 || len(rs) != 1 {
		t.Fatalf("stored %d windows and %d reports, want 2 and 1", len(ws), len(rs))
	}
	w := ws[0]
	if w.WindowID != "w-1" || w.BatchID != "b-signed" || !w.ReceivedAt.Equal(t0) || w.Source != "evdev" ||
		w.Keys != 5 || w.Physical != 4 || w.Injected != 1 || w.Virtual != 0 || w.FastPairs != 2 || w.Bursts != 1 {
		t.Errorf("window 0 = %+v, want w-1 of b-signed with 5 keys (4 physical, 1 injected), 2 fast pairs, 1 burst", w)
	}
	var back wire.InputWindow
	if err := json.Unmarshal(w.Body, &back); err != nil || back.FlightHist[10] != 2 || back.Devices[0].ProductID != "c31c" {
		t.Errorf("window 0 body %s = %+v, %v; want the window as sent", w.Body, back, err)
	}
	r := rs[0]
	if r.RemoteTools != 1 || r.RemoteSessions != 2 || r.MinSessionRTT != 141250*time.Microsecond || r.HardwareMatches != 1 || !r.At.Equal(t0.Add(-10*time.Second)) {
		t.Errorf("endpoint report = %+v, want 1 tool, 2 sessions, min RTT 141.25ms, 1 hardware match", r)
	}
	var rep wire.EndpointReport
	if err := json.Unmarshal(r.Body, &rep); err != nil || rep.USB[0].Match.Device != "PiKVM" {
		t.Errorf("endpoint report body %s = %+v, %v; want the report as sent", r.Body, rep, err)
	}
}

func TestSignatureRejected(t *testing.T) {
	e := newEnv(t, nil, ingest.Config{Now: func() time.Time { return t0 }})
	enr := e.enrolSigned()
	batch := wire.Batch{Version: 1, BatchID: "b-1",
		Samples:  []wire.Sample{{Landmark: us, At: t0.Add(-time.Minute), RTTMicros: 31_000}},
		Windows:  []wire.InputWindow{inputWindow("w-1", t0.Add(-3*time.Minute), "evdev")},
		Endpoint: endpointReport(t0)}
	body := marshal(t, batch)
	sig := wire.Sign(agentKey, body)
	tampered := bytes.Replace(body, []byte(`"rtt_us":31000`), []byte(`"rtt_us":11000`), 1)
	if bytes.Equal(tampered, body) {
		t.Fatal("tampering changed nothing")
	}
	indented, _ := json.MarshalIndent(batch, "", " ")
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	tests := []struct {
		name string
		body []byte
		sig  string
	}{
		{"no signature", body, ""},
		{"tampered body", tampered, sig},
		{"same batch re-encoded", indented, sig},
		{"signed by another key", body, wire.Sign(other, body)},
		{"signature of another body", body, wire.Sign(agentKey, tampered)},
		{"signature not base64", body, strings.Repeat("*", 88)},
		{"signature truncated", body, sig[:80]},
		{"bad JSON, unsigned", []byte(`{"version":1,`), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, resp := e.postBatch(enr.Credential, tt.body, tt.sig)
			got := errorOf(t, resp)
			if status != http.StatusUnauthorized || got.Code != wire.CodeUnauthorized || !strings.Contains(got.Message, wire.SignatureHeader) {
				t.Errorf("POST batch (%s) = %d %+v, want 401 unauthorized naming %s", tt.name, status, got, wire.SignatureHeader)
			}
		})
	}
	// Nothing of any rejected batch was stored, not even the server's
	// measurement of the connection that carried it.
	for p, xs := range samplesOf(t, e.st, enr.DeviceID) {
		t.Errorf("%d %s samples after rejected batches, want none", len(xs), p)
	}
	if ws, rs := telemetryOf(t, e.st, enr.DeviceID); len(ws) != 0 || len(rs) != 0 {
		t.Errorf("after rejected batches: %d windows, %d reports; want none", len(ws), len(rs))
	}
	if dev, err := e.st.Device(t.Context(), enr.DeviceID); err != nil || !dev.LastSeen.IsZero() {
		t.Errorf("device after rejected batches = %+v, %v; want LastSeen zero", dev, err)
	}
	if !strings.Contains(e.logs.String(), "batch signature rejected") {
		t.Errorf("server log does not record the rejections:\n%s", e.logs.String())
	}
	// The batch ID is still free.
	if status, resp := e.postBatch(enr.Credential, body, sig); status != http.StatusOK || !strings.Contains(string(resp), `"stored":true`) {
		t.Errorf("correctly signed batch after the rejections = %d %s, want stored", status, resp)
	}
}

// TestUnsignedDevice checks that a device enrolled without a public key (an
// agent from before signing) sends batches without a signature, windows
// included, and that a signature header it sends is ignored.
func TestUnsignedDevice(t *testing.T) {
	e := newEnv(t, nil, ingest.Config{Now: func() time.Time { return t0 }})
	enr := e.enrol()
	if dev, err := e.st.Device(t.Context(), enr.DeviceID); err != nil || dev.PublicKey != nil {
		t.Fatalf("Device() = %+v, %v; want no public key", dev, err)
	}
	b1 := marshal(t, wire.Batch{Version: 1, BatchID: "b-1", Windows: []wire.InputWindow{inputWindow("w-1", t0.Add(-time.Hour), "evdev")}})
	b2 := marshal(t, wire.Batch{Version: 1, BatchID: "b-2", Endpoint: endpointReport(t0)})
	for _, c := range []struct {
		body []byte
		sig  string
	}{{b1, ""}, {b2, "not-a-signature"}} {
		if status, resp := e.postBatch(enr.Credential, c.body, c.sig); status != http.StatusOK || !strings.Contains(string(resp), `"stored":true`) {
			t.Errorf("unsigned batch = %d %s, want stored", status, resp)
		}
	}
	if ws, rs := telemetryOf(t, e.st, enr.DeviceID); len(ws) != 1 || len(rs) != 1 {
		t.Errorf("stored %d windows and %d reports, want 1 and 1", len(ws), len(rs))
	}
}

// TestWindowsAcrossBatches checks that a window sent again in a new batch
// (as an agent does when it did not learn that the first batch arrived) is
// stored once, as first received, while the rest of the new batch is
// stored.
func TestWindowsAcrossBatches(t *testing.T) {
	e := newEnv(t, nil, ingest.Config{Now: func() time.Time { return t0 }})
	enr := e.enrolSigned()
	send := func(id string, ws ...wire.InputWindow) {
		t.Helper()
		body := marshal(t, wire.Batch{Version: 1, BatchID: id, Windows: ws})
		if status, resp := e.postBatch(enr.Credential, body, wire.Sign(agentKey, body)); status != http.StatusOK || !strings.Contains(string(resp), `"stored":true`) {
			t.Fatalf("batch %s = %d %s, want stored", id, status, resp)
		}
	}
	start := t0.Add(-10 * time.Minute)
	send("b-1", inputWindow("w-1", start, "first"), inputWindow("w-2", start.Add(time.Minute), "first"), inputWindow("w-1", start, "same batch"))
	send("b-2", inputWindow("w-2", start.Add(time.Minute), "second"), inputWindow("w-3", start.Add(2*time.Minute), "second"))
	send("b-3", inputWindow("w-3", start.Add(2*time.Minute), "third"))
	ws, _ := telemetryOf(t, e.st, enr.DeviceID)
	var got []string
	for _, w := range ws {
		got = append(got, w.WindowID+"/"+w.BatchID+"/"+w.Source)
	}
	want := []string{"w-1/b-1/first", "w-2/b-1/first", "w-3/b-2/second"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("windows = %q, want %q", got, want)
	}
}

func TestBadTelemetry(t *testing.T) {
	e := newEnv(t, nil, ingest.Config{Now: func() time.Time { return t0 }})
	enr := e.enrolSigned()
	win := inputWindow("w-1", t0.Add(-2*time.Minute), "evdev")
	many := make([]wire.InputWindow, wire.MaxWindows+1)
	for i := range many {
		many[i] = inputWindow(fmt.Sprintf("w-%d", i), t0.Add(-time.Duration(i+2)*time.Minute), "evdev")
	}
	short := win
	short.FlightHist = short.FlightHist[:keystroke.NumFlightBins-1]
	old := inputWindow("w-old", t0.Add(-wire.MaxPast-time.Second), "evdev") // by the server's clock
	future := endpointReport(t0.Add(wire.MaxFuture + time.Second))
	badRTT := endpointReport(t0)
	badRTT.RemoteTools[0].Sessions[1].RTTMicros = wire.MaxRTTMicros + 1
	tests := []struct {
		name  string
		batch wire.Batch
		field string
	}{
		{"too many windows", wire.Batch{Windows: many}, "windows"},
		{"short flight histogram", wire.Batch{Windows: []wire.InputWindow{win, short}}, "windows[1].flight_hist"},
		{"window too old", wire.Batch{Windows: []wire.InputWindow{old}}, "windows[0].start"},
		{"report from the future", wire.Batch{Endpoint: future}, "endpoint.at"},
		{"session rtt", wire.Batch{Windows: []wire.InputWindow{win}, Endpoint: badRTT}, "endpoint.remote_tools[0].sessions[1].rtt_us"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.batch.Version, tt.batch.BatchID = 1, "b-bad"
			tt.batch.Samples = []wire.Sample{{Landmark: us, At: t0, RTTMicros: 1000}}
			body := marshal(t, tt.batch)
			status, resp := e.postBatch(enr.Credential, body, wire.Sign(agentKey, body))
			got := errorOf(t, resp)
			if status != http.StatusBadRequest || got.Code != wire.CodeInvalidField || got.Field != tt.field || !strings.HasPrefix(got.Message, tt.field+": ") {
				t.Errorf("POST batch = %d %+v, want 400 invalid_field for %s", status, got, tt.field)
			}
		})
	}
	if n := len(samplesOf(t, e.st, enr.DeviceID)[store.Agent]); n != 0 {
		t.Errorf("agent samples after bad batches = %d, want 0", n)
	}
	if ws, rs := telemetryOf(t, e.st, enr.DeviceID); len(ws) != 0 || len(rs) != 0 {
		t.Errorf("after bad batches: %d windows, %d reports; want none", len(ws), len(rs))
	}
}

func TestEnrolBadPublicKey(t *testing.T) {
	e := newEnv(t, nil, ingest.Config{})
	req := wire.EnrolRequest{Version: 1, Token: token, Hostname: hostname, OS: "linux/amd64", AgentVersion: "1.1.0", PublicKey: "AAAA"}
	status, body := e.postJSON(wire.PathEnrol, "", req)
	if got := errorOf(t, body); status != http.StatusBadRequest || got.Field != "public_key" {
		t.Errorf("enrol with a bad key = %d %+v, want 400 naming public_key", status, got)
	}
	e.enrolSigned() // the token was not used
}

// BenchmarkIngestBatchSigned is BenchmarkIngestBatch from a device that
// signs its batches: the difference is the cost of verifying.
func BenchmarkIngestBatchSigned(b *testing.B) {
	benchmarkIngest(b, false)
}

// BenchmarkIngestBatchTelemetry adds to each signed batch an input window
// and an endpoint report, as lagwatch-agent sends them.
func BenchmarkIngestBatchTelemetry(b *testing.B) {
	benchmarkIngest(b, true)
}

func benchmarkIngest(b *testing.B, telemetry bool) {
	const perBatch = 50
	e := newEnv(b, nil, ingest.Config{})
	enr := e.enrolSigned()
	start := time.Now().UTC().Add(-time.Hour)
	batch := wire.Batch{Version: 1, Samples: make([]wire.Sample, perBatch),
		Heartbeat: &wire.Heartbeat{At: start, Hostname: hostname, OS: "linux/amd64", AgentVersion: "1.1.0"}}
	fill := func(n int) {
		batch.BatchID = fmt.Sprintf("bench-%d", n)
		for i := range batch.Samples {
			at := start.Add(time.Duration(n*perBatch+i) * time.Millisecond)
			batch.Samples[i] = wire.Sample{Landmark: []string{us, eu}[i%2], At: at, RTTMicros: int64(30000 + i)}
		}
		if telemetry {
			at := start.Add(time.Duration(n) * time.Second)
			batch.Windows = []wire.InputWindow{inputWindow(fmt.Sprintf("w-%d", n), at, "evdev")}
			batch.Endpoint = endpointReport(at)
		}
	}
	fill(0)
	b.SetBytes(int64(len(marshal(b, batch))))
	client := e.srv.Client()
	url := e.srv.URL + wire.PathBatches
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		fill(n)
		body := marshal(b, batch)
		req, _ := http.NewRequestWithContext(b.Context(), "POST", url, bytes.NewReader(body))
		req.Header.Set("Content-Type", wire.ContentType)
		req.Header.Set("Authorization", "Bearer "+enr.Credential)
		req.Header.Set(wire.SignatureHeader, wire.Sign(agentKey, body))
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
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "batches/s")
}

// relayBlock returns a valid relay block for inputWindow's 5 strokes.
func relayBlock() *wire.RelayFeatures {
	gap, stall := make([]int, relay.NumGapBins), make([]int, relay.NumGapBins)
	gap[3], gap[40] = 3, 4
	return &wire.RelayFeatures{Keys: 5, Msgs: 10, Ties: 2, Bursts: 1, ZeroHolds: 1, GapMicros: 350_000, Gaps: 7,
		GapHist: gap, StallHist: stall, HoldSum: 0.4, HoldSumSq: 0.032,
		QuantCos: []float64{1.5, -2.25, 0.125, 3}, QuantSin: []float64{-0.5, 0, 7.75, -1}}
}

// TestRelayBlockStoredBinary: a window's relay block is stored twice, in
// the JSON body and in binary form, and the binary form decodes to the
// block the agent sent.
func TestRelayBlockStoredBinary(t *testing.T) {
	e := newEnv(t, nil, ingest.Config{Now: func() time.Time { return t0 }})
	enr := e.enrolSigned()
	with, without := inputWindow("w-relay", t0.Add(-2*time.Minute), "x"), inputWindow("w-plain", t0.Add(-time.Minute), "x")
	with.Relay = relayBlock()
	body := marshal(t, wire.Batch{Version: 1, BatchID: "b-1", Windows: []wire.InputWindow{with, without}})
	if status, resp := e.postBatch(enr.Credential, body, wire.Sign(agentKey, body)); status != http.StatusOK {
		t.Fatalf("batch = %d %s, want 200", status, resp)
	}
	ws, _ := telemetryOf(t, e.st, enr.DeviceID)
	if len(ws) != 2 || ws[0].WindowID != "w-relay" || ws[1].WindowID != "w-plain" {
		t.Fatalf("stored windows %+v; want w-relay and w-plain", ws)
	}
	var got wire.RelayFeatures
	if err := got.UnmarshalBinary(ws[0].Relay); err != nil {
		t.Fatalf("stored relay column %x does not decode: %v", ws[0].Relay, err)
	}
	if !reflect.DeepEqual(&got, with.Relay) {
		t.Errorf("stored relay column decodes to %+v; want %+v", got, *with.Relay)
	}
	var fromBody struct {
		Relay *wire.RelayFeatures `json:"relay"`
	}
	if err := json.Unmarshal(ws[0].Body, &fromBody); err != nil || !reflect.DeepEqual(fromBody.Relay, with.Relay) {
		t.Errorf("body's relay block = %+v, %v; want %+v", fromBody.Relay, err, *with.Relay)
	}
	if ws[1].Relay != nil {
		t.Errorf("window without a block stored relay column %x; want NULL", ws[1].Relay)
	}
}

// TestRelayBinaryFitsStore: the binary form of the largest block the wire
// format accepts (every count at its largest, every varint at its
// longest) fits in what the store keeps.
func TestRelayBinaryFitsStore(t *testing.T) {
	full := func(v int) []int {
		h := make([]int, relay.NumGapBins)
		for i := range h {
			h[i] = v
		}
		return h
	}
	big := math.MinInt64 // the longest zig-zag varint
	r := &wire.RelayFeatures{Keys: big, Msgs: big, Ties: big, Bursts: big, StallBursts: big, ZeroHolds: big,
		StallMicros: math.MinInt64, GapMicros: math.MinInt64, Gaps: big,
		GapHist: full(math.MaxUint16), StallHist: full(math.MaxUint16), HoldSum: 1, HoldSumSq: 1,
		QuantCos: make([]float64, relay.NumQuant), QuantSin: make([]float64, relay.NumQuant)}
	b, err := r.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > store.MaxRelayBytes {
		t.Errorf("largest relay block is %d bytes in binary; the store keeps at most %d", len(b), store.MaxRelayBytes)
	}
	t.Logf("largest relay block: %d bytes in binary", len(b))
}
